#include "carelake/alert/event.h"

#include <nlohmann/json.hpp>

#include "carelake/ledger/json.h"

namespace carelake::alert {
namespace {

// ISO 8601 in UTC: "2026-11-22T21:26:17Z"; "" for 0.
std::string Utc(int64_t ms) { return ms > 0 ? ledger::FormatIsoUtc(ms) : ""; }

std::string Duration(int64_t ms) {
  const int64_t minutes = ms / 60'000;
  if (minutes < 60) return std::to_string(minutes) + " min";
  if (minutes < 48 * 60) {
    return std::to_string(minutes / 60) + " h" +
           (minutes % 60 ? " " + std::to_string(minutes % 60) + " min" : "");
  }
  return std::to_string(minutes / (24 * 60)) + " days";
}

nlohmann::ordered_json Document(const Event& e, const std::string& alert_name) {
  nlohmann::ordered_json j;
  j["carelake_alert"] = 1;
  j["event"] = project::ToString(e.kind);
  j["summary"] = Summary(e);
  j["project"] = e.project;
  j["alert"] = alert_name;
  j["time"] = Utc(e.time_ms);
  j["job"] = e.job;
  j["trigger"] = e.trigger;
  j["run_id"] = e.run_id;
  j["step"] = e.step;
  j["rule"] = e.rule;
  j["rows_checked"] = e.rows_checked;
  j["rows_failed"] = e.rows_failed;
  j["error"] = e.error;
  j["source"] = e.source;
  j["last_data"] = Utc(e.last_data_ms);
  j["warn_after_seconds"] = e.warn_after_ms / 1000;
  j["resolves"] = e.resolves;
  j["problem_since"] = Utc(e.problem_since_ms);
  j["reminder"] = e.reminder;
  j["suppressed"] = e.suppressed;
  return j;
}

}  // namespace

std::string Scope(const Event& e) {
  if (e.about_project) return "project";
  return e.source.empty() ? "job:" + e.job : "source:" + e.source;
}

std::string ProblemKey(const Event& e) {
  return Scope(e) + "|" + project::ToString(e.kind) + "|" + e.step + "|" + e.rule;
}

std::string Summary(const Event& e) {
  std::string s = e.project + ": ";
  switch (e.kind) {
    case Kind::kRunFailed:
      s += "job " + e.job + " failed" + (e.step.empty() ? "" : " in " + e.step) +
           (e.error.empty() ? "" : ": " + e.error);
      break;
    case Kind::kRuleFailed:
      s += "job " + e.job + " stopped by rule " + e.rule + (e.step.empty() ? "" : " of " + e.step) +
           ": " + std::to_string(e.rows_failed) + " of " + std::to_string(e.rows_checked) +
           " rows failed";
      break;
    case Kind::kSourceStale:
      s += "source " + e.source + " has had no new data for " +
           (e.last_data_ms > 0 ? Duration(e.time_ms - e.last_data_ms) : "ever") + " (warn after " +
           Duration(e.warn_after_ms) + ")";
      break;
    case Kind::kReloadFailed:
      s += "the changed project did not load; the previous configuration keeps running: " + e.error;
      break;
    case Kind::kRecovered:
      s += (e.about_project    ? std::string("the project loaded again")
            : e.source.empty() ? "job " + e.job + " succeeded again"
                               : "source " + e.source + " has new data again") +
           " (" + e.resolves +
           (e.problem_since_ms > 0 ? " for " + Duration(e.time_ms - e.problem_since_ms) : "") + ")";
      break;
  }
  if (e.reminder) s += " [still failing; " + std::to_string(e.suppressed) + " repeats not sent]";
  return s;
}

std::string ToJson(const Event& e, const std::string& alert_name) {
  return Document(e, alert_name).dump();
}

Result<std::string> FillTemplate(const std::string& text, const Event& e,
                                 const std::string& alert_name) {
  const nlohmann::ordered_json doc = Document(e, alert_name);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("{{", i);
    if (open == std::string::npos) {
      out += text.substr(i);
      break;
    }
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      return InvalidArgument("template: '{{' at offset " + std::to_string(open) +
                             " does not close with '}}'");
    }
    out += text.substr(i, open - i);
    std::string field = text.substr(open + 2, close - open - 2);
    while (!field.empty() && field.front() == ' ') field.erase(0, 1);
    while (!field.empty() && field.back() == ' ') field.pop_back();
    auto it = doc.find(field);
    if (it == doc.end()) return InvalidArgument("template: no field '" + field + "' in an alert");
    std::string value = it->dump();
    if (it->is_string()) value = value.substr(1, value.size() - 2);
    out += value;
    i = close + 2;
  }
  return out;
}

std::string MailSubject(const Event& e) {
  std::string s = "[carelake] " + e.project + ": " + project::ToString(e.kind);
  if (!e.job.empty()) s += " job " + e.job;
  if (!e.source.empty()) s += " source " + e.source;
  if (e.reminder) s += " (reminder)";
  return s;
}

std::string MailBody(const Event& e) {
  std::string b = Summary(e) + "\n\n";
  auto line = [&b](const std::string& key, const std::string& value) {
    if (!value.empty()) b += key + ": " + value + "\n";
  };
  line("Project", e.project);
  line("Event", project::ToString(e.kind));
  line("Time", Utc(e.time_ms));
  line("Job", e.job);
  line("Trigger", e.trigger);
  line("Run", e.run_id);
  line("Step", e.step);
  line("Rule", e.rule);
  if (!e.rule.empty()) {
    line("Rows failed", std::to_string(e.rows_failed) + " of " + std::to_string(e.rows_checked));
  }
  line("Error", e.error);
  line("Source", e.source);
  line("Last new data", Utc(e.last_data_ms));
  line("Resolves", e.resolves);
  line("Problem since", Utc(e.problem_since_ms));
  if (e.reminder) line("Not sent since the last alert", std::to_string(e.suppressed));
  b += "\nSee `carelake runs` or GET /api/runs for details.\n";
  return b;
}

}  // namespace carelake::alert
