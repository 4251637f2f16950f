// The executor of ModelStep and DimensionStep: a gold table built by
// model::RunModel, which builds SQL models and dimensions alike
// (model/gold.h, model/dimension.h). The project's views are registered
// first: a model's SQL reads `layer.name`.
#include "carelake/catalog/catalog.h"
#include "carelake/model/gold.h"
#include "carelake/pipeline/step_executor.h"

namespace carelake::pipeline {
namespace {

model::ModelRequest RequestFor(const project::Model& m, const Step& step, const StepContext& ctx) {
  model::ModelRequest req;
  req.model = &m;
  req.target_path = ctx.paths.at(step.name);
  req.upstream_paths = ctx.paths;
  req.full_refresh = ctx.options.full_refresh;
  req.on_definition_change = m.on_definition_change.value_or(ctx.project.on_definition_change);
  req.run_id = ctx.run_id;
  return req;
}

}  // namespace

Status RunGoldStep(const project::Model& m, const Step& step, StepContext& ctx, StepReport& record,
                   StepOutput& out) {
  if (ctx.catalog != nullptr) {
    CARELAKE_RETURN_IF_ERROR(ctx.catalog->Refresh(ctx.conn).status());
  } else {
    CARELAKE_RETURN_IF_ERROR(catalog::RegisterViews(ctx.project, ctx.fs, ctx.conn).status());
  }
  CARELAKE_ASSIGN_OR_RETURN(model::ModelResult r,
                            model::RunModel(RequestFor(m, step, ctx), ctx.fs, ctx.conn));
  record.rows_read = r.rows_read;
  record.rows_written = r.rows_written;
  record.version = r.version;
  record.message = r.message;
  record.mode = r.mode;
  record.reason = r.reason;
  out.rules.insert(out.rules.end(), r.rules.begin(), r.rules.end());
  if (!r.failed_rule.empty()) {
    record.status = StepStatus::kFailed;
    out.failed_rule = r.failed_rule;
    out.failure = r.message;
  } else {
    record.status = r.committed ? StepStatus::kCommitted : StepStatus::kUpToDate;
  }
  return Status::Ok();
}

Result<model::BuildForecast> ForecastGoldStep(const project::Model& m, const Step& step,
                                              StepContext& ctx) {
  return model::ForecastModel(RequestFor(m, step, ctx), ctx.fs, ctx.conn);
}

}  // namespace carelake::pipeline
