#include "carelake/quality/report.h"

namespace carelake::quality {

std::string ToString(RuleOutcome outcome) {
  switch (outcome) {
    case RuleOutcome::kPassed:
      return "passed";
    case RuleOutcome::kWarned:
      return "warned";
    case RuleOutcome::kFixed:
      return "fixed";
    case RuleOutcome::kDropped:
      return "dropped";
    case RuleOutcome::kQuarantined:
      return "quarantined";
    case RuleOutcome::kFailed:
      return "FAILED";
  }
  return "passed";
}

double RuleRecord::FailurePercent() const {
  if (rows_checked <= 0) return 0;
  return 100.0 * static_cast<double>(rows_failed) / static_cast<double>(rows_checked);
}

std::string QualityReport::SelectionNote() const {
  return chosen_by_id ? "chosen with --run" : "the latest run with expectation results";
}

int64_t QualityReport::RulesEvaluated() const {
  int64_t n = 0;
  for (const TableQuality& t : tables) n += static_cast<int64_t>(t.rules.size());
  return n;
}

int64_t QualityReport::RulesWithFailures() const {
  int64_t n = 0;
  for (const TableQuality& t : tables) {
    for (const RuleRecord& r : t.rules) n += r.rows_failed > 0;
  }
  return n;
}

int64_t QualityReport::RulesFailed() const {
  int64_t n = 0;
  for (const TableQuality& t : tables) {
    for (const RuleRecord& r : t.rules) n += r.outcome == RuleOutcome::kFailed;
  }
  return n;
}

}  // namespace carelake::quality
