// Snapshot: the state of a Delta table at one version — protocol, metadata,
// live files, tombstones, transaction ids — reconstructed from the newest
// usable checkpoint plus the JSON commits after it.
//
// A Snapshot is immutable; share it as shared_ptr<const Snapshot>.
#ifndef CARELAKE_DELTA_SNAPSHOT_H_
#define CARELAKE_DELTA_SNAPSHOT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/actions.h"
#include "carelake/delta/log.h"
#include "carelake/delta/schema.h"
#include "carelake/engine/connection.h"

namespace carelake::delta {

class Snapshot {
 public:
  const std::string& table_path() const { return table_path_; }
  int64_t version() const { return version_; }
  const Protocol& protocol() const { return protocol_; }
  const Metadata& metadata() const { return metadata_; }
  const Schema& schema() const { return schema_; }
  // Live files, ordered by path.
  const std::vector<AddFile>& files() const { return files_; }
  // Removed files still within the retention window (for VACUUM).
  const std::vector<RemoveFile>& tombstones() const { return tombstones_; }
  // Latest version per transaction application id.
  const std::map<std::string, int64_t>& app_versions() const { return app_versions_; }
  // Commit time of this version, milliseconds since the epoch.
  int64_t timestamp_ms() const { return timestamp_ms_; }
  // Checkpoint the state was loaded from, if any.
  std::optional<int64_t> checkpoint_version() const { return checkpoint_version_; }

  // The data file's local path: `add.path` URI-decoded, made absolute.
  std::string DataFilePath(const std::string& uri_path) const;

  // OK if carelake can read this table correctly; otherwise NotSupported
  // naming the protocol version or feature it lacks.
  Status CheckReadable() const;
  // Same for writing.
  Status CheckWritable() const;

  // Table property `key` (metaData.configuration), or `fallback`.
  std::string Property(const std::string& key, const std::string& fallback) const;

 private:
  friend class SnapshotBuilder;
  std::string table_path_;
  int64_t version_ = -1;
  Protocol protocol_;
  Metadata metadata_;
  Schema schema_;
  std::vector<AddFile> files_;
  std::vector<RemoveFile> tombstones_;
  std::map<std::string, int64_t> app_versions_;
  int64_t timestamp_ms_ = 0;
  std::optional<int64_t> checkpoint_version_;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// Loads the snapshot at `version` (the latest if nullopt). `conn` reads
// Parquet checkpoints. Errors: NotFound (no table, or no such version),
// Corruption (a malformed or non-contiguous log, missing protocol or
// metadata). A missing or corrupt _last_checkpoint or checkpoint is not an
// error: the reader falls back to an older checkpoint or to the JSON log.
// The result is not checked for readability: call CheckReadable().
Result<SnapshotPtr> LoadSnapshot(const DeltaLog& log, engine::Connection& conn,
                                 std::optional<int64_t> version = std::nullopt);

// The newest version whose commit time is at or before `timestamp_ms`.
// NotFound if the table's first version is younger.
Result<int64_t> VersionAtTimestamp(const DeltaLog& log, int64_t timestamp_ms);

// Decodes %XX escapes of a URI path.
std::string UriDecode(const std::string& s);

// The local path of a path as the log writes it (`add.path`, an absolute
// deletion vector path): URI-decoded, `file:` scheme dropped, resolved
// against the table root when relative.
std::string ResolveDataPath(const std::string& table_path, const std::string& uri_path);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_SNAPSHOT_H_
