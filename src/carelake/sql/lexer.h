// SQL text at the level of tokens, for what needs no parse tree: cutting a
// script into statements the way PostgreSQL's lexer does (the pgwire
// server's simple query), and finding the functions a statement calls (the
// query session's file-access policy).
//
// Statements:  `;` ends a statement except inside '…' and E'…' strings, "…"
// identifiers, $tag$…$tag$ bodies, -- line comments and nested /* */
// comments. Also the statement's leading keywords, which decide whether the
// protocol layer handles it itself (SET, SHOW, BEGIN...) or the engine runs it.
#ifndef CARELAKE_SQL_LEXER_H_
#define CARELAKE_SQL_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

namespace carelake::sql {

// The statements of `sql`, each without its `;`, trimmed; statements that
// are empty (only blanks and comments) are left out.
std::vector<std::string> SplitStatements(std::string_view sql);

// The statement's words, lowercased, skipping blanks and comments, up to
// `max_words`; stops at the first token that is not a word (a quote, a
// parenthesis, an operator...), which is returned as a word of its own.
std::vector<std::string> LeadingWords(std::string_view sql, size_t max_words);

// True when `sql` holds nothing but blanks and comments.
bool IsBlank(std::string_view sql);

// What a statement calls or names as a file, outside strings and comments.
struct Reference {
  enum class Kind {
    kFunction,    // a name (plain or "quoted", lowercased) followed by `(`
    kFromString,  // a string literal right after FROM or JOIN: DuckDB reads it as a file
  };
  Kind kind;
  std::string text;   // the function name, or the string's contents
  size_t offset = 0;  // byte offset in the statement
};
std::vector<Reference> References(std::string_view sql);

}  // namespace carelake::sql

#endif  // CARELAKE_SQL_LEXER_H_
