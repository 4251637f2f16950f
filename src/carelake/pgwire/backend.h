// Backend: one authenticated client session of the SQL server, as an
// explicit state machine over frontend messages — no sockets: messages in,
// backend messages out (a MessageWriter the connection sends), so it is
// tested and fuzzed in process.
//
// States (PostgreSQL's protocol "Message Flow"):
//   kIdle          ready for a query; ReadyForQuery says I, T or E (the
//                  transaction status below)
//   kExtended      inside an extended-query sequence (Parse/Bind/Describe/
//                  Execute/Close/Flush) until Sync
//   kSkipToSync    an extended-query message failed: everything up to the
//                  next Sync is read and dropped, then ReadyForQuery
//   kClosed        after Terminate or a fatal error
// Transaction status, separately: idle (autocommit: one snapshot per
// statement), in a block (BEGIN: one snapshot for the block, the views
// pinned), or failed (every statement but COMMIT/ROLLBACK gets 25P02).
//
// SQL reaches the lake only through the query session (query/session.h:
// the catalog's views, the untrusted session's refusals — the [access]
// seam); SET/SHOW/RESET/BEGIN/COMMIT/... are answered here (settings.h,
// session_command.h); COPY ... TO STDOUT streams CopyData.
#ifndef CARELAKE_PGWIRE_BACKEND_H_
#define CARELAKE_PGWIRE_BACKEND_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/status.h"
#include "carelake/engine/prepared_statement.h"
#include "carelake/engine/query_result.h"
#include "carelake/pgwire/copy_command.h"
#include "carelake/pgwire/pg_error.h"
#include "carelake/pgwire/session_command.h"
#include "carelake/pgwire/settings.h"
#include "carelake/pgwire/stream.h"
#include "carelake/pgwire/wire.h"
#include "carelake/query/session.h"

namespace carelake::pgwire {

class Backend {
 public:
  enum class State { kIdle, kExtended, kSkipToSync, kClosed };
  enum class Transaction { kIdle, kBlock, kFailed };

  // `flush` sends what `out` holds and clears it; Backend calls it when a
  // large result has filled the buffer, and the connection after each
  // message that needs an answer now. `prepare_sql` turns the client's SQL
  // into what the session runs (the pg_catalog translation).
  Backend(std::unique_ptr<query::Session> session, Settings settings, MessageWriter* out,
          std::function<Status()> flush);
  ~Backend();

  // After AuthenticationOk: every reported parameter, BackendKeyData,
  // ReadyForQuery.
  void Greet(int32_t process_id, int32_t secret_key);

  // One frontend message. Errors are answered in the output; the state
  // tells whether the connection goes on.
  void Handle(const Message& m);

  // Interrupts the running statement (CancelRequest, statement_timeout);
  // any thread. `timeout` words the error as PostgreSQL does for a timeout.
  void Interrupt(bool timeout);
  // The server is stopping: the running statement is interrupted and no
  // other starts (57P01); any thread.
  void Shutdown();

  State state() const { return state_; }
  Transaction transaction() const { return tx_; }
  Settings& settings() { return settings_; }
  query::Session& session() { return *session_; }

  // Called before and after each statement runs (the statement_timeout
  // watchdog arms itself here).
  std::function<void(bool running)> on_statement;
  // Rewrites the client's SQL for the engine (pg_catalog emulation); the
  // identity when unset.
  std::function<Result<std::string>(const std::string&)> translate;
  // Called after SET/RESET of `name` ("" after RESET ALL, DISCARD ALL): the
  // pg_catalog emulation follows search_path and friends.
  std::function<Status(const std::string& name)> on_setting;
  // Called after BEGIN (`begin`) and after COMMIT or ROLLBACK (`committed`
  // tells which) took effect in the session's database.
  std::function<void(bool begin, bool committed)> on_transaction;

  struct Column {
    std::string name;
    engine::LogicalType type;
  };
  struct Statement;
  struct Portal;

 private:
  // Simple query.
  void SimpleQuery(const std::string& sql);
  // Extended query.
  Status Parse(FieldReader& r);
  Status Bind(FieldReader& r);
  Status Describe(FieldReader& r);
  Status Execute(FieldReader& r);
  Status Close(FieldReader& r);
  void Sync();

  // Prepares one statement of either protocol.
  Result<std::shared_ptr<Statement>> PrepareStatement(const std::string& sql,
                                                      std::vector<uint32_t> param_oids);
  // Runs a portal: up to `max_rows` rows (0: all); false when suspended.
  Result<bool> RunPortal(Portal& portal, int64_t max_rows, bool describe_rows);
  Status RunCommand(const SessionCommand& command, bool describe_rows);
  Status RunCopy(const CopyCommand& copy);
  Status StartEngineStatement(Portal& portal);
  Status SendRows(Portal& portal, int64_t max_rows, bool* suspended);
  void RowDescription(const std::vector<Column>& columns, const std::vector<int16_t>& formats);
  void CommandComplete(const std::string& tag);
  void ReadyForQuery();
  void SendError(const PgError& error);
  void SendNotice(const std::string& message);
  void SendParameterStatus();
  Status MaybeFlush();
  // The error to send for `status`: pending_error_ when a step set one
  // (its SQLSTATE is not a Status code), else FromStatus.
  PgError ErrorFor(const Status& status, const std::string& sql);
  Status FailedTransaction();
  Status RefuseLakeWrite(const std::string& sql, Status status) const;
  // DuckDB keeps one streaming result per connection: before anything else
  // runs on it, the rest of every suspended portal (but `keep`) is fetched
  // into memory, so that a later Execute still gets all its rows.
  Status SettleSuspendedPortals(const Portal* keep);
  Status DropTemporaryObjects();

  std::unique_ptr<query::Session> session_;
  Settings settings_;
  MessageWriter* out_;
  std::function<Status()> flush_;
  State state_ = State::kIdle;
  Transaction tx_ = Transaction::kIdle;
  std::map<std::string, std::shared_ptr<Statement>> statements_;
  std::map<std::string, std::unique_ptr<Portal>> portals_;
  std::atomic<bool> timed_out_{false};
  std::atomic<bool> shutting_down_{false};
  bool fresh_ = false;  // the views were refreshed since the last ReadyForQuery
  std::optional<PgError> pending_error_;
  std::string error_sql_;  // the statement an Execute error is about
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_BACKEND_H_
