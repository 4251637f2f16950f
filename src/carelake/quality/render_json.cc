// RenderJson: the report as a JSON document; steps in the ledger's one
// JSON form (ledger/json.h).
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "carelake/ledger/json.h"
#include "carelake/quality/render.h"

namespace carelake::quality {
namespace {

using nlohmann::ordered_json;

ordered_json NullIfEmpty(const std::string& s) {
  return s.empty() ? ordered_json() : ordered_json(s);
}

}  // namespace

std::string RenderJson(const QualityReport& report) {
  const RunRecord& run = report.run;
  ordered_json j;
  j["project"] = report.project;
  j["run"] = {{"run_id", run.run_id},
              {"started_at", FormatUtc(run.started_ms)},
              {"finished_at", FormatUtc(run.finished_ms.value_or(run.started_ms))},
              {"status", ledger::ToString(run.status)},
              {"duration_ms", run.duration_ms},
              {"committed", run.committed},
              {"failed_step", NullIfEmpty(run.failed_step)},
              {"failed_rule", NullIfEmpty(run.failed_rule)},
              {"error", NullIfEmpty(run.error)}};
  j["selected"] = report.SelectionNote();
  j["later_runs"] = report.later_runs;
  j["summary"] = {{"rules_evaluated", report.RulesEvaluated()},
                  {"rules_with_failures", report.RulesWithFailures()},
                  {"rules_failed", report.RulesFailed()}};
  ordered_json sources = ordered_json::array();
  for (const SourceIngest& s : report.sources) {
    ordered_json errors = ordered_json::array();
    for (const SourceIngest::FileError& e : s.file_errors) {
      errors.push_back({{"file", e.file},
                        {"quarantined", e.quarantined},
                        {"first_error", NullIfEmpty(e.first_error)}});
    }
    sources.push_back({{"source", s.source},
                       {"files", s.files},
                       {"records", s.records},
                       {"quarantined", s.quarantined},
                       {"file_errors", errors}});
  }
  j["bronze"] = sources;
  ordered_json tables = ordered_json::array();
  for (const TableQuality& t : report.tables) {
    ordered_json rules = ordered_json::array();
    for (const RuleRecord& r : t.rules) {
      ordered_json trend = ordered_json::array();
      for (const TrendPoint& p : r.trend) {
        trend.push_back(
            {{"run_id", p.run_id},
             {"started_at", FormatUtc(p.started_ms)},
             {"rows_checked", p.rows_checked ? ordered_json(*p.rows_checked) : ordered_json()},
             {"rows_failed", p.rows_checked ? ordered_json(p.rows_failed) : ordered_json()}});
      }
      rules.push_back({{"rule", r.rule},
                       {"action", r.action},
                       {"check_sql", NullIfEmpty(r.check_sql)},
                       {"rows_checked", r.rows_checked},
                       {"rows_failed", r.rows_failed},
                       {"failure_percent", std::round(r.FailurePercent() * 100.0) / 100.0},
                       {"status", ToString(r.outcome)},
                       {"examples", r.examples},
                       {"trend", trend}});
    }
    tables.push_back({{"table", t.table},
                      {"step", t.step ? ledger::ToJson(*t.step) : ordered_json()},
                      {"rules", rules}});
  }
  j["tables"] = tables;
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace carelake::quality
