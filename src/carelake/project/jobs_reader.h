// Reads the `jobs:` section of carelake.yaml: what `carelake serve` runs and
// when (see doc/project-format.md#jobs). Internal to the project component.
#ifndef CARELAKE_PROJECT_JOBS_READER_H_
#define CARELAKE_PROJECT_JOBS_READER_H_

#include <vector>

#include "carelake/base/result.h"
#include "carelake/project/project.h"
#include "carelake/project/yaml_reader.h"

namespace carelake::project {

// The jobs in `section` (a list), in order, checked against the rest of
// `project` (read before them): `select:` names declared tables, the
// sources of `on_new_files:` are declared, `after:` names other jobs and
// makes no cycle, schedules parse and time zones exist. Job names are
// unique.
Result<std::vector<Job>> ReadJobs(const yaml::Value& section, const Project& project);

}  // namespace carelake::project

#endif  // CARELAKE_PROJECT_JOBS_READER_H_
