// DeltaTable::Merge: copy-on-write upsert by key, in named phases — key
// columns, the staged source, the files holding a matched key, the row
// sets (copied, updated, inserted), the commit.
#include <set>

#include "carelake/base/format.h"
#include "carelake/delta/pruning.h"
#include "carelake/delta/scan.h"
#include "carelake/delta/table.h"
#include "carelake/delta/table_internal.h"
#include "carelake/engine/temp_tables.h"

namespace carelake::delta {

namespace {

using internal::CheckRemovesAllowed;
using internal::Column;
using internal::ColumnsOf;
using internal::ConformSql;
using internal::kFileColumn;
using nlohmann::json;

// How source rows meet table rows: `t.k = s.k AND ...`, and the key list.
struct KeyJoin {
  std::string join;
  std::string source_keys;
};

Result<KeyJoin> JoinOnKeys(const std::vector<std::string>& keys, const Schema& schema,
                           const Schema& incoming, const std::string& table_path) {
  KeyJoin out;
  for (const std::string& k : keys) {
    const Field* tf = schema.Find(k);
    if (tf == nullptr || incoming.Find(k) == nullptr) {
      return InvalidArgument("merge key '" + k + "' must be a column of both table '" + table_path +
                             "' and the source rows");
    }
    const std::string q = QuoteIdentifier(tf->name);
    out.join += (out.join.empty() ? "" : " AND ") + ("t." + q + " = s." + q);
    out.source_keys += (out.source_keys.empty() ? "" : ", ") + q;
  }
  return out;
}

// InvalidArgument if a key value occurs twice among the staged source rows.
Status CheckUniqueSourceKeys(engine::Connection& conn, const std::string& src,
                             const KeyJoin& keys) {
  CARELAKE_ASSIGN_OR_RETURN(
      int64_t duplicates,
      QueryInt(conn, "SELECT count(*) FROM (SELECT " + keys.source_keys + " FROM " + src +
                         " GROUP BY ALL HAVING count(*) > 1)"));
  if (duplicates > 0) {
    return InvalidArgument("MERGE source has " + std::to_string(duplicates) +
                           " key values that occur more than once; each target row may match "
                           "one source row only");
  }
  return Status::Ok();
}

// The files holding a key of the source: files whose key ranges (stats,
// partition values) meet the source's key range may hold a match; of those,
// the files holding a matched key are the ones rewritten.
Result<std::vector<AddFile>> FilesWithMatches(const Snapshot& snapshot, engine::Connection& conn,
                                              const Schema& schema,
                                              const std::vector<std::string>& keys,
                                              const std::string& src, const KeyJoin& join) {
  std::vector<SimplePredicate> key_ranges;
  for (const std::string& k : keys) {
    const Field* f = schema.Find(k);
    CARELAKE_ASSIGN_OR_RETURN(std::string duck, DuckDbTypeOf(f->type));
    CARELAKE_ASSIGN_OR_RETURN(
        engine::QueryResult range,
        conn.Query("SELECT min(" + QuoteIdentifier(f->name) + ")::VARCHAR, max(" +
                   QuoteIdentifier(f->name) + ")::VARCHAR FROM " + src));
    CARELAKE_ASSIGN_OR_RETURN(auto bounds, range.FetchAllRows());
    if (bounds.empty() || bounds[0][0].is_null()) continue;  // only NULL keys: none matches
    key_ranges.push_back(
        {f->name,
         "between",
         {"CAST(" + QuoteLiteral(bounds[0][0].GetString()) + " AS " + duck + ")",
          "CAST(" + QuoteLiteral(bounds[0][1].GetString()) + " AS " + duck + ")"}});
  }
  CARELAKE_ASSIGN_OR_RETURN(std::set<std::string> candidates,
                            FilesThatMayMatch(snapshot, conn, key_ranges));
  ScanOptions scan;
  scan.with_file_column = true;
  scan.file_filter = [&candidates](const AddFile& f) { return candidates.count(f.path) > 0; };
  CARELAKE_ASSIGN_OR_RETURN(std::string all, BuildScanSql(snapshot, conn, scan));
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult affected_result,
                            conn.Query("SELECT DISTINCT t." + std::string(kFileColumn) + " FROM (" +
                                       all + ") AS t JOIN " + src + " AS s ON " + join.join));
  CARELAKE_ASSIGN_OR_RETURN(auto affected_rows, affected_result.FetchAllRows());
  std::set<std::string> affected;
  for (const auto& row : affected_rows) affected.insert(row[0].GetString());
  std::vector<AddFile> removed;
  for (const AddFile& f : snapshot.files()) {
    if (affected.count(f.path)) removed.push_back(f);
  }
  return removed;
}

// The rows a merge writes: target rows of the rewritten files that stay
// (copied), matched source rows (updated) and unmatched ones (inserted),
// counted into `metrics`. `rows` is empty when nothing is to be written.
struct MergeRows {
  std::string rows;
  bool anything = false;
};

Result<MergeRows> BuildMergeRows(engine::Connection& conn, const MergeOptions& options,
                                 const Schema& schema, const std::string& src,
                                 const std::string& target, const KeyJoin& join, bool removes_files,
                                 OperationMetrics* metrics) {
  const std::string& key_join = join.join;
  const std::string matched = "EXISTS (SELECT 1 FROM " + target + " AS t WHERE " + key_join + ")";
  const std::string delete_when =
      options.delete_when ? "(" + *options.delete_when + ") IS TRUE" : std::string("false");
  std::string cols;
  for (const Field& f : schema.fields) cols += (cols.empty() ? "" : ", ") + QuoteIdentifier(f.name);

  // Matched target rows are copied unless updated or deleted.
  const std::string target_matched =
      "EXISTS (SELECT 1 FROM " + src + " AS s WHERE " + key_join + ")";
  std::string copied = "SELECT " + cols + " FROM " + target + " AS t WHERE NOT " + target_matched;
  if (!options.update_matched) {
    // Matched rows stay as they are unless deleted.
    copied = "SELECT " + cols + " FROM " + target + " AS t WHERE NOT EXISTS (SELECT 1 FROM " + src +
             " AS s WHERE " + key_join + " AND " + delete_when + ")";
  }
  const std::string updated =
      "SELECT " + cols + " FROM " + src + " AS s WHERE " + matched + " AND NOT " + delete_when;
  const std::string inserted = "SELECT " + cols + " FROM " + src + " AS s WHERE NOT " + matched;

  auto count = [&](const std::string& sql) {
    return QueryInt(conn, "SELECT count(*) FROM (" + sql + ")");
  };
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_copied, count(copied));
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_matched,
                            count("SELECT 1 FROM " + src + " AS s WHERE " + matched));
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_deleted, count("SELECT 1 FROM " + src + " AS s WHERE " +
                                                     matched + " AND " + delete_when));
  int64_t n_inserted = 0;
  if (options.insert_unmatched) {
    CARELAKE_ASSIGN_OR_RETURN(n_inserted, count(inserted));
  }
  metrics->rows_copied = options.update_matched ? n_copied : n_copied - (n_matched - n_deleted);
  metrics->rows_updated = options.update_matched ? n_matched - n_deleted : 0;
  metrics->rows_deleted = n_deleted;
  metrics->rows_inserted = n_inserted;

  MergeRows out;
  out.anything = removes_files || n_inserted > 0;
  out.rows = copied;
  if (options.update_matched) out.rows += " UNION ALL " + updated;
  if (options.insert_unmatched) out.rows += " UNION ALL " + inserted;
  return out;
}

}  // namespace

Result<OperationResult> DeltaTable::Merge(const std::string& source_query,
                                          const MergeOptions& options) {
  if (options.keys.empty()) return InvalidArgument("MERGE needs at least one key column");
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, Load());
  CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable());
  OperationResult result;
  result.version = snapshot->version();
  if (!options.recommit) {
    result.reason = internal::TxnSkipReason(*snapshot, options.txns);
    if (!result.reason.empty()) return result;
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Column> columns, ColumnsOf(conn_, source_query));
  CARELAKE_ASSIGN_OR_RETURN(Schema incoming, internal::IncomingSchema(columns, options.types));
  CARELAKE_ASSIGN_OR_RETURN(Schema schema, internal::EvolveSchema(snapshot->schema(), incoming,
                                                                  options.merge_schema, path()));
  CARELAKE_ASSIGN_OR_RETURN(KeyJoin join, JoinOnKeys(options.keys, schema, incoming, path()));

  // The source, conformed to the table's columns, kept for the passes below.
  engine::TempTables temps(conn_);
  CARELAKE_ASSIGN_OR_RETURN(std::string conformed, ConformSql(source_query, columns, schema));
  CARELAKE_ASSIGN_OR_RETURN(std::string src, temps.Create("merge_source", conformed));
  CARELAKE_RETURN_IF_ERROR(CheckUniqueSourceKeys(conn_, src, join));

  CARELAKE_ASSIGN_OR_RETURN(std::vector<AddFile> removed,
                            FilesWithMatches(*snapshot, conn_, schema, options.keys, src, join));
  if (!removed.empty()) {
    CARELAKE_RETURN_IF_ERROR(CheckRemovesAllowed(*snapshot, "a MERGE that matches rows"));
  }
  // The rows of the files to rewrite, conformed to the table's columns.
  std::set<std::string> affected;
  for (const AddFile& f : removed) affected.insert(f.path);
  ScanOptions only;
  only.file_filter = [&affected](const AddFile& f) { return affected.count(f.path) > 0; };
  CARELAKE_ASSIGN_OR_RETURN(std::string target_scan, BuildScanSql(*snapshot, conn_, only));
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Column> tcols, ColumnsOf(conn_, target_scan));
  CARELAKE_ASSIGN_OR_RETURN(std::string tconformed, ConformSql(target_scan, tcols, schema));
  CARELAKE_ASSIGN_OR_RETURN(std::string target, temps.Create("merge_target", tconformed));

  CARELAKE_ASSIGN_OR_RETURN(
      MergeRows rows,
      BuildMergeRows(conn_, options, schema, src, target, join, !removed.empty(), &result.metrics));
  if (!rows.anything) {
    result.reason = "no source row matched or was inserted";
    return result;
  }

  Transaction txn(log_, conn_, snapshot, clock_);
  txn.ReadWholeTable();
  internal::SetChangedMetadata(*snapshot, schema, options.properties, txn);
  txn.RemoveFiles(internal::RemovesFor(removed, true, clock_.WallMillis(), &result.metrics));
  internal::DataWriter writer{fs_, conn_, path(), clock_};
  CARELAKE_ASSIGN_OR_RETURN(std::vector<AddFile> adds,
                            writer.Write(rows.rows, schema, snapshot->metadata().partition_columns,
                                         options.target_file_size, true, &result.metrics));
  txn.AddFiles(adds);
  for (const Txn& t : options.txns) txn.AddTxn(t);
  json parameters = {{"predicate", json::array({join.join}).dump()}};
  if (options.delete_when) parameters["matchedDeleteCondition"] = *options.delete_when;
  CARELAKE_RETURN_IF_ERROR(
      internal::CommitInto(txn, "MERGE", parameters, fs_, path(), adds, &result));
  return result;
}

}  // namespace carelake::delta
