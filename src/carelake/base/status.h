// Status: the error value every module boundary returns.
//
// The code set is deliberately small and generic (a lesson from Arrow): callers
// branch on the code, people read the message. Which code to choose:
//   kInvalidArgument     the input (SQL, config, file content, flag) is wrong;
//                        retrying the same call cannot succeed.
//   kNotFound            a named thing (file, table, column, version) is absent.
//   kAlreadyExists       a create-if-absent found it present.
//   kFailedPrecondition  the system is not in a state that allows the call
//                        (constraint violated, table at an unsupported
//                        protocol); fix the state, then retry.
//   kAborted             a concurrent writer won a race; re-read and retry.
//   kOutOfRange          a value or position lies outside what is valid.
//   kNotSupported        a valid request for a feature carelake lacks.
//   kIoError             the operating system refused a file or socket call.
//   kCorruption          stored data does not parse; no retry will help.
//   kCancelled           the work was interrupted on request (Ctrl-C, SIGTERM,
//                        a job's timeout, a client's cancel); what was
//                        committed stays, nothing half-done is visible. Do not
//                        retry unless asked again.
//   kPermissionDenied    the caller is known but may not do this (a role lacks
//                        a grant, a statement reaches files); retrying as the
//                        same caller cannot succeed.
//   kUnauthenticated     the caller could not be identified (no or a wrong
//                        password, an expired session); retry after signing in.
//                        Its message must not tell whether the user exists.
//   kUnavailable         a service or server cannot be reached or is shutting
//                        down (a database source refuses connections, a port is
//                        busy); the same call may succeed later: retry with
//                        backoff.
//   kInternal            a bug or an engine failure; report it.
#ifndef CARELAKE_BASE_STATUS_H_
#define CARELAKE_BASE_STATUS_H_

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace carelake {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kOutOfRange,
  kNotSupported,
  kIoError,
  kCorruption,
  kCancelled,
  kInternal,
  kPermissionDenied,
  kUnauthenticated,
  kUnavailable,
};

std::string_view StatusCodeName(StatusCode code);

// A cheap-to-copy success or an error with a code and a message. The OK status
// holds no allocation.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return ok() ? StatusCode::kOk : state_->code; }
  // Empty for OK.
  const std::string& message() const;

  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // Returns a status with the same code and "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const State> state_;
};

inline bool operator==(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message() == b.message();
}

std::ostream& operator<<(std::ostream& os, const Status& status);

inline Status InvalidArgument(std::string msg) {
  return Status(StatusCode::kInvalidArgument, std::move(msg));
}
inline Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
inline Status AlreadyExists(std::string msg) {
  return Status(StatusCode::kAlreadyExists, std::move(msg));
}
inline Status FailedPrecondition(std::string msg) {
  return Status(StatusCode::kFailedPrecondition, std::move(msg));
}
inline Status Aborted(std::string msg) { return Status(StatusCode::kAborted, std::move(msg)); }
inline Status OutOfRange(std::string msg) {
  return Status(StatusCode::kOutOfRange, std::move(msg));
}
inline Status NotSupported(std::string msg) {
  return Status(StatusCode::kNotSupported, std::move(msg));
}
inline Status IoError(std::string msg) { return Status(StatusCode::kIoError, std::move(msg)); }
inline Status Corruption(std::string msg) {
  return Status(StatusCode::kCorruption, std::move(msg));
}
inline Status Cancelled(std::string msg) { return Status(StatusCode::kCancelled, std::move(msg)); }
inline Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }
inline Status PermissionDenied(std::string msg) {
  return Status(StatusCode::kPermissionDenied, std::move(msg));
}
inline Status Unauthenticated(std::string msg) {
  return Status(StatusCode::kUnauthenticated, std::move(msg));
}
inline Status Unavailable(std::string msg) {
  return Status(StatusCode::kUnavailable, std::move(msg));
}

}  // namespace carelake

#define CARELAKE_CONCAT_IMPL(a, b) a##b
#define CARELAKE_CONCAT(a, b) CARELAKE_CONCAT_IMPL(a, b)

// Evaluates `expr` (a Status) and returns it from the enclosing function if it
// is not OK.
#define CARELAKE_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::carelake::Status carelake_status_ = (expr);        \
    if (!carelake_status_.ok()) return carelake_status_; \
  } while (false)

#endif  // CARELAKE_BASE_STATUS_H_
