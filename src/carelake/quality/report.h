// Data-quality reports: the run ledger (`_system.*`, see
// pipeline/runner.h) read back into structs, and rendered as text, JSON or a
// self-contained HTML page.
//
// PII: expectation examples are source records and may hold patient data.
// They are masked by a PiiMasker while they are loaded, so a QualityReport
// never holds an unmasked example and no renderer can leak one.
//
// The report's contents and the ledger's columns are written down in
// doc/data-quality.md.
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

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/ledger/reader.h"
#include "carelake/ledger/records.h"
#include "carelake/project/project.h"

namespace carelake::quality {

// What a masked value is replaced with.
inline constexpr char kMask[] = "***";
// How many runs the failure-rate trend of a rule covers at most.
inline constexpr size_t kTrendRuns = 10;

// Hides patient data in example records. The value of every JSON object key
// (at any depth) that names a silver column declared `pii: true` becomes
// "***": the key equals the column's `from` or its name, or the key's
// SnakeCase() equals the column's name. PII is a property of the data, so
// the pii columns of every silver table of the project count, whichever
// table an example belongs to. JSON null stays null (it holds nothing).
class PiiMasker {
 public:
  // Masks nothing.
  PiiMasker() = default;
  static PiiMasker ForProject(const project::Project& project);

  bool IsPiiKey(std::string_view key) const;

  // `json_text` with the values of PII keys masked, re-serialized compactly
  // with the keys in their original order. Text that is not JSON is
  // returned unchanged when no column is PII, and replaced by a notice
  // otherwise (it cannot be masked field by field).
  std::string Mask(std::string_view json_text) const;

 private:
  std::set<std::string> keys_;   // `from` and name of each pii column
  std::set<std::string> names_;  // names of pii columns (for SnakeCase(key))
};

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

// Loads data-quality reports from a project's run ledger (ledger::Reader).
//
// `conn` must outlive the Ledger and should use `SET TimeZone = 'UTC'`.
class Ledger {
 public:
  // Registers the project's views on `conn` (catalog::RegisterViews).
  static Result<Ledger> Open(const project::Project& project, FileSystem& fs,
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
  Ledger(ledger::Reader reader, std::string project)
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

// The report as aligned plain text for a terminal.
std::string RenderText(const QualityReport& report);

// The report as a JSON document (examples as masked JSON text).
std::string RenderJson(const QualityReport& report);

// The report as one self-contained HTML page: inline CSS and SVG, no script,
// no external reference of any kind; every value HTML-escaped.
std::string RenderHtml(const QualityReport& report);

// `text` with &, <, >, " and ' replaced by entities.
std::string HtmlEscape(std::string_view text);

// "2026-11-22 21:26:17 UTC".
std::string FormatUtc(int64_t epoch_ms);

}  // namespace carelake::quality

#endif  // CARELAKE_QUALITY_REPORT_H_
