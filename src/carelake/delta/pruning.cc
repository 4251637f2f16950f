#include "carelake/delta/pruning.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "carelake/delta/scan.h"
#include "carelake/delta/stats.h"

namespace carelake::delta {

namespace {

using nlohmann::json;

enum class Kind { kWord, kQuoted, kString, kNumber, kSymbol, kEnd };

struct Token {
  Kind kind;
  std::string text;   // as written
  std::string lower;  // words: lower-cased; quoted identifiers: unquoted
};

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         (static_cast<unsigned char>(c) & 0x80);
}

// The tokens of `sql`, ending with kEnd; an unterminated literal ends the
// list early.
std::vector<Token> Tokenize(std::string_view sql) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == '\'' || c == '"') {
      size_t j = i + 1;
      std::string body;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            body += c;
            j += 2;
            continue;
          }
          break;
        }
        body += sql[j++];
      }
      if (j >= sql.size()) break;  // unterminated
      out.push_back(
          {c == '\'' ? Kind::kString : Kind::kQuoted, std::string(sql.substr(i, j + 1 - i)), body});
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < sql.size() &&
                std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      size_t j = i;
      while (j < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '.' ||
              ((sql[j] == '+' || sql[j] == '-') && (sql[j - 1] == 'e' || sql[j - 1] == 'E')))) {
        ++j;
      }
      out.push_back({Kind::kNumber, std::string(sql.substr(i, j - i)), ""});
      i = j;
    } else if (IsIdentChar(c)) {
      size_t j = i;
      while (j < sql.size() && IsIdentChar(sql[j])) ++j;
      std::string word(sql.substr(i, j - i)), lower = word;
      for (char& w : lower) w = static_cast<char>(std::tolower(static_cast<unsigned char>(w)));
      out.push_back({Kind::kWord, word, lower});
      i = j;
    } else {
      static const char* kTwo[] = {"<=", ">=", "<>", "!=", "::", "=>", "||"};
      std::string sym(1, c);
      for (const char* t : kTwo) {
        if (sql.substr(i, 2) == t) sym = t;
      }
      out.push_back({Kind::kSymbol, sym, sym});
      i += sym.size();
    }
  }
  out.push_back({Kind::kEnd, "", ""});
  return out;
}

bool IsWord(const Token& t, const char* w) { return t.kind == Kind::kWord && t.lower == w; }

// The offset after the quoted literal or identifier starting at `i`.
size_t SkipQuoted(std::string_view sql, size_t i) {
  const char q = sql[i];
  for (++i; i < sql.size(); ++i) {
    if (sql[i] == q) {
      if (i + 1 < sql.size() && sql[i + 1] == q) {
        ++i;
        continue;
      }
      return i + 1;
    }
  }
  return sql.size();
}

bool KeywordAt(std::string_view sql, size_t i, std::string_view kw) {
  if (i + kw.size() > sql.size()) return false;
  if (i > 0 && IsIdentChar(sql[i - 1])) return false;
  for (size_t k = 0; k < kw.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(sql[i + k])) != kw[k]) return false;
  }
  return i + kw.size() == sql.size() || !IsIdentChar(sql[i + kw.size()]);
}

// A literal at tokens[i...]: number, string, -number, or TYPE 'text'.
// Returns the SQL text and advances `i`, or nullopt.
std::optional<std::string> Literal(const std::vector<Token>& t, size_t& i) {
  if (t[i].kind == Kind::kNumber || t[i].kind == Kind::kString) return t[i++].text;
  if (t[i].kind == Kind::kSymbol && t[i].text == "-" && t[i + 1].kind == Kind::kNumber) {
    i += 2;
    return "-" + t[i - 1].text;
  }
  if (t[i].kind == Kind::kWord && t[i + 1].kind == Kind::kString) {
    static const char* kTypes[] = {"date", "timestamp", "timestamptz", "decimal", "time"};
    for (const char* ty : kTypes) {
      if (t[i].lower == ty) {
        i += 2;
        return t[i - 2].text + " " + t[i - 1].text;
      }
    }
  }
  if (IsWord(t[i], "true") || IsWord(t[i], "false")) return t[i++].text;
  return std::nullopt;
}

// A column reference at tokens[i...]: name, or alias.name when `alias` is
// the qualifier (another qualifier may name an outer query's table).
std::optional<std::string> ColumnRef(const std::vector<Token>& t, size_t& i,
                                     const std::string& alias) {
  auto name = [&](const Token& tok) -> std::optional<std::string> {
    if (tok.kind == Kind::kWord) return tok.text;
    if (tok.kind == Kind::kQuoted) return tok.lower;
    return std::nullopt;
  };
  auto first = name(t[i]);
  if (!first) return std::nullopt;
  if (t[i + 1].kind == Kind::kSymbol && t[i + 1].text == ".") {
    auto second = name(t[i + 2]);
    std::string qualifier = *first;
    for (char& ch : qualifier) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!second || alias.empty() || qualifier != alias) return std::nullopt;
    i += 3;
    return second;
  }
  ++i;
  return first;
}

std::optional<SimplePredicate> ParseConjunct(const std::vector<Token>& t, const Schema& schema,
                                             const std::string& alias) {
  size_t i = 0;
  auto col = ColumnRef(t, i, alias);
  if (!col) return std::nullopt;
  const Field* field = schema.Find(*col);
  if (field == nullptr || !field->type.is_string()) return std::nullopt;
  SimplePredicate p;
  p.column = field->name;
  const Token& op = t[i];
  if (op.kind == Kind::kSymbol &&
      (op.text == "=" || op.text == "<" || op.text == "<=" || op.text == ">" || op.text == ">=")) {
    ++i;
    auto lit = Literal(t, i);
    if (!lit) return std::nullopt;
    p.op = op.text;
    p.literals.push_back(*lit);
  } else if (IsWord(op, "between")) {
    ++i;
    auto lo = Literal(t, i);
    if (!lo || !IsWord(t[i], "and")) return std::nullopt;
    ++i;
    auto hi = Literal(t, i);
    if (!hi) return std::nullopt;
    p.op = "between";
    p.literals = {*lo, *hi};
  } else if (IsWord(op, "in") && t[i + 1].text == "(") {
    i += 2;
    p.op = "in";
    while (true) {
      auto lit = Literal(t, i);
      if (!lit) return std::nullopt;
      p.literals.push_back(*lit);
      if (t[i].text == ",") {
        ++i;
        continue;
      }
      if (t[i].text != ")") return std::nullopt;
      ++i;
      break;
    }
  } else if (IsWord(op, "is") && IsWord(t[i + 1], "null")) {
    i += 2;
    p.op = "is null";
  } else if (IsWord(op, "is") && IsWord(t[i + 1], "not") && IsWord(t[i + 2], "null")) {
    i += 3;
    p.op = "is not null";
  } else {
    return std::nullopt;
  }
  if (t[i].kind != Kind::kEnd) return std::nullopt;  // more follows: not simple
  return p;
}

}  // namespace

std::optional<WhereClause> WhereClauseOf(std::string_view sql, size_t start, size_t pos) {
  // The call must directly follow FROM.
  size_t b = start;
  while (b > 0 && std::isspace(static_cast<unsigned char>(sql[b - 1]))) --b;
  if (b < 4 || !KeywordAt(sql, b - 4, "from")) return std::nullopt;
  WhereClause clause;
  // An optional alias.
  {
    std::vector<Token> head = Tokenize(sql.substr(pos, 200));
    size_t k = 0;
    if (IsWord(head[k], "as")) ++k;
    if (head[k].kind == Kind::kQuoted) {
      clause.alias = head[k].lower;
    } else if (head[k].kind == Kind::kWord) {
      static const char* kNotAlias[] = {
          "where", "group",  "order",     "limit",     "having",      "window", "qualify",
          "union", "except", "intersect", "offset",    "join",        "left",   "right",
          "inner", "full",   "cross",     "natural",   "positional",  "asof",   "anti",
          "semi",  "using",  "on",        "returning", "tablesample", "using"};
      bool keyword = false;
      for (const char* w : kNotAlias) keyword = keyword || head[k].lower == w;
      if (!keyword) clause.alias = head[k].lower;
    }
    for (char& ch : clause.alias)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  // Walk forward at depth 0 to WHERE; a comma or JOIN first means other
  // tables share the SELECT.
  int depth = 0;
  size_t i = pos;
  std::optional<size_t> where_start;
  static constexpr std::string_view kEndKeywords[] = {"group",     "order",   "limit",    "having",
                                                      "window",    "qualify", "union",    "except",
                                                      "intersect", "offset",  "returning"};
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      i = SkipQuoted(sql, i);
      continue;
    }
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth == 0) break;
      --depth;
    } else if (depth == 0) {
      if (c == ';') break;
      if (!where_start) {
        if (c == ',' || KeywordAt(sql, i, "join") || KeywordAt(sql, i, "using") ||
            KeywordAt(sql, i, "on")) {
          return std::nullopt;
        }
        if (KeywordAt(sql, i, "where")) {
          where_start = i + 5;
          i += 5;
          continue;
        }
      } else {
        bool end = false;
        for (std::string_view kw : kEndKeywords) end = end || KeywordAt(sql, i, kw);
        if (end) break;
      }
      if (!where_start) {
        for (std::string_view kw : kEndKeywords) {
          if (KeywordAt(sql, i, kw)) return std::nullopt;
        }
      }
    }
    ++i;
  }
  if (!where_start) return std::nullopt;
  clause.text = std::string(sql.substr(*where_start, i - *where_start));
  return clause;
}

std::vector<SimplePredicate> SimplePredicates(const WhereClause& where, const Schema& schema) {
  std::vector<Token> tokens = Tokenize(where.text);
  std::vector<SimplePredicate> out;
  // Split at top-level AND (the AND of BETWEEN belongs to it).
  std::vector<Token> current;
  int depth = 0;
  bool in_between = false;
  for (const Token& t : tokens) {
    if (t.kind == Kind::kSymbol && t.text == "(") ++depth;
    if (t.kind == Kind::kSymbol && t.text == ")") --depth;
    if (depth == 0 && IsWord(t, "or")) return {};  // a top-level OR: nothing is certain
    if (depth == 0 && IsWord(t, "between")) in_between = true;
    const bool split = depth == 0 && IsWord(t, "and") && !in_between;
    if (depth == 0 && IsWord(t, "and") && in_between) in_between = false;
    if (split || t.kind == Kind::kEnd) {
      current.push_back({Kind::kEnd, "", ""});
      if (auto p = ParseConjunct(current, schema, where.alias)) out.push_back(std::move(*p));
      current.clear();
      continue;
    }
    current.push_back(t);
  }
  return out;
}

Result<std::set<std::string>> FilesThatMayMatch(const Snapshot& snapshot, engine::Connection& conn,
                                                const std::vector<SimplePredicate>& predicates) {
  std::set<std::string> all;
  for (const AddFile& f : snapshot.files()) all.insert(f.path);
  if (predicates.empty() || snapshot.files().empty()) return all;

  // One row per file: path, then per referenced column min, max, null
  // count and an all-null flag.
  std::vector<std::string> columns;
  for (const SimplePredicate& p : predicates) {
    if (std::find(columns.begin(), columns.end(), p.column) == columns.end()) {
      columns.push_back(p.column);
    }
  }
  std::set<std::string> partitions(snapshot.metadata().partition_columns.begin(),
                                   snapshot.metadata().partition_columns.end());
  const bool mapped = snapshot.Property("delta.columnMapping.mode", "none") != "none";
  std::string values;
  for (const AddFile& f : snapshot.files()) {
    json stats = f.stats ? json::parse(*f.stats, nullptr, false) : json();
    if (!stats.is_object()) stats = json::object();
    const int64_t records = stats.contains("numRecords") && stats["numRecords"].is_number_integer()
                                ? stats["numRecords"].get<int64_t>()
                                : -1;
    std::string row = QuoteLiteral(f.path);
    for (const std::string& c : columns) {
      const Field* field = snapshot.schema().Find(c);
      // Partition values and stats use physical names under column mapping.
      const std::string key = mapped ? PhysicalName(*field) : field->name;
      CARELAKE_ASSIGN_OR_RETURN(std::string duck, DuckDbTypeOf(field->type));
      const std::string null_of = "CAST(NULL AS " + duck + ")";
      std::string mn = null_of, mx = null_of, nulls = "NULL", all_null = "false";
      if (partitions.count(field->name)) {
        auto it = f.partition_values.find(key);
        std::optional<std::string> v;
        if (it != f.partition_values.end()) v = it->second;
        if (!v || v->empty()) {
          all_null = "true";
        } else {
          CARELAKE_ASSIGN_OR_RETURN(mn, PartitionValueSql(field->type, v));
          mx = mn;
          nulls = "0";
        }
      } else {
        auto bound = [&](const char* kind) -> std::string {
          if (!stats.contains(kind) || !stats[kind].is_object() || !stats[kind].contains(key)) {
            return null_of;
          }
          std::string lit = StatsBoundSql(stats[kind][key], field->type);
          return lit.empty() ? null_of : lit;
        };
        mn = bound("minValues");
        mx = bound("maxValues");
        if (stats.contains("nullCount") && stats["nullCount"].is_object() &&
            stats["nullCount"].contains(key) && stats["nullCount"][key].is_number_integer()) {
          const int64_t n = stats["nullCount"][key].get<int64_t>();
          nulls = std::to_string(n);
          if (records >= 0 && n == records) all_null = "true";
        }
      }
      row += ", " + mn + ", " + mx + ", " + nulls + ", " + all_null;
    }
    values += (values.empty() ? "(" : ", (") + row + ")";
  }
  std::string names = "__path";
  std::map<std::string, int> index;
  for (size_t k = 0; k < columns.size(); ++k) {
    const std::string n = "c" + std::to_string(k);
    names += ", " + n + "_min, " + n + "_max, " + n + "_nulls, " + n + "_allnull";
    index[columns[k]] = static_cast<int>(k);
  }
  std::string where;
  for (const SimplePredicate& p : predicates) {
    const std::string n = "c" + std::to_string(index[p.column]);
    const std::string mn = n + "_min", mx = n + "_max", some = "NOT " + n + "_allnull";
    auto at_least = [&](const std::string& lit, const char* op) {  // max OP lit may hold
      return "(" + mx + " IS NULL OR " + mx + " " + op + " " + lit + ")";
    };
    auto at_most = [&](const std::string& lit, const char* op) {  // min OP lit may hold
      return "(" + mn + " IS NULL OR " + mn + " " + op + " " + lit + ")";
    };
    std::string e;
    if (p.op == "=") {
      e = some + " AND " + at_most(p.literals[0], "<=") + " AND " + at_least(p.literals[0], ">=");
    } else if (p.op == "<") {
      e = some + " AND " + at_most(p.literals[0], "<");
    } else if (p.op == "<=") {
      e = some + " AND " + at_most(p.literals[0], "<=");
    } else if (p.op == ">") {
      e = some + " AND " + at_least(p.literals[0], ">");
    } else if (p.op == ">=") {
      e = some + " AND " + at_least(p.literals[0], ">=");
    } else if (p.op == "between") {
      e = some + " AND " + at_least(p.literals[0], ">=") + " AND " + at_most(p.literals[1], "<=");
    } else if (p.op == "in") {
      std::string any;
      for (const std::string& lit : p.literals) {
        any += (any.empty() ? "" : " OR ") +
               ("(" + at_most(lit, "<=") + " AND " + at_least(lit, ">=") + ")");
      }
      e = some + " AND (" + any + ")";
    } else if (p.op == "is null") {
      e = "(" + n + "_allnull OR " + n + "_nulls IS NULL OR " + n + "_nulls > 0)";
    } else if (p.op == "is not null") {
      e = some;
    }
    where += (where.empty() ? "" : " AND ") + ("(" + e + ")");
  }
  auto result =
      conn.Query("SELECT __path FROM (VALUES " + values + ") AS f(" + names + ") WHERE " + where);
  if (!result.ok()) return all;  // e.g. a literal of another type: read every file
  CARELAKE_ASSIGN_OR_RETURN(auto rows, result->FetchAllRows());
  std::set<std::string> out;
  for (const auto& row : rows) out.insert(row[0].GetString());
  return out;
}

}  // namespace carelake::delta
