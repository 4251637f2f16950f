// What the DeltaTable operations (table.cc, table_write.cc, table_merge.cc,
// table_maintenance.cc) share: the schema a write takes, conforming rows to
// it, the remove actions of replaced files, the txn and protocol checks, and
// committing. Internal to delta/: not for other components.
#ifndef CARELAKE_DELTA_TABLE_INTERNAL_H_
#define CARELAKE_DELTA_TABLE_INTERNAL_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/actions.h"
#include "carelake/delta/data_writer.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/snapshot.h"
#include "carelake/delta/table.h"
#include "carelake/delta/transaction.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/types.h"

namespace carelake::delta::internal {

// A marker column of rows being matched to their data file (merge).
inline constexpr char kFileColumn[] = "__carelake_file";
// delta.deletedFileRetentionDuration's default: 7 days.
inline constexpr int64_t kDefaultTombstoneRetentionMs = 7LL * 24 * 3600 * 1000;

// The last component of a slash-separated path.
std::string BaseName(const std::string& path);

struct Column {
  std::string name;
  engine::LogicalType type;
};

// The columns a query yields.
Result<std::vector<Column>> ColumnsOf(engine::Connection& conn, const std::string& query);

// True if a column of `schema` is a timestamp without time zone.
bool UsesTimestampNtz(const Schema& schema);

// The schema of incoming rows, validated: no duplicate names, Delta types.
Result<Schema> IncomingSchema(const std::vector<Column>& columns, const WriteTypeOptions& types);

// The table schema after writing rows of `incoming`: a column keeps the
// table's type where the rows' type is StoreAssignable to it (ConformSql
// then casts the values, so every write path stores the table's types);
// new columns need `merge_schema`. Errors name the table.
Result<Schema> EvolveSchema(const Schema& table, const Schema& incoming, bool merge_schema,
                            const std::string& table_path);

// SELECT over `query` yielding exactly `schema`'s columns with the DuckDB
// types the table stores (the one place where store assignment casts the
// rows of appends, overwrites, replace-where and merges); columns the query
// lacks are NULL.
Result<std::string> ConformSql(const std::string& query, const std::vector<Column>& incoming,
                               const Schema& schema);

// Remove actions for `files`, stamped `now` (ms); counted in `metrics`.
std::vector<RemoveFile> RemovesFor(const std::vector<AddFile>& files, bool data_change, int64_t now,
                                   OperationMetrics* metrics);

// The file's numRecords statistic, if it has one.
std::optional<int64_t> StatsNumRecords(const AddFile& f);

// FailedPrecondition if the table only takes appends and `operation` would
// remove rows.
Status CheckRemovesAllowed(const Snapshot& s, const std::string& operation);

// Why a write carrying `txns` is skipped: every application already
// committed its version; empty when the write must go ahead.
std::string TxnSkipReason(const Snapshot& s, const std::vector<Txn>& txns);

// The partition columns `names` as the schema spells them; InvalidArgument
// for a column the schema lacks or whose type cannot partition.
Result<std::vector<std::string>> PartitionColumns(const Schema& schema,
                                                  const std::vector<std::string>& names);

// FailedPrecondition when `schema` needs timestampNtz and the table lacks it.
Status CheckTimestampNtz(const Snapshot& s, const Schema& schema);

// Puts new metadata into `txn` when `schema` or `properties` change the
// snapshot's.
void SetChangedMetadata(const Snapshot& s, const Schema& schema,
                        const std::map<std::string, std::string>& properties, Transaction& txn);

// Removes data files that never became part of the table.
void RemoveUncommitted(FileSystem& fs, const std::string& table_path,
                       const std::vector<AddFile>& adds);

// Commits `txn` with `adds` (already added to it) into `result`; on failure
// the new data files are removed again.
Status CommitInto(Transaction& txn, const std::string& operation, const nlohmann::json& parameters,
                  FileSystem& fs, const std::string& table_path, const std::vector<AddFile>& adds,
                  OperationResult* result);

// The copy-on-write delete of the rows of `snapshot` matching `predicate`:
// files with matches are removed in `txn`; their other rows are written to
// new files (returned, not yet added to `txn`), conformed to `schema`.
Result<std::vector<AddFile>> DeleteMatching(const Snapshot& snapshot, engine::Connection& conn,
                                            DataWriter& writer, const std::string& predicate,
                                            const Schema& schema, int64_t target_file_size,
                                            Transaction& txn, OperationMetrics* metrics);

}  // namespace carelake::delta::internal

#endif  // CARELAKE_DELTA_TABLE_INTERNAL_H_
