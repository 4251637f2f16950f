// Reloader: reloads the project while the daemon runs — when its files
// change on disk (carelake.yaml and models/, polled) or when asked (SIGHUP
// calls Request()). A project that loads becomes current for the next run,
// poll and request (ProjectHolder); the scheduler takes its jobs and the
// alerts their targets. One that does not load — or changes the project's
// name or lake, which needs a restart — is logged with its file:line error
// and alerted (reload_failed), and the previous configuration keeps
// running.
#ifndef CARELAKE_SERVE_RELOADER_H_
#define CARELAKE_SERVE_RELOADER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "carelake/serve/alert_service.h"
#include "carelake/serve/project_holder.h"
#include "carelake/serve/scheduler.h"
#include "carelake/serve/service.h"

namespace carelake::serve {

class Reloader : public Service {
 public:
  // All must outlive the reloader. `lake` is the --lake override ("" for
  // the project's own).
  Reloader(ProjectHolder& project, std::string lake, Scheduler& scheduler, AlertService& alerts,
           std::chrono::milliseconds poll = std::chrono::seconds(1), Logger log = nullptr);
  ~Reloader() override;

  std::string_view name() const override { return "reloader"; }
  Status Start() override;
  void Stop() override;
  Health health() const override;

  // Asks for a reload (from any thread; the reloader's thread does it).
  void Request(const std::string& why);
  // Reloads now; the error when the project did not load (public for tests).
  Status Reload(const std::string& why);
  // The project files' sizes and modification times, to notice changes.
  std::string Fingerprint() const;

 private:
  ProjectHolder& project_;
  std::string lake_;
  Scheduler& scheduler_;
  AlertService& alerts_;
  std::chrono::milliseconds poll_;
  Logger log_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;
  std::string requested_;  // why a reload was asked for; "" when not
  std::string fingerprint_;
  std::string last_error_;
  std::jthread thread_;
  bool started_ = false;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_RELOADER_H_
