// Reads the `sources:` section of carelake.yaml: the file sources, each
// ingested into its bronze table, and the database sources (see doc/project-format.md). Internal to
// the project component.
#ifndef CARELAKE_PROJECT_SOURCES_READER_H_
#define CARELAKE_PROJECT_SOURCES_READER_H_

#include <vector>

#include "carelake/base/result.h"
#include "carelake/project/project.h"
#include "carelake/project/yaml_reader.h"

namespace carelake::project {

struct SourcesSection {
  std::vector<Source> files;
  std::vector<DatabaseSource> databases;  // entries with `connection:` (db_sources_reader.h)
};

// The sources in `section` (a list; null: none), in order. Source names
// (of both kinds) and the bronze tables of file sources are each unique.
Result<SourcesSection> ReadSources(const yaml::Value& section);

}  // namespace carelake::project

#endif  // CARELAKE_PROJECT_SOURCES_READER_H_
