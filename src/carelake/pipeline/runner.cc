#include "carelake/pipeline/runner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "carelake/base/process_lock.h"
#include "carelake/base/uuid.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/interrupter.h"
#include "carelake/ledger/json.h"
#include "carelake/ledger/writer.h"
#include "carelake/pipeline/plan.h"
#include "carelake/pipeline/step_executor.h"

namespace carelake::pipeline {
namespace {

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
  run.job = options.job;
  run.trigger = options.trigger;
  return run;
}

}  // namespace

bool RunReport::CommittedAnything() const {
  return std::any_of(steps.begin(), steps.end(),
                     [](const StepReport& s) { return s.status == StepStatus::kCommitted; });
}

namespace {

// One run as it goes: the report it fills and what it runs with.
class Run {
 public:
  Run(const project::Project& project, const RunOptions& options, FileSystem& fs,
      engine::Connection& conn)
      : project_(project),
        options_(options),
        fs_(fs),
        conn_(conn),
        clock_(OrDefault(options.clock)),
        paths_(TablePaths(project)),
        writer_(fs, project.lake, conn, &clock_) {}

  // Takes the project's run lock and records the run as started; an error
  // means another run holds the lock or the run cannot be recorded, and
  // then it does not start.
  Status Start() {
    report_.run_id = NewUuid();
    CARELAKE_RETURN_IF_ERROR(Lock());
    report_.started_ms = clock_.WallMillis();
    start_ = clock_.MonotonicMillis();
    return writer_.RecordRunStart(RunRecordOf(project_, options_, report_));
  }

  // The selected steps in dependency order; none when planning failed (the
  // run then fails, naming the step at fault when there is one).
  std::vector<Step> Plan() {
    std::string plan_step;
    auto planned = PlanSteps(project_, conn_, &plan_step);
    if (!planned.ok()) {
      Fail(plan_step, planned.status().message());
      return {};
    }
    auto selected = SelectSteps(*planned, options_.select);
    if (!selected.ok()) {
      Fail("", selected.status().message());
      return {};
    }
    return std::move(*selected);
  }

  // Runs the steps in order until one fails or a stop is asked for.
  void RunSteps(const std::vector<Step>& steps) {
    engine::Interrupter interrupter(conn_, options_.stop);
    // One catalog for the run: each gold step re-creates only the views of
    // tables committed since the previous one.
    catalog::Catalog views(project_, fs_);
    StepContext ctx{project_, options_,       fs_,      conn_, clock_,
                    paths_,   report_.run_id, &writer_, &views};
    std::set<std::string> blocked;  // failed with keep_going, and what reads them
    for (const Step& step : steps) {
      if (!report_.succeeded) break;
      if (options_.stop.stop_requested()) {
        Cancel(step.name);
        break;
      }
      bool reads_failed = false;
      for (const std::string& u : step.upstream) reads_failed = reads_failed || blocked.count(u);
      if (reads_failed) {
        blocked.insert(step.name);
        continue;
      }
      report_.steps.push_back(RunOne(step, ctx));
      if (report_.steps.back().status == StepStatus::kFailed) blocked.insert(step.name);
    }
    if (report_.succeeded && !soft_failures_.empty()) {
      const auto& [name, status] = soft_failures_.front();
      std::string more = soft_failures_.size() > 1
                             ? " (and " + std::to_string(soft_failures_.size() - 1) +
                                   " more failed steps; the steps that did not read them ran)"
                             : " (the steps that did not read it ran)";
      Fail(name, status.message() + more);
      report_.failure_code = status.code();
    }
  }

  // Writes the run's steps, rule results and final row. A run whose steps or
  // rule results cannot be written is still recorded, as failed; an error
  // means the final row could not be written.
  Result<RunReport> Finish() {
    report_.duration_ms = clock_.MonotonicMillis() - start_;
    std::vector<ledger::ExpectationRecord> expectations;
    for (const model::RuleResult& r : report_.rules) {
      expectations.push_back(ledger::ExpectationRecord::From(report_.run_id, r));
    }
    Status recorded = writer_.RecordSteps(report_.run_id, report_.steps);
    if (recorded.ok()) recorded = writer_.RecordExpectations(expectations);
    if (!recorded.ok()) {
      report_.succeeded = false;
      report_.cancelled = false;
      report_.error = (report_.error.empty() ? "" : report_.error + "; then ") + recorded.message();
      report_.failure_code = recorded.code();
    }
    CARELAKE_RETURN_IF_ERROR(writer_.RecordRunEnd(RunRecordOf(project_, options_, report_)));
    return std::move(report_);
  }

 private:
  StepReport RunOne(const Step& step, StepContext& ctx) {
    StepReport record;
    record.name = step.name;
    record.kind = ToString(step.kind());
    record.started_ms = clock_.WallMillis();
    const int64_t step_start = clock_.MonotonicMillis();
    if (options_.on_step) options_.on_step(record, false);
    StepOutput out;
    Status status = RunStep(step, ctx, record, out);
    report_.rules.insert(report_.rules.end(), out.rules.begin(), out.rules.end());
    report_.files.insert(report_.files.end(), out.files.begin(), out.files.end());
    report_.file_sources.insert(report_.file_sources.end(), out.file_sources.begin(),
                                out.file_sources.end());
    if (!status.ok() &&
        (status.code() == StatusCode::kCancelled || options_.stop.stop_requested())) {
      record.status = StepStatus::kCancelled;
      record.message = "cancelled on request: its query was interrupted before it committed";
      Cancel(step.name);
    } else if (!status.ok() && out.keep_going) {
      record.status = StepStatus::kFailed;
      record.message = status.message();
      soft_failures_.push_back({step.name, status});
    } else if (!status.ok()) {
      record.status = StepStatus::kFailed;
      record.message = status.message();
      Fail(step.name, status.message());
      report_.failure_code = status.code();
    } else if (!out.failed_rule.empty()) {
      report_.failed_rule = out.failed_rule;
      Fail(step.name, out.failure);
    }
    record.duration_ms = clock_.MonotonicMillis() - step_start;
    if (options_.on_step) options_.on_step(record, true);
    return record;
  }

  Status Lock() {
    const std::string path = RunLockPath(project_);
    const std::string what = "run " + report_.run_id;
    LockHolder holder;
    auto lock = ProcessLock::TryAcquire(path, what, &holder, clock_);
    auto in_progress = [&] {
      return "a run of project '" + project_.name + "' is in progress (" +
             (holder.what.empty() ? std::string("a run") : holder.what) + ", pid " +
             std::to_string(holder.pid) + ", since " + ledger::FormatUtc(holder.since_ms) + ")";
    };
    if (lock.status().code() == StatusCode::kUnavailable && options_.wait_for_other_run) {
      if (options_.on_progress) options_.on_progress(in_progress() + "; waiting for it to end");
      lock = ProcessLock::Acquire(path, what, options_.stop, std::nullopt, &holder, clock_);
    }
    if (lock.status().code() == StatusCode::kUnavailable) {
      return Unavailable(in_progress() + "; wait for it with --wait");
    }
    if (!lock.ok()) return lock.status();
    lock_.emplace(std::move(*lock));
    return Status::Ok();
  }

  void Fail(const std::string& step, const std::string& error) {
    report_.succeeded = false;
    report_.failed_step = step;
    report_.error = error;
  }

  void Cancel(const std::string& step) {
    report_.succeeded = false;
    report_.cancelled = true;
    report_.failed_step = step;
    report_.error = "cancelled on request in " + step + "; what earlier steps committed stays";
  }

  const project::Project& project_;
  const RunOptions& options_;
  FileSystem& fs_;
  engine::Connection& conn_;
  const Clock& clock_;
  const std::map<std::string, std::string> paths_;
  ledger::Writer writer_;
  RunReport report_;
  int64_t start_ = 0;
  std::optional<ProcessLock> lock_;  // released when the run object goes
  // Steps that failed without stopping the run (StepOutput::keep_going).
  std::vector<std::pair<std::string, Status>> soft_failures_;
};

}  // namespace

std::string RunLockPath(const project::Project& project) {
  return JoinPath(JoinPath(project.lake, "_system"), "run.lock");
}

Result<RunReport> RunProject(const project::Project& project, const RunOptions& options,
                             FileSystem& fs, engine::Connection& conn) {
  Run run(project, options, fs, conn);
  CARELAKE_RETURN_IF_ERROR(run.Start());
  run.RunSteps(run.Plan());
  return run.Finish();
}

}  // namespace carelake::pipeline
