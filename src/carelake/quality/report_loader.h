// ReportLoader: a data-quality report (report.h) assembled from a
// project's run ledger, read through ledger::Reader — the run, its steps,
// its sources' files, each table's rule results with masked examples, and
// each rule's failure-rate trend over the recent runs.
#ifndef CARELAKE_QUALITY_REPORT_LOADER_H_
#define CARELAKE_QUALITY_REPORT_LOADER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/ledger/reader.h"
#include "carelake/project/project.h"
#include "carelake/quality/pii_masker.h"
#include "carelake/quality/report.h"

namespace carelake::quality {

// Loads data-quality reports from a project's run ledger (ledger::Reader).
//
// `conn` must outlive the ReportLoader and should use `SET TimeZone = 'UTC'`.
class ReportLoader {
 public:
  // Registers the project's views on `conn` (catalog::RegisterViews).
  static Result<ReportLoader> Open(const project::Project& project, FileSystem& fs,
                                   engine::Connection& conn);

  // False until a run has been recorded.
  bool has_runs() const { return reader_.has_runs(); }

  // Number of runs recorded.
  Result<int64_t> CountRuns() { return reader_.CountRuns(); }

  // The run `run_id`; NotFound when the ledger does not hold it.
  Result<RunRecord> FindRun(const std::string& run_id);

  // The latest run with expectation results, nullopt if there is none.
  Result<std::optional<RunRecord>> LatestRunWithExpectations();

  // The data-quality report of `run_id` (default: the latest run with
  // expectation results). NotFound naming the id when the ledger does not
  // hold that run, or when no run has expectation results (and no id was
  // given). Examples are masked with `masker`.
  Result<QualityReport> LoadReport(const std::optional<std::string>& run_id,
                                   const PiiMasker& masker);

 private:
  ReportLoader(ledger::Reader reader, std::string project)
      : reader_(std::move(reader)), project_(std::move(project)) {}

  Result<std::vector<SourceIngest>> LoadSources(const std::string& run_id,
                                                const std::vector<StepRecord>& steps);
  Status LoadRules(QualityReport& report, const PiiMasker& masker);
  Status LoadTrends(QualityReport& report);

  ledger::Reader reader_;
  std::string project_;
  // Each declared source's name and its bronze table ("bronze.<table>").
  std::vector<std::pair<std::string, std::string>> sources_;
};

}  // namespace carelake::quality

#endif  // CARELAKE_QUALITY_REPORT_LOADER_H_
