#include "carelake/pipeline/step.h"

namespace carelake::pipeline {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

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

StepKind Step::kind() const {
  return std::visit(Overloaded{[](const FileSourceStep&) { return StepKind::kIngest; },
                               [](const DatabaseSourceStep&) { return StepKind::kIngest; },
                               [](const SilverStep&) { return StepKind::kSilver; },
                               [](const ModelStep&) { return StepKind::kModel; },
                               [](const DimensionStep&) { return StepKind::kModel; }},
                    spec);
}

const project::Model* Step::model() const {
  if (const auto* m = std::get_if<ModelStep>(&spec)) return m->model;
  if (const auto* d = std::get_if<DimensionStep>(&spec)) return d->model;
  return nullptr;
}

const project::Origin& Step::origin() const {
  return std::visit(
      Overloaded{
          [](const FileSourceStep& s) -> const project::Origin& { return s.source->origin; },
          [](const DatabaseSourceStep& s) -> const project::Origin& { return s.source->origin; },
          [](const SilverStep& s) -> const project::Origin& { return s.table->origin; },
          [](const ModelStep& s) -> const project::Origin& { return s.model->origin; },
          [](const DimensionStep& s) -> const project::Origin& { return s.model->origin; }},
      spec);
}

StepSpec SpecFor(const project::Model& model) {
  if (model.IsScd() || model.IsGenerated()) return DimensionStep{&model};
  return ModelStep{&model};
}

}  // namespace carelake::pipeline
