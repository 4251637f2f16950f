#include "carelake/pgwire/pg_types.h"

#include <algorithm>
#include <array>

namespace carelake::pgwire {
namespace {

// From PostgreSQL 15's pg_type.dat; arrays follow their element's row.
constexpr PgTypeInfo kTypes[] = {
    {16, "bool", 1, true, 'b', 'B', ',', 0, 1000, "boolin", "boolout", "boolrecv", "boolsend", 'c',
     'p'},
    {17, "bytea", -1, false, 'b', 'U', ',', 0, 1001, "byteain", "byteaout", "bytearecv",
     "byteasend", 'i', 'x'},
    {18, "char", 1, true, 'b', 'Z', ',', 0, 1002, "charin", "charout", "charrecv", "charsend", 'c',
     'p'},
    {19, "name", 64, false, 'b', 'S', ',', 0, 1003, "namein", "nameout", "namerecv", "namesend",
     'c', 'p'},
    {20, "int8", 8, true, 'b', 'N', ',', 0, 1016, "int8in", "int8out", "int8recv", "int8send", 'd',
     'p'},
    {21, "int2", 2, true, 'b', 'N', ',', 0, 1005, "int2in", "int2out", "int2recv", "int2send", 's',
     'p'},
    {22, "int2vector", -1, false, 'b', 'A', ',', 21, 1006, "int2vectorin", "int2vectorout",
     "int2vectorrecv", "int2vectorsend", 'i', 'p'},
    {23, "int4", 4, true, 'b', 'N', ',', 0, 1007, "int4in", "int4out", "int4recv", "int4send", 'i',
     'p'},
    {24, "regproc", 4, true, 'b', 'N', ',', 0, 1008, "regprocin", "regprocout", "regprocrecv",
     "regprocsend", 'i', 'p'},
    {25, "text", -1, false, 'b', 'S', ',', 0, 1009, "textin", "textout", "textrecv", "textsend",
     'i', 'x'},
    {26, "oid", 4, true, 'b', 'N', ',', 0, 1028, "oidin", "oidout", "oidrecv", "oidsend", 'i', 'p'},
    {30, "oidvector", -1, false, 'b', 'A', ',', 26, 1013, "oidvectorin", "oidvectorout",
     "oidvectorrecv", "oidvectorsend", 'i', 'p'},
    {114, "json", -1, false, 'b', 'U', ',', 0, 199, "json_in", "json_out", "json_recv", "json_send",
     'i', 'x'},
    {199, "_json", -1, false, 'b', 'A', ',', 114, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {700, "float4", 4, true, 'b', 'N', ',', 0, 1021, "float4in", "float4out", "float4recv",
     "float4send", 'i', 'p'},
    {701, "float8", 8, true, 'b', 'N', ',', 0, 1022, "float8in", "float8out", "float8recv",
     "float8send", 'd', 'p'},
    {705, "unknown", -2, false, 'b', 'X', ',', 0, 0, "unknownin", "unknownout", "unknownrecv",
     "unknownsend", 'c', 'p'},
    {1000, "_bool", -1, false, 'b', 'A', ',', 16, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1001, "_bytea", -1, false, 'b', 'A', ',', 17, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1002, "_char", -1, false, 'b', 'A', ',', 18, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1003, "_name", -1, false, 'b', 'A', ',', 19, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1005, "_int2", -1, false, 'b', 'A', ',', 21, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1006, "_int2vector", -1, false, 'b', 'A', ',', 22, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1007, "_int4", -1, false, 'b', 'A', ',', 23, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1008, "_regproc", -1, false, 'b', 'A', ',', 24, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1009, "_text", -1, false, 'b', 'A', ',', 25, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1013, "_oidvector", -1, false, 'b', 'A', ',', 30, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1014, "_bpchar", -1, false, 'b', 'A', ',', 1042, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1015, "_varchar", -1, false, 'b', 'A', ',', 1043, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1016, "_int8", -1, false, 'b', 'A', ',', 20, 0, "array_in", "array_out", "array_recv",
     "array_send", 'd', 'x'},
    {1021, "_float4", -1, false, 'b', 'A', ',', 700, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1022, "_float8", -1, false, 'b', 'A', ',', 701, 0, "array_in", "array_out", "array_recv",
     "array_send", 'd', 'x'},
    {1028, "_oid", -1, false, 'b', 'A', ',', 26, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1042, "bpchar", -1, false, 'b', 'S', ',', 0, 1014, "bpcharin", "bpcharout", "bpcharrecv",
     "bpcharsend", 'i', 'x'},
    {1043, "varchar", -1, false, 'b', 'S', ',', 0, 1015, "varcharin", "varcharout", "varcharrecv",
     "varcharsend", 'i', 'x'},
    {1082, "date", 4, true, 'b', 'D', ',', 0, 1182, "date_in", "date_out", "date_recv", "date_send",
     'i', 'p'},
    {1083, "time", 8, true, 'b', 'D', ',', 0, 1183, "time_in", "time_out", "time_recv", "time_send",
     'd', 'p'},
    {1114, "timestamp", 8, true, 'b', 'D', ',', 0, 1115, "timestamp_in", "timestamp_out",
     "timestamp_recv", "timestamp_send", 'd', 'p'},
    {1115, "_timestamp", -1, false, 'b', 'A', ',', 1114, 0, "array_in", "array_out", "array_recv",
     "array_send", 'd', 'x'},
    {1182, "_date", -1, false, 'b', 'A', ',', 1082, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1183, "_time", -1, false, 'b', 'A', ',', 1083, 0, "array_in", "array_out", "array_recv",
     "array_send", 'd', 'x'},
    {1184, "timestamptz", 8, true, 'b', 'D', ',', 0, 1185, "timestamptz_in", "timestamptz_out",
     "timestamptz_recv", "timestamptz_send", 'd', 'p'},
    {1185, "_timestamptz", -1, false, 'b', 'A', ',', 1184, 0, "array_in", "array_out", "array_recv",
     "array_send", 'd', 'x'},
    {1186, "interval", 16, false, 'b', 'T', ',', 0, 1187, "interval_in", "interval_out",
     "interval_recv", "interval_send", 'd', 'p'},
    {1187, "_interval", -1, false, 'b', 'A', ',', 1186, 0, "array_in", "array_out", "array_recv",
     "array_send", 'd', 'x'},
    {1231, "_numeric", -1, false, 'b', 'A', ',', 1700, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1266, "timetz", 12, false, 'b', 'D', ',', 0, 1270, "timetz_in", "timetz_out", "timetz_recv",
     "timetz_send", 'd', 'p'},
    {1270, "_timetz", -1, false, 'b', 'A', ',', 1266, 0, "array_in", "array_out", "array_recv",
     "array_send", 'd', 'x'},
    {1562, "varbit", -1, false, 'b', 'V', ',', 0, 1563, "varbit_in", "varbit_out", "varbit_recv",
     "varbit_send", 'i', 'x'},
    {1563, "_varbit", -1, false, 'b', 'A', ',', 1562, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {1700, "numeric", -1, false, 'b', 'N', ',', 0, 1231, "numeric_in", "numeric_out",
     "numeric_recv", "numeric_send", 'i', 'm'},
    {2205, "regclass", 4, true, 'b', 'N', ',', 0, 2210, "regclassin", "regclassout", "regclassrecv",
     "regclasssend", 'i', 'p'},
    {2206, "regtype", 4, true, 'b', 'N', ',', 0, 2211, "regtypein", "regtypeout", "regtyperecv",
     "regtypesend", 'i', 'p'},
    {2210, "_regclass", -1, false, 'b', 'A', ',', 2205, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {2211, "_regtype", -1, false, 'b', 'A', ',', 2206, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {2249, "record", -1, false, 'p', 'P', ',', 0, 2287, "record_in", "record_out", "record_recv",
     "record_send", 'd', 'x'},
    {2278, "void", 4, true, 'p', 'P', ',', 0, 0, "void_in", "void_out", "void_recv", "void_send",
     'i', 'p'},
    {2287, "_record", -1, false, 'b', 'A', ',', 2249, 0, "array_in", "array_out", "array_recv",
     "array_send", 'd', 'x'},
    {2950, "uuid", 16, false, 'b', 'U', ',', 0, 2951, "uuid_in", "uuid_out", "uuid_recv",
     "uuid_send", 'c', 'p'},
    {2951, "_uuid", -1, false, 'b', 'A', ',', 2950, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
    {3802, "jsonb", -1, false, 'b', 'U', ',', 0, 3807, "jsonb_in", "jsonb_out", "jsonb_recv",
     "jsonb_send", 'i', 'x'},
    {3807, "_jsonb", -1, false, 'b', 'A', ',', 3802, 0, "array_in", "array_out", "array_recv",
     "array_send", 'i', 'x'},
};

constexpr bool SortedByOid() {
  for (size_t i = 1; i < std::size(kTypes); ++i) {
    if (kTypes[i - 1].oid >= kTypes[i].oid) return false;
  }
  return true;
}
static_assert(SortedByOid(), "kTypes must be ordered by OID for FindType");

// The array type of the scalar type `element` is served as.
uint32_t ArrayOf(uint32_t element) {
  const PgTypeInfo* info = FindType(element);
  return info != nullptr && info->array != 0 ? info->array : 1009;  // _text
}

PgColumnType Scalar(uint32_t type_oid, int32_t typmod = -1) {
  const PgTypeInfo* info = FindType(type_oid);
  return PgColumnType{type_oid, info != nullptr ? info->len : int16_t{-1}, typmod};
}

}  // namespace

std::span<const PgTypeInfo> BuiltinTypes() { return kTypes; }

const PgTypeInfo* FindType(uint32_t type_oid) {
  const auto* it = std::lower_bound(std::begin(kTypes), std::end(kTypes), type_oid,
                                    [](const PgTypeInfo& t, uint32_t o) { return t.oid < o; });
  return it != std::end(kTypes) && it->oid == type_oid ? it : nullptr;
}

PgColumnType PgTypeFor(const engine::LogicalType& type) {
  using engine::TypeId;
  switch (type.id) {
    case TypeId::kBoolean:
      return Scalar(oid::kBool);
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kUTinyInt:
      return Scalar(oid::kInt2);
    case TypeId::kInteger:
    case TypeId::kUSmallInt:
      return Scalar(oid::kInt4);
    case TypeId::kBigInt:
    case TypeId::kUInteger:
      return Scalar(oid::kInt8);
    case TypeId::kUBigInt:
      return Scalar(oid::kNumeric, NumericTypmod(20, 0));
    case TypeId::kHugeInt:
    case TypeId::kUHugeInt:
    case TypeId::kBigNum:
      return Scalar(oid::kNumeric);
    case TypeId::kFloat:
      return Scalar(oid::kFloat4);
    case TypeId::kDouble:
      return Scalar(oid::kFloat8);
    case TypeId::kDecimal:
      return Scalar(oid::kNumeric, NumericTypmod(type.width, type.scale));
    case TypeId::kBlob:
      return Scalar(oid::kBytea);
    case TypeId::kDate:
      return Scalar(oid::kDate);
    case TypeId::kTime:
      return Scalar(oid::kTime);
    case TypeId::kTimeTz:
      return Scalar(oid::kTimeTz);
    case TypeId::kTimestamp:
    case TypeId::kTimestampS:
    case TypeId::kTimestampMs:
    case TypeId::kTimestampNs:
      return Scalar(oid::kTimestamp);
    case TypeId::kTimestampTz:
      return Scalar(oid::kTimestampTz);
    case TypeId::kInterval:
      return Scalar(oid::kInterval);
    case TypeId::kUuid:
      return Scalar(oid::kUuid);
    case TypeId::kBit:
      return Scalar(oid::kVarbit);
    case TypeId::kVarchar:
      // The json extension's JSON is a VARCHAR with an alias.
      return Scalar(type.alias == "JSON" ? oid::kJson : oid::kText);
    case TypeId::kList:
    case TypeId::kArray: {
      const engine::LogicalType* element = &type;
      while ((element->id == TypeId::kList || element->id == TypeId::kArray) &&
             !element->children.empty()) {
        element = &element->children[0];
      }
      const PgColumnType scalar = PgTypeFor(*element);
      // An array keeps its element's typmod: numeric(12,2)[] is served as that.
      return PgColumnType{ArrayOf(scalar.oid), -1, scalar.typmod};
    }
    default:  // VARCHAR, ENUM, STRUCT, MAP, UNION, NULL...
      return Scalar(oid::kText);
  }
}

}  // namespace carelake::pgwire

namespace carelake::pgwire {

std::string FormatType(uint32_t type_oid, int32_t typmod) {
  const PgTypeInfo* type = FindType(type_oid);
  if (type == nullptr) return "???";
  if (type->category == 'A' && type->elem != 0 && type->name.starts_with("_")) {
    return FormatType(type->elem, typmod) + "[]";
  }
  const int32_t mod = typmod - 4;  // VARHDRSZ
  switch (type_oid) {
    case oid::kBool:
      return "boolean";
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
    case oid::kChar:
      return "\"char\"";
    case oid::kVarbit:
      return "bit varying";
    case oid::kTime:
      return "time without time zone";
    case oid::kTimeTz:
      return "time with time zone";
    case oid::kTimestamp:
      return "timestamp without time zone";
    case oid::kTimestampTz:
      return "timestamp with time zone";
    case oid::kVarchar:
      return mod >= 0 ? "character varying(" + std::to_string(mod) + ")" : "character varying";
    case oid::kBpchar:
      return mod >= 0 ? "character(" + std::to_string(mod) + ")" : "bpchar";
    case oid::kNumeric:
      return mod >= 0
                 ? "numeric(" + std::to_string(mod >> 16) + "," + std::to_string(mod & 0xffff) + ")"
                 : "numeric";
    default:
      return std::string(type->name);
  }
}

}  // namespace carelake::pgwire
