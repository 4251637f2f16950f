#include "carelake/delta/data_writer.h"

#include <algorithm>

#include "carelake/base/format.h"
#include "carelake/base/uuid.h"
#include "carelake/delta/partition.h"
#include "carelake/delta/stats.h"
#include "carelake/delta/table_internal.h"

namespace carelake::delta::internal {

using nlohmann::json;

void RemoveEmptyDirs(FileSystem& fs, const std::string& dir, bool remove_self) {
  auto entries = fs.List(dir);
  if (!entries.ok()) return;
  for (const FileInfo& e : *entries) {
    if (e.is_directory) RemoveEmptyDirs(fs, JoinPath(dir, e.name), true);
  }
  if (remove_self) (void)fs.RemoveEmptyDirectory(dir);
}

namespace {

// COPY's option that rolls files at the target size.
std::string RollOption(int64_t target_file_size) {
  return ", FILE_SIZE_BYTES " + std::to_string(std::max<int64_t>(target_file_size, 1));
}

// `file` in consecutive ranges of its rows, one file each, in order: as many
// as its size asks for (`target_file_size`), at most one per row group; none
// (the file stays) when that is one.
// DuckDB's rolling COPY (FILE_SIZE_BYTES) writes from several threads and
// does not keep the order, so sorted rows are split here.
Result<std::vector<std::vector<engine::Value>>> SplitInOrder(engine::Connection& conn,
                                                             const std::string& staging,
                                                             const std::string& file, int64_t rows,
                                                             int64_t size,
                                                             int64_t target_file_size) {
  const std::string source = "read_parquet(" + QuoteLiteral(file) + ", file_row_number = true)";
  CARELAKE_ASSIGN_OR_RETURN(int64_t groups,
                            QueryInt(conn, "SELECT num_row_groups FROM parquet_file_metadata(" +
                                               QuoteLiteral(file) + ")"));
  const int64_t target = std::max<int64_t>(target_file_size, 1);
  const int64_t n = std::max<int64_t>(1, std::min((size + target - 1) / target, groups));
  std::vector<std::vector<engine::Value>> parts;
  if (n == 1) return parts;  // one row group: the file stays as it is
  for (int64_t k = 0; k < n; ++k) {
    const int64_t from = rows * k / n, to = rows * (k + 1) / n;
    CARELAKE_ASSIGN_OR_RETURN(
        engine::QueryResult part,
        conn.Query("COPY (SELECT * EXCLUDE (file_row_number) FROM " + source +
                   " WHERE file_row_number >= " + std::to_string(from) + " AND file_row_number < " +
                   std::to_string(to) + " ORDER BY file_row_number) TO " +
                   QuoteLiteral(JoinPath(staging, "part-" + NewUuid() + ".parquet")) +
                   " (FORMAT parquet, RETURN_STATS)"));
    CARELAKE_ASSIGN_OR_RETURN(auto written, part.FetchAllRows());
    for (auto& w : written) parts.push_back(std::move(w));
  }
  return parts;
}

// Files over twice the target are split into files of the target size, in
// `rows` (the COPY's RETURN_STATS rows) too: partition files (DuckDB cannot
// roll the files of a partitioned COPY) and the one file of a sorted write
// (`ordered`: split in order, so the files' ranges do not overlap).
Status SplitOversized(engine::Connection& conn, FileSystem& fs, const std::string& staging,
                      int64_t target_file_size, bool ordered,
                      std::vector<std::vector<engine::Value>>* rows) {
  std::vector<std::vector<engine::Value>> rolled;
  for (auto& row : *rows) {
    if (AsInt64(row[2]) <= 2 * target_file_size) {
      rolled.push_back(std::move(row));
      continue;
    }
    const std::string file = row[0].GetString();
    std::vector<std::vector<engine::Value>> parts;
    if (ordered) {
      CARELAKE_ASSIGN_OR_RETURN(parts, SplitInOrder(conn, staging, file, AsInt64(row[1]),
                                                    AsInt64(row[2]), target_file_size));
    } else {
      CARELAKE_ASSIGN_OR_RETURN(
          engine::QueryResult split,
          conn.Query("COPY (SELECT * FROM read_parquet(" + QuoteLiteral(file) + ")) TO " +
                     QuoteLiteral(JoinPath(staging, "split-" + NewUuid())) +
                     " (FORMAT parquet, RETURN_STATS, FILENAME_PATTERN 'part-{uuid}'" +
                     RollOption(target_file_size) + ")"));
      CARELAKE_ASSIGN_OR_RETURN(parts, split.FetchAllRows());
    }
    if (parts.empty()) {  // not split
      rolled.push_back(std::move(row));
      continue;
    }
    for (auto& part : parts) {
      part[5] = row[5];  // the partition of the file split
      rolled.push_back(std::move(part));
    }
    (void)fs.RemoveFile(file);
  }
  *rows = std::move(rolled);
  return Status::Ok();
}

// The partition values of a file, from the partition_keys of its COPY row
// (the JSON array kPartitionColumn holds), by the schema's column names.
Result<PartitionValues> PartitionValuesOf(const engine::Value& keys, const Schema& schema,
                                          const std::vector<std::string>& partition_columns) {
  std::string encoded;
  for (const engine::Value& kv : keys.children()) {
    if (kv.children().size() == 2 && kv.children()[0].GetString() == kPartitionColumn) {
      encoded = kv.children()[1].GetString();
    }
  }
  json values = json::parse(encoded, nullptr, false);
  if (!values.is_array() || values.size() != partition_columns.size()) {
    return Internal("unexpected partition key '" + encoded + "' from DuckDB");
  }
  PartitionValues out;
  for (size_t i = 0; i < partition_columns.size(); ++i) {
    const std::string name = schema.Find(partition_columns[i])->name;
    if (values[i].is_null()) {
      out[name] = std::nullopt;
    } else {
      out[name] = values[i].get<std::string>();
    }
  }
  return out;
}

}  // namespace

Result<std::vector<AddFile>> DataWriter::Write(const std::string& select_sql, const Schema& schema,
                                               const std::vector<std::string>& partition_columns,
                                               int64_t target_file_size, bool data_change,
                                               OperationMetrics* metrics,
                                               const std::string& order_by) {
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
    CARELAKE_ASSIGN_OR_RETURN(std::string ser,
                              PartitionSerializeSql("__rows." + QuoteIdentifier(f->name), f->type));
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
  const bool ordered = !order_by.empty();
  if (partition_columns.empty()) {
    // A sorted write is one file, split in order afterwards (SplitInOrder).
    if (!ordered) options += RollOption(target_file_size);
  } else {
    select += ", to_json([" + part_exprs + "]) AS " + kPartitionColumn;
    options += std::string(", PARTITION_BY (") + kPartitionColumn + ")";
  }
  select += " FROM (" + select_sql + ") AS __rows";
  // At the top of the COPY: an ORDER BY inside a subquery need not survive
  // the projection, and a parallel COPY then interleaves the ranges.
  if (!order_by.empty()) select += " ORDER BY " + order_by;
  // A COPY that neither rolls nor partitions writes one file, not a folder.
  std::string target = staging;
  if (ordered && partition_columns.empty()) {
    CARELAKE_RETURN_IF_ERROR(fs.CreateDirectories(staging));
    target = JoinPath(staging, "part-" + NewUuid() + ".parquet");
    options = "FORMAT parquet, RETURN_STATS";
  }
  auto result =
      conn.Query("COPY (" + select + ") TO " + QuoteLiteral(target) + " (" + options + ")");
  if (!result.ok()) {
    return result.status();
  }
  auto rows = result->FetchAllRows();
  if (!rows.ok()) {
    return rows.status();
  }
  // DuckDB cannot roll the files of a partitioned COPY, nor keep the order
  // of a sorted one while rolling.
  if (!partition_columns.empty() || ordered) {
    CARELAKE_RETURN_IF_ERROR(SplitOversized(conn, fs, staging, target_file_size, ordered, &*rows));
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
      auto values = PartitionValuesOf(row[5], schema, partition_columns);
      if (!values.ok()) {
        status = values.status();
        break;
      }
      add.partition_values = std::move(*values);
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

void DataWriter::RemoveStaging(const std::string& staging) {
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

}  // namespace carelake::delta::internal
