// Value: one typed SQL value (or NULL), for parameters, appends and generic
// result access. Hot loops should use ColumnView's typed accessors instead.
#ifndef CARELAKE_ENGINE_VALUE_H_
#define CARELAKE_ENGINE_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/engine/types.h"

namespace carelake::engine {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Days since 1970-01-01.
struct Date {
  int32_t days = 0;
  static Date FromYmd(int64_t year, int month, int day);
  std::string ToString() const;
  friend bool operator==(Date a, Date b) { return a.days == b.days; }
};

// Microseconds since midnight.
struct Time {
  int64_t micros = 0;
  std::string ToString() const;
  friend bool operator==(Time a, Time b) { return a.micros == b.micros; }
};

// Microseconds since 1970-01-01 00:00:00, a wall-clock time with no zone.
struct Timestamp {
  int64_t micros = 0;
  std::string ToString() const;
  friend bool operator==(Timestamp a, Timestamp b) { return a.micros == b.micros; }
};

// Microseconds since the Unix epoch: an instant. Rendered in UTC ("+00").
struct TimestampTz {
  int64_t micros = 0;
  std::string ToString() const;
  friend bool operator==(TimestampTz a, TimestampTz b) { return a.micros == b.micros; }
};

struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  std::string ToString() const;
  friend bool operator==(Interval a, Interval b) {
    return a.months == b.months && a.days == b.days && a.micros == b.micros;
  }
};

// An exact decimal: `unscaled` / 10^scale, with at most `width` digits.
struct Decimal {
  Int128 unscaled = 0;
  uint8_t width = 18;
  uint8_t scale = 0;

  // Parses "-123.45" into DECIMAL(width, scale), rounding half away from zero
  // when the text has more fraction digits than `scale`.
  static Result<Decimal> Parse(std::string_view text, uint8_t width, uint8_t scale);
  std::string ToString() const;
  friend bool operator==(const Decimal& a, const Decimal& b) {
    return a.unscaled == b.unscaled && a.width == b.width && a.scale == b.scale;
  }
};

std::string Int128ToString(Int128 v);
std::string UInt128ToString(UInt128 v);

struct Blob {
  std::string bytes;
  friend bool operator==(const Blob& a, const Blob& b) { return a.bytes == b.bytes; }
};

class Value {
 public:
  // NULL of unknown type.
  Value() = default;
  static Value Null(LogicalType type = LogicalType::Of(TypeId::kSqlNull));
  static Value Boolean(bool v);
  static Value Integer(int32_t v);
  static Value BigInt(int64_t v);
  static Value UBigInt(uint64_t v);
  static Value HugeInt(Int128 v);
  static Value Double(double v);
  // FLOAT: held as the (exactly widened) double, rendered as a float.
  static Value Float(float v);
  static Value Varchar(std::string v);
  static Value FromBlob(Blob v);
  static Value FromDate(Date v);
  static Value FromTime(Time v);
  static Value FromTimestamp(Timestamp v);
  static Value FromTimestampTz(TimestampTz v);
  static Value FromInterval(Interval v);
  static Value FromDecimal(Decimal v);
  // A value of a scalar type without a dedicated representation (UUID, ENUM,
  // TIME WITH TIME ZONE, UHUGEINT), held as DuckDB's text rendering of it.
  static Value Rendered(LogicalType type, std::string text);
  // Nested values. LIST/ARRAY: the elements. STRUCT/UNION: one child per
  // field of `type` (a UNION holds its one active member). MAP: one STRUCT
  // child (key, value) per entry.
  static Value Nested(LogicalType type, std::vector<Value> children);

  const LogicalType& type() const { return type_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(data_); }

  // Typed getters. Precondition: the value holds that representation
  // (integers of every width are held as int64_t, unsigned as uint64_t,
  // FLOAT as double).
  bool GetBool() const { return std::get<bool>(data_); }
  int64_t GetInt64() const { return std::get<int64_t>(data_); }
  uint64_t GetUInt64() const { return std::get<uint64_t>(data_); }
  Int128 GetInt128() const { return std::get<Int128>(data_); }
  double GetDouble() const { return std::get<double>(data_); }
  const std::string& GetString() const { return std::get<std::string>(data_); }
  const Blob& GetBlob() const { return std::get<Blob>(data_); }
  Date GetDate() const { return std::get<Date>(data_); }
  Time GetTime() const { return std::get<Time>(data_); }
  Timestamp GetTimestamp() const { return std::get<Timestamp>(data_); }
  TimestampTz GetTimestampTz() const { return std::get<TimestampTz>(data_); }
  Interval GetInterval() const { return std::get<Interval>(data_); }
  const Decimal& GetDecimal() const { return std::get<Decimal>(data_); }
  // Precondition: a nested value.
  const std::vector<Value>& children() const { return std::get<std::vector<Value>>(data_); }
  // STRUCT only: the field named `name`, or nullptr.
  const Value* field(std::string_view name) const;

  // Text as DuckDB renders it, i.e. its CAST(v AS VARCHAR) ("NULL" for NULL,
  // timestamps with time zone in UTC, a DOUBLE as the shortest digits that
  // read back as the same double: "1440.0", "0.1", "1e+16").
  std::string ToString() const;

  friend bool operator==(const Value& a, const Value& b) {
    return a.type_ == b.type_ && a.data_ == b.data_;
  }

 private:
  using Data =
      std::variant<std::monostate, bool, int64_t, uint64_t, Int128, double, std::string, Blob, Date,
                   Time, Timestamp, TimestampTz, Interval, Decimal, std::vector<Value>>;
  Value(LogicalType type, Data data) : type_(std::move(type)), data_(std::move(data)) {}

  LogicalType type_ = LogicalType::Of(TypeId::kSqlNull);
  Data data_;
};

std::ostream& operator<<(std::ostream& os, const Value& v);

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_VALUE_H_
