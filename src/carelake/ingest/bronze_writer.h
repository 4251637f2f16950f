// Commits batches of read units (connector.h) into a source's bronze table
// and its bronze quarantine table, the same for every kind of source.
//
// Exactly-once rests on Delta `txn` actions: each commit carries the txn of
// every unit whose rows (or quarantined records) it holds, in the same
// atomic commit as those rows, so a unit is either wholly in a table or not
// at all, whatever point a run is killed at. The quarantine is written
// first, for the units it does not hold yet, so a rerun after a kill
// between the two commits does not quarantine them twice.
//
// Bronze rows are the units' source columns as VARCHAR (the union of the
// batch's columns by ColumnKey, first spelling wins; a unit lacking one has
// NULL) and the lineage columns (bronze_columns.h); quarantine rows are the
// quarantine columns (quarantine_record.h) between `_run_id` and
// `_ingested_at`. Schemas grow as new columns appear (merge_schema).
#ifndef CARELAKE_INGEST_BRONZE_WRITER_H_
#define CARELAKE_INGEST_BRONZE_WRITER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/executor.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"
#include "carelake/ingest/connector.h"

namespace carelake::ingest {

// What a table holds of the txns: application versions by id, and the
// table's version (none of either if the table does not exist yet).
struct CommittedTxns {
  std::map<std::string, int64_t> app_versions;
  std::optional<int64_t> version;
};
Result<CommittedTxns> LoadCommittedTxns(const delta::DeltaTable& table);

class BronzeWriter {
 public:
  // Opens both tables and reads their txns. `fs` and `conn` must outlive
  // the writer; `conn` should use TimeZone UTC.
  // `clock` stamps `_ingested_at` of quarantined records and the commits;
  // `executor` runs a bronze write's parallel parts. Both must outlive the
  // writer.
  static Result<BronzeWriter> Open(FileSystem& fs, const std::string& bronze_path,
                                   const std::string& quarantine_path, std::string source_name,
                                   std::string run_id, engine::Connection& conn, const Clock& clock,
                                   Executor& executor);

  // Bronze's txn application versions by id, as opened.
  const std::map<std::string, int64_t>& bronze_txns() const { return bronze_txns_; }
  // Bronze's version: as opened, then after the last commit.
  std::optional<int64_t> bronze_version() const { return bronze_version_; }
  // Commits made so far to either table (a write whose txns a table already
  // held makes none).
  int64_t commits() const { return commits_; }

  // Commits the quarantined records of the units in `rows` that the
  // quarantine does not hold yet, with their txns, in one commit (none if
  // there are no such records). Errors say so and name the source.
  Status WriteQuarantine(const std::vector<UnitRows>& rows);

  // Commits the rows of every unit in `rows` with lineage (`_ingested_at` is
  // `ingested_at_ms`), in one commit with every unit's txn, also of units
  // with no row, which bronze then holds as ingested. The rows' SQL runs on
  // `conns` at once: on `conns[0]` (this writer's connection) the units not
  // `any_connection`, and the others spread over all. Errors name the
  // source; the caller may read the batch again and retry.
  Status WriteBronze(const std::vector<UnitRows>& rows,
                     const std::vector<engine::Connection*>& conns, int64_t ingested_at_ms);

 private:
  BronzeWriter(delta::DeltaTable bronze, delta::DeltaTable quarantine, std::string source_name,
               std::string run_id, const Clock& clock, Executor& executor)
      : bronze_(std::move(bronze)),
        quarantine_(std::move(quarantine)),
        source_name_(std::move(source_name)),
        run_id_(std::move(run_id)),
        clock_(&clock),
        executor_(&executor) {}

  delta::DeltaTable bronze_;
  delta::DeltaTable quarantine_;
  std::string source_name_;
  std::string run_id_;
  std::map<std::string, int64_t> bronze_txns_;
  std::map<std::string, int64_t> quarantine_txns_;  // grows with each quarantine commit
  std::optional<int64_t> bronze_version_;
  int64_t commits_ = 0;
  const Clock* clock_;
  Executor* executor_;
};

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_BRONZE_WRITER_H_
