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

// One row of `_system.runs`. Times are milliseconds since the Unix epoch.
struct RunRecord {
  std::string run_id;
  std::string project;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  std::string status;  // "succeeded" or "failed"
  int64_t duration_ms = 0;
  int64_t steps = 0;
  int64_t rows_written = 0;
  int64_t rows_quarantined = 0;
  bool committed = false;
  std::string selection;
  bool full_refresh = false;
  std::string failed_step;  // empty when the run succeeded
  std::string failed_rule;
  std::string error;
  bool succeeded() const { return status == "succeeded"; }
};

// One row of `_system.steps`.
struct StepRecord {
  std::string step;    // "silver.interactions"
  std::string kind;    // "ingest", "silver" or "model"
  std::string status;  // "committed", "up_to_date" or "failed"
  int64_t rows_read = 0;
  int64_t rows_written = 0;  // silver: the rows kept
  int64_t rows_quarantined = 0;
  int64_t rows_dropped = 0;
  int64_t rows_deduplicated = 0;
  int64_t rows_fixed = 0;
  int64_t rows_warned = 0;
  int64_t files = 0;
  std::optional<int64_t> table_version;
  int64_t started_ms = 0;
  int64_t duration_ms = 0;
  std::string message;

  // A silver step that did not fail accounts for every row read: read =
  // kept + dropped + quarantined + deduplicated (fixed and warned rows are
  // among the kept). A failed step committed nothing, so it has no account
  // to check.
  bool HasRowAccount() const { return kind == "silver" && status != "failed"; }
  int64_t Accounted() const {
    return rows_written + rows_dropped + rows_quarantined + rows_deduplicated;
  }
  bool Reconciles() const { return rows_read == Accounted(); }
};

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

// Reads a project's run ledger through the `_system.*` views.
//
// `conn` must outlive the Ledger and should use `SET TimeZone = 'UTC'`.
class Ledger {
 public:
  // Registers the project's views on `conn` (catalog::RegisterViews).
  static Result<Ledger> Open(const project::Project& project, FileSystem& fs,
                             engine::Connection& conn);

  // False until a run has been recorded.
  bool has_runs() const { return tables_.count("runs") > 0; }

  // Number of runs recorded.
  Result<int64_t> CountRuns();

  // SQL listing the run history newest first, at most `limit` runs (0: all),
  // one row per run: run_id, started_utc, status, duration_s, steps,
  // rows_written, rows_quarantined, committed, failed_step, failed_rule,
  // error. With `blank_nulls` the last three are '' instead of NULL.
  // Precondition: has_runs().
  static std::string RunHistorySql(size_t limit, bool blank_nulls);

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
  Ledger(engine::Connection& conn, std::string project, std::set<std::string> tables)
      : conn_(&conn), project_(std::move(project)), tables_(std::move(tables)) {}

  bool Has(const std::string& table) const { return tables_.count(table) > 0; }
  Result<std::vector<StepRecord>> LoadSteps(const std::string& run_id);
  Result<std::vector<SourceIngest>> LoadSources(const std::string& run_id,
                                                const std::vector<StepRecord>& steps);
  Status LoadRules(QualityReport& report, const PiiMasker& masker);
  Status LoadTrends(QualityReport& report);

  engine::Connection* conn_;
  std::string project_;
  std::set<std::string> tables_;  // the `_system` tables that exist
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
