// delta_scan() in SQL: `SELECT * FROM delta_scan('path/to/table')`, with
// `version => N` or `timestamp => '2026-01-01 00:00:00'` for time travel,
// expands to a subquery over the snapshot's Parquet files (scan.h).
#ifndef CARELAKE_DELTA_SQL_REWRITE_H_
#define CARELAKE_DELTA_SQL_REWRITE_H_

#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"

namespace carelake::delta {

// What the expansion read, per delta_scan() call.
struct DeltaScanReport {
  struct Scan {
    std::string path;
    int64_t version = 0;
    size_t files_total = 0;
    size_t files_read = 0;  // after skipping by partition values and stats
  };
  std::vector<Scan> scans;
};

// Replaces every delta_scan(...) call in `sql` (outside string literals,
// quoted identifiers and comments) by a parenthesized SELECT. A relative
// path is taken relative to `base_dir` (the working directory if empty).
// InvalidArgument for malformed arguments, with the offset in `sql`;
// NotFound / NotSupported for tables that cannot be read. Files that cannot
// hold rows matching the enclosing SELECT's WHERE are skipped (pruning.h);
// `report`, if given, receives what each call read.
Result<std::string> ExpandDeltaScans(std::string_view sql, engine::Connection& conn, FileSystem& fs,
                                     const std::string& base_dir = "",
                                     DeltaScanReport* report = nullptr);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_SQL_REWRITE_H_
