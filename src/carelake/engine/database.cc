#include "carelake/engine/database.h"

#include <duckdb.h>

namespace carelake::engine {

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) {
    return Internal("cannot allocate a DuckDB configuration");
  }
  for (const auto& [name, value] : options.config) {
    if (duckdb_set_config(config, name.c_str(), value.c_str()) == DuckDBError) {
      duckdb_destroy_config(&config);
      return InvalidArgument("unknown DuckDB option '" + name + "' (value '" + value + "')");
    }
  }
  const bool in_memory = options.path.empty() || options.path == ":memory:";
  duckdb_database db = nullptr;
  char* error = nullptr;
  const duckdb_state state =
      duckdb_open_ext(in_memory ? nullptr : options.path.c_str(), &db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string msg = error != nullptr ? error : "unknown error";
    duckdb_free(error);
    return InvalidArgument("cannot open database " +
                           (in_memory ? std::string("in memory") : "'" + options.path + "'") +
                           ": " + msg);
  }
  return std::unique_ptr<Database>(new Database(db));
}

Result<std::unique_ptr<Database>> Database::OpenInMemory() { return Open(DatabaseOptions{}); }

Result<std::unique_ptr<Database>> Database::OpenLockedDown(
    const std::vector<std::string>& allowed_directories, const DatabaseOptions& options) {
  if (!options.path.empty() && options.path != ":memory:") {
    return InvalidArgument("a locked-down database is in memory; got path '" + options.path + "'");
  }
  CARELAKE_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Open(options));
  duckdb_connection conn = nullptr;
  if (duckdb_connect(static_cast<duckdb_database>(db->handle()), &conn) == DuckDBError) {
    return Internal("cannot connect to the locked-down database");
  }
  // Settings are database-wide; the order matters: UTC (its time zone
  // support may need loading) and the directories first, then no other file
  // access, then the lock.
  std::string list;
  for (const std::string& dir : allowed_directories) {
    std::string quoted;
    for (char c : dir) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    list += (list.empty() ? "'" : ", '") + quoted + (dir.empty() || dir.back() != '/' ? "/'" : "'");
  }
  const std::string settings[] = {
      "SET GLOBAL TimeZone = 'UTC'",           "SET allowed_directories = [" + list + "]",
      "SET enable_external_access = false",    "SET autoinstall_known_extensions = false",
      "SET autoload_known_extensions = false", "SET lock_configuration = true"};
  Status status;
  for (const std::string& sql : settings) {
    duckdb_result result;
    if (duckdb_query(conn, sql.c_str(), &result) == DuckDBError) {
      status =
          Internal("cannot lock down the database (" + sql + "): " + duckdb_result_error(&result));
    }
    duckdb_destroy_result(&result);
    if (!status.ok()) break;
  }
  duckdb_disconnect(&conn);
  CARELAKE_RETURN_IF_ERROR(status);
  return db;
}

Database::~Database() {
  auto db = static_cast<duckdb_database>(handle_);
  duckdb_close(&db);
}

std::string DuckDbVersion() { return duckdb_library_version(); }

}  // namespace carelake::engine
