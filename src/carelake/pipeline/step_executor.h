// Step executors: how each kind of step runs and forecasts. One file per
// kind implements the pair for its alternative of StepSpec (step.h):
// file_source_step.cc, silver_step.cc, model_step.cc (models and
// dimensions); RunStep and ForecastStep dispatch on the variant. Internal to
// pipeline/: the runner (runner.cc) and the dry run (forecast.cc) use it.
#ifndef CARELAKE_PIPELINE_STEP_EXECUTOR_H_
#define CARELAKE_PIPELINE_STEP_EXECUTOR_H_

#include <map>
#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/connection.h"
#include "carelake/ingest/file_ingest.h"
#include "carelake/ledger/writer.h"
#include "carelake/model/types.h"
#include "carelake/pipeline/runner.h"
#include "carelake/pipeline/step.h"

namespace carelake::pipeline {

// What every step runs with.
struct StepContext {
  const project::Project& project;
  const RunOptions& options;
  FileSystem& fs;
  engine::Connection& conn;
  const Clock& clock;
  // Every table of the project: qualified name -> Delta path.
  const std::map<std::string, std::string>& paths;
  std::string run_id;                // empty in a forecast
  ledger::Writer* ledger = nullptr;  // null in a forecast
  // The run's views of the project's tables: a gold step refreshes it, which
  // re-creates only the views of tables committed since (null: every gold
  // step registers every view afresh).
  catalog::Catalog* catalog = nullptr;
};

// What a step adds to its run besides its step record.
struct StepOutput {
  std::vector<model::RuleResult> rules;
  std::vector<ingest::IngestedFile> files;
  std::vector<std::string> file_sources;  // source name per entry of `files`
  // A `fail` expectation stopped the run: the rule and why (the step's
  // record then says failed and committed nothing).
  std::string failed_rule;
  std::string failure;
  // The step failing does not stop the run: the steps that do not read it
  // still run (a database source with `on_error: continue`); the run is
  // failed at its end.
  bool keep_going = false;
};

// Runs `step`, filling `record` (status, counts, version, message, mode,
// reason). A step that could not run returns its error (the runner marks
// the step failed or cancelled); a `fail` rule is not an error but
// `out.failed_rule`.
Status RunStep(const Step& step, StepContext& ctx, StepReport& record, StepOutput& out);

// What running `step` would do now.
Result<model::BuildForecast> ForecastStep(const Step& step, StepContext& ctx);

// The executors, one per kind of step.
Status RunFileSourceStep(const FileSourceStep& spec, const Step& step, StepContext& ctx,
                         StepReport& record, StepOutput& out);
Result<model::BuildForecast> ForecastFileSourceStep(const FileSourceStep& spec, const Step& step,
                                                    StepContext& ctx);
Status RunDatabaseSourceStep(const DatabaseSourceStep& spec, const Step& step, StepContext& ctx,
                             StepReport& record, StepOutput& out);
Result<model::BuildForecast> ForecastDatabaseSourceStep(const DatabaseSourceStep& spec,
                                                        const Step& step, StepContext& ctx);
Status RunSilverStep(const SilverStep& spec, const Step& step, StepContext& ctx, StepReport& record,
                     StepOutput& out);
Result<model::BuildForecast> ForecastSilverStep(const SilverStep& spec, const Step& step,
                                                StepContext& ctx);
// SQL models and dimensions share one executor: model::RunModel builds
// either (model/gold.h).
Status RunGoldStep(const project::Model& model, const Step& step, StepContext& ctx,
                   StepReport& record, StepOutput& out);
Result<model::BuildForecast> ForecastGoldStep(const project::Model& model, const Step& step,
                                              StepContext& ctx);

}  // namespace carelake::pipeline

#endif  // CARELAKE_PIPELINE_STEP_EXECUTOR_H_
