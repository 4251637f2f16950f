// Proleptic Gregorian calendar arithmetic and ISO-8601 formatting/parsing of
// dates and timestamps held as integers since 1970-01-01 (the representation
// DuckDB, Parquet and Delta share).
#ifndef CARELAKE_BASE_CIVIL_TIME_H_
#define CARELAKE_BASE_CIVIL_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake {

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Days since 1970-01-01 for a valid civil date, and back.
int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDate CivilFromDays(int64_t days);

// "2024-02-29"; years outside 0..9999 are written with their sign/digits.
std::string FormatDate(int64_t days);
// "13:05:07" or "13:05:07.25" (trailing zeros of the fraction dropped).
std::string FormatTimeOfDay(int64_t micros_of_day);
// "2024-02-29 13:05:07[.ffffff]" for microseconds since the epoch.
std::string FormatTimestamp(int64_t micros);

// Parses "YYYY-MM-DD".
Result<int64_t> ParseDate(std::string_view text);
// Parses "YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,9}]]][Z|(+|-)HH[:MM]]" into
// microseconds since the epoch in UTC (an offset, when present, is applied).
Result<int64_t> ParseTimestamp(std::string_view text);

}  // namespace carelake

#endif  // CARELAKE_BASE_CIVIL_TIME_H_
