// A MariaDB server as a source, end to end: a throwaway server
// (mariadb_server.h) holds tables of every type; IngestDatabase lands them in
// bronze; each value is compared with the server's own rendering of it
// (MariaDB's text against DuckDB's text of the bronze value, per type).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../mariadb_server.h"
#include "carelake/catalog/lake_catalog.h"
#include "carelake/dbsource/mysql_client.h"
#include "source_test.h"

namespace carelake::ingest {
namespace {

using dbsource::MySqlClient;

constexpr char kSchema[] = R"(
CREATE DATABASE shop;
USE shop;
SET SESSION sql_mode = '';
CREATE TABLE all_types (
  id INT PRIMARY KEY, flag TINYINT(1), ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT,
  mi MEDIUMINT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, dc DECIMAL(12,2),
  dbig DECIMAL(60,10), fl FLOAT, db DOUBLE, bt BIT(12), b1 BIT(1), ch CHAR(4), vc VARCHAR(50),
  tx TEXT, en ENUM('a','B'), st SET('x','y'), js JSON, bl BLOB, vb VARBINARY(8), d DATE,
  dt DATETIME(6), ts TIMESTAMP(3) NULL DEFAULT NULL, tm TIME(6), yr YEAR, u UUID, ip INET6);
INSERT INTO all_types VALUES
  (1, 1, -128, 255, -32768, 8388607, 4294967295, -9223372036854775808, 18446744073709551615,
   1234567890.12, 12345678901234567890123456789012345678901234567890.0123456789, 3.14159,
   0.1, b'101010101010', b'1', 'ab', 'x', 'comma, "quote"\nnew line', 'B', 'x,y', '{"a": [1, 2]}',
   X'00FF10', X'0A', '2024-02-29', '2024-03-01 10:11:12.123456', '2024-03-01 10:11:12.5',
   '-838:59:59', 2024, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '::1'),
  (2, 0, 0, 0, 0, 0, 0, 0, 0, -0.01, 0, -1.5, 1e-300, b'0', b'0', '', '', '', 'a', '', '[]',
   '', '', '0000-00-00', '0000-00-00 00:00:00', NULL, '00:00:00', 1901,
   '00000000-0000-0000-0000-000000000000', '2001:db8::1'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   'ünïcødé ✓ 😀', NULL, NULL, NULL, NULL, NULL, NULL, '2024-00-15', NULL, NULL, NULL, NULL, NULL,
   NULL);
CREATE TABLE patient (id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO patient VALUES (1, 'Ana'), (2, 'Bruno');
)";

struct Render {
  std::string column, my, duck;
};

std::vector<Render> Renders() {
  std::vector<Render> out;
  for (const char* c : {"id", "ti", "tiu", "si", "mi", "iu", "bi", "biu", "dc", "dbig", "db",
                        "ch", "vc", "tx",  "en", "st", "js", "tm", "yr",  "u",  "ip"}) {
    out.push_back(
        {c, std::string("CAST(") + c + " AS CHAR)", "CAST(" + std::string(c) + " AS VARCHAR)"});
  }
  out.push_back(
      {"flag", "IF(flag IS NULL, NULL, IF(flag <> 0, 'true', 'false'))", "CAST(flag AS VARCHAR)"});
  out.push_back(
      {"b1", "IF(b1 IS NULL, NULL, IF(b1 + 0 <> 0, 'true', 'false'))", "CAST(b1 AS VARCHAR)"});
  out.push_back({"bt", "CAST(bt + 0 AS CHAR)", "CAST(bt AS VARCHAR)"});
  // FLOAT: the float's exact value as a double on both sides.
  out.push_back({"fl", "CAST(fl + 0e0 AS CHAR)", "CAST(CAST(fl AS DOUBLE) AS VARCHAR)"});
  out.push_back({"bl", "LOWER(HEX(bl))", "lower(hex(bl))"});
  out.push_back({"vb", "LOWER(HEX(vb))", "lower(hex(vb))"});
  // Zero dates (and month or day 00) are NULL in bronze.
  out.push_back(
      {"d", "IF(MONTH(d) = 0 OR DAY(d) = 0, NULL, CAST(d AS CHAR))", "CAST(d AS VARCHAR)"});
  out.push_back(
      {"dt", "IF(YEAR(dt) = 0, NULL, CAST(dt AS CHAR))", "strftime(dt, '%Y-%m-%d %H:%M:%S.%f')"});
  out.push_back(
      {"ts", "DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f')", "strftime(ts, '%Y-%m-%d %H:%M:%S.%f')"});
  return out;
}

class MySqlSourceTest : public SourceTest {
 protected:
  void SetUp() override {
    SourceTest::SetUp();
    std::string why;
    bool missing = false;
    server_ = testing::MariaDbServer::Start(why, missing, {.tcp = true});
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(server_, nullptr) << why;
    auto client = MySqlClient::Connect(server_->Url(""), "");
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
    Status created = client_->Exec(kSchema);
    ASSERT_TRUE(created.ok()) << created;
    ASSERT_TRUE(client_->Exec("USE shop").ok());
    source_.name = "my";
    source_.connection = server_->Url("shop");
    spool_bytes_ = 256;  // several spool files per table
  }

  std::unique_ptr<testing::MariaDbServer> server_;
  std::unique_ptr<MySqlClient> client_;
};

TEST_F(MySqlSourceTest, EveryTypeLandsWithItsValues) {
  auto r = Ingest();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->failed, 0) << r->tables[0].error;
  ASSERT_EQ(r->tables.size(), 2u);
  EXPECT_NE(r->server.find("MariaDB 10."), std::string::npos) << r->server;
  EXPECT_EQ(r->server.find(testing::MariaDbServer::kReaderPassword), std::string::npos);
  for (const Render& c : Renders()) {
    Column my = ServerColumn(*client_, "SELECT " + c.my + " FROM all_types ORDER BY id");
    Column duck = DuckColumn("SELECT " + c.duck + " FROM " + Bronze("all_types") + " ORDER BY id");
    EXPECT_EQ(my, duck) << "column " << c.column;
  }
  const TableIngest& t = r->tables[0].table == "my__all_types" ? r->tables[0] : r->tables[1];
  EXPECT_EQ(t.zero_dates.at("d"), 2);  // '0000-00-00' and '2024-00-15'
  EXPECT_EQ(t.zero_dates.at("dt"), 1);
  std::map<std::string, std::string> types;
  for (auto& row : Rows("DESCRIBE SELECT * FROM " + Bronze("all_types"))) {
    types[row[0].ToString()] = row[1].ToString();
  }
  EXPECT_EQ(types["flag"], "BOOLEAN");
  // The server's type as it spells it, enum labels in their case.
  delta::DeltaTable table(LocalFileSystem(), lake_ + "/bronze/my/all_types", *conn_);
  auto snapshot = table.Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const std::string origin = (*snapshot)->Property(catalog::kOriginTypesProperty, "");
  EXPECT_NE(origin.find("enum('a','B')"), std::string::npos) << origin;
  EXPECT_NE(origin.find("int(10) unsigned"), std::string::npos) << origin;
  EXPECT_EQ(types["tiu"], "SMALLINT");
  EXPECT_EQ(types["iu"], "BIGINT");
  EXPECT_EQ(types["biu"], "DECIMAL(20,0)");
  EXPECT_EQ(types["dc"], "DECIMAL(12,2)");
  EXPECT_EQ(types["dbig"], "VARCHAR");
  EXPECT_EQ(types["fl"], "FLOAT");
  EXPECT_EQ(types["bl"], "BLOB");
  EXPECT_EQ(types["d"], "DATE");
  EXPECT_EQ(types["dt"], "TIMESTAMP");
  EXPECT_EQ(types["ts"], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(types["tm"], "VARCHAR");
}

TEST_F(MySqlSourceTest, OverTcpWithAPasswordAndItsErrors) {
  source_.connection = server_->TcpUrl("shop");
  ASSERT_FALSE(source_.connection.empty());
  ::setenv("CARELAKE_TEST_MY_PASSWORD", testing::MariaDbServer::kReaderPassword, 1);
  source_.password_env = "CARELAKE_TEST_MY_PASSWORD";
  source_.include = {"patient"};
  auto r = Ingest();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze("patient") + " WHERE NOT _deleted"), 2);

  ::setenv("CARELAKE_TEST_MY_PASSWORD", "wrong-password", 1);
  auto wrong = Ingest();
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("source 'my'"), std::string::npos) << wrong.status();
  EXPECT_NE(wrong.status().message().find("Access denied"), std::string::npos) << wrong.status();
  EXPECT_EQ(wrong.status().message().find("wrong-password"), std::string::npos);
  ::unsetenv("CARELAKE_TEST_MY_PASSWORD");
}

TEST_F(MySqlSourceTest, IncrementalByKeyAndDeletedKeys) {
  source_.include = {"patient"};
  source_.incremental["patient"] = {"id", {}, true, {}};
  ASSERT_TRUE(Ingest().ok());
  ASSERT_TRUE(client_->Exec("INSERT INTO patient VALUES (3, 'Carla'), (4, 'Dmitri')").ok());
  auto r = Ingest();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->tables[0].rows, 2);
  EXPECT_EQ(r->tables[0].watermark, "4");
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze("patient")), 4);

  source_.incremental.clear();  // a snapshot table now
  ASSERT_TRUE(client_->Exec("DELETE FROM patient WHERE id = 1").ok());
  auto snap = Ingest();
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->tables[0].deleted, 1);
  EXPECT_EQ(Int("SELECT id FROM " + Bronze("patient") + " WHERE _deleted"), 1);
}

}  // namespace
}  // namespace carelake::ingest
