// The executor of SilverStep: a silver table conformed from the new rows of
// its bronze table under its rules (model/silver.h).
#include "carelake/catalog/catalog.h"
#include "carelake/delta/table.h"
#include "carelake/model/silver.h"
#include "carelake/pipeline/step_executor.h"

namespace carelake::pipeline {
namespace {

model::SilverRequest RequestFor(const SilverStep& spec, const Step& step, const StepContext& ctx) {
  model::SilverRequest req;
  req.table = spec.table;
  req.upstream_name = spec.table->from;
  req.upstream_path = ctx.paths.at(spec.table->from);
  req.target_path = ctx.paths.at(step.name);
  req.quarantine_path = ctx.paths.at(step.name + catalog::kQuarantineSuffix);
  req.full_refresh = ctx.options.full_refresh;
  req.on_definition_change =
      spec.table->on_definition_change.value_or(ctx.project.on_definition_change);
  req.run_id = ctx.run_id;
  return req;
}

}  // namespace

Status RunSilverStep(const SilverStep& spec, const Step& step, StepContext& ctx, StepReport& record,
                     StepOutput& out) {
  model::SilverRequest req = RequestFor(spec, step, ctx);
  if (!delta::DeltaTable(ctx.fs, req.upstream_path, ctx.conn).Exists()) {
    record.message = spec.table->from + " has no data yet";
    return Status::Ok();
  }
  CARELAKE_ASSIGN_OR_RETURN(model::SilverResult r, model::RunSilver(req, ctx.fs, ctx.conn));
  const model::RowAccount& a = r.account;
  record.rows_read = a.rows_in;
  record.rows_written = a.kept;
  record.rows_quarantined = a.quarantined;
  record.rows_dropped = a.dropped;
  record.rows_deduplicated = a.deduplicated;
  record.rows_fixed = a.fixed;
  record.rows_warned = a.warned;
  record.version = r.version;
  record.message = r.message;
  record.mode = r.mode;
  record.reason = r.reason;
  out.rules.insert(out.rules.end(), r.rules.begin(), r.rules.end());
  if (!r.failed_rule.empty()) {
    // Nothing was committed: the ledger says so (the rule results keep the
    // failure counts).
    record.status = StepStatus::kFailed;
    record.rows_written = record.rows_quarantined = record.rows_dropped = 0;
    record.rows_deduplicated = record.rows_fixed = record.rows_warned = 0;
    out.failed_rule = r.failed_rule;
    out.failure = r.message;
  } else {
    record.status = r.committed ? StepStatus::kCommitted : StepStatus::kUpToDate;
  }
  return Status::Ok();
}

Result<model::BuildForecast> ForecastSilverStep(const SilverStep& spec, const Step& step,
                                                StepContext& ctx) {
  return model::ForecastSilver(RequestFor(spec, step, ctx), ctx.fs, ctx.conn);
}

}  // namespace carelake::pipeline
