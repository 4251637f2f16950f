#include "carelake/serve/cdc_consumer.h"

#include <algorithm>

#include "carelake/base/file_system.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/ingest/db_ingest.h"

namespace carelake::serve {
namespace {

bool IsContinuous(const project::DatabaseSource& s) { return s.cdc && s.cdc->continuous; }

// What one poll brought: the changes committed, or why it failed.
struct PollOutcome {
  std::string error;
  int64_t changes = 0;
  uint64_t last_lsn = 0;
  int64_t last_commit_ms = 0;
  int64_t retained_wal_bytes = -1;
};

PollOutcome Summarize(const Result<ingest::DatabaseIngestResult>& r) {
  PollOutcome out;
  if (!r.ok()) {
    out.error = r.status().message();
    return out;
  }
  out.retained_wal_bytes = r->retained_wal_bytes;
  for (const ingest::TableIngest& t : r->tables) {
    if (!t.error.empty() && out.error.empty()) out.error = t.table + ": " + t.error;
    if (!t.error.empty() || t.mode != "changes") continue;
    out.changes += t.rows;
    if (t.last_lsn > out.last_lsn) {
      out.last_lsn = t.last_lsn;
      out.last_commit_ms = t.last_commit_time_us / 1000;
    }
  }
  return out;
}

}  // namespace

CdcConsumer::CdcConsumer(const ProjectHolder& project, engine::Database& db, const Clock& clock,
                         Logger log, CdcConsumerOptions options)
    : project_(project),
      db_(db),
      clock_(clock),
      log_(std::move(log)),
      options_(std::move(options)) {}

CdcConsumer::~CdcConsumer() { Stop(); }

Status CdcConsumer::Start() {
  const std::shared_ptr<const project::Project> project = project_.Get();
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
    for (const project::DatabaseSource& s : project->database_sources) {
      if (IsContinuous(s)) states_.emplace(s.name, CdcSourceState{s.name});
    }
  }
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
  return Status::Ok();
}

void CdcConsumer::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  started_ = false;
}

void CdcConsumer::Loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    const int64_t next = PollDue(stop);
    // Waits in real time for what the injected clock says is left (capped,
    // so that a fake clock moved by a test is looked at again soon).
    const int64_t wait = std::clamp<int64_t>(next - clock_.MonotonicMillis(), 1, 1000);
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, stop, std::chrono::milliseconds(wait), [] { return false; });
  }
}

int64_t CdcConsumer::PollDue(std::stop_token stop) {
  const std::shared_ptr<const project::Project> project = project_.Get();
  int64_t next = clock_.MonotonicMillis() + 1000;
  std::map<std::string, CdcSourceState> kept;
  std::vector<const project::DatabaseSource*> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const project::DatabaseSource& s : project->database_sources) {
      if (!IsContinuous(s)) continue;
      auto it = states_.find(s.name);
      CdcSourceState state = it == states_.end() ? CdcSourceState{s.name} : it->second;
      if (state.next_poll_ms <= clock_.MonotonicMillis()) due.push_back(&s);
      kept[s.name] = state;
    }
    states_ = std::move(kept);  // sources a reload dropped are forgotten
  }
  for (const project::DatabaseSource* s : due) {
    if (stop.stop_requested()) break;
    PollSource(*project, *s, stop);
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, state] : states_) next = std::min(next, state.next_poll_ms);
  return next;
}

void CdcConsumer::PollSource(const project::Project& project, const project::DatabaseSource& source,
                             std::stop_token stop) {
  const int64_t started = clock_.MonotonicMillis();
  ingest::DatabaseIngestRequest req;
  req.source = &source;
  req.project_dir = project.dir;
  req.lake = project.lake;
  req.run_id = "cdc-" + source.name + "-" + std::to_string(clock_.WallMillis());
  req.clock = &clock_;
  req.stop = stop;
  auto conn = engine::OpenLakeConnection(db_);
  const PollOutcome out =
      Summarize(conn.ok() ? ingest::IngestDatabase(req, LocalFileSystem(), *conn)
                          : Result<ingest::DatabaseIngestResult>(conn.status()));
  if (stop.stop_requested() && !out.error.empty()) return;  // cancelled, not failed
  bool recovered = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    CdcSourceState& state = states_[source.name];
    recovered = state.consecutive_errors > 0 && out.error.empty();
    state.polled = true;
    state.error = out.error;
    if (out.retained_wal_bytes >= 0) state.retained_wal_bytes = out.retained_wal_bytes;
    state.changes_applied += out.changes;
    if (out.last_lsn > 0) {
      state.last_lsn = out.last_lsn;
      state.lag_ms = std::max<int64_t>(0, clock_.WallMillis() - out.last_commit_ms);
    }
    int64_t delay = source.cdc->poll.count();
    if (out.error.empty()) {
      state.consecutive_errors = 0;
    } else {
      ++state.errors;
      ++state.consecutive_errors;
      for (int64_t i = 1; i < state.consecutive_errors && delay < options_.max_backoff.count();
           ++i) {
        delay *= 2;
      }
      delay = std::min<int64_t>(delay, options_.max_backoff.count());
    }
    // A poll every `poll` from start to start (at once when one took longer);
    // after an error, the backoff counts from its end.
    state.next_poll_ms = (out.error.empty() ? started : clock_.MonotonicMillis()) + delay;
  }
  if (!out.error.empty() && log_) {
    log_(Event("cdc_error", "source " + source.name + ": " + out.error, LogLevel::kWarning));
  } else if (recovered && log_) {
    log_(Event("cdc_recovered", "source " + source.name + ": capturing again"));
  }
  if (out.changes > 0 && options_.on_applied) options_.on_applied(source.name);
}

Health CdcConsumer::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) return {false, "not started"};
  std::string why;
  for (const auto& [name, state] : states_) {
    if (!state.polled) why += (why.empty() ? "" : "; ") + name + ": not polled yet";
    if (!state.error.empty()) why += (why.empty() ? "" : "; ") + name + ": " + state.error;
  }
  if (!why.empty()) return {false, why};
  return {true, "capturing " + std::to_string(states_.size()) + " sources"};
}

std::vector<CdcSourceState> CdcConsumer::States() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CdcSourceState> out;
  for (const auto& [name, state] : states_) out.push_back(state);
  return out;
}

}  // namespace carelake::serve
