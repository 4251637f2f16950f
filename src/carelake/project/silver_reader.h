// Reads the `silver:` section of carelake.yaml: silver tables conformed from
// bronze (or other silver) tables, with their columns, de-duplication key and
// data quality rules (see doc/project-format.md). Internal to the project
// component.
#ifndef CARELAKE_PROJECT_SILVER_READER_H_
#define CARELAKE_PROJECT_SILVER_READER_H_

#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/project/project.h"
#include "carelake/project/yaml_reader.h"

namespace carelake::project {

// The silver tables and, for the checks against the other sections, where
// each table's `from` was read (from_at[i] belongs to tables[i]).
struct SilverSection {
  std::vector<SilverTable> tables;
  std::vector<yaml::Value> from_at;
};

// The silver tables in `section` (a list; null: none), in order, each in the
// domain `project_name` unless it declares one. Names are unique; whether
// `from` names a known table is for the caller to check.
Result<SilverSection> ReadSilver(const yaml::Value& section, const std::string& project_name);

}  // namespace carelake::project

#endif  // CARELAKE_PROJECT_SILVER_READER_H_
