// Ingestion of a database source (project::DatabaseSource): each table it
// selects, read in one consistent snapshot of the database
// (dbsource/db_reader.h), lands in its own typed bronze table
// (catalog::DatabaseTablePath).
//
// A table is read whole (a snapshot) unless `incremental:` names it:
//   snapshot     the bronze table is overwritten with the rows read, plus,
//                for a table with a primary key, one row per key that the
//                previous snapshot held and this one lacks, marked
//                `_deleted` (so an SCD2 dimension can close it);
//   incremental  rows whose cursor is at least the last watermark minus the
//                lookback (or, by key, greater than the last key) are
//                appended; the new watermark is a table property written in
//                the same commit as the rows (`carelake.watermark`), so a
//                crash before the commit reads the same rows again.
// Every bronze row carries `_run_id`, `_ingested_at` and `_deleted`.
// Schema drift: a new source column is added to bronze; a dropped one is
// NULL from then on; a type change is refused, naming table, column and
// both types.
#ifndef CARELAKE_INGEST_DB_INGEST_H_
#define CARELAKE_INGEST_DB_INGEST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/project/project.h"

namespace carelake::ingest {

// Table properties of a database source's bronze table (its origin:
// catalog/lake_catalog.h, kOrigin*Property).
inline constexpr char kWatermarkProperty[] = "carelake.watermark";
// Change data capture: the commit LSN of the last change the table holds.
inline constexpr char kCdcLsnProperty[] = "carelake.cdc.lsn";

struct DatabaseIngestRequest {
  const project::DatabaseSource* source = nullptr;
  std::string project_dir;  // password_file is relative to it
  std::string lake;
  std::string run_id;
  const Clock* clock = nullptr;  // DefaultClock() when null
  std::stop_token stop;
  std::function<void(const std::string&)> progress;  // a line per table; may be empty
  // Spool files roll over at this size (tests make it small).
  int64_t spool_file_bytes = 256LL << 20;
};

struct TableIngest {
  std::string table;                          // bronze SQL name without the layer: mysql__patient
  std::string source_table;                   // schema.table on the server
  std::string mode;                           // "snapshot" or "incremental"
  int64_t rows = 0;                           // rows read from the server
  int64_t deleted = 0;                        // snapshot: keys gone since the last snapshot
  int64_t version = -1;                       // the bronze version committed
  std::map<std::string, int64_t> zero_dates;  // MySQL zero dates read as NULL, by column
  std::vector<std::string> notices;           // the server's notices while reading the table
  std::string watermark;                      // incremental: the new watermark
  std::string error;                          // empty when the table landed
  double seconds = 0;
  // Change data capture: the commit LSN and commit time (µs since the epoch)
  // of the last change this call committed (0: none).
  uint64_t last_lsn = 0;
  int64_t last_commit_time_us = 0;
};

struct DatabaseIngestResult {
  std::string server;  // "PostgreSQL 15.4 at postgresql://reader@host:5432/db"
  std::vector<TableIngest> tables;
  int failed = 0;  // tables with an error
  // Change data capture: WAL the server keeps for the slot after this run
  // (-1: not a cdc source).
  int64_t retained_wal_bytes = -1;
};

// The lock a source under change data capture is captured under, by a run's
// step or by serve's consumer (base/process_lock.h): one writer of its
// bronze tables at a time, whoever it is.
std::string CdcLockPath(const std::string& lake, const std::string& source);

// Reads the source's tables into bronze. A cdc source is captured under
// CdcLockPath (waiting for its holder, or until `stop`). A source that cannot be reached
// (or whose password is missing) is an error naming it; a table that cannot
// be read is a TableIngest with `error`, and with `on_error: fail` also an
// error of the whole call (the tables already landed stay).
Result<DatabaseIngestResult> IngestDatabase(const DatabaseIngestRequest& request, FileSystem& fs,
                                            engine::Connection& conn);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_DB_INGEST_H_
