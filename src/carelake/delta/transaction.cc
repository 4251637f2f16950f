#include "carelake/delta/transaction.h"

#include <algorithm>

#include "carelake/base/uuid.h"
#include "carelake/delta/checkpoint.h"
#include "carelake/version.h"

namespace carelake::delta {

Transaction::Transaction(const DeltaLog& log, engine::Connection& conn, SnapshotPtr read_snapshot,
                         const Clock& clock)
    : log_(log), conn_(conn), read_snapshot_(std::move(read_snapshot)), clock_(clock) {}

void Transaction::ReadWholeTable() { read_whole_table_ = true; }

void Transaction::ReadMatching(std::function<bool(const AddFile&)> predicate) {
  read_predicates_.push_back(std::move(predicate));
}

void Transaction::ReadFiles(const std::vector<AddFile>& files) {
  for (const AddFile& f : files) read_paths_.insert(read_snapshot_->DataFilePath(f.path));
}

void Transaction::AddFiles(std::vector<AddFile> files) {
  for (AddFile& f : files) adds_.push_back(std::move(f));
}

void Transaction::RemoveFiles(std::vector<RemoveFile> files) {
  for (RemoveFile& f : files) {
    if (read_snapshot_) read_paths_.insert(read_snapshot_->DataFilePath(f.path));
    removes_.push_back(std::move(f));
  }
}

bool Transaction::IsBlindAppend() const {
  return !read_whole_table_ && read_predicates_.empty() && read_paths_.empty() && removes_.empty();
}

std::vector<Action> Transaction::BuildActions(const std::string& operation,
                                              const nlohmann::json& parameters,
                                              const nlohmann::json& metrics) const {
  std::vector<Action> actions;
  CommitInfo info;
  info.info = {{"timestamp", clock_.WallMillis()},
               {"operation", operation},
               {"operationParameters", parameters},
               {"isolationLevel", "WriteSerializable"},
               {"isBlindAppend", IsBlindAppend()},
               {"operationMetrics", metrics},
               {"engineInfo", std::string("carelake/") + kVersion},
               {"txnId", NewUuid()}};
  if (read_version() >= 0) info.info["readVersion"] = read_version();
  actions.emplace_back(std::move(info));
  if (protocol_) actions.emplace_back(*protocol_);
  if (metadata_) actions.emplace_back(*metadata_);
  for (Txn t : txns_) {
    t.last_updated = clock_.WallMillis();
    actions.emplace_back(std::move(t));
  }
  for (const RemoveFile& r : removes_) actions.emplace_back(r);
  for (const AddFile& a : adds_) actions.emplace_back(a);
  return actions;
}

Status Transaction::CheckConflict(int64_t version, const std::vector<Action>& winner) const {
  std::string operation = "unknown operation";
  bool winner_blind = false;
  for (const Action& a : winner) {
    if (const auto* c = std::get_if<CommitInfo>(&a)) {
      operation = c->info.value("operation", operation);
      winner_blind = c->info.value("isBlindAppend", false);
    }
  }
  const std::string who = "version " + std::to_string(version) + " (" + operation +
                          ", committed concurrently after this transaction read version " +
                          std::to_string(read_version()) + ")";
  auto conflict = [&](const std::string& what) { return Aborted("conflict: " + who + " " + what); };
  std::set<std::string> our_removes;
  if (read_snapshot_) {
    for (const RemoveFile& r : removes_) our_removes.insert(read_snapshot_->DataFilePath(r.path));
  }
  for (const Action& a : winner) {
    if (std::holds_alternative<Protocol>(a)) return conflict("changed the table's protocol");
    if (std::holds_alternative<Metadata>(a)) {
      return conflict(read_version() < 0 ? "created the table"
                                         : "changed the table's metadata (schema, partitioning "
                                           "or properties)");
    }
    const auto* t = std::get_if<Txn>(&a);
    if (t && std::any_of(txns_.begin(), txns_.end(),
                         [&](const Txn& ours) { return ours.app_id == t->app_id; })) {
      return conflict("committed transaction version " + std::to_string(t->version) +
                      " of application '" + t->app_id + "'");
    }
    if (const auto* r = std::get_if<RemoveFile>(&a); r && read_snapshot_) {
      const std::string path = read_snapshot_->DataFilePath(r->path);
      if (our_removes.count(path)) {
        return conflict("removed file '" + r->path + "', which this transaction also removes");
      }
      if (read_paths_.count(path)) {
        return conflict("removed file '" + r->path + "', which this transaction read");
      }
    }
    if (const auto* add = std::get_if<AddFile>(&a); add && add->data_change && !winner_blind) {
      bool read = read_whole_table_;
      for (const auto& p : read_predicates_) read = read || p(*add);
      if (read) {
        return conflict("added file '" + add->path +
                        "' with rows this transaction's read would have seen");
      }
    }
  }
  return Status::Ok();
}

bool Transaction::IsOurCommit(int64_t version, const std::vector<Action>& ours) const {
  auto written = log_.ReadCommit(version);
  if (!written.ok() || written->empty() || ours.empty()) return false;
  const auto* a = std::get_if<CommitInfo>(&written->front());
  const auto* b = std::get_if<CommitInfo>(&ours.front());
  return a != nullptr && b != nullptr && a->info.value("txnId", "") == b->info.value("txnId", "x");
}

Result<CommitOutcome> Transaction::Commit(const std::string& operation,
                                          const nlohmann::json& parameters,
                                          const nlohmann::json& metrics, int max_attempts) {
  CommitOutcome outcome;
  int64_t version = read_version() + 1;
  const std::vector<Action> actions = BuildActions(operation, parameters, metrics);
  while (true) {
    ++outcome.attempts;
    Status s = log_.WriteCommit(version, actions);
    if (s.ok()) break;
    if (s.code() != StatusCode::kAborted) {
      // The commit may be in place even though a later step (the folder's
      // fsync) failed: then it counts, and its data files must stay.
      if (IsOurCommit(version, actions)) {
        outcome.warnings.push_back(
            "version " + std::to_string(version) +
            " is committed but its durability is not confirmed: " + s.ToString());
        break;
      }
      return s;
    }
    if (outcome.attempts >= max_attempts) {
      return Aborted("gave up committing to table '" + log_.table_path() + "' after " +
                     std::to_string(outcome.attempts) + " attempts: other writers keep winning");
    }
    // Lost the race: check every winner since, then try after the newest.
    CARELAKE_ASSIGN_OR_RETURN(LogListing listing, log_.List());
    const int64_t latest = listing.commits.empty() ? version : listing.commits.rbegin()->first;
    for (int64_t v = version; v <= latest; ++v) {
      CARELAKE_ASSIGN_OR_RETURN(std::vector<Action> winner, log_.ReadCommit(v));
      CARELAKE_RETURN_IF_ERROR(CheckConflict(v, winner));
    }
    version = latest + 1;
  }
  outcome.version = version;

  // Checkpoint every N commits; the commit stands even if this fails.
  int64_t interval = kDefaultCheckpointInterval;
  const Metadata* meta =
      metadata_ ? &*metadata_ : (read_snapshot_ ? &read_snapshot_->metadata() : nullptr);
  if (meta != nullptr) {
    auto it = meta->configuration.find("delta.checkpointInterval");
    if (it != meta->configuration.end()) {
      try {
        interval = std::max<int64_t>(1, std::stoll(it->second));
      } catch (const std::exception&) {
        outcome.warnings.push_back("ignoring invalid delta.checkpointInterval '" + it->second +
                                   "'");
      }
    }
  }
  if (version > 0 && version % interval == 0) {
    auto snapshot = LoadSnapshot(log_, conn_, version);
    Status cp = snapshot.ok() ? WriteCheckpoint(log_, conn_, **snapshot, clock_.WallMillis())
                              : snapshot.status();
    if (cp.ok()) {
      outcome.checkpoint = version;
      auto cleaned = CleanupExpiredLog(log_, **snapshot, clock_.WallMillis());
      if (!cleaned.ok())
        outcome.warnings.push_back("log cleanup failed: " + cleaned.status().ToString());
    } else {
      outcome.warnings.push_back("checkpoint at version " + std::to_string(version) +
                                 " not written: " + cp.ToString());
    }
  }
  return outcome;
}

}  // namespace carelake::delta
