// Connection: a session on a Database — its own transaction state, settings
// and temporary objects.
//
// Threads: one thread at a time per Connection (open one per thread). It
// must not outlive its Database. Interrupt() alone may be called from
// another thread.
#ifndef CARELAKE_ENGINE_CONNECTION_H_
#define CARELAKE_ENGINE_CONNECTION_H_

#include <functional>
#include <string_view>
#include <utility>

#include "carelake/base/result.h"
#include "carelake/engine/database.h"
#include "carelake/engine/prepared_statement.h"
#include "carelake/engine/query_result.h"

namespace carelake::engine {

class Connection {
 public:
  static Result<Connection> Open(Database& db);

  // A new connection to the same database (which must outlive it), e.g. for
  // work on another thread. Settings are not copied.
  Result<Connection> OpenAnother() const;

  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more `;`-separated statements, discarding results.
  Status Execute(std::string_view sql);

  // Runs one or more statements; returns the last one's result,
  // materialized.
  Result<QueryResult> Query(std::string_view sql);

  // Runs `sql` (one statement) with `params` bound to $1, $2, ...
  template <typename... Args>
  Result<QueryResult> Query(std::string_view sql, Args&&... params) {
    CARELAKE_ASSIGN_OR_RETURN(PreparedStatement stmt, Prepare(sql));
    size_t index = 0;
    Status status;
    ((status = status.ok() ? stmt.Bind(++index, std::forward<Args>(params)) : status), ...);
    CARELAKE_RETURN_IF_ERROR(status);
    return stmt.Execute();
  }

  // Runs one statement and streams its result chunk by chunk.
  Result<QueryResult> Stream(std::string_view sql);

  // Runs the statements of `sql` one after another, each streamed, and hands
  // each result to `on_result` (which may stop the script by returning an
  // error). Statements are prepared one at a time, so later statements may
  // refer to objects that earlier ones create.
  Status ExecuteScript(std::string_view sql, const std::function<Status(QueryResult&)>& on_result);

  // Prepares one statement.
  Result<PreparedStatement> Prepare(std::string_view sql);

  // Asks the running query to stop; it then fails with Cancelled.
  void Interrupt();

  // The underlying duckdb_connection; for engine/ only.
  void* handle() const { return handle_; }

 private:
  Connection(void* handle, Database* database) : handle_(handle), database_(database) {}
  void* handle_;
  Database* database_;
};

// The first value of the first row of `sql` as an integer of any width and
// signedness; 0 when there is no row or the value is NULL.
Result<int64_t> QueryInt(Connection& conn, std::string_view sql);

// An integer value of any width and signedness (0 for NULL).
int64_t AsInt64(const Value& v);

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_CONNECTION_H_
