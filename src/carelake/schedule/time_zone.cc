#include "carelake/schedule/time_zone.h"

#include <date/tz.h>

#include <chrono>
#include <exception>

namespace carelake::schedule {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

const date::time_zone* Zone(const void* p) { return static_cast<const date::time_zone*>(p); }

template <typename Clock>
LocalTime Split(std::chrono::time_point<Clock, minutes> t) {
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<minutes> time{t - day};
  LocalTime out;
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  out.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  out.hour = static_cast<int>(time.hours().count());
  out.minute = static_cast<int>(time.minutes().count());
  out.weekday = static_cast<int>(date::weekday{day}.c_encoding());
  return out;
}

date::local_time<minutes> Join(const LocalTime& l) {
  const date::year_month_day ymd{date::year{l.year}, date::month{static_cast<unsigned>(l.month)},
                                 date::day{static_cast<unsigned>(l.day)}};
  return date::local_days{ymd} + std::chrono::hours{l.hour} + minutes{l.minute};
}

}  // namespace

Result<TimeZone> TimeZone::Find(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") return Utc();
  try {
    const date::time_zone* zone = date::locate_zone(std::string(name));
    return TimeZone(std::string(zone->name()), zone);
  } catch (const std::exception&) {
    return InvalidArgument("unknown time zone '" + std::string(name) +
                           "': expected an IANA name such as Europe/Lisbon, America/New_York or "
                           "UTC");
  }
}

TimeZone TimeZone::Utc() { return TimeZone("UTC", nullptr); }

LocalTime TimeZone::ToLocal(int64_t epoch_ms) const {
  const date::sys_time<minutes> t =
      date::floor<minutes>(date::sys_time<milliseconds>{milliseconds{epoch_ms}});
  if (zone_ == nullptr) return Split(t);
  return Split(date::floor<minutes>(Zone(zone_)->to_local(t)));
}

int64_t TimeZone::ToEpochMillis(const LocalTime& local) const {
  const date::local_time<minutes> l = Join(local);
  date::sys_time<minutes> t;
  if (zone_ == nullptr) {
    t = date::sys_time<minutes>{l.time_since_epoch()};
  } else {
    const date::local_info info = Zone(zone_)->get_info(l);
    switch (info.result) {
      case date::local_info::nonexistent:  // in a gap: the instant the gap ends
        return std::chrono::duration_cast<milliseconds>(info.second.begin.time_since_epoch())
            .count();
      case date::local_info::ambiguous:  // twice: the first occurrence
      case date::local_info::unique:
      default:
        t = date::sys_time<minutes>{l.time_since_epoch() - date::floor<minutes>(info.first.offset)};
        break;
    }
  }
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace carelake::schedule
