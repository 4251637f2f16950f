// SqlTable: a generated database table as text — its CREATE TABLE statement
// and its rows — for sql_writer.h to load into MySQL/MariaDB or PostgreSQL.
// The generators that fill operational databases (medikal.h, unicorn.h)
// produce these without a server, so their rules can be tested on the rows.
#ifndef CARELAKE_GENERATE_SQL_TABLE_H_
#define CARELAKE_GENERATE_SQL_TABLE_H_

#include <optional>
#include <string>
#include <vector>

namespace carelake::generate {

using SqlRow = std::vector<std::optional<std::string>>;  // text values; nullopt is SQL NULL

struct SqlTable {
  std::string schema;  // PostgreSQL schema ("pharmacy"); empty for MySQL
  std::string name;    // "patient"
  // "CREATE TABLE <qualified name> (...)" in the target server's dialect.
  std::string create_sql;
  std::vector<std::string> columns;
  std::vector<SqlRow> rows;  // each as long as `columns`

  std::string QualifiedName() const { return schema.empty() ? name : schema + "." + name; }
  // The index of `column`, or -1.
  int ColumnIndex(const std::string& column) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == column) return static_cast<int>(i);
    }
    return -1;
  }
};

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_SQL_TABLE_H_
