// Readers of values more than one section of carelake.yaml declares: data
// quality expectations (silver tables and models), on_definition_change
// (the project, silver tables and models) and freshness (file and database
// sources). Internal to the project component.
#ifndef CARELAKE_PROJECT_SHARED_READERS_H_
#define CARELAKE_PROJECT_SHARED_READERS_H_

#include <chrono>

#include "carelake/base/result.h"
#include "carelake/project/project.h"
#include "carelake/project/yaml_reader.h"

namespace carelake::project {

// A silver expectation, or (`model`) a model's: warn or fail only, no fix.
// Names are not checked for uniqueness here (the section does that).
Result<Expectation> ReadExpectation(const yaml::Value& v, bool model);

// fail or rebuild.
Result<OnDefinitionChange> ReadOnDefinitionChange(const yaml::Value& v);

// A source's `freshness: {warn_after: DURATION}`.
Result<std::chrono::milliseconds> ReadFreshness(const yaml::Value& v);

}  // namespace carelake::project

#endif  // CARELAKE_PROJECT_SHARED_READERS_H_
