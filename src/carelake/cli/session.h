// Session: the engine a command works in — a DuckDB database (in memory
// unless a file is named) and one connection set to UTC, so timestamps with
// time zone read and print as Delta stores them.
#ifndef CARELAKE_CLI_SESSION_H_
#define CARELAKE_CLI_SESSION_H_

#include <memory>
#include <optional>
#include <string>

#include "carelake/base/status.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"

namespace carelake::cli {

struct Session {
  // Declared before `conn`: members are destroyed in reverse order, so the
  // connection closes before its database.
  std::unique_ptr<engine::Database> db;
  std::optional<engine::Connection> conn;

  // Opens the database (`path` empty: in memory) and the connection.
  Status Open(const std::string& path = "") {
    engine::DatabaseOptions options;
    options.path = path;
    CARELAKE_ASSIGN_OR_RETURN(db, engine::Database::Open(options));
    CARELAKE_ASSIGN_OR_RETURN(engine::Connection c, engine::OpenLakeConnection(*db));
    conn.emplace(std::move(c));
    return Status();
  }
};

}  // namespace carelake::cli

#endif  // CARELAKE_CLI_SESSION_H_
