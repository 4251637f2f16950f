// Reads a database source of the `sources:` section of carelake.yaml (an
// entry with `connection:`; see doc/sources.md). Internal to the project
// component: sources_reader.cc hands such entries here.
#ifndef CARELAKE_PROJECT_DB_SOURCES_READER_H_
#define CARELAKE_PROJECT_DB_SOURCES_READER_H_

#include "carelake/base/result.h"
#include "carelake/project/project.h"
#include "carelake/project/yaml_reader.h"

namespace carelake::project {

// True when the source entry `v` (a map) declares `connection:`.
bool IsDatabaseSource(const yaml::Value& v);

Result<DatabaseSource> ReadDatabaseSource(const yaml::Value& v);

}  // namespace carelake::project

#endif  // CARELAKE_PROJECT_DB_SOURCES_READER_H_
