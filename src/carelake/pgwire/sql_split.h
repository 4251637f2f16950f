// Cutting a simple-query string into statements the way PostgreSQL's lexer
// does: `;` ends a statement except inside '…' and E'…' strings, "…"
// identifiers, $tag$…$tag$ bodies, -- line comments and nested /* */
// comments. Also the statement's leading keywords, which decide whether the
// protocol layer handles it itself (SET, SHOW, BEGIN...) or the engine runs it.
#ifndef CARELAKE_PGWIRE_SQL_SPLIT_H_
#define CARELAKE_PGWIRE_SQL_SPLIT_H_

#include <string>
#include <string_view>
#include <vector>

namespace carelake::pgwire {

// The statements of `sql`, each without its `;`, trimmed; statements that
// are empty (only blanks and comments) are left out.
std::vector<std::string> SplitStatements(std::string_view sql);

// The statement's words, lowercased, skipping blanks and comments, up to
// `max_words`; stops at the first token that is not a word (a quote, a
// parenthesis, an operator...), which is returned as a word of its own.
std::vector<std::string> LeadingWords(std::string_view sql, size_t max_words);

// True when `sql` holds nothing but blanks and comments.
bool IsBlank(std::string_view sql);

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_SQL_SPLIT_H_
