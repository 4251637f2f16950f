// Runner: one run of a project — ingest new files into bronze, conform
// silver, build gold models, in dependency order — and its run ledger.
//
// Every step is idempotent (see ingest/file_ingest.h, model/silver.h,
// model/gold.h), so a run killed at any point and run again neither loses
// nor duplicates a row. A failed step stops the run; the steps after it do
// not run; what earlier steps committed stays.
//
// The run ledger (ledger/, queryable as `_system.*`): a run writes its
// `runs` row (status `started`) before anything else, `files` rows while it
// ingests, then its `steps`, `expectations` and final `runs` row. Every run
// that starts is recorded, whatever fails: a failure of a step, of view
// registration, or of writing `files`, `steps` or `expectations` ends the
// run as failed; only when its `runs` rows cannot be written is the run
// unrecorded, and then RunProject returns an error.
#ifndef CARELAKE_PIPELINE_RUNNER_H_
#define CARELAKE_PIPELINE_RUNNER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/executor.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/ingest/file_ingest.h"
#include "carelake/ledger/records.h"
#include "carelake/model/types.h"
#include "carelake/pipeline/plan.h"
#include "carelake/pipeline/step.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {

// What a step did: the ledger's step record (ledger/records.h), which the
// runner hands to `on_step`, returns in the RunReport and writes to
// `_system.steps`. `kind` is ToString(StepKind).
using StepReport = ledger::StepRecord;
using ledger::StepStatus;

struct RunReport {
  std::string run_id;
  bool succeeded = true;
  bool cancelled = false;   // stopped on request (then not succeeded)
  std::string error;        // why the run failed
  std::string failed_step;  // qualified name; for a cancelled run, the step it stopped in
  std::string failed_rule;  // when a `fail` expectation stopped it
  // The code of the error that failed the run (kOk when it succeeded or a
  // `fail` rule stopped it): kIoError, kUnavailable and kAborted may pass on
  // a retry; the others will not.
  StatusCode failure_code = StatusCode::kOk;
  int64_t started_ms = 0;
  int64_t duration_ms = 0;
  std::vector<StepReport> steps;
  std::vector<model::RuleResult> rules;
  std::vector<ingest::IngestedFile> files;
  std::vector<std::string> file_sources;  // source name per entry of `files`
  bool CommittedAnything() const;
};

struct RunOptions {
  std::vector<std::string> select;
  bool full_refresh = false;
  // Called when a step starts (report.status unset) and when it ends.
  std::function<void(const StepReport& step, bool done)> on_step;
  // Called with progress lines during long steps.
  std::function<void(const std::string&)> on_progress;
  // A stop request interrupts the running step's query (DuckDB interrupt)
  // and ends the run at that safe point: the step commits nothing, what
  // earlier steps committed stays, and the run is recorded as cancelled with
  // the step it stopped in. A later run completes the work exactly once.
  std::stop_token stop;
  // Stamps the ledger and the commits (DefaultClock() when null); durations
  // come from its monotonic reading.
  const Clock* clock = nullptr;
  // Runs parallel work inside steps (DefaultExecutor() when null).
  Executor* executor = nullptr;
  // Runs of one project never overlap, whoever starts them: a run holds
  // <lake>/_system/run.lock (RunLockPath) from before its `started` row to
  // after its final one. When another run holds it, RunProject returns
  // Unavailable naming that run, its process and since when — or, with
  // `wait_for_other_run`, waits for it to end (a stop request ends the wait
  // with Cancelled). The lock of a process that died is free.
  bool wait_for_other_run = false;
  // Recorded with the run (`_system.runs.job`, `.trigger`): the daemon's
  // job that asked for it and why; empty for `carelake run`.
  std::string job;
  std::string trigger;
  // File sources leave files modified less than this long ago for a later
  // run (IngestRequest::min_file_age); the daemon's runs use the job's
  // settle time.
  std::chrono::milliseconds min_file_age{0};
};

// <lake>/_system/run.lock.
std::string RunLockPath(const project::Project& project);

// What a run would do, step by step, without doing it (`carelake run
// --dry-run`). A step whose upstream would commit is forecast to run too.
struct StepForecast {
  std::string name;
  StepKind kind = StepKind::kIngest;
  bool runs = false;
  model::BuildMode mode = model::BuildMode::kNone;
  std::string reason;  // why it runs, or why not ("up to date")
  std::string error;   // the step would fail: why
};
// InvalidArgument when the project cannot be planned (see PlanSteps).
Result<std::vector<StepForecast>> ForecastRun(const project::Project& project,
                                              const RunOptions& options, FileSystem& fs,
                                              engine::Connection& conn);

// Runs the project. A failing step is reported in the RunReport, not as an
// error; an error means the run could not be recorded: its `runs` row could
// not be written at the start (then nothing ran) or at the end.
Result<RunReport> RunProject(const project::Project& project, const RunOptions& options,
                             FileSystem& fs, engine::Connection& conn);

}  // namespace carelake::pipeline

#endif  // CARELAKE_PIPELINE_RUNNER_H_
