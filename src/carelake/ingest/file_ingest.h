// File ingestion: the files of one project source into its bronze table,
// each file exactly once.
//
// Exactly-once rests on Delta `txn` actions: every commit to the bronze
// table carries one application version per file it holds
// (`carelake.file:<path relative to the project>`), in the same atomic commit
// as the rows, so a file is either wholly in bronze or not at all, whatever
// point a run is killed at. Records that cannot be read go to the bronze
// quarantine table first, under the same application ids; a rerun after a
// kill between the two commits does not quarantine them twice.
//
// Bronze rows keep every source value as text and add the lineage columns
// `_run_id`, `_source_file`, `_source_position` (1-based record number in
// the file; for CSV among the records that parsed) and `_ingested_at`.
//
// Built on the connector interface (connector.h): FileSource lists and
// reads the files, BronzeWriter commits them; this file batches and retries.
#ifndef CARELAKE_INGEST_FILE_INGEST_H_
#define CARELAKE_INGEST_FILE_INGEST_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/executor.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/project/project.h"

namespace carelake::ingest {

inline constexpr char kFileAppPrefix[] = "carelake.file:";

struct IngestRequest {
  const project::Source* source = nullptr;
  std::string project_dir;      // globs and recorded paths are relative to it
  std::string bronze_path;      // the bronze table
  std::string quarantine_path;  // the bronze quarantine table
  std::string run_id;
  // A commit holds at most this many files / input bytes.
  size_t max_batch_files = 256;
  int64_t max_batch_bytes = 1LL << 30;
  // Files are read on up to this many connections at once (more
  // connections to the database of the one IngestFiles is given), on
  // `executor`'s threads; 0: one more than the executor has threads.
  size_t parallelism = 0;
  // Called with a line of progress ("chatbot: 3/8 files, 750,000 records").
  std::function<void(const std::string&)> progress;
  // Stamps `_ingested_at` and the commits (DefaultClock() when null).
  const Clock* clock = nullptr;
  // Runs the concurrent reads (DefaultExecutor() when null).
  Executor* executor = nullptr;
  // A stop request interrupts the reads and the running commit's query on
  // every connection; IngestFiles then returns Cancelled. Batches committed
  // before stay committed (each holds whole files), so a later call ingests
  // the rest exactly once.
  std::stop_token stop;
  // Files modified less than this long ago (by `clock`) are left for a
  // later run, so a file still being copied is never ingested half.
  std::chrono::milliseconds min_file_age{0};
};

struct IngestedFile {
  std::string file;  // relative to the project folder
  int64_t size_bytes = 0;
  int64_t modified_ms = 0;
  int64_t records = 0;      // rows written to bronze
  int64_t quarantined = 0;  // records (or the whole file, as one) quarantined
  std::string first_error;  // the first quarantine reason, if any
};

struct IngestResult {
  std::vector<IngestedFile> files;  // newly ingested by this call
  int64_t files_already_ingested = 0;
  int64_t rows_written = 0;
  int64_t rows_quarantined = 0;
  int64_t commits = 0;
  std::optional<int64_t> bronze_version;  // after this call, if the table exists
  std::vector<std::string> warnings;
};

// Ingests the files of `request.source` not yet in its bronze table.
// `conn` should use TimeZone UTC.
Result<IngestResult> IngestFiles(const IngestRequest& request, FileSystem& fs,
                                 engine::Connection& conn);

// The files of `request.source` not yet in its bronze table, without reading
// them (for `carelake run --dry-run`).
struct PendingFiles {
  std::vector<std::string> new_files;  // relative to the project folder
  int64_t new_bytes = 0;
  int64_t already_ingested = 0;
  int64_t settling = 0;  // new, but modified within min_file_age
};
Result<PendingFiles> ListPendingFiles(const IngestRequest& request, FileSystem& fs,
                                      engine::Connection& conn);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_FILE_INGEST_H_
