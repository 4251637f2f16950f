#include "carelake/alert/tracker.h"

#include <utility>

namespace carelake::alert {

std::vector<Event> Tracker::Recover(const std::string& scope, Event recovered) {
  auto it = open_.find(scope);
  if (it == open_.end()) return {};
  recovered.kind = Kind::kRecovered;
  recovered.resolves = project::ToString(it->second.kind);
  recovered.problem_since_ms = it->second.time_ms;
  open_.erase(it);
  return {std::move(recovered)};
}

std::vector<Event> Tracker::RunEnded(const RunEnd& run) {
  if (run.cancelled) return {};
  Event e;
  e.project = project_;
  e.time_ms = run.time_ms;
  e.job = run.job;
  e.trigger = run.trigger;
  e.run_id = run.run_id;
  if (run.succeeded) {
    const std::string scope = Scope(e);
    return Recover(scope, std::move(e));
  }
  e.kind = run.failed_rule.empty() ? Kind::kRunFailed : Kind::kRuleFailed;
  e.step = run.failed_step;
  e.rule = run.failed_rule;
  e.rows_checked = run.rows_checked;
  e.rows_failed = run.rows_failed;
  e.error = run.error;
  open_.try_emplace(Scope(e), e);  // the first failure of a streak is its start
  return {std::move(e)};
}

std::vector<Event> Tracker::SourceChecked(const std::string& source, int64_t last_data_ms,
                                          std::chrono::milliseconds warn_after, int64_t now_ms,
                                          int64_t since_ms) {
  Event e;
  e.project = project_;
  e.time_ms = now_ms;
  e.source = source;
  e.last_data_ms = last_data_ms;
  e.warn_after_ms = warn_after.count();
  const int64_t reference = last_data_ms > 0 ? last_data_ms : since_ms;
  if (now_ms - reference <= warn_after.count()) {
    const std::string scope = Scope(e);
    return Recover(scope, std::move(e));
  }
  e.kind = Kind::kSourceStale;
  open_.try_emplace(Scope(e), e);
  return {std::move(e)};
}

std::vector<Event> Tracker::ReloadEnded(bool ok, const std::string& error, int64_t now_ms) {
  Event e;
  e.project = project_;
  e.time_ms = now_ms;
  e.about_project = true;
  if (ok) {
    const std::string scope = Scope(e);
    return Recover(scope, std::move(e));
  }
  e.kind = Kind::kReloadFailed;
  e.error = error;
  open_.try_emplace(Scope(e), e);
  return {std::move(e)};
}

std::optional<Event> Throttle::Admit(const Event& event, int64_t now_ms,
                                     std::chrono::milliseconds repeat_every) {
  if (event.kind == Kind::kRecovered) {
    const std::string prefix = Scope(event) + "|";
    for (auto it = sent_.begin(); it != sent_.end();) {
      it = it->first.rfind(prefix, 0) == 0 ? sent_.erase(it) : std::next(it);
    }
    return event;
  }
  const std::string key = ProblemKey(event);
  auto it = sent_.find(key);
  if (it == sent_.end()) {
    sent_[key] = Sent{now_ms, 0};
    return event;
  }
  if (now_ms - it->second.at_ms < repeat_every.count()) {
    ++it->second.held_back;
    return std::nullopt;
  }
  Event reminder = event;
  reminder.reminder = true;
  reminder.suppressed = it->second.held_back;
  it->second = Sent{now_ms, 0};
  return reminder;
}

}  // namespace carelake::alert
