// Change data capture from PostgreSQL 15 (logical replication, pgoutput):
// the first run creates the publication and slot and reads the tables in the
// slot's snapshot; later runs append the changes; bronze, reduced to the
// latest change per key, equals the server's table. A slot behind bronze
// (what a crash between the bronze commit and the slot's advance leaves)
// does not apply anything twice.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "../postgres_server.h"
#include "carelake/dbsource/pg_client.h"
#include "carelake/dbsource/pgoutput.h"
#include "carelake/delta/table.h"
#include "carelake/ingest/db_ingest.h"

namespace carelake::ingest {
namespace {

using dbsource::PgArrayToJson;
using dbsource::PgClient;

TEST(PgOutputTest, ArraysAndLsns) {
  EXPECT_EQ(PgArrayToJson("{1,NULL,3}", false).value_or("?"), "[1,null,3]");
  EXPECT_EQ(PgArrayToJson("{t,f}", false).value_or("?"), "[true,false]");
  EXPECT_EQ(PgArrayToJson(R"({a,"b,c","d\"e",NULL,"NULL"})", true).value_or("?"),
            R"(["a","b,c","d\"e",null,"NULL"])");
  EXPECT_EQ(PgArrayToJson("{}", true).value_or("?"), "[]");
  EXPECT_FALSE(PgArrayToJson("{{1},{2}}", false));
  EXPECT_EQ(dbsource::ParseLsn("16/B374D848").value_or(0), (0x16ULL << 32) | 0xB374D848);
  EXPECT_EQ(dbsource::FormatLsn((0x16ULL << 32) | 0xB374D848), "16/B374D848");
  EXPECT_FALSE(dbsource::ParseLsn("16B374D848"));
  dbsource::PgOutputDecoder d;
  std::vector<dbsource::RowChange> out;
  EXPECT_FALSE(d.Feed(std::string("I\0\0\0\1N", 6), &out).ok());  // outside a transaction
  EXPECT_FALSE(d.Feed("Z", &out).ok());
  EXPECT_FALSE(d.Feed(std::string("B\0\0", 3), &out).ok());  // truncated
}

class PgCdcTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    std::string why;
    bool missing = false;
    server_ = testing::PostgresServer::Start(why, missing);
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(server_, nullptr) << why;
    auto client = PgClient::Connect(server_->Url("postgres"), "");
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
    ASSERT_TRUE(client_
                    ->Exec("CREATE TABLE patient (id int PRIMARY KEY, name text, tags text[], "
                           "balance numeric(10,2), seen timestamptz);"
                           "INSERT INTO patient VALUES (1, 'Ana', '{a,b}', 10.5, now()), "
                           "(2, 'Bruno', NULL, 0, NULL), (3, 'Carla', '{}', -1, now())")
                    .ok());
    source_.name = "pg";
    source_.connection = server_->Url("postgres");
    source_.cdc = project::CdcOptions{"carelake_pg", "carelake_pg", true};
    lake_ = (dir_ / "lake").string();
  }

  Result<DatabaseIngestResult> Ingest() {
    DatabaseIngestRequest req;
    req.source = &source_;
    req.project_dir = dir_.string();
    req.lake = lake_;
    req.run_id = "run-" + std::to_string(++runs_);
    return IngestDatabase(req, LocalFileSystem(), *conn_);
  }

  std::string Bronze() {
    delta::DeltaTable t(LocalFileSystem(), lake_ + "/bronze/pg/patient", *conn_);
    auto sql = t.ScanSql();
    EXPECT_TRUE(sql.ok()) << sql.status();
    return "(" + sql.value_or("SELECT 1 WHERE false") + ")";
  }

  // The server's rows and bronze's latest change per key (deleted keys
  // dropped), as text, in key order.
  std::vector<std::string> ServerRows() {
    std::vector<std::string> out;
    auto rows = client_->Query(
        "SELECT id || '|' || coalesce(name, '~') || '|' || coalesce(array_to_json(tags)::text, "
        "'~') || '|' || coalesce(balance::text, '~') FROM patient ORDER BY id");
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (auto& r : *rows) out.push_back(*r[0]);
    }
    return out;
  }
  std::vector<std::string> BronzeRows() {
    std::vector<std::string> out;
    for (auto& r : Rows("SELECT id || '|' || coalesce(name, '~') || '|' || "
                        "coalesce(CAST(to_json(tags) AS VARCHAR), '~') || '|' || "
                        "coalesce(CAST(balance AS VARCHAR), '~') FROM " +
                        Bronze() +
                        " QUALIFY row_number() OVER (PARTITION BY id ORDER BY _lsn DESC NULLS "
                        "LAST) = 1 AND NOT _deleted ORDER BY id")) {
      out.push_back(r[0].ToString());
    }
    return out;
  }

  std::unique_ptr<testing::PostgresServer> server_;
  std::unique_ptr<PgClient> client_;
  std::string lake_;
  project::DatabaseSource source_;
  int runs_ = 0;
};

TEST_F(PgCdcTest, SnapshotThenChangesInCommitOrder) {
  auto first = Ingest();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->failed, 0) << first->tables[0].error;
  EXPECT_EQ(first->tables[0].rows, 3);
  EXPECT_EQ(BronzeRows(), ServerRows());
  // Changes in several transactions, one of them rolled back.
  ASSERT_TRUE(client_->Exec("INSERT INTO patient VALUES (4, 'Dmitri', '{x}', 4, now())").ok());
  ASSERT_TRUE(client_
                  ->Exec("UPDATE patient SET name = 'Ana Maria', tags = '{\"c d\",NULL}' "
                         "WHERE id = 1; DELETE FROM patient WHERE id = 2")
                  .ok());
  ASSERT_TRUE(client_->Exec("BEGIN; UPDATE patient SET balance = 99 WHERE id = 3; ROLLBACK").ok());
  ASSERT_TRUE(client_->Exec("UPDATE patient SET balance = balance + 1 WHERE id = 4").ok());
  auto second = Ingest();
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->failed, 0) << second->tables[0].error;
  EXPECT_EQ(second->tables[0].mode, "changes");
  EXPECT_EQ(second->tables[0].rows, 4);  // insert, update, delete, update
  EXPECT_EQ(second->tables[0].deleted, 1);
  EXPECT_EQ(BronzeRows(), ServerRows());
  // Nothing new: nothing written.
  auto third = Ingest();
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->tables[0].rows, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze()), 3 + 4);
}

TEST_F(PgCdcTest, ASlotBehindBronzeAppliesNothingTwice) {
  ASSERT_TRUE(Ingest().ok());
  // A second slot that starts now, before the changes: it will hold them
  // after the first slot's run has applied them, as a crash before the
  // advance would leave it.
  ASSERT_TRUE(
      client_->Exec("SELECT pg_create_logical_replication_slot('behind', 'pgoutput')").ok());
  ASSERT_TRUE(client_->Exec("INSERT INTO patient VALUES (5, 'Eva', NULL, 1, NULL)").ok());
  ASSERT_TRUE(client_->Exec("UPDATE patient SET name = 'Bruno B' WHERE id = 2").ok());
  auto applied = Ingest();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->tables[0].rows, 2);
  const int64_t rows = Int("SELECT count(*) FROM " + Bronze());
  source_.cdc->slot = "behind";
  source_.cdc->create = false;
  auto again = Ingest();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->tables[0].rows, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM " + Bronze()), rows);
  EXPECT_EQ(BronzeRows(), ServerRows());
  // The slot was advanced past them.
  auto pending = client_->Query(
      "SELECT count(*) FROM pg_logical_slot_peek_binary_changes('behind', NULL, NULL, "
      "'proto_version', '1', 'publication_names', 'carelake_pg')");
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(*(*pending)[0][0], "0");
}

TEST_F(PgCdcTest, AMissingSlotWithoutCreateIsAnError) {
  source_.cdc->create = false;
  auto r = Ingest();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("carelake_pg"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("source 'pg'"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace carelake::ingest
