// Tracker and Throttle: which alerts `carelake serve` sends — the policy,
// with no I/O and no clock of its own, so tests drive it with plain times.
//
// - Tracker turns what happened (a run ended, a source was checked) into
//   events, and remembers the open problem of each job and source, so that
//   the first success (or new data) after a problem raises `recovered`.
// - Throttle, one per alert target, keeps alert storms away: an event with
//   the same problem key (event.h, ProblemKey) as one sent less than
//   `repeat_every` ago is not sent but counted; after that a reminder goes
//   out with the count. A recovery clears its scope's problems.
#ifndef CARELAKE_ALERT_TRACKER_H_
#define CARELAKE_ALERT_TRACKER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carelake/alert/event.h"

namespace carelake::alert {

// How a job's run ended, as the scheduler saw it.
struct RunEnd {
  std::string job;
  std::string trigger;
  std::string run_id;
  bool succeeded = false;
  bool cancelled = false;  // stopped on request: neither a failure nor a success
  std::string failed_step;
  std::string failed_rule;
  int64_t rows_checked = 0;  // of the failed rule
  int64_t rows_failed = 0;
  std::string error;
  int64_t time_ms = 0;
};

class Tracker {
 public:
  explicit Tracker(std::string project) : project_(std::move(project)) {}

  // A failed run raises rule_failed (a `fail` rule stopped it) or
  // run_failed; a successful one raises recovered when its job's last run
  // had failed. A cancelled run raises nothing.
  std::vector<Event> RunEnded(const RunEnd& run);

  // A source with `warn_after` whose newest data (`last_data_ms`, 0 when it
  // never had any) is older than that at `now_ms` raises source_stale (at
  // every check: the throttle keeps it quiet); fresh data again after that
  // raises recovered. `since_ms`: when watching began, for a source that
  // never had data.
  std::vector<Event> SourceChecked(const std::string& source, int64_t last_data_ms,
                                   std::chrono::milliseconds warn_after, int64_t now_ms,
                                   int64_t since_ms);

  // A reload of the project failed with `error` (reload_failed), or
  // succeeded (recovered after a failed one).
  std::vector<Event> ReloadEnded(bool ok, const std::string& error, int64_t now_ms);

 private:
  std::vector<Event> Recover(const std::string& scope, Event recovered);

  std::string project_;
  std::map<std::string, Event> open_;  // scope -> its first unresolved problem
};

class Throttle {
 public:
  // The event to send for `event` at `now_ms` (a reminder when the same
  // problem was sent before), or nullopt when it is held back.
  std::optional<Event> Admit(const Event& event, int64_t now_ms,
                             std::chrono::milliseconds repeat_every);

 private:
  struct Sent {
    int64_t at_ms = 0;
    int64_t held_back = 0;
  };
  std::map<std::string, Sent> sent_;  // problem key -> last sent
};

}  // namespace carelake::alert

#endif  // CARELAKE_ALERT_TRACKER_H_
