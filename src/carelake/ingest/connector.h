// A connector: what every kind of source implements for ingestion into
// bronze. Files are the one kind so far (file_source.h).
//
// A source is read in units, each committed to bronze exactly once under
// its own Delta txn (application id and version): a file; later a database
// table or partition, or a range of stream offsets. The driver
// (file_ingest.cc) asks the connector for the units not yet committed,
// batches them, has the connector read a batch into rows, and commits them
// with the batch's txns through the BronzeWriter (bronze_writer.h), which
// is the same for every kind: the connector's only part in the commit is
// the txn of each unit.
//
// How a database source plugs in (PostgreSQL, MySQL): a `postgres_source.h/.cc`
// implementing Connector. ListNew lists its tables (or partitions), with
// application ids such as `carelake.postgres:<schema>.<table>` and as
// version a watermark that grows with the data (an LSN, a max updated_at),
// and returns those whose committed version is older. Read turns each into
// a SELECT over DuckDB's postgres scanner (any_connection when the database
// is attached on every connection), or copies it into a temporary table.
// Batching, the retry, quarantine, lineage and the commits are shared; what
// is still file-specific is the entry point (IngestFiles makes a FileSource
// and reports units as files), where a connector is to be chosen by the
// source's kind once project::Source has one.
#ifndef CARELAKE_INGEST_CONNECTOR_H_
#define CARELAKE_INGEST_CONNECTOR_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/temp_tables.h"

namespace carelake::ingest {

// One unit of a source.
struct Unit {
  std::string app_id;       // the Delta txn's application id
  int64_t app_version = 0;  // the version its txn records
  std::string name;         // `_source_file` of its rows and quarantined records
  std::string location;     // where the connector reads it (a file: its absolute path)
  int64_t size_bytes = 0;   // a batch holds at most max_batch_bytes of them
  int64_t modified_ms = 0;  // reported only
};

// The units of a source not yet in bronze.
struct NewUnits {
  std::vector<Unit> units;  // in the order they are to be committed
  int64_t already_committed = 0;
  std::vector<std::string> warnings;  // e.g. a unit that changed after it was committed
};

// One unit read: a SELECT of its good rows, every source column as
// VARCHAR plus `_source_position` (no other lineage), and a SELECT of its
// quarantined records over the quarantine columns (quarantine_record.h).
struct UnitRows {
  const Unit* unit = nullptr;
  std::string rows_sql;              // empty when no row is good
  std::vector<std::string> columns;  // the source columns of `rows_sql`
  int64_t records = 0;
  std::string quarantine_sql;  // empty when nothing is quarantined
  int64_t quarantined = 0;
  std::string first_error;  // the first quarantine reason, if any
  // `rows_sql` reads only the source (no temporary table), so it may run on
  // any connection.
  bool any_connection = false;
  // False when `rows_sql` reads the unit in a way not yet checked to
  // succeed: if the bronze commit fails, the batch is read again with
  // `validate`.
  bool validated = true;
};

class Connector {
 public:
  virtual ~Connector() = default;

  // The units not yet committed, judged by `committed` (bronze's txn
  // versions by application id): for files, those whose id it lacks.
  virtual Result<NewUnits> ListNew(const std::map<std::string, int64_t>& committed) = 0;

  // Reads `batch` (units of ListNew, which must outlive the result) into one
  // UnitRows each, in order. May read on all of `conns` at once; temporary
  // tables go on `conns[0]`, the connection of `temps`, which keeps them
  // until the batch is committed. With `validate`, what would otherwise be
  // trusted unchecked is checked (UnitRows::validated). A unit's bad data is
  // quarantined, not an error; errors (the unit cannot be read now, a
  // reserved column name) fail the run.
  virtual Result<std::vector<UnitRows>> Read(const std::vector<const Unit*>& batch,
                                             const std::vector<engine::Connection*>& conns,
                                             bool validate, engine::TempTables& temps) = 0;
};

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_CONNECTOR_H_
