// Reading a database server's tables for one run: a SnapshotSession lists
// the tables and hands out TableReaders that all read the same consistent
// snapshot of the database.
//   PostgreSQL (pg_reader.cc): the session's connection opens a REPEATABLE
//   READ transaction and exports its snapshot; every further reader joins it
//   (SET TRANSACTION SNAPSHOT), so tables are read in parallel and
//   consistently. Rows come with COPY (SELECT …) TO STDOUT.
//   MySQL/MariaDB (mysql_reader.cc): one connection in a START TRANSACTION
//   WITH CONSISTENT SNAPSHOT; a snapshot cannot be shared between
//   connections, so tables are read one after another. Rows come as an
//   unbuffered result (mysql_use_result).
// Either way rows stream into a CsvSpool (csv_spool.h).
#ifndef CARELAKE_DBSOURCE_DB_READER_H_
#define CARELAKE_DBSOURCE_DB_READER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/dbsource/csv_spool.h"
#include "carelake/dbsource/db_url.h"
#include "carelake/dbsource/source_table.h"

namespace carelake::dbsource {

struct ConnectOptions {
  std::string url;       // as declared (libpq URI or mysql://), password excluded
  std::string password;  // from the environment or a file; may be empty
  int connect_timeout_s = 10;
  // PostgreSQL: read in this exported snapshot (a replication slot's) instead
  // of exporting one.
  std::string snapshot;
};

// Which tables a source reads: base tables of `schemas` (PostgreSQL; the
// URL's database for MySQL) whose name matches an `include` glob and no
// `exclude` glob. A glob matches the table's name or `schema.name`.
struct TableFilter {
  std::vector<std::string> schemas = {"public"};
  std::vector<std::string> include = {"*"};
  std::vector<std::string> exclude;
  bool Matches(const std::string& schema, const std::string& name) const;
};

struct TableDump {
  int64_t rows = 0;
  std::map<std::string, int64_t> zero_dates;  // MySQL: zero dates read as NULL, by column
  std::vector<std::string> notices;           // PostgreSQL: what the server said while reading
};

// An error naming the first table of `filter.include` (a name, not a glob)
// that `tables` lacks.
Status CheckNamedTables(const TableFilter& filter, const std::vector<SourceTable>& tables);

class TableReader {
 public:
  virtual ~TableReader() = default;
  // Streams the rows of `table` (optionally only those where `where_sql`,
  // SQL of the server's dialect, holds) into `spool` as CSV, one field per
  // column in order, the values as the columns' csv_type parses them.
  virtual Result<TableDump> Dump(const SourceTable& table, const std::string& where_sql,
                                 CsvSpool& spool) = 0;
  // Runs `sql` in the snapshot and returns its one value as text (nullopt:
  // NULL), e.g. a cursor column's maximum.
  virtual Result<std::optional<std::string>> Scalar(const std::string& sql) = 0;
  // A column name quoted for the server; a text literal.
  virtual std::string QuoteName(const std::string& name) const = 0;
  virtual std::string QuoteText(const std::string& text) = 0;
};

class SnapshotSession {
 public:
  virtual ~SnapshotSession() = default;
  // Connects to the server and starts the snapshot.
  static Result<std::unique_ptr<SnapshotSession>> Open(const ConnectOptions& options);

  // The tables `filter` selects, with their columns mapped (type_map.h), in
  // name order. A table named in `filter.include` without a glob character
  // that does not exist is an error.
  virtual Result<std::vector<SourceTable>> ListTables(const TableFilter& filter) = 0;
  // Up to `n` readers of the snapshot (at least one; MySQL: one).
  virtual Result<std::vector<std::unique_ptr<TableReader>>> OpenReaders(int n) = 0;
  // "PostgreSQL 15.4" / "MariaDB 10.11.6" and the URL without password.
  virtual std::string ServerVersion() const = 0;
  virtual const DbUrl& url() const = 0;
};

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_DB_READER_H_
