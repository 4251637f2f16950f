#include "carelake/engine/internal.h"

namespace carelake::engine::internal {

Status StatusFromDuckDb(duckdb_error_type type, const char* message) {
  std::string msg = message != nullptr ? message : "unknown DuckDB error";
  switch (type) {
    case DUCKDB_ERROR_PARSER:
    case DUCKDB_ERROR_SYNTAX:
    case DUCKDB_ERROR_BINDER:
    case DUCKDB_ERROR_CATALOG:
    case DUCKDB_ERROR_CONVERSION:
    case DUCKDB_ERROR_MISMATCH_TYPE:
    case DUCKDB_ERROR_INVALID_INPUT:
    case DUCKDB_ERROR_INVALID_TYPE:
    case DUCKDB_ERROR_UNKNOWN_TYPE:
    case DUCKDB_ERROR_DECIMAL:
    case DUCKDB_ERROR_DIVIDE_BY_ZERO:
    case DUCKDB_ERROR_PARAMETER_NOT_RESOLVED:
    case DUCKDB_ERROR_PARAMETER_NOT_ALLOWED:
    case DUCKDB_ERROR_SETTINGS:
    case DUCKDB_INVALID_CONFIGURATION:
    case DUCKDB_ERROR_EXPRESSION:
      return InvalidArgument(std::move(msg));
    case DUCKDB_ERROR_OUT_OF_RANGE:
      return OutOfRange(std::move(msg));
    case DUCKDB_ERROR_CONSTRAINT:
    case DUCKDB_ERROR_DEPENDENCY:
      return FailedPrecondition(std::move(msg));
    case DUCKDB_ERROR_PERMISSION:
      return PermissionDenied(std::move(msg));
    case DUCKDB_ERROR_TRANSACTION:
      return Aborted(std::move(msg));
    case DUCKDB_ERROR_NOT_IMPLEMENTED:
    case DUCKDB_ERROR_MISSING_EXTENSION:
    case DUCKDB_ERROR_AUTOLOAD:
      return NotSupported(std::move(msg));
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_HTTP:
    case DUCKDB_ERROR_NETWORK:
      return IoError(std::move(msg));
    case DUCKDB_ERROR_INTERRUPT:
      return Cancelled(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
}

LogicalType ConvertType(duckdb_logical_type type) {
  LogicalType out;
  const duckdb_type id = duckdb_get_type_id(type);
  auto child = [&out](duckdb_logical_type c, std::string name = {}) {
    out.children.push_back(ConvertType(c));
    out.child_names.push_back(std::move(name));
    duckdb_destroy_logical_type(&c);
  };
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      out.id = TypeId::kBoolean;
      break;
    case DUCKDB_TYPE_TINYINT:
      out.id = TypeId::kTinyInt;
      break;
    case DUCKDB_TYPE_SMALLINT:
      out.id = TypeId::kSmallInt;
      break;
    case DUCKDB_TYPE_INTEGER:
      out.id = TypeId::kInteger;
      break;
    case DUCKDB_TYPE_BIGINT:
      out.id = TypeId::kBigInt;
      break;
    case DUCKDB_TYPE_UTINYINT:
      out.id = TypeId::kUTinyInt;
      break;
    case DUCKDB_TYPE_USMALLINT:
      out.id = TypeId::kUSmallInt;
      break;
    case DUCKDB_TYPE_UINTEGER:
      out.id = TypeId::kUInteger;
      break;
    case DUCKDB_TYPE_UBIGINT:
      out.id = TypeId::kUBigInt;
      break;
    case DUCKDB_TYPE_HUGEINT:
      out.id = TypeId::kHugeInt;
      break;
    case DUCKDB_TYPE_UHUGEINT:
      out.id = TypeId::kUHugeInt;
      break;
    case DUCKDB_TYPE_FLOAT:
      out.id = TypeId::kFloat;
      break;
    case DUCKDB_TYPE_DOUBLE:
      out.id = TypeId::kDouble;
      break;
    case DUCKDB_TYPE_DECIMAL:
      out.id = TypeId::kDecimal;
      out.width = duckdb_decimal_width(type);
      out.scale = duckdb_decimal_scale(type);
      break;
    case DUCKDB_TYPE_VARCHAR:
      out.id = TypeId::kVarchar;
      break;
    case DUCKDB_TYPE_BLOB:
      out.id = TypeId::kBlob;
      break;
    case DUCKDB_TYPE_DATE:
      out.id = TypeId::kDate;
      break;
    case DUCKDB_TYPE_TIME:
      out.id = TypeId::kTime;
      break;
    case DUCKDB_TYPE_TIME_TZ:
      out.id = TypeId::kTimeTz;
      break;
    case DUCKDB_TYPE_TIMESTAMP:
      out.id = TypeId::kTimestamp;
      break;
    case DUCKDB_TYPE_TIMESTAMP_S:
      out.id = TypeId::kTimestampS;
      break;
    case DUCKDB_TYPE_TIMESTAMP_MS:
      out.id = TypeId::kTimestampMs;
      break;
    case DUCKDB_TYPE_TIMESTAMP_NS:
      out.id = TypeId::kTimestampNs;
      break;
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      out.id = TypeId::kTimestampTz;
      break;
    case DUCKDB_TYPE_INTERVAL:
      out.id = TypeId::kInterval;
      break;
    case DUCKDB_TYPE_UUID:
      out.id = TypeId::kUuid;
      break;
    case DUCKDB_TYPE_ENUM:
      out.id = TypeId::kEnum;
      break;
    case DUCKDB_TYPE_BIT:
      out.id = TypeId::kBit;
      break;
    case DUCKDB_TYPE_BIGNUM:
      out.id = TypeId::kBigNum;
      break;
    case DUCKDB_TYPE_SQLNULL:
      out.id = TypeId::kSqlNull;
      break;
    case DUCKDB_TYPE_LIST:
      out.id = TypeId::kList;
      child(duckdb_list_type_child_type(type));
      break;
    case DUCKDB_TYPE_ARRAY:
      out.id = TypeId::kArray;
      out.array_size = duckdb_array_type_array_size(type);
      child(duckdb_array_type_child_type(type));
      break;
    case DUCKDB_TYPE_MAP:
      out.id = TypeId::kMap;
      child(duckdb_map_type_key_type(type), "key");
      child(duckdb_map_type_value_type(type), "value");
      break;
    case DUCKDB_TYPE_STRUCT: {
      out.id = TypeId::kStruct;
      const idx_t n = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < n; ++i) {
        char* name = duckdb_struct_type_child_name(type, i);
        child(duckdb_struct_type_child_type(type, i), name);
        duckdb_free(name);
      }
      break;
    }
    case DUCKDB_TYPE_UNION: {
      out.id = TypeId::kUnion;
      const idx_t n = duckdb_union_type_member_count(type);
      for (idx_t i = 0; i < n; ++i) {
        char* name = duckdb_union_type_member_name(type, i);
        child(duckdb_union_type_member_type(type, i), name);
        duckdb_free(name);
      }
      break;
    }
    default:
      out.id = TypeId::kOther;
      break;
  }
  if (char* alias = duckdb_logical_type_get_alias(type); alias != nullptr) {
    out.alias = alias;
    duckdb_free(alias);
  }
  return out;
}

namespace {

duckdb_value DecimalValue(const Decimal& d) {
  duckdb_decimal dec;
  dec.width = d.width;
  dec.scale = d.scale;
  dec.value = ToHugeint(d.unscaled);
  return duckdb_create_decimal(dec);
}

// The DuckDB type of a LIST parameter's elements: scalars with a Value
// representation, DECIMAL and nested LISTs; anything else VARCHAR.
duckdb_logical_type ToDuckDbType(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
      return duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    case TypeId::kBigInt:
      return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
      return duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT);
    case TypeId::kHugeInt:
      return duckdb_create_logical_type(DUCKDB_TYPE_HUGEINT);
    case TypeId::kFloat:
      return duckdb_create_logical_type(DUCKDB_TYPE_FLOAT);
    case TypeId::kDouble:
      return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case TypeId::kDecimal:
      return duckdb_create_decimal_type(t.width, t.scale);
    case TypeId::kBlob:
      return duckdb_create_logical_type(DUCKDB_TYPE_BLOB);
    case TypeId::kDate:
      return duckdb_create_logical_type(DUCKDB_TYPE_DATE);
    case TypeId::kTime:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIME);
    case TypeId::kTimestamp:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP);
    case TypeId::kTimestampTz:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ);
    case TypeId::kInterval:
      return duckdb_create_logical_type(DUCKDB_TYPE_INTERVAL);
    case TypeId::kList: {
      duckdb_logical_type child = ToDuckDbType(t.children.at(0));
      duckdb_logical_type list = duckdb_create_list_type(child);
      duckdb_destroy_logical_type(&child);
      return list;
    }
    default:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  }
}

// A LIST Value (elements of type.children[0], or NULL) as a DuckDB list.
duckdb_value ListValue(const Value& v) {
  duckdb_logical_type child = ToDuckDbType(v.type().children.at(0));
  std::vector<duckdb_value> elements;
  for (const Value& e : v.children()) elements.push_back(ToDuckDbValue(e));
  duckdb_value list = duckdb_create_list_value(child, elements.data(), elements.size());
  for (duckdb_value& e : elements) duckdb_destroy_value(&e);
  duckdb_destroy_logical_type(&child);
  if (list != nullptr) return list;
  const std::string text = v.ToString();  // elements DuckDB would not take
  return duckdb_create_varchar_length(text.data(), text.size());
}

}  // namespace

duckdb_value ToDuckDbValue(const Value& v) {
  if (v.is_null()) return duckdb_create_null_value();
  switch (v.type().id) {
    case TypeId::kList:
      return ListValue(v);
    case TypeId::kBoolean:
      return duckdb_create_bool(v.GetBool());
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
      return duckdb_create_int32(static_cast<int32_t>(v.GetInt64()));
    case TypeId::kBigInt:
      return duckdb_create_int64(v.GetInt64());
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
      return duckdb_create_uint64(v.GetUInt64());
    case TypeId::kHugeInt:
      return duckdb_create_hugeint(ToHugeint(v.GetInt128()));
    case TypeId::kFloat:
      return duckdb_create_float(static_cast<float>(v.GetDouble()));
    case TypeId::kDouble:
      return duckdb_create_double(v.GetDouble());
    case TypeId::kDecimal:
      return DecimalValue(v.GetDecimal());
    case TypeId::kBlob: {
      const std::string& b = v.GetBlob().bytes;
      return duckdb_create_blob(reinterpret_cast<const uint8_t*>(b.data()), b.size());
    }
    case TypeId::kDate:
      return duckdb_create_date(duckdb_date{v.GetDate().days});
    case TypeId::kTime:
      return duckdb_create_time(duckdb_time{v.GetTime().micros});
    case TypeId::kTimestamp:
      return duckdb_create_timestamp(duckdb_timestamp{v.GetTimestamp().micros});
    case TypeId::kTimestampTz:
      return duckdb_create_timestamp_tz(duckdb_timestamp{v.GetTimestampTz().micros});
    case TypeId::kInterval: {
      const Interval i = v.GetInterval();
      return duckdb_create_interval(duckdb_interval{i.months, i.days, i.micros});
    }
    default: {
      // VARCHAR, and rendered values of other types: bound as text and cast
      // by DuckDB to the parameter's type.
      const std::string& s = v.GetString();
      return duckdb_create_varchar_length(s.data(), s.size());
    }
  }
}

}  // namespace carelake::engine::internal
