// CronSchedule: when a job's `schedule:` fires — a 5-field cron expression
// (minute hour day-of-month month day-of-week) read at wall-clock times in a
// time zone (time_zone.h).
//
// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and
// comma lists; months may be JAN..DEC and weekdays SUN..SAT (0 and 7 are
// both Sunday), in any case. As in Vixie cron, when both day fields are
// restricted a day matches either. `@hourly`, `@daily` (`@midnight`),
// `@weekly`, `@monthly` and `@yearly` (`@annually`) are shorthands.
//
// Daylight saving: a wall-clock time skipped by a change to summer time
// fires at the first instant after the gap; a time that occurs twice at the
// change back fires once, at its first occurrence.
#ifndef CARELAKE_SCHEDULE_CRON_H_
#define CARELAKE_SCHEDULE_CRON_H_

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "carelake/base/result.h"
#include "carelake/schedule/time_zone.h"

namespace carelake::schedule {

class CronSchedule {
 public:
  // InvalidArgument naming the field and what it expected, e.g. `hour: 24 is
  // out of range 0-23`, or an expression no date can satisfy (`0 0 30 2 *`).
  static Result<CronSchedule> Parse(std::string_view expression);

  const std::string& text() const { return text_; }

  // The first instant strictly after `after_ms` at which the schedule fires
  // in `zone`, as epoch milliseconds (always on a whole minute).
  int64_t NextAfter(int64_t after_ms, const TimeZone& zone) const;

 private:
  CronSchedule() = default;
  bool DayMatches(const LocalTime& day) const;
  // The next fire time on or after the local day of `from`, within 8 years;
  // nullopt when none.
  std::optional<int64_t> Search(int64_t after_ms, const TimeZone& zone) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1-31
  std::bitset<13> months_;   // 1-12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

}  // namespace carelake::schedule

#endif  // CARELAKE_SCHEDULE_CRON_H_
