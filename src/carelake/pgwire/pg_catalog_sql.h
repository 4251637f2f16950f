// The SQL that builds the emulated PostgreSQL 15 catalog inside a session's
// DuckDB database (see pgwire/pg_catalog.h for how it is installed and
// why it lives in the schemas `carelake_pg_catalog` and
// `carelake_information_schema`). One function per object group; each
// returns `;`-separated statements. Groups() lists them with their
// dependencies: the catalog is built on demand, group by group (each CREATE
// costs DuckDB about 0.3 ms to parse and bind, and a session touches few).
//
// The objects read three kinds of source:
// - static tables PgCatalog::Install fills from C++ (pg_type, pg_proc, the
//   DuckDB-to-PostgreSQL type map, the project's keys and descriptions, the
//   session's user and database, the session settings): `carelake_*`
//   tables, plus pg_type and pg_proc themselves;
// - DuckDB's live catalog (duckdb_tables(), duckdb_views(),
//   duckdb_columns(), duckdb_schemas()), so that a table created in the lake
//   (or a temporary table of the session) after the session opened appears
//   in the next statement;
// - nothing: catalogs clients only join (pg_inherits, pg_policy...) are
//   empty tables with PostgreSQL's columns.
//
// OIDs: PostgreSQL's own for types, pg_catalog (11), public (2200) and the
// catalogs clients name (`'pg_class'::regclass` is 1259); other objects get
// 16384 + (DuckDB hash of a stable name) % 10^9 — the same for the same
// schema-qualified name for as long as the session lasts, whatever
// catalog::Catalog::Refresh does to the view behind it.
#ifndef CARELAKE_PGWIRE_PG_CATALOG_SQL_H_
#define CARELAKE_PGWIRE_PG_CATALOG_SQL_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace carelake::pgwire::pg_catalog_sql {

// The schemas, the static tables (empty; PgCatalog fills them) and the
// helper macros every other group uses (carelake_oid...).
std::string_view Foundation();
// pg_namespace.
std::string_view Namespaces();
// carelake_relations (DuckDB's tables and views), pg_class, pg_tables,
// pg_views, pg_matviews, pg_stat_user_tables.
std::string_view Relations();
// pg_attribute, pg_attrdef.
std::string_view Attributes();
// pg_index, pg_constraint, pg_indexes (the declared keys).
std::string_view Keys();
// pg_description.
std::string_view Descriptions();
// pg_database, pg_roles, pg_user, pg_authid, pg_settings, pg_am,
// pg_collation, pg_tablespace.
std::string_view ServerObjects();
// Catalogs that are always empty here, with PostgreSQL 15's columns.
std::string_view EmptyCatalogs();
// The functions and operators clients call that read only the session
// (version(), current_setting(), format_type, has_*_privilege, ~*...).
std::string_view SessionFunctions();
// The functions that read the relations (pg_table_is_visible,
// pg_get_constraintdef, pg_get_indexdef, col_description).
std::string_view CatalogFunctions();
// The reg* "casts" sql_translate.h rewrites into calls.
std::string_view RegFunctions();
// information_schema: schemata, tables, columns, views, table_constraints,
// key_column_usage, table_privileges, referential_constraints.
std::string_view InformationSchema();

// A group of objects created together, after the groups it depends on.
struct Group {
  std::string_view name;
  std::string_view sql;
  std::vector<size_t> deps;  // indexes into Groups(), all smaller than its own
};

// Every group, in dependency order. Groups()[0] (Foundation) is created by
// PgCatalog::Install, the others the first time a statement names one of
// their objects (PgCatalog::Translate).
const std::vector<Group>& Groups();

}  // namespace carelake::pgwire::pg_catalog_sql

#endif  // CARELAKE_PGWIRE_PG_CATALOG_SQL_H_
