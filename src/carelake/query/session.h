// Session: where SQL from a person or a tool runs against a project — the
// `carelake sql` command today, the pgwire server and the HTTP API later
// (one session per client connection, kept open for as long as it lasts).
//
// Each Execute() moves the catalog's views to the tables' latest commits
// (catalog::Catalog::Refresh, one `_delta_log` listing per table), so a
// long-lived session sees every commit and every table created after it
// opened; expands `delta_scan(...)` calls (delta/sql_rewrite.h); and runs
// the statements in order, handing each result to the caller. The views
// `_system.tables` and `_system.columns` (catalog/lake_catalog.h) describe
// the lake as the views read it; they are rebuilt when a table moves.
//
// A session for SQL that is not ours (`untrusted`) runs on a locked-down
// database (engine::Database::OpenLockedDown: files only in the folders of
// the project's tables — not the rest of the lake, which holds the users'
// verifiers and the SQL server's TLS key —, no extensions, configuration
// locked, its own private spill folder), reads Delta logs only there,
// and refuses — before running any statement of the script — every
// statement that is not a read: only SELECT, EXPLAIN, SET/RESET (which the
// locked configuration confines to harmless settings) and transaction
// control (BEGIN/COMMIT/ROLLBACK, which clients send) are allowed. The
// [access] policy layer will sit on this seam.
//
// Threads: one thread at a time per session.
#ifndef CARELAKE_QUERY_SESSION_H_
#define CARELAKE_QUERY_SESSION_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "carelake/base/confined_file_system.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/engine/prepared_statement.h"
#include "carelake/engine/query_result.h"
#include "carelake/engine/statement_kind.h"
#include "carelake/project/project.h"

namespace carelake::query {

struct SessionOptions {
  // A DuckDB database file to open; empty: a fresh in-memory database.
  // Must be empty for an untrusted session.
  std::string database;
  // A loaded project (project::LoadProject): its tables are views
  // `layer.name` and its run ledger `_system.*`. Without one, only
  // delta_scan() reaches Delta tables.
  std::optional<project::Project> project;
  // SQL that is not ours: locked down and read-only (see above). Needs a
  // project (its lake is the only folder the session may read).
  bool untrusted = false;
  // Untrusted only: also allow statements that create, fill, change and drop
  // the session's own objects (temporary tables and views, which BI tools
  // create). They live in the session's in-memory database; the lake is
  // written by pipelines only, never by a session.
  bool allow_session_objects = false;
  // Untrusted only: the lake is reached through the catalog's tables and
  // nothing else — no function that reads or lists files (read_parquet,
  // read_csv, glob, delta_scan, ...; query/file_functions.h), no file named
  // in FROM ('x.parquet'), even below the lake: a policy ([access]) applies
  // to tables, so it must not be walked around.
  bool catalog_only = false;
  // DuckDB settings fixed when the database opens, e.g. {"memory_limit",
  // "1GB"}, {"threads", "1"}: a client session's share of the machine.
  std::vector<std::pair<std::string, std::string>> database_config;
  // Untrusted only: the most its queries may spill to disk (in a private
  // folder of the session's, removed with it).
  std::string max_spill = "4GB";
};

class Session {
 public:
  // Opens the database (the project's views are registered by the first
  // Execute()).
  static Result<std::unique_ptr<Session>> Open(const SessionOptions& options, FileSystem& fs);

  // Runs `sql` (one or more `;`-separated statements) and hands each
  // statement's result to `on_result`, which may stop the script by
  // returning an error. Errors: the statement's (InvalidArgument for SQL
  // that does not parse or bind, with DuckDB's message), PermissionDenied
  // for a statement an untrusted session refuses (naming it and its
  // position). The session stays usable after any error.
  Status Execute(const std::string& sql,
                 const std::function<Status(engine::QueryResult&)>& on_result);

  // Prepares one statement under the same rules as Execute (the views moved
  // to the latest commits unless pinned, delta_scan expanded, an untrusted
  // session's refusals); run it later with Refresh() before each execution
  // so that it reads the latest commits too.
  Result<engine::PreparedStatement> Prepare(const std::string& sql);
  // Moves the views to the tables' latest commits (nothing while pinned).
  Status Refresh();
  // While pinned, statements keep reading the commits they read when the
  // pin was set: a transaction's snapshot (BEGIN ... COMMIT).
  void PinSnapshot(bool pinned) { pinned_ = pinned; }

  // Interrupts the statement running on this session; any thread.
  void Interrupt() { conn_->Interrupt(); }

  engine::Connection& connection() { return *conn_; }
  // Null without a project.
  const project::Project* project() const { return project_ ? &*project_ : nullptr; }

  ~Session();

 private:
  Session() = default;
  Status CheckReadOnly(const std::string& sql);
  bool Allowed(engine::StatementKind kind) const;
  Status CheckPolicy(const std::string& sql);

  // Declared in this order so that they are destroyed in reverse: the
  // catalog and connection before the database.
  std::unique_ptr<engine::Database> db_;
  std::optional<engine::Connection> conn_;
  std::optional<project::Project> project_;
  std::optional<catalog::Catalog> catalog_;
  FileSystem* fs_ = nullptr;
  std::unique_ptr<ConfinedFileSystem> confined_;  // untrusted sessions read through it
  bool untrusted_ = false;
  bool allow_session_objects_ = false;
  bool catalog_only_ = false;
  bool pinned_ = false;
  bool system_views_ = false;  // _system.tables and _system.columns exist
  std::string temp_dir_;       // untrusted: the session's private spill folder
};

}  // namespace carelake::query

#endif  // CARELAKE_QUERY_SESSION_H_
