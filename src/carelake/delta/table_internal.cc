#include "carelake/delta/table_internal.h"

#include <algorithm>
#include <set>

#include "carelake/base/format.h"
#include "carelake/delta/partition.h"
#include "carelake/delta/pruning.h"
#include "carelake/delta/stats.h"

namespace carelake::delta::internal {

using nlohmann::json;

namespace {

bool IsTimestampFamily(engine::TypeId id) {
  return id == engine::TypeId::kTimestamp || id == engine::TypeId::kTimestampS ||
         id == engine::TypeId::kTimestampMs || id == engine::TypeId::kTimestampNs;
}

}  // namespace

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The columns a query yields.
Result<std::vector<Column>> ColumnsOf(engine::Connection& conn, const std::string& query) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult r,
                            conn.Query("SELECT * FROM (" + query + ") LIMIT 0"));
  std::vector<Column> out;
  for (size_t i = 0; i < r.column_count(); ++i) out.push_back({r.column_name(i), r.column_type(i)});
  return out;
}

bool UsesTimestampNtz(const Schema& schema) {
  return std::any_of(schema.fields.begin(), schema.fields.end(),
                     [](const Field& f) { return delta::UsesTimestampNtz(f.type); });
}

// The schema of incoming rows, validated: no duplicate names, Delta types.
Result<Schema> IncomingSchema(const std::vector<Column>& columns, const WriteTypeOptions& types) {
  Schema schema;
  for (const Column& c : columns) {
    for (const Field& f : schema.fields) {
      if (EqualsIgnoreCase(f.name, c.name)) {
        return InvalidArgument("the rows to write have two columns named '" + c.name +
                               "' (Delta column names are case-insensitive)");
      }
    }
    if (c.name.empty()) return InvalidArgument("the rows to write have a column without a name");
    CARELAKE_ASSIGN_OR_RETURN(json type, DeltaTypeOf(c.type, c.name, types));
    schema.fields.push_back(Field{c.name, type, true, json::object()});
  }
  return schema;
}

// The table schema after writing rows of `incoming`: a column keeps the
// table's type where the rows' type is StoreAssignable to it (ConformSql
// then casts the values, so every write path stores the table's types);
// new columns need `merge_schema`. Errors name the table.
Result<Schema> EvolveSchema(const Schema& table, const Schema& incoming, bool merge_schema,
                            const std::string& table_path) {
  std::vector<std::string> added;
  for (const Field& f : incoming.fields) {
    if (table.Find(f.name) == nullptr) added.push_back(f.name);
  }
  if (!added.empty() && !merge_schema) {
    std::string list;
    for (const std::string& a : added) list += (list.empty() ? "'" : ", '") + a + "'";
    return FailedPrecondition("table '" + table_path + "' has no column " + list +
                              "; allow schema evolution (merge_schema, --merge-schema) to add it");
  }
  Result<Schema> merged = MergeSchemas(table, incoming);
  if (!merged.ok()) return merged.status().WithContext("table '" + table_path + "'");
  return merged;
}

// SELECT over `query` yielding exactly `schema`'s columns with the DuckDB
// types the table stores (the one place where store assignment casts the
// rows of appends, overwrites, replace-where and merges); columns the query
// lacks are NULL.
Result<std::string> ConformSql(const std::string& query, const std::vector<Column>& incoming,
                               const Schema& schema) {
  std::string select;
  for (const Field& f : schema.fields) {
    CARELAKE_ASSIGN_OR_RETURN(std::string duck, DuckDbTypeOf(f.type));
    const Column* src = nullptr;
    for (const Column& c : incoming) {
      if (EqualsIgnoreCase(c.name, f.name)) src = &c;
    }
    std::string expr;
    if (src == nullptr) {
      if (!f.nullable) {
        return FailedPrecondition("column '" + f.name + "' is NOT NULL but the rows lack it");
      }
      expr = "CAST(NULL AS " + duck + ")";
    } else if (f.type == "timestamp" && IsTimestampFamily(src->type.id)) {
      // A wall-clock TIMESTAMP is taken as UTC (doc/delta.md).
      expr = "timezone('UTC', CAST(__in." + QuoteIdentifier(src->name) + " AS TIMESTAMP))";
    } else {
      expr = "CAST(__in." + QuoteIdentifier(src->name) + " AS " + duck + ")";
    }
    select += (select.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(f.name);
  }
  return "SELECT " + select + " FROM (" + query + ") AS __in";
}

std::vector<RemoveFile> RemovesFor(const std::vector<AddFile>& files, bool data_change, int64_t now,
                                   OperationMetrics* metrics) {
  std::vector<RemoveFile> out;
  for (const AddFile& f : files) {
    RemoveFile r;
    r.path = f.path;
    r.deletion_timestamp = now;
    r.data_change = data_change;
    r.extended_file_metadata = true;
    r.partition_values = f.partition_values;
    r.size = f.size;
    out.push_back(std::move(r));
    if (metrics != nullptr) {
      ++metrics->files_removed;
      metrics->bytes_removed += f.size;
    }
  }
  return out;
}

std::optional<int64_t> StatsNumRecords(const AddFile& f) {
  if (!f.stats.has_value()) return std::nullopt;
  json s = json::parse(*f.stats, nullptr, false);
  if (!s.is_object() || !s.contains("numRecords") || !s["numRecords"].is_number_integer()) {
    return std::nullopt;
  }
  return s["numRecords"].get<int64_t>();
}

// FailedPrecondition if the table only takes appends and `operation` would
// remove rows.
Status CheckRemovesAllowed(const Snapshot& s, const std::string& operation) {
  if (s.Property("delta.appendOnly", "false") != "true") return Status::Ok();
  return FailedPrecondition("table '" + s.table_path() +
                            "' is append-only (delta.appendOnly = true): " + operation +
                            " would remove or change rows");
}

// Why a write carrying `txns` is skipped: every application already
// committed its version; empty when the write must go ahead.
std::string TxnSkipReason(const Snapshot& s, const std::vector<Txn>& txns) {
  std::string reason;
  for (const Txn& txn : txns) {
    auto it = s.app_versions().find(txn.app_id);
    if (it == s.app_versions().end() || it->second < txn.version) return "";
    if (!reason.empty()) reason += "; ";
    reason += "application '" + txn.app_id + "' already committed its version " +
              std::to_string(it->second) + " (asked: " + std::to_string(txn.version) + ")";
  }
  return reason;
}

// The partition columns `names` as the schema spells them; InvalidArgument
// for a column the schema lacks or whose type cannot partition.
Result<std::vector<std::string>> PartitionColumns(const Schema& schema,
                                                  const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& p : names) {
    const Field* f = schema.Find(p);
    if (f == nullptr) {
      return InvalidArgument("partition column '" + p + "' is not a column of the rows to write");
    }
    CARELAKE_RETURN_IF_ERROR(PartitionSerializeSql("x", f->type)
                                 .status()
                                 .WithContext("partition column '" + f->name + "'"));
    out.push_back(f->name);
  }
  return out;
}

// FailedPrecondition when `schema` needs timestampNtz and the table lacks it.
Status CheckTimestampNtz(const Snapshot& s, const Schema& schema) {
  if (!UsesTimestampNtz(schema) || UsesTimestampNtz(s.schema())) return Status::Ok();
  return FailedPrecondition("writing a timestamp_ntz column into table '" + s.table_path() +
                            "' would need the timestampNtz feature (protocol 3/7); write "
                            "the column as timestamp instead");
}

// Puts new metadata into `txn` when `schema` or `properties` change the
// snapshot's.
void SetChangedMetadata(const Snapshot& s, const Schema& schema,
                        const std::map<std::string, std::string>& properties, Transaction& txn) {
  Metadata meta = s.metadata();
  bool changed = schema.ToJsonString() != s.schema().ToJsonString();
  meta.schema_string = schema.ToJsonString();
  for (const auto& [key, value] : properties) {
    auto it = meta.configuration.find(key);
    if (it != meta.configuration.end() && it->second == value) continue;
    meta.configuration[key] = value;
    changed = true;
  }
  if (changed) txn.SetMetadata(meta);
}

// Removes data files that never became part of the table.
void RemoveUncommitted(FileSystem& fs, const std::string& table_path,
                       const std::vector<AddFile>& adds) {
  for (const AddFile& a : adds) (void)fs.RemoveFile(JoinPath(table_path, UriDecode(a.path)));
}

// Commits `txn` with `adds` (already added to it) into `result`; on failure
// the new data files are removed again.
Status CommitInto(Transaction& txn, const std::string& operation, const json& parameters,
                  FileSystem& fs, const std::string& table_path, const std::vector<AddFile>& adds,
                  OperationResult* result) {
  auto outcome = txn.Commit(operation, parameters, result->metrics.ToJson());
  if (!outcome.ok()) {
    RemoveUncommitted(fs, table_path, adds);
    return outcome.status();
  }
  result->committed = true;
  result->version = outcome->version;
  result->commit = std::move(*outcome);
  return Status::Ok();
}

// The copy-on-write delete of the rows of `snapshot` matching `predicate`:
// files with matches are removed in `txn`; their other rows are written to
// new files (returned, not yet added to `txn`), conformed to `schema`.
Result<std::vector<AddFile>> DeleteMatching(const Snapshot& snapshot, engine::Connection& conn,
                                            DataWriter& writer, const std::string& predicate,
                                            const Schema& schema, int64_t target_file_size,
                                            Transaction& txn, OperationMetrics* metrics) {
  ScanOptions scan;
  scan.with_file_column = true;
  CARELAKE_ASSIGN_OR_RETURN(std::string all, BuildScanSql(snapshot, conn, scan));
  auto r = conn.Query("SELECT " + std::string(kFileColumn) + ", count(*) FILTER (WHERE (" +
                      predicate + ")), count(*) FROM (" + all + ") GROUP BY 1");
  if (!r.ok()) return r.status().WithContext("predicate '" + predicate + "'");
  CARELAKE_ASSIGN_OR_RETURN(auto counts, r->FetchAllRows());
  std::set<std::string> touched, partial;
  for (const auto& row : counts) {
    const int64_t matched = row[1].GetInt64(), total = row[2].GetInt64();
    if (matched == 0) continue;
    touched.insert(row[0].GetString());
    metrics->rows_deleted += matched;
    if (matched < total) {
      partial.insert(row[0].GetString());
      metrics->rows_copied += total - matched;
    }
  }
  std::vector<AddFile> removed;
  for (const AddFile& f : snapshot.files()) {
    if (touched.count(f.path)) removed.push_back(f);
  }
  std::vector<AddFile> rewritten;
  if (!partial.empty()) {
    ScanOptions keep;
    keep.file_filter = [&partial](const AddFile& f) { return partial.count(f.path) > 0; };
    CARELAKE_ASSIGN_OR_RETURN(std::string kept_sql, BuildScanSql(snapshot, conn, keep));
    const std::string kept =
        "SELECT * FROM (" + kept_sql + ") WHERE (" + predicate + ") IS NOT TRUE";
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Column> kept_cols, ColumnsOf(conn, kept_sql));
    CARELAKE_ASSIGN_OR_RETURN(std::string conformed, ConformSql(kept, kept_cols, schema));
    CARELAKE_ASSIGN_OR_RETURN(rewritten,
                              writer.Write(conformed, schema, snapshot.metadata().partition_columns,
                                           target_file_size, true, metrics));
  }
  txn.RemoveFiles(RemovesFor(removed, true, writer.clock.WallMillis(), metrics));
  return rewritten;
}

}  // namespace carelake::delta::internal
