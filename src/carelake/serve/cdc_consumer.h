// CdcConsumer: change data capture without a run. Under `carelake serve` it
// polls the replication slot of each PostgreSQL source with
// `cdc: {continuous: true}` every `poll` and commits the changes it finds to
// bronze as they arrive — the path a run's step takes
// (ingest::IngestDatabase: the first poll creates the slot and reads the
// snapshot; later ones append one Delta commit per table per batch).
//
// Exactly once: each bronze commit records the last commit LSN it holds and
// the slot is advanced only after the commits, so a consumer stopped (or
// killed) between the two re-reads the changes and skips them. A run's step
// for the same source takes the same per-source lock
// (ingest::CdcLockPath), so the two never write its bronze tables at once;
// the step applies whatever the consumer has not applied yet.
//
// After an error (server unreachable, a table that fails) the source is
// polled again after a backoff that doubles from `poll` up to
// `max_backoff`; the consumer is not healthy (/readyz) while any source's
// last poll failed, and says why.
#ifndef CARELAKE_SERVE_CDC_CONSUMER_H_
#define CARELAKE_SERVE_CDC_CONSUMER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/engine/database.h"
#include "carelake/serve/event_log.h"
#include "carelake/serve/project_holder.h"
#include "carelake/serve/service.h"

namespace carelake::serve {

struct CdcConsumerOptions {
  std::chrono::milliseconds max_backoff{30'000};
  // Runs after every commit of changes, with the source's name (tests and
  // the benchmark wait on it); may be empty. Called on the consumer's thread.
  std::function<void(const std::string&)> on_applied;
};

// One continuous source as the consumer last saw it (the /metrics gauges).
struct CdcSourceState {
  std::string source;
  bool polled = false;              // at least one poll has ended
  std::string error;                // the last poll's error; empty when it succeeded
  int64_t changes_applied = 0;      // change rows committed to bronze since start
  int64_t errors = 0;               // failed polls since start
  uint64_t last_lsn = 0;            // commit LSN of the last change committed (0: none yet)
  int64_t lag_ms = -1;              // its commit on the server → its bronze commit
  int64_t retained_wal_bytes = -1;  // WAL the server keeps for the slot (-1: unknown)
  int64_t consecutive_errors = 0;
  int64_t next_poll_ms = 0;  // monotonic
};

class CdcConsumer : public Service {
 public:
  // `project`, `db` and `clock` must outlive the consumer. Each poll reads
  // the project current then (a reload adds or drops continuous sources).
  CdcConsumer(const ProjectHolder& project, engine::Database& db, const Clock& clock,
              Logger log = nullptr, CdcConsumerOptions options = {});
  ~CdcConsumer() override;

  std::string_view name() const override { return "cdc_consumer"; }
  Status Start() override;
  void Stop() override;
  // Healthy when every continuous source's last poll succeeded; not before
  // the first poll of each.
  Health health() const override;

  // The continuous sources, by name.
  std::vector<CdcSourceState> States() const;

 private:
  void Loop(std::stop_token stop);
  // Polls the continuous sources that are due; returns when the next is.
  int64_t PollDue(std::stop_token stop);
  void PollSource(const project::Project& project, const project::DatabaseSource& source,
                  std::stop_token stop);

  const ProjectHolder& project_;
  engine::Database& db_;
  const Clock& clock_;
  const Logger log_;
  const CdcConsumerOptions options_;

  mutable std::mutex mu_;
  std::map<std::string, CdcSourceState> states_;  // continuous sources of the current project
  bool started_ = false;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_CDC_CONSUMER_H_
