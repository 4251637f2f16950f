// The MySQL/MariaDB SnapshotSession and TableReader (db_reader.h).
#include <map>

#include "carelake/base/status.h"
#include "carelake/dbsource/db_reader.h"
#include "carelake/dbsource/mysql_client.h"
#include "carelake/dbsource/type_map.h"

namespace carelake::dbsource {

Result<std::unique_ptr<SnapshotSession>> OpenMySqlSession(const ConnectOptions& options, DbUrl url);

namespace {

constexpr char kColumnsSql[] = R"(
SELECT c.TABLE_NAME, COALESCE(t.TABLE_ROWS, -1), c.COLUMN_NAME, LOWER(c.DATA_TYPE),
       c.COLUMN_TYPE, COALESCE(c.NUMERIC_PRECISION, 0), COALESCE(c.NUMERIC_SCALE, 0),
       c.IS_NULLABLE
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION)";

constexpr char kKeysSql[] = R"(
SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'PRIMARY'
ORDER BY TABLE_NAME, ORDINAL_POSITION)";

bool IsZeroDate(std::string_view v) {
  if (v.size() < 10) return false;
  return v.substr(0, 4) == "0000" || v.substr(5, 2) == "00" || v.substr(8, 2) == "00";
}

// Appends one field of a row to `out`; counts zero dates into `zero`.
void AppendField(std::string& out, const char* value, unsigned long length, MySqlTransform t,
                 int64_t& zero) {
  if (value == nullptr) return;
  std::string_view v(value, length);
  switch (t) {
    case MySqlTransform::kBoolean:
      out += v == "0" ? "false" : "true";
      return;
    case MySqlTransform::kZeroDate:
    case MySqlTransform::kZeroDateUtc:
      if (IsZeroDate(v)) {
        ++zero;
        return;
      }
      AppendQuoted(out, v);
      if (t == MySqlTransform::kZeroDateUtc) out.insert(out.size() - 1, "+00");
      return;
    case MySqlTransform::kNone:
      AppendQuoted(out, v);
      return;
  }
}

class MySqlTableReader : public TableReader {
 public:
  explicit MySqlTableReader(MySqlClient* client) : client_(client) {}

  Result<TableDump> Dump(const SourceTable& table, const std::string& where_sql,
                         CsvSpool& spool) override {
    std::string select;
    for (const SourceColumn& c : table.columns) {
      select += (select.empty() ? "" : ", ") + c.select_sql;
    }
    std::string sql = "SELECT " + select + " FROM " + MySqlClient::Identifier(table.schema) + "." +
                      MySqlClient::Identifier(table.name);
    if (!where_sql.empty()) sql += " WHERE " + where_sql;
    std::vector<int64_t> zero(table.columns.size());
    std::string buffer;
    auto sink = [&](const RowView& row) -> Status {
      for (unsigned i = 0; i < row.columns; ++i) {
        if (i) buffer += ',';
        AppendField(buffer, row.values[i], row.lengths[i], table.columns[i].transform, zero[i]);
      }
      buffer += '\n';
      if (buffer.size() < (64 << 10)) return Status::Ok();
      Status s = spool.Write(buffer);
      buffer.clear();
      return s;
    };
    TableDump dump;
    CARELAKE_ASSIGN_OR_RETURN(dump.rows, client_->Stream(sql, sink));
    if (!buffer.empty()) {
      if (Status s = spool.Write(buffer); !s.ok()) return s;
    }
    if (Status s = spool.Close(); !s.ok()) return s;
    for (size_t i = 0; i < zero.size(); ++i) {
      if (zero[i] > 0) dump.zero_dates[table.columns[i].name] = zero[i];
    }
    return dump;
  }

  Result<std::optional<std::string>> Scalar(const std::string& sql) override {
    CARELAKE_ASSIGN_OR_RETURN(Rows rows, client_->Query(sql));
    if (rows.empty() || rows[0].empty()) return std::optional<std::string>();
    return rows[0][0];
  }
  std::string QuoteName(const std::string& name) const override {
    return MySqlClient::Identifier(name);
  }
  std::string QuoteText(const std::string& text) override { return client_->Quote(text); }

 private:
  MySqlClient* client_;
};

class MySqlSession : public SnapshotSession {
 public:
  MySqlSession(DbUrl url, std::unique_ptr<MySqlClient> client, std::string version)
      : url_(std::move(url)), client_(std::move(client)), version_(std::move(version)) {}

  Result<std::vector<SourceTable>> ListTables(const TableFilter& filter) override {
    CARELAKE_ASSIGN_OR_RETURN(Rows columns, client_->Query(kColumnsSql));
    CARELAKE_ASSIGN_OR_RETURN(Rows keys, client_->Query(kKeysSql));
    std::map<std::string, SourceTable> tables;
    for (const auto& r : columns) {
      if (!filter.Matches(url_.database, *r[0])) continue;
      SourceTable& t = tables[*r[0]];
      t.schema = url_.database;
      t.name = *r[0];
      t.estimated_rows = std::atoll(r[1]->c_str());
      MySqlColumnFacts f{
          *r[2], *r[3], *r[4], std::atoi(r[5]->c_str()), std::atoi(r[6]->c_str()), *r[7] == "NO"};
      t.columns.push_back(MapMySqlColumn(f));
    }
    for (const auto& r : keys) {
      if (auto it = tables.find(*r[0]); it != tables.end()) it->second.key.push_back(*r[1]);
    }
    std::vector<SourceTable> out;
    for (auto& [_, t] : tables) out.push_back(std::move(t));
    return out;
  }

  Result<std::vector<std::unique_ptr<TableReader>>> OpenReaders(int) override {
    std::vector<std::unique_ptr<TableReader>> readers;
    readers.push_back(std::make_unique<MySqlTableReader>(client_.get()));
    return readers;
  }
  std::string ServerVersion() const override { return version_; }
  const DbUrl& url() const override { return url_; }

 private:
  DbUrl url_;
  std::unique_ptr<MySqlClient> client_;
  std::string version_;
};

}  // namespace

Result<std::unique_ptr<SnapshotSession>> OpenMySqlSession(const ConnectOptions& options,
                                                          DbUrl url) {
  if (url.database.empty()) {
    return InvalidArgument("MySQL URL " + url.Redacted() + " names no database");
  }
  CARELAKE_ASSIGN_OR_RETURN(
      std::unique_ptr<MySqlClient> client,
      MySqlClient::Connect(options.url, options.password, options.connect_timeout_s));
  CARELAKE_ASSIGN_OR_RETURN(Rows version, client->Query("SELECT VERSION()"));
  std::string v = version.empty() || !version[0][0] ? "" : *version[0][0];
  std::string name = v.find("MariaDB") != std::string::npos ? "MariaDB " : "MySQL ";
  v = v.substr(0, v.find('-'));
  Status s = client->Exec(
      "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ; "
      "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  if (!s.ok()) return s;
  return std::unique_ptr<SnapshotSession>(
      new MySqlSession(std::move(url), std::move(client), name + v));
}

}  // namespace carelake::dbsource
