// PgError: an ErrorResponse's fields (severity, SQLSTATE, message, detail,
// hint, position), and the SQLSTATE for a carelake Status — chosen from the
// status code and, for DuckDB's errors, the kind DuckDB names at the front
// of its message ("Catalog Error: Table with name x does not exist!" is
// 42P01 undefined_table, as PostgreSQL would say).
#ifndef CARELAKE_PGWIRE_PG_ERROR_H_
#define CARELAKE_PGWIRE_PG_ERROR_H_

#include <string>
#include <string_view>

#include "carelake/base/status.h"

namespace carelake::pgwire {

namespace sqlstate {
inline constexpr char kSuccessfulCompletion[] = "00000";
inline constexpr char kFeatureNotSupported[] = "0A000";
inline constexpr char kInvalidParameterValue[] = "22023";
inline constexpr char kInvalidTextRepresentation[] = "22P02";
inline constexpr char kNumericValueOutOfRange[] = "22003";
inline constexpr char kDivisionByZero[] = "22012";
inline constexpr char kInvalidTransactionState[] = "25000";
inline constexpr char kActiveSqlTransaction[] = "25001";
inline constexpr char kReadOnlySqlTransaction[] = "25006";
inline constexpr char kInFailedSqlTransaction[] = "25P02";
inline constexpr char kNoActiveSqlTransaction[] = "25P01";
inline constexpr char kInvalidAuthorization[] = "28000";
inline constexpr char kInvalidPassword[] = "28P01";
inline constexpr char kInvalidCatalogName[] = "3D000";
inline constexpr char kInvalidCursorName[] = "34000";
inline constexpr char kInvalidSqlStatementName[] = "26000";
inline constexpr char kSyntaxError[] = "42601";
inline constexpr char kInsufficientPrivilege[] = "42501";
inline constexpr char kUndefinedColumn[] = "42703";
inline constexpr char kUndefinedFunction[] = "42883";
inline constexpr char kUndefinedTable[] = "42P01";
inline constexpr char kUndefinedObject[] = "42704";
inline constexpr char kDuplicatePreparedStatement[] = "42P05";
inline constexpr char kDuplicateCursor[] = "42P03";
inline constexpr char kDatatypeMismatch[] = "42804";
inline constexpr char kTooManyConnections[] = "53300";
inline constexpr char kOutOfMemory[] = "53200";
inline constexpr char kQueryCanceled[] = "57014";
inline constexpr char kAdminShutdown[] = "57P01";
inline constexpr char kProtocolViolation[] = "08P01";
inline constexpr char kConnectionFailure[] = "08006";
inline constexpr char kInternalError[] = "XX000";
inline constexpr char kIntegrityConstraintViolation[] = "23000";
}  // namespace sqlstate

struct PgError {
  std::string severity = "ERROR";  // ERROR, FATAL, PANIC; NOTICE, WARNING in a NoticeResponse
  std::string code = sqlstate::kInternalError;
  std::string message;
  std::string detail;
  std::string hint;
  int position = 0;  // 1-based character position in the statement, 0 when unknown

  static PgError Error(std::string code, std::string message) {
    PgError e;
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
  }
  static PgError Fatal(std::string code, std::string message) {
    PgError e = Error(std::move(code), std::move(message));
    e.severity = "FATAL";
    return e;
  }
};

// The error a client sees for `status` (not OK). DuckDB's "Kind Error: "
// prefix is dropped from the message; its "LINE n: ..." excerpt becomes the
// error's position when `statement` is given.
PgError FromStatus(const Status& status, std::string_view statement = {});

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_PG_ERROR_H_
