// Result<T>: a value or an error Status, for fallible functions that produce
// something. Construction that can fail goes through a static factory
// returning Result<T> (Arrow style).
#ifndef CARELAKE_BASE_RESULT_H_
#define CARELAKE_BASE_RESULT_H_

#include <cassert>
#include <optional>
#include <utility>

#include "carelake/base/status.h"

namespace carelake {

template <typename T>
class [[nodiscard]] Result {
 public:
  // An error result. `status` must not be OK (that would be a value-less
  // success, a programmer error).
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit
    assert(!status_.ok());
    if (status_.ok()) status_ = Internal("Result constructed from OK status");
  }
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // Precondition: ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace carelake

// Evaluates `rexpr` (a Result<T>); on error returns its status from the
// enclosing function, otherwise moves the value into `lhs` (a declaration
// such as `auto x` or an existing variable).
#define CARELAKE_ASSIGN_OR_RETURN(lhs, rexpr) \
  CARELAKE_ASSIGN_OR_RETURN_IMPL(CARELAKE_CONCAT(carelake_result_, __LINE__), lhs, rexpr)

#define CARELAKE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

#endif  // CARELAKE_BASE_RESULT_H_
