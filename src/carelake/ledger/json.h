// The one JSON form of each ledger record, used wherever a record leaves
// the process as JSON: `carelake run --json`, the data-quality report's
// JSON, and later the HTTP API. Keys are the ledger's column names; times
// are "YYYY-MM-DD HH:MM:SS UTC" text; absent values are null.
#ifndef CARELAKE_LEDGER_JSON_H_
#define CARELAKE_LEDGER_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "carelake/ledger/records.h"

namespace carelake::ledger {

// "2026-11-22 21:26:17 UTC".
std::string FormatUtc(int64_t epoch_ms);
// ISO 8601 in UTC, "2026-11-22T21:26:17Z", for machine-read JSON (alerts,
// the daemon's JSON log).
std::string FormatIsoUtc(int64_t epoch_ms);

// step, kind, status, rows_read, rows_written, rows_quarantined,
// rows_dropped, rows_deduplicated, rows_fixed, rows_warned, files,
// table_version, started_at, duration_ms, mode, reason, message, and for a
// silver step that did not fail, reconciles (read = kept + dropped +
// quarantined + deduplicated).
nlohmann::ordered_json ToJson(const StepRecord& step);

// run_id, project, status, started_at, finished_at, duration_ms, steps,
// rows_written, rows_quarantined, committed, selection, full_refresh,
// failed_step, failed_rule, error, job, trigger.
nlohmann::ordered_json ToJson(const RunRecord& run);

// table, rule, action, check_sql, rows_checked, rows_failed (examples are
// left out: they are unmasked source records).
nlohmann::ordered_json ToJson(const ExpectationRecord& expectation);

}  // namespace carelake::ledger

#endif  // CARELAKE_LEDGER_JSON_H_
