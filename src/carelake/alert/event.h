// Event: one thing `carelake serve` alerts about — a run that failed, a
// `fail` rule that stopped a run, a source without new data for too long,
// or the recovery from one of those — and its forms on the wire: the JSON
// every channel sends (doc/serve.md, "Alert JSON"), a one-line summary, a
// plain-text mail, and a `template:` filled from the JSON.
#ifndef CARELAKE_ALERT_EVENT_H_
#define CARELAKE_ALERT_EVENT_H_

#include <cstdint>
#include <string>

#include "carelake/base/result.h"
#include "carelake/project/project.h"

namespace carelake::alert {

using Kind = project::AlertEvent;

struct Event {
  Kind kind = Kind::kRunFailed;
  std::string project;
  int64_t time_ms = 0;  // when it happened
  // A run's events.
  std::string job;
  std::string trigger;
  std::string run_id;
  std::string step;  // the failing step (qualified name)
  std::string rule;  // the failing rule
  int64_t rows_checked = 0;
  int64_t rows_failed = 0;
  std::string error;
  // A source's events.
  std::string source;
  int64_t last_data_ms = 0;  // 0: never
  int64_t warn_after_ms = 0;
  // reload_failed, and its recovery: about the project, not a job or source.
  bool about_project = false;
  // recovered: what it ends ("run_failed" ...) and since when it lasted.
  std::string resolves;
  int64_t problem_since_ms = 0;
  // Set when sent: the same problem again after repeat_every, and how many
  // occurrences were not sent since the last alert.
  bool reminder = false;
  int64_t suppressed = 0;
};

// "job:NAME", "source:NAME" or "project": what a problem and its recovery
// are about.
std::string Scope(const Event& event);
// The scope plus what failed (kind, step, rule): occurrences with the same
// key are the same problem.
std::string ProblemKey(const Event& event);

// One line: "billing: job nightly failed in silver.fact: rule
// gross_non_negative failed for 3 of 120 rows".
std::string Summary(const Event& event);
// The JSON document channels send, as text (schema in doc/serve.md).
std::string ToJson(const Event& event, const std::string& alert_name);
// `text` with every {{field}} replaced by that field of ToJson() (JSON
// string-escaped, without quotes; numbers and booleans as JSON writes them);
// InvalidArgument naming an unknown field.
Result<std::string> FillTemplate(const std::string& text, const Event& event,
                                 const std::string& alert_name);
// Subject and body of a mail.
std::string MailSubject(const Event& event);
std::string MailBody(const Event& event);

}  // namespace carelake::alert

#endif  // CARELAKE_ALERT_EVENT_H_
