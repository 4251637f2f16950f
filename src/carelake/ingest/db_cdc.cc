#include "carelake/ingest/db_cdc.h"

#include <map>

#include "carelake/catalog/catalog.h"
#include "carelake/delta/schema.h"

namespace carelake::ingest {
namespace {

using dbsource::RowChange;
using dbsource::SourceColumn;
using dbsource::SourceTable;

constexpr int64_t kBatchChanges = 100000;

// A change value as the snapshot's CSV field of `c` would hold it.
std::optional<std::string> AsSnapshotText(const SourceColumn& c, const std::string& value) {
  if (c.select_sql.rfind("array_to_json(", 0) == 0) {
    const bool quoted = c.lake_type == "VARCHAR[]" || c.lake_type == "DATE[]";
    return dbsource::PgArrayToJson(value, quoted);
  }
  if (c.select_sql.size() > 9 && c.select_sql.substr(c.select_sql.size() - 9) == "::numeric") {
    std::string digits;  // money: "$1,234.56" -> 1234.56
    for (char ch : value) {
      if ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-') digits += ch;
    }
    return digits;
  }
  return value;
}

// The table's columns followed by the change columns, for RowsSql.
SourceTable WithChangeColumns(const SourceTable& t) {
  SourceTable out = t;
  SourceColumn deleted{"_deleted", "", true, "", "BOOLEAN", "", "BOOLEAN", "", {}};
  SourceColumn lsn{"_lsn", "", true, "", "BIGINT", "", "BIGINT", "", {}};
  SourceColumn time{
      "_commit_time", "", true, "", "BIGINT", "CAST(make_timestamp({}) AS TIMESTAMPTZ)",
      "TIMESTAMPTZ",  "", {}};
  out.columns.push_back(deleted);
  out.columns.push_back(lsn);
  out.columns.push_back(time);
  return out;
}

// One CSV line of `change` in the column order of `t`.
std::string ChangeLine(const SourceTable& t, const RowChange& change) {
  const auto& names = change.relation->columns;
  std::string line;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) line += ',';
    size_t at = 0;
    while (at < names.size() && names[at] != t.columns[i].name) ++at;
    if (at == names.size() || !change.values[at]) continue;
    std::optional<std::string> v = AsSnapshotText(t.columns[i], *change.values[at]);
    if (v) dbsource::AppendQuoted(line, *v);
  }
  line += change.kind == dbsource::ChangeKind::kDelete ? ",true," : ",false,";
  line += std::to_string(change.commit_lsn) + "," + std::to_string(change.commit_time_us);
  return line + "\n";
}

class ChangeWriter {
 public:
  ChangeWriter(const DatabaseIngestRequest& req, FileSystem& fs, engine::Connection& conn)
      : req_(req), fs_(fs), conn_(conn) {}

  // Appends the changes of `job`'s table after its recorded LSN.
  Status Write(const TableJob& job, const std::vector<const RowChange*>& changes, TableIngest& out);

 private:
  const Clock& clock() const { return req_.clock ? *req_.clock : DefaultClock(); }
  const DatabaseIngestRequest& req_;
  FileSystem& fs_;
  engine::Connection& conn_;
};

Status ChangeWriter::Write(const TableJob& job, const std::vector<const RowChange*>& changes,
                           TableIngest& out) {
  delta::DeltaTable table(
      fs_, catalog::DatabaseTablePath(req_.lake, req_.source->name, job.lake_name), conn_, clock());
  CARELAKE_ASSIGN_OR_RETURN(Prior prior, LoadPrior(table, conn_));
  const uint64_t after = dbsource::ParseLsn(prior.cdc_lsn).value_or(0);
  SpoolFolder folder(req_.lake, req_.run_id + "-cdc-" + out.table, req_.spool_file_bytes);
  dbsource::CsvSpool& spool = folder.spool();
  uint64_t last = after;
  for (const RowChange* c : changes) {
    if (c->commit_lsn <= after) continue;  // already in bronze
    CARELAKE_RETURN_IF_ERROR(spool.Write(ChangeLine(*job.table, *c)));
    last = c->commit_lsn;
    out.last_commit_time_us = c->commit_time_us;
    ++out.rows;
    if (c->kind == dbsource::ChangeKind::kDelete) ++out.deleted;
  }
  CARELAKE_RETURN_IF_ERROR(spool.Close());
  Status written = Status::Ok();
  if (out.rows > 0) {
    const SourceTable with = WithChangeColumns(*job.table);
    std::string rows = RowsSql(with, spool.files(), prior);
    auto now = Describe(conn_, rows);
    written = now.ok() ? CheckDrift(out.table, prior, *now) : now.status();
    delta::WriteOptions options;
    options.mode = delta::WriteMode::kAppend;
    options.merge_schema = true;
    options.types.timestamp_ntz = true;
    options.properties = OriginProperties(job);
    options.properties[kCdcLsnProperty] = dbsource::FormatLsn(last);
    if (written.ok()) {
      auto w = table.Write("SELECT *, " + delta::QuoteLiteral(req_.run_id) +
                               " AS _run_id, epoch_ms(" + std::to_string(clock().WallMillis()) +
                               ")::TIMESTAMPTZ AS _ingested_at FROM (" + rows + ")",
                           options);
      written = w.ok() ? Status::Ok() : w.status();
      if (w.ok()) out.version = w->version;
      if (w.ok()) out.last_lsn = last;
    }
  }
  return written;
}

}  // namespace

Result<std::vector<TableIngest>> ApplyChanges(const DatabaseIngestRequest& req, FileSystem& fs,
                                              engine::Connection& conn,
                                              dbsource::PgChangeFeed& feed,
                                              const std::vector<TableJob>& jobs) {
  std::vector<TableIngest> results(jobs.size());
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < jobs.size(); ++i) {
    results[i].table = catalog::DatabaseTableName(req.source->name, jobs[i].lake_name);
    results[i].source_table = jobs[i].table->schema + "." + jobs[i].table->name;
    results[i].mode = "changes";
    index[{jobs[i].table->schema, jobs[i].table->name}] = i;
  }
  ChangeWriter writer(req, fs, conn);
  for (bool more = true; more && !req.stop.stop_requested();) {
    CARELAKE_ASSIGN_OR_RETURN(dbsource::ChangeBatch batch, feed.Peek(kBatchChanges));
    more = batch.more;
    std::vector<std::vector<const RowChange*>> by_table(jobs.size());
    for (const RowChange& c : batch.changes) {
      auto it = index.find({c.relation->schema, c.relation->name});
      if (it == index.end()) continue;  // published, but not selected
      if (c.kind == dbsource::ChangeKind::kTruncate) {
        results[it->second].error =
            "TRUNCATE is not applied to bronze (at LSN " + dbsource::FormatLsn(c.commit_lsn) + ")";
        continue;
      }
      by_table[it->second].push_back(&c);
    }
    bool all_written = true;
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (by_table[i].empty()) continue;
      Status s = writer.Write(jobs[i], by_table[i], results[i]);
      if (!s.ok()) {
        results[i].error = s.message();
        all_written = false;
      }
    }
    if (!all_written || batch.last_lsn == 0) break;  // the slot keeps what failed
    CARELAKE_RETURN_IF_ERROR(feed.Advance(batch.last_lsn));
  }
  return results;
}

}  // namespace carelake::ingest
