// TimeZone: an IANA time zone ("Europe/Lisbon", "UTC") from the system's
// time zone database (Debian's tzdata), for schedules that fire at wall-clock
// times. Conversions are exact across daylight-saving changes.
#ifndef CARELAKE_SCHEDULE_TIME_ZONE_H_
#define CARELAKE_SCHEDULE_TIME_ZONE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::schedule {

// A wall-clock reading: a date and a time of day, without a zone.
struct LocalTime {
  int year = 1970;
  int month = 1;  // 1-12
  int day = 1;    // 1-31
  int hour = 0;
  int minute = 0;
  int weekday = 4;  // 0 = Sunday ... 6 = Saturday (read only)
};

class TimeZone {
 public:
  // InvalidArgument naming `name` when the database has no such zone.
  static Result<TimeZone> Find(std::string_view name);
  static TimeZone Utc();

  const std::string& name() const { return name_; }

  // The wall clock in this zone at `epoch_ms` (seconds dropped).
  LocalTime ToLocal(int64_t epoch_ms) const;

  // The instant a wall-clock minute names. A minute that does not exist (in
  // the gap of a change to summer time) is the first instant after the gap;
  // a minute that exists twice (at a change back) is its first occurrence.
  int64_t ToEpochMillis(const LocalTime& local) const;

 private:
  TimeZone(std::string name, const void* zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_;
  const void* zone_;  // const date::time_zone*
};

}  // namespace carelake::schedule

#endif  // CARELAKE_SCHEDULE_TIME_ZONE_H_
