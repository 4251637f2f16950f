#include "carelake/pgwire/sql_translate.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

#include "carelake/pgwire/sql_tokens.h"

namespace carelake::pgwire {
namespace {

using Tokens = std::vector<SqlToken>;

// Index of the next (previous) token that is not space, or npos (npos).
size_t NextSolid(const Tokens& t, size_t i) {
  for (size_t j = i + 1; j < t.size(); ++j) {
    if (t[j].kind != TokenKind::kSpace) return j;
  }
  return std::string::npos;
}
size_t PrevSolid(const Tokens& t, size_t i) {
  for (size_t j = i; j-- > 0;) {
    if (t[j].kind != TokenKind::kSpace) return j;
  }
  return std::string::npos;
}

bool IsName(const SqlToken& t) {
  return t.kind == TokenKind::kIdent || t.kind == TokenKind::kQuotedIdent;
}

// `t[i]` is `pg_catalog` and `t[i + 1]` is the `.` after it.
bool IsPgCatalogQualifier(const Tokens& t, size_t i) {
  return i + 1 < t.size() && t[i].IsName("pg_catalog") && t[i + 1].IsPunct(".");
}

// The index after an optional `pg_catalog.` at `i`.
size_t SkipPgCatalog(const Tokens& t, size_t i) {
  if (i != std::string::npos && IsPgCatalogQualifier(t, i)) return NextSolid(t, i + 1);
  return i;
}

// Matching parenthesis of the one at `i`, searching forward (`(`) or
// backward (`)`); npos when unbalanced.
size_t MatchParen(const Tokens& t, size_t i) {
  const bool forward = t[i].IsPunct("(");
  int depth = 0;
  for (size_t j = i; j < t.size(); forward ? ++j : --j) {
    if (t[j].IsPunct("(")) depth += forward ? 1 : -1;
    if (t[j].IsPunct(")")) depth += forward ? -1 : 1;
    if (depth == 0) return j;
    if (!forward && j == 0) break;
  }
  return std::string::npos;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Keywords that may precede a parenthesis without being a function name.
bool IsKeyword(const SqlToken& t) {
  static constexpr std::array<std::string_view, 24> kKeywords = {
      "select", "where", "and",    "or",     "not",  "in",    "on",    "from",
      "when",   "then",  "else",   "case",   "by",   "as",    "is",    "any",
      "all",    "some",  "exists", "values", "like", "ilike", "using", "join"};
  if (t.kind != TokenKind::kIdent) return false;
  for (std::string_view k : kKeywords) {
    if (t.Is(TokenKind::kIdent, k)) return true;
  }
  return false;
}

// The first token of the primary expression ending at `end` (a literal, a
// parameter, a qualified name, a parenthesized expression or a function
// call, possibly itself cast with `::`); npos if there is none.
size_t OperandStart(const Tokens& t, size_t end) {
  if (end == std::string::npos) return end;
  size_t start = end;
  const SqlToken& last = t[end];
  if (last.IsPunct(")")) {
    start = MatchParen(t, end);
    if (start == std::string::npos) return start;
    const size_t fn = PrevSolid(t, start);
    if (fn != std::string::npos && IsName(t[fn]) && !IsKeyword(t[fn])) start = fn;
  } else if (last.kind != TokenKind::kString && last.kind != TokenKind::kNumber &&
             last.kind != TokenKind::kParam && !IsName(last)) {
    return std::string::npos;
  }
  // A qualified name: a.b.c
  while (IsName(t[start]) && start >= 2 && t[start - 1].IsPunct(".") && IsName(t[start - 2])) {
    start -= 2;
  }
  // `x::text::regclass`: the operand is `x::text`.
  const size_t before = PrevSolid(t, start);
  if (before != std::string::npos && t[before].IsPunct("::"))
    return OperandStart(t, PrevSolid(t, before));
  return start;
}

// "regclass" for `regclass`, `pg_catalog.regclass`...; empty if `t[i]` is
// not one of the reg* types.
std::string RegType(const Tokens& t, size_t i, size_t* last) {
  i = SkipPgCatalog(t, i);
  if (i == std::string::npos) return "";
  for (std::string_view name : {"regclass", "regtype", "regnamespace", "regproc", "regprocedure"}) {
    if (t[i].IsName(name)) {
      *last = i;
      return name == "regprocedure" ? "regproc" : std::string(name);
    }
  }
  return "";
}

// A token holding `text` (re-tokenized later only as a whole).
SqlToken Raw(std::string text) { return {TokenKind::kIdent, std::move(text)}; }

// `x::regclass[::text]` -> carelake_regclass(x) / carelake_regclass_name(x).
bool RewriteRegCast(Tokens& t, size_t cast) {
  size_t type_end = 0;
  const std::string reg = RegType(t, NextSolid(t, cast), &type_end);
  if (reg.empty()) return false;
  const size_t start = OperandStart(t, PrevSolid(t, cast));
  if (start == std::string::npos) return false;
  std::string fn = std::string("carelake_") + reg;
  // Followed by ::text: the name.
  const size_t next_cast = NextSolid(t, type_end);
  if (next_cast != std::string::npos && t[next_cast].IsPunct("::")) {
    const size_t text = SkipPgCatalog(t, NextSolid(t, next_cast));
    if (text != std::string::npos &&
        (t[text].IsName("text") || t[text].IsName("varchar") || t[text].IsName("name"))) {
      fn += "_name";
      type_end = text;
    }
  }
  Tokens operand(t.begin() + start, t.begin() + cast);
  Tokens replacement = {Raw(fn), SqlToken{TokenKind::kPunct, "("}};
  replacement.insert(replacement.end(), operand.begin(), operand.end());
  replacement.push_back({TokenKind::kPunct, ")"});
  t.erase(t.begin() + start, t.begin() + type_end + 1);
  t.insert(t.begin() + start, replacement.begin(), replacement.end());
  return true;
}

// CAST(x AS regclass) -> carelake_regclass(x).
bool RewriteRegCastCall(Tokens& t, size_t cast) {
  const size_t open = NextSolid(t, cast);
  if (open == std::string::npos || !t[open].IsPunct("(")) return false;
  const size_t close = MatchParen(t, open);
  if (close == std::string::npos) return false;
  // The last top-level AS.
  size_t as = std::string::npos;
  int depth = 0;
  for (size_t j = open + 1; j < close; ++j) {
    if (t[j].IsPunct("(")) ++depth;
    if (t[j].IsPunct(")")) --depth;
    if (depth == 0 && t[j].Is(TokenKind::kIdent, "as")) as = j;
  }
  if (as == std::string::npos) return false;
  size_t type_end = 0;
  const std::string reg = RegType(t, NextSolid(t, as), &type_end);
  if (reg.empty() || NextSolid(t, type_end) != close) return false;
  t.erase(t.begin() + PrevSolid(t, as) + 1, t.begin() + close);  // keeps `)`
  t[cast] = Raw("carelake_" + reg);
  return true;
}

void RewriteRegCasts(Tokens& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].IsPunct("::")) {
      RewriteRegCast(t, i);
    } else if (t[i].Is(TokenKind::kIdent, "cast")) {
      RewriteRegCastCall(t, i);
    }
  }
}

// OPERATOR(pg_catalog.~) -> ~
void RewriteOperatorSyntax(Tokens& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!t[i].Is(TokenKind::kIdent, "operator")) continue;
    const size_t open = NextSolid(t, i);
    if (open == std::string::npos || !t[open].IsPunct("(")) continue;
    size_t op = NextSolid(t, open);
    if (op != std::string::npos && IsName(t[op]) && op + 1 < t.size() && t[op + 1].IsPunct(".")) {
      op = NextSolid(t, op + 1);
    }
    if (op == std::string::npos || t[op].kind != TokenKind::kOperator) continue;
    const size_t close = NextSolid(t, op);
    if (close == std::string::npos || !t[close].IsPunct(")")) continue;
    const SqlToken bare = t[op];
    t.erase(t.begin() + i, t.begin() + close + 1);
    t.insert(t.begin() + i, bare);
  }
}

// COLLATE pg_catalog.default / "C" / "POSIX" -> nothing.
void DropDefaultCollations(Tokens& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!t[i].Is(TokenKind::kIdent, "collate")) continue;
    const size_t name = SkipPgCatalog(t, NextSolid(t, i));
    if (name == std::string::npos) continue;
    if (t[name].IsName("default") || t[name].IsName("C") || t[name].IsName("POSIX")) {
      t.erase(t.begin() + i, t.begin() + name + 1);
    }
  }
}

// Words that end a select list at its own depth.
bool EndsSelectList(const SqlToken& t) {
  static constexpr std::array<std::string_view, 14> kEnds = {
      "from",  "where",     "group",  "having", "order",  "limit", "offset",
      "union", "intersect", "except", "into",   "window", "fetch", "for"};
  if (t.IsPunct(";") || t.IsPunct(")")) return true;
  for (std::string_view k : kEnds) {
    if (t.Is(TokenKind::kIdent, k)) return true;
  }
  return false;
}

// The name PostgreSQL gives the column of select-list item [first, last]
// when DuckDB would name it otherwise (a function call: "version", not
// "version()"; a session keyword) or when DuckDB needs it spelled out (a
// qualified column `t.oid`, which ORDER BY oid must find as in PostgreSQL);
// empty when the item needs no alias.
std::string ItemAlias(const Tokens& t, size_t first, size_t last) {
  static constexpr std::array<std::string_view, 5> kKeywords = {
      "session_user", "current_user", "current_role", "current_catalog", "current_schema"};
  if (first == last) {
    for (std::string_view k : kKeywords) {
      if (t[first].Is(TokenKind::kIdent, k)) return "\"" + std::string(k) + "\"";
    }
    return "";
  }
  // A qualified column: a.b or a.b.c.
  bool chain = IsName(t[last]);
  for (size_t j = first; chain && j <= last; ++j) {
    chain = (j - first) % 2 == 0 ? IsName(t[j]) : t[j].IsPunct(".");
  }
  if (chain) return t[last].kind == TokenKind::kIdent ? Lower(t[last].text) : t[last].text;
  // A function call: [schema.]name( ... ) and nothing else.
  if (!t[last].IsPunct(")")) return "";
  const size_t open = MatchParen(t, last);
  if (open == std::string::npos) return "";
  const size_t fn = PrevSolid(t, open);
  // CAST(x AS t) is named after x or t in PostgreSQL: left to DuckDB.
  if (fn == std::string::npos || fn < first || t[fn].kind != TokenKind::kIdent ||
      IsKeyword(t[fn]) || t[fn].Is(TokenKind::kIdent, "cast")) {
    return "";
  }
  size_t start = fn;
  while (start >= first + 2 && t[start - 1].IsPunct(".") && IsName(t[start - 2])) start -= 2;
  if (start != first) return "";
  return "\"" + Lower(t[fn].text) + "\"";
}

// `AS NAME` -> `AS name`: PostgreSQL folds unquoted aliases to lower case,
// DuckDB keeps them as written (JDBC's `AS TABLE_SCHEM` is "table_schem").
void LowerAlias(Tokens& t, size_t first, size_t last) {
  if (last <= first || t[last].kind != TokenKind::kIdent) return;
  const size_t as = PrevSolid(t, last);
  if (as != std::string::npos && as >= first && t[as].Is(TokenKind::kIdent, "as")) {
    t[last].text = Lower(t[last].text);
  }
}

// Adds `AS name` to the unaliased items of every select list (ItemAlias).
void AliasSelectItems(Tokens& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!t[i].Is(TokenKind::kIdent, "select")) continue;
    size_t j = NextSolid(t, i);
    if (j != std::string::npos &&
        (t[j].Is(TokenKind::kIdent, "distinct") || t[j].Is(TokenKind::kIdent, "all"))) {
      j = NextSolid(t, j);
      if (j != std::string::npos && t[j].Is(TokenKind::kIdent, "on")) continue;
    }
    size_t item_first = j;
    int depth = 0;
    for (; j != std::string::npos && j < t.size(); j = NextSolid(t, j)) {
      const bool at_end = depth == 0 && (EndsSelectList(t[j]) || t[j].IsPunct(","));
      if (at_end && item_first != j) {
        const size_t item_last = PrevSolid(t, j);
        LowerAlias(t, item_first, item_last);
        const std::string alias = ItemAlias(t, item_first, item_last);
        if (!alias.empty()) {
          t.insert(t.begin() + item_last + 1, Raw(" AS " + alias));
          ++j;
        }
      }
      if (at_end && !t[j].IsPunct(",")) break;
      if (at_end) {
        item_first = NextSolid(t, j);
        continue;
      }
      if (t[j].IsPunct("(") || t[j].IsPunct("[")) ++depth;
      if (t[j].IsPunct(")") || t[j].IsPunct("]")) --depth;
    }
    if (j == std::string::npos && item_first != std::string::npos && item_first < t.size()) {
      const size_t item_last = PrevSolid(t, t.size());
      LowerAlias(t, item_first, item_last);
      const std::string alias = ItemAlias(t, item_first, item_last);
      if (!alias.empty()) t.insert(t.begin() + item_last + 1, Raw(" AS " + alias));
    }
  }
}

void RewriteQualifiersAndOperators(Tokens& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    const bool qualified = i > 0 && t[i - 1].IsPunct(".");
    if (!qualified && IsPgCatalogQualifier(t, i)) {
      t.erase(t.begin() + i, t.begin() + i + 2);
      --i;
      continue;
    }
    if (!qualified && t[i].IsName("information_schema") && i + 1 < t.size() &&
        t[i + 1].IsPunct(".")) {
      t[i] = Raw(kInformationSchema);
      continue;
    }
    if (t[i].kind == TokenKind::kOperator && (t[i].text == "~" || t[i].text == "!~")) {
      t[i].text += "@";
      continue;
    }
    const size_t next = NextSolid(t, i);
    const bool called = next != std::string::npos && t[next].IsPunct("(");
    if (qualified || called || t[i].kind != TokenKind::kIdent) continue;
    if (t[i].Is(TokenKind::kIdent, "session_user")) t[i] = Raw("carelake_session_user()");
    if (t[i].Is(TokenKind::kIdent, "current_role")) t[i] = Raw("current_user()");
    if (t[i].Is(TokenKind::kIdent, "current_user")) t[i] = Raw("current_user()");
    if (t[i].Is(TokenKind::kIdent, "current_catalog")) t[i] = Raw("current_database()");
    if (t[i].Is(TokenKind::kIdent, "current_schema")) t[i] = Raw("current_schema()");
  }
}

// `x = ANY(array)` -> `list_contains(array, x)`: DuckDB plans ANY as a
// subquery, which it cannot put in an outer join's condition
// (SQLAlchemy's get_indexes). `= ANY(SELECT ...)` is left alone.
void RewriteAnyArray(Tokens& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!t[i].Is(TokenKind::kIdent, "any")) continue;
    const size_t eq = PrevSolid(t, i);
    const size_t open = NextSolid(t, i);
    if (eq == std::string::npos || !t[eq].Is(TokenKind::kOperator, "=") ||
        open == std::string::npos || !t[open].IsPunct("(")) {
      continue;
    }
    const size_t body = NextSolid(t, open);
    const size_t close = MatchParen(t, open);
    if (body == std::string::npos || close == std::string::npos ||
        t[body].Is(TokenKind::kIdent, "select") || t[body].Is(TokenKind::kIdent, "values")) {
      continue;
    }
    const size_t start = OperandStart(t, PrevSolid(t, eq));
    if (start == std::string::npos) continue;
    Tokens left(t.begin() + start, t.begin() + PrevSolid(t, eq) + 1);
    Tokens array(t.begin() + open + 1, t.begin() + close);
    Tokens call = {Raw("list_contains(")};
    call.insert(call.end(), array.begin(), array.end());
    call.push_back({TokenKind::kPunct, ","});
    call.push_back({TokenKind::kSpace, " "});
    call.insert(call.end(), left.begin(), left.end());
    call.push_back({TokenKind::kPunct, ")"});
    t.erase(t.begin() + start, t.begin() + close + 1);
    t.insert(t.begin() + start, call.begin(), call.end());
    i = start;
  }
}

// `FROM generate_series(a, b) s` -> `... s(s)`: in PostgreSQL the alias of
// a one-column function also names its column (psql's `prattrs[s]`); in
// DuckDB it would name the row.
void NameFunctionColumns(Tokens& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!t[i].Is(TokenKind::kIdent, "generate_series") && !t[i].Is(TokenKind::kIdent, "unnest")) {
      continue;
    }
    const size_t before = PrevSolid(t, i);
    const bool in_from = before != std::string::npos &&
                         (t[before].Is(TokenKind::kIdent, "from") || t[before].IsPunct(",") ||
                          t[before].Is(TokenKind::kIdent, "join"));
    const size_t open = NextSolid(t, i);
    if (!in_from || open == std::string::npos || !t[open].IsPunct("(")) continue;
    const size_t close = MatchParen(t, open);
    if (close == std::string::npos) continue;
    size_t alias = NextSolid(t, close);
    if (alias != std::string::npos && t[alias].Is(TokenKind::kIdent, "as"))
      alias = NextSolid(t, alias);
    if (alias == std::string::npos || t[alias].kind != TokenKind::kIdent || IsKeyword(t[alias]) ||
        EndsSelectList(t[alias]) || t[alias].Is(TokenKind::kIdent, "with")) {
      continue;
    }
    const size_t after = NextSolid(t, alias);
    if (after != std::string::npos && t[after].IsPunct("(")) continue;
    t.insert(t.begin() + alias + 1, Raw("(" + t[alias].text + ")"));
  }
}

// `i.indkey[n]` -> `i.indkey[(n) + 1]`: int2vector and oidvector columns
// are indexed from 0 in PostgreSQL (psqlODBC's SQLPrimaryKeys), DuckDB's
// lists from 1.
void ShiftVectorSubscripts(Tokens& t) {
  static constexpr std::array<std::string_view, 6> kVectors = {
      "indkey", "indclass", "indcollation", "indoption", "proargtypes", "stxkeys"};
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (!t[i + 1].IsPunct("[")) continue;
    const bool vector = std::any_of(kVectors.begin(), kVectors.end(),
                                    [&](std::string_view v) { return t[i].IsName(v); });
    if (!vector) continue;
    int depth = 0;
    size_t close = i + 1;
    for (; close < t.size(); ++close) {
      if (t[close].IsPunct("[")) ++depth;
      if (t[close].IsPunct("]") && --depth == 0) break;
      if (depth == 1 && t[close].IsPunct(":")) close = t.size() - 1;  // a slice: leave it
    }
    if (close >= t.size() || !t[close].IsPunct("]")) continue;
    t.insert(t.begin() + close, Raw(") + 1"));
    t.insert(t.begin() + i + 2, Raw("("));
  }
}

}  // namespace

Result<std::string> TranslateForDuckDb(std::string_view pg_sql) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, TokenizeSql(pg_sql));
  RewriteOperatorSyntax(tokens);
  AliasSelectItems(tokens);
  RewriteRegCasts(tokens);
  RewriteAnyArray(tokens);
  DropDefaultCollations(tokens);
  RewriteQualifiersAndOperators(tokens);
  NameFunctionColumns(tokens);
  ShiftVectorSubscripts(tokens);
  return JoinTokens(tokens);
}

}  // namespace carelake::pgwire
