// PostgreSQL 15's output format for scalar values, as appenders to a buffer:
// the text form (typoutput) of numbers, dates, times, intervals, bytea and
// uuid, and the binary form (typsend) of numeric. Shared by the result
// encoder (value_codec.cc) and its tests; nothing here allocates except by
// growing `out`.
#ifndef CARELAKE_PGWIRE_VALUE_TEXT_H_
#define CARELAKE_PGWIRE_VALUE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "carelake/engine/value.h"

namespace carelake::pgwire::text {

// The bytes of one scalar field, formatted on the stack. Every scalar's text
// or binary form fits (the longest, an interval's text, is under 100 bytes;
// numeric's binary form of 38 digits under 40).
class FieldBuffer {
 public:
  static constexpr size_t kCapacity = 160;
  void push_back(char c) { data_[size_++] = c; }
  void append(const char* p, size_t n) {
    std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  void append(const char* begin, const char* end) {
    append(begin, static_cast<size_t>(end - begin));
  }
  void append(const char* s) { append(s, std::strlen(s)); }
  void append(std::string_view s) { append(s.data(), s.size()); }
  void append(size_t n, char c) {
    std::memset(data_ + size_, c, n);
    size_ += n;
  }
  size_t size() const { return size_; }
  char* data() { return data_; }
  std::string_view view() const { return std::string_view(data_, size_); }
  std::string str() const { return std::string(data_, size_); }

 private:
  char data_[kCapacity];
  size_t size_ = 0;
};

// Microseconds between 1970-01-01 (DuckDB's epoch) and 2000-01-01
// (PostgreSQL's), and the same in days.
inline constexpr int64_t kPgEpochMicros = 946'684'800'000'000;
inline constexpr int32_t kPgEpochDays = 10'957;
inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

void AppendInt(int64_t v, FieldBuffer& out);
void AppendUInt128(engine::UInt128 v, FieldBuffer& out);

// float8out/float4out: extra_float_digits > 0 gives the shortest text that
// reads back as the same value (0.1, 1e+16, 1.5e-07); otherwise "%.{15+efd}g"
// (float4: 6+efd). NaN, Infinity, -Infinity, -0.
void AppendFloat8(double v, int extra_float_digits, FieldBuffer& out);
void AppendFloat4(float v, int extra_float_digits, FieldBuffer& out);

// numeric_out of magnitude / 10^scale (with a '-' when negative): exactly
// `scale` fraction digits.
void AppendNumeric(bool negative, engine::UInt128 magnitude, int scale, FieldBuffer& out);
// numeric_send of the same value: ndigits, weight, sign, dscale and base-10000
// digits, stripped of leading and trailing zero digits as PostgreSQL stores
// them.
void AppendNumericBinary(bool negative, engine::UInt128 magnitude, int scale, FieldBuffer& out);
// numeric_send of a decimal string "-123.4500" (digits, optional sign and
// point; any length). False when `digits` is not such a string.
// Out: std::string or FieldBuffer (for at most 38 digits).
template <typename Out>
bool AppendNumericBinaryFromText(std::string_view digits, Out& out);

// date_out in DateStyle ISO: "2024-02-29", "0044-03-15 BC", "infinity".
// `days` counts from 1970-01-01; DuckDB's ±infinity are ±INT32_MAX.
void AppendDate(int32_t days, FieldBuffer& out);
// time_out: "04:05:06.789" (fraction without trailing zeros).
void AppendTime(int64_t micros, FieldBuffer& out);
// timestamp_out: "2024-02-29 04:05:06.789", "… BC", "infinity".
// `micros` since 1970-01-01; ±INT64_MAX are ±infinity.
void AppendTimestamp(int64_t micros, FieldBuffer& out);
// timestamptz_out for an instant shown at `offset_seconds` east of UTC:
// "2024-02-29 05:05:06+01", "+05:30", "-00:36:45"; ±infinity as above.
void AppendTimestampTz(int64_t utc_micros, int32_t offset_seconds, FieldBuffer& out);
// A zone offset (seconds east of UTC) as PostgreSQL prints it: "+00",
// "+05:30", "-00:36:45".
void AppendZoneOffset(int32_t offset_seconds, FieldBuffer& out);
// interval_out in IntervalStyle postgres: "1 year 2 mons 3 days 04:05:06.789",
// "-1 days +02:00:00", "00:00:00".
void AppendInterval(int32_t months, int32_t days, int64_t micros, FieldBuffer& out);
// uuid_out: 8-4-4-4-12 lowercase hex of the 128-bit value (big-endian order).
void AppendUuid(engine::UInt128 v, FieldBuffer& out);
// byteaout with bytea_output hex: "\x0aff".
void AppendByteaHex(std::string_view bytes, std::string& out);

// Big-endian appenders for binary formats.
template <typename Out>
inline void AppendBe16(uint16_t v, Out& out) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 2);
}
template <typename Out>
inline void AppendBe32(uint32_t v, Out& out) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}
template <typename Out>
inline void AppendBe64(uint64_t v, Out& out) {
  AppendBe32(static_cast<uint32_t>(v >> 32), out);
  AppendBe32(static_cast<uint32_t>(v), out);
}

}  // namespace carelake::pgwire::text

#endif  // CARELAKE_PGWIRE_VALUE_TEXT_H_
