#include "carelake/project/project.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <regex>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

namespace carelake::project {

namespace {

namespace fs = std::filesystem;

constexpr char kIdentifierRule[] = "an identifier ([a-z_][a-z0-9_]*)";
constexpr char kModelsDir[] = "models";

// ---------------------------------------------------------------------------
// Messages

// `text` quoted for a message: one line, at most 80 characters.
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

std::string Join(const std::vector<std::string>& items, std::string_view separator = ", ") {
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

// " (did you mean 'x'?)" when one of `options` is a likely typo of `got`,
// else "".
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
// Plain scalars: YAML resolves unquoted true/false and numbers to booleans and
// numbers; a string field must not silently take them as text.

enum class PlainKind { kString, kBoolean, kInteger, kNumber };

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

// A YAML value with the key path that leads to it and its line, for messages.
struct Value {
  YAML::Node node;
  std::string path;     // "silver[0].expectations[2].action"; "" for the document
  int line = 0;         // 1-based
  bool present = true;  // false: the key is absent (node is null)
};

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

Status Error(int line, const std::string& path, const std::string& message) {
  return ErrorAt(kProjectFileName, line, path, message);
}

// "<path>: expected <expected>; got <what v holds><note>".
Status Expected(const Value& v, const std::string& expected, const std::string& note = "") {
  return Error(v.line, v.path, "expected " + expected + "; got " + Describe(v) + note);
}

// ---------------------------------------------------------------------------
// Readers: each checks one value's shape and converts it.

// The entries of a YAML map, in order, checked against the keys allowed there.
class MapValue {
 public:
  // InvalidArgument when `v` is not a map, repeats a key, or (unless
  // `allowed` is null) holds a key not in `allowed`.
  static Result<MapValue> Read(const Value& v, const std::vector<std::string>* allowed) {
    if (!v.node.IsMap()) {
      return Expected(v, allowed == nullptr ? "a map" : "a map with keys " + Join(*allowed));
    }
    MapValue m;
    m.path_ = v.path;
    m.line_ = v.line;
    for (auto it = v.node.begin(); it != v.node.end(); ++it) {
      const int key_line = it->first.Mark().line + 1;
      if (!it->first.IsScalar()) {
        return Expected(Value{it->first, v.path, key_line}, "a key name");
      }
      const std::string key = it->first.Scalar();
      if (allowed != nullptr &&
          std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
        return Error(key_line, v.path,
                     "expected one of the keys " + Join(*allowed) + "; got " + Quote(key) +
                         Suggest(key, *allowed));
      }
      if (const Value* first = m.Find(key)) {
        return Error(key_line, m.Child(key),
                     "expected each key once; got " + Quote(key) + " again (first on line " +
                         std::to_string(first->line) + ")");
      }
      m.entries_.emplace_back(key, Value{it->second, m.Child(key), key_line});
    }
    return m;
  }
  static Result<MapValue> Read(const Value& v, const std::vector<std::string>& allowed) {
    return Read(v, &allowed);
  }

  // The value under `key`, or nullptr when the key is absent.
  const Value* Find(const std::string& key) const {
    for (const auto& [k, v] : entries_) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  // Stands for an absent key in messages.
  Value Missing(const std::string& key) const {
    return Value{YAML::Node(), Child(key), line_, false};
  }
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }

 private:
  std::string Child(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  std::string path_;
  int line_ = 0;
  std::vector<std::pair<std::string, Value>> entries_;
};

// The value under `key` of `item`, a map a reader has already checked; `item`
// itself when the key is absent (for messages only).
Value Entry(const Value& item, const std::string& key) {
  Result<MapValue> m = MapValue::Read(item, nullptr);
  if (!m.ok()) return item;
  const Value* v = m->Find(key);
  return v != nullptr ? *v : item;
}

bool IsIdentifier(const std::string& text) {
  if (text.empty()) return false;
  const auto first = static_cast<unsigned char>(text[0]);
  if (!(std::islower(first) || first == '_')) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (std::islower(u) || std::isdigit(u) || u == '_') && u < 0x80;
  });
}

// A string: a quoted scalar or a plain one YAML would not read as a boolean
// or a number.
Result<std::string> ReadString(const Value& v, const std::string& expected = "a string") {
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

template <typename E>
using Choices = std::vector<std::pair<std::string, E>>;

template <typename E>
Result<E> ReadChoice(const Value& v, const Choices<E>& choices) {
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) names.push_back(name);
  const std::string expected = "one of " + Join(names);
  CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadString(v, expected));
  for (const auto& [name, value] : choices) {
    if (name == text) return value;
  }
  return Expected(v, expected, Suggest(text, names));
}

// The elements of a list; no key or an empty value is an empty list.
Result<std::vector<Value>> ReadList(const Value& v, const std::string& expected) {
  std::vector<Value> items;
  if (v.node.IsNull()) return items;
  if (!v.node.IsSequence()) return Expected(v, expected);
  int i = 0;
  for (const YAML::Node& item : v.node) {
    items.push_back(Value{item, v.path + "[" + std::to_string(i++) + "]", item.Mark().line + 1});
  }
  return items;
}

struct Item {
  std::string text;
  Value at;
};

// A string or a list of strings, each checked by `read`.
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

// Column names (a string or a list), each non-empty and named once.
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

// Reads `key` of `m` into `*out` with `read` when present.
template <typename T, typename Read>
Status Optional(const MapValue& m, const std::string& key, Read read, T* out) {
  const Value* v = m.Find(key);
  if (v == nullptr) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(*out, read(*v));
  return Status::Ok();
}

// Reads `key` of `m` into `*out` with `read`; absent is an error.
template <typename T, typename Read>
Status Required(const MapValue& m, const std::string& key, Read read, T* out) {
  const Value* v = m.Find(key);
  CARELAKE_ASSIGN_OR_RETURN(*out, read(v == nullptr ? m.Missing(key) : *v));
  return Status::Ok();
}

Status OptionalNames(const MapValue& m, const std::string& key, std::vector<std::string>* out) {
  const Value* v = m.Find(key);
  if (v == nullptr) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadColumnNames(*v));
  *out = Texts(items);
  return Status::Ok();
}

// `name` must not repeat one in `seen` (name -> line of its first use).
Status CheckUnique(const Value& at, const std::string& name, const std::string& among,
                   std::map<std::string, int>& seen) {
  auto [it, inserted] = seen.emplace(name, at.line);
  if (inserted) return Status::Ok();
  return Expected(at, "a name unique among " + among,
                  " again (first on line " + std::to_string(it->second) + ")");
}

// ---------------------------------------------------------------------------
// Sections

Result<char> ReadChar(const Value& v, bool allow_tab_name) {
  const std::string expected =
      allow_tab_name ? "one character (or \"\\t\" or tab for a tab)" : "one character";
  CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadString(v, expected));
  if (allow_tab_name && (text == "\\t" || text == "tab")) return '\t';
  if (text.size() != 1 || text[0] == '\n' || text[0] == '\r' ||
      static_cast<unsigned char>(text[0]) >= 0x80) {
    return Expected(v, expected);
  }
  return text[0];
}

Status ReadCsv(const Value& v, Source& source) {
  static const std::vector<std::string> kKeys = {"delimiter", "quote", "escape", "header"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  auto read_delimiter = [](const Value& x) { return ReadChar(x, true); };
  auto read_char = [](const Value& x) { return ReadChar(x, false); };
  CARELAKE_RETURN_IF_ERROR(Optional(m, "delimiter", read_delimiter, &source.delimiter));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "quote", read_char, &source.quote));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "escape", read_char, &source.escape));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "header", ReadBool, &source.header));
  if (source.delimiter == source.quote) {
    const Value* at = m.Find("delimiter");
    return Expected(at != nullptr ? *at : *m.Find("quote"), "a delimiter other than the quote");
  }
  return Status::Ok();
}

Result<Source> ReadSource(const Value& v) {
  static const std::vector<std::string> kKeys = {"name",        "format",   "path", "table",
                                                 "compression", "encoding", "csv"};
  static const Choices<SourceFormat> kFormats = {{"json", SourceFormat::kJson},
                                                 {"ndjson", SourceFormat::kNdjson},
                                                 {"csv", SourceFormat::kCsv}};
  static const Choices<Compression> kCompressions = {
      {"auto", Compression::kAuto}, {"none", Compression::kNone}, {"gzip", Compression::kGzip}};
  static const Choices<Encoding> kEncodings = {{"utf-8", Encoding::kUtf8},
                                               {"latin-1", Encoding::kLatin1}};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Source source;
  source.origin = Origin{kProjectFileName, v.line};
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &source.name));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "format", [](const Value& x) { return ReadChoice(x, kFormats); }, &source.format));
  CARELAKE_RETURN_IF_ERROR(Required(
      m, "path",
      [](const Value& x) { return ReadNonEmpty(x, "a file glob such as landing/*.json"); },
      &source.path));
  source.table = source.name;
  CARELAKE_RETURN_IF_ERROR(Optional(m, "table", ReadIdentifier, &source.table));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "compression", [](const Value& x) { return ReadChoice(x, kCompressions); },
      &source.compression));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "encoding", [](const Value& x) { return ReadChoice(x, kEncodings); }, &source.encoding));
  if (const Value* csv = m.Find("csv")) {
    if (source.format != SourceFormat::kCsv) {
      return Expected(*csv, "no csv settings with format " + ToString(source.format),
                      " (csv: applies to format: csv only)");
    }
    CARELAKE_RETURN_IF_ERROR(ReadCsv(*csv, source));
  }
  return source;
}

Result<std::vector<std::pair<std::string, std::string>>> ReadFix(const Value& v) {
  const std::string expected = "a map of column: SQL expression";
  if (!v.node.IsMap() || v.node.size() == 0) return Expected(v, expected);
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, nullptr));
  std::vector<std::pair<std::string, std::string>> fix;
  for (const auto& [column, value] : m.entries()) {
    if (column.empty()) return Expected(value, "a column name");
    CARELAKE_ASSIGN_OR_RETURN(std::string sql, ReadSql(value));
    fix.emplace_back(column, std::move(sql));
  }
  return fix;
}

// A silver expectation, or (`model`) a model's: warn or fail only, no fix.
Result<Expectation> ReadExpectation(const Value& v, bool model) {
  static const std::vector<std::string> kKeys = {"name", "check", "action", "fix", "description"};
  static const Choices<ExpectationAction> kRowActions = {
      {"warn", ExpectationAction::kWarn},
      {"drop", ExpectationAction::kDrop},
      {"quarantine", ExpectationAction::kQuarantine},
      {"fail", ExpectationAction::kFail},
      {"fix", ExpectationAction::kFix}};
  static const Choices<ExpectationAction> kModelActions = {{"warn", ExpectationAction::kWarn},
                                                           {"fail", ExpectationAction::kFail}};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Expectation e;
  e.origin = Origin{kProjectFileName, v.line};
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &e.name));
  CARELAKE_RETURN_IF_ERROR(Required(m, "check", ReadSql, &e.check));
  const Choices<ExpectationAction>& actions = model ? kModelActions : kRowActions;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "action", [&actions](const Value& x) { return ReadChoice(x, actions); }, &e.action));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "description", [](const Value& x) { return ReadString(x); }, &e.description));
  const Value* fix = m.Find("fix");
  if (e.action == ExpectationAction::kFix) {
    CARELAKE_RETURN_IF_ERROR(Required(m, "fix", ReadFix, &e.fix));
  } else if (fix != nullptr) {
    return Expected(*fix,
                    model ? "no fix (model expectations warn or fail)"
                          : "no fix with action " + ToString(e.action),
                    model ? "" : " (fix: needs action: fix)");
  }
  return e;
}

Result<SilverColumn> ReadColumn(const Value& v) {
  static const std::vector<std::string> kKeys = {"name", "from", "expr", "type", "format", "pii"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  SilverColumn c;
  c.origin = Origin{kProjectFileName, v.line};
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &c.name));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "from", [](const Value& x) { return ReadNonEmpty(x, "a bronze column name"); }, &c.from));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "expr", ReadSql, &c.expr));
  if (m.Find("from") != nullptr && m.Find("expr") != nullptr) {
    return Expected(*m.Find("expr"), "either from or expr",
                    " and a from (they exclude each other)");
  }
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "type",
      [](const Value& x) { return ReadNonEmpty(x, "a DuckDB type name such as BIGINT"); },
      &c.type));
  if (const Value* format = m.Find("format")) {
    CARELAKE_ASSIGN_OR_RETURN(
        std::vector<Item> formats,
        ReadItems(*format, "a strptime format or a list of them",
                  [](const Value& x) { return ReadNonEmpty(x, "a strptime format"); }));
    c.formats = Texts(formats);
  }
  CARELAKE_RETURN_IF_ERROR(Optional(m, "pii", ReadBool, &c.pii));
  return c;
}

// `names` (`what`: "key columns", ...) must be declared columns of `table`
// when it declares any.
Status CheckDeclared(const SilverTable& table, const std::vector<Item>& names,
                     const std::string& what) {
  if (table.columns.empty()) return Status::Ok();
  std::vector<std::string> declared;
  for (const SilverColumn& c : table.columns) declared.push_back(c.name);
  for (const Item& name : names) {
    if (std::find(declared.begin(), declared.end(), name.text) != declared.end()) continue;
    return Expected(name.at,
                    what + " declared in " + table.name + ".columns (" + Join(declared) + ")",
                    Suggest(name.text, declared));
  }
  return Status::Ok();
}

Result<OnDefinitionChange> ReadOnDefinitionChange(const Value& v) {
  static const Choices<OnDefinitionChange> kChoices = {{"fail", OnDefinitionChange::kFail},
                                                       {"rebuild", OnDefinitionChange::kRebuild}};
  return ReadChoice(v, kChoices);
}

// A silver table and, for the cross-table checks, where its `from` was read.
struct SilverEntry {
  SilverTable table;
  Value from;
};

Result<SilverEntry> ReadSilverTable(const Value& v, const std::string& project_name) {
  static const std::vector<std::string> kKeys = {"name",          "domain",
                                                 "from",          "naming",
                                                 "null_tokens",   "trim",
                                                 "key",           "latest_by",
                                                 "on_type_error", "partition_by",
                                                 "columns",       "expectations",
                                                 "other_columns", "on_definition_change"};
  static const Choices<OtherColumns> kOtherColumns = {{"drop", OtherColumns::kDrop},
                                                      {"keep", OtherColumns::kKeep}};
  static const Choices<Naming> kNamings = {{"snake_case", Naming::kSnakeCase},
                                           {"as_is", Naming::kAsIs}};
  static const Choices<ExpectationAction> kTypeErrorActions = {
      {"warn", ExpectationAction::kWarn},
      {"drop", ExpectationAction::kDrop},
      {"quarantine", ExpectationAction::kQuarantine},
      {"fail", ExpectationAction::kFail}};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  SilverEntry entry;
  SilverTable& t = entry.table;
  t.origin = Origin{kProjectFileName, v.line};
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &t.name));
  t.domain = project_name;
  CARELAKE_RETURN_IF_ERROR(Optional(m, "domain", ReadIdentifier, &t.domain));
  entry.from = m.Find("from") != nullptr ? *m.Find("from") : m.Missing("from");
  CARELAKE_ASSIGN_OR_RETURN(t.from, ReadNonEmpty(entry.from, "bronze.<table> or silver.<table>"));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "naming", [](const Value& x) { return ReadChoice(x, kNamings); }, &t.naming));
  if (const Value* tokens = m.Find("null_tokens")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items,
                              ReadList(*tokens, "a list of strings such as [\"\", \"N/A\"]"));
    t.null_tokens.clear();
    for (const Value& item : items) {
      // Unquoted NULL, Null, null and ~ are YAML's null, not text.
      if (item.node.IsNull()) return Expected(item, "a string", " (quote it: \"NULL\")");
      CARELAKE_ASSIGN_OR_RETURN(std::string token, ReadString(item));
      t.null_tokens.push_back(std::move(token));
    }
  }
  CARELAKE_RETURN_IF_ERROR(Optional(m, "trim", ReadBool, &t.trim));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "other_columns", [](const Value& x) { return ReadChoice(x, kOtherColumns); },
      &t.other_columns));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "latest_by", ReadSql, &t.latest_by));
  if (const Value* odc = m.Find("on_definition_change")) {
    CARELAKE_ASSIGN_OR_RETURN(t.on_definition_change, ReadOnDefinitionChange(*odc));
  }
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "on_type_error", [](const Value& x) { return ReadChoice(x, kTypeErrorActions); },
      &t.on_type_error));

  if (const Value* columns = m.Find("columns")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(*columns, "a list of columns"));
    std::map<std::string, int> seen;
    for (const Value& item : items) {
      CARELAKE_ASSIGN_OR_RETURN(SilverColumn column, ReadColumn(item));
      CARELAKE_RETURN_IF_ERROR(
          CheckUnique(Entry(item, "name"), column.name, "the columns of " + t.name, seen));
      t.columns.push_back(std::move(column));
    }
  }

  std::vector<Item> key;
  if (const Value* v_key = m.Find("key")) {
    CARELAKE_ASSIGN_OR_RETURN(key, ReadColumnNames(*v_key));
    CARELAKE_RETURN_IF_ERROR(CheckDeclared(t, key, "key columns"));
    t.key = Texts(key);
  }
  if (!t.latest_by.empty() && t.key.empty()) {
    return Expected(*m.Find("latest_by"), "a key to go with it",
                    " without one (latest_by picks one row per key)");
  }
  if (const Value* partition = m.Find("partition_by")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadColumnNames(*partition));
    CARELAKE_RETURN_IF_ERROR(CheckDeclared(t, items, "partition columns"));
    t.partition_by = Texts(items);
  }

  if (const Value* expectations = m.Find("expectations")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items,
                              ReadList(*expectations, "a list of expectations"));
    std::set<std::string> implicit;
    for (const SilverColumn& c : t.columns) implicit.insert(c.name + "_type");
    std::map<std::string, int> seen;
    for (const Value& item : items) {
      CARELAKE_ASSIGN_OR_RETURN(Expectation e, ReadExpectation(item, /*model=*/false));
      const Value name = Entry(item, "name");
      if (implicit.count(e.name) > 0) {
        return Expected(name, "a name other than the implicit type rules <column>_type");
      }
      CARELAKE_RETURN_IF_ERROR(CheckUnique(name, e.name, "the expectations of " + t.name, seen));
      std::vector<Item> fixed;
      for (const auto& [column, sql] : e.fix) {
        const Value at = Entry(Entry(item, "fix"), column);
        fixed.push_back(Item{column, Value{YAML::Node(column), at.path, at.line}});
      }
      CARELAKE_RETURN_IF_ERROR(CheckDeclared(t, fixed, "fix columns"));
      t.expectations.push_back(std::move(e));
    }
  }
  return entry;
}

Result<Lookup> ReadLookup(const Value& v) {
  static const std::vector<std::string> kKeys = {"dimension", "on", "as_of", "as"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Lookup l;
  l.origin = Origin{kProjectFileName, v.line};
  CARELAKE_RETURN_IF_ERROR(Required(m, "dimension", ReadIdentifier, &l.dimension));
  const Value on = m.Find("on") != nullptr ? *m.Find("on") : m.Missing("on");
  const std::string expected =
      "a map of fact column: dimension key column, or column names (the same in both)";
  if (on.node.IsScalar() || on.node.IsSequence()) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> columns, ReadColumnNames(on));
    if (columns.empty()) return Expected(on, expected);
    for (const Item& c : columns) l.on.emplace_back(c.text, c.text);
  } else if (on.node.IsMap() && on.node.size() > 0) {
    CARELAKE_ASSIGN_OR_RETURN(MapValue pairs, MapValue::Read(on, nullptr));
    for (const auto& [fact_column, value] : pairs.entries()) {
      if (fact_column.empty()) return Expected(value, "a fact column name");
      CARELAKE_ASSIGN_OR_RETURN(std::string dim_column,
                                ReadNonEmpty(value, "a dimension key column"));
      l.on.emplace_back(fact_column, dim_column);
    }
  } else {
    return Expected(on, expected);
  }
  CARELAKE_RETURN_IF_ERROR(Optional(m, "as_of", ReadSql, &l.as_of));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "as", ReadIdentifier, &l.as));
  return l;
}

// The `scd` keys of a type 1 / type 2 dimension (read from the model's map).
Status ReadScd(const MapValue& m, const Value& v, Model& model) {
  Scd& scd = model.scd;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "from", [](const Value& x) { return ReadNonEmpty(x, "a table such as silver.patients"); },
      &scd.from));
  if (!scd.from.empty()) {
    static const std::regex kTable("(bronze|silver|gold)\\.[a-z_][a-z0-9_]*");
    if (!std::regex_match(scd.from, kTable)) {
      return Expected(*m.Find("from"), "a table: bronze.<name>, silver.<name> or gold.<name>");
    }
    if (m.Find("sql") != nullptr) {
      return Expected(*m.Find("sql"), "either from or sql",
                      " and a from (they exclude each other)");
    }
  }
  CARELAKE_RETURN_IF_ERROR(Required(
      m, "key",
      [](const Value& x) -> Result<std::vector<std::string>> {
        CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadColumnNames(x));
        if (items.empty()) return Expected(x, "the natural key columns of the dimension");
        return Texts(items);
      },
      &model.key));
  CARELAKE_RETURN_IF_ERROR(Required(m, "sequence_by", ReadSql, &scd.sequence_by));
  CARELAKE_RETURN_IF_ERROR(OptionalNames(m, "track", &scd.track));
  CARELAKE_RETURN_IF_ERROR(OptionalNames(m, "track_except", &scd.track_except));
  if (m.Find("track") != nullptr && m.Find("track_except") != nullptr) {
    return Expected(*m.Find("track_except"), "either track or track_except",
                    " and a track (they exclude each other)");
  }
  CARELAKE_RETURN_IF_ERROR(OptionalNames(m, "except", &scd.except));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "delete_when", ReadSql, &scd.delete_when));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "ignore_null_updates", ReadBool, &scd.ignore_null_updates));
  const bool type2 = model.materialized == Materialization::kScd2;
  for (const char* key : {"surrogate_key", "unknown_member"}) {
    if (!type2 && m.Find(key) != nullptr) {
      return Expected(*m.Find(key), std::string("no ") + key + " with materialized: scd1",
                      " (it applies to scd2)");
    }
  }
  scd.surrogate_key = model.name;
  if (scd.surrogate_key.rfind("dim_", 0) == 0) scd.surrogate_key = scd.surrogate_key.substr(4);
  scd.surrogate_key += "_sk";
  CARELAKE_RETURN_IF_ERROR(Optional(m, "surrogate_key", ReadIdentifier, &scd.surrogate_key));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "unknown_member", ReadBool, &scd.unknown_member));
  // The names the dimension adds must not collide with the change rows'.
  for (const std::vector<std::string>* list : {&scd.track, &scd.track_except, &scd.except}) {
    for (const std::string& c : *list) {
      if (std::find(model.key.begin(), model.key.end(), c) != model.key.end()) {
        return Error(v.line, "",
                     "model '" + model.name + "': key column '" + c +
                         "' cannot be listed in track, track_except or except");
      }
    }
  }
  return Status::Ok();
}

// A date as YYYY-MM-DD.
Result<std::string> ReadDate(const Value& v) {
  static const std::regex kDate("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  const std::string expected = "a date YYYY-MM-DD";
  if (!v.node.IsScalar() || !std::regex_match(v.node.Scalar(), kDate)) return Expected(v, expected);
  const std::string& text = v.node.Scalar();
  const int month = std::stoi(text.substr(5, 2)), day = std::stoi(text.substr(8, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31) return Expected(v, expected);
  return text;
}

Result<Model> ReadModel(const Value& v, const std::string& project_name, Value* sql_at) {
  static const std::vector<std::string> kKeys = {"name",
                                                 "domain",
                                                 "sql",
                                                 "materialized",
                                                 "strategy",
                                                 "key",
                                                 "partition_by",
                                                 "expectations",
                                                 "lookups",
                                                 "from",
                                                 "sequence_by",
                                                 "track",
                                                 "track_except",
                                                 "except",
                                                 "delete_when",
                                                 "ignore_null_updates",
                                                 "surrogate_key",
                                                 "unknown_member",
                                                 "start",
                                                 "end",
                                                 "on_definition_change"};
  static const Choices<Materialization> kMaterializations = {
      {"full", Materialization::kFull},
      {"incremental", Materialization::kIncremental},
      {"scd1", Materialization::kScd1},
      {"scd2", Materialization::kScd2},
      {"date_dimension", Materialization::kDateDimension},
      {"time_dimension", Materialization::kTimeDimension}};
  static const Choices<IncrementalStrategy> kStrategies = {{"append", IncrementalStrategy::kAppend},
                                                           {"merge", IncrementalStrategy::kMerge}};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Model model;
  model.origin = Origin{kProjectFileName, v.line};
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &model.name));
  model.domain = project_name;
  CARELAKE_RETURN_IF_ERROR(Optional(m, "domain", ReadIdentifier, &model.domain));
  model.sql_file = std::string(kModelsDir) + "/" + model.name + ".sql";
  *sql_at = m.Find("sql") != nullptr ? *m.Find("sql") : m.Missing("sql");
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "sql", [](const Value& x) { return ReadNonEmpty(x, "a .sql file path"); },
      &model.sql_file));
  if (m.Find("sql") == nullptr) sql_at->line = v.line;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "materialized", [](const Value& x) { return ReadChoice(x, kMaterializations); },
      &model.materialized));
  const std::string materialized =
      m.Find("materialized") != nullptr ? m.Find("materialized")->node.Scalar() : "full";
  // Keys that belong to other materializations.
  const bool scd = model.IsScd();
  const bool date = model.materialized == Materialization::kDateDimension;
  for (const auto& [key, value] : m.entries()) {
    static const std::set<std::string> kScdKeys = {
        "from",        "sequence_by",         "track",         "track_except",  "except",
        "delete_when", "ignore_null_updates", "surrogate_key", "unknown_member"};
    const bool allowed = kScdKeys.count(key)              ? scd
                         : key == "start" || key == "end" ? date
                         : key == "strategy" ? model.materialized == Materialization::kIncremental
                         : key == "lookups" || key == "partition_by" ? !scd && !model.IsGenerated()
                         : key == "sql"                              ? !model.IsGenerated()
                                                                     : true;
    if (!allowed) {
      return Expected(value, "no " + key + " with materialized: " + materialized,
                      key == "strategy" ? " (strategy applies to incremental models)" : "");
    }
  }
  if (const Value* strategy = m.Find("strategy")) {
    CARELAKE_ASSIGN_OR_RETURN(model.strategy, ReadChoice(*strategy, kStrategies));
  }
  if (const Value* odc = m.Find("on_definition_change")) {
    CARELAKE_ASSIGN_OR_RETURN(model.on_definition_change, ReadOnDefinitionChange(*odc));
  }
  const bool merge = model.materialized == Materialization::kIncremental &&
                     model.strategy == IncrementalStrategy::kMerge;
  if (scd) {
    CARELAKE_RETURN_IF_ERROR(ReadScd(m, v, model));
    if (!model.scd.from.empty()) {
      model.sql_file.clear();
      model.sql = "SELECT * FROM new_rows(" + model.scd.from + ")";
    }
  } else if (const Value* key = m.Find("key")) {
    if (!merge) return Expected(*key, "no key", " (key applies to strategy: merge and scd only)");
  }
  if (merge) {
    CARELAKE_RETURN_IF_ERROR(Required(
        m, "key",
        [](const Value& x) -> Result<std::vector<std::string>> {
          CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadColumnNames(x));
          if (items.empty()) return Expected(x, "the key columns of the merge");
          return Texts(items);
        },
        &model.key));
  }
  if (date) {
    CARELAKE_RETURN_IF_ERROR(Required(m, "start", ReadDate, &model.date_start));
    CARELAKE_RETURN_IF_ERROR(Required(m, "end", ReadDate, &model.date_end));
    if (model.date_end < model.date_start) {
      return Expected(*m.Find("end"), "a date on or after start " + model.date_start);
    }
  }
  if (model.IsGenerated()) model.sql_file.clear();
  if (m.Find("lookups") != nullptr && model.materialized == Materialization::kIncremental &&
      !merge) {
    return Expected(*m.Find("lookups"), "no lookups with strategy: append",
                    " (stored rows are looked up again when a dimension changes: use strategy: "
                    "merge with a key)");
  }
  CARELAKE_RETURN_IF_ERROR(OptionalNames(m, "partition_by", &model.partition_by));
  if (const Value* lookups = m.Find("lookups")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(*lookups, "a list of lookups"));
    std::map<std::string, int> seen;
    for (const Value& item : items) {
      CARELAKE_ASSIGN_OR_RETURN(Lookup l, ReadLookup(item));
      model.lookups.push_back(std::move(l));
    }
  }
  if (const Value* expectations = m.Find("expectations")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items,
                              ReadList(*expectations, "a list of expectations"));
    std::map<std::string, int> seen;
    for (const Value& item : items) {
      CARELAKE_ASSIGN_OR_RETURN(Expectation e, ReadExpectation(item, /*model=*/true));
      CARELAKE_RETURN_IF_ERROR(
          CheckUnique(Entry(item, "name"), e.name, "the expectations of " + model.name, seen));
      model.expectations.push_back(std::move(e));
    }
  }
  return model;
}

// ---------------------------------------------------------------------------
// Files

fs::path Normal(const fs::path& path) {
  fs::path normal = fs::absolute(path).lexically_normal();
  if (normal.has_parent_path() && !normal.has_filename()) normal = normal.parent_path();
  return normal;
}

enum class ReadOutcome { kOk, kNotFound, kNotAFile, kUnreadable };

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

// Reads the model's SQL file into model.sql; `at` is where the file was named
// (for messages), or the model file itself when `at` is null.
Status ReadModelSql(const fs::path& dir, const Value* at, Model& model) {
  std::string text;
  const ReadOutcome outcome = ReadText(dir / model.sql_file, &text);
  std::string problem;
  switch (outcome) {
    case ReadOutcome::kOk:
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) problem = "is empty";
      break;
    case ReadOutcome::kNotFound:
      problem = "not found";
      break;
    case ReadOutcome::kNotAFile:
      problem = "is not a file";
      break;
    case ReadOutcome::kUnreadable:
      problem = "cannot be read";
      break;
  }
  if (problem.empty()) {
    model.sql = std::move(text);
    return Status::Ok();
  }
  if (at == nullptr) return ErrorAt(model.sql_file, 0, "", "the model's SQL file " + problem);
  return Error(at->line, at->path, "file '" + model.sql_file + "' " + problem);
}

// `models/*.sql` files no declared model reads become full models.
Status DiscoverModels(const fs::path& dir, Project& project) {
  std::error_code ec;
  const fs::path models_dir = dir / kModelsDir;
  if (!fs::is_directory(models_dir, ec)) return Status::Ok();
  std::set<fs::path> used;
  for (const Model& m : project.models) used.insert(Normal(dir / m.sql_file));
  std::vector<fs::path> files;
  for (fs::directory_iterator it(models_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& file = it->path();
    if (file.extension() != ".sql" || file.filename().string().front() == '.') continue;
    if (!it->is_regular_file(ec) || used.count(Normal(file)) > 0) continue;
    files.push_back(file);
  }
  if (ec) return IoError("cannot list '" + models_dir.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    Model model;
    model.sql_file = std::string(kModelsDir) + "/" + file.filename().string();
    model.origin = Origin{model.sql_file, 0};
    const std::string stem = file.stem().string();
    if (!IsIdentifier(stem)) {
      const std::string snake = SnakeCase(stem);
      return ErrorAt(model.sql_file, 0, "",
                     "the file name is the model name: expected " + std::string(kIdentifierRule) +
                         "; got " + Quote(stem) +
                         (IsIdentifier(snake) ? " (rename it to " + snake + ".sql)" : ""));
    }
    if (const Model* declared = project.FindModel(stem)) {
      return ErrorAt(model.sql_file, 0, "",
                     "the file name is the model name: expected a name not declared in " +
                         std::string(kProjectFileName) + "; got " + Quote(stem) + " (declared on " +
                         declared->origin.ToString() + " with sql: " + declared->sql_file + ")");
    }
    model.name = stem;
    model.domain = project.name;
    CARELAKE_RETURN_IF_ERROR(ReadModelSql(dir, nullptr, model));
    project.models.push_back(std::move(model));
  }
  return Status::Ok();
}

// `from` of every silver table names a source's table or another silver
// table, and silver tables do not read each other in a cycle.
Status CheckSilverSources(const Project& project, const std::vector<Value>& from_at) {
  std::vector<std::string> choices;
  for (const Source& s : project.sources) choices.push_back("bronze." + s.table);
  for (const SilverTable& t : project.silver) choices.push_back("silver." + t.name);
  for (size_t i = 0; i < project.silver.size(); ++i) {
    const SilverTable& t = project.silver[i];
    const std::string expected = "bronze.<a source's table> or silver.<another silver table>";
    if (t.from == "silver." + t.name) return Expected(from_at[i], expected, " (itself)");
    if (std::find(choices.begin(), choices.end(), t.from) == choices.end()) {
      const std::string known = choices.empty() ? "" : " (one of " + Join(choices) + ")";
      return Expected(from_at[i], expected + known, Suggest(t.from, choices));
    }
  }
  for (size_t i = 0; i < project.silver.size(); ++i) {
    std::vector<std::string> chain = {project.silver[i].name};
    const SilverTable* t = &project.silver[i];
    while (t->from.rfind("silver.", 0) == 0) {
      t = project.FindSilver(t->from.substr(7));
      chain.push_back(t->name);
      if (t == &project.silver[i]) {
        return Expected(from_at[i], "tables that do not read each other in a cycle",
                        " (" + Join(chain, " <- ") + ")");
      }
      if (chain.size() > project.silver.size() + 1) break;  // a cycle not through i
    }
  }
  return Status::Ok();
}

// Every lookup names a type 2 dimension of the project; its output column
// defaults to the dimension's surrogate key and is unique in the model.
Status CheckLookups(Project& project) {
  for (Model& model : project.models) {
    std::set<std::string> outputs;
    for (Lookup& l : model.lookups) {
      const Model* dim = project.FindModel(l.dimension);
      const std::string where = "model '" + model.name + "': lookup of '" + l.dimension + "'";
      if (dim == nullptr || dim->materialized != Materialization::kScd2) {
        std::vector<std::string> dims;
        for (const Model& d : project.models) {
          if (d.materialized == Materialization::kScd2) dims.push_back(d.name);
        }
        return Error(l.origin.line, "",
                     where + ": expected a model with materialized: scd2" +
                         (dims.empty() ? std::string(" (the project has none)")
                                       : " (one of " + Join(dims) + ")") +
                         Suggest(l.dimension, dims));
      }
      if (dim == &model) return Error(l.origin.line, "", where + ": a model cannot look up itself");
      for (const auto& [fact_column, dim_column] : l.on) {
        if (std::find(dim->key.begin(), dim->key.end(), dim_column) == dim->key.end()) {
          return Error(l.origin.line, "",
                       where + ": on: expected key columns of " + l.dimension + " (" +
                           Join(dim->key) + "); got '" + dim_column + "'");
        }
      }
      if (l.on.size() != dim->key.size()) {
        return Error(l.origin.line, "",
                     where + ": on: expected every key column of " + l.dimension + " (" +
                         Join(dim->key) + ")");
      }
      l.surrogate_key = dim->scd.surrogate_key;
      if (l.as.empty()) l.as = dim->scd.surrogate_key;
      if (!outputs.insert(l.as).second) {
        return Error(l.origin.line, "",
                     where + ": expected a unique output column; got '" + l.as +
                         "' again (name it with as:)");
      }
    }
  }
  return Status::Ok();
}

Result<Project> ReadProject(const YAML::Node& document, const fs::path& dir) {
  static const std::vector<std::string> kKeys = {"name",   "lake",   "sources",
                                                 "silver", "models", "on_definition_change"};
  Project project;
  project.dir = dir.string();
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(Value{document, "", 1}, kKeys));
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &project.name));
  std::string lake = "lake";
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "lake", [](const Value& x) { return ReadNonEmpty(x, "a folder path"); }, &lake));
  project.lake = Normal(dir / lake).string();
  if (const Value* odc = m.Find("on_definition_change")) {
    CARELAKE_ASSIGN_OR_RETURN(project.on_definition_change, ReadOnDefinitionChange(*odc));
  }

  if (const Value* sources = m.Find("sources")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(*sources, "a list of sources"));
    std::map<std::string, int> names, tables;
    for (const Value& item : items) {
      CARELAKE_ASSIGN_OR_RETURN(Source source, ReadSource(item));
      CARELAKE_RETURN_IF_ERROR(CheckUnique(Entry(item, "name"), source.name, "sources", names));
      const Value table = Entry(item, "table");
      CARELAKE_RETURN_IF_ERROR(CheckUnique(table.node.IsMap() ? Entry(item, "name") : table,
                                           source.table, "the bronze tables of sources", tables));
      project.sources.push_back(std::move(source));
    }
  }

  std::vector<Value> from_at;
  if (const Value* silver = m.Find("silver")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items,
                              ReadList(*silver, "a list of silver tables"));
    std::map<std::string, int> names;
    for (const Value& item : items) {
      CARELAKE_ASSIGN_OR_RETURN(SilverEntry entry, ReadSilverTable(item, project.name));
      CARELAKE_RETURN_IF_ERROR(
          CheckUnique(Entry(item, "name"), entry.table.name, "silver tables", names));
      project.silver.push_back(std::move(entry.table));
      from_at.push_back(std::move(entry.from));
    }
  }
  CARELAKE_RETURN_IF_ERROR(CheckSilverSources(project, from_at));

  if (const Value* models = m.Find("models")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(*models, "a list of models"));
    std::map<std::string, int> names;
    for (const Value& item : items) {
      Value sql_at;
      CARELAKE_ASSIGN_OR_RETURN(Model model, ReadModel(item, project.name, &sql_at));
      CARELAKE_RETURN_IF_ERROR(CheckUnique(Entry(item, "name"), model.name, "models", names));
      if (!model.sql_file.empty()) CARELAKE_RETURN_IF_ERROR(ReadModelSql(dir, &sql_at, model));
      project.models.push_back(std::move(model));
    }
  }
  CARELAKE_RETURN_IF_ERROR(DiscoverModels(dir, project));
  CARELAKE_RETURN_IF_ERROR(CheckLookups(project));
  return project;
}

}  // namespace

std::string Origin::ToString() const { return line > 0 ? file + ":" + std::to_string(line) : file; }

const Source* Project::FindSourceByTable(const std::string& table) const {
  for (const Source& s : sources) {
    if (s.table == table) return &s;
  }
  return nullptr;
}

const SilverTable* Project::FindSilver(const std::string& name) const {
  for (const SilverTable& t : silver) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const Model* Project::FindModel(const std::string& name) const {
  for (const Model& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Result<Project> LoadProject(const std::string& dir, const std::string& lake) {
  const std::string shown = dir.empty() ? "." : dir;
  const fs::path project_dir = Normal(shown);
  const fs::path file = project_dir / kProjectFileName;
  std::string text;
  switch (ReadText(file, &text)) {
    case ReadOutcome::kOk:
      break;
    case ReadOutcome::kNotFound:
      return NotFound("no " + std::string(kProjectFileName) + " in '" + shown + "' (looked for " +
                      file.string() + "); create a project with `carelake init " + shown + "`");
    case ReadOutcome::kNotAFile:
      return InvalidArgument(file.string() + " is not a file");
    case ReadOutcome::kUnreadable:
      return IoError("cannot read " + file.string());
  }
  // yaml-cpp reports syntax errors (and, defensively, misuse) by exceptions;
  // they stop here.
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1) {
      return Error(documents[1].Mark().line + 1, "",
                   "expected one YAML document; got " + std::to_string(documents.size()));
    }
    CARELAKE_ASSIGN_OR_RETURN(
        Project project, ReadProject(documents.empty() ? YAML::Node() : documents[0], project_dir));
    if (!lake.empty()) project.lake = Normal(lake).string();
    return project;
  } catch (const YAML::Exception& e) {
    return Error(e.mark.is_null() ? 0 : e.mark.line + 1, "", "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Internal(std::string(kProjectFileName) + ": " + e.what());
  }
}

std::string SnakeCase(const std::string& name) {
  auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_alnum = [&](char c) { return is_upper(c) || is_lower(c) || is_digit(c); };
  std::string out;
  bool pending_separator = false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!is_alnum(c)) {
      pending_separator = !out.empty();
      continue;
    }
    if (i > 0 && is_upper(c) && !pending_separator) {
      const char prev = name[i - 1];
      const bool next_lower = i + 1 < name.size() && is_lower(name[i + 1]);
      // "patientAge", "top10Items": a capital after a lower case letter or a
      // digit starts a word; "HTTPCode": so does the last capital of a run
      // that a lower case letter follows.
      if (is_lower(prev) || is_digit(prev) || (is_upper(prev) && next_lower)) {
        pending_separator = true;
      }
    }
    if (pending_separator) out += '_';
    pending_separator = false;
    out += is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (!out.empty() && is_digit(out[0])) out.insert(out.begin(), '_');
  return out;
}

std::string ToString(ExpectationAction action) {
  switch (action) {
    case ExpectationAction::kWarn:
      return "warn";
    case ExpectationAction::kDrop:
      return "drop";
    case ExpectationAction::kQuarantine:
      return "quarantine";
    case ExpectationAction::kFail:
      return "fail";
    case ExpectationAction::kFix:
      return "fix";
  }
  return "unknown";
}

std::string ToString(SourceFormat format) {
  switch (format) {
    case SourceFormat::kCsv:
      return "csv";
    case SourceFormat::kJson:
      return "json";
    case SourceFormat::kNdjson:
      return "ndjson";
  }
  return "unknown";
}

}  // namespace carelake::project
