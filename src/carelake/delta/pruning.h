// File skipping for delta_scan(): simple conditions of a query's WHERE
// clause are checked against each file's partition values and min/max/null
// statistics, and files that cannot hold a matching row are not read.
//
// Only what is certain is used: conjuncts of the form `col OP literal`
// (OP one of = < <= > >=), `col BETWEEN lit AND lit`, `col IN (lit, ...)`,
// `col IS [NOT] NULL`, joined by AND at the top level of the WHERE of a
// SELECT that reads the delta_scan() alone (no join). Anything else is
// ignored, which only means fewer files are skipped.
#ifndef CARELAKE_DELTA_PRUNING_H_
#define CARELAKE_DELTA_PRUNING_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/delta/snapshot.h"
#include "carelake/engine/connection.h"

namespace carelake::delta {

struct SimplePredicate {
  std::string column;  // as in the table's schema
  std::string op;      // "=", "<", "<=", ">", ">=", "between", "in", "is null", "is not null"
  std::vector<std::string> literals;  // SQL text of the constants
};

struct WhereClause {
  std::string alias;  // of the FROM item, lower-cased; empty if none
  std::string text;
};

// The WHERE clause of the SELECT whose only FROM item is the delta_scan()
// call at [start, end) of `sql`; nullopt if the call is not preceded by
// FROM, if the SELECT reads other items too (comma, JOIN) or has no WHERE.
std::optional<WhereClause> WhereClauseOf(std::string_view sql, size_t start, size_t end);

// The conjuncts of `where.text` that are simple predicates on columns of
// `schema` (qualified names must use the alias).
std::vector<SimplePredicate> SimplePredicates(const WhereClause& where, const Schema& schema);

// add.path of the files of `snapshot` that may hold rows matching every
// predicate. Files without statistics for a column always may.
Result<std::set<std::string>> FilesThatMayMatch(const Snapshot& snapshot, engine::Connection& conn,
                                                const std::vector<SimplePredicate>& predicates);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_PRUNING_H_
