// LakeProfile: the lake-reading half of `carelake infer` — finds a source's
// bronze tables (a file source's one table; every table of a database
// source), reads a sample of each (a repeatable reservoir sample of at most
// N rows, values as text) and profiles its columns (infer/profile.h).
#ifndef CARELAKE_INFER_LAKE_PROFILE_H_
#define CARELAKE_INFER_LAKE_PROFILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/connection.h"
#include "carelake/infer/profile.h"
#include "carelake/project/project.h"

namespace carelake::infer {

// The existing bronze tables of source `source` (tables of the project whose
// folder is <lake>/bronze/<source>/, companions left out), only `table`
// when not empty (its SQL name, or its name without `<source>__`).
// NotFound when the source or table has none.
Result<std::vector<catalog::CatalogTable>> SourceTables(const project::Project& project,
                                                        const std::string& source,
                                                        const std::string& table, FileSystem& fs);

// Profiles `table` from at most `sample` rows. Columns whose name starts
// with `_` (lineage: _run_id, _ingested_at, ...) are left out.
Result<TableProfile> ProfileTable(const catalog::CatalogTable& table, const std::string& source,
                                  int64_t sample, FileSystem& fs, engine::Connection& conn);

}  // namespace carelake::infer

#endif  // CARELAKE_INFER_LAKE_PROFILE_H_
