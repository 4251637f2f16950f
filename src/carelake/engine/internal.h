// Private helpers of engine/: conversions between duckdb.h and carelake
// types. Never include this outside src/carelake/engine/.
#ifndef CARELAKE_ENGINE_INTERNAL_H_
#define CARELAKE_ENGINE_INTERNAL_H_

#include <duckdb.h>

#include <string>

#include "carelake/base/status.h"
#include "carelake/engine/query_result.h"
#include "carelake/engine/statement_kind.h"
#include "carelake/engine/types.h"
#include "carelake/engine/value.h"

namespace carelake::engine::internal {

// DuckDB's error class → carelake status code, keeping DuckDB's message.
Status StatusFromDuckDb(duckdb_error_type type, const char* message);

// Describes a DuckDB logical type (does not take ownership).
LogicalType ConvertType(duckdb_logical_type type);

// The statement kind of a DuckDB statement type (statement_kind.cc).
StatementKind FromDuckDb(duckdb_statement_type type);

// A new duckdb_value for `v` (the caller destroys it).
duckdb_value ToDuckDbValue(const Value& v);

inline duckdb_hugeint ToHugeint(Int128 v) {
  duckdb_hugeint h;
  h.lower = static_cast<uint64_t>(static_cast<UInt128>(v));
  h.upper = static_cast<int64_t>(v >> 64);
  return h;
}

inline Int128 FromHugeint(duckdb_hugeint h) {
  return static_cast<Int128>((static_cast<UInt128>(static_cast<uint64_t>(h.upper)) << 64) |
                             h.lower);
}

// Wraps an executed duckdb_result; takes ownership of it (and of
// `prepared`, if given, which is destroyed with the result). An errored
// result becomes a status.
Result<QueryResult> WrapResult(duckdb_result* result, duckdb_prepared_statement prepared);

}  // namespace carelake::engine::internal

#endif  // CARELAKE_ENGINE_INTERNAL_H_
