#include "carelake/delta/table.h"

#include <algorithm>
#include <set>

#include "carelake/base/uuid.h"
#include "carelake/delta/checkpoint.h"
#include "carelake/delta/deletion_vector.h"
#include "carelake/delta/partition.h"
#include "carelake/delta/pruning.h"
#include "carelake/delta/stats.h"

namespace carelake::delta {

namespace {

using nlohmann::json;

constexpr const char* kStagingDir = "_carelake_staging";
constexpr const char* kPartitionColumn = "__carelake_partition";
constexpr const char* kFileColumn = "__carelake_file";
constexpr int64_t kDefaultTombstoneRetentionMs = 7LL * 24 * 3600 * 1000;

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct Column {
  std::string name;
  engine::LogicalType type;
};

// The columns a query yields.
Result<std::vector<Column>> ColumnsOf(engine::Connection& conn, const std::string& query) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult r,
                            conn.Query("SELECT * FROM (" + query + ") LIMIT 0"));
  std::vector<Column> out;
  for (size_t i = 0; i < r.column_count(); ++i) out.push_back({r.column_name(i), r.column_type(i)});
  return out;
}

bool IsTimestampFamily(engine::TypeId id) {
  return id == engine::TypeId::kTimestamp || id == engine::TypeId::kTimestampS ||
         id == engine::TypeId::kTimestampMs || id == engine::TypeId::kTimestampNs;
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

// Removes a folder tree's empty folders, bottom-up (not `root` itself).
void RemoveEmptyDirs(FileSystem& fs, const std::string& dir, bool remove_self) {
  auto entries = fs.List(dir);
  if (!entries.ok()) return;
  for (const FileInfo& e : *entries) {
    if (e.is_directory) RemoveEmptyDirs(fs, JoinPath(dir, e.name), true);
  }
  if (remove_self) (void)fs.RemoveEmptyDirectory(dir);
}

struct DataWriter {
  FileSystem& fs;
  engine::Connection& conn;
  std::string table_path;
  const Clock& clock;

  // Writes the rows of `select_sql` (which yields `schema`'s columns) into
  // new data files of the table; returns their add actions.
  Result<std::vector<AddFile>> Write(const std::string& select_sql, const Schema& schema,
                                     const std::vector<std::string>& partition_columns,
                                     int64_t target_file_size, bool data_change,
                                     OperationMetrics* metrics) {
    Schema data_schema;
    std::string data_cols, part_exprs;
    for (const Field& f : schema.fields) {
      bool is_partition = false;
      for (const std::string& p : partition_columns) is_partition |= EqualsIgnoreCase(p, f.name);
      if (is_partition) continue;
      data_schema.fields.push_back(f);
      data_cols += (data_cols.empty() ? "" : ", ") + QuoteIdentifier(f.name);
    }
    for (const std::string& p : partition_columns) {
      const Field* f = schema.Find(p);
      if (f == nullptr) return Internal("partition column '" + p + "' is not in the schema");
      CARELAKE_ASSIGN_OR_RETURN(
          std::string ser, PartitionSerializeSql("__rows." + QuoteIdentifier(f->name), f->type));
      part_exprs += (part_exprs.empty() ? "" : ", ") + ser;
    }
    if (data_schema.fields.empty()) {
      return InvalidArgument("a table needs at least one column that is not a partition column");
    }
    const std::string staging = JoinPath(JoinPath(table_path, kStagingDir), NewUuid());
    CARELAKE_RETURN_IF_ERROR(fs.CreateDirectories(JoinPath(table_path, kStagingDir)));
    // Whatever happens, the staging folder goes (its files are moved out
    // first on success).
    struct StagingGuard {
      DataWriter* writer;
      const std::string& dir;
      ~StagingGuard() { writer->RemoveStaging(dir); }
    } guard{this, staging};
    std::string select = "SELECT " + data_cols;
    std::string options = "FORMAT parquet, RETURN_STATS, FILENAME_PATTERN 'part-{uuid}'";
    const std::string roll =
        ", FILE_SIZE_BYTES " + std::to_string(std::max<int64_t>(target_file_size, 1));
    if (partition_columns.empty()) {
      options += roll;
    } else {
      select += ", to_json([" + part_exprs + "]) AS " + kPartitionColumn;
      options += std::string(", PARTITION_BY (") + kPartitionColumn + ")";
    }
    select += " FROM (" + select_sql + ") AS __rows";
    auto result =
        conn.Query("COPY (" + select + ") TO " + QuoteLiteral(staging) + " (" + options + ")");
    if (!result.ok()) {
      return result.status();
    }
    auto rows = result->FetchAllRows();
    if (!rows.ok()) {
      return rows.status();
    }
    // DuckDB cannot roll the files of a partitioned COPY: partition files
    // over twice the target are split into files of the target size.
    if (!partition_columns.empty()) {
      std::vector<std::vector<engine::Value>> rolled;
      for (auto& row : *rows) {
        if (AsInt64(row[2]) <= 2 * target_file_size) {
          rolled.push_back(std::move(row));
          continue;
        }
        const std::string file = row[0].GetString();
        auto split = conn.Query("COPY (SELECT * FROM read_parquet(" + QuoteLiteral(file) +
                                ")) TO " + QuoteLiteral(JoinPath(staging, "split-" + NewUuid())) +
                                " (FORMAT parquet, RETURN_STATS, FILENAME_PATTERN 'part-{uuid}'" +
                                roll + ")");
        if (!split.ok()) {
          return split.status();
        }
        auto parts = split->FetchAllRows();
        if (!parts.ok()) {
          return parts.status();
        }
        for (auto& part : *parts) {
          part[5] = row[5];  // the partition of the file split
          rolled.push_back(std::move(part));
        }
        (void)fs.RemoveFile(file);
      }
      *rows = std::move(rolled);
    }
    // Columns: filename, count, file_size_bytes, footer_size_bytes,
    // column_statistics, partition_keys.
    std::vector<AddFile> adds;
    const int64_t now = clock.WallMillis();
    Status status;
    for (const auto& row : *rows) {
      const std::string file = row[0].GetString();
      const int64_t count = AsInt64(row[1]);
      if (count == 0) {
        (void)fs.RemoveFile(file);
        continue;
      }
      AddFile add;
      if (!partition_columns.empty()) {
        std::string encoded;
        for (const engine::Value& kv : row[5].children()) {
          if (kv.children().size() == 2 && kv.children()[0].GetString() == kPartitionColumn) {
            encoded = kv.children()[1].GetString();
          }
        }
        json values = json::parse(encoded, nullptr, false);
        if (!values.is_array() || values.size() != partition_columns.size()) {
          status = Internal("unexpected partition key '" + encoded + "' from DuckDB");
          break;
        }
        for (size_t i = 0; i < partition_columns.size(); ++i) {
          const std::string name = schema.Find(partition_columns[i])->name;
          if (values[i].is_null()) {
            add.partition_values[name] = std::nullopt;
          } else {
            add.partition_values[name] = values[i].get<std::string>();
          }
        }
      }
      std::vector<std::string> names;
      for (const std::string& p : partition_columns) names.push_back(schema.Find(p)->name);
      const std::string dir = PartitionDirectory(names, add.partition_values);
      const std::string relative = dir + BaseName(file);
      if (!dir.empty()) {
        status = fs.CreateDirectories(JoinPath(table_path, dir));
        if (!status.ok()) break;
      }
      status = fs.Rename(file, JoinPath(table_path, relative));
      if (!status.ok()) break;
      add.path = UriEncodePath(relative);
      add.size = AsInt64(row[2]);
      add.modification_time = now;
      add.data_change = data_change;
      auto stats = BuildStats(row[4], count, data_schema);
      if (!stats.ok()) {
        status = stats.status();
        break;
      }
      add.stats = *stats;
      if (metrics != nullptr) {
        ++metrics->files_added;
        metrics->bytes_added += add.size;
      }
      adds.push_back(std::move(add));
    }
    if (!status.ok()) {
      for (const AddFile& a : adds) (void)fs.RemoveFile(JoinPath(table_path, UriDecode(a.path)));
      return status;
    }
    return adds;
  }

  void RemoveStaging(const std::string& staging) {
    // Files DuckDB left (a failed COPY) are removed; the folders after them.
    std::vector<std::string> stack = {staging};
    while (!stack.empty()) {
      std::string dir = stack.back();
      stack.pop_back();
      auto entries = fs.List(dir);
      if (!entries.ok()) continue;
      for (const FileInfo& e : *entries) {
        if (e.is_directory) {
          stack.push_back(JoinPath(dir, e.name));
        } else {
          (void)fs.RemoveFile(JoinPath(dir, e.name));
        }
      }
    }
    RemoveEmptyDirs(fs, staging, true);
  }
};

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

// Drops a temporary table when it goes out of scope.
class TempTable {
 public:
  TempTable(engine::Connection& conn, std::string prefix)
      : conn_(conn), name_(prefix + "_" + NewUuid().substr(0, 8)) {}
  ~TempTable() { (void)conn_.Execute("DROP TABLE IF EXISTS " + name_); }
  const std::string& name() const { return name_; }

 private:
  engine::Connection& conn_;
  std::string name_;
};

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

}  // namespace

json OperationMetrics::ToJson() const {
  // Delta's operationMetrics are strings.
  return {{"numOutputRows", std::to_string(rows_inserted + rows_updated + rows_copied)},
          {"numInsertedRows", std::to_string(rows_inserted)},
          {"numUpdatedRows", std::to_string(rows_updated)},
          {"numDeletedRows", std::to_string(rows_deleted)},
          {"numCopiedRows", std::to_string(rows_copied)},
          {"numAddedFiles", std::to_string(files_added)},
          {"numRemovedFiles", std::to_string(files_removed)},
          {"numAddedBytes", std::to_string(bytes_added)},
          {"numRemovedBytes", std::to_string(bytes_removed)}};
}

DeltaTable::DeltaTable(FileSystem& fs, std::string path, engine::Connection& conn,
                       const Clock& clock)
    : fs_(fs), log_(fs, std::move(path)), conn_(conn), clock_(clock) {}

bool DeltaTable::Exists() const {
  auto listing = log_.List();
  return listing.ok() && (!listing->commits.empty() || !listing->checkpoints.empty());
}

Result<SnapshotPtr> DeltaTable::Load(std::optional<int64_t> version) const {
  return LoadSnapshot(log_, conn_, version);
}

Result<SnapshotPtr> DeltaTable::LoadAsOf(int64_t timestamp_ms) const {
  CARELAKE_ASSIGN_OR_RETURN(int64_t version, VersionAtTimestamp(log_, timestamp_ms));
  return Load(version);
}

Result<std::string> DeltaTable::ScanSql(std::optional<int64_t> version,
                                        const ScanOptions& options) const {
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, Load(version));
  return BuildScanSql(*snapshot, conn_, options);
}

Result<OperationResult> DeltaTable::Write(const std::string& query, const WriteOptions& options) {
  SnapshotPtr snapshot;
  if (Exists()) {
    CARELAKE_ASSIGN_OR_RETURN(snapshot, Load());
    CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable());
  }
  OperationResult result;
  result.version = snapshot ? snapshot->version() : -1;
  if (snapshot && !options.recommit) {
    result.reason = TxnSkipReason(*snapshot, options.txns);
    if (!result.reason.empty()) return result;
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Column> columns, ColumnsOf(conn_, query));
  CARELAKE_ASSIGN_OR_RETURN(Schema incoming, IncomingSchema(columns, options.types));

  Transaction txn(log_, conn_, snapshot, clock_);
  Schema schema;
  std::vector<std::string> partitions;
  if (snapshot == nullptr) {
    schema = incoming;
    CARELAKE_ASSIGN_OR_RETURN(partitions, PartitionColumns(schema, options.partition_by));
    Metadata meta;
    meta.id = NewUuid();
    meta.schema_string = schema.ToJsonString();
    meta.partition_columns = partitions;
    meta.configuration = options.properties;
    meta.created_time = clock_.WallMillis();
    Protocol protocol;
    if (UsesTimestampNtz(schema)) {
      protocol.min_reader_version = 3;
      protocol.min_writer_version = 7;
      protocol.reader_features = std::vector<std::string>{"timestampNtz"};
      protocol.writer_features = std::vector<std::string>{"timestampNtz"};
    }
    CARELAKE_RETURN_IF_ERROR(fs_.CreateDirectories(log_.log_path()));
    txn.SetProtocol(protocol);
    txn.SetMetadata(meta);
  } else if (options.overwrite_schema && options.mode == WriteMode::kOverwrite &&
             !options.replace_where &&
             snapshot->Property("delta.columnMapping.mode", "none") == "none") {
    // The table takes the new rows' schema, and their partitioning: the
    // declared one, else the table's columns that the rows still have.
    schema = incoming;
    std::vector<std::string> wanted = options.partition_by;
    if (wanted.empty()) {
      for (const std::string& p : snapshot->metadata().partition_columns) {
        if (schema.Find(p) != nullptr) wanted.push_back(p);
      }
    }
    CARELAKE_ASSIGN_OR_RETURN(partitions, PartitionColumns(schema, wanted));
    CARELAKE_RETURN_IF_ERROR(CheckTimestampNtz(*snapshot, schema));
    Metadata meta = snapshot->metadata();
    meta.schema_string = schema.ToJsonString();
    meta.partition_columns = partitions;
    for (const auto& [key, value] : options.properties) meta.configuration[key] = value;
    txn.SetMetadata(meta);
  } else {
    partitions = snapshot->metadata().partition_columns;
    if (!options.partition_by.empty()) {
      bool same = options.partition_by.size() == partitions.size();
      for (size_t i = 0; same && i < partitions.size(); ++i) {
        same = EqualsIgnoreCase(options.partition_by[i], partitions[i]);
      }
      if (!same) {
        std::string have;
        for (const std::string& p : partitions) have += (have.empty() ? "" : ",") + p;
        return FailedPrecondition("table '" + path() + "' is partitioned by (" + have +
                                  "); a write cannot change its partitioning");
      }
    }
    CARELAKE_ASSIGN_OR_RETURN(
        schema, EvolveSchema(snapshot->schema(), incoming, options.merge_schema, path()));
    CARELAKE_RETURN_IF_ERROR(CheckTimestampNtz(*snapshot, schema));
    SetChangedMetadata(*snapshot, schema, options.properties, txn);
  }

  CARELAKE_ASSIGN_OR_RETURN(std::string rows_sql, ConformSql(query, columns, schema));
  DataWriter writer{fs_, conn_, path(), clock_};
  json parameters = {{"mode", options.mode == WriteMode::kAppend ? "Append" : "Overwrite"}};
  if (!partitions.empty()) parameters["partitionBy"] = json(partitions).dump();

  std::vector<AddFile> rewritten;  // replace_where: rows kept from partly matching files
  if (snapshot && options.mode == WriteMode::kOverwrite) {
    CARELAKE_RETURN_IF_ERROR(CheckRemovesAllowed(*snapshot, "an overwrite"));
    txn.ReadWholeTable();
    if (!options.replace_where) {
      txn.RemoveFiles(RemovesFor(snapshot->files(), true, clock_.WallMillis(), &result.metrics));
      for (const AddFile& f : snapshot->files()) {
        result.metrics.rows_deleted += StatsNumRecords(f).value_or(0);
      }
    } else {
      const std::string& pred = *options.replace_where;
      parameters["predicate"] = pred;
      CARELAKE_ASSIGN_OR_RETURN(int64_t outside,
                                QueryInt(conn_, "SELECT count(*) FROM (" + rows_sql + ") WHERE (" +
                                                    pred + ") IS NOT TRUE"));
      if (outside > 0) {
        return InvalidArgument(std::to_string(outside) +
                               " of the rows to write do not match the replace predicate '" + pred +
                               "'");
      }
      // Same as Delete(pred), in this transaction.
      CARELAKE_ASSIGN_OR_RETURN(rewritten,
                                DeleteMatching(*snapshot, conn_, writer, pred, schema,
                                               options.target_file_size, txn, &result.metrics));
    }
  }

  // The parallel parts run on the executor's threads while the main query
  // runs (task n_parts: the main query; any thread may take any task).
  const size_t n_parts = options.parallel_parts.size();
  std::vector<Result<std::vector<AddFile>>> part_adds(n_parts, Internal("part not run"));
  std::vector<OperationMetrics> part_metrics(n_parts);
  Result<std::vector<AddFile>> adds = Internal("main query not run");
  OrDefault(options.executor).ParallelFor(n_parts + 1, 0, [&](size_t i) {
    if (i == n_parts) {
      adds = writer.Write(rows_sql, schema, partitions, options.target_file_size, true,
                          &result.metrics);
      return;
    }
    {
      const auto& [part_query, part_conn] = options.parallel_parts[i];
      auto part_columns = ColumnsOf(*part_conn, part_query);
      if (!part_columns.ok()) {
        part_adds[i] = part_columns.status();
        return;
      }
      bool same = part_columns->size() == columns.size();
      for (size_t c = 0; same && c < columns.size(); ++c) {
        same = (*part_columns)[c].name == columns[c].name &&
               (*part_columns)[c].type == columns[c].type;
      }
      if (!same) {
        part_adds[i] = InvalidArgument("parallel part " + std::to_string(i + 1) +
                                       " of a write does not have the main query's columns");
        return;
      }
      auto part_sql = ConformSql(part_query, *part_columns, schema);
      if (!part_sql.ok()) {
        part_adds[i] = part_sql.status();
        return;
      }
      DataWriter part_writer{fs_, *part_conn, path(), clock_};
      part_adds[i] = part_writer.Write(*part_sql, schema, partitions, options.target_file_size,
                                       true, &part_metrics[i]);
    }
  });
  Status part_status;
  for (size_t i = 0; i < n_parts; ++i) {
    if (!part_adds[i].ok() && part_status.ok()) part_status = part_adds[i].status();
  }
  if (!adds.ok() || !part_status.ok()) {
    RemoveUncommitted(fs_, path(), rewritten);
    for (auto& p : part_adds) {
      if (p.ok()) RemoveUncommitted(fs_, path(), *p);
    }
    if (adds.ok()) RemoveUncommitted(fs_, path(), *adds);
    return adds.ok() ? part_status : adds.status();
  }
  for (size_t i = 0; i < n_parts; ++i) {
    adds->insert(adds->end(), part_adds[i]->begin(), part_adds[i]->end());
    result.metrics.files_added += part_metrics[i].files_added;
    result.metrics.bytes_added += part_metrics[i].bytes_added;
  }
  for (const AddFile& a : *adds) result.metrics.rows_inserted += StatsNumRecords(a).value_or(0);
  std::vector<AddFile> all_adds = std::move(rewritten);
  all_adds.insert(all_adds.end(), adds->begin(), adds->end());
  txn.AddFiles(all_adds);
  for (const Txn& t : options.txns) txn.AddTxn(t);
  const std::string operation = snapshot == nullptr ? "CREATE TABLE AS SELECT" : "WRITE";
  CARELAKE_RETURN_IF_ERROR(CommitInto(txn, operation, parameters, fs_, path(), all_adds, &result));
  return result;
}

Result<OperationResult> DeltaTable::Delete(const std::string& predicate, int64_t target_file_size) {
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, Load());
  CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable());
  OperationResult result;
  result.version = snapshot->version();
  CARELAKE_RETURN_IF_ERROR(CheckRemovesAllowed(*snapshot, "DELETE"));
  Transaction txn(log_, conn_, snapshot, clock_);
  txn.ReadWholeTable();
  DataWriter writer{fs_, conn_, path(), clock_};
  CARELAKE_ASSIGN_OR_RETURN(std::vector<AddFile> adds,
                            DeleteMatching(*snapshot, conn_, writer, predicate, snapshot->schema(),
                                           target_file_size, txn, &result.metrics));
  if (result.metrics.files_removed == 0) {
    result.reason = "no rows match '" + predicate + "'";
    return result;
  }
  txn.AddFiles(adds);
  CARELAKE_RETURN_IF_ERROR(CommitInto(
      txn, "DELETE", {{"predicate", json::array({predicate}).dump()}}, fs_, path(), adds, &result));
  return result;
}

Result<OperationResult> DeltaTable::Merge(const std::string& source_query,
                                          const MergeOptions& options) {
  if (options.keys.empty()) return InvalidArgument("MERGE needs at least one key column");
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, Load());
  CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable());
  OperationResult result;
  result.version = snapshot->version();
  if (!options.recommit) {
    result.reason = TxnSkipReason(*snapshot, options.txns);
    if (!result.reason.empty()) return result;
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Column> columns, ColumnsOf(conn_, source_query));
  CARELAKE_ASSIGN_OR_RETURN(Schema incoming, IncomingSchema(columns, options.types));
  CARELAKE_ASSIGN_OR_RETURN(
      Schema schema, EvolveSchema(snapshot->schema(), incoming, options.merge_schema, path()));
  std::string key_join, source_keys;
  for (const std::string& k : options.keys) {
    const Field* tf = schema.Find(k);
    if (tf == nullptr || incoming.Find(k) == nullptr) {
      return InvalidArgument("merge key '" + k + "' must be a column of both table '" + path() +
                             "' and the source rows");
    }
    const std::string q = QuoteIdentifier(tf->name);
    key_join += (key_join.empty() ? "" : " AND ") + ("t." + q + " = s." + q);
    source_keys += (source_keys.empty() ? "" : ", ") + q;
  }

  // The source, conformed to the table's columns, kept for the passes below.
  CARELAKE_ASSIGN_OR_RETURN(std::string conformed, ConformSql(source_query, columns, schema));
  TempTable src(conn_, "__carelake_merge_source");
  CARELAKE_RETURN_IF_ERROR(conn_.Execute("CREATE TEMP TABLE " + src.name() + " AS " + conformed));
  CARELAKE_ASSIGN_OR_RETURN(
      int64_t duplicates, QueryInt(conn_, "SELECT count(*) FROM (SELECT " + source_keys + " FROM " +
                                              src.name() + " GROUP BY ALL HAVING count(*) > 1)"));
  if (duplicates > 0) {
    return InvalidArgument("MERGE source has " + std::to_string(duplicates) +
                           " key values that occur more than once; each target row may match "
                           "one source row only");
  }

  // Files whose key ranges (stats, partition values) meet the source's key
  // range may hold a match; of those, the files holding a matched key are
  // the only ones rewritten.
  std::vector<SimplePredicate> key_ranges;
  for (const std::string& k : options.keys) {
    const Field* f = schema.Find(k);
    CARELAKE_ASSIGN_OR_RETURN(std::string duck, DuckDbTypeOf(f->type));
    CARELAKE_ASSIGN_OR_RETURN(
        engine::QueryResult range,
        conn_.Query("SELECT min(" + QuoteIdentifier(f->name) + ")::VARCHAR, max(" +
                    QuoteIdentifier(f->name) + ")::VARCHAR FROM " + src.name()));
    CARELAKE_ASSIGN_OR_RETURN(auto bounds, range.FetchAllRows());
    if (bounds.empty() || bounds[0][0].is_null()) continue;  // only NULL keys: none matches
    key_ranges.push_back(
        {f->name,
         "between",
         {"CAST(" + QuoteLiteral(bounds[0][0].GetString()) + " AS " + duck + ")",
          "CAST(" + QuoteLiteral(bounds[0][1].GetString()) + " AS " + duck + ")"}});
  }
  CARELAKE_ASSIGN_OR_RETURN(std::set<std::string> candidates,
                            FilesThatMayMatch(*snapshot, conn_, key_ranges));
  ScanOptions scan;
  scan.with_file_column = true;
  scan.file_filter = [&candidates](const AddFile& f) { return candidates.count(f.path) > 0; };
  CARELAKE_ASSIGN_OR_RETURN(std::string all, BuildScanSql(*snapshot, conn_, scan));
  CARELAKE_ASSIGN_OR_RETURN(
      engine::QueryResult affected_result,
      conn_.Query("SELECT DISTINCT t." + std::string(kFileColumn) + " FROM (" + all +
                  ") AS t JOIN " + src.name() + " AS s ON " + key_join));
  CARELAKE_ASSIGN_OR_RETURN(auto affected_rows, affected_result.FetchAllRows());
  std::set<std::string> affected;
  for (const auto& row : affected_rows) affected.insert(row[0].GetString());
  std::vector<AddFile> removed;
  for (const AddFile& f : snapshot->files()) {
    if (affected.count(f.path)) removed.push_back(f);
  }
  if (!removed.empty()) {
    CARELAKE_RETURN_IF_ERROR(CheckRemovesAllowed(*snapshot, "a MERGE that matches rows"));
  }

  TempTable target(conn_, "__carelake_merge_target");
  {
    ScanOptions only;
    only.file_filter = [&affected](const AddFile& f) { return affected.count(f.path) > 0; };
    CARELAKE_ASSIGN_OR_RETURN(std::string target_scan, BuildScanSql(*snapshot, conn_, only));
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Column> tcols, ColumnsOf(conn_, target_scan));
    CARELAKE_ASSIGN_OR_RETURN(std::string tconformed, ConformSql(target_scan, tcols, schema));
    CARELAKE_RETURN_IF_ERROR(
        conn_.Execute("CREATE TEMP TABLE " + target.name() + " AS " + tconformed));
  }
  const std::string matched =
      "EXISTS (SELECT 1 FROM " + target.name() + " AS t WHERE " + key_join + ")";
  const std::string delete_when =
      options.delete_when ? "(" + *options.delete_when + ") IS TRUE" : std::string("false");
  std::string cols;
  for (const Field& f : schema.fields) cols += (cols.empty() ? "" : ", ") + QuoteIdentifier(f.name);

  // Matched target rows are copied unless updated or deleted.
  const std::string target_matched =
      "EXISTS (SELECT 1 FROM " + src.name() + " AS s WHERE " + key_join + ")";
  std::string copied =
      "SELECT " + cols + " FROM " + target.name() + " AS t WHERE NOT " + target_matched;
  if (!options.update_matched) {
    // Matched rows stay as they are unless deleted.
    copied = "SELECT " + cols + " FROM " + target.name() +
             " AS t WHERE NOT EXISTS (SELECT 1 FROM " + src.name() + " AS s WHERE " + key_join +
             " AND " + delete_when + ")";
  }
  const std::string updated = "SELECT " + cols + " FROM " + src.name() + " AS s WHERE " + matched +
                              " AND NOT " + delete_when;
  const std::string inserted =
      "SELECT " + cols + " FROM " + src.name() + " AS s WHERE NOT " + matched;

  auto count = [&](const std::string& sql) {
    return QueryInt(conn_, "SELECT count(*) FROM (" + sql + ")");
  };
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_copied, count(copied));
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_matched,
                            count("SELECT 1 FROM " + src.name() + " AS s WHERE " + matched));
  CARELAKE_ASSIGN_OR_RETURN(
      int64_t n_deleted,
      count("SELECT 1 FROM " + src.name() + " AS s WHERE " + matched + " AND " + delete_when));
  int64_t n_inserted = 0;
  if (options.insert_unmatched) {
    CARELAKE_ASSIGN_OR_RETURN(n_inserted, count(inserted));
  }
  result.metrics.rows_copied =
      options.update_matched ? n_copied : n_copied - (n_matched - n_deleted);
  result.metrics.rows_updated = options.update_matched ? n_matched - n_deleted : 0;
  result.metrics.rows_deleted = n_deleted;
  result.metrics.rows_inserted = n_inserted;

  if (removed.empty() && n_inserted == 0) {
    result.reason = "no source row matched or was inserted";
    return result;
  }
  std::string rows = copied;
  if (options.update_matched) rows += " UNION ALL " + updated;
  if (options.insert_unmatched) rows += " UNION ALL " + inserted;

  Transaction txn(log_, conn_, snapshot, clock_);
  txn.ReadWholeTable();
  SetChangedMetadata(*snapshot, schema, options.properties, txn);
  txn.RemoveFiles(RemovesFor(removed, true, clock_.WallMillis(), &result.metrics));
  DataWriter writer{fs_, conn_, path(), clock_};
  CARELAKE_ASSIGN_OR_RETURN(std::vector<AddFile> adds,
                            writer.Write(rows, schema, snapshot->metadata().partition_columns,
                                         options.target_file_size, true, &result.metrics));
  txn.AddFiles(adds);
  for (const Txn& t : options.txns) txn.AddTxn(t);
  json parameters = {{"predicate", json::array({key_join}).dump()}};
  if (options.delete_when) parameters["matchedDeleteCondition"] = *options.delete_when;
  CARELAKE_RETURN_IF_ERROR(CommitInto(txn, "MERGE", parameters, fs_, path(), adds, &result));
  return result;
}

Result<OperationResult> DeltaTable::Optimize(const OptimizeOptions& options) {
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, Load());
  CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable());
  OperationResult result;
  result.version = snapshot->version();
  const int64_t min_size = options.min_file_size.value_or(options.target_file_size * 3 / 4);
  const auto& partitions = snapshot->metadata().partition_columns;
  std::map<std::string, std::vector<AddFile>> groups;
  for (const AddFile& f : snapshot->files()) {
    if (f.size < min_size) groups[PartitionDirectory(partitions, f.partition_values)].push_back(f);
  }
  std::vector<AddFile> compacted;
  for (auto& [dir, files] : groups) {
    if (files.size() >= 2) compacted.insert(compacted.end(), files.begin(), files.end());
  }
  if (compacted.empty()) {
    result.reason =
        "no partition has two or more files smaller than " + std::to_string(min_size) + " bytes";
    return result;
  }
  std::set<std::string> paths;
  for (const AddFile& f : compacted) paths.insert(f.path);
  ScanOptions only;
  only.file_filter = [&paths](const AddFile& f) { return paths.count(f.path) > 0; };
  CARELAKE_ASSIGN_OR_RETURN(std::string rows, BuildScanSql(*snapshot, conn_, only));
  Transaction txn(log_, conn_, snapshot, clock_);
  txn.ReadFiles(compacted);
  txn.RemoveFiles(RemovesFor(compacted, false, clock_.WallMillis(), &result.metrics));
  DataWriter writer{fs_, conn_, path(), clock_};
  CARELAKE_ASSIGN_OR_RETURN(std::vector<AddFile> adds,
                            writer.Write(rows, snapshot->schema(), partitions,
                                         options.target_file_size, false, &result.metrics));
  for (const AddFile& a : adds) result.metrics.rows_copied += StatsNumRecords(a).value_or(0);
  txn.AddFiles(adds);
  CARELAKE_RETURN_IF_ERROR(
      CommitInto(txn, "OPTIMIZE", {{"targetFileSize", std::to_string(options.target_file_size)}},
                 fs_, path(), adds, &result));
  return result;
}

Result<VacuumResult> DeltaTable::Vacuum(const VacuumOptions& options) {
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, Load());
  // Deleting files is writing: tables with features carelake cannot write
  // may hold files it does not know to keep.
  CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable().WithContext("VACUUM"));
  int64_t table_retention = kDefaultTombstoneRetentionMs;
  auto prop = snapshot->metadata().configuration.find("delta.deletedFileRetentionDuration");
  if (prop != snapshot->metadata().configuration.end()) {
    CARELAKE_ASSIGN_OR_RETURN(table_retention, ParseIntervalMillis(prop->first, prop->second));
  }
  VacuumResult result;
  result.retention_ms = options.retention_ms.value_or(table_retention);
  if (result.retention_ms < table_retention && !options.allow_short_retention) {
    return FailedPrecondition(
        "a retention of " + std::to_string(result.retention_ms / 3'600'000) +
        " hours is shorter than the table's delta.deletedFileRetentionDuration (" +
        std::to_string(table_retention / 3'600'000) +
        " hours): readers of older versions and writers in flight could lose files. Allow it "
        "explicitly (--force) if neither exists");
  }
  const int64_t cutoff = clock_.WallMillis() - result.retention_ms;
  std::set<std::string> keep;
  for (const AddFile& f : snapshot->files()) {
    keep.insert(snapshot->DataFilePath(f.path));
    if (f.deletion_vector) {
      auto dv = DeletionVectorFile(*f.deletion_vector, path());
      if (dv.ok() && dv->has_value()) keep.insert(**dv);
    }
  }
  for (const RemoveFile& r : snapshot->tombstones()) {
    if (r.deletion_timestamp.value_or(0) > cutoff) keep.insert(snapshot->DataFilePath(r.path));
  }
  auto consider = [&](const std::string& file, const FileInfo& info) {
    if (keep.count(file) || info.modification_time_ms > cutoff) return;
    if (!options.dry_run && !fs_.RemoveFile(file).ok()) return;
    ++result.files_deleted;
    result.bytes_deleted += static_cast<int64_t>(info.size);
    result.deleted.push_back(file);
  };
  std::vector<std::string> stack = {path()};
  while (!stack.empty()) {
    const std::string dir = stack.back();
    stack.pop_back();
    CARELAKE_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, fs_.List(dir));
    for (const FileInfo& e : entries) {
      const std::string full = JoinPath(dir, e.name);
      if (dir == path() && e.name == "_delta_log") {
        // Leftover temporary files of interrupted commits and checkpoints.
        CARELAKE_ASSIGN_OR_RETURN(std::vector<FileInfo> log_entries, fs_.List(full));
        for (const FileInfo& l : log_entries) {
          if (!l.is_directory && l.name[0] == '.' && l.name.find(".tmp") != std::string::npos) {
            consider(JoinPath(full, l.name), l);
          }
        }
        continue;
      }
      // Hidden entries (names starting with '.' or '_') belong to other
      // tools; carelake's staging folder and partition folders do not count.
      const bool in_staging = full.find(std::string("/") + kStagingDir) != std::string::npos;
      const bool hidden = (e.name[0] == '.' || e.name[0] == '_') && !in_staging &&
                          e.name.find('=') == std::string::npos;
      if (hidden) continue;
      if (e.is_directory) {
        stack.push_back(full);
      } else {
        consider(full, e);
      }
    }
  }
  if (!options.dry_run) RemoveEmptyDirs(fs_, path(), false);
  std::sort(result.deleted.begin(), result.deleted.end());
  return result;
}

Result<std::vector<HistoryEntry>> DeltaTable::History(std::optional<size_t> limit) const {
  CARELAKE_ASSIGN_OR_RETURN(LogListing listing, log_.List());
  std::vector<HistoryEntry> out;
  for (auto it = listing.commits.rbegin(); it != listing.commits.rend(); ++it) {
    if (limit && out.size() >= *limit) break;
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Action> actions, log_.ReadCommit(it->first));
    HistoryEntry e;
    e.version = it->first;
    e.timestamp_ms = it->second.modification_time_ms;
    for (const Action& a : actions) {
      const auto* c = std::get_if<CommitInfo>(&a);
      if (c == nullptr) continue;
      const json& i = c->info;
      if (i.contains("timestamp") && i["timestamp"].is_number_integer()) {
        e.timestamp_ms = i["timestamp"].get<int64_t>();
      }
      e.operation = i.value("operation", "");
      e.parameters = i.value("operationParameters", json::object());
      e.metrics = i.value("operationMetrics", json::object());
      if (i.contains("readVersion") && i["readVersion"].is_number_integer()) {
        e.read_version = i["readVersion"].get<int64_t>();
      }
      e.blind_append = i.value("isBlindAppend", false);
      e.engine_info = i.value("engineInfo", "");
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<TableDetail> DeltaTable::Describe(std::optional<int64_t> version) const {
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr s, Load(version));
  TableDetail d;
  d.version = s->version();
  d.timestamp_ms = s->timestamp_ms();
  d.id = s->metadata().id;
  d.protocol = s->protocol();
  d.schema = s->schema();
  d.partition_columns = s->metadata().partition_columns;
  d.properties = s->metadata().configuration;
  d.num_files = static_cast<int64_t>(s->files().size());
  int64_t records = 0;
  bool all = true;
  for (const AddFile& f : s->files()) {
    d.size_bytes += f.size;
    auto n = StatsNumRecords(f);
    all = all && n.has_value();
    records += n.value_or(0);
  }
  if (all) d.num_records = records;
  return d;
}

}  // namespace carelake::delta
