// A table of a database server as a source reads it: its columns, each
// with the server's type, how its values travel (the expression the server
// selects, the type DuckDB parses the CSV field as, the conversion after
// that) and its type in the lake (a Delta type, as DuckDB spells it), and
// its primary key. The mapping of every server type is in
// doc/sources.md's type table; pg_type_map.h and mysql_type_map.h make it.
#ifndef CARELAKE_DBSOURCE_SOURCE_TABLE_H_
#define CARELAKE_DBSOURCE_SOURCE_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace carelake::dbsource {

// What the MySQL reader does to a text value before writing it to CSV.
enum class MySqlTransform {
  kNone,
  kBoolean,      // "0" → false, anything else → true (tinyint(1), bit(1))
  kZeroDate,     // '0000-00-00…' and dates with month or day 00 → NULL, counted
  kZeroDateUtc,  // kZeroDate, then "+00" appended (TIMESTAMP read in UTC)
};

struct SourceColumn {
  std::string name;
  std::string source_type;  // as the server declares it: numeric(12,2), int unsigned
  bool nullable = true;
  // The server-side expression selected for this column (SQL of the
  // server's dialect over the quoted column name).
  std::string select_sql;
  std::string csv_type;  // the DuckDB type read_csv parses the field as
  // DuckDB expression over the CSV column, `{}` standing for it; empty:
  // the value as parsed.
  std::string convert_sql;
  std::string lake_type;  // the bronze column's type, as DuckDB spells it
  std::string note;       // a lossy or unusual mapping, said in the catalog
  MySqlTransform transform = MySqlTransform::kNone;
};

struct SourceTable {
  std::string schema;  // PostgreSQL's schema, MySQL's database
  std::string name;
  std::vector<SourceColumn> columns;
  std::vector<std::string> key;  // the primary key's columns, in order; may be empty
  int64_t estimated_rows = -1;   // the server's estimate, for progress (-1: unknown)
};

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_SOURCE_TABLE_H_
