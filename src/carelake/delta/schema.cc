#include "carelake/delta/schema.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace carelake::delta {

using engine::LogicalType;
using engine::TypeId;
using nlohmann::json;

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

namespace {

Result<Field> ParseField(const json& j) {
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("type")) {
    return Corruption("schema field must be an object with 'name' and 'type': " + j.dump());
  }
  Field f;
  f.name = j["name"].get<std::string>();
  f.type = j["type"];
  f.nullable = j.value("nullable", true);
  if (j.contains("metadata") && j["metadata"].is_object()) f.metadata = j["metadata"];
  return f;
}

json FieldJson(const Field& f) {
  return {{"name", f.name}, {"type", f.type}, {"nullable", f.nullable}, {"metadata", f.metadata}};
}

}  // namespace

Result<Schema> Schema::Parse(const std::string& schema_string) {
  json j = json::parse(schema_string, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("type", "") != "struct" ||
      !j.contains("fields") || !j["fields"].is_array()) {
    return Corruption("schemaString is not a Delta struct schema");
  }
  Schema s;
  for (const json& f : j["fields"]) {
    CARELAKE_ASSIGN_OR_RETURN(Field field, ParseField(f));
    s.fields.push_back(std::move(field));
  }
  return s;
}

std::string Schema::ToJsonString() const {
  json list = json::array();
  for (const Field& f : fields) list.push_back(FieldJson(f));
  return json{{"type", "struct"}, {"fields", list}}.dump();
}

const Field* Schema::Find(const std::string& name) const {
  for (const Field& f : fields) {
    if (EqualsIgnoreCase(f.name, name)) return &f;
  }
  return nullptr;
}

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

namespace {

bool ParseDecimal(const std::string& name, int* precision, int* scale) {
  return std::sscanf(name.c_str(), "decimal(%d,%d)", precision, scale) == 2 ||
         std::sscanf(name.c_str(), "decimal(%d, %d)", precision, scale) == 2;
}

}  // namespace

Result<std::string> DuckDbTypeOf(const json& t) {
  if (t.is_string()) {
    const std::string name = t.get<std::string>();
    if (name == "string") return std::string("VARCHAR");
    if (name == "long") return std::string("BIGINT");
    if (name == "integer") return std::string("INTEGER");
    if (name == "short") return std::string("SMALLINT");
    if (name == "byte") return std::string("TINYINT");
    if (name == "float") return std::string("FLOAT");
    if (name == "double") return std::string("DOUBLE");
    if (name == "boolean") return std::string("BOOLEAN");
    if (name == "binary") return std::string("BLOB");
    if (name == "date") return std::string("DATE");
    if (name == "timestamp") return std::string("TIMESTAMP WITH TIME ZONE");
    if (name == "timestamp_ntz") return std::string("TIMESTAMP");
    if (name == "void") return std::string("INTEGER");
    int p = 0, s = 0;
    if (ParseDecimal(name, &p, &s)) {
      if (p < 1 || p > 38 || s < 0 || s > p) {
        return Corruption("invalid Delta type '" + name + "'");
      }
      return "DECIMAL(" + std::to_string(p) + "," + std::to_string(s) + ")";
    }
    if (name == "decimal") return std::string("DECIMAL(10,0)");
    return NotSupported("Delta type '" + name + "' is not supported");
  }
  if (!t.is_object() || !t.contains("type")) return Corruption("invalid Delta type " + t.dump());
  const std::string kind = t["type"].get<std::string>();
  if (kind == "struct") {
    std::string out = "STRUCT(";
    bool first = true;
    for (const json& f : t["fields"]) {
      CARELAKE_ASSIGN_OR_RETURN(Field field, ParseField(f));
      CARELAKE_ASSIGN_OR_RETURN(std::string child, DuckDbTypeOf(field.type));
      out += (first ? "" : ", ") + QuoteIdentifier(field.name) + " " + child;
      first = false;
    }
    if (first) return NotSupported("empty struct types are not supported");
    return out + ")";
  }
  if (kind == "array") {
    CARELAKE_ASSIGN_OR_RETURN(std::string child, DuckDbTypeOf(t["elementType"]));
    return child + "[]";
  }
  if (kind == "map") {
    CARELAKE_ASSIGN_OR_RETURN(std::string k, DuckDbTypeOf(t["keyType"]));
    CARELAKE_ASSIGN_OR_RETURN(std::string v, DuckDbTypeOf(t["valueType"]));
    return "MAP(" + k + ", " + v + ")";
  }
  return NotSupported("Delta type '" + kind + "' is not supported");
}

std::string DeltaTypeName(const json& t) {
  if (t.is_string()) return t.get<std::string>();
  if (!t.is_object()) return t.dump();
  const std::string kind = t.value("type", "?");
  if (kind == "array") return "array<" + DeltaTypeName(t["elementType"]) + ">";
  if (kind == "map") {
    return "map<" + DeltaTypeName(t["keyType"]) + "," + DeltaTypeName(t["valueType"]) + ">";
  }
  if (kind == "struct") {
    std::string out = "struct<";
    bool first = true;
    for (const json& f : t["fields"]) {
      out += (first ? "" : ",") + f.value("name", "?") + ":" + DeltaTypeName(f["type"]);
      first = false;
    }
    return out + ">";
  }
  return kind;
}

Result<json> DeltaTypeOf(const LogicalType& type, const std::string& column,
                         const WriteTypeOptions& options) {
  auto refuse = [&](const std::string& why) {
    return NotSupported("column '" + column + "' has type " + type.ToString() +
                        ", which a Delta table cannot hold" + why);
  };
  switch (type.id) {
    case TypeId::kBoolean:
      return json("boolean");
    case TypeId::kTinyInt:
      return json("byte");
    case TypeId::kSmallInt:
    case TypeId::kUTinyInt:
      return json("short");
    case TypeId::kInteger:
    case TypeId::kUSmallInt:
      return json("integer");
    case TypeId::kBigInt:
    case TypeId::kUInteger:
      return json("long");
    case TypeId::kUBigInt:
      return json("decimal(20,0)");
    case TypeId::kHugeInt:
      return json("decimal(38,0)");
    case TypeId::kFloat:
      return json("float");
    case TypeId::kDouble:
      return json("double");
    case TypeId::kDecimal:
      return json("decimal(" + std::to_string(type.width) + "," + std::to_string(type.scale) + ")");
    case TypeId::kVarchar:
    case TypeId::kUuid:
    case TypeId::kEnum:
      return json("string");
    case TypeId::kBlob:
      return json("binary");
    case TypeId::kDate:
      return json("date");
    case TypeId::kTimestampTz:
      return json("timestamp");
    case TypeId::kTimestamp:
    case TypeId::kTimestampS:
    case TypeId::kTimestampMs:
    case TypeId::kTimestampNs:
      return json(options.timestamp_ntz ? "timestamp_ntz" : "timestamp");
    case TypeId::kList:
    case TypeId::kArray: {
      CARELAKE_ASSIGN_OR_RETURN(json child,
                                DeltaTypeOf(type.children[0], column + ".element", options));
      return json{{"type", "array"}, {"elementType", child}, {"containsNull", true}};
    }
    case TypeId::kMap: {
      CARELAKE_ASSIGN_OR_RETURN(json k, DeltaTypeOf(type.children[0], column + ".key", options));
      CARELAKE_ASSIGN_OR_RETURN(json v, DeltaTypeOf(type.children[1], column + ".value", options));
      return json{{"type", "map"}, {"keyType", k}, {"valueType", v}, {"valueContainsNull", true}};
    }
    case TypeId::kStruct: {
      json fields = json::array();
      for (size_t i = 0; i < type.children.size(); ++i) {
        const std::string& name = type.child_names[i];
        CARELAKE_ASSIGN_OR_RETURN(json child,
                                  DeltaTypeOf(type.children[i], column + "." + name, options));
        fields.push_back(FieldJson(Field{name, child, true, json::object()}));
      }
      return json{{"type", "struct"}, {"fields", fields}};
    }
    case TypeId::kTime:
    case TypeId::kTimeTz:
      return refuse(
          " (Delta has no time-of-day type: cast it to VARCHAR or combine it with a date)");
    case TypeId::kInterval:
      return refuse(" (cast it to a number of seconds or to VARCHAR)");
    case TypeId::kSqlNull:
      return refuse(" (give the NULL a type with CAST)");
    default:
      return refuse("");
  }
}

bool UsesTimestampNtz(const json& t) {
  if (t.is_string()) return t.get<std::string>() == "timestamp_ntz";
  if (!t.is_object()) return false;
  const std::string kind = t.value("type", "");
  if (kind == "array") return UsesTimestampNtz(t["elementType"]);
  if (kind == "map") return UsesTimestampNtz(t["keyType"]) || UsesTimestampNtz(t["valueType"]);
  if (kind == "struct") {
    for (const json& f : t["fields"]) {
      if (UsesTimestampNtz(f["type"])) return true;
    }
  }
  return false;
}

namespace {

// Digits of the largest byte, short, integer and long; 0 for other types.
int IntegerDigits(const std::string& t) {
  if (t == "byte") return 3;
  if (t == "short") return 5;
  if (t == "integer") return 10;
  if (t == "long") return 19;
  return 0;
}

// True for a simple identifier that DuckDB reads without quotes.
bool IsPlainIdentifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

Result<Schema> MergeFields(const Schema& table, const Schema& incoming, const std::string& prefix);

Result<json> MergeTypes(const json& a, const json& b, const std::string& column) {
  if (a.is_object() && b.is_object() && a.value("type", "") == "struct" &&
      b.value("type", "") == "struct") {
    CARELAKE_ASSIGN_OR_RETURN(Schema sa, Schema::Parse(a.dump()));
    CARELAKE_ASSIGN_OR_RETURN(Schema sb, Schema::Parse(b.dump()));
    CARELAKE_ASSIGN_OR_RETURN(Schema merged, MergeFields(sa, sb, column + "."));
    return json::parse(merged.ToJsonString());
  }
  auto strip = [](json t) {
    // Nullability flags of nested types do not make types different.
    if (t.is_object()) {
      t.erase("containsNull");
      t.erase("valueContainsNull");
    }
    return t;
  };
  if (strip(a) == strip(b)) return a;
  if (StoreAssignable(b, a)) return a;  // the writer casts to the table's type
  const std::string why =
      StoreAssignable(a, b)
          ? " (widening the table's column is the Delta table feature typeWidening, which "
            "carelake does not support)"
          : " (no implicit cast: values could be lost or changed)";
  return FailedPrecondition("incompatible schema change for column '" + column + "': table has " +
                            DeltaTypeName(a) + ", new data has " + DeltaTypeName(b) + why);
}

// MergeSchemas over the fields of a struct; `prefix` ("col." in a struct
// column, empty at the top level) names nested columns in errors.
Result<Schema> MergeFields(const Schema& table, const Schema& incoming, const std::string& prefix) {
  Schema out = table;
  for (const Field& f : incoming.fields) {
    Field* existing = nullptr;
    for (Field& g : out.fields) {
      if (EqualsIgnoreCase(g.name, f.name)) existing = &g;
    }
    if (existing == nullptr) {
      Field added = f;
      added.nullable = true;  // older files read as NULL
      out.fields.push_back(std::move(added));
      continue;
    }
    Result<json> merged = MergeTypes(existing->type, f.type, prefix + f.name);
    if (!merged.ok()) {
      Result<std::string> duck = DuckDbTypeOf(existing->type);
      if (!prefix.empty() || !duck.ok()) return merged.status();
      const std::string name =
          IsPlainIdentifier(existing->name) ? existing->name : QuoteIdentifier(existing->name);
      return Status(merged.status().code(), merged.status().message() +
                                                "; cast it in the query: CAST(" + name + " AS " +
                                                *duck + ") AS " + name);
    }
    existing->type = std::move(*merged);
  }
  return out;
}

}  // namespace

bool StoreAssignable(const json& from, const json& to) {
  if (from == to) return true;
  if (!from.is_string() || !to.is_string()) return false;
  const std::string f = from.get<std::string>(), t = to.get<std::string>();
  const int f_digits = IntegerDigits(f);
  int fp = 0, fs = 0, tp = 0, ts = 0;
  const bool f_decimal = ParseDecimal(f, &fp, &fs), t_decimal = ParseDecimal(t, &tp, &ts);
  if (t == "double") return f_digits > 0 || f == "float" || f_decimal;
  if (f_digits > 0 && IntegerDigits(t) > 0) return f_digits <= IntegerDigits(t);
  if (f_digits > 0 && t_decimal) return tp - ts >= f_digits;
  if (f_decimal && t_decimal) return fs <= ts && fp - fs <= tp - ts;
  return false;
}

std::string PhysicalName(const Field& field) {
  if (field.metadata.is_object()) {
    auto it = field.metadata.find("delta.columnMapping.physicalName");
    if (it != field.metadata.end() && it->is_string()) return it->get<std::string>();
  }
  return field.name;
}

Result<Schema> MergeSchemas(const Schema& table, const Schema& incoming) {
  return MergeFields(table, incoming, "");
}

}  // namespace carelake::delta
