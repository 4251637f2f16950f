// The mapping of PostgreSQL's and MySQL's column types to lake (Delta)
// types, as SourceColumns (source_table.h). Pure functions of the catalog
// facts a server reports, so every type is tested without a server; the
// readers (pg_reader.h, mysql_reader.h) query those facts.
#ifndef CARELAKE_DBSOURCE_TYPE_MAP_H_
#define CARELAKE_DBSOURCE_TYPE_MAP_H_

#include <string>

#include "carelake/dbsource/source_table.h"

namespace carelake::dbsource {

// A PostgreSQL column as pg_catalog describes it; a domain is described by
// its base type.
struct PgColumnFacts {
  std::string name;
  std::string declared;      // format_type of the column's type (a domain's name)
  std::string type_name;     // pg_type.typname of the (base) type: int4, numeric, _text
  std::string formatted;     // format_type of the (base) type with its typmod: numeric(12,2)
  char type_type = 'b';      // pg_type.typtype: b base, e enum, c composite, r range
  std::string element_name;  // typname of an array's element type (empty: not an array)
  bool not_null = false;
};
SourceColumn MapPgColumn(const PgColumnFacts& facts);

// A MySQL/MariaDB column as information_schema.COLUMNS describes it.
struct MySqlColumnFacts {
  std::string name;
  std::string data_type;    // DATA_TYPE, lower case: int, decimal, varchar
  std::string column_type;  // COLUMN_TYPE as the server spells it: int(10) unsigned, enum('F','M')
  int precision = 0;        // NUMERIC_PRECISION (decimal), else 0
  int scale = 0;            // NUMERIC_SCALE
  bool not_null = false;
};
SourceColumn MapMySqlColumn(const MySqlColumnFacts& facts);

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_TYPE_MAP_H_
