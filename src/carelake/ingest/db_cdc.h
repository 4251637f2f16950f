// Change data capture into bronze: the changes a PostgreSQL replication slot
// holds (dbsource/pg_cdc.h), appended to each table's bronze table as change
// rows. Internal to ingest/ (db_ingest.cc runs it for a source with `cdc:`).
//
// Each change is a bronze row: the row's columns (a delete: its key), then
// `_deleted` (true for a delete), `_lsn` (the transaction's commit LSN as a
// number: it sorts changes in commit order) and `_commit_time`. A table's bronze commit records the
// last commit LSN it holds (carelake.cdc.lsn) with its rows; changes at or before it are skipped,
// so changes read again after a crash are applied once. The slot is advanced after every table
// holding changes of a batch has committed them.
#ifndef CARELAKE_INGEST_DB_CDC_H_
#define CARELAKE_INGEST_DB_CDC_H_

#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/dbsource/pg_cdc.h"
#include "carelake/engine/connection.h"
#include "carelake/ingest/db_bronze.h"
#include "carelake/ingest/db_ingest.h"

namespace carelake::ingest {

Result<std::vector<TableIngest>> ApplyChanges(const DatabaseIngestRequest& req, FileSystem& fs,
                                              engine::Connection& conn,
                                              dbsource::PgChangeFeed& feed,
                                              const std::vector<TableJob>& jobs);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_DB_CDC_H_
