// Reads the `models:` section of carelake.yaml and the `models/*.sql` files:
// gold SQL models (full or incremental), dimensions (scd1, scd2, generated
// date and time dimensions) and facts with their surrogate-key lookups (see
// doc/project-format.md and doc/dimensions.md). Internal to the project
// component.
#ifndef CARELAKE_PROJECT_MODELS_READER_H_
#define CARELAKE_PROJECT_MODELS_READER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/project/project.h"
#include "carelake/project/yaml_reader.h"

namespace carelake::project {

// The models declared in `section` (a list; null: none), in order, each in
// the domain `project_name` unless it declares one, with its SQL file (under
// the project folder `dir`) read. Names are unique; lookups are checked by
// CheckLookups() once every model is known.
Result<std::vector<Model>> ReadModels(const yaml::Value& section, const std::string& project_name,
                                      const std::filesystem::path& dir);

// Appends to `project.models` a full model for each `models/*.sql` file no
// declared model reads, named after the file, in file name order.
Status DiscoverModels(const std::filesystem::path& dir, Project& project);

// Every lookup names a type 2 dimension of the project; its output column
// defaults to the dimension's surrogate key and is unique in the model. Sets
// each lookup's surrogate_key (and its `as` when not declared).
Status CheckLookups(Project& project);

}  // namespace carelake::project

#endif  // CARELAKE_PROJECT_MODELS_READER_H_
