#include "carelake/pgwire/sql_tokens.h"

#include <strings.h>

#include <cctype>

namespace carelake::pgwire {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool IsOperatorChar(char c) {
  return std::string_view("+-*/<>=~!@#%^&|`?").find(c) != std::string_view::npos;
}

// The end of the quoted text starting at `pos` (on the opening quote),
// doubled quotes escaping; `backslash` for E'' strings. npos if unterminated.
size_t QuotedEnd(std::string_view sql, size_t pos, char quote, bool backslash) {
  for (size_t i = pos + 1; i < sql.size(); ++i) {
    if (backslash && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return std::string_view::npos;
}

// The end of a nested /* */ comment starting at `pos`, or npos.
size_t BlockCommentEnd(std::string_view sql, size_t pos) {
  int depth = 0;
  for (size_t i = pos; i + 1 < sql.size(); ++i) {
    if (sql[i] == '/' && sql[i + 1] == '*') {
      ++depth;
      ++i;
    } else if (sql[i] == '*' && sql[i + 1] == '/') {
      ++i;
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

// $tag$...$tag$ starting at `pos`: its end, 0 if `pos` does not start a
// dollar quote, npos if unterminated.
size_t DollarQuoteEnd(std::string_view sql, size_t pos) {
  size_t i = pos + 1;
  while (i < sql.size() && IsIdentChar(sql[i]) && sql[i] != '$') ++i;
  if (i >= sql.size() || sql[i] != '$') return 0;
  if (i > pos + 1 && std::isdigit(static_cast<unsigned char>(sql[pos + 1]))) return 0;
  const std::string_view tag = sql.substr(pos, i - pos + 1);
  const size_t end = sql.find(tag, i + 1);
  return end == std::string_view::npos ? end : end + tag.size();
}

}  // namespace

bool SqlToken::Is(TokenKind k, std::string_view t) const {
  return kind == k && text.size() == t.size() && strncasecmp(text.data(), t.data(), t.size()) == 0;
}

bool SqlToken::IsName(std::string_view name) const {
  if (kind == TokenKind::kIdent) return Is(TokenKind::kIdent, name);
  return kind == TokenKind::kQuotedIdent && text.size() == name.size() + 2 &&
         std::string_view(text).substr(1, name.size()) == name;
}

Result<std::vector<SqlToken>> TokenizeSql(std::string_view sql) {
  std::vector<SqlToken> tokens;
  size_t i = 0;
  auto push = [&](TokenKind kind, size_t end) {
    tokens.push_back({kind, std::string(sql.substr(i, end - i))});
    i = end;
  };
  auto unterminated = [&](std::string_view what) {
    return InvalidArgument("unterminated " + std::string(what) + " at offset " + std::to_string(i));
  };
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (std::isspace(static_cast<unsigned char>(c))) {
      size_t end = i;
      while (end < sql.size() && std::isspace(static_cast<unsigned char>(sql[end]))) ++end;
      push(TokenKind::kSpace, end);
    } else if (c == '-' && next == '-') {
      size_t end = sql.find('\n', i);
      push(TokenKind::kSpace, end == std::string_view::npos ? sql.size() : end);
    } else if (c == '/' && next == '*') {
      const size_t end = BlockCommentEnd(sql, i);
      if (end == std::string_view::npos) return unterminated("comment");
      push(TokenKind::kSpace, end);
    } else if (c == '\'' || ((c == 'E' || c == 'e') && next == '\'')) {
      const size_t quote = c == '\'' ? i : i + 1;
      const size_t end = QuotedEnd(sql, quote, '\'', quote != i);
      if (end == std::string_view::npos) return unterminated("string");
      push(TokenKind::kString, end);
    } else if (c == '"') {
      const size_t end = QuotedEnd(sql, i, '"', false);
      if (end == std::string_view::npos) return unterminated("quoted identifier");
      push(TokenKind::kQuotedIdent, end);
    } else if (c == '$' && std::isdigit(static_cast<unsigned char>(next))) {
      size_t end = i + 1;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
      push(TokenKind::kParam, end);
    } else if (c == '$') {
      const size_t end = DollarQuoteEnd(sql, i);
      if (end == std::string_view::npos) return unterminated("dollar-quoted string");
      push(end == 0 ? TokenKind::kPunct : TokenKind::kString, end == 0 ? i + 1 : end);
    } else if (IsIdentStart(c)) {
      size_t end = i;
      while (end < sql.size() && IsIdentChar(sql[end])) ++end;
      push(TokenKind::kIdent, end);
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && std::isdigit(static_cast<unsigned char>(next)))) {
      size_t end = i;
      while (end < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[end])) ||
                                  sql[end] == '.' || sql[end] == '_')) {
        ++end;
      }
      push(TokenKind::kNumber, end);
    } else if (c == ':' && next == ':') {
      push(TokenKind::kPunct, i + 2);
    } else if (IsOperatorChar(c)) {
      size_t end = i;
      while (end < sql.size() && IsOperatorChar(sql[end])) {
        // A comment starts a new token, as in PostgreSQL's lexer.
        if (end > i && ((sql[end] == '-' && end + 1 < sql.size() && sql[end + 1] == '-') ||
                        (sql[end] == '/' && end + 1 < sql.size() && sql[end + 1] == '*'))) {
          break;
        }
        ++end;
      }
      push(TokenKind::kOperator, end);
    } else {
      push(TokenKind::kPunct, i + 1);
    }
  }
  return tokens;
}

std::string JoinTokens(const std::vector<SqlToken>& tokens) {
  std::string out;
  for (const SqlToken& t : tokens) out += t.text;
  return out;
}

}  // namespace carelake::pgwire
