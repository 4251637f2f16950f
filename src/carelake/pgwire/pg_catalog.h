// PgCatalog: a PostgreSQL-15-shaped catalog (pg_catalog and
// information_schema) and the session settings (GUCs) of one pgwire client
// session, inside the session's DuckDB database (query::Session).
//
// Why it is built this way (DuckDB v1.4):
// - DuckDB has its own `pg_catalog` and `information_schema` schemas (in its
//   read-only `system` catalog, other OIDs and shapes). They cannot be
//   replaced: `CREATE SCHEMA pg_catalog` fails ("already exists") and
//   creating objects in them fails ("Cannot create entry in system
//   catalog"). So the emulation lives in the schemas `carelake_pg_catalog`
//   and `carelake_information_schema` (pg_catalog_sql.h), and the SQL a
//   client sends goes through TranslateForDuckDb (sql_translate.h), which
//   drops `pg_catalog.` qualifiers and renames `information_schema.`.
// - DuckDB resolves unqualified names along its search_path: temp.main,
//   then the schemas of `SET search_path`, then main, system.main (the
//   built-in functions) and system.pg_catalog. PgCatalog sets the
//   search_path to `carelake_pg_catalog` followed by the client's schemas
//   (default gold, silver, bronze, _system), so `pg_class`, `version()`,
//   `current_setting()`, `format()`... resolve to the emulation before
//   DuckDB's built-ins, as pg_catalog comes first in PostgreSQL. A
//   locked-down database (engine::Database::OpenLockedDown,
//   lock_configuration) still allows `SET search_path` (DuckDB exempts it),
//   CREATE MACRO/VIEW/TABLE/TYPE in the in-memory database and temporary
//   objects; Install runs them on the connection directly, not through
//   Session::Execute (whose read-only check would refuse them).
// - Usage per client session: query::Session::Open (untrusted, with the
//   project) -> Install -> per statement: SET/SHOW/RESET/DISCARD stay with
//   the server's Settings (settings.h) and are mirrored into
//   Set/Reset/ResetAll (current_setting(), pg_settings, DuckDB's
//   search_path); everything else Translate -> Session::Execute.
// - The relations, columns and keys are views over duckdb_tables(),
//   duckdb_views() and duckdb_columns(), so they follow catalog::Catalog's
//   per-statement refresh (new lake tables, new commits) without
//   reinstalling; OIDs are hashes of names, stable across refreshes.
//
// Threads: like the Connection it was installed on (one at a time).
#ifndef CARELAKE_PGWIRE_PG_CATALOG_H_
#define CARELAKE_PGWIRE_PG_CATALOG_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/project/project.h"

namespace carelake::pgwire {

// `gold` first, as issue 15 says; pg_catalog is searched before it.
inline constexpr char kDefaultSearchPath[] = "gold, silver, bronze, _system";

struct PgSessionInfo {
  std::string database;  // the project's name (pg_database, current_database())
  std::string user;      // current_user, session_user, pg_roles
  std::string application_name;
};

class PgCatalog {
 public:
  // Creates the catalog's foundation in `conn`'s database (once per
  // database; `conn` must outlive the PgCatalog; the rest comes with
  // Translate) and sets the default search_path. The project gives the
  // declared keys (primary keys). Statements must then go through
  // Translate, on this same connection.
  static Result<PgCatalog> Install(engine::Connection& conn, const project::Project& project,
                                   const PgSessionInfo& info);

  // TranslateForDuckDb(pg_sql), after creating the parts of the catalog
  // the translated statement names. Install creates only the foundation
  // (static tables, types, helpers); the rest is created group by group on
  // first use (pg_catalog_sql::Groups()), since each CREATE costs DuckDB
  // about 0.3 ms and a session touches few of the ~150 objects. Every name
  // the emulation defines triggers its creation before the statement runs,
  // so a statement always sees PostgreSQL's meaning (e.g. of `format`).
  // Inside the client's transaction the objects join it; after a rollback
  // they are created again.
  Result<std::string> Translate(std::string_view pg_sql);

  // SET name = value. Names are case-insensitive. NotFound for a name
  // PostgreSQL does not know here (no dot in it: "unrecognized
  // configuration parameter"; names with a dot are custom settings and
  // accepted). Values are stored as given: the server's Settings checks
  // them first (settings.h). search_path is applied to DuckDB (schemas that
  // do not exist are skipped, as PostgreSQL does); TimeZone is how values
  // are sent (value_codec.h) while DuckDB itself computes in UTC.
  Status Set(std::string_view name, std::string_view value);
  // SHOW name: the current value, nullopt for an unknown name.
  std::optional<std::string> Get(std::string_view name) const;
  // RESET name / RESET ALL (also what DISCARD ALL resets).
  Status Reset(std::string_view name);
  Status ResetAll();

  // The client's transaction (BEGIN ... COMMIT/ROLLBACK on this
  // connection): parts of the catalog first needed inside it are created in
  // it, and created again after a rollback.
  void TransactionStarted();
  void TransactionEnded(bool committed);

 private:
  explicit PgCatalog(engine::Connection& conn) : conn_(&conn) {}
  Status Store(const std::string& key, std::string_view value);
  Status ApplySearchPath(std::string_view value);
  Status EnsureGroup(size_t index);

  engine::Connection* conn_;
  // Lower-case name -> (name as PostgreSQL spells it, default, current).
  struct Setting {
    std::string name;
    std::string boot;
    std::string value;
  };
  std::map<std::string, Setting, std::less<>> settings_;
  std::vector<bool> installed_;  // by index in pg_catalog_sql::Groups()
  std::vector<size_t> pending_;  // created inside the client's open transaction
  bool in_transaction_ = false;
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_PG_CATALOG_H_
