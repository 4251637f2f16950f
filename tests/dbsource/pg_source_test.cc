// A PostgreSQL 15 server as a source, end to end: a throwaway server
// (postgres_server.h) holds tables of every type; IngestDatabase lands them
// in bronze; each value is compared with the server's own rendering of it
// (PostgreSQL's text against DuckDB's text of the bronze value, per type).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "../postgres_server.h"
#include "carelake/dbsource/pg_client.h"
#include "source_test.h"

namespace carelake::ingest {
namespace {

using dbsource::PgClient;

constexpr char kSchema[] = R"(
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE all_types (
  id int PRIMARY KEY, i2 smallint, i8 bigint, n numeric(12,2), nbig numeric(50,10), nfree numeric,
  f4 real, f8 double precision, b boolean, t text, vc varchar(20), ch char(5), d date, tm time,
  tmz timetz, ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb, by bytea,
  ai int[], at text[], mo mood, dom posint, mn money, ip inet);
INSERT INTO all_types VALUES
  (1, -32768, 9223372036854775807, 1234567890.12, 12345678901234567890123456789.0123456789,
   3.14159265358979323846264338327950288, 3.14, 0.1, true, 'plain', 'x', 'ab', '2024-02-29',
   '23:59:59.999999', '10:00:00+02', '2024-03-01 10:11:12.123456', '2024-03-01 10:11:12.5+02',
   '1 year 2 months 3 days 04:05:06.5', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}',
   '{"b": null, "a": 1}', '\x00ff10', '{1,NULL,3}', '{"a","b,c","d\"e",NULL}', 'happy', 7,
   12.34, '10.0.0.1/8'),
  (2, 0, -1, -0.01, 0, 0, -1.5, 1e-300, false, E'comma, "quote"\nnew line', '', 'abcde',
   '0001-01-01', '00:00:00', '00:00:00-07', '1970-01-01 00:00:00', '1999-12-31 23:59:59+00',
   '-1 days', '00000000-0000-0000-0000-000000000000', '[]', '[]', '', '{}', '{}', 'sad', 1,
   -1.00, '::1'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, E'ünïcødé ✓ 😀', NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE SCHEMA pharmacy;
CREATE TABLE pharmacy.medicine (ndc text PRIMARY KEY, name text, price numeric(8,2));
INSERT INTO pharmacy.medicine VALUES ('0002-1433', 'Aspirin', 3.50), ('0003-0001', 'Ibu', 4.00);
CREATE TABLE events (id bigint PRIMARY KEY, kind text, updated_at timestamptz NOT NULL);
INSERT INTO events SELECT g, 'k' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
  FROM generate_series(1, 100) g;
)";

// Per column: PostgreSQL's text of the value and DuckDB's text of the bronze
// value, which must be equal.
struct Render {
  std::string column, pg, duck;
};

std::vector<Render> Renders() {
  std::vector<Render> out;
  // The server's output of the value (what a client reads), against DuckDB's
  // text of the bronze value.
  for (const char* c :
       {"id", "i2",  "i8", "n",    "nbig", "nfree", "f4", "f8", "t",  "vc",  "ch", "d",
        "tm", "tmz", "ts", "tstz", "iv",   "u",     "j",  "jb", "mo", "dom", "ip"}) {
    out.push_back({c, c, "CAST(\"" + std::string(c) + "\" AS VARCHAR)"});
  }
  out.push_back({"b", "b::text", "CAST(b AS VARCHAR)"});  // true/false rather than t/f
  out.push_back({"by", "encode(by, 'hex')", "lower(hex(\"by\"))"});
  out.push_back({"ai", "array_to_json(ai)::text", "CAST(to_json(ai) AS VARCHAR)"});
  out.push_back({"at", "array_to_json(at)::text", "CAST(to_json(\"at\") AS VARCHAR)"});
  out.push_back({"mn", "mn::numeric::text", "CAST(mn AS VARCHAR)"});
  return out;
}

class PgSourceTest : public SourceTest {
 protected:
  void SetUp() override {
    SourceTest::SetUp();
    std::string why;
    bool missing = false;
    server_ = testing::PostgresServer::Start(why, missing);
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(server_, nullptr) << why;
    std::string info = server_->ConnInfo();  // host=<dir> port=5432 …
    std::string host = info.substr(5, info.find(' ') - 5);
    url_ = "postgresql://postgres@/postgres?host=" + host + "&port=5432";
    auto client = PgClient::Connect(url_, "");
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
    ASSERT_TRUE(client_->Exec(kSchema).ok()) << client_->Exec("SELECT 1");
    source_.name = "pg";
    source_.connection = url_;
    source_.schemas = {"public", "pharmacy"};
  }

  std::unique_ptr<testing::PostgresServer> server_;
  std::unique_ptr<PgClient> client_;
  std::string url_;
};

TEST_F(PgSourceTest, EveryTypeLandsWithItsValues) {
  auto r = Ingest(/*spool_bytes=*/256);  // several spool files per table
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->failed, 0);
  ASSERT_EQ(r->tables.size(), 3u);
  EXPECT_NE(Find(*r, "pg__all_types"), nullptr);
  EXPECT_NE(Find(*r, "pg__pharmacy__medicine"), nullptr);
  EXPECT_NE(r->server.find("PostgreSQL 15"), std::string::npos) << r->server;
  for (const Render& c : Renders()) {
    Column pg = ServerColumn(*client_, "SELECT " + c.pg + " FROM all_types ORDER BY id");
    Column duck = DuckColumn("SELECT " + c.duck + " FROM " + Bronze("all_types") + " ORDER BY id");
    EXPECT_EQ(pg, duck) << "column " << c.column;
  }
  std::map<std::string, std::string> types;
  for (auto& row : Rows("DESCRIBE SELECT * FROM " + Bronze("all_types"))) {
    types[row[0].ToString()] = row[1].ToString();
  }
  EXPECT_EQ(types["n"], "DECIMAL(12,2)");
  EXPECT_EQ(types["nbig"], "VARCHAR");  // beyond 38 digits
  EXPECT_EQ(types["i8"], "BIGINT");
  EXPECT_EQ(types["f4"], "FLOAT");
  EXPECT_EQ(types["ts"], "TIMESTAMP");
  EXPECT_EQ(types["tstz"], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(types["by"], "BLOB");
  EXPECT_EQ(types["ai"], "INTEGER[]");
  EXPECT_EQ(types["at"], "VARCHAR[]");
  EXPECT_EQ(types["dom"], "INTEGER");
  EXPECT_EQ(types["mn"], "DECIMAL(19,2)");
  EXPECT_EQ(types["_deleted"], "BOOLEAN");
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze("pharmacy__medicine")), 2);
  // The spool is gone.
  EXPECT_FALSE(std::filesystem::exists(lake_ + "/_system/spool") &&
               !std::filesystem::is_empty(lake_ + "/_system/spool"));
}

TEST_F(PgSourceTest, SnapshotMarksKeysGoneSinceTheLastOne) {
  ASSERT_TRUE(Ingest().ok());
  ASSERT_TRUE(client_
                  ->Exec("DELETE FROM pharmacy.medicine WHERE ndc = '0002-1433'; "
                         "INSERT INTO pharmacy.medicine VALUES ('0004-0002', 'New', 1.25); "
                         "UPDATE pharmacy.medicine SET price = 4.50 WHERE ndc = '0003-0001'")
                  .ok());
  auto r = Ingest();
  ASSERT_TRUE(r.ok()) << r.status();
  const TableIngest* t = Find(*r, "pg__pharmacy__medicine");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->rows, 2);
  EXPECT_EQ(t->deleted, 1);
  auto rows = Rows("SELECT ndc, CAST(price AS VARCHAR), _deleted, _run_id FROM " +
                   Bronze("pharmacy__medicine") + " ORDER BY ndc");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0].ToString(), "0002-1433");  // gone: its last values, marked deleted
  EXPECT_EQ(rows[0][1].ToString(), "3.50");
  EXPECT_TRUE(rows[0][2].GetBool());
  EXPECT_EQ(rows[1][1].ToString(), "4.50");
  EXPECT_FALSE(rows[1][2].GetBool());
  EXPECT_EQ(rows[2][0].ToString(), "0004-0002");
  EXPECT_EQ(rows[2][3].ToString(), "run-2");
  // A third snapshot does not report the deleted key again.
  auto again = Ingest();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Find(*again, "pg__pharmacy__medicine")->deleted, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze("pharmacy__medicine")), 2);
}

TEST_F(PgSourceTest, IncrementalReadsPastTheWatermarkWithLookback) {
  source_.include = {"events"};
  source_.incremental["events"] = {"updated_at", std::chrono::minutes(10), false, {}};
  auto first = Ingest();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->tables.size(), 1u);
  EXPECT_EQ(first->tables[0].rows, 100);
  EXPECT_EQ(first->tables[0].watermark, "2024-01-01 01:40:00+00");
  // One late row inside the lookback, five new ones after the watermark.
  ASSERT_TRUE(client_
                  ->Exec("INSERT INTO events VALUES (101, 'late', '2024-01-01 01:35:00+00');"
                         "INSERT INTO events SELECT g, 'new', timestamptz '2024-01-01 02:00:00+00'"
                         " + g * interval '1 second' FROM generate_series(102, 106) g")
                  .ok());
  auto second = Ingest();
  ASSERT_TRUE(second.ok()) << second.status();
  // Rows at or after 01:30 (the watermark 01:40 minus 10 minutes): ids 90..106.
  Column expected = ServerColumn(
      *client_, "SELECT count(*) FROM events WHERE updated_at >= '2024-01-01 01:30:00+00'");
  ASSERT_EQ(expected.size(), 1u);
  EXPECT_EQ(second->tables[0].rows, std::atoll(expected[0]->c_str()));
  EXPECT_EQ(Int("SELECT count(DISTINCT id) FROM " + Bronze("events")), 106);
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze("events") + " WHERE _run_id = 'run-2'"),
            second->tables[0].rows);
}

TEST_F(PgSourceTest, SchemaDriftAddsDropsAndRefusesRetyping) {
  source_.include = {"pharmacy.medicine"};
  ASSERT_TRUE(Ingest().ok());
  ASSERT_TRUE(client_
                  ->Exec("ALTER TABLE pharmacy.medicine ADD COLUMN form text; "
                         "UPDATE pharmacy.medicine SET form = 'tablet'; "
                         "ALTER TABLE pharmacy.medicine DROP COLUMN name")
                  .ok());
  auto r = Ingest();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->failed, 0) << r->tables[0].error;
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze("pharmacy__medicine") +
                " WHERE form = 'tablet' AND name IS NULL"),
            2);
  ASSERT_TRUE(client_->Exec("ALTER TABLE pharmacy.medicine ALTER COLUMN price TYPE text").ok());
  auto retyped = Ingest();
  ASSERT_TRUE(retyped.ok()) << retyped.status();
  ASSERT_EQ(retyped->failed, 1);
  const std::string& error = retyped->tables[0].error;
  EXPECT_NE(error.find("pg__pharmacy__medicine"), std::string::npos) << error;
  EXPECT_NE(error.find("price"), std::string::npos) << error;
  EXPECT_NE(error.find("VARCHAR"), std::string::npos) << error;
  EXPECT_NE(error.find("DECIMAL(8,2)"), std::string::npos) << error;
  // The table kept its last good version.
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze("pharmacy__medicine") + " WHERE price = 4.00"), 1);
}

// What the server says while a table is read (here a row-level security
// policy whose function raises a notice per row) goes with the table's
// result, not to stderr.
TEST_F(PgSourceTest, ServerNoticesGoWithTheTable) {
  ASSERT_TRUE(client_
                  ->Exec("CREATE TABLE audited (id int PRIMARY KEY);"
                         "INSERT INTO audited VALUES (1), (2);"
                         "CREATE FUNCTION checked(i int) RETURNS bool LANGUAGE plpgsql AS "
                         "$$ BEGIN RAISE NOTICE 'checked row %', i; RETURN true; END $$;"
                         "ALTER TABLE audited ENABLE ROW LEVEL SECURITY;"
                         "CREATE POLICY p ON audited USING (checked(id));"
                         "CREATE ROLE auditor LOGIN; GRANT SELECT ON audited TO auditor")
                  .ok());
  source_.include = {"audited"};
  source_.connection = url_;
  source_.connection.replace(source_.connection.find("postgres@"), 9, "auditor@");
  ::testing::internal::CaptureStderr();
  auto r = Ingest();
  const std::string printed = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->failed, 0) << r->tables[0].error;
  std::vector<std::string> notices = r->tables[0].notices;
  std::sort(notices.begin(), notices.end());
  EXPECT_EQ(notices, (std::vector<std::string>{"NOTICE: checked row 1", "NOTICE: checked row 2"}));
  EXPECT_EQ(printed.find("checked row"), std::string::npos) << printed;
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze("audited")), 2);
}

TEST_F(PgSourceTest, ErrorsNameTheSourceAndTheTable) {
  source_.include = {"all_types", "no_such_table"};
  auto missing = Ingest();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("source 'pg'"), std::string::npos);
  EXPECT_NE(missing.status().message().find("no_such_table"), std::string::npos);

  ASSERT_TRUE(client_
                  ->Exec("CREATE ROLE reader LOGIN; GRANT USAGE ON SCHEMA pharmacy TO reader;"
                         "GRANT SELECT ON pharmacy.medicine TO reader")
                  .ok());
  source_.include = {"*"};
  source_.connection = url_;
  source_.connection.replace(source_.connection.find("postgres@"), 9, "reader@");
  auto denied = Ingest();
  ASSERT_TRUE(denied.ok()) << denied.status();
  EXPECT_EQ(denied->failed, 2);  // all_types and events: permission denied
  const TableIngest* events = Find(*denied, "pg__events");
  ASSERT_NE(events, nullptr);
  EXPECT_NE(events->error.find("permission denied"), std::string::npos) << events->error;
  EXPECT_TRUE(Find(*denied, "pg__pharmacy__medicine")->error.empty());

  source_.on_error = project::OnSourceError::kFail;
  auto failed = Ingest();
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("2 tables failed"), std::string::npos);

  source_.connection = "postgresql://postgres@127.0.0.1:1/postgres";
  auto unreachable = Ingest();
  ASSERT_FALSE(unreachable.ok());
  EXPECT_NE(unreachable.status().message().find("source 'pg'"), std::string::npos);
  EXPECT_NE(unreachable.status().message().find("127.0.0.1"), std::string::npos)
      << unreachable.status();

  source_.password_env = "CARELAKE_TEST_UNSET_PASSWORD";
  auto no_password = Ingest();
  ASSERT_FALSE(no_password.ok());
  EXPECT_NE(no_password.status().message().find("CARELAKE_TEST_UNSET_PASSWORD"), std::string::npos);
}
}  // namespace
}  // namespace carelake::ingest
