// Checkpoints (PROTOCOL.md "Checkpoints"): a single Parquet file holding a
// snapshot's protocol, metadata, transaction ids, live files and unexpired
// tombstones, with the protocol's checkpoint schema; and `_last_checkpoint`.
// Also the log cleanup that checkpoints make possible.
#ifndef CARELAKE_DELTA_CHECKPOINT_H_
#define CARELAKE_DELTA_CHECKPOINT_H_

#include <cstdint>
#include <string>

#include "carelake/base/result.h"
#include "carelake/delta/log.h"
#include "carelake/delta/snapshot.h"
#include "carelake/engine/connection.h"

namespace carelake::delta {

// Commits between checkpoints unless the table sets delta.checkpointInterval.
inline constexpr int64_t kDefaultCheckpointInterval = 10;

// Writes the checkpoint of `snapshot` (atomically: written aside, renamed)
// and then `_last_checkpoint`. Tombstones older than the table's
// delta.deletedFileRetentionDuration before `now_ms` are left out.
Status WriteCheckpoint(const DeltaLog& log, engine::Connection& conn, const Snapshot& snapshot,
                       int64_t now_ms);

// Parses a Delta interval property ("interval 7 days", "1 week", "168
// hours") into milliseconds. InvalidArgument naming `key` otherwise.
Result<int64_t> ParseIntervalMillis(const std::string& key, const std::string& text);

// Removes commits and checkpoints older than delta.logRetentionDuration (30
// days by default) that precede the newest checkpoint at or before
// `snapshot`, so that every retained version stays readable. Returns how
// many files were removed.
Result<int64_t> CleanupExpiredLog(const DeltaLog& log, const Snapshot& snapshot, int64_t now_ms);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_CHECKPOINT_H_
