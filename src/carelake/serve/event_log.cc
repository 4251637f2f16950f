#include "carelake/serve/event_log.h"

#include <nlohmann/json.hpp>

#include "carelake/ledger/json.h"

namespace carelake::serve {

std::string_view ToString(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string EventLog::Line(const LogEvent& e, int64_t time_ms) const {
  if (format_ == Format::kJson) {
    nlohmann::ordered_json j;
    j["time"] = ledger::FormatIsoUtc(time_ms);
    j["level"] = ToString(e.level);
    j["project"] = project_;
    j["event"] = e.event;
    if (!e.job.empty()) j["job"] = e.job;
    if (!e.run_id.empty()) j["run_id"] = e.run_id;
    j["message"] = e.message;
    for (const auto& [key, value] : e.fields) {
      std::visit([&j, &key](const auto& v) { j[key] = v; }, value);
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = ledger::FormatUtc(time_ms);
  if (e.level != LogLevel::kInfo) line += " " + std::string(ToString(e.level)) + ":";
  line += " " + e.message;
  return line;
}

void EventLog::Emit(const LogEvent& event) {
  const std::string line = Line(event, clock_.WallMillis());
  std::lock_guard<std::mutex> lock(mu_);
  out_ << line << std::endl;
}

}  // namespace carelake::serve
