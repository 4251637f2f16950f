// Text Bind parameters as PostgreSQL 15's input functions read them, for the
// types where DuckDB's casts from VARCHAR would read them differently.
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/civil_time.h"
#include "carelake/base/format.h"
#include "carelake/pgwire/param_internal.h"
#include "carelake/pgwire/pg_types.h"
#include "carelake/pgwire/session_time_zone.h"
#include "carelake/pgwire/value_codec.h"
#include "carelake/pgwire/value_text.h"

namespace carelake::pgwire::param {

using engine::LogicalType;
using engine::TypeId;
using engine::Value;

namespace {

Result<Value> BoolFromText(std::string_view raw) {
  const std::string_view s = Trim(raw);
  if (IPrefix(s, "true") || IPrefix(s, "yes") || IEquals(s, "on") || s == "1") {
    return Value::Boolean(true);
  }
  if (IPrefix(s, "false") || IPrefix(s, "no") || IPrefix(s, "off", 2) || s == "0") {
    return Value::Boolean(false);
  }
  return InvalidArgument("invalid input syntax for type boolean: \"" + std::string(raw) + "\"");
}

Result<Value> IntFromText(uint32_t type_oid, std::string_view raw) {
  std::string_view s = Trim(raw);
  const bool plus = !s.empty() && s[0] == '+';
  if (plus) s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || end != s.data() + s.size() || (plus && s[0] == '-')) {
    if (ec != std::errc::result_out_of_range) return BadSyntax(type_oid, raw);
  }
  if (ec == std::errc::result_out_of_range) return OutOfRange(type_oid, raw);
  if (type_oid == oid::kInt2 && (v < INT16_MIN || v > INT16_MAX)) return OutOfRange(type_oid, raw);
  if (type_oid == oid::kInt4 && (v < INT32_MIN || v > INT32_MAX)) return OutOfRange(type_oid, raw);
  if (type_oid == oid::kInt8) return Value::BigInt(v);
  if (type_oid == oid::kOid) return Value::BigInt(v);
  return Value::Integer(static_cast<int32_t>(v));
}

Result<Value> FloatFromText(uint32_t type_oid, std::string_view raw) {
  const std::string_view s = Trim(raw);
  double v;
  if (IEquals(s, "nan")) {
    v = NAN;
  } else if (IEquals(s, "infinity") || IEquals(s, "+infinity") || IEquals(s, "inf") ||
             IEquals(s, "+inf")) {
    v = INFINITY;
  } else if (IEquals(s, "-infinity") || IEquals(s, "-inf")) {
    v = -INFINITY;
  } else {
    const std::string z(s);
    char* end = nullptr;
    errno = 0;
    v = std::strtod(z.c_str(), &end);
    if (z.empty() || end != z.c_str() + z.size() || std::isnan(v)) return BadSyntax(type_oid, raw);
    // As float8in/float4in: overflow, or underflow to zero, is an error;
    // denormals are not.
    const bool overflow = type_oid == oid::kFloat4 ? std::isinf(static_cast<float>(v)) ||
                                                         (v != 0 && static_cast<float>(v) == 0)
                                                   : errno == ERANGE && (v == 0 || std::isinf(v));
    if (overflow) {
      return InvalidArgument("\"" + std::string(s) + "\" is out of range for type " +
                             SqlTypeName(type_oid));
    }
  }
  if (type_oid == oid::kFloat4) return Value::Float(static_cast<float>(v));
  return Value::Double(v);
}

Result<Value> NumericFromText(std::string_view raw) {
  std::string_view s = Trim(raw);
  if (IEquals(s, "nan")) return Value::Double(NAN);
  if (IEquals(s, "infinity") || IEquals(s, "+infinity") || IEquals(s, "inf")) {
    return Value::Double(INFINITY);
  }
  if (IEquals(s, "-infinity") || IEquals(s, "-inf")) return Value::Double(-INFINITY);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;  // all mantissa digits
  int point = -1;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits.push_back(s[i]);
    } else if (s[i] == '.' && point < 0) {
      point = static_cast<int>(digits.size());
    } else {
      break;
    }
  }
  if (digits.empty()) return BadSyntax(oid::kNumeric, raw);
  if (point < 0) point = static_cast<int>(digits.size());
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return BadSyntax(oid::kNumeric, raw);
    int exp = 0;
    std::string_view e = s.substr(i + 1);
    if (!e.empty() && e[0] == '+') e.remove_prefix(1);
    auto [end, ec] = std::from_chars(e.data(), e.data() + e.size(), exp);
    if (e.empty() || end != e.data() + e.size() || ec != std::errc() || std::abs(exp) > 1000) {
      return BadSyntax(oid::kNumeric, raw);
    }
    point += exp;
    if (point < 0) {
      digits.insert(0, static_cast<size_t>(-point), '0');
      point = 0;
    }
    if (point > static_cast<int>(digits.size())) digits.append(point - digits.size(), '0');
  }
  return NumericValue(negative, std::string_view(digits).substr(0, point),
                      std::string_view(digits).substr(point));
}

Result<Value> ByteaFromText(std::string_view s) {
  std::string bytes;
  if (s.size() >= 2 && s[0] == '\\' && s[1] == 'x') {
    for (size_t i = 2; i < s.size();) {
      if (std::isspace(static_cast<unsigned char>(s[i]))) {
        ++i;
        continue;
      }
      const int hi = HexDigitValue(s[i]);
      if (hi < 0)
        return InvalidArgument("invalid hexadecimal digit: \"" + std::string(1, s[i]) + "\"");
      if (i + 1 >= s.size())
        return InvalidArgument("invalid hexadecimal data: odd number of digits");
      const int lo = HexDigitValue(s[i + 1]);
      if (lo < 0) {
        return InvalidArgument("invalid hexadecimal digit: \"" + std::string(1, s[i + 1]) + "\"");
      }
      bytes.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
    return Value::FromBlob(engine::Blob{std::move(bytes)});
  }
  // The escape format: \\ and \nnn (octal); anything else as is.
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      bytes.push_back(s[i]);
    } else if (i + 1 < s.size() && s[i + 1] == '\\') {
      bytes.push_back('\\');
      ++i;
    } else if (i + 3 < s.size() + 0 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
               s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      bytes.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      return InvalidArgument("invalid input syntax for type bytea");
    }
  }
  return Value::FromBlob(engine::Blob{std::move(bytes)});
}

// A cursor over ISO date/time text.
struct Scanner {
  std::string_view s;
  size_t i = 0;
  bool Done() const { return i == s.size(); }
  bool Eat(char c) {
    if (i < s.size() && s[i] == c) return ++i, true;
    return false;
  }
  // Exactly `min`..`max` digits.
  bool Digits(size_t min, size_t max, int64_t& v) {
    const size_t start = i;
    v = 0;
    while (i < s.size() && i - start < max && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + (s[i++] - '0');
    }
    return i - start >= min;
  }
};

// "YYYY-MM-DD" (the year as written, before any " BC"). False when not ISO.
bool ScanDate(Scanner& sc, int64_t& y, int64_t& m, int64_t& d) {
  return sc.Digits(4, 7, y) && sc.Eat('-') && sc.Digits(1, 2, m) && sc.Eat('-') &&
         sc.Digits(1, 2, d);
}

// Days since 1970 of a valid (astronomical) year, month and day.
bool DaysOf(int64_t y, int64_t m, int64_t d, int64_t& days) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  days = DaysFromCivil(y, static_cast<int>(m), 1) + d - 1;
  return CivilFromDays(days).month == m;  // no April 31 or Feb 29 of a common year
}

// "HH:MM[:SS[.ffffff]]": microseconds (fraction beyond 6 digits rounded).
bool ScanTime(Scanner& sc, int64_t& micros) {
  int64_t h, m, s = 0;
  if (!sc.Digits(1, 2, h) || !sc.Eat(':') || !sc.Digits(2, 2, m)) return false;
  int64_t frac = 0;
  if (sc.Eat(':')) {
    if (!sc.Digits(2, 2, s)) return false;
    if (sc.Eat('.')) {
      int n = 0;
      int64_t digit;
      while (n < 6 && sc.Digits(1, 1, digit)) frac = frac * 10 + digit, ++n;
      if (n == 0) return false;
      for (; n < 6; ++n) frac *= 10;
      if (sc.Digits(1, 1, digit) && digit >= 5) ++frac;
      while (sc.Digits(1, 1, digit)) {
      }
    }
  }
  if (m > 59 || s > 60 || h > 24) return false;
  micros = ((h * 60 + m) * 60 + s) * 1'000'000 + frac;
  return micros <= text::kMicrosPerDay;
}

// "+HH", "+HH:MM", "+HHMM", "+HH:MM:SS", "Z": seconds east.
bool ScanOffset(Scanner& sc, int32_t& offset) {
  if (sc.Eat('Z') || sc.Eat('z')) return offset = 0, true;
  int sign;
  if (sc.Eat('+')) {
    sign = 1;
  } else if (sc.Eat('-')) {
    sign = -1;
  } else {
    return false;
  }
  int64_t h, m = 0, s = 0;
  if (!sc.Digits(1, 2, h)) return false;
  if (sc.Eat(':')) {
    if (!sc.Digits(2, 2, m)) return false;
    if (sc.Eat(':') && !sc.Digits(2, 2, s)) return false;
  } else {
    sc.Digits(2, 2, m);
  }
  offset = static_cast<int32_t>(sign * (h * 3600 + m * 60 + s));
  return true;
}

bool EatBc(Scanner& sc) {
  const std::string_view rest = sc.s.substr(sc.i);
  if (IEquals(rest, " bc")) return sc.i = sc.s.size(), true;
  return false;
}

// Text PostgreSQL and DuckDB read differently is parsed here; anything not
// ISO goes to DuckDB as VARCHAR.
Result<Value> DateTimeFromText(uint32_t type_oid, std::string_view raw,
                               const EncodeSettings& settings) {
  const std::string_view s = Trim(raw);
  const bool is_date = type_oid == oid::kDate;
  if (IEquals(s, "infinity") || IEquals(s, "+infinity") || IEquals(s, "-infinity")) {
    const bool neg = s[0] == '-';
    if (is_date) return Value::FromDate(engine::Date{neg ? -INT32_MAX : INT32_MAX});
    const int64_t v = neg ? -INT64_MAX : INT64_MAX;
    if (type_oid == oid::kTimestamp) return Value::FromTimestamp(engine::Timestamp{v});
    return Value::FromTimestampTz(engine::TimestampTz{v});
  }
  if (IEquals(s, "epoch")) {
    if (is_date) return Value::FromDate(engine::Date{0});
    if (type_oid == oid::kTimestamp) return Value::FromTimestamp(engine::Timestamp{0});
    return Value::FromTimestampTz(engine::TimestampTz{0});
  }
  Scanner sc{s};
  int64_t y, m, d;
  if (!ScanDate(sc, y, m, d)) return Value::Varchar(std::string(raw));
  auto range = [&] {
    return InvalidArgument("date/time field value out of range: \"" + std::string(raw) + "\"");
  };
  int64_t micros = 0;
  int32_t offset = 0;
  bool has_offset = false;
  if (!is_date && (sc.Eat(' ') || sc.Eat('T'))) {
    if (!ScanTime(sc, micros)) return Value::Varchar(std::string(raw));
    if (sc.i + 1 < s.size() && s[sc.i] == ' ' && (s[sc.i + 1] == '+' || s[sc.i + 1] == '-')) {
      ++sc.i;
    }
    has_offset = ScanOffset(sc, offset);
  }
  const bool bc = EatBc(sc);
  if (!sc.Done()) return Value::Varchar(std::string(raw));
  int64_t days = 0;
  if (y == 0 || !DaysOf(bc ? 1 - y : y, m, d, days)) return range();
  if (is_date) {
    if (days > INT32_MAX - 1 || days < -INT32_MAX + 1) return range();
    return Value::FromDate(engine::Date{static_cast<int32_t>(days)});
  }
  const int64_t local = days * text::kMicrosPerDay + micros;
  if (type_oid == oid::kTimestamp) return Value::FromTimestamp(engine::Timestamp{local});
  if (has_offset)
    return Value::FromTimestampTz(engine::TimestampTz{local - int64_t{offset} * 1'000'000});
  CARELAKE_ASSIGN_OR_RETURN(SessionTimeZone zone, SessionTimeZone::Find(settings.time_zone));
  return Value::FromTimestampTz(engine::TimestampTz{zone.ToUtc(local)});
}

// interval_in for what PostgreSQL prints and the common unit words:
// "1 year 2 mons -3 days +04:05:06.789", "2 hours 30 minutes", "1 day ago".
// nullopt for anything else (ISO 8601 "P1D", fractional years...), which
// goes to DuckDB.
std::optional<engine::Interval> IntervalFromText(std::string_view s) {
  engine::Interval iv;
  bool ago = false;
  std::vector<std::string_view> words;
  for (size_t i = 0; i < s.size();) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    words.push_back(s.substr(i, j - i));
    i = j;
  }
  if (!words.empty() && words[0] == "@") words.erase(words.begin());
  if (!words.empty() && IEquals(words.back(), "ago")) {
    ago = true;
    words.pop_back();
  }
  if (words.empty()) return std::nullopt;
  for (size_t w = 0; w < words.size(); ++w) {
    std::string_view word = words[w];
    const bool negative = !word.empty() && word[0] == '-';
    if (!word.empty() && (word[0] == '-' || word[0] == '+')) word.remove_prefix(1);
    if (word.find(':') != std::string_view::npos) {
      Scanner sc{word};
      int64_t h, m, sec = 0, frac = 0, digit;
      if (!sc.Digits(1, 9, h) || !sc.Eat(':') || !sc.Digits(2, 2, m)) return std::nullopt;
      if (sc.Eat(':')) {
        if (!sc.Digits(2, 2, sec)) return std::nullopt;
        if (sc.Eat('.')) {
          int n = 0;
          while (n < 6 && sc.Digits(1, 1, digit)) frac = frac * 10 + digit, ++n;
          for (; n < 6; ++n) frac *= 10;
        }
      }
      if (!sc.Done() || m > 59 || sec > 59) return std::nullopt;
      const int64_t micros = ((h * 60 + m) * 60 + sec) * 1'000'000 + frac;
      iv.micros += negative ? -micros : micros;
      continue;
    }
    if (w + 1 >= words.size()) return std::nullopt;
    std::string_view unit = words[++w];
    const size_t point = word.find('.');
    int64_t whole = 0;
    auto [end, ec] =
        std::from_chars(word.data(), word.data() + std::min(point, word.size()), whole);
    if (ec != std::errc() || end != word.data() + std::min(point, word.size())) return std::nullopt;
    int64_t frac_micros = 0;  // the fraction, in millionths
    if (point != std::string_view::npos) {
      const std::string_view f = word.substr(point + 1);
      int64_t scale = 100'000;
      for (char c : f) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        frac_micros += (c - '0') * scale;
        scale /= 10;
      }
    }
    if (negative) whole = -whole, frac_micros = -frac_micros;
    if (unit.size() > 1 && (unit.back() == 's' || unit.back() == 'S') && !IEquals(unit, "ms") &&
        !IEquals(unit, "us")) {
      unit.remove_suffix(1);
    }
    auto in = [&](std::initializer_list<std::string_view> names) {
      for (std::string_view n : names) {
        if (IEquals(unit, n)) return true;
      }
      return false;
    };
    int64_t per_unit_micros = 0;
    if (in({"year", "yr", "y"})) {
      if (frac_micros != 0) return std::nullopt;
      iv.months += static_cast<int32_t>(whole * 12);
    } else if (in({"mon", "month"})) {
      if (frac_micros != 0) return std::nullopt;
      iv.months += static_cast<int32_t>(whole);
    } else if (in({"week", "w"})) {
      if (frac_micros != 0) return std::nullopt;
      iv.days += static_cast<int32_t>(whole * 7);
    } else if (in({"day", "d"})) {
      if (frac_micros != 0) return std::nullopt;
      iv.days += static_cast<int32_t>(whole);
    } else if (in({"hour", "hr", "h"})) {
      per_unit_micros = 3'600'000'000;
    } else if (in({"minute", "min", "m"})) {
      per_unit_micros = 60'000'000;
    } else if (in({"second", "sec", "s"})) {
      per_unit_micros = 1'000'000;
    } else if (in({"millisecond", "ms", "msec"})) {
      per_unit_micros = 1'000;
    } else if (in({"microsecond", "us", "usec"})) {
      per_unit_micros = 1;
    } else {
      return std::nullopt;
    }
    iv.micros += whole * per_unit_micros + frac_micros * per_unit_micros / 1'000'000;
  }
  if (ago) iv = engine::Interval{-iv.months, -iv.days, -iv.micros};
  return iv;
}

Result<Value> TimeFromText(std::string_view raw) {
  Scanner sc{Trim(raw)};
  int64_t micros;
  if (!ScanTime(sc, micros) || !sc.Done()) return Value::Varchar(std::string(raw));
  return Value::FromTime(engine::Time{micros});
}

}  // namespace

Result<Value> FromText(uint32_t type_oid, std::string_view s, const EncodeSettings& settings) {
  switch (type_oid) {
    case oid::kBool:
      return BoolFromText(s);
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kOid:
      return IntFromText(type_oid, s);
    case oid::kFloat4:
    case oid::kFloat8:
      return FloatFromText(type_oid, s);
    case oid::kNumeric:
      return NumericFromText(s);
    case oid::kBytea:
      return ByteaFromText(s);
    case oid::kDate:
    case oid::kTimestamp:
    case oid::kTimestampTz:
      return DateTimeFromText(type_oid, s, settings);
    case oid::kTime:
      return TimeFromText(s);
    case oid::kInterval:
      if (auto iv = IntervalFromText(s)) return Value::FromInterval(*iv);
      return Value::Varchar(std::string(s));
    case oid::kUuid:
      return Value::Rendered(LogicalType::Of(TypeId::kUuid), std::string(s));
    case oid::kTimeTz:
      return Value::Rendered(LogicalType::Of(TypeId::kTimeTz), std::string(s));
    default:
      return Value::Varchar(std::string(s));  // DuckDB casts it
  }
}

}  // namespace carelake::pgwire::param
