// Reader: the run ledger read back into records (records.h) through the
// catalog's `_system.*` views, columns by name (schema.h). Used by `carelake
// runs`, the data-quality reports, and later the scheduler and the HTTP API.
//
// `_system.runs` shows the latest row of each run (a running run, or one
// whose process died, as `started`).
#ifndef CARELAKE_LEDGER_READER_H_
#define CARELAKE_LEDGER_READER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/ledger/records.h"
#include "carelake/ledger/schema.h"
#include "carelake/project/project.h"

namespace carelake::ledger {

// Which runs Runs() lists, newest first (by start, then run id).
struct RunQuery {
  size_t limit = 0;                           // 0: all
  bool with_expectations = false;             // only runs that recorded rule results
  std::optional<int64_t> started_at_most_ms;  // only runs started then or before
  std::string job;                            // only runs of this `jobs:` entry (empty: any)
};

class Reader {
 public:
  // Registers the project's views on `conn` (catalog::RegisterViews), which
  // must outlive the reader and should use `SET TimeZone = 'UTC'`.
  static Result<Reader> Open(const project::Project& project, FileSystem& fs,
                             engine::Connection& conn);

  // False until a run has written to `table`.
  bool Has(LedgerTable table) const { return tables_.count(table) > 0; }
  bool has_runs() const { return Has(LedgerTable::kRuns); }

  Result<int64_t> CountRuns();
  // Runs started after `started_ms`.
  Result<int64_t> CountRunsStartedAfter(int64_t started_ms);
  Result<std::optional<RunRecord>> FindRun(const std::string& run_id);
  Result<std::vector<RunRecord>> Runs(const RunQuery& query = {});
  // In the order they ran (by start, then name).
  Result<std::vector<StepRecord>> Steps(const std::string& run_id);
  // Of any of `run_ids`, in ledger order.
  Result<std::vector<ExpectationRecord>> Expectations(const std::vector<std::string>& run_ids);
  // By source, then file.
  Result<std::vector<FileRecord>> Files(const std::string& run_id);

  // Runs per (job, status); job "" for runs not started by a job.
  struct RunCount {
    std::string job;
    std::string status;
    int64_t runs = 0;
    std::optional<int64_t> last_started_ms;
  };
  Result<std::vector<RunCount>> CountRunsByJob();

  // Rows written and quarantined per table over every recorded step.
  struct TableTotals {
    std::string table;
    int64_t rows_written = 0;
    int64_t rows_quarantined = 0;
  };
  Result<std::vector<TableTotals>> TotalsByTable();

  // Step durations as a cumulative histogram per step: for each bound of
  // `bounds_ms` (ascending), how many recorded steps took at most that long;
  // plus their count and total.
  struct DurationHistogram {
    std::string step;
    std::vector<int64_t> at_most;  // one per bound
    int64_t count = 0;
    int64_t sum_ms = 0;
  };
  Result<std::vector<DurationHistogram>> StepDurations(const std::vector<int64_t>& bounds_ms);

  // When each source last brought data: the newest ingestion of a file with
  // records (or quarantined ones), by source name. Sources without any are
  // absent.
  Result<std::map<std::string, int64_t>> LatestDataBySource();

  // Alert deliveries per (alert, event, status).
  struct AlertCount {
    std::string alert;
    std::string event;
    std::string status;
    int64_t deliveries = 0;
  };
  Result<std::vector<AlertCount>> CountAlerts();

  // SQL listing the run history newest first, at most `limit` runs (0: all),
  // one row per run: run_id, started_utc, status, duration_s, steps,
  // rows_written, rows_quarantined, committed, failed_step, failed_rule,
  // error. With `blank_nulls` the last three are '' instead of NULL.
  // Precondition: has_runs().
  static std::string RunHistorySql(size_t limit, bool blank_nulls);

 private:
  Reader(engine::Connection& conn, std::set<LedgerTable> tables)
      : conn_(&conn), tables_(std::move(tables)) {}

  engine::Connection* conn_;
  std::set<LedgerTable> tables_;  // the ledger tables that exist
};

}  // namespace carelake::ledger

#endif  // CARELAKE_LEDGER_READER_H_
