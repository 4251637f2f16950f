// The PostgreSQL SnapshotSession and TableReader (db_reader.h).
#include <map>

#include "carelake/base/status.h"
#include "carelake/dbsource/db_reader.h"
#include "carelake/dbsource/pg_client.h"
#include "carelake/dbsource/type_map.h"

namespace carelake::dbsource {

Result<std::unique_ptr<SnapshotSession>> OpenPgSession(const ConnectOptions& options, DbUrl url);

namespace {

constexpr char kColumnsSql[] = R"(
SELECT n.nspname, c.relname, c.reltuples::bigint, a.attname,
       format_type(a.atttypid, a.atttypmod), b.typname,
       format_type(b.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END),
       b.typtype, COALESCE(e.typname, ''), a.attnotnull
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type e ON e.oid = b.typelem AND b.typcategory = 'A'
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY(%s)
ORDER BY n.nspname, c.relname, a.attnum)";

constexpr char kKeysSql[] = R"(
SELECT n.nspname, c.relname, a.attname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE i.indisprimary AND n.nspname = ANY(%s)
ORDER BY n.nspname, c.relname, k.ord)";

std::string Format(const char* pattern, const std::string& arg) {
  std::string out = pattern;
  out.replace(out.find("%s"), 2, arg);
  return out;
}

class PgTableReader : public TableReader {
 public:
  PgTableReader(PgClient* client, std::unique_ptr<PgClient> owned)
      : client_(client), owned_(std::move(owned)) {}

  Result<TableDump> Dump(const SourceTable& table, const std::string& where_sql,
                         CsvSpool& spool) override {
    std::string select;
    for (const SourceColumn& c : table.columns) {
      select += (select.empty() ? "" : ", ") + c.select_sql;
    }
    std::string sql = "COPY (SELECT " + select + " FROM " + client_->Identifier(table.schema) +
                      "." + client_->Identifier(table.name);
    if (!where_sql.empty()) sql += " WHERE " + where_sql;
    sql += ") TO STDOUT (FORMAT csv)";
    TableDump dump;
    CARELAKE_ASSIGN_OR_RETURN(
        dump.rows, client_->CopyOut(sql, [&](std::string_view row) { return spool.Write(row); }));
    if (Status s = spool.Close(); !s.ok()) return s;
    dump.notices = client_->TakeNotices();
    return dump;
  }

  Result<std::optional<std::string>> Scalar(const std::string& sql) override {
    CARELAKE_ASSIGN_OR_RETURN(Rows rows, client_->Query(sql));
    if (rows.empty() || rows[0].empty()) return std::optional<std::string>();
    return rows[0][0];
  }
  std::string QuoteName(const std::string& name) const override {
    return client_->Identifier(name);
  }
  std::string QuoteText(const std::string& text) override { return client_->Literal(text); }

 private:
  PgClient* client_;
  std::unique_ptr<PgClient> owned_;
};

class PgSession : public SnapshotSession {
 public:
  PgSession(ConnectOptions options, DbUrl url, std::unique_ptr<PgClient> client,
            std::string snapshot)
      : options_(std::move(options)),
        url_(std::move(url)),
        client_(std::move(client)),
        snapshot_(std::move(snapshot)) {}

  Result<std::vector<SourceTable>> ListTables(const TableFilter& filter) override;
  Result<std::vector<std::unique_ptr<TableReader>>> OpenReaders(int n) override;
  std::string ServerVersion() const override {
    int v = client_->server_version();
    return "PostgreSQL " + std::to_string(v / 10000) + "." + std::to_string(v % 10000);
  }
  const DbUrl& url() const override { return url_; }

 private:
  std::string SchemaArray(const std::vector<std::string>& schemas) const {
    std::string out = "ARRAY[";
    for (size_t i = 0; i < schemas.size(); ++i) {
      out += (i ? "," : "") + client_->Literal(schemas[i]);
    }
    return out + "]::text[]";
  }

  ConnectOptions options_;
  DbUrl url_;
  std::unique_ptr<PgClient> client_;
  std::string snapshot_;
};

Result<std::vector<SourceTable>> PgSession::ListTables(const TableFilter& filter) {
  std::string schemas = SchemaArray(filter.schemas);
  CARELAKE_ASSIGN_OR_RETURN(Rows columns, client_->Query(Format(kColumnsSql, schemas)));
  CARELAKE_ASSIGN_OR_RETURN(Rows keys, client_->Query(Format(kKeysSql, schemas)));
  std::map<std::pair<std::string, std::string>, SourceTable> tables;
  for (const auto& r : columns) {
    if (!filter.Matches(*r[0], *r[1])) continue;
    SourceTable& t = tables[{*r[0], *r[1]}];
    t.schema = *r[0];
    t.name = *r[1];
    t.estimated_rows = std::atoll(r[2]->c_str());
    PgColumnFacts f{*r[3], *r[4], *r[5], *r[6], (*r[7])[0], *r[8], *r[9] == "t"};
    t.columns.push_back(MapPgColumn(f));
  }
  for (const auto& r : keys) {
    auto it = tables.find({*r[0], *r[1]});
    if (it != tables.end()) it->second.key.push_back(*r[2]);
  }
  std::vector<SourceTable> out;
  for (auto& [_, t] : tables) out.push_back(std::move(t));
  return out;
}

Result<std::vector<std::unique_ptr<TableReader>>> PgSession::OpenReaders(int n) {
  std::vector<std::unique_ptr<TableReader>> readers;
  readers.push_back(std::make_unique<PgTableReader>(client_.get(), nullptr));
  for (int i = 1; i < n; ++i) {
    CARELAKE_ASSIGN_OR_RETURN(
        std::unique_ptr<PgClient> c,
        PgClient::Connect(options_.url, options_.password, options_.connect_timeout_s));
    Status s =
        c->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT " +
                c->Literal(snapshot_));
    if (!s.ok()) return s;
    PgClient* raw = c.get();
    readers.push_back(std::make_unique<PgTableReader>(raw, std::move(c)));
  }
  return readers;
}

}  // namespace

Result<std::unique_ptr<SnapshotSession>> OpenPgSession(const ConnectOptions& options, DbUrl url) {
  CARELAKE_ASSIGN_OR_RETURN(
      std::unique_ptr<PgClient> client,
      PgClient::Connect(options.url, options.password, options.connect_timeout_s));
  if (Status s = client->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"); !s.ok()) {
    return s;
  }
  std::string snapshot = options.snapshot;
  if (snapshot.empty()) {
    CARELAKE_ASSIGN_OR_RETURN(Rows id, client->Query("SELECT pg_export_snapshot()"));
    snapshot = *id[0][0];
  } else if (Status s = client->Exec("SET TRANSACTION SNAPSHOT " + client->Literal(snapshot));
             !s.ok()) {
    return s;
  }
  return std::unique_ptr<SnapshotSession>(
      new PgSession(options, std::move(url), std::move(client), std::move(snapshot)));
}

}  // namespace carelake::dbsource
