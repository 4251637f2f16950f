#include "carelake/pipeline/runner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "carelake/base/uuid.h"
#include "carelake/catalog/catalog.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/delta/transaction.h"
#include "carelake/engine/interrupter.h"
#include "carelake/ledger/writer.h"
#include "carelake/model/dimension.h"
#include "carelake/model/gold.h"
#include "carelake/sql/statement.h"

namespace carelake::pipeline {
namespace {

using catalog::CatalogTable;
using catalog::kQuarantineSuffix;
using catalog::ProjectTables;
using catalog::RegisterViews;
using catalog::TablePaths;

// The run as the ledger's `runs` row: status from the report.
ledger::RunRecord RunRecordOf(const project::Project& project, const RunOptions& options,
                              const RunReport& report) {
  ledger::RunRecord run;
  run.run_id = report.run_id;
  run.project = project.name;
  run.started_ms = report.started_ms;
  run.finished_ms = report.started_ms + report.duration_ms;
  run.status = report.succeeded   ? ledger::RunStatus::kSucceeded
               : report.cancelled ? ledger::RunStatus::kCancelled
                                  : ledger::RunStatus::kFailed;
  run.duration_ms = report.duration_ms;
  run.steps = static_cast<int64_t>(report.steps.size());
  for (const StepReport& s : report.steps) {
    run.rows_written += s.rows_written;
    run.rows_quarantined += s.rows_quarantined;
  }
  run.committed = report.CommittedAnything();
  for (const std::string& s : options.select) {
    run.selection += (run.selection.empty() ? "" : " ") + s;
  }
  run.full_refresh = options.full_refresh;
  run.failed_step = report.failed_step;
  run.failed_rule = report.failed_rule;
  run.error = report.error;
  return run;
}

// A step's request, as a run and a forecast make it (run id unset).
ingest::IngestRequest IngestRequestFor(const project::Project& project, const Step& step,
                                       const std::map<std::string, std::string>& paths) {
  ingest::IngestRequest req;
  req.source = step.source;
  req.project_dir = project.dir;
  req.bronze_path = paths.at(step.name);
  req.quarantine_path = paths.at(step.name + kQuarantineSuffix);
  return req;
}

model::SilverRequest SilverRequestFor(const project::Project& project, const Step& step,
                                      const std::map<std::string, std::string>& paths,
                                      const RunOptions& options) {
  model::SilverRequest req;
  req.table = step.silver;
  req.upstream_name = step.silver->from;
  req.upstream_path = paths.at(step.silver->from);
  req.target_path = paths.at(step.name);
  req.quarantine_path = paths.at(step.name + kQuarantineSuffix);
  req.full_refresh = options.full_refresh;
  req.on_definition_change =
      step.silver->on_definition_change.value_or(project.on_definition_change);
  return req;
}

model::ModelRequest ModelRequestFor(const project::Project& project, const Step& step,
                                    const std::map<std::string, std::string>& paths,
                                    const RunOptions& options) {
  model::ModelRequest req;
  req.model = step.model;
  req.target_path = paths.at(step.name);
  req.upstream_paths = paths;
  req.full_refresh = options.full_refresh;
  req.on_definition_change =
      step.model->on_definition_change.value_or(project.on_definition_change);
  return req;
}

}  // namespace

std::string ToString(StepKind kind) {
  switch (kind) {
    case StepKind::kIngest:
      return "ingest";
    case StepKind::kSilver:
      return "silver";
    case StepKind::kModel:
      return "model";
  }
  return "?";
}

bool RunReport::CommittedAnything() const {
  return std::any_of(steps.begin(), steps.end(),
                     [](const StepReport& s) { return s.status == StepStatus::kCommitted; });
}

Result<std::vector<Step>> PlanSteps(const project::Project& project, engine::Connection& conn,
                                    std::string* failed_step) {
  std::vector<Step> all;
  for (const project::Source& s : project.sources) {
    all.push_back({StepKind::kIngest, "bronze." + s.table, {}, &s, nullptr, nullptr});
  }
  for (const project::SilverTable& t : project.silver) {
    all.push_back({StepKind::kSilver, "silver." + t.name, {t.from}, nullptr, &t, nullptr});
  }
  // Bare table names the project declares, for a hint when SQL omits the layer.
  std::map<std::string, std::string> bare;
  std::set<std::string> declared;
  for (const CatalogTable& t : ProjectTables(project)) {
    auto [it, fresh] = bare.emplace(t.name, t.Qualified());
    if (!fresh) it->second += " or " + t.Qualified();
    declared.insert(t.Qualified());
  }
  auto fail = [&](const std::string& step, Status status) {
    if (failed_step != nullptr) *failed_step = step;
    return status;
  };
  for (const project::Model& m : project.models) {
    Step step{StepKind::kModel, "gold." + m.name, {}, nullptr, nullptr, &m};
    auto parsed = model::ParseModel(m, conn);
    if (!parsed.ok()) return fail(step.name, parsed.status());
    for (const sql::TableRef& r : parsed->refs) {
      const std::string file = m.sql_file.empty() ? m.origin.ToString() : m.sql_file;
      if (r.schema.empty() && !r.new_rows) {
        auto it = bare.find(r.name);
        if (it == bare.end()) continue;  // not the project's: DuckDB's business
        return fail(step.name, InvalidArgument(sql::PointAt(
                                   file, m.sql, r.begin,
                                   "'" + r.name +
                                       "' names no table: tables are named layer.name; "
                                       "did you mean " +
                                       it->second + "?")));
      }
      std::string q = r.schema + "." + r.name;
      std::transform(q.begin(), q.begin() + r.schema.size(), q.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (r.catalog.empty() &&
          parsed->inputs.end() != std::find(parsed->inputs.begin(), parsed->inputs.end(), q) &&
          !declared.count(q)) {
        std::string known;
        for (const CatalogTable& t : ProjectTables(project)) {
          if (catalog::ToString(t.layer) == q.substr(0, q.find('.')) &&
              t.name.find("__") == std::string::npos)
            known += (known.empty() ? "" : ", ") + t.Qualified();
        }
        return fail(step.name, InvalidArgument(sql::PointAt(
                                   file, m.sql, r.begin,
                                   "reads '" + q + "', which the project does not declare" +
                                       (known.empty() ? "" : " (it declares " + known + ")"))));
      }
    }
    std::set<std::string> seen;
    for (const std::string& input : parsed->inputs) {
      // A quarantine or changes table belongs to the step of its table.
      const std::string q = catalog::OwnerTable(input);
      if (q.rfind("_system.", 0) == 0 || q == step.name || !seen.insert(q).second) continue;
      step.upstream.push_back(q);
    }
    all.push_back(std::move(step));
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < all.size(); ++i) index[all[i].name] = i;
  for (const Step& s : all) {
    for (const std::string& u : s.upstream) {
      if (!index.count(u)) {
        const project::Origin& o = s.model ? s.model->origin : s.silver->origin;
        return fail(s.name, InvalidArgument(o.ToString() + ": " + s.name + " reads '" + u +
                                            "', which the project does not declare"));
      }
    }
  }
  // Topological order, stable with respect to declaration order.
  std::vector<Step> ordered;
  std::vector<int> state(all.size(), 0);  // 0 new, 1 visiting, 2 done
  std::function<Status(size_t, std::vector<std::string>&)> visit =
      [&](size_t i, std::vector<std::string>& path) -> Status {
    if (state[i] == 2) return Status::Ok();
    path.push_back(all[i].name);
    if (state[i] == 1) {
      std::string cycle;
      for (const std::string& p : path) cycle += (cycle.empty() ? "" : " -> ") + p;
      return InvalidArgument("the project's tables depend on each other in a cycle: " + cycle);
    }
    state[i] = 1;
    for (const std::string& u : all[i].upstream) CARELAKE_RETURN_IF_ERROR(visit(index[u], path));
    state[i] = 2;
    path.pop_back();
    ordered.push_back(all[i]);
    return Status::Ok();
  };
  for (size_t i = 0; i < all.size(); ++i) {
    std::vector<std::string> path;
    CARELAKE_RETURN_IF_ERROR(visit(i, path));
  }
  return ordered;
}

Result<std::vector<Step>> SelectSteps(const std::vector<Step>& steps,
                                      const std::vector<std::string>& selectors) {
  if (selectors.empty()) return steps;
  std::set<std::string> chosen;
  for (std::string sel : selectors) {
    bool up = false, down = false;
    if (!sel.empty() && sel.front() == '+') {
      up = true;
      sel.erase(0, 1);
    }
    if (!sel.empty() && sel.back() == '+') {
      down = true;
      sel.pop_back();
    }
    std::vector<std::string> matches;
    for (const Step& s : steps) {
      if (s.name == sel || s.name.substr(s.name.find('.') + 1) == sel) matches.push_back(s.name);
    }
    if (matches.empty()) {
      std::string names;
      for (const Step& s : steps) names += (names.empty() ? "" : ", ") + s.name;
      return InvalidArgument("--select '" + sel + "' matches no table (the project has: " + names +
                             ")");
    }
    if (matches.size() > 1) {
      return InvalidArgument("--select '" + sel + "' is ambiguous: " + matches[0] + " or " +
                             matches[1] + "; use the layer.name form");
    }
    const std::string root = matches[0];
    chosen.insert(root);
    if (up) {  // steps are in dependency order: walk backwards
      std::set<std::string> need = {root};
      for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        if (!need.count(it->name)) continue;
        chosen.insert(it->name);
        need.insert(it->upstream.begin(), it->upstream.end());
      }
    }
    if (down) {
      std::set<std::string> reached = {root};
      for (const Step& s : steps) {
        for (const std::string& u : s.upstream) {
          if (reached.count(u)) reached.insert(s.name);
        }
      }
      chosen.insert(reached.begin(), reached.end());
    }
  }
  std::vector<Step> out;
  for (const Step& s : steps) {
    if (chosen.count(s.name)) out.push_back(s);
  }
  return out;
}

Result<std::vector<StepForecast>> ForecastRun(const project::Project& project,
                                              const RunOptions& options, FileSystem& fs,
                                              engine::Connection& conn) {
  std::string failed_step;
  auto planned = PlanSteps(project, conn, &failed_step);
  if (!planned.ok()) {
    return Status(planned.status().code(),
                  (failed_step.empty() ? "" : failed_step + ": ") + planned.status().message());
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Step> steps, SelectSteps(*planned, options.select));
  const std::map<std::string, std::string> paths = TablePaths(project);
  CARELAKE_RETURN_IF_ERROR(RegisterViews(project, fs, conn).status());
  std::set<std::string> running;  // steps forecast to commit
  std::vector<StepForecast> out;
  for (const Step& step : steps) {
    StepForecast f;
    f.name = step.name;
    f.kind = step.kind;
    std::string after;  // an upstream step that would commit first
    for (const std::string& u : step.upstream) {
      if (running.count(u)) after += (after.empty() ? "" : ", ") + u;
    }
    Status status;
    switch (step.kind) {
      case StepKind::kIngest: {
        ingest::IngestRequest req = IngestRequestFor(project, step, paths);
        auto r = ingest::ListPendingFiles(req, fs, conn);
        if (!r.ok()) {
          status = r.status();
          break;
        }
        f.runs = !r->new_files.empty();
        f.mode = f.runs ? model::BuildMode::kIncremental : model::BuildMode::kNone;
        f.reason =
            f.runs ? std::to_string(r->new_files.size()) + " new files (" +
                         std::to_string(r->new_bytes) + " bytes)"
                   : "no new files (" + std::to_string(r->already_ingested) + " already ingested)";
        break;
      }
      case StepKind::kSilver: {
        model::SilverRequest req = SilverRequestFor(project, step, paths, options);
        auto r = model::ForecastSilver(req, fs, conn);
        if (!r.ok()) {
          status = r.status();
          break;
        }
        f.runs = r->runs;
        f.mode = r->mode;
        f.reason = r->reason;
        break;
      }
      case StepKind::kModel: {
        model::ModelRequest req = ModelRequestFor(project, step, paths, options);
        auto r = model::ForecastModel(req, fs, conn);
        if (!r.ok()) {
          // An upstream with no data yet that would get some: runs after it.
          if (after.empty() || r.status().code() != StatusCode::kFailedPrecondition) {
            status = r.status();
          }
          break;
        }
        f.runs = r->runs;
        f.mode = r->mode;
        f.reason = r->reason;
        break;
      }
    }
    if (!status.ok()) {
      f.error = status.message();
    } else if (!f.runs && !after.empty()) {
      f.runs = true;
      const bool full =
          step.model != nullptr && step.model->materialized == project::Materialization::kFull;
      f.mode = full ? model::BuildMode::kFull : model::BuildMode::kIncremental;
      f.reason = "after " + after + " commits";
    }
    if (f.runs && f.error.empty()) running.insert(step.name);
    out.push_back(std::move(f));
  }
  return out;
}

Result<RunReport> RunProject(const project::Project& project, const RunOptions& options,
                             FileSystem& fs, engine::Connection& conn) {
  RunReport report;
  report.run_id = NewUuid();
  const Clock& clock = OrDefault(options.clock);
  report.started_ms = clock.WallMillis();
  const int64_t run_start = clock.MonotonicMillis();
  // Recorded before anything runs: a run that cannot be recorded does not
  // start, and a run whose process dies shows as `started`.
  ledger::Writer writer(fs, project.lake, conn, &clock);
  CARELAKE_RETURN_IF_ERROR(writer.RecordRunStart(RunRecordOf(project, options, report)));
  auto fail_run = [&](const std::string& step, const std::string& error) {
    report.succeeded = false;
    report.failed_step = step;
    report.error = error;
  };
  std::string plan_step;
  auto planned = PlanSteps(project, conn, &plan_step);
  std::vector<Step> steps;
  if (planned.ok()) {
    auto selected = SelectSteps(*planned, options.select);
    if (selected.ok()) {
      steps = std::move(*selected);
    } else {
      fail_run("", selected.status().message());
    }
  } else {
    fail_run(plan_step, planned.status().message());
  }
  const std::map<std::string, std::string> paths = TablePaths(project);
  auto cancel_run = [&](const std::string& step) {
    report.succeeded = false;
    report.cancelled = true;
    report.failed_step = step;
    report.error = "cancelled on request in " + step + "; what earlier steps committed stays";
  };
  std::optional<engine::Interrupter> interrupter;
  interrupter.emplace(conn, options.stop);
  for (const Step& step : steps) {
    if (!report.succeeded) break;
    if (options.stop.stop_requested()) {
      cancel_run(step.name);
      break;
    }
    StepReport sr;
    sr.name = step.name;
    sr.kind = ToString(step.kind);
    sr.started_ms = clock.WallMillis();
    const int64_t step_start = clock.MonotonicMillis();
    if (options.on_step) options.on_step(sr, false);
    Status status;
    switch (step.kind) {
      case StepKind::kIngest: {
        ingest::IngestRequest req = IngestRequestFor(project, step, paths);
        req.run_id = report.run_id;
        req.progress = options.on_progress;
        req.clock = &clock;
        req.executor = options.executor;
        req.stop = options.stop;
        auto r = ingest::IngestFiles(req, fs, conn);
        if (!r.ok()) {
          status = r.status();
          break;
        }
        sr.files = static_cast<int64_t>(r->files.size());
        sr.rows_read = r->rows_written + r->rows_quarantined;
        sr.rows_written = r->rows_written;
        sr.rows_quarantined = r->rows_quarantined;
        sr.version = r->bronze_version;
        sr.status = r->commits > 0 ? StepStatus::kCommitted : StepStatus::kUpToDate;
        if (r->commits > 0) {
          sr.mode = model::BuildMode::kIncremental;
          sr.reason = std::to_string(r->files.size()) + " new files";
        }
        sr.message = r->files.empty()
                         ? "no new files (" + std::to_string(r->files_already_ingested) +
                               " already ingested)"
                         : std::to_string(r->files.size()) + " new files";
        std::vector<ledger::FileRecord> records;
        const int64_t now = clock.WallMillis();
        for (const ingest::IngestedFile& f : r->files) {
          records.push_back({report.run_id, step.source->name, f.file, f.size_bytes, f.modified_ms,
                             f.records, f.quarantined, f.first_error, now});
          report.files.push_back(f);
          report.file_sources.push_back(step.source->name);
        }
        for (const std::string& w : r->warnings) sr.message += "; " + w;
        status = writer.RecordFiles(records);
        break;
      }
      case StepKind::kSilver: {
        model::SilverRequest req = SilverRequestFor(project, step, paths, options);
        req.run_id = report.run_id;
        if (!delta::DeltaTable(fs, req.upstream_path, conn).Exists()) {
          sr.message = step.silver->from + " has no data yet";
          break;
        }
        auto r = model::RunSilver(req, fs, conn);
        if (!r.ok()) {
          status = r.status();
          break;
        }
        const model::RowAccount& a = r->account;
        sr.rows_read = a.rows_in;
        sr.rows_written = a.kept;
        sr.rows_quarantined = a.quarantined;
        sr.rows_dropped = a.dropped;
        sr.rows_deduplicated = a.deduplicated;
        sr.rows_fixed = a.fixed;
        sr.rows_warned = a.warned;
        sr.version = r->version;
        sr.message = r->message;
        sr.mode = r->mode;
        sr.reason = r->reason;
        report.rules.insert(report.rules.end(), r->rules.begin(), r->rules.end());
        if (!r->failed_rule.empty()) {
          // Nothing was committed: the ledger says so (the rule results keep
          // the failure counts).
          sr.status = StepStatus::kFailed;
          sr.rows_written = sr.rows_quarantined = sr.rows_dropped = sr.rows_deduplicated = 0;
          sr.rows_fixed = sr.rows_warned = 0;
          report.failed_rule = r->failed_rule;
          fail_run(step.name, r->message);
        } else {
          sr.status = r->committed ? StepStatus::kCommitted : StepStatus::kUpToDate;
        }
        break;
      }
      case StepKind::kModel: {
        // A failure here is the step's: the run is still recorded.
        status = RegisterViews(project, fs, conn).status();
        if (!status.ok()) break;
        model::ModelRequest req = ModelRequestFor(project, step, paths, options);
        req.run_id = report.run_id;
        auto r = model::RunModel(req, fs, conn);
        if (!r.ok()) {
          status = r.status();
          break;
        }
        sr.rows_read = r->rows_read;
        sr.rows_written = r->rows_written;
        sr.version = r->version;
        sr.message = r->message;
        sr.mode = r->mode;
        sr.reason = r->reason;
        report.rules.insert(report.rules.end(), r->rules.begin(), r->rules.end());
        if (!r->failed_rule.empty()) {
          sr.status = StepStatus::kFailed;
          report.failed_rule = r->failed_rule;
          fail_run(step.name, r->message);
        } else {
          sr.status = r->committed ? StepStatus::kCommitted : StepStatus::kUpToDate;
        }
        break;
      }
    }
    if (!status.ok() &&
        (status.code() == StatusCode::kCancelled || options.stop.stop_requested())) {
      sr.status = StepStatus::kCancelled;
      sr.message = "cancelled on request: its query was interrupted before it committed";
      cancel_run(step.name);
    } else if (!status.ok()) {
      sr.status = StepStatus::kFailed;
      sr.message = status.message();
      fail_run(step.name, status.message());
    }
    sr.duration_ms = clock.MonotonicMillis() - step_start;
    if (options.on_step) options.on_step(sr, true);
    report.steps.push_back(std::move(sr));
  }
  interrupter.reset();  // the ledger is written whatever was asked
  report.duration_ms = clock.MonotonicMillis() - run_start;

  // The ledger: steps, rule results, then the run itself. A run whose steps
  // or rule results cannot be written is still recorded, as failed.
  std::vector<ledger::ExpectationRecord> expectations;
  for (const model::RuleResult& r : report.rules) {
    expectations.push_back(ledger::ExpectationRecord::From(report.run_id, r));
  }
  Status recorded = writer.RecordSteps(report.run_id, report.steps);
  if (recorded.ok()) recorded = writer.RecordExpectations(expectations);
  if (!recorded.ok()) {
    report.succeeded = false;
    report.cancelled = false;
    report.error = (report.error.empty() ? "" : report.error + "; then ") + recorded.message();
  }
  CARELAKE_RETURN_IF_ERROR(writer.RecordRunEnd(RunRecordOf(project, options, report)));
  return report;
}

}  // namespace carelake::pipeline
