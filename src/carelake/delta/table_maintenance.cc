// DeltaTable::Optimize (compaction) and Vacuum (deleting files no retained
// version needs).
#include <algorithm>

#include "carelake/delta/checkpoint.h"
#include "carelake/delta/deletion_vector.h"
#include "carelake/delta/partition.h"
#include "carelake/delta/table.h"
#include "carelake/delta/table_internal.h"

namespace carelake::delta {

using internal::CommitInto;
using internal::DataWriter;
using internal::kDefaultTombstoneRetentionMs;
using internal::kStagingDir;
using internal::RemoveEmptyDirs;
using internal::RemovesFor;
using internal::StatsNumRecords;
using nlohmann::json;

Result<OperationResult> DeltaTable::Optimize(const OptimizeOptions& options) {
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, Load());
  CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable());
  OperationResult result;
  result.version = snapshot->version();
  const int64_t min_size = options.min_file_size.value_or(options.target_file_size * 3 / 4);
  const auto& partitions = snapshot->metadata().partition_columns;
  const bool cluster = !options.cluster_by.empty();
  std::string order_by;
  for (const std::string& c : options.cluster_by) {
    const Field* field = snapshot->schema().Find(c);
    if (field == nullptr) return InvalidArgument("cluster_by: no column '" + c + "' in the table");
    if (std::find(partitions.begin(), partitions.end(), field->name) != partitions.end()) {
      return InvalidArgument("cluster_by: '" + c + "' is a partition column");
    }
    order_by += (order_by.empty() ? "" : ", ") + QuoteIdentifier(field->name);
  }
  std::map<std::string, std::vector<AddFile>> groups;
  for (const AddFile& f : snapshot->files()) {
    if (cluster || f.size < min_size) {
      groups[PartitionDirectory(partitions, f.partition_values)].push_back(f);
    }
  }
  std::vector<AddFile> compacted;
  for (auto& [dir, files] : groups) {
    const bool oversized = cluster && files.size() == 1 && files[0].size > options.target_file_size;
    if (files.size() >= 2 || oversized) {
      compacted.insert(compacted.end(), files.begin(), files.end());
    }
  }
  if (compacted.empty()) {
    result.reason = cluster ? "no partition has two or more files (nothing to cluster)"
                            : "no partition has two or more files smaller than " +
                                  std::to_string(min_size) + " bytes";
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
  CARELAKE_ASSIGN_OR_RETURN(
      std::vector<AddFile> adds,
      writer.Write(rows, snapshot->schema(), partitions, options.target_file_size, false,
                   &result.metrics, order_by));
  for (const AddFile& a : adds) result.metrics.rows_copied += StatsNumRecords(a).value_or(0);
  txn.AddFiles(adds);
  json parameters = {{"targetFileSize", std::to_string(options.target_file_size)}};
  if (cluster) parameters["clusterBy"] = json(options.cluster_by).dump();
  CARELAKE_RETURN_IF_ERROR(CommitInto(txn, "OPTIMIZE", parameters, fs_, path(), adds, &result));
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

}  // namespace carelake::delta
