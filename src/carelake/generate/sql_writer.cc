#include "carelake/generate/sql_writer.h"

#include <memory>

#include "carelake/base/format.h"
#include "carelake/dbsource/db_url.h"
#include "carelake/dbsource/mysql_client.h"
#include "carelake/dbsource/pg_client.h"

namespace carelake::generate {

namespace {

constexpr size_t kInsertBatchBytes = 1 << 20;  // one INSERT statement's size, about

// `url` without its path (the database): MySQL's connection then names none,
// so the database can be created first.
std::string WithoutDatabase(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t query = url.find('?');
  const size_t authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const size_t at = url.rfind('@', query == std::string::npos ? url.size() : query);
  const size_t path = url.find('/', at == std::string::npos || at < authority ? authority : at);
  if (path == std::string::npos || (query != std::string::npos && path > query)) return url;
  return url.substr(0, path + 1) + (query == std::string::npos ? "" : url.substr(query));
}

Status WithContext(const Status& status, const std::string& where) {
  return Status(status.code(), where + ": " + status.message());
}

Status InsertRows(dbsource::MySqlClient& client, const SqlTable& table) {
  std::string head = "INSERT INTO " + dbsource::MySqlClient::Identifier(table.name) + " (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    head += (i ? ", " : "") + dbsource::MySqlClient::Identifier(table.columns[i]);
  }
  head += ") VALUES ";
  std::string sql;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    sql += sql.empty() ? head : ", ";
    sql += '(';
    for (size_t i = 0; i < table.rows[r].size(); ++i) {
      if (i) sql += ", ";
      sql += table.rows[r][i] ? client.Quote(*table.rows[r][i]) : "NULL";
    }
    sql += ')';
    if (sql.size() >= kInsertBatchBytes || r + 1 == table.rows.size()) {
      CARELAKE_RETURN_IF_ERROR(client.Exec(sql));
      sql.clear();
    }
  }
  return Status::Ok();
}

Status ReplaceMySqlTable(dbsource::MySqlClient& client, const SqlTable& table) {
  CARELAKE_RETURN_IF_ERROR(
      client.Exec("DROP TABLE IF EXISTS " + dbsource::MySqlClient::Identifier(table.name)));
  CARELAKE_RETURN_IF_ERROR(client.Exec(table.create_sql));
  CARELAKE_RETURN_IF_ERROR(client.Exec("START TRANSACTION"));
  Status inserted = InsertRows(client, table);
  if (!inserted.ok()) {
    (void)client.Exec("ROLLBACK");
    return inserted;
  }
  return client.Exec("COMMIT");
}

Status ReplacePostgresTables(dbsource::PgClient& client, const std::vector<SqlTable>& tables) {
  for (const SqlTable& table : tables) {
    const std::string name = table.schema.empty() ? client.Identifier(table.name)
                                                  : client.Identifier(table.schema) + "." +
                                                        client.Identifier(table.name);
    if (!table.schema.empty()) {
      CARELAKE_RETURN_IF_ERROR(
          client.Exec("CREATE SCHEMA IF NOT EXISTS " + client.Identifier(table.schema)));
    }
    CARELAKE_RETURN_IF_ERROR(client.Exec("DROP TABLE IF EXISTS " + name));
    CARELAKE_RETURN_IF_ERROR(client.Exec(table.create_sql));
    std::string data;
    for (const SqlRow& row : table.rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) data += '\t';
        AppendCopyText(data, row[i]);
      }
      data += '\n';
    }
    std::string columns;
    for (const std::string& column : table.columns) {
      columns += (columns.empty() ? "" : ", ") + client.Identifier(column);
    }
    Status copied = client.CopyIn("COPY " + name + " (" + columns + ") FROM STDIN", data);
    if (!copied.ok()) return WithContext(copied, "table " + table.QualifiedName());
  }
  return Status::Ok();
}

}  // namespace

void AppendCopyText(std::string& out, const std::optional<std::string>& value) {
  if (!value) {
    out += "\\N";
    return;
  }
  AppendCopyTextField(*value, '\t', out);
}

Result<std::string> WriteMySqlDatabase(const std::string& url, const std::string& password,
                                       const std::string& default_database,
                                       const std::vector<SqlTable>& tables) {
  CARELAKE_ASSIGN_OR_RETURN(dbsource::DbUrl parsed, dbsource::ParseDbUrl(url));
  const std::string database = parsed.database.empty() ? default_database : parsed.database;
  CARELAKE_ASSIGN_OR_RETURN(std::unique_ptr<dbsource::MySqlClient> client,
                            dbsource::MySqlClient::Connect(WithoutDatabase(url), password));
  const std::string quoted = dbsource::MySqlClient::Identifier(database);
  CARELAKE_RETURN_IF_ERROR(client->Exec("CREATE DATABASE IF NOT EXISTS " + quoted +
                                        " CHARACTER SET utf8mb4; USE " + quoted));
  for (const SqlTable& table : tables) {
    Status replaced = ReplaceMySqlTable(*client, table);
    if (!replaced.ok()) {
      return WithContext(replaced, parsed.Redacted() + " table " + database + "." + table.name);
    }
  }
  return database;
}

Result<std::string> WritePostgresDatabase(const std::string& url, const std::string& password,
                                          const std::string& default_database,
                                          const std::vector<SqlTable>& tables) {
  // A key=value string names its database itself; only URIs are parsed here.
  std::string database = default_database;
  if (url.find("://") != std::string::npos) {
    CARELAKE_ASSIGN_OR_RETURN(dbsource::DbUrl parsed, dbsource::ParseDbUrl(url));
    if (!parsed.database.empty()) database = parsed.database;
  }
  const bool uri = url.find("://") != std::string::npos;
  auto with_database = [&](const std::string& name) {
    if (!uri) return url + " dbname='" + name + "'";
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name;
  };
  {
    CARELAKE_ASSIGN_OR_RETURN(std::unique_ptr<dbsource::PgClient> admin,
                              dbsource::PgClient::Connect(with_database("postgres"), password));
    CARELAKE_ASSIGN_OR_RETURN(
        dbsource::Rows exists,
        admin->Query("SELECT 1 FROM pg_database WHERE datname = " + admin->Literal(database)));
    if (exists.empty()) {
      CARELAKE_RETURN_IF_ERROR(admin->Exec("CREATE DATABASE " + admin->Identifier(database)));
    }
  }
  CARELAKE_ASSIGN_OR_RETURN(std::unique_ptr<dbsource::PgClient> client,
                            dbsource::PgClient::Connect(with_database(database), password));
  // No NOTICEs ("table ... does not exist, skipping") on the user's terminal.
  CARELAKE_RETURN_IF_ERROR(client->Exec("SET client_min_messages = warning; BEGIN"));
  Status replaced = ReplacePostgresTables(*client, tables);
  if (!replaced.ok()) {
    (void)client->Exec("ROLLBACK");
    return replaced;
  }
  CARELAKE_RETURN_IF_ERROR(client->Exec("COMMIT"));
  return database;
}

}  // namespace carelake::generate
