// Loading generated tables (sql_table.h) into MySQL/MariaDB and PostgreSQL
// servers through carelake's one client wrapper (dbsource/), for the
// generators of operational databases (`carelake generate medikal|unicorn`).
//
// The target database is the one the URL names, or `default_database` when
// it names none; it is created when missing. Each table is dropped if
// present, created and filled, so a second run replaces the tables. On
// PostgreSQL all of it is one transaction; on MySQL each table's rows are one
// transaction (MySQL's DDL commits on its own).
#ifndef CARELAKE_GENERATE_SQL_WRITER_H_
#define CARELAKE_GENERATE_SQL_WRITER_H_

#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/generate/sql_table.h"

namespace carelake::generate {

// Returns the database written. Errors name the server (never the password)
// and the table.
Result<std::string> WriteMySqlDatabase(const std::string& url, const std::string& password,
                                       const std::string& default_database,
                                       const std::vector<SqlTable>& tables);
Result<std::string> WritePostgresDatabase(const std::string& url, const std::string& password,
                                          const std::string& default_database,
                                          const std::vector<SqlTable>& tables);

// `value` in PostgreSQL COPY's text format (backslash escapes; "\N" is NULL).
void AppendCopyText(std::string& out, const std::optional<std::string>& value);

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_SQL_WRITER_H_
