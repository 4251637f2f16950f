// Scheduler: runs the project's `jobs:` (project.h, Job) — on their cron
// schedules in their time zones, after other jobs succeed, when asked
// (Trigger) — one run at a time, with retries and timeouts. A Service of the
// daemon; its core (FireDue, RunQueued) is driven by the clock it is given,
// so tests move a FakeClock instead of sleeping.
//
// - A trigger for a job that is already queued joins it (coalesces).
// - A job whose latest run was interrupted (the daemon was killed or stopped
//   mid-run) runs once at Start() ("resume"): what that run left undone —
//   files it ingested whose silver and gold were not built — is done then.
// - Schedules missed while the daemon was down: a job with `catchup: latest`
//   (the default) whose last run started before its latest scheduled time
//   runs once at Start(); `catchup: none` waits for the next fire time. Many
//   missed fires are one run.
// - A failed run is retried when the failure can pass on retry (the runner
//   says so: I/O, a commit conflict, an unreachable source — never a `fail`
//   rule or an SQL error), up to `retries.attempts` runs in all, waiting
//   `backoff` before the 2nd and doubling it each time, with ±20% jitter.
// - A run longer than the job's `timeout` is asked to stop (its stop token).
#ifndef CARELAKE_SERVE_SCHEDULER_H_
#define CARELAKE_SERVE_SCHEDULER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/project/project.h"
#include "carelake/schedule/cron.h"
#include "carelake/serve/event_log.h"
#include "carelake/serve/service.h"

namespace carelake::serve {

struct JobOutcome {
  std::string run_id;
  bool succeeded = false;
  bool retryable = false;  // the failure may pass on retry
  std::string error;
  bool cancelled = false;  // stopped on request (the daemon stops, or the timeout)
  std::string failed_step;
  std::string failed_rule;   // a `fail` rule stopped the run
  int64_t rows_checked = 0;  // of that rule
  int64_t rows_failed = 0;
};

// Called after each run, with whether a retry of it is scheduled.
using RunEndedHook = std::function<void(const project::Job& job, const std::string& trigger,
                                        const JobOutcome& outcome, bool retry_scheduled)>;

// Runs `job` once, for `trigger`; returns when the run ended. `stop` asks it
// to end early (the daemon stops, or the job's timeout passed).
using JobRunner = std::function<JobOutcome(const project::Job& job, const std::string& trigger,
                                           std::stop_token stop)>;

// A job's latest run in the ledger: when it started, and whether it was
// interrupted — its process died (still `started`) or it was stopped
// (`cancelled`) — leaving work undone.
struct LastRun {
  int64_t started_ms = 0;
  bool interrupted = false;
};
// The latest run of a job (from the ledger), for catch-up and resumption.
using LastRunLookup = std::function<std::optional<LastRun>(const std::string& job)>;

class Scheduler : public Service {
 public:
  // `clock` must outlive the scheduler.
  Scheduler(std::vector<project::Job> jobs, const Clock& clock, JobRunner runner,
            LastRunLookup last_run = nullptr, Logger log = nullptr);
  ~Scheduler() override;

  // Set before Start().
  void OnRunEnded(RunEndedHook hook) { on_run_ended_ = std::move(hook); }

  std::string_view name() const override { return "scheduler"; }
  // Computes each schedule's next fire time, queues catch-ups, and starts
  // the loop thread. InvalidArgument for a schedule or zone that does not
  // parse (LoadProject has checked them already).
  Status Start() override;
  void Stop() override;
  Health health() const override;

  // A reloaded project's jobs. A job that keeps its name keeps its state
  // (queued, last run, a retry waiting); a new or changed schedule or time
  // zone fires next after now (no catch-up); a job that is gone leaves the
  // queue, and a run of it in progress ends as it would have.
  Status Reload(std::vector<project::Job> jobs);

  // Queues `job` (NotFound for an unknown one); coalesces with a queued run.
  Status Trigger(const std::string& job, const std::string& trigger);

  // The loop's two halves, public for tests: queue what is due at the
  // clock's time (schedules, retries), then run the queue until it is empty
  // or `stop` is requested. Returns the runs made, in order.
  Status Prepare();  // Start() without the thread
  void FireDue();
  std::vector<std::pair<std::string, JobOutcome>> RunQueued(std::stop_token stop);

  struct JobState {
    std::string name;
    std::optional<int64_t> next_fire_ms;  // of its schedule
    std::optional<int64_t> retry_at_ms;   // a retry waiting
    int attempt = 0;                      // runs so far for the current trigger
    bool queued = false;
    std::string queued_trigger;
    std::optional<JobOutcome> last;
    std::string last_trigger;
  };
  std::vector<JobState> States() const;

 private:
  struct Entry {
    project::Job job;
    std::optional<schedule::CronSchedule> cron;
    std::optional<schedule::TimeZone> zone;
    JobState state;
  };
  std::shared_ptr<Entry> Find(const std::string& name);
  // The entry's cron and zone, and its next fire time after `now`; with
  // `catchup`, queues a missed run (see the class comment).
  Status ScheduleLocked(Entry& e, int64_t now, bool catchup);
  void QueueLocked(Entry& e, const std::string& trigger);
  void Log(const LogEvent& event) const;
  JobOutcome RunOne(const project::Job& job, const std::string& trigger, std::stop_token stop);
  // Records a run's end: queues the jobs `after:` it, or its retry (true).
  bool EndRunLocked(Entry& e, const std::string& trigger, const JobOutcome& out,
                    std::stop_token stop);
  void Loop(std::stop_token stop);

  const Clock& clock_;
  JobRunner runner_;
  LastRunLookup last_run_;
  Logger log_;
  RunEndedHook on_run_ended_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;
  std::vector<std::shared_ptr<Entry>> entries_;
  std::vector<std::string> queue_;  // job names, in trigger order
  std::mt19937 rng_{std::random_device{}()};
  std::jthread thread_;
  bool started_ = false;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_SCHEDULER_H_
