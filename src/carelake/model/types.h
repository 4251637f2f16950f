// The vocabulary model/'s steps share: how a step builds its table, what a
// rule found, and a model step's request and result. silver.h, gold.h,
// dimension.h and definition.h include this header and not each other, so
// no model header depends on another step's header.
#ifndef CARELAKE_MODEL_TYPES_H_
#define CARELAKE_MODEL_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carelake/project/project.h"

namespace carelake::model {

// The Delta application id prefix under which a table records the version
// it has consumed of each upstream table: `carelake.upstream:<layer>.<name>`.
inline constexpr char kUpstreamAppPrefix[] = "carelake.upstream:";

// How a step builds its table in this run, and why.
enum class BuildMode { kNone, kIncremental, kFull };
// "none", "incremental", "full".
std::string ToString(BuildMode mode);

// What a run would do with a table, without running it (`carelake run
// --dry-run`): whether its step commits, how, and why (or why not).
struct BuildForecast {
  bool runs = false;
  BuildMode mode = BuildMode::kNone;
  std::string reason;
};

// One rule's outcome in one run.
struct RuleResult {
  std::string table;  // "silver.interactions"
  std::string rule;
  project::ExpectationAction action = project::ExpectationAction::kWarn;
  std::string check;
  int64_t rows_checked = 0;
  int64_t rows_failed = 0;
  std::vector<std::string> examples;  // a few failing rows as JSON
};

// One gold model step (SQL model or dimension). `model` must outlive the step.
struct ModelRequest {
  const project::Model* model = nullptr;
  std::string target_path;
  // Every referenced table: qualified name -> Delta path.
  std::map<std::string, std::string> upstream_paths;
  std::string run_id;
  bool full_refresh = false;
  // What to do when the model's definition changed since its table was built
  // (incremental models and dimensions; `full` models are rebuilt).
  project::OnDefinitionChange on_definition_change = project::OnDefinitionChange::kFail;
  // The definition's fingerprint, recorded by every commit (set by RunModel).
  std::string definition;
};

struct ModelResult {
  bool committed = false;
  std::string message;
  std::optional<int64_t> version;
  int64_t rows_read = 0;     // rows of the model's query
  int64_t rows_written = 0;  // inserted + updated
  // Stored rows of an incremental model looked up again because their key
  // changed in a dimension.
  int64_t rows_relooked_up = 0;
  std::vector<RuleResult> rules;
  std::string failed_rule;            // a `fail` expectation failed: nothing committed
  BuildMode mode = BuildMode::kNone;  // kNone: nothing was built
  std::string reason;                 // why it was built (so)
};

}  // namespace carelake::model

#endif  // CARELAKE_MODEL_TYPES_H_
