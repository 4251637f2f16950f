// PostgreSQL 15's output format for scalar values, as appenders to a buffer:
// the text form (typoutput) of numbers, dates, times, intervals, bytea and
// uuid, and the binary form (typsend) of numeric. Shared by the result
// encoder (value_codec.cc) and its tests; nothing here allocates except by
// growing `out`.
#ifndef CARELAKE_PGWIRE_VALUE_TEXT_H_
#define CARELAKE_PGWIRE_VALUE_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "carelake/engine/value.h"

namespace carelake::pgwire::text {

// Microseconds between 1970-01-01 (DuckDB's epoch) and 2000-01-01
// (PostgreSQL's), and the same in days.
inline constexpr int64_t kPgEpochMicros = 946'684'800'000'000;
inline constexpr int32_t kPgEpochDays = 10'957;
inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

void AppendInt(int64_t v, std::string& out);
void AppendUInt128(engine::UInt128 v, std::string& out);

// float8out/float4out: extra_float_digits > 0 gives the shortest text that
// reads back as the same value (0.1, 1e+16, 1.5e-07); otherwise "%.{15+efd}g"
// (float4: 6+efd). NaN, Infinity, -Infinity, -0.
void AppendFloat8(double v, int extra_float_digits, std::string& out);
void AppendFloat4(float v, int extra_float_digits, std::string& out);

// numeric_out of magnitude / 10^scale (with a '-' when negative): exactly
// `scale` fraction digits.
void AppendNumeric(bool negative, engine::UInt128 magnitude, int scale, std::string& out);
// numeric_send of the same value: ndigits, weight, sign, dscale and base-10000
// digits, stripped of leading and trailing zero digits as PostgreSQL stores
// them.
void AppendNumericBinary(bool negative, engine::UInt128 magnitude, int scale, std::string& out);
// numeric_send of a decimal string "-123.4500" (digits, optional sign and
// point; any length). False when `digits` is not such a string.
bool AppendNumericBinaryFromText(std::string_view digits, std::string& out);

// date_out in DateStyle ISO: "2024-02-29", "0044-03-15 BC", "infinity".
// `days` counts from 1970-01-01; DuckDB's ±infinity are ±INT32_MAX.
void AppendDate(int32_t days, std::string& out);
// time_out: "04:05:06.789" (fraction without trailing zeros).
void AppendTime(int64_t micros, std::string& out);
// timestamp_out: "2024-02-29 04:05:06.789", "… BC", "infinity".
// `micros` since 1970-01-01; ±INT64_MAX are ±infinity.
void AppendTimestamp(int64_t micros, std::string& out);
// timestamptz_out for an instant shown at `offset_seconds` east of UTC:
// "2024-02-29 05:05:06+01", "+05:30", "-00:36:45"; ±infinity as above.
void AppendTimestampTz(int64_t utc_micros, int32_t offset_seconds, std::string& out);
// A zone offset (seconds east of UTC) as PostgreSQL prints it: "+00",
// "+05:30", "-00:36:45".
void AppendZoneOffset(int32_t offset_seconds, std::string& out);
// interval_out in IntervalStyle postgres: "1 year 2 mons 3 days 04:05:06.789",
// "-1 days +02:00:00", "00:00:00".
void AppendInterval(int32_t months, int32_t days, int64_t micros, std::string& out);
// uuid_out: 8-4-4-4-12 lowercase hex of the 128-bit value (big-endian order).
void AppendUuid(engine::UInt128 v, std::string& out);
// byteaout with bytea_output hex: "\x0aff".
void AppendByteaHex(std::string_view bytes, std::string& out);

// Year/month/day of `days` since 1970-01-01 (proleptic Gregorian,
// astronomical years: 0 is 1 BC), and back.
struct Ymd {
  int64_t year;
  int month;
  int day;
};
Ymd CivilFromDays(int64_t days);
int64_t DaysFromCivil(int64_t year, int month, int day);

// Big-endian appenders for binary formats.
inline void AppendBe16(uint16_t v, std::string& out) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 2);
}
inline void AppendBe32(uint32_t v, std::string& out) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}
inline void AppendBe64(uint64_t v, std::string& out) {
  AppendBe32(static_cast<uint32_t>(v >> 32), out);
  AppendBe32(static_cast<uint32_t>(v), out);
}

}  // namespace carelake::pgwire::text

#endif  // CARELAKE_PGWIRE_VALUE_TEXT_H_
