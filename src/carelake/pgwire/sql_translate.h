// TranslateForDuckDb: rewrites the PostgreSQL-only syntax that clients'
// catalog queries use into SQL that DuckDB parses and binds against the
// emulated catalog (pgwire/pg_catalog.h). Token-aware: nothing inside a
// string literal, a quoted identifier or a comment is touched.
//
// What is rewritten, and why:
// - `pg_catalog.` qualifiers (quoted or not) are dropped. DuckDB has its own
//   read-only `pg_catalog` schema (other OIDs and shapes) that cannot be
//   replaced or added to, so `pg_catalog.pg_class` must not reach it: the
//   unqualified name resolves to the emulation, which PgCatalog puts first on
//   DuckDB's search_path (PostgreSQL too searches pg_catalog first).
// - `information_schema.` becomes `carelake_information_schema.` for the same
//   reason (DuckDB's information_schema cannot be replaced either).
// - `OPERATOR(pg_catalog.~)` (psql) becomes the bare operator.
// - `~` and `!~` become `~@` and `!~@`: DuckDB's parser turns `~` into
//   regexp_full_match (a whole-string match) and `~` cannot be redefined,
//   while PostgreSQL's `~` finds the pattern anywhere (`nspname !~ '^pg_'`).
//   `~@`, `!~@`, `~*` and `!~*` are macros of the emulation.
// - `x::regclass`, `x::regtype`, `x::regnamespace`, `x::regproc` and
//   `CAST(x AS REGCLASS)` become `carelake_regclass(x)`... (the object's OID
//   from a name or an OID); followed by `::text` (psql),
//   `carelake_regclass_name(x)` (the name). DuckDB has no such types.
// - `COLLATE pg_catalog.default`, `COLLATE "C"`, `COLLATE "POSIX"` are
//   dropped (psql's \d; DuckDB has no such collations; the default binary
//   comparison is what they mean).
// - The keywords `session_user`, `current_user`, `current_role`, `current_catalog` and a
//   bare `current_schema` become calls of the emulation's functions (DuckDB
//   answers them itself, with its own values).
// - `x = ANY(array)` becomes `list_contains(array, x)` (DuckDB plans ANY as a
//   subquery, which an outer join's condition cannot hold: SQLAlchemy).
// - `FROM generate_series(...) s` gets the column list `s(s)`: PostgreSQL's
//   alias of a one-column function names its column too (psql's \d+).
// - `indkey[n]` (and the other int2vector/oidvector columns) becomes
//   `indkey[(n) + 1]`: those vectors count from 0 (psqlODBC).
// - Select-list items get PostgreSQL's column names: a function call is
//   named after the function (`version`, not `version()`), a qualified
//   column `t.oid` gets `AS oid` (so that ORDER BY oid finds it, as in
//   PostgreSQL), unquoted aliases are folded to lower case (JDBC's
//   `AS TABLE_SCHEM` is "table_schem").
// E'...' strings, `"char"`, `::oid`, `::name` and `= ANY(array)` need no
// rewrite (DuckDB parses them; `oid` and `name` are types of the emulation).
#ifndef CARELAKE_PGWIRE_SQL_TRANSLATE_H_
#define CARELAKE_PGWIRE_SQL_TRANSLATE_H_

#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::pgwire {

// The schemas of the emulation in the session's DuckDB database.
inline constexpr char kPgCatalogSchema[] = "carelake_pg_catalog";
inline constexpr char kInformationSchema[] = "carelake_information_schema";

// `pg_sql` (one or more statements) rewritten for DuckDB as described
// above. InvalidArgument for an unterminated string, quoted identifier or
// comment.
Result<std::string> TranslateForDuckDb(std::string_view pg_sql);

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_SQL_TRANSLATE_H_
