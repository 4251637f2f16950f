// DataWriter: writes rows into new Parquet data files of a Delta table —
// staged in a private folder, rolled at a target size, partitioned the Hive
// way — and returns their add actions with statistics. Nothing it writes is
// part of the table until a commit adds it. Internal to delta/.
#ifndef CARELAKE_DELTA_DATA_WRITER_H_
#define CARELAKE_DELTA_DATA_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/actions.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"

namespace carelake::delta::internal {

// Where writers stage their files (below the table folder), and the column
// that carries a row's encoded partition while it is written.
inline constexpr char kStagingDir[] = "_carelake_staging";
inline constexpr char kPartitionColumn[] = "__carelake_partition";

// Removes a folder tree's empty folders, bottom-up (`dir` itself only when
// `remove_self`).
void RemoveEmptyDirs(FileSystem& fs, const std::string& dir, bool remove_self);

struct DataWriter {
  FileSystem& fs;
  engine::Connection& conn;
  std::string table_path;
  const Clock& clock;  // stamps the add actions' modificationTime

  // Writes the rows of `select_sql` (which yields `schema`'s columns) into
  // new data files of the table; returns their add actions. With `order_by`
  // (an SQL ORDER BY list over those columns) the rows are written in that
  // order, so the files it rolls hold consecutive ranges (clustering).
  Result<std::vector<AddFile>> Write(const std::string& select_sql, const Schema& schema,
                                     const std::vector<std::string>& partition_columns,
                                     int64_t target_file_size, bool data_change,
                                     OperationMetrics* metrics, const std::string& order_by = "");

  // Removes a staging folder and whatever a failed COPY left in it.
  void RemoveStaging(const std::string& staging);
};

}  // namespace carelake::delta::internal

#endif  // CARELAKE_DELTA_DATA_WRITER_H_
