// The parts of writing a database source's table into bronze that the
// snapshot/incremental path (db_ingest.cc) and change data capture
// (db_cdc.cc) share. Internal to ingest/.
#ifndef CARELAKE_INGEST_DB_BRONZE_H_
#define CARELAKE_INGEST_DB_BRONZE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/dbsource/csv_spool.h"
#include "carelake/dbsource/source_table.h"
#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"
#include "carelake/project/project.h"

namespace carelake::ingest {

// Lineage columns of a database source's bronze rows.
inline constexpr const char* kDbLineage[] = {"_run_id", "_ingested_at", "_deleted", "_lsn",
                                             "_commit_time"};

// What the bronze table holds before this run.
struct Prior {
  bool exists = false;
  int64_t version = -1;
  std::string watermark;  // carelake.watermark
  std::string cdc_lsn;    // carelake.cdc.lsn
  std::string scan_sql;
  std::vector<std::pair<std::string, std::string>> columns;  // name, DuckDB type (lineage excluded)
};

// One table of a database source to read.
struct TableJob {
  const dbsource::SourceTable* table = nullptr;
  std::string lake_name;  // its bronze folder (catalog::DatabaseTablePath)
  const project::IncrementalRead* incremental = nullptr;
  std::string server;   // the server's redacted URL
  std::string cdc_lsn;  // change data capture: the LSN its snapshot is at
};

// Where the table came from, as table properties the catalog shows.
std::map<std::string, std::string> OriginProperties(const TableJob& job);

// A table's spool for one run: a folder <lake>/_system/spool/<name> holding
// its CSV files (dbsource/csv_spool.h), removed with the object, whichever
// way the table's load ends.
class SpoolFolder {
 public:
  SpoolFolder(const std::string& lake, const std::string& name, int64_t roll_bytes);
  ~SpoolFolder();
  SpoolFolder(const SpoolFolder&) = delete;
  SpoolFolder& operator=(const SpoolFolder&) = delete;
  dbsource::CsvSpool& spool() { return spool_; }

 private:
  std::string dir_;
  dbsource::CsvSpool spool_;
};

// Column names and DuckDB types of `query`'s rows.
Result<std::vector<std::pair<std::string, std::string>>> Describe(engine::Connection& conn,
                                                                  const std::string& query);

Result<Prior> LoadPrior(delta::DeltaTable& table, engine::Connection& conn);

// SELECT of the spooled rows (CSV files, one field per column of `t` in
// order), every column converted and named, plus the columns bronze has and
// the source dropped, as NULL.
std::string RowsSql(const dbsource::SourceTable& t, const std::vector<std::string>& files,
                    const Prior& prior);

// A column whose type changed: the table cannot take it.
Status CheckDrift(const std::string& table, const Prior& prior,
                  const std::vector<std::pair<std::string, std::string>>& now);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_DB_BRONZE_H_
