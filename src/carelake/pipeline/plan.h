// Plan: a project's steps in dependency order, and `--select`.
#ifndef CARELAKE_PIPELINE_PLAN_H_
#define CARELAKE_PIPELINE_PLAN_H_

#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/pipeline/step.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {

// Every step of the project in dependency order (stable with respect to
// declaration order). InvalidArgument on a cycle, a model whose SQL does not
// parse, or a reference to an undeclared table; then `*failed_step` (when
// not null) names the step at fault. `conn` runs DuckDB's parser over the
// models' SQL.
Result<std::vector<Step>> PlanSteps(const project::Project& project, engine::Connection& conn,
                                    std::string* failed_step = nullptr);

// The steps chosen by `selectors` (all when empty), in dependency order:
// `name` (qualified, or bare if unambiguous), `name+` (and everything
// downstream), `+name` (and everything upstream), `+name+`.
Result<std::vector<Step>> SelectSteps(const std::vector<Step>& steps,
                                      const std::vector<std::string>& selectors);

}  // namespace carelake::pipeline

#endif  // CARELAKE_PIPELINE_PLAN_H_
