#include "carelake/ledger/records.h"

#include "carelake/project/project.h"

namespace carelake::ledger {

std::string ToString(RunStatus status) {
  switch (status) {
    case RunStatus::kStarted:
      return "started";
    case RunStatus::kSucceeded:
      return "succeeded";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kCancelled:
      return "cancelled";
  }
  return "?";
}

Result<RunStatus> ParseRunStatus(std::string_view text) {
  for (RunStatus s :
       {RunStatus::kStarted, RunStatus::kSucceeded, RunStatus::kFailed, RunStatus::kCancelled}) {
    if (ToString(s) == text) return s;
  }
  return InvalidArgument("unknown run status '" + std::string(text) + "'");
}

std::string ToString(StepStatus status) {
  switch (status) {
    case StepStatus::kCommitted:
      return "committed";
    case StepStatus::kUpToDate:
      return "up_to_date";
    case StepStatus::kFailed:
      return "failed";
    case StepStatus::kCancelled:
      return "cancelled";
  }
  return "?";
}

Result<StepStatus> ParseStepStatus(std::string_view text) {
  for (StepStatus s : {StepStatus::kCommitted, StepStatus::kUpToDate, StepStatus::kFailed,
                       StepStatus::kCancelled}) {
    if (ToString(s) == text) return s;
  }
  return InvalidArgument("unknown step status '" + std::string(text) + "'");
}

ExpectationRecord ExpectationRecord::From(const std::string& run_id,
                                          const model::RuleResult& rule) {
  ExpectationRecord e;
  e.run_id = run_id;
  e.table = rule.table;
  e.rule = rule.rule;
  e.action = project::ToString(rule.action);
  e.check_sql = rule.check;
  e.rows_checked = rule.rows_checked;
  e.rows_failed = rule.rows_failed;
  e.examples = rule.examples;
  return e;
}

}  // namespace carelake::ledger
