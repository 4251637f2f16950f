#include "carelake/delta/stats.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <vector>

#include "carelake/base/civil_time.h"

namespace carelake::delta {

namespace {

using nlohmann::json;

// "\"st\".\"a\"" → {"st", "a"}. Quotes inside names are doubled.
std::vector<std::string> SplitColumnPath(const std::string& key) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < key.size()) {
    if (key[i] == '"') {
      std::string part;
      ++i;
      while (i < key.size()) {
        if (key[i] == '"') {
          if (i + 1 < key.size() && key[i + 1] == '"') {
            part += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        part += key[i++];
      }
      out.push_back(std::move(part));
    } else {
      size_t dot = key.find('.', i);
      out.push_back(key.substr(i, dot == std::string::npos ? std::string::npos : dot - i));
      i = dot == std::string::npos ? key.size() : dot;
    }
    if (i < key.size() && key[i] == '.') ++i;
  }
  return out;
}

// The Delta type at `path` in `schema`, or null (arrays, maps, unknown).
json TypeAt(const Schema& schema, const std::vector<std::string>& path) {
  std::vector<Field> fields = schema.fields;
  for (size_t i = 0; i < path.size(); ++i) {
    json type;
    for (const Field& f : fields) {
      if (f.name == path[i]) type = f.type;
    }
    if (type.is_null() || i + 1 == path.size()) return type;
    if (!type.is_object() || type.value("type", "") != "struct") return nullptr;
    auto parsed = Schema::Parse(type.dump());
    if (!parsed.ok()) return nullptr;
    fields = std::move(parsed->fields);
  }
  return nullptr;
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Utf8Prefix(const std::string& s, size_t chars) {
  size_t n = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == chars) break;
      ++n;
    }
  }
  return s.substr(0, i);
}

// "2024-01-01T10:00:00.123Z" (or without the zone for timestamp_ntz).
std::string FormatMillis(int64_t micros, bool utc) {
  const int64_t ms = micros / 1000;  // callers pass whole milliseconds
  int64_t days = ms >= 0 ? ms / 86'400'000 : -((-ms + 86'399'999) / 86'400'000);
  int64_t rem = ms - days * 86'400'000;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%sT%02d:%02d:%02d.%03d%s", FormatDate(days).c_str(),
                static_cast<int>(rem / 3'600'000), static_cast<int>(rem / 60'000 % 60),
                static_cast<int>(rem / 1000 % 60), static_cast<int>(rem % 1000), utc ? "Z" : "");
  return buf;
}

int64_t FloorMillis(int64_t micros) {
  int64_t r = micros % 1000;
  if (r < 0) r += 1000;
  return micros - r;
}

// One bound of a leaf column as JSON, or nullopt if not kept.
std::optional<json> Bound(const std::string& text, const std::string& type, bool is_max) {
  try {
    if (type == "long" || type == "integer" || type == "short" || type == "byte") {
      return json(std::stoll(text));
    }
    if (type == "float" || type == "double") {
      double d = std::stod(text);
      if (!std::isfinite(d)) return std::nullopt;
      return json(d);
    }
    if (type.rfind("decimal(", 0) == 0) {
      int precision = std::stoi(type.substr(8));
      if (precision > 15) return std::nullopt;  // a double could not bound it exactly
      return json::parse(text);
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (type == "string") {
    if (Utf8Length(text) <= kStatsStringPrefixLength) return json(text);
    if (is_max) return std::nullopt;
    return json(Utf8Prefix(text, kStatsStringPrefixLength));
  }
  if (type == "date") return json(text);
  if (type == "timestamp" || type == "timestamp_ntz") {
    auto micros = ParseTimestamp(text);
    if (!micros.ok()) return std::nullopt;
    int64_t v = FloorMillis(*micros);
    if (is_max && v != *micros) v += 1000;
    return json(FormatMillis(v, type == "timestamp"));
  }
  return std::nullopt;
}

void SetPath(json& root, const std::vector<std::string>& path, json value) {
  json* node = &root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!node->contains(path[i]) || !(*node)[path[i]].is_object()) {
      (*node)[path[i]] = json::object();
    }
    node = &(*node)[path[i]];
  }
  (*node)[path.back()] = std::move(value);
}

}  // namespace

Result<std::string> BuildStats(const engine::Value& column_statistics, int64_t num_records,
                               const Schema& schema) {
  json min_values = json::object(), max_values = json::object(), null_count = json::object();
  if (!column_statistics.is_null()) {
    for (const engine::Value& entry : column_statistics.children()) {
      const std::vector<engine::Value>& kv = entry.children();
      if (kv.size() != 2 || kv[0].is_null() || kv[1].is_null()) continue;
      const std::vector<std::string> path = SplitColumnPath(kv[0].GetString());
      const json type = TypeAt(schema, path);
      if (!type.is_string()) continue;  // arrays, maps, structs
      std::map<std::string, std::string> s;
      for (const engine::Value& stat : kv[1].children()) {
        const auto& skv = stat.children();
        if (skv.size() == 2 && !skv[0].is_null() && !skv[1].is_null()) {
          s[skv[0].GetString()] = skv[1].GetString();
        }
      }
      if (auto it = s.find("null_count"); it != s.end()) {
        SetPath(null_count, path, json(std::stoll(it->second)));
      }
      if (s.count("has_nan") && s["has_nan"] == "true") continue;
      const std::string t = type.get<std::string>();
      auto mn = s.find("min");
      auto mx = s.find("max");
      if (mn == s.end() || mx == s.end()) continue;
      std::optional<json> lo = Bound(mn->second, t, false);
      std::optional<json> hi = Bound(mx->second, t, true);
      if (lo.has_value()) SetPath(min_values, path, std::move(*lo));
      if (hi.has_value()) SetPath(max_values, path, std::move(*hi));
    }
  }
  json stats = {{"numRecords", num_records},
                {"minValues", min_values},
                {"maxValues", max_values},
                {"nullCount", null_count}};
  return stats.dump();
}

std::string StatsBoundSql(const json& bound, const json& delta_type) {
  if (!delta_type.is_string() || bound.is_null() || bound.is_object()) return "";
  const std::string t = delta_type.get<std::string>();
  auto duck = DuckDbTypeOf(delta_type);
  if (!duck.ok()) return "";
  if (t == "string" || t == "date" || t == "timestamp" || t == "timestamp_ntz") {
    if (!bound.is_string()) return "";
    std::string text = bound.get<std::string>();
    if (t == "timestamp") {
      auto micros = ParseTimestamp(text);
      if (!micros.ok()) return "";
      return "CAST(" + QuoteLiteral(FormatTimestamp(*micros) + "+00") + " AS " + *duck + ")";
    }
    return "CAST(" + QuoteLiteral(text) + " AS " + *duck + ")";
  }
  if (bound.is_number()) return "CAST(" + QuoteLiteral(bound.dump()) + " AS " + *duck + ")";
  return "";
}

}  // namespace carelake::delta
