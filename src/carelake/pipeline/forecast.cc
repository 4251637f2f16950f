// ForecastRun (`carelake run --dry-run`): what each selected step would do,
// read from logs and folder listings; nothing is written.
#include <set>

#include "carelake/catalog/catalog.h"
#include "carelake/pipeline/plan.h"
#include "carelake/pipeline/runner.h"
#include "carelake/pipeline/step_executor.h"

namespace carelake::pipeline {

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
  const std::map<std::string, std::string> paths = catalog::TablePaths(project);
  CARELAKE_RETURN_IF_ERROR(catalog::RegisterViews(project, fs, conn).status());
  StepContext ctx{project, options, fs, conn, OrDefault(options.clock), paths, "", nullptr};
  std::set<std::string> running;  // steps forecast to commit
  std::vector<StepForecast> out;
  for (const Step& step : steps) {
    StepForecast f;
    f.name = step.name;
    f.kind = step.kind();
    std::string after;  // an upstream step that would commit first
    for (const std::string& u : step.upstream) {
      if (running.count(u)) after += (after.empty() ? "" : ", ") + u;
    }
    auto forecast = ForecastStep(step, ctx);
    if (forecast.ok()) {
      f.runs = forecast->runs;
      f.mode = forecast->mode;
      f.reason = forecast->reason;
    } else if (step.model() == nullptr || after.empty() ||
               forecast.status().code() != StatusCode::kFailedPrecondition) {
      // (A model whose upstream has no data yet but would get some runs
      // after it: not an error.)
      f.error = forecast.status().message();
    }
    if (f.error.empty() && !f.runs && !after.empty()) {
      f.runs = true;
      const bool full =
          step.model() != nullptr && step.model()->materialized == project::Materialization::kFull;
      f.mode = full ? model::BuildMode::kFull : model::BuildMode::kIncremental;
      f.reason = "after " + after + " commits";
    }
    if (f.runs && f.error.empty()) running.insert(step.name);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace carelake::pipeline
