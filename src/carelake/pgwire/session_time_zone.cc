#include "carelake/pgwire/session_time_zone.h"

#include <date/tz.h>

#include <cctype>
#include <chrono>
#include <string>

#include "carelake/base/civil_time.h"
#include "carelake/base/status.h"
#include "carelake/pgwire/value_text.h"

namespace carelake::pgwire {
namespace {

const date::time_zone* Zone(const void* p) { return static_cast<const date::time_zone*>(p); }

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// A POSIX offset "[ABC]±H[H][:MM[:SS]]": seconds *west* of Greenwich.
bool ParsePosixOffset(std::string_view s, int32_t& west) {
  size_t i = 0;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  if (i != 0 && i < 3) return false;
  int sign = 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
  int parts[3] = {0, 0, 0};
  int n = 0;
  while (n < 3) {
    const size_t start = i;
    int v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 2) {
      v = v * 10 + (s[i++] - '0');
    }
    if (i == start) return false;
    parts[n++] = v;
    if (i == s.size()) break;
    if (s[i++] != ':') return false;
  }
  if (i != s.size() || parts[0] > 15 || parts[1] > 59 || parts[2] > 59) return false;
  west = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

// Debian's TZif files list a zone's transitions up to 2037; later ones
// follow the file's POSIX rule, which the date library does not apply (it
// would keep the last listed offset forever). An instant from 2038 on is
// therefore looked up at the same position of a year in 2010-2037 with the
// same calendar (leap or not, same weekday on 1 January), where the same
// rule ("last Sunday of March at 01:00") falls on the same day.
constexpr int64_t kFirstUnlistedSecs = 2'145'916'800;  // 2038-01-01 00:00 UTC

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int64_t SameCalendarShiftSecs(int64_t secs) {
  const int64_t year = CivilFromDays(FloorDiv(secs, 86'400)).year;
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  const int64_t weekday = ((jan1 % 7) + 7) % 7;
  for (int64_t y = 2010; y <= 2037; ++y) {
    const int64_t other = DaysFromCivil(y, 1, 1);
    if (IsLeap(y) == IsLeap(year) && ((other % 7) + 7) % 7 == weekday) {
      return (other - jan1) * 86'400;
    }
  }
  return 0;
}

}  // namespace

Result<SessionTimeZone> SessionTimeZone::Find(std::string_view name) {
  if (name == "UTC" || name == "utc" || name == "GMT" || name == "Z" || name == "Etc/UTC") {
    return Utc();
  }
  int32_t west = 0;
  if (ParsePosixOffset(name, west)) return SessionTimeZone(nullptr, -west);
  try {
    return SessionTimeZone(date::locate_zone(std::string(name)), 0);
  } catch (const std::exception&) {
    return InvalidArgument("invalid value for parameter \"TimeZone\": \"" + std::string(name) +
                           "\"");
  }
}

int32_t SessionTimeZone::OffsetAt(int64_t utc_micros) const {
  if (zone_ == nullptr) return fixed_offset_;
  int64_t secs = FloorDiv(utc_micros, 1'000'000);
  if (secs >= cached_begin_ && secs < cached_end_) return cached_offset_;
  if (secs >= kFirstUnlistedSecs) {
    secs += SameCalendarShiftSecs(secs);
    return static_cast<int32_t>(
        Zone(zone_)->get_info(date::sys_seconds{std::chrono::seconds{secs}}).offset.count());
  }
  const date::sys_info info = Zone(zone_)->get_info(date::sys_seconds{std::chrono::seconds{secs}});
  cached_begin_ = info.begin.time_since_epoch().count();
  cached_end_ = info.end.time_since_epoch().count();
  cached_offset_ = static_cast<int32_t>(info.offset.count());
  return cached_offset_;
}

int64_t SessionTimeZone::ToUtc(int64_t local_micros) const {
  if (zone_ == nullptr) return local_micros - int64_t{fixed_offset_} * 1'000'000;
  const int64_t secs = FloorDiv(local_micros, 1'000'000);
  const int64_t frac = local_micros - secs * 1'000'000;
  const int64_t shift = secs >= kFirstUnlistedSecs ? SameCalendarShiftSecs(secs) : 0;
  const date::local_info info =
      Zone(zone_)->get_info(date::local_seconds{std::chrono::seconds{secs + shift}});
  // As PostgreSQL reads them: in a gap, with the offset before the change;
  // when ambiguous, with the offset after it (the later instant).
  const int64_t offset = info.result == date::local_info::ambiguous ? info.second.offset.count()
                                                                    : info.first.offset.count();
  return (secs - offset) * 1'000'000 + frac;
}

}  // namespace carelake::pgwire
