// AlertService: the alerts of `carelake serve` (the `alerts:` section) as a
// service of the daemon. The scheduler tells it how each run ended; it
// checks the sources that declare `freshness:` every minute; the tracker
// (alert/tracker.h) turns both into events — run_failed, rule_failed,
// source_stale, recovered — and the dispatcher (alert/dispatcher.h)
// throttles and delivers them. Every delivery is logged and recorded in
// _system.alerts.
#ifndef CARELAKE_SERVE_ALERT_SERVICE_H_
#define CARELAKE_SERVE_ALERT_SERVICE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "carelake/alert/dispatcher.h"
#include "carelake/alert/tracker.h"
#include "carelake/base/clock.h"
#include "carelake/serve/event_log.h"
#include "carelake/serve/project_holder.h"
#include "carelake/serve/scheduler.h"
#include "carelake/serve/service.h"

namespace carelake::serve {

struct AlertServiceOptions {
  alert::DispatcherOptions delivery;
  std::chrono::milliseconds freshness_check{60'000};
  // Makes each target's channel; alert::MakeChannel when null.
  alert::ChannelFactory channels;
};

class AlertService : public Service {
 public:
  // `project` and `clock` must outlive the service.
  AlertService(const ProjectHolder& project, const Clock& clock, AlertServiceOptions options,
               Logger log = nullptr);
  ~AlertService() override;

  std::string_view name() const override { return "alerts"; }
  Status Start() override;
  void Stop() override;
  Health health() const override;

  // The scheduler's RunEndedHook: a run that will be retried raises
  // nothing yet.
  void RunEnded(const project::Job& job, const std::string& trigger, const JobOutcome& outcome,
                bool retry_scheduled);
  // One freshness check of the sources with `freshness:` (public for tests).
  Status CheckFreshness();
  // The project was reloaded (`ok`: the alert targets may have changed), or
  // a changed one did not load (`error`, alerted as reload_failed).
  void ReloadEnded(bool ok, const std::string& error);

 private:
  void Record(const alert::Delivery& delivery);

  const ProjectHolder& project_;
  const Clock& clock_;
  AlertServiceOptions options_;
  Logger log_;
  std::mutex mu_;  // the tracker
  alert::Tracker tracker_;
  std::unique_ptr<alert::Dispatcher> dispatcher_;
  int64_t started_ms_ = 0;
  std::jthread freshness_;
  bool started_ = false;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_ALERT_SERVICE_H_
