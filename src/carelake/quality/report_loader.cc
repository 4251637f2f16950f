#include "carelake/quality/report_loader.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

namespace carelake::quality {
namespace {

RuleOutcome Outcome(const std::string& action, int64_t rows_failed, bool stopped_run) {
  if (stopped_run) return RuleOutcome::kFailed;
  if (rows_failed == 0) return RuleOutcome::kPassed;
  if (action == "fail") return RuleOutcome::kFailed;
  if (action == "fix") return RuleOutcome::kFixed;
  if (action == "drop") return RuleOutcome::kDropped;
  if (action == "quarantine") return RuleOutcome::kQuarantined;
  return RuleOutcome::kWarned;
}

}  // namespace

Result<ReportLoader> ReportLoader::Open(const project::Project& project, FileSystem& fs,
                                        engine::Connection& conn) {
  CARELAKE_ASSIGN_OR_RETURN(ledger::Reader reader, ledger::Reader::Open(project, fs, conn));
  ReportLoader ledger(std::move(reader), project.name);
  for (const project::Source& s : project.sources) {
    ledger.sources_.emplace_back(s.name, "bronze." + s.table);
  }
  return ledger;
}

Result<RunRecord> ReportLoader::FindRun(const std::string& run_id) {
  CARELAKE_ASSIGN_OR_RETURN(std::optional<RunRecord> run, reader_.FindRun(run_id));
  if (run) return std::move(*run);
  return NotFound("no run '" + run_id + "' in the run ledger of project '" + project_ + "'");
}

Result<std::optional<RunRecord>> ReportLoader::LatestRunWithExpectations() {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<RunRecord> runs,
                            reader_.Runs({.limit = 1, .with_expectations = true}));
  if (runs.empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(std::move(runs.front()));
}

Result<std::vector<SourceIngest>> ReportLoader::LoadSources(const std::string& run_id,
                                                            const std::vector<StepRecord>& steps) {
  // Files per source, in ledger order.
  std::vector<std::string> order;
  std::map<std::string, SourceIngest> by_source;
  CARELAKE_ASSIGN_OR_RETURN(std::vector<ledger::FileRecord> files, reader_.Files(run_id));
  for (const ledger::FileRecord& f : files) {
    auto [it, inserted] = by_source.try_emplace(f.source);
    if (inserted) order.push_back(f.source);
    SourceIngest& s = it->second;
    s.source = f.source;
    ++s.files;
    s.records += f.records;
    s.quarantined += f.quarantined;
    if (f.quarantined > 0 || !f.first_error.empty()) {
      s.file_errors.push_back({f.file, f.quarantined, f.first_error});
    }
  }
  // The ingest step's counts are the bronze table's own; sources whose step
  // ran without new files show up with zeros.
  std::vector<SourceIngest> out;
  for (const auto& [name, table] : sources_) {
    auto step = std::find_if(steps.begin(), steps.end(),
                             [&](const StepRecord& s) { return s.name == table; });
    auto it = by_source.find(name);
    if (step == steps.end() && it == by_source.end()) continue;
    SourceIngest s = it != by_source.end() ? std::move(it->second) : SourceIngest{};
    s.source = name;
    if (step != steps.end()) {
      s.records = step->rows_written;
      s.quarantined = step->rows_quarantined;
    }
    if (it != by_source.end()) by_source.erase(it);
    out.push_back(std::move(s));
  }
  // Sources the ledger knows but the project no longer declares.
  for (const std::string& name : order) {
    if (auto it = by_source.find(name); it != by_source.end()) out.push_back(std::move(it->second));
  }
  return out;
}

Status ReportLoader::LoadRules(QualityReport& report, const PiiMasker& masker) {
  // A section per silver step and per table with rule results, in step
  // order; tables without a step of this run last.
  for (const StepRecord& s : report.steps) {
    if (s.kind == "silver") report.tables.push_back({s.name, s, {}});
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<ledger::ExpectationRecord> rows,
                            reader_.Expectations({report.run.run_id}));
  std::vector<TableQuality> extra;
  for (const ledger::ExpectationRecord& e : rows) {
    const std::string& table = e.table;
    auto find = [&](std::vector<TableQuality>& v) {
      return std::find_if(v.begin(), v.end(),
                          [&](const TableQuality& t) { return t.table == table; });
    };
    TableQuality* t = nullptr;
    if (auto it = find(report.tables); it != report.tables.end()) {
      t = &*it;
    } else if (auto it2 = find(extra); it2 != extra.end()) {
      t = &*it2;
    } else {
      TableQuality fresh{table, std::nullopt, {}};
      auto step = std::find_if(report.steps.begin(), report.steps.end(),
                               [&](const StepRecord& s) { return s.name == table; });
      if (step != report.steps.end()) fresh.step = *step;
      extra.push_back(std::move(fresh));
      t = &extra.back();
    }
    RuleRecord r;
    r.rule = e.rule;
    r.action = e.action;
    r.check_sql = e.check_sql;
    r.rows_checked = e.rows_checked;
    r.rows_failed = e.rows_failed;
    for (const std::string& x : e.examples) r.examples.push_back(masker.Mask(x));
    r.outcome = Outcome(r.action, r.rows_failed,
                        report.run.failed_step == table && report.run.failed_rule == r.rule);
    t->rules.push_back(std::move(r));
  }
  // Model tables with rules go after the silver tables, in step order.
  std::stable_sort(extra.begin(), extra.end(), [&](const TableQuality& a, const TableQuality& b) {
    auto pos = [&](const TableQuality& t) {
      return t.step ? t.step->started_ms : std::numeric_limits<int64_t>::max();
    };
    return pos(a) < pos(b);
  });
  for (TableQuality& t : extra) report.tables.push_back(std::move(t));
  return Status::Ok();
}

Status ReportLoader::LoadTrends(QualityReport& report) {
  // The trend window: the last kTrendRuns runs with expectation results, up
  // to and including this one.
  CARELAKE_ASSIGN_OR_RETURN(std::vector<RunRecord> runs,
                            reader_.Runs({.limit = kTrendRuns,
                                          .with_expectations = true,
                                          .started_at_most_ms = report.run.started_ms}));
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) report.trend_runs.push_back(*it);
  std::vector<std::string> ids;
  for (const RunRecord& r : report.trend_runs) ids.push_back(r.run_id);
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::pair<int64_t, int64_t>>>
      counts;  // (table, rule) -> run_id -> (checked, failed)
  CARELAKE_ASSIGN_OR_RETURN(std::vector<ledger::ExpectationRecord> rows, reader_.Expectations(ids));
  for (const ledger::ExpectationRecord& e : rows) {
    counts[{e.table, e.rule}][e.run_id] = {e.rows_checked, e.rows_failed};
  }
  for (TableQuality& t : report.tables) {
    for (RuleRecord& r : t.rules) {
      const auto& per_run = counts[{t.table, r.rule}];
      for (const RunRecord& run : report.trend_runs) {
        TrendPoint p{run.run_id, run.started_ms, std::nullopt, 0};
        if (auto it = per_run.find(run.run_id); it != per_run.end()) {
          p.rows_checked = it->second.first;
          p.rows_failed = it->second.second;
        }
        r.trend.push_back(std::move(p));
      }
    }
  }
  return Status::Ok();
}

Result<QualityReport> ReportLoader::LoadReport(const std::optional<std::string>& run_id,
                                               const PiiMasker& masker) {
  QualityReport report;
  report.project = project_;
  if (run_id) {
    CARELAKE_ASSIGN_OR_RETURN(report.run, FindRun(*run_id));
    report.chosen_by_id = true;
  } else {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<RunRecord> latest, LatestRunWithExpectations());
    if (!latest) {
      return NotFound(has_runs() ? "no run of project '" + project_ +
                                       "' has evaluated data-quality rules yet"
                                 : "no runs yet");
    }
    report.run = std::move(*latest);
  }
  CARELAKE_ASSIGN_OR_RETURN(report.later_runs,
                            reader_.CountRunsStartedAfter(report.run.started_ms));
  CARELAKE_ASSIGN_OR_RETURN(report.steps, reader_.Steps(report.run.run_id));
  CARELAKE_ASSIGN_OR_RETURN(report.sources, LoadSources(report.run.run_id, report.steps));
  CARELAKE_RETURN_IF_ERROR(LoadRules(report, masker));
  CARELAKE_RETURN_IF_ERROR(LoadTrends(report));
  return report;
}

}  // namespace carelake::quality
