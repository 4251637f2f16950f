#include "carelake/engine/value.h"

#include <duckdb.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string_view>

#include "carelake/base/civil_time.h"

namespace carelake::engine {

Date Date::FromYmd(int64_t year, int month, int day) {
  return Date{static_cast<int32_t>(DaysFromCivil(year, month, day))};
}

std::string Date::ToString() const { return FormatDate(days); }
std::string Time::ToString() const { return FormatTimeOfDay(micros); }
std::string Timestamp::ToString() const { return FormatTimestamp(micros); }
std::string TimestampTz::ToString() const { return FormatTimestamp(micros) + "+00"; }

std::string Interval::ToString() const {
  std::string out;
  auto part = [&out](int64_t n, const char* unit) {
    if (n == 0) return;
    if (!out.empty()) out += " ";
    out += std::to_string(n) + " " + unit + (n == 1 || n == -1 ? "" : "s");
  };
  part(months / 12, "year");
  part(months % 12, "month");
  part(days, "day");
  if (micros != 0 || out.empty()) {
    if (!out.empty()) out += " ";
    const int64_t abs = micros < 0 ? -micros : micros;
    out += (micros < 0 ? "-" : "") + FormatTimeOfDay(abs);
  }
  return out;
}

std::string UInt128ToString(UInt128 v) {
  if (v == 0) return "0";
  std::string digits;
  while (v > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return std::string(digits.rbegin(), digits.rend());
}

std::string Int128ToString(Int128 v) {
  if (v >= 0) return UInt128ToString(static_cast<UInt128>(v));
  return "-" + UInt128ToString(static_cast<UInt128>(0) - static_cast<UInt128>(v));
}

std::string Decimal::ToString() const {
  const bool negative = unscaled < 0;
  const UInt128 mag = negative ? static_cast<UInt128>(0) - static_cast<UInt128>(unscaled)
                               : static_cast<UInt128>(unscaled);
  std::string digits = UInt128ToString(mag);
  if (scale > 0) {
    if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, ".");
  }
  return (negative ? "-" : "") + digits;
}

Result<Decimal> Decimal::Parse(std::string_view text, uint8_t width, uint8_t scale) {
  if (width == 0 || width > 38 || scale > width) {
    return InvalidArgument("invalid DECIMAL(" + std::to_string(width) + "," +
                           std::to_string(scale) + ")");
  }
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  Int128 v = 0;
  int int_digits = 0;  // significant digits before the point
  int frac_digits = 0;
  bool seen_point = false;
  bool any_digit = false;
  bool rounding_decided = false;
  bool round_up = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') {
      return InvalidArgument("invalid decimal '" + std::string(text) + "': unexpected '" +
                             std::string(1, c) + "' at offset " + std::to_string(i));
    }
    any_digit = true;
    const int digit = c - '0';
    if (!seen_point) {
      if (v != 0 || digit != 0) ++int_digits;
      if (int_digits > 38) break;  // reported as out of range below
      v = v * 10 + digit;
    } else if (frac_digits < scale) {
      v = v * 10 + digit;
      ++frac_digits;
    } else if (!rounding_decided) {
      rounding_decided = true;
      round_up = digit >= 5;
    }
  }
  if (!any_digit) return InvalidArgument("invalid decimal '" + std::string(text) + "'");
  for (int k = frac_digits; k < scale; ++k) v *= 10;
  if (round_up) v += 1;
  Int128 limit = 1;
  for (int k = 0; k < width; ++k) limit *= 10;
  if (int_digits > width - scale || v >= limit) {
    return OutOfRange("decimal '" + std::string(text) + "' does not fit DECIMAL(" +
                      std::to_string(width) + "," + std::to_string(scale) + ")");
  }
  return Decimal{negative ? -v : v, width, scale};
}

Value Value::Null(LogicalType type) { return Value(std::move(type), std::monostate{}); }
Value Value::Boolean(bool v) { return Value(LogicalType::Of(TypeId::kBoolean), v); }
Value Value::Integer(int32_t v) {
  return Value(LogicalType::Of(TypeId::kInteger), static_cast<int64_t>(v));
}
Value Value::BigInt(int64_t v) { return Value(LogicalType::Of(TypeId::kBigInt), v); }
Value Value::UBigInt(uint64_t v) { return Value(LogicalType::Of(TypeId::kUBigInt), v); }
Value Value::HugeInt(Int128 v) { return Value(LogicalType::Of(TypeId::kHugeInt), v); }
Value Value::Double(double v) { return Value(LogicalType::Of(TypeId::kDouble), v); }
Value Value::Float(float v) {
  return Value(LogicalType::Of(TypeId::kFloat), static_cast<double>(v));
}
Value Value::Varchar(std::string v) {
  return Value(LogicalType::Of(TypeId::kVarchar), std::move(v));
}
Value Value::FromBlob(Blob v) { return Value(LogicalType::Of(TypeId::kBlob), std::move(v)); }
Value Value::FromDate(Date v) { return Value(LogicalType::Of(TypeId::kDate), v); }
Value Value::FromTime(Time v) { return Value(LogicalType::Of(TypeId::kTime), v); }
Value Value::FromTimestamp(Timestamp v) { return Value(LogicalType::Of(TypeId::kTimestamp), v); }
Value Value::FromTimestampTz(TimestampTz v) {
  return Value(LogicalType::Of(TypeId::kTimestampTz), v);
}
Value Value::FromInterval(Interval v) { return Value(LogicalType::Of(TypeId::kInterval), v); }
Value Value::FromDecimal(Decimal v) { return Value(LogicalType::Decimal(v.width, v.scale), v); }
Value Value::Rendered(LogicalType type, std::string text) {
  return Value(std::move(type), std::move(text));
}

Value Value::Nested(LogicalType type, std::vector<Value> children) {
  return Value(std::move(type), std::move(children));
}

const Value* Value::field(std::string_view name) const {
  if (type_.id != TypeId::kStruct || is_null()) return nullptr;
  const auto& kids = children();
  for (size_t i = 0; i < type_.child_names.size() && i < kids.size(); ++i) {
    if (type_.child_names[i] == name) return &kids[i];
  }
  return nullptr;
}

namespace {

// DuckDB's CAST(v AS VARCHAR) of a DOUBLE: the shortest digits that read
// back as `v`. With the decimal exponent of the first digit in [-4, 15] they
// are written out in full, with at least one digit after the point
// ("1440.0", "0.00015"); otherwise as d[.ddd]e±XX ("1e+16", "1.5e-05"). NaN
// and infinity keep their sign.
std::string FormatDouble(double v) {
  if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  const std::to_chars_result sci =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const std::string_view text(buf, static_cast<size_t>(sci.ptr - buf));  // [-]d[.ddd]e±XX
  const size_t e = text.find('e');
  int exponent = 0;
  std::from_chars(buf + e + (text[e + 1] == '+' ? 2 : 1), sci.ptr, exponent);
  constexpr int kMinFixedExponent = -4;
  constexpr int kMaxFixedExponent = 15;
  if (exponent < kMinFixedExponent || exponent > kMaxFixedExponent) return std::string(text);
  const bool negative = text[0] == '-';
  std::string digits;  // the significant digits, without the point
  for (char c : text.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits += c;
  }
  const std::string sign = negative ? "-" : "";
  if (exponent < 0) return sign + "0." + std::string(-exponent - 1, '0') + digits;
  const size_t int_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_digits) {
    return sign + digits + std::string(int_digits - digits.size(), '0') + ".0";
  }
  return sign + digits.substr(0, int_digits) + "." + digits.substr(int_digits);
}

// DuckDB's CAST(v AS VARCHAR) of a FLOAT, asked of DuckDB itself. It is
// mostly the float's shortest digits laid out as FormatDouble does, but
// DuckDB 1.4's float printing (fmt 6 Grisu) falls back to the digits of the
// widened double when the nearest shortest candidate ties or lies on the
// rounding boundary (about 0.6% of floats: 2491969.75, not 2491969.8).
// Asking is exact by construction and follows DuckDB upgrades; it costs
// about a microsecond, and FLOAT columns are rare.
std::string FormatFloat(float v) {
  duckdb_value value = duckdb_create_float(v);
  char* text = duckdb_get_varchar(value);
  duckdb_destroy_value(&value);
  if (text == nullptr) return FormatDouble(v);  // out of memory
  std::string out = text;
  duckdb_free(text);
  return out;
}

struct ToStringVisitor {
  std::string operator()(std::monostate) const { return "NULL"; }
  std::string operator()(bool v) const { return v ? "true" : "false"; }
  std::string operator()(int64_t v) const { return std::to_string(v); }
  std::string operator()(uint64_t v) const { return std::to_string(v); }
  std::string operator()(Int128 v) const { return Int128ToString(v); }
  std::string operator()(double v) const { return FormatDouble(v); }
  std::string operator()(const std::string& v) const { return v; }
  std::string operator()(const Blob& v) const {
    std::string out;
    for (unsigned char c : v.bytes) {
      if (c >= 32 && c < 127 && c != '\\' && c != '\'' && c != '"') {
        out.push_back(static_cast<char>(c));
      } else {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02X", c);
        out += buf;
      }
    }
    return out;
  }
  std::string operator()(const std::vector<Value>&) const { return ""; }  // see ToString()
  template <typename T>
  std::string operator()(const T& v) const {
    return v.ToString();
  }
};

// An element inside a nested value: text-like values are quoted, as DuckDB
// renders them.
std::string NestedElement(const Value& v) {
  if (v.is_null()) return "NULL";
  const std::string text = v.ToString();
  switch (v.type().id) {
    case TypeId::kVarchar:
    case TypeId::kEnum:
    case TypeId::kUuid:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kBlob:
    case TypeId::kInterval: {
      std::string quoted = "'";
      for (char c : text) {
        if (c == '\'') quoted += '\'';
        quoted += c;
      }
      return quoted + "'";
    }
    default:
      return text;
  }
}

std::string RenderNested(const LogicalType& type, const std::vector<Value>& kids) {
  std::string out;
  switch (type.id) {
    case TypeId::kStruct:
      out = "{";
      for (size_t i = 0; i < kids.size(); ++i) {
        if (i > 0) out += ", ";
        out += "'" + (i < type.child_names.size() ? type.child_names[i] : "") +
               "': " + NestedElement(kids[i]);
      }
      return out + "}";
    case TypeId::kMap:
      out = "{";
      for (size_t i = 0; i < kids.size(); ++i) {
        if (i > 0) out += ", ";
        const auto& kv = kids[i].children();
        out += kv[0].ToString() + "=" + kv[1].ToString();
      }
      return out + "}";
    case TypeId::kUnion:
      return kids.empty() ? "NULL" : kids[0].ToString();
    default:  // LIST, ARRAY
      out = "[";
      for (size_t i = 0; i < kids.size(); ++i) {
        if (i > 0) out += ", ";
        out += NestedElement(kids[i]);
      }
      return out + "]";
  }
}

}  // namespace

std::string Value::ToString() const {
  if (const auto* kids = std::get_if<std::vector<Value>>(&data_)) {
    return RenderNested(type_, *kids);
  }
  if (type_.id == TypeId::kFloat && std::holds_alternative<double>(data_)) {
    return FormatFloat(static_cast<float>(std::get<double>(data_)));
  }
  return std::visit(ToStringVisitor{}, data_);
}

std::ostream& operator<<(std::ostream& os, const Value& v) {
  return os << v.ToString() << "::" << v.type().ToString();
}

}  // namespace carelake::engine
