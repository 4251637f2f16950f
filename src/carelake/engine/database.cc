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

Database::~Database() {
  auto db = static_cast<duckdb_database>(handle_);
  duckdb_close(&db);
}

std::string DuckDbVersion() { return duckdb_library_version(); }

}  // namespace carelake::engine
