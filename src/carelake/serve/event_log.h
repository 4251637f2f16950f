// EventLog: what `carelake serve` tells its operator, one line per event on
// standard error — as text for people, or (--log-format json) as one JSON
// object per line for a log collector (journald, Loki, CloudWatch...).
//
// Every event has a time, a level, the project, an event name (the list is
// in doc/serve.md: trigger, run_started, step_ended, run_ended, retry,
// new_files, alert_sent, alert_failed, reload, reload_failed, serving,
// stopping, stopped, warning), a message, and where it applies the job and
// the run id; some add fields (a step's counts, an alert's target).
#ifndef CARELAKE_SERVE_EVENT_LOG_H_
#define CARELAKE_SERVE_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "carelake/base/clock.h"

namespace carelake::serve {

enum class LogLevel { kInfo, kWarning, kError };

struct LogEvent {
  LogLevel level = LogLevel::kInfo;
  std::string event;
  std::string message;
  std::string job;
  std::string run_id;
  std::vector<std::pair<std::string, std::variant<std::string, int64_t, bool>>> fields;

  LogEvent& Field(std::string key, std::variant<std::string, int64_t, bool> value) {
    fields.emplace_back(std::move(key), std::move(value));
    return *this;
  }
};

// How services report events; may be null (then nothing is logged).
using Logger = std::function<void(const LogEvent&)>;

inline LogEvent Event(std::string event, std::string message, LogLevel level = LogLevel::kInfo) {
  LogEvent e;
  e.event = std::move(event);
  e.message = std::move(message);
  e.level = level;
  return e;
}

class EventLog {
 public:
  enum class Format { kText, kJson };

  // `out` and `clock` must outlive the log.
  EventLog(std::ostream& out, Format format, std::string project, const Clock& clock)
      : out_(out), format_(format), project_(std::move(project)), clock_(clock) {}

  // Writes one line (thread-safe).
  void Emit(const LogEvent& event);
  // Emit() as a Logger.
  Logger logger() {
    return [this](const LogEvent& e) { Emit(e); };
  }

  // The line Emit() writes for `event` at `time_ms`.
  std::string Line(const LogEvent& event, int64_t time_ms) const;

 private:
  std::ostream& out_;
  Format format_;
  std::string project_;
  const Clock& clock_;
  std::mutex mu_;
};

std::string_view ToString(LogLevel level);

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_EVENT_LOG_H_
