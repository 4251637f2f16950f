// Silver: conforming the rows new in an upstream table (bronze, or another
// silver table) into a typed silver table under data-quality expectations.
// The per-row semantics (trim, null tokens, types, fix rules, the implicit
// `<column>_type` rule, the strongest action winning, de-duplication) are
// written down in doc/project-format.md.
//
// Incremental and exactly-once: the silver table (and its quarantine) carry
// the upstream version they have consumed as the Delta application version
// `carelake.upstream:<layer>.<name>`, committed with the rows. A step reads
// the upstream files added after that version, and a rerun after a kill
// between the quarantine commit and the silver commit quarantines nothing twice.
#ifndef CARELAKE_MODEL_SILVER_H_
#define CARELAKE_MODEL_SILVER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/model/types.h"
#include "carelake/project/project.h"

namespace carelake::model {

// How every row read was accounted for: rows_in = kept + dropped +
// quarantined + deduplicated; fixed and warned rows are among the kept.
struct RowAccount {
  int64_t rows_in = 0;
  int64_t kept = 0;
  int64_t dropped = 0;
  int64_t quarantined = 0;
  int64_t deduplicated = 0;
  int64_t fixed = 0;
  int64_t warned = 0;
  bool Balanced() const { return rows_in == kept + dropped + quarantined + deduplicated; }
};

struct SilverRequest {
  const project::SilverTable* table = nullptr;
  std::string upstream_name;  // "bronze.chatbot"
  std::string upstream_path;
  std::string target_path;
  std::string quarantine_path;
  std::string run_id;
  bool full_refresh = false;
  // What to do when the table's definition changed since it was built.
  project::OnDefinitionChange on_definition_change = project::OnDefinitionChange::kFail;
  // The definition's fingerprint, recorded by every commit (set by RunSilver).
  std::string definition;
};

struct SilverResult {
  bool committed = false;
  std::string message;         // what happened, for the log ("nothing new in bronze.chatbot")
  int64_t upstream_from = -1;  // consumed before this step (exclusive)
  int64_t upstream_to = -1;    // consumed by this step
  std::optional<int64_t> version;
  RowAccount account;
  std::vector<RuleResult> rules;
  // Set when a `fail` rule failed: nothing was committed.
  std::string failed_rule;
  BuildMode mode = BuildMode::kNone;  // kNone: nothing was committed
  std::string reason;                 // why it was built (so)
};

// Runs one silver step. A failed `fail` rule is a result, not an error. A
// changed definition rebuilds the table in full or fails the step (see
// `on_definition_change`).
Result<SilverResult> RunSilver(const SilverRequest& request, FileSystem& fs,
                               engine::Connection& conn);

// What a run would do with the silver table, without running it.
Result<BuildForecast> ForecastSilver(const SilverRequest& request, FileSystem& fs,
                                     engine::Connection& conn);

// SQL of the rows in the data files the Delta table at `path` gained after
// version `after` (exclusive) up to its latest version `*to` (set); all rows
// when `after` is negative. When the table was only appended to in between,
// these are exactly the new rows and `*only_appends` is set true; after a
// MERGE, DELETE or OPTIMIZE they also include unchanged rows that were
// rewritten.
Result<std::string> AddedRowsSql(const std::string& path, int64_t after, int64_t* to,
                                 bool* only_appends, FileSystem& fs, engine::Connection& conn);

}  // namespace carelake::model

#endif  // CARELAKE_MODEL_SILVER_H_
