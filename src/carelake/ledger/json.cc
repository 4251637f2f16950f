#include "carelake/ledger/json.h"

#include <ctime>

namespace carelake::ledger {
namespace {

using nlohmann::ordered_json;

ordered_json TextOrNull(const std::string& s) {
  return s.empty() ? ordered_json() : ordered_json(s);
}

std::string FormatSeconds(int64_t epoch_ms, const char* format) {
  std::time_t t =
      static_cast<std::time_t>(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

}  // namespace

std::string FormatUtc(int64_t epoch_ms) { return FormatSeconds(epoch_ms, "%Y-%m-%d %H:%M:%S UTC"); }

std::string FormatIsoUtc(int64_t epoch_ms) { return FormatSeconds(epoch_ms, "%Y-%m-%dT%H:%M:%SZ"); }

ordered_json ToJson(const StepRecord& s) {
  ordered_json j = {
      {"step", s.name},
      {"kind", s.kind},
      {"status", ToString(s.status)},
      {"rows_read", s.rows_read},
      {"rows_written", s.rows_written},
      {"rows_quarantined", s.rows_quarantined},
      {"rows_dropped", s.rows_dropped},
      {"rows_deduplicated", s.rows_deduplicated},
      {"rows_fixed", s.rows_fixed},
      {"rows_warned", s.rows_warned},
      {"files", s.files},
      {"table_version", s.version ? ordered_json(*s.version) : ordered_json()},
      {"started_at", FormatUtc(s.started_ms)},
      {"duration_ms", s.duration_ms},
      {"mode", s.mode == model::BuildMode::kNone ? ordered_json() : ordered_json(ToString(s.mode))},
      {"reason", TextOrNull(s.reason)},
      {"message", TextOrNull(s.message)}};
  if (s.HasRowAccount()) j["reconciles"] = s.Reconciles();
  return j;
}

ordered_json ToJson(const RunRecord& r) {
  return {{"run_id", r.run_id},
          {"project", r.project},
          {"status", ToString(r.status)},
          {"started_at", FormatUtc(r.started_ms)},
          {"finished_at", r.finished_ms ? ordered_json(FormatUtc(*r.finished_ms)) : ordered_json()},
          {"duration_ms", r.duration_ms},
          {"steps", r.steps},
          {"rows_written", r.rows_written},
          {"rows_quarantined", r.rows_quarantined},
          {"committed", r.committed},
          {"selection", TextOrNull(r.selection)},
          {"full_refresh", r.full_refresh},
          {"failed_step", TextOrNull(r.failed_step)},
          {"failed_rule", TextOrNull(r.failed_rule)},
          {"error", TextOrNull(r.error)},
          {"job", TextOrNull(r.job)},
          {"trigger", TextOrNull(r.trigger)}};
}

ordered_json ToJson(const ExpectationRecord& e) {
  return {{"table", e.table},
          {"rule", e.rule},
          {"action", e.action},
          {"check_sql", TextOrNull(e.check_sql)},
          {"rows_checked", e.rows_checked},
          {"rows_failed", e.rows_failed}};
}

}  // namespace carelake::ledger
