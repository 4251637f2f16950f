// Transaction: one optimistic commit to a Delta table (PROTOCOL.md
// "Optimistic concurrency control"), with the conflict rules of Delta's
// WriteSerializable isolation:
//
// - blind appends (no file read, none removed) never conflict, except with a
//   concurrent protocol or metadata change;
// - a concurrent protocol or metadata change conflicts with everything;
// - a concurrent commit of any of the same `txn` application ids conflicts;
// - a concurrent removal of a file this transaction read or removed
//   conflicts (delete/read, delete/delete);
// - files added by a concurrent non-blind commit (UPDATE, DELETE, MERGE)
//   that this transaction's read predicate would have read conflict.
//
// A commit that lost the race to a version checks the winners against these
// rules and, when none conflicts, commits again at the next version without
// rewriting any data file. Otherwise Commit() fails with Aborted, naming the
// winning version, its operation and what conflicted.
#ifndef CARELAKE_DELTA_TRANSACTION_H_
#define CARELAKE_DELTA_TRANSACTION_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/result.h"
#include "carelake/delta/log.h"
#include "carelake/delta/snapshot.h"
#include "carelake/engine/connection.h"

namespace carelake::delta {

struct CommitOutcome {
  int64_t version = -1;
  int attempts = 0;                   // 1 when the first attempt won
  std::optional<int64_t> checkpoint;  // a checkpoint written after the commit
  std::vector<std::string> warnings;  // e.g. a checkpoint that could not be written
};

class Transaction {
 public:
  // `read_snapshot` is null when the transaction creates the table. `clock`
  // stamps the commit (commitInfo.timestamp, txn lastUpdated) and decides
  // log retention; it must outlive the transaction.
  Transaction(const DeltaLog& log, engine::Connection& conn, SnapshotPtr read_snapshot,
              const Clock& clock = DefaultClock());

  const SnapshotPtr& read_snapshot() const { return read_snapshot_; }
  int64_t read_version() const { return read_snapshot_ ? read_snapshot_->version() : -1; }

  // What the operation read: files added concurrently by non-blind commits
  // that match `predicate` conflict. ReadWholeTable() reads everything.
  void ReadWholeTable();
  void ReadMatching(std::function<bool(const AddFile&)> predicate);
  // Files whose concurrent removal conflicts (the operation read them).
  void ReadFiles(const std::vector<AddFile>& files);

  void SetProtocol(Protocol protocol) { protocol_ = std::move(protocol); }
  void SetMetadata(Metadata metadata) { metadata_ = std::move(metadata); }
  void AddFiles(std::vector<AddFile> files);
  void RemoveFiles(std::vector<RemoveFile> files);
  // Application transaction versions committed with the data (one per app id).
  void AddTxn(Txn txn) { txns_.push_back(std::move(txn)); }

  // True if the transaction reads nothing and removes nothing.
  bool IsBlindAppend() const;

  // Writes the commit. `operation` ("WRITE", "MERGE", ...) and its
  // parameters and metrics go to commitInfo. Retries against up to
  // `max_attempts` winning commits in total.
  Result<CommitOutcome> Commit(const std::string& operation, const nlohmann::json& parameters,
                               const nlohmann::json& metrics, int max_attempts = 200);

 private:
  // OK, or Aborted if the winner at `version` conflicts.
  Status CheckConflict(int64_t version, const std::vector<Action>& winner) const;
  // True if commit `version` in the log is `ours` (same commitInfo.txnId).
  bool IsOurCommit(int64_t version, const std::vector<Action>& ours) const;
  std::vector<Action> BuildActions(const std::string& operation, const nlohmann::json& parameters,
                                   const nlohmann::json& metrics) const;

  const DeltaLog& log_;
  engine::Connection& conn_;
  SnapshotPtr read_snapshot_;
  const Clock& clock_;
  bool read_whole_table_ = false;
  std::vector<std::function<bool(const AddFile&)>> read_predicates_;
  std::set<std::string> read_paths_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::vector<AddFile> adds_;
  std::vector<RemoveFile> removes_;
  std::vector<Txn> txns_;
};

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_TRANSACTION_H_
