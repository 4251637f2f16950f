#include "carelake/dbsource/type_map.h"

#include <cctype>
#include <map>

namespace carelake::dbsource {
namespace {

// Numeric precision and scale out of "numeric(12,2)"; false without them.
bool PrecisionScale(const std::string& formatted, int& precision, int& scale) {
  size_t open = formatted.find('(');
  if (open == std::string::npos) return false;
  precision = std::atoi(formatted.c_str() + open + 1);
  size_t comma = formatted.find(',', open);
  scale = comma == std::string::npos ? 0 : std::atoi(formatted.c_str() + comma + 1);
  return precision > 0;
}

std::string Decimal(int precision, int scale) {
  return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
}

// A column whose value travels as text and stays text.
SourceColumn Text(SourceColumn c, std::string select_sql, std::string note = "") {
  c.select_sql = std::move(select_sql);
  c.csv_type = c.lake_type = "VARCHAR";
  c.note = std::move(note);
  return c;
}

SourceColumn Typed(SourceColumn c, std::string select_sql, std::string type) {
  c.select_sql = std::move(select_sql);
  c.csv_type = c.lake_type = std::move(type);
  return c;
}

// Scalar PostgreSQL types with a lake type other than VARCHAR.
const std::map<std::string, std::string>& PgScalars() {
  static const auto* kTypes = new std::map<std::string, std::string>{
      {"int2", "SMALLINT"},       {"int4", "INTEGER"},
      {"int8", "BIGINT"},         {"oid", "BIGINT"},
      {"float4", "FLOAT"},        {"float8", "DOUBLE"},
      {"bool", "BOOLEAN"},        {"date", "DATE"},
      {"timestamp", "TIMESTAMP"}, {"timestamptz", "TIMESTAMPTZ"},
  };
  return *kTypes;
}

// Array elements that become a LIST of a lake type through JSON.
std::string PgListElement(const std::string& element) {
  static const auto* kElements = new std::map<std::string, std::string>{
      {"int2", "SMALLINT"},  {"int4", "INTEGER"}, {"int8", "BIGINT"},  {"float4", "FLOAT"},
      {"float8", "DOUBLE"},  {"bool", "BOOLEAN"}, {"text", "VARCHAR"}, {"varchar", "VARCHAR"},
      {"bpchar", "VARCHAR"}, {"name", "VARCHAR"}, {"uuid", "VARCHAR"}, {"date", "DATE"},
  };
  auto it = kElements->find(element);
  return it == kElements->end() ? "" : it->second;
}

SourceColumn MapPgArray(SourceColumn c, const PgColumnFacts& f, const std::string& quoted) {
  std::string element = PgListElement(f.element_name);
  if (element.empty()) {
    return Text(std::move(c), quoted + "::text",
                "array of " + f.element_name + ": kept as PostgreSQL's array text");
  }
  c.select_sql = "array_to_json(" + quoted + ")";
  c.csv_type = "VARCHAR";
  c.lake_type = element + "[]";
  c.convert_sql = "CAST(CAST({} AS JSON) AS " + element + "[])";
  return c;
}

}  // namespace

SourceColumn MapPgColumn(const PgColumnFacts& f) {
  SourceColumn c;
  c.name = f.name;
  c.source_type = f.declared;
  c.nullable = !f.not_null;
  std::string quoted = "\"";
  for (char ch : f.name) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  quoted += "\"";
  if (!f.element_name.empty()) return MapPgArray(std::move(c), f, quoted);
  if (f.type_type == 'e') return Text(std::move(c), quoted);
  if (auto it = PgScalars().find(f.type_name); it != PgScalars().end()) {
    return Typed(std::move(c), quoted, it->second);
  }
  const std::string& t = f.type_name;
  if (t == "numeric") {
    int precision = 0, scale = 0;
    if (PrecisionScale(f.formatted, precision, scale) && precision <= 38) {
      return Typed(std::move(c), quoted, Decimal(precision, scale));
    }
    return Text(std::move(c), quoted,
                precision > 38 ? "numeric beyond 38 digits: kept as text"
                               : "numeric without precision: kept as text");
  }
  if (t == "money") return Typed(std::move(c), quoted + "::numeric", "DECIMAL(19,2)");
  if (t == "bytea") {
    c = Typed(std::move(c), quoted, "VARCHAR");
    c.lake_type = "BLOB";
    c.convert_sql = "from_hex(substr({}, 3))";  // PostgreSQL's hex format: \x0102…
    return c;
  }
  if (t == "interval") return Text(std::move(c), quoted, "interval: ISO 8601 text (P1DT2H)");
  if (t == "time" || t == "timetz") return Text(std::move(c), quoted);
  return Text(std::move(c), quoted);
}

namespace {

// MySQL integer types: the lake type signed and unsigned.
const std::map<std::string, std::pair<std::string, std::string>>& MySqlIntegers() {
  static const auto* kTypes = new std::map<std::string, std::pair<std::string, std::string>>{
      {"tinyint", {"TINYINT", "SMALLINT"}},  {"smallint", {"SMALLINT", "INTEGER"}},
      {"mediumint", {"INTEGER", "INTEGER"}}, {"int", {"INTEGER", "BIGINT"}},
      {"integer", {"INTEGER", "BIGINT"}},    {"bigint", {"BIGINT", "DECIMAL(20,0)"}},
  };
  return *kTypes;
}

SourceColumn MapMySqlTemporal(SourceColumn c, const std::string& t, const std::string& quoted) {
  if (t == "date") {
    c = Typed(std::move(c), quoted, "DATE");
    c.transform = MySqlTransform::kZeroDate;
  } else if (t == "datetime") {
    c = Typed(std::move(c), quoted, "TIMESTAMP");
    c.transform = MySqlTransform::kZeroDate;
  } else if (t == "timestamp") {
    c = Typed(std::move(c), quoted, "TIMESTAMPTZ");
    c.transform = MySqlTransform::kZeroDateUtc;
  } else if (t == "year") {
    c = Typed(std::move(c), quoted, "SMALLINT");
  } else {  // time: may be negative or beyond 24 hours
    c = Text(std::move(c), quoted);
  }
  return c;
}

}  // namespace

SourceColumn MapMySqlColumn(const MySqlColumnFacts& f) {
  SourceColumn c;
  c.name = f.name;
  c.source_type = f.column_type;
  c.nullable = !f.not_null;
  std::string quoted = "`";
  for (char ch : f.name) quoted += ch == '`' ? std::string("``") : std::string(1, ch);
  quoted += "`";
  const std::string& t = f.data_type;
  // Matched in lower case; shown as the server spells it (enum labels keep their case).
  std::string type = f.column_type;
  for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  bool is_unsigned = type.find("unsigned") != std::string::npos;
  if (t == "tinyint" && type.rfind("tinyint(1)", 0) == 0) {
    c = Typed(std::move(c), quoted, "BOOLEAN");
    c.transform = MySqlTransform::kBoolean;
    return c;
  }
  if (auto it = MySqlIntegers().find(t); it != MySqlIntegers().end()) {
    return Typed(std::move(c), quoted, is_unsigned ? it->second.second : it->second.first);
  }
  if (t == "decimal" || t == "numeric") {
    if (f.precision <= 38) return Typed(std::move(c), quoted, Decimal(f.precision, f.scale));
    return Text(std::move(c), quoted, "decimal beyond 38 digits: kept as text");
  }
  // FLOAT's text has 6 digits; as a DOUBLE it carries the exact value.
  if (t == "float") return Typed(std::move(c), "(" + quoted + " + 0e0)", "FLOAT");
  if (t == "double" || t == "real") return Typed(std::move(c), quoted, "DOUBLE");
  if (t == "bit") {
    if (type == "bit(1)") {
      c = Typed(std::move(c), "(" + quoted + " + 0)", "BOOLEAN");
      c.transform = MySqlTransform::kBoolean;
      return c;
    }
    return Typed(std::move(c), "(" + quoted + " + 0)", "DECIMAL(20,0)");
  }
  if (t == "date" || t == "datetime" || t == "timestamp" || t == "time" || t == "year") {
    return MapMySqlTemporal(std::move(c), t, quoted);
  }
  if (t.find("binary") != std::string::npos || t.find("blob") != std::string::npos) {
    c = Typed(std::move(c), "HEX(" + quoted + ")", "VARCHAR");
    c.lake_type = "BLOB";
    c.convert_sql = "from_hex({})";
    return c;
  }
  static const char* kSpatial[] = {
      "geometry",   "point",           "linestring",   "polygon",
      "multipoint", "multilinestring", "multipolygon", "geometrycollection"};
  for (const char* s : kSpatial) {
    if (t == s) return Text(std::move(c), "ST_AsText(" + quoted + ")", "spatial: WKT text");
  }
  return Text(std::move(c), quoted);  // char, varchar, text, enum, set, json, uuid, inet
}

}  // namespace carelake::dbsource
