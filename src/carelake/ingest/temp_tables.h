// The temporary tables a batch is read into, on one connection, kept until
// the batch is committed and dropped with this object.
#ifndef CARELAKE_INGEST_TEMP_TABLES_H_
#define CARELAKE_INGEST_TEMP_TABLES_H_

#include <string>
#include <string_view>
#include <vector>

#include "carelake/engine/connection.h"

namespace carelake::ingest {

// Not thread-safe: one thread at a time, the one using `conn()`.
class TempTables {
 public:
  // `conn` must outlive this object.
  explicit TempTables(engine::Connection& conn) : conn_(conn) {}
  TempTables(const TempTables&) = delete;
  TempTables& operator=(const TempTables&) = delete;
  // Drops the kept tables (errors ignored: they vanish with the connection).
  ~TempTables();

  engine::Connection& conn() const { return conn_; }

  // A name no other table of this object has: `_ingest_<what>_<n>`.
  std::string NewName(std::string_view what);

  // `name`, once created, is dropped with the others.
  void Keep(std::string name) { kept_.push_back(std::move(name)); }

 private:
  engine::Connection& conn_;
  int counter_ = 0;
  std::vector<std::string> kept_;
};

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_TEMP_TABLES_H_
