// Reading a snapshot's rows: SQL that DuckDB runs over the snapshot's
// Parquet files, with partition values from the log and the table's schema.
#ifndef CARELAKE_DELTA_SCAN_H_
#define CARELAKE_DELTA_SCAN_H_

#include <functional>
#include <string>

#include "carelake/base/result.h"
#include "carelake/delta/snapshot.h"
#include "carelake/engine/connection.h"

namespace carelake::delta {

struct ScanOptions {
  // Files to read; all live files when unset. Used for file skipping and for
  // rewrites that touch some files only.
  std::function<bool(const AddFile&)> file_filter;
  // Adds a column "__carelake_file" holding each row's `add.path`.
  bool with_file_column = false;
};

// A SELECT over the snapshot: one column per schema field, in schema order,
// with DuckDB types from DuckDbTypeOf(); partition columns from the log's
// partition values; columns absent from older files read as NULL. Checks
// the snapshot is readable first. `conn` is used to discover which columns
// the data files hold; its TimeZone must be UTC for timestamps to read
// exactly (carelake's connections are).
Result<std::string> BuildScanSql(const Snapshot& snapshot, engine::Connection& conn,
                                 const ScanOptions& options = {});

// The SQL literal of a serialized partition value for a column of Delta type
// `type` (NULL for a null or empty value).
Result<std::string> PartitionValueSql(const nlohmann::json& type,
                                      const std::optional<std::string>& value);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_SCAN_H_
