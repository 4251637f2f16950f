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

  // An in-memory database for SQL that is not ours (a BI tool's, a user's
  // over pgwire or HTTP): the file system is reachable only below
  // `allowed_directories` (reading the lake's files; note that writing there
  // is not prevented here, the query session refuses statements that
  // write), no extension is installed or loaded on demand, and the
  // configuration is locked: `read_csv('/etc/passwd')`, `glob`, `ATTACH`,
  // `COPY ... TO` elsewhere and `SET enable_external_access = true` fail
  // with PermissionDenied or InvalidArgument. Temporary tables and views
  // work. Its connections are in UTC, like OpenLakeConnection's (a locked
  // configuration refuses a later `SET TimeZone`). `options.path` must be
  // empty (in memory).
  static Result<std::unique_ptr<Database>> OpenLockedDown(
      const std::vector<std::string>& allowed_directories, const DatabaseOptions& options = {});

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
