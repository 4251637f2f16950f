// OwnLedger: a ledger reader on a database of its own. Everything in the
// daemon that reads the ledger (an API request, a metrics scrape, a
// freshness check, the catch-up lookup) opens one: DuckDB's views are
// database-wide, so readers (and runs) registering views on one shared
// database would conflict.
#ifndef CARELAKE_SERVE_OWN_LEDGER_H_
#define CARELAKE_SERVE_OWN_LEDGER_H_

#include <memory>
#include <optional>

#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/ledger/reader.h"
#include "carelake/project/project.h"

namespace carelake::serve {

class OwnLedger {
 public:
  // An in-memory database, a lake connection on it, and the project's
  // ledger reader on that.
  static Result<OwnLedger> Open(const project::Project& project);

  ledger::Reader& reader() { return *reader_; }
  engine::Connection& conn() { return *conn_; }

 private:
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;  // stable: the reader points at it
  std::optional<ledger::Reader> reader_;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_OWN_LEDGER_H_
