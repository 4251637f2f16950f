#include "carelake/pgwire/pg_error.h"

#include <cstdlib>
#include <utility>

namespace carelake::pgwire {
namespace {

// DuckDB's error kinds, as its messages name them, and the SQLSTATE class
// PostgreSQL uses for the same situation.
struct Kind {
  std::string_view prefix;
  const char* code;
};
constexpr Kind kKinds[] = {
    {"Parser Error: ", sqlstate::kSyntaxError},
    {"Syntax Error: ", sqlstate::kSyntaxError},
    {"Conversion Error: ", sqlstate::kInvalidTextRepresentation},
    {"Out of Range Error: ", sqlstate::kNumericValueOutOfRange},
    {"Invalid Input Error: ", sqlstate::kInvalidParameterValue},
    {"Permission Error: ", sqlstate::kInsufficientPrivilege},
    {"Not implemented Error: ", sqlstate::kFeatureNotSupported},
    {"Constraint Error: ", sqlstate::kIntegrityConstraintViolation},
    {"Out of Memory Error: ", sqlstate::kOutOfMemory},
    {"INTERRUPT Error: ", sqlstate::kQueryCanceled},
    {"Interrupt Error: ", sqlstate::kQueryCanceled},
    {"Catalog Error: ", sqlstate::kUndefinedTable},
    {"Binder Error: ", sqlstate::kUndefinedColumn},
    {"Mismatch Type Error: ", sqlstate::kDatatypeMismatch},
    {"TransactionContext Error: ", sqlstate::kInvalidTransactionState},
};

const char* CodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return sqlstate::kSyntaxError;
    case StatusCode::kPermissionDenied:
      return sqlstate::kInsufficientPrivilege;
    case StatusCode::kCancelled:
      return sqlstate::kQueryCanceled;
    case StatusCode::kNotSupported:
      return sqlstate::kFeatureNotSupported;
    case StatusCode::kOutOfRange:
      return sqlstate::kNumericValueOutOfRange;
    case StatusCode::kNotFound:
      return sqlstate::kUndefinedObject;
    default:
      return sqlstate::kInternalError;
  }
}

// A refinement of 42P01/42703 by what the catalog or binder says is missing.
const char* Refine(const char* code, std::string_view message) {
  if (message.find("Function with name") != std::string_view::npos ||
      message.find("No function matches") != std::string_view::npos) {
    return sqlstate::kUndefinedFunction;
  }
  if (message.find("Type with name") != std::string_view::npos) return sqlstate::kUndefinedObject;
  if (message.find("Schema with name") != std::string_view::npos) {
    return "3F000";  // invalid_schema_name
  }
  if (std::string_view(code) == sqlstate::kUndefinedColumn &&
      message.find("not found in FROM clause") == std::string_view::npos &&
      message.find("Referenced column") == std::string_view::npos &&
      message.find("does not have a column") == std::string_view::npos) {
    return sqlstate::kSyntaxError;  // another binder error: say "bad statement"
  }
  if (message.find("Division by zero") != std::string_view::npos) return sqlstate::kDivisionByZero;
  return code;
}

// DuckDB appends "\n\nLINE 1: SELECT ...\n          ^" to positioned
// errors: the excerpt goes, the caret becomes a 1-based position.
int PositionOf(std::string& message, std::string_view statement) {
  const size_t line_at = message.find("\n\nLINE ");
  if (line_at == std::string::npos) return 0;
  const std::string excerpt = message.substr(line_at + 2);  // "LINE 1: ...\n   ^"
  message.erase(line_at);
  const size_t colon = excerpt.find(": ");
  const size_t newline = excerpt.find('\n');
  const size_t caret = excerpt.rfind('^');
  if (statement.empty() || colon == std::string::npos || newline == std::string::npos ||
      caret == std::string::npos || caret < newline || colon > newline) {
    return 0;
  }
  const std::string_view line = std::string_view(excerpt).substr(colon + 2, newline - colon - 2);
  const size_t column = caret - newline - 1;  // the caret's column, under "LINE n: text"
  if (column < colon + 2 || line.find("...") != std::string_view::npos) return 0;
  const size_t line_no = std::strtoul(excerpt.c_str() + 5, nullptr, 10);
  size_t offset = 0;
  for (size_t l = 1; l < line_no; ++l) {
    const size_t nl = statement.find('\n', offset);
    if (nl == std::string_view::npos) return 0;
    offset = nl + 1;
  }
  return static_cast<int>(offset + column - (colon + 2)) + 1;
}

}  // namespace

PgError FromStatus(const Status& status, std::string_view statement) {
  PgError e;
  e.message = status.message();
  e.code = CodeFor(status.code());
  for (const Kind& kind : kKinds) {
    if (std::string_view(e.message).starts_with(kind.prefix)) {
      e.code = Refine(kind.code, e.message);
      e.message.erase(0, kind.prefix.size());
      break;
    }
  }
  e.position = PositionOf(e.message, statement);
  if (e.code == sqlstate::kQueryCanceled) e.message = "canceling statement due to user request";
  return e;
}

}  // namespace carelake::pgwire
