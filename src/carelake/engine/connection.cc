#include "carelake/engine/connection.h"

#include <string>

#include "carelake/engine/internal.h"

namespace carelake::engine {

namespace {

duckdb_connection Conn(void* handle) { return static_cast<duckdb_connection>(handle); }

// Runs a prepared statement; the result takes ownership of `prepared` when
// `owns_prepared`.
Result<QueryResult> RunPrepared(duckdb_prepared_statement prepared, bool streaming,
                                bool owns_prepared) {
  duckdb_pending_result pending = nullptr;
  const duckdb_state state = streaming ? duckdb_pending_prepared_streaming(prepared, &pending)
                                       : duckdb_pending_prepared(prepared, &pending);
  if (state == DuckDBError) {
    Status status =
        Internal(duckdb_pending_error(pending) != nullptr ? duckdb_pending_error(pending)
                                                          : "cannot start the query");
    duckdb_destroy_pending(&pending);
    if (owns_prepared) duckdb_destroy_prepare(&prepared);
    return status;
  }
  duckdb_result result;
  duckdb_execute_pending(pending, &result);
  duckdb_destroy_pending(&pending);
  return internal::WrapResult(&result, owns_prepared ? prepared : nullptr);
}

Status PrepareError(duckdb_prepared_statement prepared) {
  // Preparing parses and binds: its errors (parser, binder, catalog) are
  // all about the statement text.
  const char* error = duckdb_prepare_error(prepared);
  return InvalidArgument(error != nullptr ? error : "cannot prepare the statement");
}

}  // namespace

Result<Connection> Connection::Open(Database& db) {
  duckdb_connection conn = nullptr;
  if (duckdb_connect(static_cast<duckdb_database>(db.handle()), &conn) == DuckDBError) {
    return Internal("cannot open a DuckDB connection");
  }
  return Connection(conn, &db);
}

Result<Connection> Connection::OpenAnother() const { return Open(*database_); }

Connection::~Connection() {
  if (handle_ != nullptr) {
    duckdb_connection c = Conn(handle_);
    duckdb_disconnect(&c);
  }
}

Connection::Connection(Connection&& other) noexcept
    : handle_(other.handle_), database_(other.database_) {
  other.handle_ = nullptr;
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) {
      duckdb_connection c = Conn(handle_);
      duckdb_disconnect(&c);
    }
    handle_ = other.handle_;
    database_ = other.database_;
    other.handle_ = nullptr;
  }
  return *this;
}

Status Connection::Execute(std::string_view sql) { return Query(sql).status(); }

Result<QueryResult> Connection::Query(std::string_view sql) {
  const std::string text(sql);
  duckdb_result result;
  duckdb_query(Conn(handle_), text.c_str(), &result);
  return internal::WrapResult(&result, nullptr);
}

Result<QueryResult> Connection::Stream(std::string_view sql) {
  const std::string text(sql);
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare(Conn(handle_), text.c_str(), &prepared) == DuckDBError) {
    Status status = PrepareError(prepared);
    duckdb_destroy_prepare(&prepared);
    return status;
  }
  return RunPrepared(prepared, /*streaming=*/true, /*owns_prepared=*/true);
}

Status Connection::ExecuteScript(std::string_view sql,
                                 const std::function<Status(QueryResult&)>& on_result) {
  const std::string text(sql);
  duckdb_extracted_statements extracted = nullptr;
  const idx_t count = duckdb_extract_statements(Conn(handle_), text.c_str(), &extracted);
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(extracted);
    Status status = error != nullptr ? InvalidArgument(error) : Status::Ok();
    duckdb_destroy_extracted(&extracted);
    return status;
  }
  Status status;
  for (idx_t i = 0; i < count && status.ok(); ++i) {
    duckdb_prepared_statement prepared = nullptr;
    if (duckdb_prepare_extracted_statement(Conn(handle_), extracted, i, &prepared) == DuckDBError) {
      status = PrepareError(prepared);
      duckdb_destroy_prepare(&prepared);
      break;
    }
    Result<QueryResult> result = RunPrepared(prepared, /*streaming=*/true, /*owns=*/true);
    status = result.ok() ? on_result(*result) : result.status();
  }
  duckdb_destroy_extracted(&extracted);
  return status;
}

Result<PreparedStatement> Connection::Prepare(std::string_view sql) {
  const std::string text(sql);
  duckdb_prepared_statement prepared = nullptr;
  if (duckdb_prepare(Conn(handle_), text.c_str(), &prepared) == DuckDBError) {
    Status status = PrepareError(prepared);
    duckdb_destroy_prepare(&prepared);
    return status;
  }
  return PreparedStatement(prepared);
}

void Connection::Interrupt() { duckdb_interrupt(Conn(handle_)); }

PreparedStatement::~PreparedStatement() {
  if (handle_ != nullptr) {
    auto p = static_cast<duckdb_prepared_statement>(handle_);
    duckdb_destroy_prepare(&p);
  }
}

PreparedStatement::PreparedStatement(PreparedStatement&& other) noexcept : handle_(other.handle_) {
  other.handle_ = nullptr;
}

PreparedStatement& PreparedStatement::operator=(PreparedStatement&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) {
      auto p = static_cast<duckdb_prepared_statement>(handle_);
      duckdb_destroy_prepare(&p);
    }
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

size_t PreparedStatement::parameter_count() const {
  return duckdb_nparams(static_cast<duckdb_prepared_statement>(handle_));
}

LogicalType PreparedStatement::parameter_type(size_t index) const {
  auto p = static_cast<duckdb_prepared_statement>(handle_);
  if (index == 0 || index > parameter_count()) return LogicalType{};
  duckdb_logical_type t = duckdb_param_logical_type(p, index);
  if (t == nullptr) return LogicalType{};
  LogicalType type = internal::ConvertType(t);
  duckdb_destroy_logical_type(&t);
  return type;
}

StatementKind PreparedStatement::kind() const {
  return internal::FromDuckDb(
      duckdb_prepared_statement_type(static_cast<duckdb_prepared_statement>(handle_)));
}

size_t PreparedStatement::column_count() const {
  return duckdb_prepared_statement_column_count(static_cast<duckdb_prepared_statement>(handle_));
}

std::string PreparedStatement::column_name(size_t index) const {
  const char* name =
      duckdb_prepared_statement_column_name(static_cast<duckdb_prepared_statement>(handle_), index);
  std::string out = name != nullptr ? name : "";
  duckdb_free(const_cast<char*>(name));
  return out;
}

LogicalType PreparedStatement::column_type(size_t index) const {
  duckdb_logical_type t = duckdb_prepared_statement_column_logical_type(
      static_cast<duckdb_prepared_statement>(handle_), index);
  if (t == nullptr) return LogicalType{};
  LogicalType type = internal::ConvertType(t);
  duckdb_destroy_logical_type(&t);
  return type;
}

Status PreparedStatement::Bind(size_t index, const Value& value) {
  auto p = static_cast<duckdb_prepared_statement>(handle_);
  if (index == 0 || index > parameter_count()) {
    return InvalidArgument("parameter $" + std::to_string(index) + " out of range: statement has " +
                           std::to_string(parameter_count()) + " parameter(s)");
  }
  duckdb_value v = internal::ToDuckDbValue(value);
  const duckdb_state state = duckdb_bind_value(p, index, v);
  duckdb_destroy_value(&v);
  if (state == DuckDBError) {
    const char* error = duckdb_prepare_error(p);
    return InvalidArgument("cannot bind parameter $" + std::to_string(index) + " to " +
                           value.ToString() + (error != nullptr ? std::string(": ") + error : ""));
  }
  return Status::Ok();
}

Status PreparedStatement::ClearBindings() {
  if (duckdb_clear_bindings(static_cast<duckdb_prepared_statement>(handle_)) == DuckDBError) {
    return Internal("cannot clear bindings");
  }
  return Status::Ok();
}

Result<QueryResult> PreparedStatement::Execute() { return Run(/*streaming=*/false); }
Result<QueryResult> PreparedStatement::ExecuteStreaming() { return Run(/*streaming=*/true); }

Result<QueryResult> PreparedStatement::Run(bool streaming) {
  return RunPrepared(static_cast<duckdb_prepared_statement>(handle_), streaming,
                     /*owns_prepared=*/false);
}

Result<int64_t> QueryInt(Connection& conn, std::string_view sql) {
  CARELAKE_ASSIGN_OR_RETURN(QueryResult r, conn.Query(sql));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  if (rows.empty() || rows[0].empty()) return 0;
  return AsInt64(rows[0][0]);
}

int64_t AsInt64(const Value& v) {
  if (v.is_null()) return 0;
  switch (v.type().id) {
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
      return static_cast<int64_t>(v.GetUInt64());
    default:
      return v.GetInt64();
  }
}

}  // namespace carelake::engine
