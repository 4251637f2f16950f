// StatementKind: what a SQL statement is (SELECT, COPY, ATTACH, ...), as
// DuckDB's parser and binder see it — for deciding what a session may run
// (query/session.h refuses all but reads for SQL that is not ours), never by
// looking at the text.
#ifndef CARELAKE_ENGINE_STATEMENT_KIND_H_
#define CARELAKE_ENGINE_STATEMENT_KIND_H_

#include <string_view>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::engine {

class Connection;

enum class StatementKind {
  kSelect,
  kExplain,
  kInsert,
  kUpdate,
  kDelete,
  kCreate,
  kCreateFunction,
  kAlter,
  kDrop,
  kCopy,
  kExport,
  kAttach,
  kDetach,
  kLoad,
  kExtension,
  kSet,          // SET/RESET a setting
  kVariableSet,  // SET VARIABLE
  kTransaction,  // BEGIN, COMMIT, ROLLBACK
  kPrepare,
  kExecute,
  kPragma,
  kCall,
  kAnalyze,
  kVacuum,
  kOther,
};

// "SELECT", "EXPLAIN", "INSERT", ..., "OTHER".
std::string_view ToString(StatementKind kind);

// The kind of each `;`-separated statement of `sql`, in order. Each is
// prepared (parsed and bound), never run, so nothing is read or changed;
// a statement that does not prepare (a syntax error, an unknown table)
// returns its error, like running it would.
Result<std::vector<StatementKind>> StatementKinds(Connection& conn, std::string_view sql);

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_STATEMENT_KIND_H_
