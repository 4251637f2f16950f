#include "carelake/pgwire/value_text.h"

#include <cfloat>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "carelake/base/civil_time.h"

namespace carelake::pgwire::text {
namespace {

void AppendPadded(int64_t v, int width, FieldBuffer& out) {
  if (width == 4 && v >= 0 && v <= 9999) {  // the common year
    const char b[4] = {static_cast<char>('0' + v / 1000), static_cast<char>('0' + v / 100 % 10),
                       static_cast<char>('0' + v / 10 % 10), static_cast<char>('0' + v % 10)};
    out.append(b, 4);
    return;
  }
  if (width == 2 && v >= 0 && v <= 99) {
    const char b[2] = {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
    out.append(b, 2);
    return;
  }
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  for (int n = static_cast<int>(end - buf); n < width; ++n) out.push_back('0');
  out.append(buf, end);
}

void Append2(int v, FieldBuffer& out) {
  const char b[2] = {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  out.append(b, 2);
}

// ".789" for 789000 microseconds; nothing for 0.
void AppendFraction(int64_t micros, FieldBuffer& out) {
  if (micros == 0) return;
  char b[7] = {'.'};
  for (int i = 6; i >= 1; --i, micros /= 10) b[i] = static_cast<char>('0' + micros % 10);
  int n = 7;
  while (b[n - 1] == '0') --n;
  out.append(b, n);
}

// "HH:MM:SS[.ffffff]" of microseconds within a day (0..24h).
void AppendClock(int64_t micros, FieldBuffer& out) {
  const int64_t secs = micros / 1'000'000;
  AppendPadded(secs / 3600, 2, out);
  out.push_back(':');
  Append2(static_cast<int>(secs / 60 % 60), out);
  out.push_back(':');
  Append2(static_cast<int>(secs % 60), out);
  AppendFraction(micros % 1'000'000, out);
}

// "YYYY-MM-DD" with the year as PostgreSQL counts it (no year 0); returns
// whether the date is BC.
bool AppendYmd(int64_t days, FieldBuffer& out) {
  const CivilDate d = CivilFromDays(days);
  const bool bc = d.year <= 0;
  AppendPadded(bc ? 1 - d.year : d.year, 4, out);
  out.push_back('-');
  Append2(d.month, out);
  out.push_back('-');
  Append2(d.day, out);
  return bc;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool AppendSpecialFloat(double v, FieldBuffer& out) {
  if (std::isnan(v)) {
    out.append("NaN");
  } else if (std::isinf(v)) {
    out.append(v < 0 ? "-Infinity" : "Infinity");
  } else {
    return false;
  }
  return true;
}

// Reformats to_chars' shortest scientific text ("-1.5e-07") the way
// PostgreSQL's Ryu output does: fixed notation for decimal exponents in
// [-4, fixed_limit), else d.ddde±XX.
void AppendShortest(const char* s, const char* end, int fixed_limit, FieldBuffer& out) {
  if (*s == '-') {
    out.push_back('-');
    ++s;
  }
  char digits[24];
  int n = 0;
  const char* p = s;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp);
  if (exp >= -4 && exp < fixed_limit) {
    if (exp >= 0) {
      for (int i = 0; i <= exp; ++i) out.push_back(i < n ? digits[i] : '0');
      if (n > exp + 1) {
        out.push_back('.');
        out.append(digits + exp + 1, n - exp - 1);
      }
    } else {
      out.append("0.");
      out.append(-exp - 1, '0');
      out.append(digits, n);
    }
    return;
  }
  out.push_back(digits[0]);
  if (n > 1) {
    out.push_back('.');
    out.append(digits + 1, n - 1);
  }
  out.push_back('e');
  out.push_back(exp < 0 ? '-' : '+');
  AppendPadded(std::abs(exp), 2, out);
}

void AppendPrintf(double v, int precision, FieldBuffer& out) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.*g", precision < 1 ? 1 : precision, v);
  out.append(buf, n);
}

// Decimal digits of `v` into the end of `buf`; returns the first digit.
char* UInt128Digits(engine::UInt128 v, char* end) {
  char* p = end;
  while (v > UINT64_MAX) {
    constexpr uint64_t kChunk = 10'000'000'000'000'000'000ULL;  // 10^19
    uint64_t low = static_cast<uint64_t>(v % kChunk);
    v /= kChunk;
    for (int i = 0; i < 19; ++i, low /= 10) *--p = static_cast<char>('0' + low % 10);
  }
  uint64_t w = static_cast<uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + w % 10);
    w /= 10;
  } while (w != 0);
  return p;
}

}  // namespace

void AppendInt(int64_t v, FieldBuffer& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

void AppendUInt128(engine::UInt128 v, FieldBuffer& out) {
  char buf[48];
  char* end = buf + sizeof(buf);
  out.append(UInt128Digits(v, end), end);
}

void AppendFloat8(double v, int extra_float_digits, FieldBuffer& out) {
  if (AppendSpecialFloat(v, out)) return;
  if (extra_float_digits <= 0) return AppendPrintf(v, DBL_DIG + extra_float_digits, out);
  char buf[48];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  AppendShortest(buf, end, 15, out);
}

void AppendFloat4(float v, int extra_float_digits, FieldBuffer& out) {
  if (AppendSpecialFloat(v, out)) return;
  if (extra_float_digits <= 0) return AppendPrintf(v, FLT_DIG + extra_float_digits, out);
  char buf[48];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  AppendShortest(buf, end, 6, out);
}

void AppendNumeric(bool negative, engine::UInt128 magnitude, int scale, FieldBuffer& out) {
  char buf[48];
  char* end = buf + sizeof(buf);
  char* p = UInt128Digits(magnitude, end);
  while (end - p < scale + 1) *--p = '0';
  if (negative && magnitude != 0) out.push_back('-');
  out.append(p, end - scale);
  if (scale > 0) {
    out.push_back('.');
    out.append(end - scale, end);
  }
}

// numeric_send of a magnitude that fits in 64 bits, straight to base-10000
// digits (the common DECIMAL(p<=18)).
void AppendNumericBinary64(bool negative, uint64_t m, int scale, int pad, FieldBuffer& out) {
  static constexpr uint64_t kPow10[] = {1,
                                        10,
                                        100,
                                        1'000,
                                        10'000,
                                        100'000,
                                        1'000'000,
                                        10'000'000,
                                        100'000'000,
                                        1'000'000'000,
                                        10'000'000'000,
                                        100'000'000'000,
                                        1'000'000'000'000,
                                        10'000'000'000'000,
                                        100'000'000'000'000,
                                        1'000'000'000'000'000,
                                        10'000'000'000'000'000,
                                        100'000'000'000'000'000,
                                        1'000'000'000'000'000'000};
  uint64_t ip = m / kPow10[scale];
  uint64_t fp = (m % kPow10[scale]) * kPow10[pad];
  uint16_t digits[12];
  uint16_t int_groups[6];
  int n_int = 0;
  for (; ip != 0; ip /= 10'000) int_groups[n_int++] = static_cast<uint16_t>(ip % 10'000);
  int n = 0;
  for (int k = n_int - 1; k >= 0; --k) digits[n++] = int_groups[k];
  const int n_frac = (scale + pad) / 4;
  for (int k = n_frac - 1; k >= 0; --k, fp /= 10'000) {
    digits[n + k] = static_cast<uint16_t>(fp % 10'000);
  }
  n += n_frac;
  int first = 0;
  int weight = n_int - 1;
  while (first < n && digits[first] == 0) ++first, --weight;
  while (n > first && digits[n - 1] == 0) --n;
  if (first == n) weight = 0, negative = false;
  AppendBe16(static_cast<uint16_t>(n - first), out);
  AppendBe16(static_cast<uint16_t>(weight), out);
  AppendBe16(negative ? 0x4000 : 0x0000, out);
  AppendBe16(static_cast<uint16_t>(scale), out);
  for (int i = first; i < n; ++i) AppendBe16(digits[i], out);
}

void AppendNumericBinary(bool negative, engine::UInt128 magnitude, int scale, FieldBuffer& out) {
  const int pad = (4 - scale % 4) % 4;
  if (magnitude <= UINT64_MAX && scale + pad <= 19) {
    return AppendNumericBinary64(negative, static_cast<uint64_t>(magnitude), scale, pad, out);
  }
  char buf[96];
  char* end = buf + sizeof(buf);
  char* p = UInt128Digits(magnitude, end);
  while (end - p < scale + 1) *--p = '0';
  // "-digits.fraction" in the buffer's free front.
  char text[100];
  int n = 0;
  if (negative) text[n++] = '-';
  const int int_len = static_cast<int>(end - p) - scale;
  for (int i = 0; i < int_len; ++i) text[n++] = p[i];
  if (scale > 0) {
    text[n++] = '.';
    for (int i = int_len; i < int_len + scale; ++i) text[n++] = p[i];
  }
  AppendNumericBinaryFromText(std::string_view(text, n), out);
}

template <typename Out>
bool AppendNumericBinaryFromText(std::string_view s, Out& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const size_t point = s.find('.');
  std::string_view int_part = s.substr(0, point);
  std::string_view frac =
      point == std::string_view::npos ? std::string_view() : s.substr(point + 1);
  for (std::string_view part : {int_part, frac}) {
    for (char c : part) {
      if (c < '0' || c > '9') return false;
    }
  }
  if (int_part.empty() && frac.empty()) return false;
  while (!int_part.empty() && int_part[0] == '0') int_part.remove_prefix(1);
  const int dscale = static_cast<int>(frac.size());
  // Base-10000 digits: the integer part right-aligned to groups of four,
  // the fraction left-aligned.
  const size_t int_groups = (int_part.size() + 3) / 4;
  const size_t frac_groups = (frac.size() + 3) / 4;
  uint16_t small[64];
  std::vector<uint16_t> big;
  uint16_t* digits = small;
  if (int_groups + frac_groups > 64) {
    big.resize(int_groups + frac_groups);
    digits = big.data();
  }
  const size_t lead = int_groups * 4 - int_part.size();
  for (size_t g = 0; g < int_groups; ++g) {
    int d = 0;
    for (size_t k = 0; k < 4; ++k) {
      const size_t i = g * 4 + k;
      d = d * 10 + (i < lead ? 0 : int_part[i - lead] - '0');
    }
    digits[g] = static_cast<uint16_t>(d);
  }
  for (size_t g = 0; g < frac_groups; ++g) {
    int d = 0;
    for (size_t k = 0; k < 4; ++k) {
      const size_t i = g * 4 + k;
      d = d * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    }
    digits[int_groups + g] = static_cast<uint16_t>(d);
  }
  size_t first = 0;
  size_t last = int_groups + frac_groups;
  int weight = static_cast<int>(int_groups) - 1;
  while (first < last && digits[first] == 0) {
    ++first;
    --weight;
  }
  while (last > first && digits[last - 1] == 0) --last;
  if (first == last) {
    weight = 0;
    negative = false;
  }
  AppendBe16(static_cast<uint16_t>(last - first), out);
  AppendBe16(static_cast<uint16_t>(weight), out);
  AppendBe16(negative ? 0x4000 : 0x0000, out);
  AppendBe16(static_cast<uint16_t>(dscale), out);
  for (size_t i = first; i < last; ++i) AppendBe16(digits[i], out);
  return true;
}

template bool AppendNumericBinaryFromText(std::string_view, std::string&);
template bool AppendNumericBinaryFromText(std::string_view, FieldBuffer&);

void AppendDate(int32_t days, FieldBuffer& out) {
  if (days == INT32_MAX) return out.append("infinity"), void();
  if (days <= -INT32_MAX) return out.append("-infinity"), void();
  if (AppendYmd(days, out)) out.append(" BC");
}

void AppendTime(int64_t micros, FieldBuffer& out) { AppendClock(micros, out); }

void AppendTimestamp(int64_t micros, FieldBuffer& out) {
  if (micros == INT64_MAX) return out.append("infinity"), void();
  if (micros <= -INT64_MAX) return out.append("-infinity"), void();
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const bool bc = AppendYmd(days, out);
  out.push_back(' ');
  AppendClock(micros - days * kMicrosPerDay, out);
  if (bc) out.append(" BC");
}

void AppendTimestampTz(int64_t utc_micros, int32_t offset_seconds, FieldBuffer& out) {
  if (utc_micros == INT64_MAX) return out.append("infinity"), void();
  if (utc_micros <= -INT64_MAX) return out.append("-infinity"), void();
  const int64_t micros = utc_micros + int64_t{offset_seconds} * 1'000'000;
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const bool bc = AppendYmd(days, out);
  out.push_back(' ');
  AppendClock(micros - days * kMicrosPerDay, out);
  AppendZoneOffset(offset_seconds, out);
  if (bc) out.append(" BC");
}

void AppendZoneOffset(int32_t offset_seconds, FieldBuffer& out) {
  out.push_back(offset_seconds < 0 ? '-' : '+');
  const int a = std::abs(offset_seconds);
  Append2(a / 3600, out);
  if (a % 3600 != 0) {
    out.push_back(':');
    Append2(a / 60 % 60, out);
    if (a % 60 != 0) {
      out.push_back(':');
      Append2(a % 60, out);
    }
  }
}

void AppendInterval(int32_t months, int32_t days, int64_t micros, FieldBuffer& out) {
  bool is_zero = true;
  bool is_before = false;
  auto part = [&](int64_t value, std::string_view unit) {
    if (value == 0) return;
    if (!is_zero) out.push_back(' ');
    if (is_before && value > 0) out.push_back('+');
    AppendInt(value, out);
    out.push_back(' ');
    out.append(unit);
    if (value != 1) out.push_back('s');
    is_before = value < 0;
    is_zero = false;
  };
  part(months / 12, "year");
  part(months % 12, "mon");
  part(days, "day");
  if (is_zero || micros != 0) {
    if (!is_zero) out.push_back(' ');
    const bool minus = micros < 0;
    if (minus) {
      out.push_back('-');
    } else if (is_before) {
      out.push_back('+');
    }
    // |INT64_MIN| does not fit in int64_t: go unsigned.
    const uint64_t a = minus ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
    const uint64_t secs = a / 1'000'000;
    AppendPadded(static_cast<int64_t>(secs / 3600), 2, out);
    out.push_back(':');
    Append2(static_cast<int>(secs / 60 % 60), out);
    out.push_back(':');
    Append2(static_cast<int>(secs % 60), out);
    AppendFraction(static_cast<int64_t>(a % 1'000'000), out);
  }
}

void AppendUuid(engine::UInt128 v, FieldBuffer& out) {
  char b[36];
  int i = 35;
  for (int nibble = 0; nibble < 32; ++nibble, v >>= 4) {
    if (i == 8 || i == 13 || i == 18 || i == 23) b[i--] = '-';
    b[i--] = "0123456789abcdef"[static_cast<int>(v & 0xF)];
  }
  out.append(b, 36);
}

void AppendByteaHex(std::string_view bytes, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t start = out.size();
  out.resize(start + 2 + 2 * bytes.size());
  char* p = out.data() + start;
  *p++ = '\\';
  *p++ = 'x';
  for (unsigned char c : bytes) {
    *p++ = kHex[c >> 4];
    *p++ = kHex[c & 0xF];
  }
}

}  // namespace carelake::pgwire::text
