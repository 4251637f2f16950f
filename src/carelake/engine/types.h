// Logical types as carelake sees them: a description of a DuckDB column type
// that does not expose duckdb.h.
#ifndef CARELAKE_ENGINE_TYPES_H_
#define CARELAKE_ENGINE_TYPES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace carelake::engine {

enum class TypeId {
  kInvalid,
  kBoolean,
  kTinyInt,
  kSmallInt,
  kInteger,
  kBigInt,
  kUTinyInt,
  kUSmallInt,
  kUInteger,
  kUBigInt,
  kHugeInt,
  kUHugeInt,
  kFloat,
  kDouble,
  kDecimal,
  kVarchar,
  kBlob,
  kDate,
  kTime,
  kTimeTz,
  kTimestamp,    // microseconds, no time zone
  kTimestampS,   // seconds
  kTimestampMs,  // milliseconds
  kTimestampNs,  // nanoseconds
  kTimestampTz,  // microseconds since the epoch, an instant (UTC)
  kInterval,
  kUuid,
  kEnum,
  kList,
  kArray,
  kStruct,
  kMap,
  kUnion,
  kBit,
  kBigNum,
  kSqlNull,
  kOther,
};

// A column type. Nested types carry their children: a LIST or ARRAY has one
// child, a MAP two (key, value), a STRUCT or UNION one per field, named in
// `child_names`.
struct LogicalType {
  TypeId id = TypeId::kInvalid;
  uint8_t width = 0;        // DECIMAL only
  uint8_t scale = 0;        // DECIMAL only
  uint64_t array_size = 0;  // ARRAY only
  std::vector<LogicalType> children;
  std::vector<std::string> child_names;
  // DuckDB's alias of the type, e.g. "JSON" for the json extension's VARCHAR;
  // empty for most types. Informational: it takes part in neither ToString()
  // nor ==, so a JSON column still is, and prints as, a VARCHAR.
  std::string alias;

  static LogicalType Of(TypeId id) {
    LogicalType t;
    t.id = id;
    return t;
  }
  static LogicalType Decimal(uint8_t width, uint8_t scale) {
    LogicalType t;
    t.id = TypeId::kDecimal;
    t.width = width;
    t.scale = scale;
    return t;
  }

  // DuckDB's SQL spelling: "INTEGER", "DECIMAL(18,2)",
  // "TIMESTAMP WITH TIME ZONE", "VARCHAR[]", "STRUCT(a INTEGER, b VARCHAR)".
  std::string ToString() const;

  // True for integer, floating point and decimal types (right-aligned in
  // tables, unquoted in JSON).
  bool IsNumeric() const;
  bool IsNested() const;
};

bool operator==(const LogicalType& a, const LogicalType& b);

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_TYPES_H_
