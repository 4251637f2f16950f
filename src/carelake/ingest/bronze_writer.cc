#include "carelake/ingest/bronze_writer.h"

#include <utility>

#include "carelake/delta/actions.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/transaction.h"
#include "carelake/ingest/bronze_columns.h"

namespace carelake::ingest {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;

// The columns of a batch: the union of its units' columns by ColumnKey,
// first spelling wins.
struct BatchColumns {
  std::vector<std::string> names;
  std::map<std::string, size_t> index;  // column key -> position in `names`
};

BatchColumns ColumnsOf(const std::vector<UnitRows>& rows) {
  BatchColumns out;
  for (const UnitRows& r : rows) {
    for (const std::string& c : r.columns) {
      if (out.index.emplace(ColumnKey(c), out.names.size()).second) out.names.push_back(c);
    }
  }
  return out;
}

// A unit's rows with the batch's columns, in order (NULL for those it
// lacks), then lineage.
std::string UnitSelect(const UnitRows& r, const BatchColumns& columns, const std::string& run_id,
                       int64_t ingested_at_ms) {
  std::vector<std::string> select(columns.names.size());
  for (const std::string& c : r.columns)
    select[columns.index.at(ColumnKey(c))] = QuoteIdentifier(c);
  std::string cols;
  for (size_t i = 0; i < columns.names.size(); ++i) {
    cols += (select[i].empty() ? "NULL::VARCHAR" : "CAST(" + select[i] + " AS VARCHAR)") + " AS " +
            QuoteIdentifier(columns.names[i]) + ", ";
  }
  return "SELECT " + cols + LineageSql(run_id, r.unit->name, ingested_at_ms) + " FROM (" +
         r.rows_sql + ")";
}

// No row, with the batch's columns: bronze still gets the units' txns and
// the columns they name (a CSV header with no rows under it).
std::string EmptySelect(const BatchColumns& columns) {
  std::string sql;
  for (const std::string& c : columns.names) sql += "NULL::VARCHAR AS " + QuoteIdentifier(c) + ", ";
  return "SELECT " + sql +
         "NULL::VARCHAR AS _run_id, NULL::VARCHAR AS _source_file, NULL::BIGINT AS "
         "_source_position, NULL::TIMESTAMPTZ AS _ingested_at WHERE false";
}

}  // namespace

Result<CommittedTxns> LoadCommittedTxns(const delta::DeltaTable& table) {
  CommittedTxns out;
  if (!table.Exists()) return out;
  CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, table.Load());
  out.app_versions = s->app_versions();
  out.version = s->version();
  return out;
}

Result<BronzeWriter> BronzeWriter::Open(FileSystem& fs, const std::string& bronze_path,
                                        const std::string& quarantine_path, std::string source_name,
                                        std::string run_id, engine::Connection& conn,
                                        const Clock& clock, Executor& executor) {
  BronzeWriter writer(delta::DeltaTable(fs, bronze_path, conn, clock),
                      delta::DeltaTable(fs, quarantine_path, conn, clock), std::move(source_name),
                      std::move(run_id), clock, executor);
  CARELAKE_ASSIGN_OR_RETURN(CommittedTxns bronze, LoadCommittedTxns(writer.bronze_));
  CARELAKE_ASSIGN_OR_RETURN(CommittedTxns quarantine, LoadCommittedTxns(writer.quarantine_));
  writer.bronze_txns_ = std::move(bronze.app_versions);
  writer.bronze_version_ = bronze.version;
  writer.quarantine_txns_ = std::move(quarantine.app_versions);
  return writer;
}

Status BronzeWriter::WriteQuarantine(const std::vector<UnitRows>& rows) {
  std::string sql;
  std::vector<delta::Txn> txns;
  for (const UnitRows& r : rows) {
    if (r.quarantine_sql.empty() || quarantine_txns_.count(r.unit->app_id)) continue;
    sql += (sql.empty() ? "" : " UNION ALL ") +
           ("SELECT " + QuoteLiteral(run_id_) + " AS _run_id, q.*, epoch_ms(" +
            std::to_string(clock_->WallMillis()) + ")::TIMESTAMPTZ AS _ingested_at FROM (" +
            r.quarantine_sql + ") q");
    txns.push_back({r.unit->app_id, r.unit->app_version, std::nullopt});
  }
  if (sql.empty()) return Status();
  delta::WriteOptions options;
  options.txns = txns;
  auto written = quarantine_.Write(sql, options);
  if (!written.ok()) {
    return written.status().WithContext("source '" + source_name_ + "': writing the quarantine");
  }
  if (written->committed) ++commits_;
  for (const delta::Txn& t : txns) quarantine_txns_[t.app_id] = t.version;
  return Status();
}

Status BronzeWriter::WriteBronze(const std::vector<UnitRows>& rows,
                                 const std::vector<engine::Connection*>& conns,
                                 int64_t ingested_at_ms) {
  const BatchColumns columns = ColumnsOf(rows);
  delta::WriteOptions options;
  options.merge_schema = true;
  options.executor = executor_;
  for (const UnitRows& r : rows) {
    options.txns.push_back({r.unit->app_id, r.unit->app_version, std::nullopt});
  }
  // Group 0 runs on conns[0] and takes the units read into temporary
  // tables; the others are spread over all groups, one per connection, so
  // that the groups can be written concurrently into one commit.
  std::vector<std::string> groups(conns.size());
  size_t round_robin = 0;
  for (const UnitRows& r : rows) {
    if (r.rows_sql.empty()) continue;
    std::string& g = groups[r.any_connection ? round_robin++ % groups.size() : 0];
    g += (g.empty() ? "" : " UNION ALL ") + UnitSelect(r, columns, run_id_, ingested_at_ms);
  }
  std::string sql;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].empty()) continue;
    if (sql.empty()) {
      sql = groups[i];
    } else {
      options.parallel_parts.push_back({groups[i], conns[i]});
    }
  }
  if (sql.empty()) sql = EmptySelect(columns);
  auto written = bronze_.Write(sql, options);
  if (!written.ok()) {
    return written.status().WithContext("source '" + source_name_ + "': writing bronze");
  }
  if (written->committed) {
    ++commits_;
    bronze_version_ = written->version;
  }
  return Status();
}

}  // namespace carelake::ingest
