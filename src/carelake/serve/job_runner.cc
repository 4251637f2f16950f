#include "carelake/serve/job_runner.h"

#include "carelake/base/file_system.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/ledger/reader.h"
#include "carelake/pipeline/runner.h"
#include "carelake/serve/own_ledger.h"

namespace carelake::serve {
namespace {

// How long a file must stay unmodified before a daemon run ingests it, for
// jobs without `on_new_files.settle_seconds`.
constexpr int64_t kDefaultSettle = 2000;

bool Retryable(StatusCode code) {
  return code == StatusCode::kIoError || code == StatusCode::kUnavailable ||
         code == StatusCode::kAborted;
}

}  // namespace

JobRunner MakeJobRunner(const ProjectHolder& holder, Logger log) {
  return [&holder, log](const project::Job& job, const std::string& trigger, std::stop_token stop) {
    JobOutcome out;
    const std::shared_ptr<const project::Project> project = holder.Get();
    auto db = engine::Database::OpenInMemory();
    if (!db.ok()) {
      out.error = db.status().message();
      return out;
    }
    auto conn = engine::OpenLakeConnection(**db);
    if (!conn.ok()) {
      out.error = conn.status().message();
      out.retryable = Retryable(conn.status().code());
      return out;
    }
    pipeline::RunOptions options;
    options.select = job.select;
    options.job = job.name;
    options.trigger = trigger;
    options.stop = stop;
    options.wait_for_other_run = true;
    if (log) {
      options.on_step = [&log, &job](const pipeline::StepReport& step, bool done) {
        if (!done) return;
        LogEvent e =
            Event("step_ended", "job " + job.name + ": " + step.name + " " +
                                    ledger::ToString(step.status) + " (" +
                                    std::to_string(step.rows_written) + " rows written, " +
                                    std::to_string(step.rows_quarantined) + " quarantined, " +
                                    std::to_string(step.duration_ms) + " ms)");
        e.job = job.name;
        e.Field("step", step.name)
            .Field("status", ledger::ToString(step.status))
            .Field("rows_read", step.rows_read)
            .Field("rows_written", step.rows_written)
            .Field("rows_quarantined", step.rows_quarantined)
            .Field("duration_ms", step.duration_ms);
        log(e);
      };
    }
    // A file still being copied is left for a later run.
    options.min_file_age =
        job.on_new_files ? job.on_new_files->settle : std::chrono::milliseconds(kDefaultSettle);
    auto report = pipeline::RunProject(*project, options, LocalFileSystem(), *conn);
    if (!report.ok()) {  // not recorded: it never started, or its end was not written
      out.error = report.status().message();
      out.retryable = Retryable(report.status().code());
    } else {
      out.run_id = report->run_id;
      out.succeeded = report->succeeded;
      out.cancelled = report->cancelled;
      out.error = report->error;
      out.failed_step = report->failed_step;
      out.failed_rule = report->failed_rule;
      for (const model::RuleResult& r : report->rules) {
        if (r.rule == out.failed_rule && r.table == out.failed_step) {
          out.rows_checked = r.rows_checked;
          out.rows_failed = r.rows_failed;
        }
      }
      out.retryable = !report->succeeded && !report->cancelled && report->failed_rule.empty() &&
                      Retryable(report->failure_code);
    }
    if (log) {
      LogEvent e =
          Event("run_ended",
                "job " + job.name + ": run " + (out.run_id.empty() ? "-" : out.run_id) + " " +
                    (out.succeeded   ? "succeeded"
                     : out.cancelled ? "cancelled: " + out.error
                                     : "failed: " + out.error),
                out.succeeded   ? LogLevel::kInfo
                : out.cancelled ? LogLevel::kWarning
                                : LogLevel::kError);
      e.job = job.name;
      e.run_id = out.run_id;
      e.Field("status", out.succeeded ? "succeeded" : out.cancelled ? "cancelled" : "failed");
      if (report.ok()) {
        int64_t written = 0, quarantined = 0;
        for (const pipeline::StepReport& s : report->steps) {
          written += s.rows_written;
          quarantined += s.rows_quarantined;
        }
        e.Field("duration_ms", report->duration_ms)
            .Field("rows_written", written)
            .Field("rows_quarantined", quarantined);
      }
      if (!out.succeeded) e.Field("error", out.error);
      if (!out.failed_step.empty()) e.Field("failed_step", out.failed_step);
      if (!out.failed_rule.empty()) e.Field("failed_rule", out.failed_rule);
      log(e);
    }
    return out;
  };
}

LastRunLookup MakeLastRunLookup(const ProjectHolder& holder) {
  return [&holder](const std::string& job) -> std::optional<LastRun> {
    auto ledger = OwnLedger::Open(*holder.Get());
    if (!ledger.ok()) return std::nullopt;
    auto runs = ledger->reader().Runs({.limit = 1, .job = job});
    if (!runs.ok() || runs->empty()) return std::nullopt;
    const ledger::RunRecord& run = runs->front();
    return LastRun{run.started_ms, run.status == ledger::RunStatus::kStarted ||
                                       run.status == ledger::RunStatus::kCancelled};
  };
}

}  // namespace carelake::serve
