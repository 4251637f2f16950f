// DeltaTable's facade: opening, loading snapshots, scans, history and
// details. The operations that commit live beside it: table_write.cc (Write,
// Delete), table_merge.cc (Merge), table_maintenance.cc (Optimize, Vacuum),
// sharing table_internal.h and data_writer.h.
#include "carelake/delta/table.h"

#include "carelake/delta/table_internal.h"

namespace carelake::delta {

using internal::StatsNumRecords;
using nlohmann::json;

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

TableDetail DescribeSnapshot(const Snapshot& s) {
  TableDetail d;
  d.version = s.version();
  d.timestamp_ms = s.timestamp_ms();
  d.id = s.metadata().id;
  d.protocol = s.protocol();
  d.schema = s.schema();
  d.partition_columns = s.metadata().partition_columns;
  d.properties = s.metadata().configuration;
  d.num_files = static_cast<int64_t>(s.files().size());
  int64_t records = 0;
  bool all = true;
  for (const AddFile& f : s.files()) {
    d.size_bytes += f.size;
    auto n = StatsNumRecords(f);
    all = all && n.has_value();
    records += n.value_or(0);
  }
  if (all) d.num_records = records;
  return d;
}

Result<TableDetail> DeltaTable::Describe(std::optional<int64_t> version) const {
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr s, Load(version));
  return DescribeSnapshot(*s);
}

}  // namespace carelake::delta
