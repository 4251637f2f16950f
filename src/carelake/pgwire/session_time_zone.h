// SessionTimeZone: the TimeZone setting of a session, as PostgreSQL reads it,
// for rendering timestamptz values and reading them back: UTC, an IANA zone
// from the system's time zone database (Debian's tzdata, through Howard
// Hinnant's date library), or a fixed POSIX offset ("+05:30", "UTC-3").
#ifndef CARELAKE_PGWIRE_SESSION_TIME_ZONE_H_
#define CARELAKE_PGWIRE_SESSION_TIME_ZONE_H_

#include <cstdint>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::pgwire {

class SessionTimeZone {
 public:
  // InvalidArgument naming `name` when it is none of the above.
  static Result<SessionTimeZone> Find(std::string_view name);
  static SessionTimeZone Utc() { return SessionTimeZone(nullptr, 0); }

  // Seconds east of UTC in effect at the instant `utc_micros` (microseconds
  // since 1970-01-01 UTC). Caches the period it found: not thread-safe.
  int32_t OffsetAt(int64_t utc_micros) const;
  // The instant a wall-clock reading names, as PostgreSQL reads it: a reading
  // in a gap with the offset before the change (so it moves forward), an
  // ambiguous one as the later instant.
  int64_t ToUtc(int64_t local_micros) const;

 private:
  SessionTimeZone(const void* zone, int32_t fixed_offset)
      : zone_(zone), fixed_offset_(fixed_offset) {}
  const void* zone_;  // const date::time_zone*, or nullptr for a fixed offset
  int32_t fixed_offset_;
  // The last period looked up: [begin, end) in seconds, and its offset.
  mutable int64_t cached_begin_ = 1;
  mutable int64_t cached_end_ = 0;
  mutable int32_t cached_offset_ = 0;
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_SESSION_TIME_ZONE_H_
