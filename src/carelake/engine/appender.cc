#include "carelake/engine/appender.h"

#include <string>

#include "carelake/engine/internal.h"

namespace carelake::engine {

namespace {

duckdb_appender App(void* handle) { return static_cast<duckdb_appender>(handle); }

Status AppenderError(duckdb_appender appender, const char* fallback) {
  duckdb_error_data data = duckdb_appender_error_data(appender);
  const char* message = duckdb_error_data_message(data);
  Status status = internal::StatusFromDuckDb(duckdb_error_data_error_type(data),
                                             message != nullptr ? message : fallback);
  duckdb_destroy_error_data(&data);
  return status;
}

}  // namespace

Result<Appender> Appender::Create(Connection& conn, std::string_view table,
                                  std::string_view schema) {
  const std::string table_name(table);
  const std::string schema_name(schema);
  duckdb_appender appender = nullptr;
  if (duckdb_appender_create(static_cast<duckdb_connection>(conn.handle()),
                             schema.empty() ? nullptr : schema_name.c_str(), table_name.c_str(),
                             &appender) == DuckDBError) {
    Status status = AppenderError(appender, "cannot create appender");
    duckdb_appender_destroy(&appender);
    return status.WithContext("appender for table '" + table_name + "'");
  }
  return Appender(appender);
}

Appender::~Appender() {
  if (handle_ != nullptr) {
    duckdb_appender a = App(handle_);
    duckdb_appender_destroy(&a);
  }
}

Appender::Appender(Appender&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }

Appender& Appender::operator=(Appender&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) {
      duckdb_appender a = App(handle_);
      duckdb_appender_destroy(&a);
    }
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

Status Appender::Check(int state) {
  if (state != DuckDBError) return Status::Ok();
  if (handle_ == nullptr) return FailedPrecondition("appender is closed");
  return AppenderError(App(handle_), "append failed");
}

Status Appender::Append(bool v) { return Check(duckdb_append_bool(App(handle_), v)); }
Status Appender::Append(int32_t v) { return Check(duckdb_append_int32(App(handle_), v)); }
Status Appender::Append(int64_t v) { return Check(duckdb_append_int64(App(handle_), v)); }
Status Appender::Append(uint64_t v) { return Check(duckdb_append_uint64(App(handle_), v)); }
Status Appender::Append(double v) { return Check(duckdb_append_double(App(handle_), v)); }
Status Appender::Append(std::string_view v) {
  return Check(duckdb_append_varchar_length(App(handle_), v.data(), v.size()));
}
Status Appender::Append(Date v) {
  return Check(duckdb_append_date(App(handle_), duckdb_date{v.days}));
}
Status Appender::Append(Timestamp v) {
  return Check(duckdb_append_timestamp(App(handle_), duckdb_timestamp{v.micros}));
}
Status Appender::Append(TimestampTz v) { return Append(Value::FromTimestampTz(v)); }
Status Appender::Append(const Decimal& v) { return Append(Value::FromDecimal(v)); }
Status Appender::Append(const Value& v) {
  duckdb_value value = internal::ToDuckDbValue(v);
  const duckdb_state state = duckdb_append_value(App(handle_), value);
  duckdb_destroy_value(&value);
  return Check(state);
}
Status Appender::AppendNull() { return Check(duckdb_append_null(App(handle_))); }
Status Appender::EndRow() { return Check(duckdb_appender_end_row(App(handle_))); }
Status Appender::Flush() {
  if (handle_ == nullptr) return FailedPrecondition("appender is closed");
  return Check(duckdb_appender_flush(App(handle_)));
}

Status Appender::Close() {
  if (handle_ == nullptr) return FailedPrecondition("appender is closed");
  duckdb_appender a = App(handle_);
  Status status = Check(duckdb_appender_close(a));
  duckdb_appender_destroy(&a);
  handle_ = nullptr;
  return status;
}

}  // namespace carelake::engine
