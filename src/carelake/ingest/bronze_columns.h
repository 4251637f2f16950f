// Bronze's columns: one VARCHAR per source column (key or header), matched
// ignoring ASCII case as Delta matches column names, then the lineage
// columns bronze adds to every row — `_run_id`, `_source_file`,
// `_source_position` and `_ingested_at` — which no source column may use.
#ifndef CARELAKE_INGEST_BRONZE_COLUMNS_H_
#define CARELAKE_INGEST_BRONZE_COLUMNS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "carelake/base/status.h"

namespace carelake::ingest {

inline constexpr const char* kLineageColumns[] = {"_run_id", "_source_file", "_source_position",
                                                  "_ingested_at"};

// The name by which bronze tells columns apart: `name` in ASCII lower case.
// Two source columns with the same key are one bronze column.
std::string ColumnKey(std::string name);

// InvalidArgument naming `source` if one of `columns` is a lineage column.
Status CheckNoLineageColumn(const std::string& source, const std::vector<std::string>& columns);

// The lineage columns as a SELECT list over a unit's rows, which must have
// `_source_position`: the other three are constants.
std::string LineageSql(const std::string& run_id, const std::string& source_file,
                       int64_t ingested_at_ms);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_BRONZE_COLUMNS_H_
