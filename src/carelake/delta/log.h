// The files of a table's _delta_log folder: naming, listing, reading and
// writing commits (PROTOCOL.md "Delta Log Entries", "Checkpoints").
#ifndef CARELAKE_DELTA_LOG_H_
#define CARELAKE_DELTA_LOG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/actions.h"

namespace carelake::delta {

// "00000000000000000042.json"
std::string CommitFileName(int64_t version);
// "00000000000000000042.checkpoint.parquet"
std::string CheckpointFileName(int64_t version);

// A checkpoint found in the log folder.
struct CheckpointFiles {
  int64_t version = 0;
  enum class Kind { kClassic, kMultiPart, kV2 } kind = Kind::kClassic;
  std::vector<std::string> paths;  // all parts, in part order
  bool complete = true;            // every part of a multi-part checkpoint is present
};

// What the _delta_log folder holds, by version.
struct LogListing {
  std::map<int64_t, FileInfo> commits;             // version → commit file
  std::map<int64_t, CheckpointFiles> checkpoints;  // version → checkpoint
  bool has_last_checkpoint = false;
};

class DeltaLog {
 public:
  // `table_path`: the table's root folder. `fs` must outlive the DeltaLog.
  DeltaLog(FileSystem& fs, std::string table_path);

  const std::string& table_path() const { return table_path_; }
  std::string log_path() const;
  FileSystem& fs() const { return fs_; }

  // NotFound (naming the folder) if the table has no _delta_log.
  Result<LogListing> List() const;

  Result<std::vector<Action>> ReadCommit(int64_t version) const;

  // Writes commit `version` if no commit of that version exists: Aborted
  // ("version N was committed by another writer") if one does.
  Status WriteCommit(int64_t version, const std::vector<Action>& actions) const;

  // The _last_checkpoint hint, or nullopt if absent or unreadable (readers
  // must not depend on it).
  std::optional<int64_t> ReadLastCheckpointHint() const;

 private:
  FileSystem& fs_;
  std::string table_path_;
};

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_LOG_H_
