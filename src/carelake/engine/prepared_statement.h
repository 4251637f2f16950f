// PreparedStatement: a parsed and bound statement with `?`/`$n` parameters.
//
// Threads: belongs to its Connection's thread; must not outlive it.
#ifndef CARELAKE_ENGINE_PREPARED_STATEMENT_H_
#define CARELAKE_ENGINE_PREPARED_STATEMENT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "carelake/base/result.h"
#include "carelake/engine/query_result.h"
#include "carelake/engine/statement_kind.h"
#include "carelake/engine/types.h"
#include "carelake/engine/value.h"

namespace carelake::engine {

class PreparedStatement {
 public:
  ~PreparedStatement();
  PreparedStatement(PreparedStatement&& other) noexcept;
  PreparedStatement& operator=(PreparedStatement&& other) noexcept;
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  size_t parameter_count() const;
  // The type the statement expects for parameter `index` (1-based); kInvalid
  // when the binder could not tell (`SELECT $1`).
  LogicalType parameter_type(size_t index) const;

  // What the statement is, and the columns it returns (none for a
  // statement that returns no rows), known before it runs.
  StatementKind kind() const;
  size_t column_count() const;
  std::string column_name(size_t index) const;
  LogicalType column_type(size_t index) const;

  // Binds parameter `index` (1-based, as in SQL `$1`). InvalidArgument when
  // the index is out of range or the value cannot be cast to its type.
  Status Bind(size_t index, const Value& value);
  Status Bind(size_t index, bool v) { return Bind(index, Value::Boolean(v)); }
  Status Bind(size_t index, int32_t v) { return Bind(index, Value::Integer(v)); }
  Status Bind(size_t index, int64_t v) { return Bind(index, Value::BigInt(v)); }
  Status Bind(size_t index, double v) { return Bind(index, Value::Double(v)); }
  Status Bind(size_t index, std::string_view v) {
    return Bind(index, Value::Varchar(std::string(v)));
  }
  Status Bind(size_t index, const char* v) { return Bind(index, std::string_view(v)); }
  Status BindNull(size_t index) { return Bind(index, Value()); }
  Status ClearBindings();

  // Runs with the current bindings; the result is fully materialized.
  Result<QueryResult> Execute();
  // Runs with the current bindings; chunks are produced as they are fetched.
  Result<QueryResult> ExecuteStreaming();

  explicit PreparedStatement(void* handle) : handle_(handle) {}

 private:
  Result<QueryResult> Run(bool streaming);
  void* handle_;
};

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_PREPARED_STATEMENT_H_
