// Dispatcher: delivers the alerts of `carelake serve`. Raise() decides, per
// alert target, whether the event goes out (the target wants that event;
// its Throttle lets it through) and queues it; a worker thread delivers
// the queue, retrying a failed delivery with exponential backoff when the
// failure can pass (a timeout, an unreachable host, HTTP 5xx, 408 or 429,
// a command's failure). Every delivery that ended — sent, or given up on —
// is reported to `on_delivery` (the daemon logs it, counts it and records
// it in _system.alerts). A failed delivery never stops anything else.
//
// Which targets get an event: those whose `on:` names its kind; a
// rule_failed event also goes to targets of run_failed (the run failed),
// once.
#ifndef CARELAKE_ALERT_DISPATCHER_H_
#define CARELAKE_ALERT_DISPATCHER_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "carelake/alert/channel.h"
#include "carelake/alert/event.h"
#include "carelake/alert/tracker.h"
#include "carelake/base/clock.h"
#include "carelake/project/project.h"

namespace carelake::alert {

// One alert delivered, or given up on.
struct Delivery {
  std::string target;   // the alert's name in carelake.yaml
  std::string channel;  // webhook, email or command
  Event event;
  bool sent = false;
  int attempts = 0;
  std::string error;  // the last attempt's, when not sent
  int64_t time_ms = 0;
};

struct DispatcherOptions {
  int attempts = 4;                         // per delivery, the first included
  std::chrono::milliseconds backoff{2000};  // before the 2nd attempt; doubled each time
  // At Stop(), queued deliveries get one more attempt each within this time.
  std::chrono::milliseconds drain{5000};
};

using ChannelFactory = std::function<std::unique_ptr<Channel>(const project::AlertTarget&)>;

class Dispatcher {
 public:
  // `clock` stamps events and throttles; must outlive the dispatcher.
  Dispatcher(std::vector<project::AlertTarget> targets, ChannelFactory factory, const Clock& clock,
             DispatcherOptions options, std::function<void(const Delivery&)> on_delivery);
  ~Dispatcher();

  void Start();
  void Stop();

  // Queues `event` for the targets that want it and let it through.
  void Raise(const Event& event);
  // New targets (a reloaded project); a target that keeps its name keeps
  // its throttle. Deliveries already queued go out as they were.
  void Reload(std::vector<project::AlertTarget> targets);

  size_t queued() const;

 private:
  struct Target {
    project::AlertTarget spec;
    std::shared_ptr<Channel> channel;
    Throttle throttle;
  };
  struct Pending {
    std::string target;
    std::shared_ptr<Channel> channel;
    Event event;
    int attempts = 0;
    std::chrono::steady_clock::time_point due;
    std::string last_error;
  };
  void Loop(std::stop_token stop);
  void Attempt(Pending pending, bool last_chance);
  void Report(const Pending& p, bool sent);

  ChannelFactory factory_;
  const Clock& clock_;
  DispatcherOptions options_;
  std::function<void(const Delivery&)> on_delivery_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;
  std::vector<Target> targets_;
  std::deque<Pending> queue_;
  std::jthread thread_;
};

}  // namespace carelake::alert

#endif  // CARELAKE_ALERT_DISPATCHER_H_
