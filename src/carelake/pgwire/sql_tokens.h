// SqlToken / TokenizeSql: PostgreSQL's lexical structure, enough to rewrite
// SQL without touching string literals, quoted identifiers or comments
// (pgwire/sql_translate.h) and to find `$n` parameters.
#ifndef CARELAKE_PGWIRE_SQL_TOKENS_H_
#define CARELAKE_PGWIRE_SQL_TOKENS_H_

#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::pgwire {

enum class TokenKind {
  kSpace,        // whitespace and comments (-- and nested /* */)
  kString,       // '...', E'...', $tag$...$tag$
  kQuotedIdent,  // "..."
  kIdent,        // a keyword or an unquoted identifier
  kNumber,
  kParam,     // $1
  kOperator,  // a run of + - * / < > = ~ ! @ # % ^ & | ` ?
  kPunct,     // ( ) [ ] , ; . : and ::
};

struct SqlToken {
  TokenKind kind;
  std::string text;  // exactly as in the source

  bool Is(TokenKind k, std::string_view t) const;
  // An identifier, quoted or not, equal to `name` (case-insensitive when
  // unquoted, exact when quoted).
  bool IsName(std::string_view name) const;
  bool IsPunct(std::string_view t) const { return kind == TokenKind::kPunct && text == t; }
};

// The tokens of `sql`; joining their texts gives `sql` back. InvalidArgument
// for an unterminated string, quoted identifier or comment.
Result<std::vector<SqlToken>> TokenizeSql(std::string_view sql);

std::string JoinTokens(const std::vector<SqlToken>& tokens);

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_SQL_TOKENS_H_
