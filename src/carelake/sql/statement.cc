#include "carelake/sql/statement.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace carelake::sql {
namespace {

using json = nlohmann::json;

constexpr size_t kNoLocation = std::numeric_limits<size_t>::max();

size_t LocationOf(const json& node) {
  auto it = node.find("query_location");
  if (it == node.end() || !it->is_number_unsigned()) return kNoLocation;
  const uint64_t v = it->get<uint64_t>();
  return v == std::numeric_limits<uint64_t>::max() ? kNoLocation : static_cast<size_t>(v);
}

std::string StringField(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The end of the (possibly quoted, possibly dotted) name starting at `pos`.
size_t NameEnd(const std::string& text, size_t pos) {
  size_t i = pos;
  const size_t n = text.size();
  while (i < n) {
    if (text[i] == '"') {
      for (++i; i < n; ++i) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            ++i;
          } else {
            ++i;
            break;
          }
        }
      }
    } else if (IsIdentChar(text[i])) {
      while (i < n && IsIdentChar(text[i])) ++i;
    } else {
      break;
    }
    size_t j = i;
    while (j < n && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j >= n || text[j] != '.') break;
    ++j;
    while (j < n && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    i = j;
  }
  return i;
}

// The end of the parenthesized argument list of the call starting at `pos`
// (just past its closing parenthesis); npos when unbalanced.
size_t CallEnd(const std::string& text, size_t pos) {
  size_t i = text.find('(', pos);
  if (i == std::string::npos) return i;
  int depth = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      for (++i; i < text.size() && text[i] != c; ++i) {
      }
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return i + 1;
    }
  }
  return std::string::npos;
}

class RefCollector {
 public:
  explicit RefCollector(const std::string& text) : text_(text) {}

  void Walk(const json& node) {
    if (node.is_array()) {
      for (const json& child : node) Walk(child);
      return;
    }
    if (!node.is_object()) return;
    // Common table expressions declared here are in scope below (their own
    // bodies included: a recursive CTE reads itself).
    size_t scopes = 0;
    auto cte = node.find("cte_map");
    if (cte != node.end() && cte->is_object() && cte->contains("map")) {
      std::set<std::string> names;
      for (const json& entry : (*cte)["map"]) names.insert(Lower(StringField(entry, "key")));
      ctes_.push_back(std::move(names));
      scopes = 1;
    }
    const std::string type = StringField(node, "type");
    if (type == "BASE_TABLE") {
      AddBaseTable(node);
    } else if (type == "TABLE_FUNCTION" && AddNewRows(node)) {
      // new_rows(x): x is the reference; nothing else to see inside.
    } else {
      for (auto it = node.begin(); it != node.end(); ++it) Walk(it.value());
    }
    if (scopes) ctes_.pop_back();
  }

  std::vector<TableRef> Take() { return std::move(refs_); }

 private:
  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  }

  bool IsCte(const std::string& name) const {
    const std::string lower = Lower(name);
    return std::any_of(ctes_.begin(), ctes_.end(),
                       [&lower](const std::set<std::string>& s) { return s.count(lower) > 0; });
  }

  void AddBaseTable(const json& node) {
    TableRef ref;
    ref.catalog = StringField(node, "catalog_name");
    ref.schema = StringField(node, "schema_name");
    ref.name = StringField(node, "table_name");
    ref.alias = StringField(node, "alias");
    if (ref.catalog.empty() && ref.schema.empty() && IsCte(ref.name)) return;
    const size_t at = LocationOf(node);
    if (at != kNoLocation && at < text_.size()) {
      ref.begin = at;
      ref.end = NameEnd(text_, at);
    }
    refs_.push_back(std::move(ref));
  }

  bool AddNewRows(const json& node) {
    auto fn = node.find("function");
    if (fn == node.end() || !fn->is_object()) return false;
    if (Lower(StringField(*fn, "function_name")) != "new_rows") return false;
    auto children = fn->find("children");
    if (children == fn->end() || !children->is_array() || children->size() != 1) return false;
    const json& arg = (*children)[0];
    if (StringField(arg, "class") != "COLUMN_REF") return false;
    const json& names = arg["column_names"];
    if (!names.is_array() || names.empty() || names.size() > 3) return false;
    TableRef ref;
    ref.new_rows = true;
    ref.name = names.back().get<std::string>();
    if (names.size() >= 2) ref.schema = names[names.size() - 2].get<std::string>();
    if (names.size() == 3) ref.catalog = names[0].get<std::string>();
    ref.alias = StringField(node, "alias");
    const size_t at = LocationOf(node);
    if (at != kNoLocation && at < text_.size()) {
      ref.begin = at;
      const size_t end = CallEnd(text_, at);
      ref.end = end == std::string::npos ? text_.size() : end;
    }
    refs_.push_back(std::move(ref));
    return true;
  }

  const std::string& text_;
  std::vector<std::set<std::string>> ctes_;
  std::vector<TableRef> refs_;
};

void StripLocations(json& node) {
  if (node.is_array()) {
    for (json& child : node) StripLocations(child);
  } else if (node.is_object()) {
    node.erase("query_location");
    for (auto it = node.begin(); it != node.end(); ++it) StripLocations(it.value());
  }
}

}  // namespace

Result<Statement> Parse(engine::Connection& conn, const std::string& sql, SyntaxError* error) {
  CARELAKE_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      conn.Query("SELECT json_serialize_sql($1::VARCHAR, skip_null := true, skip_empty := true)",
                 sql));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  if (rows.empty() || rows[0].empty()) return Internal("json_serialize_sql returned no row");
  json tree = json::parse(rows[0][0].GetString(), nullptr, false);
  if (!tree.is_object()) return Internal("json_serialize_sql returned no JSON object");
  if (tree.value("error", false)) {
    SyntaxError e;
    e.message = StringField(tree, "error_message");
    const std::string position = StringField(tree, "position");
    if (!position.empty()) e.offset = std::min<size_t>(std::stoull(position), sql.size());
    if (StringField(tree, "error_type") == "not implemented") {
      e.message = "expected a SELECT statement (" + e.message + ")";
    }
    if (error != nullptr) *error = e;
    return InvalidArgument(e.message);
  }
  Statement statement;
  RefCollector collector(sql);
  collector.Walk(tree["statements"]);
  statement.tables = collector.Take();
  StripLocations(tree);
  statement.normalized = tree.dump();
  return statement;
}

Result<std::string> NormalizeExpression(engine::Connection& conn, const std::string& expr) {
  CARELAKE_ASSIGN_OR_RETURN(Statement s, Parse(conn, "SELECT " + expr));
  return s.normalized;
}

LineColumn LocateOffset(const std::string& text, size_t offset) {
  LineColumn lc;
  offset = std::min(offset, text.size());
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++lc.column;  // count characters, not UTF-8 continuation bytes
    }
  }
  return lc;
}

std::string PointAt(const std::string& file, const std::string& text, size_t offset,
                    const std::string& message) {
  offset = std::min(offset, text.size());
  const LineColumn lc = LocateOffset(text, offset);
  size_t line_begin = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
  line_begin = line_begin == std::string::npos ? 0 : line_begin + 1;
  size_t line_end = text.find('\n', offset);
  if (line_end == std::string::npos) line_end = text.size();
  std::string line = text.substr(line_begin, line_end - line_begin);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::string caret;
  for (size_t i = line_begin; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    caret += text[i] == '\t' ? '\t' : ' ';
  }
  return file + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": " + message +
         "\n  " + line + "\n  " + caret + "^";
}

size_t ErrorOffset(const std::string& message, const std::string& query) {
  const size_t at = message.rfind("\nLINE ");
  if (at == std::string::npos) return std::string::npos;
  size_t i = at + 6;
  size_t line_number = 0;
  while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) {
    line_number = line_number * 10 + static_cast<size_t>(message[i] - '0');
    ++i;
  }
  if (line_number == 0 || message.compare(i, 2, ": ") != 0) return std::string::npos;
  const size_t indicator = i + 2 - (at + 1);  // "LINE n: "
  const size_t snippet_begin = i + 2;
  size_t snippet_end = message.find('\n', snippet_begin);
  if (snippet_end == std::string::npos) return std::string::npos;
  std::string snippet = message.substr(snippet_begin, snippet_end - snippet_begin);
  size_t caret_line_end = message.find('\n', snippet_end + 1);
  if (caret_line_end == std::string::npos) caret_line_end = message.size();
  const std::string caret_line = message.substr(snippet_end + 1, caret_line_end - snippet_end - 1);
  const size_t caret = caret_line.find('^');
  if (caret == std::string::npos || caret < indicator) return std::string::npos;
  size_t column = caret - indicator;  // in characters of the snippet
  // The query's line `line_number`.
  size_t line_begin = 0;
  for (size_t n = 1; n < line_number; ++n) {
    line_begin = query.find('\n', line_begin);
    if (line_begin == std::string::npos) return std::string::npos;
    ++line_begin;
  }
  size_t line_end = query.find('\n', line_begin);
  if (line_end == std::string::npos) line_end = query.size();
  const std::string line = query.substr(line_begin, line_end - line_begin);
  // The snippet may be cut at either end ("..."), around the error.
  size_t within = 0;
  if (snippet.rfind("...", 0) == 0 && line.rfind("...", 0) != 0) {
    snippet.erase(0, 3);
    if (column < 3) return std::string::npos;
    column -= 3;
    const std::string probe = snippet.substr(0, std::min<size_t>(snippet.size(), 20));
    within = line.find(probe);
    if (within == std::string::npos) return std::string::npos;
  }
  // Characters -> bytes from `within`.
  size_t pos = line_begin + within;
  for (size_t chars = 0; pos < line_end && chars < column; ++chars) {
    ++pos;
    while (pos < line_end && (static_cast<unsigned char>(query[pos]) & 0xC0) == 0x80) ++pos;
  }
  return std::min(pos, query.size());
}

std::string WithoutErrorContext(const std::string& message) {
  const size_t at = message.rfind("\n\nLINE ");
  std::string out = at == std::string::npos ? message : message.substr(0, at);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace carelake::sql
