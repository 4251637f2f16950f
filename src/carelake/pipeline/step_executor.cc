#include "carelake/pipeline/step_executor.h"

#include <variant>

namespace carelake::pipeline {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace

Status RunStep(const Step& step, StepContext& ctx, StepReport& record, StepOutput& out) {
  return std::visit(
      Overloaded{
          [&](const FileSourceStep& s) { return RunFileSourceStep(s, step, ctx, record, out); },
          [&](const DatabaseSourceStep& s) {
            return RunDatabaseSourceStep(s, step, ctx, record, out);
          },
          [&](const SilverStep& s) { return RunSilverStep(s, step, ctx, record, out); },
          [&](const ModelStep& s) { return RunGoldStep(*s.model, step, ctx, record, out); },
          [&](const DimensionStep& s) { return RunGoldStep(*s.model, step, ctx, record, out); }},
      step.spec);
}

Result<model::BuildForecast> ForecastStep(const Step& step, StepContext& ctx) {
  return std::visit(
      Overloaded{
          [&](const FileSourceStep& s) { return ForecastFileSourceStep(s, step, ctx); },
          [&](const DatabaseSourceStep& s) { return ForecastDatabaseSourceStep(s, step, ctx); },
          [&](const SilverStep& s) { return ForecastSilverStep(s, step, ctx); },
          [&](const ModelStep& s) { return ForecastGoldStep(*s.model, step, ctx); },
          [&](const DimensionStep& s) { return ForecastGoldStep(*s.model, step, ctx); }},
      step.spec);
}

}  // namespace carelake::pipeline
