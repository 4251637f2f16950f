// delta_scan() in SQL: `SELECT * FROM delta_scan('path/to/table')`, with
// `version => N` or `timestamp => '2026-01-01 00:00:00'` for time travel,
// expands to a subquery over the snapshot's Parquet files (scan.h).
#ifndef CARELAKE_DELTA_SQL_REWRITE_H_
#define CARELAKE_DELTA_SQL_REWRITE_H_

#include <string>
#include <string_view>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"

namespace carelake::delta {

// Replaces every delta_scan(...) call in `sql` (outside string literals,
// quoted identifiers and comments) by a parenthesized SELECT. A relative
// path is taken relative to `base_dir` (the working directory if empty).
// InvalidArgument for malformed arguments, with the offset in `sql`;
// NotFound / NotSupported for tables that cannot be read.
Result<std::string> ExpandDeltaScans(std::string_view sql, engine::Connection& conn, FileSystem& fs,
                                     const std::string& base_dir = "");

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_SQL_REWRITE_H_
