#include "carelake/engine/types.h"

namespace carelake::engine {

std::string LogicalType::ToString() const {
  switch (id) {
    case TypeId::kInvalid:
      return "INVALID";
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kTinyInt:
      return "TINYINT";
    case TypeId::kSmallInt:
      return "SMALLINT";
    case TypeId::kInteger:
      return "INTEGER";
    case TypeId::kBigInt:
      return "BIGINT";
    case TypeId::kUTinyInt:
      return "UTINYINT";
    case TypeId::kUSmallInt:
      return "USMALLINT";
    case TypeId::kUInteger:
      return "UINTEGER";
    case TypeId::kUBigInt:
      return "UBIGINT";
    case TypeId::kHugeInt:
      return "HUGEINT";
    case TypeId::kUHugeInt:
      return "UHUGEINT";
    case TypeId::kFloat:
      return "FLOAT";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(width) + "," + std::to_string(scale) + ")";
    case TypeId::kVarchar:
      return "VARCHAR";
    case TypeId::kBlob:
      return "BLOB";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTime:
      return "TIME";
    case TypeId::kTimeTz:
      return "TIME WITH TIME ZONE";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    case TypeId::kTimestampS:
      return "TIMESTAMP_S";
    case TypeId::kTimestampMs:
      return "TIMESTAMP_MS";
    case TypeId::kTimestampNs:
      return "TIMESTAMP_NS";
    case TypeId::kTimestampTz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeId::kInterval:
      return "INTERVAL";
    case TypeId::kUuid:
      return "UUID";
    case TypeId::kEnum:
      return "ENUM";
    case TypeId::kList:
      return (children.empty() ? std::string("ANY") : children[0].ToString()) + "[]";
    case TypeId::kArray:
      return (children.empty() ? std::string("ANY") : children[0].ToString()) + "[" +
             std::to_string(array_size) + "]";
    case TypeId::kMap:
      if (children.size() != 2) return "MAP";
      return "MAP(" + children[0].ToString() + ", " + children[1].ToString() + ")";
    case TypeId::kStruct:
    case TypeId::kUnion: {
      std::string out = id == TypeId::kStruct ? "STRUCT(" : "UNION(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += ", ";
        out += (i < child_names.size() ? child_names[i] : "") + " " + children[i].ToString();
      }
      return out + ")";
    }
    case TypeId::kBit:
      return "BIT";
    case TypeId::kBigNum:
      return "BIGNUM";
    case TypeId::kSqlNull:
      return "NULL";
    case TypeId::kOther:
      return "OTHER";
  }
  return "OTHER";
}

bool LogicalType::IsNumeric() const {
  switch (id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
    case TypeId::kHugeInt:
    case TypeId::kUHugeInt:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}

bool LogicalType::IsNested() const {
  return id == TypeId::kList || id == TypeId::kArray || id == TypeId::kStruct ||
         id == TypeId::kMap || id == TypeId::kUnion;
}

bool operator==(const LogicalType& a, const LogicalType& b) {
  return a.id == b.id && a.width == b.width && a.scale == b.scale && a.array_size == b.array_size &&
         a.children == b.children && a.child_names == b.child_names;
}

}  // namespace carelake::engine
