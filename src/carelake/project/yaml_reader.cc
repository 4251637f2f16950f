#include "carelake/project/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <regex>
#include <system_error>

namespace carelake::project::yaml {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Messages

std::string Quote(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  if (out.size() > 80) out = out.substr(0, 77) + "...";
  return "'" + out + "'";
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Suggest(const std::string& got, const std::vector<std::string>& options) {
  const std::string lower = Lower(got);
  const size_t allowed = std::clamp<size_t>(lower.size() / 3, 1, 3);
  const std::string* best = nullptr;
  size_t best_distance = allowed + 1;
  for (const std::string& option : options) {
    const size_t d = EditDistance(lower, Lower(option));
    // A distance as long as either word is a different word, not a typo.
    if (d < best_distance && d < lower.size() && d < option.size()) {
      best = &option;
      best_distance = d;
    }
  }
  return best == nullptr ? "" : " (did you mean '" + *best + "'?)";
}

// ---------------------------------------------------------------------------
// Values

PlainKind KindOf(const YAML::Node& node) {
  if (node.Tag() != "?") return PlainKind::kString;  // quoted or block scalar
  static const std::regex kBoolean("true|True|TRUE|false|False|FALSE");
  static const std::regex kInteger("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex kNumber(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|"
      "NAN)");
  const std::string& s = node.Scalar();
  if (std::regex_match(s, kBoolean)) return PlainKind::kBoolean;
  if (std::regex_match(s, kInteger)) return PlainKind::kInteger;
  if (std::regex_match(s, kNumber)) return PlainKind::kNumber;
  return PlainKind::kString;
}

std::string Describe(const Value& v) {
  if (!v.present) return "nothing (the key is required)";
  switch (v.node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      break;
  }
  switch (KindOf(v.node)) {
    case PlainKind::kBoolean:
      return "boolean " + v.node.Scalar();
    case PlainKind::kInteger:
      return "integer " + v.node.Scalar();
    case PlainKind::kNumber:
      return "number " + v.node.Scalar();
    case PlainKind::kString:
      break;
  }
  return Quote(v.node.Scalar());
}

Status ErrorAt(const std::string& file, int line, const std::string& path,
               const std::string& message) {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line);
  return InvalidArgument(where + ": " + (path.empty() ? "" : path + ": ") + message);
}

Status Error(const Value& v, const std::string& message) {
  return ErrorAt(v.file, v.line, v.path, message);
}

Status Expected(const Value& v, const std::string& expected, const std::string& note) {
  return Error(v, "expected " + expected + "; got " + Describe(v) + note);
}

// ---------------------------------------------------------------------------
// Documents

ReadOutcome ReadText(const fs::path& path, std::string* text) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return ReadOutcome::kNotFound;
  if (!fs::is_regular_file(status)) return ReadOutcome::kNotAFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) return ReadOutcome::kUnreadable;
  text->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return in.bad() ? ReadOutcome::kUnreadable : ReadOutcome::kOk;
}

fs::path Normal(const fs::path& path) {
  fs::path normal = fs::absolute(path).lexically_normal();
  if (normal.has_parent_path() && !normal.has_filename()) normal = normal.parent_path();
  return normal;
}

// ---------------------------------------------------------------------------
// Maps

Result<MapValue> MapValue::Read(const Value& v, const std::vector<std::string>* allowed) {
  if (!v.node.IsMap()) {
    return Expected(v, allowed == nullptr ? "a map" : "a map with keys " + Join(*allowed));
  }
  MapValue m;
  m.value_ = v;
  for (auto it = v.node.begin(); it != v.node.end(); ++it) {
    const int key_line = it->first.Mark().line + 1;
    if (!it->first.IsScalar()) return Expected(v.At(it->first, v.path, key_line), "a key name");
    const std::string key = it->first.Scalar();
    if (allowed != nullptr && std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
      return ErrorAt(v.file, key_line, v.path,
                     "expected one of the keys " + Join(*allowed) + "; got " + Quote(key) +
                         Suggest(key, *allowed));
    }
    if (const Value* first = m.Find(key)) {
      return ErrorAt(v.file, key_line, m.Child(key),
                     "expected each key once; got " + Quote(key) + " again (first on line " +
                         std::to_string(first->line) + ")");
    }
    m.entries_.emplace_back(key, v.At(it->second, m.Child(key), key_line));
  }
  return m;
}

const Value* MapValue::Find(const std::string& key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value MapValue::Get(const std::string& key) const {
  const Value* v = Find(key);
  return v != nullptr ? *v : Missing(key);
}

Value MapValue::Missing(const std::string& key) const {
  Value missing = value_.At(YAML::Node(), Child(key), value_.line);
  missing.present = false;
  return missing;
}

std::string MapValue::Child(const std::string& key) const {
  return value_.path.empty() ? key : value_.path + "." + key;
}

Value Entry(const Value& item, const std::string& key) {
  Result<MapValue> m = MapValue::Read(item, nullptr);
  if (!m.ok()) return item;
  const Value* v = m->Find(key);
  return v != nullptr ? *v : item;
}

// ---------------------------------------------------------------------------
// Scalars

bool IsIdentifier(const std::string& text) {
  if (text.empty()) return false;
  const auto first = static_cast<unsigned char>(text[0]);
  if (!(std::islower(first) || first == '_')) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (std::islower(u) || std::isdigit(u) || u == '_') && u < 0x80;
  });
}

Result<std::string> ReadString(const Value& v, const std::string& expected) {
  if (!v.node.IsScalar()) return Expected(v, expected);
  if (KindOf(v.node) != PlainKind::kString) {
    return Expected(v, expected, " (quote it to use it as text)");
  }
  return v.node.Scalar();
}

Result<std::string> ReadNonEmpty(const Value& v, const std::string& expected) {
  CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadString(v, expected));
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Expected(v, expected);
  return text;
}

Result<std::string> ReadSql(const Value& v) { return ReadNonEmpty(v, "an SQL expression"); }

Result<std::string> ReadIdentifier(const Value& v) {
  CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadString(v, kIdentifierRule));
  if (IsIdentifier(text)) return text;
  const std::string snake = SnakeCase(text);
  return Expected(v, kIdentifierRule,
                  IsIdentifier(snake) ? " (try '" + snake + "')" : std::string());
}

Result<bool> ReadBool(const Value& v) {
  const std::string expected = "true or false";
  if (!v.node.IsScalar() || KindOf(v.node) != PlainKind::kBoolean) return Expected(v, expected);
  return Lower(v.node.Scalar()) == "true";
}

Result<int64_t> ReadInteger(const Value& v, int64_t min, int64_t max) {
  constexpr int64_t kLowest = std::numeric_limits<int64_t>::min();
  constexpr int64_t kHighest = std::numeric_limits<int64_t>::max();
  std::string expected = "an integer";
  if (min != kLowest && max != kHighest) {
    expected += " from " + std::to_string(min) + " to " + std::to_string(max);
  } else if (min != kLowest) {
    expected += " of at least " + std::to_string(min);
  } else if (max != kHighest) {
    expected += " of at most " + std::to_string(max);
  }
  static const std::regex kDecimal("[-+]?[0-9]+");
  if (!v.node.IsScalar() || KindOf(v.node) != PlainKind::kInteger ||
      !std::regex_match(v.node.Scalar(), kDecimal)) {
    return Expected(v, expected);
  }
  const std::string& text = v.node.Scalar();
  const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Expected(v, expected);
  }
  return value;
}

Result<std::chrono::milliseconds> ReadDuration(const Value& v) {
  const std::string expected = "a duration such as 30s, 15m, 1h30m or 7d";
  if (v.node.IsScalar() && KindOf(v.node) == PlainKind::kInteger) {
    return Expected(v, expected, " (add a unit: ms, s, m, h or d)");
  }
  CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadString(v, expected));
  // Largest first; each unit at most once. At most 9 digits a count, so the
  // sum cannot overflow.
  static const std::vector<std::pair<std::string, int64_t>> kUnits = {
      {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}};
  static const std::regex kPart("([0-9]{1,9})(ms|s|m|h|d)");
  if (text.empty()) return Expected(v, expected);
  int64_t total = 0;
  size_t next_unit = 0;  // index in kUnits of the smallest unit still allowed
  size_t pos = 0;
  std::smatch match;
  while (pos < text.size()) {
    const std::string rest = text.substr(pos);
    if (!std::regex_search(rest, match, kPart, std::regex_constants::match_continuous)) {
      return Expected(v, expected);
    }
    size_t unit = next_unit;
    while (unit < kUnits.size() && kUnits[unit].first != match[2].str()) ++unit;
    if (unit == kUnits.size()) return Expected(v, expected);  // repeated or out of order
    total += std::stoll(match[1].str()) * kUnits[unit].second;
    next_unit = unit + 1;
    pos += match.length(0);
  }
  return std::chrono::milliseconds(total);
}

Result<std::string> ReadDate(const Value& v) {
  static const std::regex kDate("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  const std::string expected = "a date YYYY-MM-DD";
  if (!v.node.IsScalar() || !std::regex_match(v.node.Scalar(), kDate)) return Expected(v, expected);
  const std::string& text = v.node.Scalar();
  const int month = std::stoi(text.substr(5, 2)), day = std::stoi(text.substr(8, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31) return Expected(v, expected);
  return text;
}

// ---------------------------------------------------------------------------
// Lists

Result<std::vector<Value>> ReadList(const Value& v, const std::string& expected) {
  std::vector<Value> items;
  if (v.node.IsNull()) return items;
  if (!v.node.IsSequence()) return Expected(v, expected);
  int i = 0;
  for (const YAML::Node& item : v.node) {
    items.push_back(v.At(item, v.path + "[" + std::to_string(i++) + "]", item.Mark().line + 1));
  }
  return items;
}

Result<std::vector<Item>> ReadItems(const Value& v, const std::string& expected,
                                    const std::function<Result<std::string>(const Value&)>& read) {
  std::vector<Value> values;
  if (v.node.IsSequence()) {
    CARELAKE_ASSIGN_OR_RETURN(values, ReadList(v, expected));
  } else if (v.node.IsScalar()) {
    values.push_back(v);
  } else if (!v.node.IsNull()) {
    return Expected(v, expected);
  }
  std::vector<Item> items;
  for (const Value& value : values) {
    CARELAKE_ASSIGN_OR_RETURN(std::string text, read(value));
    items.push_back(Item{std::move(text), value});
  }
  return items;
}

std::vector<std::string> Texts(const std::vector<Item>& items) {
  std::vector<std::string> out;
  for (const Item& item : items) out.push_back(item.text);
  return out;
}

Result<std::vector<Item>> ReadColumnNames(const Value& v) {
  const std::string expected = "a column name or a list of column names";
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadItems(v, expected, [](const Value& item) {
                              return ReadNonEmpty(item, "a column name");
                            }));
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (items[i].text == items[j].text) {
        return Expected(items[i].at, "each column once", " again");
      }
    }
  }
  return items;
}

// ---------------------------------------------------------------------------
// Keys of a map

Status OptionalNames(const MapValue& m, const std::string& key, std::vector<std::string>* out) {
  const Value* v = m.Find(key);
  if (v == nullptr) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadColumnNames(*v));
  *out = Texts(items);
  return Status::Ok();
}

Status CheckUnique(const Value& at, const std::string& name, const std::string& among,
                   std::map<std::string, int>& seen) {
  auto [it, inserted] = seen.emplace(name, at.line);
  if (inserted) return Status::Ok();
  return Expected(at, "a name unique among " + among,
                  " again (first on line " + std::to_string(it->second) + ")");
}

}  // namespace carelake::project::yaml
