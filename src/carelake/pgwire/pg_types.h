// PostgreSQL's built-in types as a PostgreSQL 15 server describes them, and
// the PostgreSQL type each DuckDB column type is served as.
//
// One table for the whole pgwire server: RowDescription's type OIDs and
// typmods, ParameterDescription, and the emulated pg_catalog.pg_type and
// pg_attribute all come from here, so a client that looks up a column's
// type OID in pg_type always finds it. The OIDs are PostgreSQL's
// (src/include/catalog/pg_type.dat); clients hard-code them.
#ifndef CARELAKE_PGWIRE_PG_TYPES_H_
#define CARELAKE_PGWIRE_PG_TYPES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "carelake/engine/types.h"

namespace carelake::pgwire {

// Type OIDs clients rely on.
namespace oid {
inline constexpr uint32_t kBool = 16;
inline constexpr uint32_t kBytea = 17;
inline constexpr uint32_t kChar = 18;
inline constexpr uint32_t kName = 19;
inline constexpr uint32_t kInt8 = 20;
inline constexpr uint32_t kInt2 = 21;
inline constexpr uint32_t kInt2Vector = 22;
inline constexpr uint32_t kInt4 = 23;
inline constexpr uint32_t kRegproc = 24;
inline constexpr uint32_t kText = 25;
inline constexpr uint32_t kOid = 26;
inline constexpr uint32_t kOidVector = 30;
inline constexpr uint32_t kJson = 114;
inline constexpr uint32_t kFloat4 = 700;
inline constexpr uint32_t kFloat8 = 701;
inline constexpr uint32_t kUnknown = 705;
inline constexpr uint32_t kBpchar = 1042;
inline constexpr uint32_t kVarchar = 1043;
inline constexpr uint32_t kDate = 1082;
inline constexpr uint32_t kTime = 1083;
inline constexpr uint32_t kTimestamp = 1114;
inline constexpr uint32_t kTimestampTz = 1184;
inline constexpr uint32_t kInterval = 1186;
inline constexpr uint32_t kTimeTz = 1266;
inline constexpr uint32_t kVarbit = 1562;
inline constexpr uint32_t kNumeric = 1700;
inline constexpr uint32_t kRegclass = 2205;
inline constexpr uint32_t kRegtype = 2206;
inline constexpr uint32_t kRecord = 2249;
inline constexpr uint32_t kVoid = 2278;
inline constexpr uint32_t kUuid = 2950;
inline constexpr uint32_t kJsonb = 3802;
}  // namespace oid

// A row of PostgreSQL 15's pg_type, the columns clients read.
struct PgTypeInfo {
  uint32_t oid;
  std::string_view name;   // typname: "int4", "_int4", "timestamptz"
  int16_t len;             // typlen: bytes, -1 variable, -2 C string
  bool by_value;           // typbyval
  char type;               // typtype: 'b' base, 'p' pseudo
  char category;           // typcategory: 'N' numeric, 'S' string, 'A' array...
  char delimiter;          // typdelim
  uint32_t elem;           // typelem: the element of an array type, else 0
  uint32_t array;          // typarray: the array type of this type, else 0
  std::string_view input;  // typinput, e.g. "int4in", "array_in"
  std::string_view output;
  std::string_view receive;
  std::string_view send;
  char align;    // typalign: 'c' 's' 'i' 'd'
  char storage;  // typstorage: 'p' plain, 'x' extended
};

// Every type carelake serves or clients commonly look up, base types and
// their arrays, ordered by OID.
std::span<const PgTypeInfo> BuiltinTypes();
// The row for `type_oid`, or nullptr.
const PgTypeInfo* FindType(uint32_t type_oid);

// How a DuckDB column type is served.
struct PgColumnType {
  uint32_t oid = oid::kText;
  int16_t len = -1;     // as in RowDescription: pg_type.typlen
  int32_t typmod = -1;  // numeric(p,s): ((p << 16) | s) + 4; else -1
};

// BOOLEAN bool; TINYINT, SMALLINT, UTINYINT int2; INTEGER, USMALLINT int4;
// BIGINT, UINTEGER int8; UBIGINT numeric(20,0); HUGEINT, UHUGEINT, BIGNUM
// numeric; FLOAT float4; DOUBLE float8; DECIMAL(w,s) numeric(w,s); VARCHAR,
// ENUM text; JSON (VARCHAR aliased JSON) json; BLOB bytea; DATE date;
// TIME time; TIME WITH TIME ZONE timetz; TIMESTAMP (any unit) timestamp;
// TIMESTAMP WITH TIME ZONE timestamptz; INTERVAL interval; UUID uuid; BIT
// varbit; LIST/ARRAY the element's array type (nested lists flatten into one
// multi-dimensional array type), STRUCT, MAP, UNION and anything else text.
PgColumnType PgTypeFor(const engine::LogicalType& type);

// The type's name as PostgreSQL's format_type(oid, typmod) spells it:
// "integer", "character varying(20)", "numeric(12,2)", "timestamp with time
// zone", "text[]"; "???" for an OID that is not in BuiltinTypes().
std::string FormatType(uint32_t type_oid, int32_t typmod = -1);

// numeric's typmod for precision `p` and scale `s`, as PostgreSQL encodes it.
constexpr int32_t NumericTypmod(int p, int s) { return ((p << 16) | s) + 4; }

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_PG_TYPES_H_
