// Database: an open DuckDB database, in memory or in a file.
//
// Threads: a Database may be used from any number of threads at once; each
// thread opens its own Connection. The Database must outlive every
// Connection opened on it.
#ifndef CARELAKE_ENGINE_DATABASE_H_
#define CARELAKE_ENGINE_DATABASE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::engine {

struct DatabaseOptions {
  // A database file; empty (or ":memory:") opens an in-memory database.
  std::string path;
  // DuckDB configuration options applied at open, e.g. {"threads", "2"},
  // {"memory_limit", "4GB"}, {"TimeZone", "UTC"}. An unknown name or a bad
  // value fails Open() with InvalidArgument naming it.
  std::vector<std::pair<std::string, std::string>> config;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  // An in-memory database with default options.
  static Result<std::unique_ptr<Database>> OpenInMemory();

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The underlying duckdb_database; for engine/ only.
  void* handle() const { return handle_; }

 private:
  explicit Database(void* handle) : handle_(handle) {}
  void* handle_;
};

// DuckDB's library version, e.g. "v1.4.4".
std::string DuckDbVersion();

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_DATABASE_H_
