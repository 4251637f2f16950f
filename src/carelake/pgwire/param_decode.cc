// DecodeParameter (value_codec.h): Bind parameters as the PostgreSQL 15
// receive functions read them (binary, here), and as the input functions read
// them (text, param_text.cc; arrays, param_array.cc).
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
#include "carelake/pgwire/param_internal.h"
#include "carelake/pgwire/pg_types.h"
#include "carelake/pgwire/session_time_zone.h"
#include "carelake/pgwire/value_codec.h"
#include "carelake/pgwire/value_text.h"

namespace carelake::pgwire::param {

using engine::LogicalType;
using engine::TypeId;
using engine::Value;

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
bool IPrefix(std::string_view s, std::string_view word, size_t min) {
  return s.size() >= min && s.size() <= word.size() && IEquals(s, word.substr(0, s.size()));
}

uint64_t Be(std::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

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

namespace {

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
    char four[12];
    std::snprintf(four, sizeof(four), "%04d", digit);
    int_part.append(four, 4);
  }
  for (int k = weight + 1; static_cast<int>(frac.size()) < dscale; ++k) {
    const int digit = k >= 0 && k < ndigits ? static_cast<int>(Be(b, 8 + 2 * k, 2)) : 0;
    if (digit > 9999) return InvalidArgument("invalid digit in binary numeric parameter");
    char four[12];
    std::snprintf(four, sizeof(four), "%04d", digit);
    frac.append(four, 4);
  }
  frac.resize(dscale);
  return NumericValue(sign == 0x4000, int_part, frac);
}

}  // namespace

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

}  // namespace carelake::pgwire::param

namespace carelake::pgwire {

Result<engine::Value> DecodeParameter(uint32_t type_oid, Format format, std::string_view bytes,
                                      const EncodeSettings& settings) {
  if (const PgTypeInfo* array = param::ArrayType(type_oid)) {
    if (format == Format::kBinary) return param::ArrayFromBinary(*array, bytes, settings);
    return param::ArrayFromText(*array, bytes, settings);
  }
  if (format == Format::kBinary) return param::FromBinary(type_oid, bytes);
  return param::FromText(type_oid, bytes, settings);
}

Result<engine::Value> DecodeParameter(uint32_t type_oid, int16_t format,
                                      const std::optional<std::string>& bytes,
                                      const EncodeSettings& settings) {
  if (format != 0 && format != 1) {
    return InvalidArgument("unsupported format code: " + std::to_string(format));
  }
  if (!bytes) return engine::Value();
  return DecodeParameter(type_oid, static_cast<Format>(format), *bytes, settings);
}

}  // namespace carelake::pgwire
