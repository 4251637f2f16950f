// The run ledger's records: one struct per `_system.*` table row, shared by
// everything that writes or reads the ledger (the runner, `carelake run
// --json`, `carelake runs`, the data-quality reports, and later the
// scheduler and the HTTP API). The tables' columns are in schema.h; the one
// JSON form of each record is in json.h.
//
// Times are milliseconds since the Unix epoch (UTC).
#ifndef CARELAKE_LEDGER_RECORDS_H_
#define CARELAKE_LEDGER_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/model/types.h"

namespace carelake::ledger {

// How a run ended — or kStarted while it runs (and forever, if the process
// died without recording its end: a run killed with SIGKILL or a power cut).
enum class RunStatus { kStarted, kSucceeded, kFailed, kCancelled };
// "started", "succeeded", "failed", "cancelled".
std::string ToString(RunStatus status);
// InvalidArgument for another word.
Result<RunStatus> ParseRunStatus(std::string_view text);

enum class StepStatus { kCommitted, kUpToDate, kFailed, kCancelled };
// "committed", "up_to_date", "failed", "cancelled".
std::string ToString(StepStatus status);
Result<StepStatus> ParseStepStatus(std::string_view text);

// One row of `_system.runs`. A run writes two: one when it starts (status
// kStarted, no finish) and one when it ends; `_system.runs` (the catalog's
// view) shows the latest row of each run.
struct RunRecord {
  std::string run_id;
  std::string project;
  int64_t started_ms = 0;
  std::optional<int64_t> finished_ms;  // nullopt while started
  RunStatus status = RunStatus::kStarted;
  int64_t duration_ms = 0;
  int64_t steps = 0;  // steps that ran
  int64_t rows_written = 0;
  int64_t rows_quarantined = 0;
  bool committed = false;  // a step committed a table version
  std::string selection;   // the --select selectors, space-separated; empty for all
  bool full_refresh = false;
  std::string failed_step;  // the step that failed, or a cancelled run stopped in
  std::string failed_rule;  // a `fail` expectation that stopped the run
  std::string error;
  std::string job;      // the `jobs:` entry that ran it; empty for `carelake run`
  std::string trigger;  // why it ran: "schedule", "new_files", "after:<job>", "manual", ...

  bool succeeded() const { return status == RunStatus::kSucceeded; }
};

// One row of `_system.steps`: what one step of a run did.
struct StepRecord {
  std::string name;  // qualified: bronze.chatbot, silver.interactions
  std::string kind;  // "ingest", "silver" or "model"
  StepStatus status = StepStatus::kUpToDate;
  std::string message;
  int64_t rows_read = 0;
  int64_t rows_written = 0;  // silver: the rows kept
  int64_t rows_quarantined = 0;
  int64_t rows_dropped = 0;
  int64_t rows_deduplicated = 0;
  int64_t rows_fixed = 0;
  int64_t rows_warned = 0;
  int64_t files = 0;
  std::optional<int64_t> version;  // the table version committed
  int64_t started_ms = 0;
  int64_t duration_ms = 0;
  // How the step built its table (kNone when it committed nothing) and why:
  // "new data in bronze.x (version 3 -> 5)", "definition changed since
  // version 7; rebuilt in full", "full refresh asked for", "4 new files".
  model::BuildMode mode = model::BuildMode::kNone;
  std::string reason;

  // A silver step that did not fail accounts for every row read: read =
  // kept + dropped + quarantined + deduplicated (fixed and warned rows are
  // among the kept). A failed step committed nothing, so it has no account
  // to check.
  bool HasRowAccount() const { return kind == "silver" && status != StepStatus::kFailed; }
  int64_t Accounted() const {
    return rows_written + rows_dropped + rows_quarantined + rows_deduplicated;
  }
  bool Reconciles() const { return rows_read == Accounted(); }
};

// One row of `_system.expectations`: one rule of one table in one run.
// Examples are the source records as JSON text, unmasked: readers that show
// them to people mask them (quality/pii_masker.h).
struct ExpectationRecord {
  std::string run_id;
  std::string table;   // "silver.interactions"
  std::string rule;    // `<column>_type` for the implicit type rules
  std::string action;  // "warn", "drop", "quarantine", "fail", "fix"
  std::string check_sql;
  int64_t rows_checked = 0;
  int64_t rows_failed = 0;
  std::vector<std::string> examples;  // at most 5

  static ExpectationRecord From(const std::string& run_id, const model::RuleResult& rule);
};

// One row of `_system.files`: one file ingested into bronze.
struct FileRecord {
  std::string run_id;
  std::string source;  // the source's name
  std::string file;    // relative to the project folder
  int64_t size_bytes = 0;
  int64_t modified_ms = 0;
  int64_t records = 0;      // written to bronze
  int64_t quarantined = 0;  // written to the bronze quarantine
  std::string first_error;  // empty when none
  int64_t ingested_ms = 0;
};

// An alert `carelake serve` sent, or gave up sending (status "failed").
struct AlertRecord {
  int64_t sent_ms = 0;  // when delivery ended
  std::string project;
  std::string alert;    // the target's name (alerts: in carelake.yaml)
  std::string channel;  // webhook, email or command
  std::string event;    // run_failed, rule_failed, source_stale, recovered
  std::string job;
  std::string source;
  std::string run_id;
  std::string step;
  std::string rule;
  bool reminder = false;   // the same problem, sent again after repeat_every
  int64_t suppressed = 0;  // occurrences since the last alert that were not sent
  std::string status;      // sent or failed
  int64_t attempts = 0;
  std::string error;  // why delivery failed; never holds a secret
};

}  // namespace carelake::ledger

#endif  // CARELAKE_LEDGER_RECORDS_H_
