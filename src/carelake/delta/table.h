// DeltaTable: reading and writing one Delta table on the local file system.
// DuckDB writes and reads the Parquet data files; carelake writes the log.
//
// Every write is one atomic commit (see transaction.h for the conflict
// rules). Data files are written first, under their final names, and become
// part of the table only when the commit lands; files of a writer that died
// before committing are never read and are removed by Vacuum().
//
// Thread safety: a DeltaTable uses the one engine::Connection it was given
// and must be used from one thread at a time. Any number of DeltaTable
// objects, in any number of processes, may work on the same table at once.
#ifndef CARELAKE_DELTA_TABLE_H_
#define CARELAKE_DELTA_TABLE_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/executor.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/log.h"
#include "carelake/delta/scan.h"
#include "carelake/delta/snapshot.h"
#include "carelake/delta/transaction.h"
#include "carelake/engine/connection.h"

namespace carelake::delta {

inline constexpr int64_t kDefaultTargetFileSize = 128LL << 20;

enum class WriteMode { kAppend, kOverwrite };

struct WriteOptions {
  WriteMode mode = WriteMode::kAppend;
  // Overwrite only the rows matching this SQL predicate (every new row must
  // match it too); the whole table when unset.
  std::optional<std::string> replace_where;
  // Partition columns of a new table. For an existing table, if set, they
  // must be the table's.
  std::vector<std::string> partition_by;
  // Columns the table lacks are added to its schema; without this they are
  // an error.
  bool merge_schema = false;
  // With kOverwrite of the whole table: the table takes the new rows' schema
  // (columns dropped, added, retyped) and `partition_by` (else its partition
  // columns the rows still have), as Delta's overwriteSchema. Not for tables
  // with column mapping, which keep merge_schema's rules.
  bool overwrite_schema = false;
  WriteTypeOptions types;
  // Data files roll over at about this many bytes.
  int64_t target_file_size = kDefaultTargetFileSize;
  // Exactly-once: commits `txns` with the data; if the table already holds,
  // for every one of them, the application's version `txn.version` or a
  // later one, nothing is written.
  std::vector<Txn> txns;
  // Commits even when the table already holds every `txns` version: for a
  // rebuild (full refresh) from inputs the table has read before. Concurrent
  // commits of the same applications still conflict.
  bool recommit = false;
  // Table properties (metaData.configuration) set by this commit, on a new
  // table or an existing one (other properties are kept).
  std::map<std::string, std::string> properties;
  // More queries whose rows go into the same commit, each yielding the same
  // columns (names and types, in order) as the main query, each run on its
  // own connection (to this table's database; it must outlive the call),
  // concurrently with the main query on `executor`'s threads (the
  // process's DefaultExecutor() when null). For appends that read many files.
  std::vector<std::pair<std::string, engine::Connection*>> parallel_parts;
  Executor* executor = nullptr;
};

struct MergeOptions {
  // Columns that identify a row; the source must not repeat a key.
  std::vector<std::string> keys;
  // Matched rows for which this SQL predicate over the source row holds are
  // deleted instead of updated.
  std::optional<std::string> delete_when;
  // Matched rows are replaced by the source row.
  bool update_matched = true;
  // Source rows without a match are inserted.
  bool insert_unmatched = true;
  bool merge_schema = false;
  WriteTypeOptions types;
  int64_t target_file_size = kDefaultTargetFileSize;
  std::vector<Txn> txns;                          // as in WriteOptions
  bool recommit = false;                          // as in WriteOptions
  std::map<std::string, std::string> properties;  // as in WriteOptions
};

struct OptimizeOptions {
  int64_t target_file_size = kDefaultTargetFileSize;
  // Files smaller than this are compacted; 3/4 of the target when unset.
  std::optional<int64_t> min_file_size;
  // Clustering: when not empty, every partition with two or more files (or
  // one file over the target size) is rewritten whole, its rows sorted by
  // these columns (in order), so each new file holds a narrow range of them
  // and its min/max statistics let a query on a range of the first column
  // skip most files. Columns must be in the schema and not be partition
  // columns. Not idempotent: a second call rewrites the files again.
  std::vector<std::string> cluster_by;
};

struct VacuumOptions {
  // Files removed from the table longer ago than this are deleted; the
  // table's delta.deletedFileRetentionDuration (7 days) when unset.
  std::optional<int64_t> retention_ms;
  // Allows a retention shorter than the table's: only safe when no reader
  // or writer uses an older version and no write is in flight.
  bool allow_short_retention = false;
  bool dry_run = false;
};

struct OperationMetrics {
  int64_t rows_inserted = 0;  // new rows (appends, merge inserts)
  int64_t rows_updated = 0;
  int64_t rows_deleted = 0;
  int64_t rows_copied = 0;  // unchanged rows rewritten with changed ones
  int64_t files_added = 0;
  int64_t files_removed = 0;
  int64_t bytes_added = 0;
  int64_t bytes_removed = 0;

  nlohmann::json ToJson() const;
};

struct OperationResult {
  bool committed = false;
  // The version committed, or the table's version when nothing was.
  int64_t version = -1;
  // Why nothing was committed, when it was not.
  std::string reason;
  OperationMetrics metrics;
  CommitOutcome commit;
};

struct VacuumResult {
  int64_t retention_ms = 0;
  int64_t files_deleted = 0;
  int64_t bytes_deleted = 0;
  std::vector<std::string> deleted;  // paths (or, for a dry run, paths that would go)
};

struct HistoryEntry {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::string operation;
  nlohmann::json parameters;
  nlohmann::json metrics;
  std::optional<int64_t> read_version;
  bool blind_append = false;
  std::string engine_info;
};

struct TableDetail {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::string id;
  Protocol protocol;
  Schema schema;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> properties;
  int64_t num_files = 0;
  int64_t size_bytes = 0;
  std::optional<int64_t> num_records;  // when every file has stats
};

// The detail of one snapshot (what DeltaTable::Describe returns), without
// reading anything.
TableDetail DescribeSnapshot(const Snapshot& snapshot);

class DeltaTable {
 public:
  // `fs`, `conn` and `clock` must outlive the table. `conn` should use
  // TimeZone UTC. `clock` stamps commits and files and decides retention.
  DeltaTable(FileSystem& fs, std::string path, engine::Connection& conn,
             const Clock& clock = DefaultClock());

  const std::string& path() const { return log_.table_path(); }
  const DeltaLog& log() const { return log_; }
  bool Exists() const;

  // The snapshot at `version` (latest if unset); NotFound if there is no
  // table or no such version.
  Result<SnapshotPtr> Load(std::optional<int64_t> version = std::nullopt) const;
  // The snapshot current at `timestamp_ms`.
  Result<SnapshotPtr> LoadAsOf(int64_t timestamp_ms) const;

  // SQL reading the table at `version` (latest if unset).
  Result<std::string> ScanSql(std::optional<int64_t> version = std::nullopt,
                              const ScanOptions& options = {}) const;

  // Creates the table if needed, then appends or overwrites with the rows
  // of `query` (any DuckDB SELECT).
  Result<OperationResult> Write(const std::string& query, const WriteOptions& options);

  // Deletes the rows matching `predicate` (SQL over the table's columns),
  // rewriting only the files that hold such rows.
  Result<OperationResult> Delete(const std::string& predicate,
                                 int64_t target_file_size = kDefaultTargetFileSize);

  // Upserts the rows of `source_query` by key (copy-on-write: only files
  // holding matched keys are rewritten).
  Result<OperationResult> Merge(const std::string& source_query, const MergeOptions& options);

  // Compacts small files, or clusters them (`cluster_by`); commits a
  // rewrite without data change.
  Result<OperationResult> Optimize(const OptimizeOptions& options = {});

  // Deletes data files no retained version needs, and leftovers of writers
  // that died.
  Result<VacuumResult> Vacuum(const VacuumOptions& options = {});

  // Commits, newest first (all when `limit` is unset).
  Result<std::vector<HistoryEntry>> History(std::optional<size_t> limit = std::nullopt) const;

  Result<TableDetail> Describe(std::optional<int64_t> version = std::nullopt) const;

 private:
  FileSystem& fs_;
  DeltaLog log_;
  engine::Connection& conn_;
  const Clock& clock_;
};

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_TABLE_H_
