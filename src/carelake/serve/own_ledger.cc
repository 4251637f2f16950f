#include "carelake/serve/own_ledger.h"

#include <utility>

#include "carelake/base/file_system.h"
#include "carelake/engine/lake_connection.h"

namespace carelake::serve {

Result<OwnLedger> OwnLedger::Open(const project::Project& project) {
  OwnLedger out;
  CARELAKE_ASSIGN_OR_RETURN(out.db_, engine::Database::OpenInMemory());
  CARELAKE_ASSIGN_OR_RETURN(engine::Connection conn, engine::OpenLakeConnection(*out.db_));
  out.conn_ = std::make_unique<engine::Connection>(std::move(conn));
  CARELAKE_ASSIGN_OR_RETURN(ledger::Reader reader,
                            ledger::Reader::Open(project, LocalFileSystem(), *out.conn_));
  out.reader_.emplace(std::move(reader));
  return out;
}

}  // namespace carelake::serve
