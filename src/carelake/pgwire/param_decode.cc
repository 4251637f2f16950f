// DecodeParameter (value_codec.h): Bind parameters, text and binary, as the
// PostgreSQL 15 input and receive functions read them.
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
#include "carelake/pgwire/pg_types.h"
#include "carelake/pgwire/session_time_zone.h"
#include "carelake/pgwire/value_codec.h"
#include "carelake/pgwire/value_text.h"

namespace carelake::pgwire {

using engine::LogicalType;
using engine::TypeId;
using engine::Value;

namespace {

std::string TypeName(uint32_t type_oid) {
  const PgTypeInfo* t = FindType(type_oid);
  return t != nullptr ? std::string(t->name) : "type " + std::to_string(type_oid);
}

// PostgreSQL's names in input error messages.
std::string SqlTypeName(uint32_t type_oid) {
  switch (type_oid) {
    case oid::kInt2:
      return "smallint";
    case oid::kInt4:
      return "integer";
    case oid::kInt8:
      return "bigint";
    case oid::kFloat4:
      return "real";
    case oid::kFloat8:
      return "double precision";
    case oid::kTimestamp:
      return "timestamp";
    case oid::kTimestampTz:
      return "timestamp with time zone";
    case oid::kTime:
      return "time";
    default:
      return TypeName(type_oid);
  }
}

Status BadSyntax(uint32_t type_oid, std::string_view text) {
  return InvalidArgument("invalid input syntax for type " + SqlTypeName(type_oid) + ": \"" +
                         std::string(text) + "\"");
}

Status OutOfRange(uint32_t type_oid, std::string_view text) {
  return InvalidArgument("value \"" + std::string(text) + "\" is out of range for type " +
                         SqlTypeName(type_oid));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// A non-empty prefix of `word` (case-insensitive), at least `min` long.
bool IPrefix(std::string_view s, std::string_view word, size_t min = 1) {
  return s.size() >= min && s.size() <= word.size() && IEquals(s, word.substr(0, s.size()));
}

uint64_t Be(std::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

// ---- Text -------------------------------------------------------------------

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

// A decimal string "-123.45" as DECIMAL(w,s) when it fits in 38 digits, else
// as text for DuckDB to cast.
Value NumericValue(bool negative, std::string_view int_digits, std::string_view frac) {
  while (!int_digits.empty() && int_digits[0] == '0') int_digits.remove_prefix(1);
  const size_t width = std::max<size_t>(int_digits.size() + frac.size(), 1);
  std::string text = negative ? "-" : "";
  text.append(int_digits.empty() ? "0" : int_digits);
  if (!frac.empty()) text.append(".").append(frac);
  if (width > 38 || frac.size() > 38) return Value::Varchar(text);
  auto d = engine::Decimal::Parse(text, static_cast<uint8_t>(std::max(width, frac.size())),
                                  static_cast<uint8_t>(frac.size()));
  return d.ok() ? Value::FromDecimal(*d) : Value::Varchar(text);
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

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Value> ByteaFromText(std::string_view s) {
  std::string bytes;
  if (s.size() >= 2 && s[0] == '\\' && s[1] == 'x') {
    for (size_t i = 2; i < s.size();) {
      if (std::isspace(static_cast<unsigned char>(s[i]))) {
        ++i;
        continue;
      }
      const int hi = HexDigit(s[i]);
      if (hi < 0)
        return InvalidArgument("invalid hexadecimal digit: \"" + std::string(1, s[i]) + "\"");
      if (i + 1 >= s.size())
        return InvalidArgument("invalid hexadecimal data: odd number of digits");
      const int lo = HexDigit(s[i + 1]);
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

// ---- Binary -----------------------------------------------------------------

Status WrongSize(uint32_t type_oid, size_t want, size_t got) {
  return InvalidArgument("binary " + TypeName(type_oid) + " parameter must be " +
                         std::to_string(want) + " bytes, got " + std::to_string(got));
}

Result<Value> NumericFromBinary(std::string_view b) {
  if (b.size() < 8)
    return InvalidArgument("binary numeric parameter must be at least 8 bytes, got " +
                           std::to_string(b.size()));
  const auto ndigits = static_cast<int16_t>(Be(b, 0, 2));
  const auto weight = static_cast<int16_t>(Be(b, 2, 2));
  const auto sign = static_cast<uint16_t>(Be(b, 4, 2));
  const auto dscale = static_cast<int16_t>(Be(b, 6, 2));
  if (ndigits < 0 || b.size() != 8 + 2 * static_cast<size_t>(ndigits)) {
    return InvalidArgument("binary numeric parameter has " + std::to_string(b.size()) +
                           " bytes, not 8 + 2 * ndigits (" + std::to_string(ndigits) + ")");
  }
  if (sign == 0xC000) return Value::Double(NAN);
  if (sign == 0xD000) return Value::Double(INFINITY);
  if (sign == 0xF000) return Value::Double(-INFINITY);
  if ((sign != 0x0000 && sign != 0x4000) || dscale < 0 || dscale > 16383) {
    return InvalidArgument("invalid sign or scale in binary numeric parameter");
  }
  // Decimal digits of every base-10000 digit, positioned by weight.
  std::string int_part, frac;
  for (int k = 0; k <= weight; ++k) {
    const int digit = k < ndigits ? static_cast<int>(Be(b, 8 + 2 * k, 2)) : 0;
    if (digit > 9999) return InvalidArgument("invalid digit in binary numeric parameter");
    char four[5];
    std::snprintf(four, sizeof(four), "%04d", digit);
    int_part.append(four, 4);
  }
  for (int k = weight + 1; static_cast<int>(frac.size()) < dscale; ++k) {
    const int digit = k >= 0 && k < ndigits ? static_cast<int>(Be(b, 8 + 2 * k, 2)) : 0;
    if (digit > 9999) return InvalidArgument("invalid digit in binary numeric parameter");
    char four[5];
    std::snprintf(four, sizeof(four), "%04d", digit);
    frac.append(four, 4);
  }
  frac.resize(dscale);
  return NumericValue(sign == 0x4000, int_part, frac);
}

Result<Value> FromBinary(uint32_t type_oid, std::string_view b) {
  auto need = [&](size_t n) -> Status {
    return b.size() == n ? Status::Ok() : WrongSize(type_oid, n, b.size());
  };
  switch (type_oid) {
    case oid::kBool:
      CARELAKE_RETURN_IF_ERROR(need(1));
      return Value::Boolean(b[0] != 0);
    case oid::kInt2:
      CARELAKE_RETURN_IF_ERROR(need(2));
      return Value::Integer(static_cast<int16_t>(Be(b, 0, 2)));
    case oid::kInt4:
      CARELAKE_RETURN_IF_ERROR(need(4));
      return Value::Integer(static_cast<int32_t>(Be(b, 0, 4)));
    case oid::kOid:
      CARELAKE_RETURN_IF_ERROR(need(4));
      return Value::BigInt(static_cast<int64_t>(Be(b, 0, 4)));
    case oid::kInt8:
      CARELAKE_RETURN_IF_ERROR(need(8));
      return Value::BigInt(static_cast<int64_t>(Be(b, 0, 8)));
    case oid::kFloat4:
      CARELAKE_RETURN_IF_ERROR(need(4));
      return Value::Float(std::bit_cast<float>(static_cast<uint32_t>(Be(b, 0, 4))));
    case oid::kFloat8:
      CARELAKE_RETURN_IF_ERROR(need(8));
      return Value::Double(std::bit_cast<double>(Be(b, 0, 8)));
    case oid::kNumeric:
      return NumericFromBinary(b);
    case oid::kBytea:
      return Value::FromBlob(engine::Blob{std::string(b)});
    case oid::kDate: {
      CARELAKE_RETURN_IF_ERROR(need(4));
      const auto d = static_cast<int32_t>(Be(b, 0, 4));
      return Value::FromDate(engine::Date{d == INT32_MAX   ? INT32_MAX
                                          : d == INT32_MIN ? -INT32_MAX
                                                           : d + text::kPgEpochDays});
    }
    case oid::kTime:
      CARELAKE_RETURN_IF_ERROR(need(8));
      return Value::FromTime(engine::Time{static_cast<int64_t>(Be(b, 0, 8))});
    case oid::kTimeTz: {
      CARELAKE_RETURN_IF_ERROR(need(12));
      text::FieldBuffer t;
      text::AppendTime(static_cast<int64_t>(Be(b, 0, 8)), t);
      text::AppendZoneOffset(-static_cast<int32_t>(Be(b, 8, 4)), t);
      return Value::Rendered(LogicalType::Of(TypeId::kTimeTz), t.str());
    }
    case oid::kTimestamp:
    case oid::kTimestampTz: {
      CARELAKE_RETURN_IF_ERROR(need(8));
      const auto v = static_cast<int64_t>(Be(b, 0, 8));
      const int64_t micros = v == INT64_MAX   ? INT64_MAX
                             : v == INT64_MIN ? -INT64_MAX
                                              : v + text::kPgEpochMicros;
      if (type_oid == oid::kTimestamp) return Value::FromTimestamp(engine::Timestamp{micros});
      return Value::FromTimestampTz(engine::TimestampTz{micros});
    }
    case oid::kInterval:
      CARELAKE_RETURN_IF_ERROR(need(16));
      return Value::FromInterval(engine::Interval{static_cast<int32_t>(Be(b, 12, 4)),
                                                  static_cast<int32_t>(Be(b, 8, 4)),
                                                  static_cast<int64_t>(Be(b, 0, 8))});
    case oid::kUuid: {
      CARELAKE_RETURN_IF_ERROR(need(16));
      text::FieldBuffer t;
      text::AppendUuid((static_cast<engine::UInt128>(Be(b, 0, 8)) << 64) | Be(b, 8, 8), t);
      return Value::Rendered(LogicalType::Of(TypeId::kUuid), t.str());
    }
    case oid::kJsonb:
      if (b.empty() || b[0] != 1) {
        return InvalidArgument("binary jsonb parameter must start with version 1");
      }
      return Value::Varchar(std::string(b.substr(1)));
    case oid::kVarbit: {
      if (b.size() < 4)
        return InvalidArgument("binary varbit parameter must be at least 4 bytes, got " +
                               std::to_string(b.size()));
      const uint64_t nbits = Be(b, 0, 4);
      if (b.size() != 4 + (nbits + 7) / 8) {
        return InvalidArgument("binary varbit parameter of " + std::to_string(nbits) +
                               " bits must be " + std::to_string(4 + (nbits + 7) / 8) +
                               " bytes, got " + std::to_string(b.size()));
      }
      std::string bits;
      for (uint64_t i = 0; i < nbits; ++i) {
        bits.push_back((static_cast<unsigned char>(b[4 + i / 8]) >> (7 - i % 8)) & 1 ? '1' : '0');
      }
      return Value::Rendered(LogicalType::Of(TypeId::kBit), bits);
    }
    case 0:
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kJson:
    case oid::kUnknown:
    case oid::kChar:
      return Value::Varchar(std::string(b));
    default:
      return InvalidArgument("binary format is not supported for parameters of " +
                             TypeName(type_oid));
  }
}

// ---- Arrays -------------------------------------------------------------------

// The DuckDB type a decoded element of `elem_oid` has (so that every element
// of a list, NULLs included, has one type). numeric and types DuckDB casts
// from text travel as VARCHAR.
LogicalType ElementType(uint32_t elem_oid) {
  switch (elem_oid) {
    case oid::kBool:
      return LogicalType::Of(TypeId::kBoolean);
    case oid::kInt2:
    case oid::kInt4:
      return LogicalType::Of(TypeId::kInteger);
    case oid::kInt8:
    case oid::kOid:
      return LogicalType::Of(TypeId::kBigInt);
    case oid::kFloat4:
      return LogicalType::Of(TypeId::kFloat);
    case oid::kFloat8:
      return LogicalType::Of(TypeId::kDouble);
    case oid::kBytea:
      return LogicalType::Of(TypeId::kBlob);
    case oid::kDate:
      return LogicalType::Of(TypeId::kDate);
    case oid::kTime:
      return LogicalType::Of(TypeId::kTime);
    case oid::kTimestamp:
      return LogicalType::Of(TypeId::kTimestamp);
    case oid::kTimestampTz:
      return LogicalType::Of(TypeId::kTimestampTz);
    default:
      return LogicalType::Of(TypeId::kVarchar);
  }
}

// An element decoded, then brought to ElementType.
Result<Value> Element(uint32_t elem_oid, Format format, std::string_view bytes,
                      const EncodeSettings& settings) {
  CARELAKE_ASSIGN_OR_RETURN(Value v, DecodeParameter(elem_oid, format, bytes, settings));
  const LogicalType want = ElementType(elem_oid);
  if (v.type().id == want.id) return v;
  if (want.id == TypeId::kVarchar) return Value::Varchar(v.ToString());
  // A text element DuckDB has to cast (a date in a non-ISO form, ...).
  return Value::Varchar(std::string(bytes));
}

LogicalType ListOf(LogicalType element, int ndim) {
  for (int i = 0; i < ndim; ++i) {
    LogicalType list = LogicalType::Of(TypeId::kList);
    list.children.push_back(std::move(element));
    element = std::move(list);
  }
  return element;
}

// Groups the flat `elements` into `dims` nested lists from dimension `d`.
Value Nest(const std::vector<int64_t>& dims, size_t d, const LogicalType& element,
           std::vector<Value>& elements, size_t& next) {
  std::vector<Value> kids;
  for (int64_t i = 0; i < dims[d]; ++i) {
    if (d + 1 == dims.size()) {
      kids.push_back(std::move(elements[next++]));
    } else {
      kids.push_back(Nest(dims, d + 1, element, elements, next));
    }
  }
  return Value::Nested(ListOf(element, static_cast<int>(dims.size() - d)), std::move(kids));
}

Result<Value> ArrayFromBinary(const PgTypeInfo& array, std::string_view b,
                              const EncodeSettings& settings) {
  auto bad = [&](const std::string& what) {
    return InvalidArgument("binary " + std::string(array.name) + " parameter: " + what);
  };
  if (b.size() < 12) return bad("shorter than its 12-byte header");
  const auto ndim = static_cast<int32_t>(Be(b, 0, 4));
  const auto elem_oid = static_cast<uint32_t>(Be(b, 8, 4));
  if (ndim < 0 || ndim > 6) return bad("invalid number of dimensions " + std::to_string(ndim));
  if (elem_oid != array.elem) {
    return bad("element type " + std::to_string(elem_oid) + ", expected " +
               std::to_string(array.elem));
  }
  const LogicalType element = ElementType(elem_oid);
  if (ndim == 0) return Value::Nested(ListOf(element, 1), {});
  if (b.size() < 12 + 8 * static_cast<size_t>(ndim)) return bad("truncated dimensions");
  std::vector<int64_t> dims;
  int64_t count = 1;
  for (int d = 0; d < ndim; ++d) {
    const auto n = static_cast<int32_t>(Be(b, 12 + 8 * d, 4));
    if (n < 0 || n > (1 << 27) / count) return bad("invalid dimension size");
    dims.push_back(n);
    count *= n;
  }
  size_t at = 12 + 8 * static_cast<size_t>(ndim);
  std::vector<Value> elements;
  for (int64_t i = 0; i < count; ++i) {
    if (at + 4 > b.size()) return bad("truncated element " + std::to_string(i + 1));
    const auto len = static_cast<int32_t>(Be(b, at, 4));
    at += 4;
    if (len == -1) {
      elements.push_back(Value::Null(element));
      continue;
    }
    if (len < 0 || at + static_cast<size_t>(len) > b.size()) {
      return bad("truncated element " + std::to_string(i + 1));
    }
    CARELAKE_ASSIGN_OR_RETURN(Value v,
                              Element(elem_oid, Format::kBinary, b.substr(at, len), settings));
    elements.push_back(std::move(v));
    at += len;
  }
  if (at != b.size()) return bad(std::to_string(b.size() - at) + " bytes after the last element");
  size_t next = 0;
  return Nest(dims, 0, element, elements, next);
}

// array_in: "{1,2,NULL}", "{{1,2},{3,4}}", quoted elements with backslash
// escapes, delimiter ','.
class ArrayTextParser {
 public:
  ArrayTextParser(const PgTypeInfo& array, std::string_view s, const EncodeSettings& settings)
      : array_(array), s_(s), settings_(settings), element_(ElementType(array.elem)) {}

  Result<Value> Parse() {
    SkipSpace();
    CARELAKE_ASSIGN_OR_RETURN(Value v, List(1));
    SkipSpace();
    if (i_ != s_.size()) return Malformed("Junk after closing right brace.");
    return v;
  }

 private:
  Status Malformed(const std::string& detail) const {
    return InvalidArgument("malformed array literal: \"" + std::string(s_) + "\" (" + detail + ")");
  }
  void SkipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }

  // A '{...}' at nesting `depth`; the element type is fixed by the
  // deepest level seen first.
  Result<Value> List(int depth) {
    if (i_ >= s_.size() || s_[i_] != '{') return Malformed("Array value must start with \"{\".");
    ++i_;
    std::vector<Value> kids;
    bool nested = false;
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return Value::Nested(ListOf(element_, 1), {});
    }
    while (true) {
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == '{') {
        if (depth >= 6) return Malformed("too many dimensions");
        nested = true;
        CARELAKE_ASSIGN_OR_RETURN(Value kid, List(depth + 1));
        kids.push_back(std::move(kid));
      } else {
        if (nested) return Malformed("Unexpected array element.");
        CARELAKE_ASSIGN_OR_RETURN(Value kid, Scalar());
        kids.push_back(std::move(kid));
      }
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        break;
      }
      return Malformed("Unexpected end of input.");
    }
    LogicalType type = nested ? ListOf(kids[0].type(), 1) : ListOf(element_, 1);
    return Value::Nested(std::move(type), std::move(kids));
  }

  Result<Value> Scalar() {
    std::string text;
    bool quoted = false;
    if (i_ < s_.size() && s_[i_] == '"') {
      quoted = true;
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        text.push_back(s_[i_++]);
      }
      if (i_ >= s_.size()) return Malformed("Unexpected end of input.");
      ++i_;
    } else {
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != '{' && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        text.push_back(s_[i_++]);
      }
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
      if (text.empty()) return Malformed("Unexpected \",\" character.");
      if (IEquals(text, "null")) return Value::Null(element_);
    }
    (void)quoted;
    return Element(array_.elem, Format::kText, text, settings_);
  }

  const PgTypeInfo& array_;
  std::string_view s_;
  const EncodeSettings& settings_;
  LogicalType element_;
  size_t i_ = 0;
};

const PgTypeInfo* ArrayType(uint32_t type_oid) {
  const PgTypeInfo* t = FindType(type_oid);
  return t != nullptr && t->category == 'A' && t->elem != 0 ? t : nullptr;
}

}  // namespace

Result<Value> DecodeParameter(uint32_t type_oid, Format format, std::string_view bytes,
                              const EncodeSettings& settings) {
  if (const PgTypeInfo* array = ArrayType(type_oid)) {
    if (format == Format::kBinary) return ArrayFromBinary(*array, bytes, settings);
    return ArrayTextParser(*array, bytes, settings).Parse();
  }
  if (format == Format::kBinary) return FromBinary(type_oid, bytes);
  return FromText(type_oid, bytes, settings);
}

}  // namespace carelake::pgwire
