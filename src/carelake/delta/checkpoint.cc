#include "carelake/delta/checkpoint.h"

#include <cctype>

#include "carelake/base/uuid.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/transaction.h"

namespace carelake::delta {

namespace {

// The protocol's checkpoint schema, as DuckDB column types.
constexpr const char* kCheckpointColumns =
    "{'txn': 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', "
    "'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
    "modificationTime BIGINT, dataChange BOOLEAN, tags MAP(VARCHAR, VARCHAR), stats VARCHAR)', "
    "'remove': 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, "
    "extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)', "
    "'metaData': 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider "
    "VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], "
    "configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)', "
    "'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures "
    "VARCHAR[], writerFeatures VARCHAR[])'}";

constexpr int64_t kDefaultTombstoneRetentionMs = 7LL * 24 * 3600 * 1000;
constexpr int64_t kDefaultLogRetentionMs = 30LL * 24 * 3600 * 1000;

int64_t RetentionProperty(const Snapshot& s, const std::string& key, int64_t fallback) {
  auto it = s.metadata().configuration.find(key);
  if (it == s.metadata().configuration.end()) return fallback;
  auto ms = ParseIntervalMillis(key, it->second);
  return ms.ok() ? *ms : fallback;
}

}  // namespace

Result<int64_t> ParseIntervalMillis(const std::string& key, const std::string& text) {
  std::string s;
  for (char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.rfind("interval", 0) == 0) s = s.substr(8);
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  size_t start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (start == i) {
    return InvalidArgument("table property " + key + " = '" + text +
                           "' is not an interval like 'interval 7 days'");
  }
  const int64_t n = std::stoll(s.substr(start, i - start));
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  std::string unit = s.substr(i);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  if (!unit.empty() && unit.back() == 's') unit.pop_back();
  static const std::pair<const char*, int64_t> kUnits[] = {
      {"millisecond", 1},  {"second", 1000},    {"minute", 60'000},
      {"hour", 3'600'000}, {"day", 86'400'000}, {"week", 7 * 86'400'000LL}};
  for (const auto& [name, ms] : kUnits) {
    if (unit == name) return n * ms;
  }
  return InvalidArgument("table property " + key + " = '" + text + "' has unknown unit '" + unit +
                         "' (use milliseconds, seconds, minutes, hours, days or weeks)");
}

Status WriteCheckpoint(const DeltaLog& log, engine::Connection& conn, const Snapshot& snapshot,
                       int64_t now_ms) {
  FileSystem& fs = log.fs();
  const int64_t now = now_ms;
  const int64_t keep_after = now - RetentionProperty(snapshot, "delta.deletedFileRetentionDuration",
                                                     kDefaultTombstoneRetentionMs);
  std::string ndjson;
  auto line = [&ndjson](const Action& a) { ndjson += ToJson(a).dump() + "\n"; };
  line(snapshot.protocol());
  line(snapshot.metadata());
  for (const auto& [app, version] : snapshot.app_versions()) line(Txn{app, version, std::nullopt});
  for (const AddFile& a : snapshot.files()) line(a);
  int64_t tombstones = 0;
  for (const RemoveFile& r : snapshot.tombstones()) {
    if (r.deletion_timestamp.value_or(0) > keep_after) {  // unexpired: VACUUM needs it
      line(r);
      ++tombstones;
    }
  }
  const std::string tag = NewUuid();
  const std::string json_tmp = JoinPath(log.log_path(), ".checkpoint-" + tag + ".json.tmp");
  const std::string parquet_tmp = JoinPath(log.log_path(), ".checkpoint-" + tag + ".parquet.tmp");
  const std::string target = JoinPath(log.log_path(), CheckpointFileName(snapshot.version()));
  CARELAKE_RETURN_IF_ERROR(fs.WriteFileAtomic(json_tmp, ndjson));
  Status s = conn.Execute("COPY (SELECT * FROM read_json(" + QuoteLiteral(json_tmp) +
                          ", format = 'newline_delimited', columns = " + kCheckpointColumns +
                          ", maximum_object_size = 1073741824)) TO " + QuoteLiteral(parquet_tmp) +
                          " (FORMAT parquet)");
  (void)fs.RemoveFile(json_tmp);
  if (s.ok()) s = fs.Rename(parquet_tmp, target);
  if (!s.ok()) {
    (void)fs.RemoveFile(parquet_tmp);
    return s.WithContext("writing checkpoint " + target);
  }
  CARELAKE_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(target));
  const size_t actions = 2 + snapshot.app_versions().size() + snapshot.files().size() +
                         static_cast<size_t>(tombstones);
  nlohmann::json last = {{"version", snapshot.version()},
                         {"size", actions},
                         {"sizeInBytes", info.size},
                         {"numOfAddFiles", snapshot.files().size()}};
  return fs.WriteFileAtomic(JoinPath(log.log_path(), "_last_checkpoint"), last.dump());
}

Result<int64_t> CleanupExpiredLog(const DeltaLog& log, const Snapshot& snapshot, int64_t now_ms) {
  const std::string enabled = snapshot.Property("delta.enableExpiredLogCleanup", "true");
  if (enabled == "false") return 0;
  const int64_t cutoff =
      now_ms - RetentionProperty(snapshot, "delta.logRetentionDuration", kDefaultLogRetentionMs);
  CARELAKE_ASSIGN_OR_RETURN(LogListing listing, log.List());
  // The newest complete checkpoint at or before the snapshot whose commit is
  // older than the cutoff: everything before it can go.
  int64_t boundary = -1;
  for (const auto& [version, cp] : listing.checkpoints) {
    if (version > snapshot.version() || !cp.complete) continue;
    auto commit = listing.commits.find(version);
    if (commit != listing.commits.end() && commit->second.modification_time_ms <= cutoff) {
      boundary = version;
    }
  }
  int64_t removed = 0;
  for (const auto& [version, info] : listing.commits) {
    if (version >= boundary || info.modification_time_ms > cutoff) continue;
    if (log.fs().RemoveFile(JoinPath(log.log_path(), info.name)).ok()) ++removed;
  }
  for (const auto& [version, cp] : listing.checkpoints) {
    if (version >= boundary) continue;
    for (const std::string& p : cp.paths) {
      if (log.fs().RemoveFile(p).ok()) ++removed;
    }
  }
  return removed;
}

}  // namespace carelake::delta
