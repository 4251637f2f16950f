// QueryResult, DataChunk and ColumnView: typed access to query results,
// chunk by chunk.
//
// Lifetimes: a DataChunk must not outlive the QueryResult it came from, and a
// ColumnView must not outlive its DataChunk. A streaming QueryResult must not
// outlive its Connection. None of these objects may be used from two threads
// at once.
#ifndef CARELAKE_ENGINE_QUERY_RESULT_H_
#define CARELAKE_ENGINE_QUERY_RESULT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/engine/types.h"
#include "carelake/engine/value.h"

namespace carelake::engine {

// One column of a DataChunk: `size()` rows of one type.
//
// Get<T>() reads the physical storage directly, for hot loops. The physical
// type per logical type: BOOLEAN bool; TINYINT..BIGINT int8_t..int64_t;
// UTINYINT..UBIGINT uint8_t..uint64_t; FLOAT float; DOUBLE double; DATE
// int32_t days; TIME, TIMESTAMP, TIMESTAMP WITH TIME ZONE int64_t micros;
// TIMESTAMP_S/_MS/_NS int64_t in that unit; DECIMAL int16_t/int32_t/int64_t
// for widths up to 4/9/18, Int128 above. Strings and blobs: GetString().
class ColumnView {
 public:
  ColumnView(void* vector, const LogicalType* type);

  const LogicalType& type() const { return *type_; }

  bool IsNull(size_t row) const {
    return validity_ != nullptr && ((validity_[row / 64] >> (row % 64)) & 1) == 0;
  }
  template <typename T>
  T Get(size_t row) const {
    return static_cast<const T*>(data_)[row];
  }
  // VARCHAR or BLOB bytes; valid while the chunk lives.
  std::string_view GetString(size_t row) const;

  // Where a LIST's or MAP's row keeps its elements in ListChild(); for an
  // ARRAY, row * array_size and array_size.
  struct ListEntry {
    uint64_t offset = 0;
    uint64_t length = 0;
  };
  ListEntry GetListEntry(size_t row) const;
  // LIST or ARRAY only: the column of all rows' elements, typed as
  // type().children[0].
  ColumnView ListChild() const;

  // The value at `row` as a Value (NULL aware); nested values with their
  // children. UUID, ENUM and other exotic scalars come back rendered as
  // text (Value::Rendered).
  Value GetValue(size_t row) const;
  // DuckDB-style text of the value, "NULL" for NULL.
  std::string ToString(size_t row) const;

 private:
  void* vector_;
  const void* data_;
  const uint64_t* validity_;
  const LogicalType* type_;
};

class DataChunk {
 public:
  DataChunk(void* chunk, const std::vector<LogicalType>* types);
  ~DataChunk();
  DataChunk(DataChunk&& other) noexcept;
  DataChunk& operator=(DataChunk&& other) noexcept;
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;

  size_t size() const;
  size_t column_count() const { return types_->size(); }
  ColumnView column(size_t index) const;

 private:
  void Reset();
  void* chunk_;
  const std::vector<LogicalType>* types_;
};

enum class ResultKind {
  kRows,         // a query that returns rows (SELECT, SHOW, ...)
  kRowsChanged,  // INSERT/UPDATE/DELETE: rows_changed() tells how many
  kNothing,      // DDL and the like
};

class QueryResult {
 public:
  ~QueryResult();
  QueryResult(QueryResult&&) noexcept;
  QueryResult& operator=(QueryResult&&) noexcept;

  ResultKind kind() const;
  size_t column_count() const;
  const std::string& column_name(size_t index) const;
  const LogicalType& column_type(size_t index) const;
  const std::vector<std::string>& column_names() const;
  const std::vector<LogicalType>& column_types() const;
  int64_t rows_changed() const;

  // The next chunk, or nullopt after the last one. A streaming result can
  // fail part-way; that error is returned here.
  Result<std::optional<DataChunk>> Fetch();

  // Fetches every remaining row as Values (for small results and tests).
  Result<std::vector<std::vector<Value>>> FetchAllRows();

  struct Impl;
  explicit QueryResult(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_QUERY_RESULT_H_
