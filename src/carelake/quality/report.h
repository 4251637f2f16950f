// The data-quality report of one run: its steps' row accounts, its sources'
// files, each table's rules with their outcomes, masked examples and
// failure-rate trends. Loaded from the run ledger by report_loader.h (which
// masks PII, pii_masker.h), rendered by render.h.
//
// The report's contents are written down in doc/data-quality.md.
#ifndef CARELAKE_QUALITY_REPORT_H_
#define CARELAKE_QUALITY_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "carelake/ledger/records.h"

namespace carelake::quality {

// How many runs the failure-rate trend of a rule covers at most.
inline constexpr size_t kTrendRuns = 10;

// The ledger's records (ledger/records.h): a run and one step of it.
using RunRecord = ledger::RunRecord;
using StepRecord = ledger::StepRecord;

// How a rule came out in one run, as one word.
enum class RuleOutcome { kPassed, kWarned, kFixed, kDropped, kQuarantined, kFailed };
// "passed", "warned", "fixed", "dropped", "quarantined", "FAILED".
std::string ToString(RuleOutcome outcome);

// A rule's counts in one earlier (or the same) run, for the trend.
struct TrendPoint {
  std::string run_id;
  int64_t started_ms = 0;
  std::optional<int64_t> rows_checked;  // nullopt: not evaluated in that run
  int64_t rows_failed = 0;
};

// One row of `_system.expectations`, with its examples masked.
struct RuleRecord {
  std::string rule;
  std::string action;  // "warn", "drop", "quarantine", "fail", "fix"
  std::string check_sql;
  int64_t rows_checked = 0;
  int64_t rows_failed = 0;
  std::vector<std::string> examples;  // masked JSON text, at most 5
  RuleOutcome outcome = RuleOutcome::kPassed;
  // Oldest first, ending with the report's run; one point per run of the
  // trend window (QualityReport::trend_runs).
  std::vector<TrendPoint> trend;

  // Percent of the checked rows that failed; 0 when none were checked.
  double FailurePercent() const;
};

// The quality of one table in one run: its step's row account (when the
// run has a step of that name) and its rules in ledger order.
struct TableQuality {
  std::string table;  // "silver.interactions", "gold.lumia_monthly"
  std::optional<StepRecord> step;
  std::vector<RuleRecord> rules;
};

// Bronze ingestion of one source in one run, from `_system.files` (and the
// ingest step for the bronze table's row counts).
struct SourceIngest {
  std::string source;
  int64_t files = 0;
  int64_t records = 0;      // records written to bronze
  int64_t quarantined = 0;  // records written to bronze.<table>__quarantine
  struct FileError {
    std::string file;
    int64_t quarantined = 0;
    std::string first_error;
  };
  std::vector<FileError> file_errors;  // files with quarantined records
};

struct QualityReport {
  std::string project;
  RunRecord run;
  // True when the run was asked for by id; false when it was picked as the
  // latest run with expectation results.
  bool chosen_by_id = false;
  // Runs started after this one (when it was picked as the latest with
  // expectation results, those evaluated no rule).
  int64_t later_runs = 0;
  std::vector<StepRecord> steps;  // in the order they ran
  std::vector<SourceIngest> sources;
  // Silver steps of the run and every table with rule results, in step order.
  std::vector<TableQuality> tables;
  // The runs the trends cover, oldest first (at most kTrendRuns, those with
  // expectation results, up to and including this run).
  std::vector<RunRecord> trend_runs;

  int64_t RulesEvaluated() const;
  int64_t RulesWithFailures() const;
  int64_t RulesFailed() const;  // outcome kFailed
  // "chosen with --run" or "the latest run with expectation results".
  std::string SelectionNote() const;
};

}  // namespace carelake::quality

#endif  // CARELAKE_QUALITY_REPORT_H_
