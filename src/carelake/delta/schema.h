// Delta table schemas (Spark's JSON schema format, PROTOCOL.md "Schema
// Serialization Format") and their mapping to DuckDB types. The mapping is
// written down in doc/delta.md.
#ifndef CARELAKE_DELTA_SCHEMA_H_
#define CARELAKE_DELTA_SCHEMA_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/engine/types.h"

namespace carelake::delta {

struct Field {
  std::string name;
  nlohmann::json type;  // "long", or {"type": "struct", ...}
  bool nullable = true;
  nlohmann::json metadata = nlohmann::json::object();
};

struct Schema {
  std::vector<Field> fields;

  static Result<Schema> Parse(const std::string& schema_string);
  std::string ToJsonString() const;
  // Case-insensitive lookup, as Delta column names are.
  const Field* Find(const std::string& name) const;
};

// DuckDB's SQL type for a Delta type, e.g. "BIGINT", "DECIMAL(10,2)",
// "TIMESTAMP WITH TIME ZONE", "STRUCT(\"a\" INTEGER)". NotSupported for a type
// carelake cannot read.
Result<std::string> DuckDbTypeOf(const nlohmann::json& delta_type);

// Text of a Delta type for messages: "long", "decimal(10,2)", "struct<...>".
std::string DeltaTypeName(const nlohmann::json& delta_type);

struct WriteTypeOptions {
  // TIMESTAMP (no time zone) columns: false → written as Delta `timestamp`,
  // the wall-clock value taken as UTC (the table stays at protocol 1/2);
  // true → written as `timestamp_ntz`, which needs the timestampNtz feature
  // (protocol 3/7).
  bool timestamp_ntz = false;
};

// The Delta type a DuckDB column is written as. Unsigned integers widen
// (UTINYINT→short, USMALLINT→integer, UINTEGER→long, UBIGINT→decimal(20,0)),
// HUGEINT→decimal(38,0), UUID and ENUM→string, TIMESTAMP_S/_MS/_NS→timestamp.
// TIME, INTERVAL, UHUGEINT, UNION, BIT and others are refused with an error
// naming `column`.
Result<nlohmann::json> DeltaTypeOf(const engine::LogicalType& type, const std::string& column,
                                   const WriteTypeOptions& options);

// True if `type` (or a nested child) is timestamp_ntz.
bool UsesTimestampNtz(const nlohmann::json& type);

// True if values of Delta type `from` are written into a column of type `to`
// by an implicit cast, as SQL store assignment does: byte/short/integer/long
// into a wider integer type, into double, or into a decimal with enough
// integer digits; float into double; decimal into double, or into a decimal
// with no fewer integer digits and no smaller scale. Equal types are too.
// These casts never fail and keep every value, except long and decimal into
// double, which round to the nearest double (exact for long within ±2^53 and
// for decimals of up to 15 significant digits). Anything else is not:
// narrowing, string ↔ number or timestamp, double → integer, integer →
// float, date → timestamp, differing array or map types (struct fields are
// matched one by one in MergeSchemas), and `from` wider than `to`, which
// would need the Delta typeWidening table feature.
bool StoreAssignable(const nlohmann::json& from, const nlohmann::json& to);

// Merges `incoming` into `table`: fields absent from `table` are appended in
// `incoming`'s order; a field present in both keeps the table's type if
// `incoming`'s is the same or StoreAssignable to it (struct fields merge
// recursively), so the caller must cast the values to the merged type.
// Otherwise FailedPrecondition names the column ('a.b' in a struct), both
// types and the cast to write in the query, e.g. `incompatible schema change
// for column 'charge': table has double, new data has string (...); cast it
// in the query: CAST(charge AS DOUBLE) AS charge`.
Result<Schema> MergeSchemas(const Schema& table, const Schema& incoming);

// The name of `field` in data files and in partition values and stats:
// its delta.columnMapping.physicalName when the table uses column mapping,
// else its name.
std::string PhysicalName(const Field& field);

// True if two column names are equal ignoring ASCII case, as Delta
// compares them.
bool EqualsIgnoreCase(const std::string& a, const std::string& b);

// Quotes an identifier for DuckDB SQL: "name" with embedded quotes doubled.
std::string QuoteIdentifier(const std::string& name);
// Quotes a string literal for DuckDB SQL: 'text' with quotes doubled.
std::string QuoteLiteral(const std::string& text);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_SCHEMA_H_
