// Reads the `alerts:` section of carelake.yaml: where `carelake serve`
// reports failures, stale sources and recoveries (doc/project-format.md,
// "alerts"). Internal to the project component.
#ifndef CARELAKE_PROJECT_ALERTS_READER_H_
#define CARELAKE_PROJECT_ALERTS_READER_H_

#include <vector>

#include "carelake/base/result.h"
#include "carelake/project/project.h"
#include "carelake/project/yaml_reader.h"

namespace carelake::project {

// The alert targets in `section` (a list), in order. Each has a unique
// name and exactly one of webhook:, email: or command:. `${NAME}`
// references are checked for syntax here and read from the environment
// only when an alert is sent.
Result<std::vector<AlertTarget>> ReadAlerts(const yaml::Value& section);

}  // namespace carelake::project

#endif  // CARELAKE_PROJECT_ALERTS_READER_H_
