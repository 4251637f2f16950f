// Step: one unit of a run — a source into bronze, a silver table, a gold
// model or a dimension — as a variant of what it is made from, so a new kind
// of step (a database source, a stream) is a new alternative and a new
// executor file (step_executor.h), not a branch in the runner.
#ifndef CARELAKE_PIPELINE_STEP_H_
#define CARELAKE_PIPELINE_STEP_H_

#include <string>
#include <variant>
#include <vector>

#include "carelake/project/project.h"

namespace carelake::pipeline {

// The kind the run ledger records (`_system.steps.kind`).
enum class StepKind { kIngest, kSilver, kModel };
// "ingest", "silver", "model".
std::string ToString(StepKind kind);

// Files of a declared source into its bronze table.
struct FileSourceStep {
  const project::Source* source = nullptr;
};
// The tables of a database source into their bronze tables.
struct DatabaseSourceStep {
  const project::DatabaseSource* source = nullptr;
};
// A silver table conformed from its bronze table.
struct SilverStep {
  const project::SilverTable* table = nullptr;
};
// A gold SQL model (`materialized: incremental` or `full`).
struct ModelStep {
  const project::Model* model = nullptr;
};
// A gold dimension: SCD type 1/2 from change rows, or a generated date or
// time dimension.
struct DimensionStep {
  const project::Model* model = nullptr;
};

using StepSpec =
    std::variant<FileSourceStep, DatabaseSourceStep, SilverStep, ModelStep, DimensionStep>;

struct Step {
  std::string name;  // qualified: bronze.chatbot, silver.interactions, gold.lumia_monthly
  std::vector<std::string> upstream;  // qualified names of steps it reads
  StepSpec spec;

  StepKind kind() const;
  // The gold model of a model or dimension step; null for the others.
  const project::Model* model() const;
  // Where the step is declared, for messages.
  const project::Origin& origin() const;
};

// A model's step: a DimensionStep for scd1/scd2/generated models, a
// ModelStep otherwise.
StepSpec SpecFor(const project::Model& model);

}  // namespace carelake::pipeline

#endif  // CARELAKE_PIPELINE_STEP_H_
