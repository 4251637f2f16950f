// Statement: what a SQL SELECT statement reads, found by DuckDB's own parser
// (`json_serialize_sql`), never by scanning its text.
//
// One home for "which tables does this statement read": gold models use it
// for their dependencies and `new_rows(...)`, definition fingerprints use its
// normalised form, and lineage and the access policy layer will use it too.
// Quoted identifiers ("silver"."items"), aliases, comments, string literals
// and common table expressions are the parser's business, so they are right
// by construction: a CTE named like a table hides that table inside the
// statement, and `gold.id` in a select list is a column, not a table.
#ifndef CARELAKE_SQL_STATEMENT_H_
#define CARELAKE_SQL_STATEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/engine/connection.h"

namespace carelake::sql {

// A table the statement reads: a base table (`FROM silver.items AS i`), or
// the table argument of a `new_rows(layer.name)` call.
struct TableRef {
  std::string catalog;  // empty unless written catalog.schema.table
  std::string schema;   // empty when the name is unqualified
  std::string name;
  std::string alias;  // empty when none
  // Inside `new_rows(...)`: `begin`/`end` span the whole call's text.
  bool new_rows = false;
  // Byte offsets of the reference's text in the statement: [begin, end).
  size_t begin = 0;
  size_t end = 0;
  // `schema.name` (or `name` when unqualified), as written but unquoted.
  std::string Qualified() const { return schema.empty() ? name : schema + "." + name; }
};

// Where the parser stopped: a byte offset into the statement.
struct SyntaxError {
  std::string message;  // DuckDB's, e.g. `syntax error at or near "FORM"`
  size_t offset = 0;
};

struct Statement {
  // Every table read, in order of appearance, common table expressions
  // excluded (a reference to a CTE in scope is not a table).
  std::vector<TableRef> tables;
  // The parse tree as JSON without source positions: equal for two texts
  // that differ only in whitespace, comments or identifier quoting.
  std::string normalized;
};

// Parses `sql`: one or more `;`-separated SELECT statements (a trailing `;`
// is fine). On a syntax error, returns InvalidArgument with the parser's
// message and, when `error` is not null, sets it. Statements other than
// SELECT are InvalidArgument too (offset 0). `conn` is only used to run the
// parser; nothing is read or changed.
Result<Statement> Parse(engine::Connection& conn, const std::string& sql,
                        SyntaxError* error = nullptr);

// The normalised parse tree of an SQL expression (a rule's check, a column's
// expression): `Parse("SELECT " + expr).normalized`.
Result<std::string> NormalizeExpression(engine::Connection& conn, const std::string& expr);

// 1-based line and column (in bytes) of `offset` in `text`.
struct LineColumn {
  int line = 1;
  int column = 1;
};
LineColumn LocateOffset(const std::string& text, size_t offset);

// "models/x.sql:3:14: <message>\n  <the line>\n  <caret under column>":
// a message pointing at `offset` of the file `file` whose text is `text`.
std::string PointAt(const std::string& file, const std::string& text, size_t offset,
                    const std::string& message);

// Finds DuckDB's error context ("LINE n: <text>" and a caret line) in
// `message` about the query `query`; returns the byte offset in `query` it
// points at, or npos when the message has none or it cannot be placed.
size_t ErrorOffset(const std::string& message, const std::string& query);

// `message` without DuckDB's trailing "LINE n: ..." context lines.
std::string WithoutErrorContext(const std::string& message);

}  // namespace carelake::sql

#endif  // CARELAKE_SQL_STATEMENT_H_
