// TempTables: the temporary tables a piece of work creates on one
// connection, dropped when the object goes (also when the work failed or
// was cancelled half-way).
//
// Names are unique in the process (`_cl_<what>_<serial>`), never fixed: a
// connection that is reused (a pooled one, or one whose previous step was
// interrupted before its own drop ran) can never hand a step a table left
// by another.
#ifndef CARELAKE_ENGINE_TEMP_TABLES_H_
#define CARELAKE_ENGINE_TEMP_TABLES_H_

#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/status.h"
#include "carelake/engine/connection.h"

namespace carelake::engine {

// Not thread-safe: one thread at a time, the one using `conn()`.
class TempTables {
 public:
  // `conn` must outlive this object.
  explicit TempTables(Connection& conn) : conn_(conn) {}
  TempTables(const TempTables&) = delete;
  TempTables& operator=(const TempTables&) = delete;
  // Drops the kept tables (errors ignored: they vanish with the connection).
  ~TempTables();

  Connection& conn() const { return conn_; }

  // A name no other table in this process has (`what` says what it holds:
  // an identifier-safe word).
  std::string NewName(std::string_view what);

  // `name`, once created, is dropped with the others.
  void Keep(std::string name) { kept_.push_back(std::move(name)); }

  // Creates a temporary table of the rows of `select_sql` under a new name,
  // kept; returns the name.
  Result<std::string> Create(std::string_view what, std::string_view select_sql);

 private:
  Connection& conn_;
  std::vector<std::string> kept_;
};

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_TEMP_TABLES_H_
