#include "carelake/engine/statement_kind.h"

#include <string>

#include "carelake/engine/connection.h"
#include "carelake/engine/internal.h"

namespace carelake::engine {
namespace internal {

StatementKind FromDuckDb(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_SELECT:
      return StatementKind::kSelect;
    case DUCKDB_STATEMENT_TYPE_EXPLAIN:
      return StatementKind::kExplain;
    case DUCKDB_STATEMENT_TYPE_INSERT:
      return StatementKind::kInsert;
    case DUCKDB_STATEMENT_TYPE_UPDATE:
      return StatementKind::kUpdate;
    case DUCKDB_STATEMENT_TYPE_DELETE:
      return StatementKind::kDelete;
    case DUCKDB_STATEMENT_TYPE_CREATE:
      return StatementKind::kCreate;
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC:
      return StatementKind::kCreateFunction;
    case DUCKDB_STATEMENT_TYPE_ALTER:
      return StatementKind::kAlter;
    case DUCKDB_STATEMENT_TYPE_DROP:
      return StatementKind::kDrop;
    case DUCKDB_STATEMENT_TYPE_COPY:
      return StatementKind::kCopy;
    case DUCKDB_STATEMENT_TYPE_EXPORT:
      return StatementKind::kExport;
    case DUCKDB_STATEMENT_TYPE_ATTACH:
      return StatementKind::kAttach;
    case DUCKDB_STATEMENT_TYPE_DETACH:
      return StatementKind::kDetach;
    case DUCKDB_STATEMENT_TYPE_LOAD:
      return StatementKind::kLoad;
    case DUCKDB_STATEMENT_TYPE_EXTENSION:
      return StatementKind::kExtension;
    case DUCKDB_STATEMENT_TYPE_SET:
      return StatementKind::kSet;
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
      return StatementKind::kVariableSet;
    case DUCKDB_STATEMENT_TYPE_TRANSACTION:
      return StatementKind::kTransaction;
    case DUCKDB_STATEMENT_TYPE_PREPARE:
      return StatementKind::kPrepare;
    case DUCKDB_STATEMENT_TYPE_EXECUTE:
      return StatementKind::kExecute;
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return StatementKind::kPragma;
    case DUCKDB_STATEMENT_TYPE_CALL:
      return StatementKind::kCall;
    case DUCKDB_STATEMENT_TYPE_ANALYZE:
      return StatementKind::kAnalyze;
    case DUCKDB_STATEMENT_TYPE_VACUUM:
      return StatementKind::kVacuum;
    default:
      return StatementKind::kOther;
  }
}

}  // namespace internal

std::string_view ToString(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect:
      return "SELECT";
    case StatementKind::kExplain:
      return "EXPLAIN";
    case StatementKind::kInsert:
      return "INSERT";
    case StatementKind::kUpdate:
      return "UPDATE";
    case StatementKind::kDelete:
      return "DELETE";
    case StatementKind::kCreate:
      return "CREATE";
    case StatementKind::kCreateFunction:
      return "CREATE FUNCTION";
    case StatementKind::kAlter:
      return "ALTER";
    case StatementKind::kDrop:
      return "DROP";
    case StatementKind::kCopy:
      return "COPY";
    case StatementKind::kExport:
      return "EXPORT";
    case StatementKind::kAttach:
      return "ATTACH";
    case StatementKind::kDetach:
      return "DETACH";
    case StatementKind::kLoad:
      return "LOAD";
    case StatementKind::kExtension:
      return "INSTALL";
    case StatementKind::kSet:
      return "SET";
    case StatementKind::kVariableSet:
      return "SET VARIABLE";
    case StatementKind::kTransaction:
      return "TRANSACTION";
    case StatementKind::kPrepare:
      return "PREPARE";
    case StatementKind::kExecute:
      return "EXECUTE";
    case StatementKind::kPragma:
      return "PRAGMA";
    case StatementKind::kCall:
      return "CALL";
    case StatementKind::kAnalyze:
      return "ANALYZE";
    case StatementKind::kVacuum:
      return "VACUUM";
    case StatementKind::kOther:
      return "OTHER";
  }
  return "OTHER";
}

Result<std::vector<StatementKind>> StatementKinds(Connection& conn, std::string_view sql) {
  auto c = static_cast<duckdb_connection>(conn.handle());
  const std::string text(sql);
  duckdb_extracted_statements extracted = nullptr;
  const idx_t count = duckdb_extract_statements(c, text.c_str(), &extracted);
  std::vector<StatementKind> kinds;
  Status status;
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(extracted);
    if (error != nullptr) status = InvalidArgument(error);
  }
  for (idx_t i = 0; i < count && status.ok(); ++i) {
    duckdb_prepared_statement prepared = nullptr;
    if (duckdb_prepare_extracted_statement(c, extracted, i, &prepared) == DuckDBError) {
      const char* error = duckdb_prepare_error(prepared);
      status = InvalidArgument(error != nullptr ? error : "cannot prepare the statement");
    } else {
      kinds.push_back(internal::FromDuckDb(duckdb_prepared_statement_type(prepared)));
    }
    duckdb_destroy_prepare(&prepared);
  }
  duckdb_destroy_extracted(&extracted);
  CARELAKE_RETURN_IF_ERROR(status);
  return kinds;
}

}  // namespace carelake::engine
