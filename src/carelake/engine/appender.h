// Appender: fast row-by-row bulk insertion into one table.
//
// Values go in column order; EndRow() completes a row. Rows become visible
// after Flush() or Close() (and at destruction, which closes). A wrong value
// type, a missing column or a constraint violation surfaces as a status from
// the call that noticed it, usually EndRow(), Flush() or Close().
//
// Threads: belongs to its Connection's thread; must not outlive it.
#ifndef CARELAKE_ENGINE_APPENDER_H_
#define CARELAKE_ENGINE_APPENDER_H_

#include <cstdint>
#include <string_view>

#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/value.h"

namespace carelake::engine {

class Appender {
 public:
  // `schema` empty means the default schema.
  static Result<Appender> Create(Connection& conn, std::string_view table,
                                 std::string_view schema = {});

  ~Appender();
  Appender(Appender&& other) noexcept;
  Appender& operator=(Appender&& other) noexcept;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  Status Append(bool v);
  Status Append(int32_t v);
  Status Append(int64_t v);
  Status Append(uint64_t v);
  Status Append(double v);
  Status Append(std::string_view v);
  Status Append(const char* v) { return Append(std::string_view(v)); }
  Status Append(Date v);
  Status Append(Timestamp v);
  Status Append(TimestampTz v);
  Status Append(const Decimal& v);
  Status Append(const Value& v);
  Status AppendNull();
  Status EndRow();

  Status Flush();
  // Flushes and releases the appender; later calls fail.
  Status Close();

 private:
  explicit Appender(void* handle) : handle_(handle) {}
  Status Check(int state);
  void* handle_;
};

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_APPENDER_H_
