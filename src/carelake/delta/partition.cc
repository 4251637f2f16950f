#include "carelake/delta/partition.h"

#include <cstdio>
#include <cstring>

#include "carelake/delta/schema.h"

namespace carelake::delta {

namespace {

constexpr const char* kNullPartition = "__HIVE_DEFAULT_PARTITION__";

void AppendEscaped(std::string& out, unsigned char c) {
  char buf[4];
  std::snprintf(buf, sizeof(buf), "%%%02X", c);
  out += buf;
}

std::string HiveEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F || std::strchr("\"#%'*/:=?\\{[]^", c) != nullptr) {
      AppendEscaped(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string PartitionDirectoryName(const std::string& column,
                                   const std::optional<std::string>& value) {
  const std::string v =
      (!value.has_value() || value->empty()) ? kNullPartition : HiveEscape(*value);
  return HiveEscape(column) + "=" + v;
}

std::string PartitionDirectory(const std::vector<std::string>& columns,
                               const PartitionValues& values) {
  std::string out;
  for (const std::string& c : columns) {
    auto it = values.find(c);
    out += PartitionDirectoryName(c, it == values.end() ? std::nullopt : it->second) + "/";
  }
  return out;
}

std::string UriEncodePath(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::strchr("-._~/!$&'()*+,;=:@", c) != nullptr) {
      out += static_cast<char>(c);
    } else {
      AppendEscaped(out, c);
    }
  }
  return out;
}

Result<std::string> PartitionSerializeSql(const std::string& column_sql,
                                          const nlohmann::json& type) {
  if (!type.is_string()) {
    return NotSupported("cannot partition by a column of type " + DeltaTypeName(type));
  }
  const std::string t = type.get<std::string>();
  if (t == "string") return column_sql;
  if (t == "long" || t == "integer" || t == "short" || t == "byte" || t == "boolean" ||
      t == "date" || t.rfind("decimal", 0) == 0) {
    return "CAST(" + column_sql + " AS VARCHAR)";
  }
  if (t == "timestamp") {
    // Wall-clock time in UTC, microseconds: "2024-01-31 10:00:00.000000".
    return "strftime(timezone('UTC', " + column_sql + "), '%Y-%m-%d %H:%M:%S.%f')";
  }
  if (t == "timestamp_ntz") return "strftime(" + column_sql + ", '%Y-%m-%d %H:%M:%S.%f')";
  return NotSupported("cannot partition by a column of type " + t +
                      " (partition by a string, integer, boolean, date, timestamp or decimal)");
}

}  // namespace carelake::delta
