#include "carelake/sql/lexer.h"

#include <cctype>

namespace carelake::sql {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Index just past the token that starts at `i` when it is a string,
// identifier, dollar-quoted body or comment; `i` itself when it is not.
size_t SkipQuotedOrComment(std::string_view s, size_t i) {
  const size_t n = s.size();
  const char c = s[i];
  if (c == '-' && i + 1 < n && s[i + 1] == '-') {
    const size_t end = s.find('\n', i);
    return end == std::string_view::npos ? n : end + 1;
  }
  if (c == '/' && i + 1 < n && s[i + 1] == '*') {
    int depth = 0;
    for (size_t j = i; j < n; ++j) {
      if (s[j] == '/' && j + 1 < n && s[j + 1] == '*') {
        ++depth;
        ++j;
      } else if (s[j] == '*' && j + 1 < n && s[j + 1] == '/') {
        ++j;
        if (--depth == 0) return j + 1;
      }
    }
    return n;
  }
  if (c == '\'' || c == '"') {
    // E'…' allows backslash escapes.
    const bool escapes = c == '\'' && i > 0 && (s[i - 1] == 'e' || s[i - 1] == 'E') &&
                         (i < 2 || !IsWordChar(s[i - 2]));
    for (size_t j = i + 1; j < n; ++j) {
      if (escapes && s[j] == '\\') {
        ++j;
      } else if (s[j] == c) {
        if (j + 1 < n && s[j + 1] == c) {
          ++j;  // doubled quote
        } else {
          return j + 1;
        }
      }
    }
    return n;
  }
  if (c == '$' && (i == 0 || !IsWordChar(s[i - 1]))) {
    size_t j = i + 1;
    while (j < n && (IsWordChar(s[j]) && !std::isdigit(static_cast<unsigned char>(s[j])))) ++j;
    if (j < n && s[j] == '$') {
      const std::string_view tag = s.substr(i, j - i + 1);
      const size_t end = s.find(tag, j + 1);
      return end == std::string_view::npos ? n : end + tag.size();
    }
  }
  return i;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::string> SplitStatements(std::string_view sql) {
  std::vector<std::string> out;
  size_t start = 0;
  int parens = 0;  // `;` inside parentheses (CREATE RULE bodies) does not split
  for (size_t i = 0; i <= sql.size();) {
    if (i == sql.size() || (sql[i] == ';' && parens == 0)) {
      std::string_view stmt = Trim(sql.substr(start, i - start));
      if (!IsBlank(stmt)) out.emplace_back(stmt);
      start = i + 1;
      ++i;
      continue;
    }
    const size_t next = SkipQuotedOrComment(sql, i);
    if (next != i) {
      i = next;
      continue;
    }
    if (sql[i] == '(') ++parens;
    if (sql[i] == ')' && parens > 0) --parens;
    ++i;
  }
  return out;
}

std::vector<std::string> LeadingWords(std::string_view sql, size_t max_words) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < sql.size() && words.size() < max_words) {
    if (IsSpace(sql[i])) {
      ++i;
      continue;
    }
    const size_t next = SkipQuotedOrComment(sql, i);
    if (next != i && (sql[i] == '-' || sql[i] == '/')) {
      i = next;
      continue;
    }
    if (!IsWordChar(sql[i])) {
      words.emplace_back(1, sql[i]);
      break;
    }
    std::string word;
    while (i < sql.size() && IsWordChar(sql[i])) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i]))));
      ++i;
    }
    words.push_back(std::move(word));
  }
  return words;
}

bool IsBlank(std::string_view sql) {
  for (size_t i = 0; i < sql.size();) {
    if (IsSpace(sql[i])) {
      ++i;
      continue;
    }
    const size_t next = SkipQuotedOrComment(sql, i);
    if (next == i || (sql[i] != '-' && sql[i] != '/')) return false;
    i = next;
  }
  return true;
}

std::vector<Reference> References(std::string_view sql) {
  std::vector<Reference> out;
  std::string previous_word;  // the last word token, lowercased ("" after a symbol)
  for (size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (c == '"' || IsWordChar(c)) {
      // A name: read it, then see whether `(` follows.
      std::string name;
      const size_t start = i;
      if (c == '"') {
        const size_t end = SkipQuotedOrComment(sql, i);
        name = std::string(sql.substr(i + 1, end >= i + 2 ? end - i - 2 : 0));
        i = end;
      } else {
        while (i < sql.size() && IsWordChar(sql[i])) ++i;
        name = std::string(sql.substr(start, i - start));
      }
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      size_t j = i;  // blanks and comments may stand between a name and its `(`
      for (;;) {
        while (j < sql.size() && IsSpace(sql[j])) ++j;
        const size_t next =
            j < sql.size() && (sql[j] == '-' || sql[j] == '/') ? SkipQuotedOrComment(sql, j) : j;
        if (next == j) break;
        j = next;
      }
      if (j < sql.size() && sql[j] == '(') {
        out.push_back({Reference::Kind::kFunction, name, start});
      }
      previous_word = c == '"' ? "" : name;
      continue;
    }
    if (c == '\'' && (previous_word == "from" || previous_word == "join")) {
      const size_t end = SkipQuotedOrComment(sql, i);
      out.push_back({Reference::Kind::kFromString,
                     std::string(sql.substr(i + 1, end >= i + 2 ? end - i - 2 : 0)), i});
      i = end;
      previous_word.clear();
      continue;
    }
    const size_t next = SkipQuotedOrComment(sql, i);
    if (next != i) {
      if (sql[i] != '-' && sql[i] != '/') previous_word.clear();  // comments keep the context
      i = next;
      continue;
    }
    previous_word.clear();
    ++i;
  }
  return out;
}

}  // namespace carelake::sql
