// The change data capture consumer of `carelake serve` (serve/cdc_consumer.h)
// against a throwaway PostgreSQL 15: changes reach bronze without a run, in
// commit order; a consumer restarted on a slot behind bronze applies nothing
// twice; a server that goes away makes it not ready until it is back; a
// run's step and the consumer take turns on the source's lock.
#include "carelake/serve/cdc_consumer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "../delta/lake_test.h"
#include "../postgres_server.h"
#include "carelake/base/process_lock.h"
#include "carelake/dbsource/pg_cdc.h"
#include "carelake/dbsource/pg_client.h"
#include "carelake/delta/table.h"
#include "carelake/ingest/db_ingest.h"
#include "carelake/serve/api.h"

namespace carelake::serve {
namespace {

using dbsource::PgClient;

// Waits up to `seconds` for `done`.
bool WaitFor(const std::function<bool()>& done, int seconds = 30) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

class CdcConsumerTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    std::string why;
    bool missing = false;
    server_ = testing::PostgresServer::Start(why, missing);
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(server_, nullptr) << why;
    Connect();
    ASSERT_TRUE(
        Exec("CREATE TABLE patient (id int PRIMARY KEY, name text);"
             "INSERT INTO patient VALUES (1, 'Ana'), (2, 'Bruno')"));
    project::DatabaseSource source;
    source.name = "pg";
    source.connection = server_->Url("postgres");
    source.connect_timeout_s = 2;
    source.cdc = project::CdcOptions{"carelake_pg", "carelake_pg", true};
    source.cdc->continuous = true;
    source.cdc->poll = std::chrono::milliseconds(50);
    project::Project p;
    p.name = "cdc";
    p.dir = dir_.string();
    p.lake = (dir_ / "lake").string();
    p.database_sources.push_back(source);
    project_.emplace(std::move(p));
  }
  void TearDown() override {
    if (consumer_) consumer_->Stop();
    LakeTest::TearDown();
  }

  void Connect() {
    auto client = PgClient::Connect(server_->Url("postgres"), "");
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
  }
  bool Exec(const std::string& sql) {
    Status s = client_->Exec(sql);
    EXPECT_TRUE(s.ok()) << s << "\n" << sql;
    return s.ok();
  }

  void StartConsumer() {
    CdcConsumerOptions options;
    options.max_backoff = std::chrono::milliseconds(400);
    consumer_ = std::make_unique<CdcConsumer>(*project_, *db_, DefaultClock(), nullptr, options);
    ASSERT_TRUE(consumer_->Start().ok());
  }
  CdcSourceState State() {
    auto states = consumer_->States();
    EXPECT_EQ(states.size(), 1u);
    return states.empty() ? CdcSourceState{} : states[0];
  }

  std::string Bronze() {
    delta::DeltaTable t(LocalFileSystem(), project_->Get()->lake + "/bronze/pg/patient", *conn_);
    auto sql = t.ScanSql();
    return "(" +
           sql.value_or("SELECT 1 AS id, '' AS name, false AS _deleted, 0 AS _lsn WHERE false") +
           ")";
  }
  // The change rows (not the snapshot's), in commit order: "id|name|deleted".
  std::vector<std::string> Changes() {
    std::vector<std::string> out;
    for (auto& r : Rows("SELECT id || '|' || coalesce(name, '~') || '|' || _deleted FROM " +
                        Bronze() + " WHERE _lsn IS NOT NULL ORDER BY _lsn, _run_id")) {
      out.push_back(r[0].ToString());
    }
    return out;
  }
  int64_t BronzeCount() { return Int("SELECT count(*) FROM " + Bronze()); }
  // Bronze reduced to the latest change per key equals the server's table.
  std::vector<std::string> Latest() {
    std::vector<std::string> out;
    for (auto& r : Rows("SELECT id || '|' || name FROM " + Bronze() +
                        " QUALIFY row_number() OVER (PARTITION BY id ORDER BY _lsn DESC NULLS "
                        "LAST) = 1 AND NOT _deleted ORDER BY id")) {
      out.push_back(r[0].ToString());
    }
    return out;
  }
  std::vector<std::string> ServerRows() {
    std::vector<std::string> out;
    auto rows = client_->Query("SELECT id || '|' || name FROM patient ORDER BY id");
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (auto& r : *rows) out.push_back(*r[0]);
    }
    return out;
  }
  bool Ready() { return consumer_->health().ok; }

  std::unique_ptr<testing::PostgresServer> server_;
  std::unique_ptr<PgClient> client_;
  std::optional<ProjectHolder> project_;
  std::unique_ptr<CdcConsumer> consumer_;
};

TEST_F(CdcConsumerTest, ChangesArriveInBronzeInCommitOrderWithoutARun) {
  StartConsumer();
  EXPECT_FALSE(Ready());  // not before its first poll
  ASSERT_TRUE(WaitFor([&] { return Ready(); })) << consumer_->health().detail;
  EXPECT_EQ(BronzeCount(), 2);  // the first poll read the slot's snapshot
  ASSERT_TRUE(Exec("INSERT INTO patient VALUES (3, 'Carla')"));
  ASSERT_TRUE(Exec("UPDATE patient SET name = 'Ana Maria' WHERE id = 1"));
  ASSERT_TRUE(Exec("DELETE FROM patient WHERE id = 2"));
  ASSERT_TRUE(Exec("BEGIN; UPDATE patient SET name = 'never' WHERE id = 3; ROLLBACK"));
  ASSERT_TRUE(Exec("UPDATE patient SET name = 'Carla C' WHERE id = 3"));
  ASSERT_TRUE(WaitFor([&] { return State().changes_applied >= 4; }));
  EXPECT_EQ(Changes(), (std::vector<std::string>{"3|Carla|false", "1|Ana Maria|false", "2|~|true",
                                                 "3|Carla C|false"}));
  EXPECT_EQ(Latest(), ServerRows());
  const CdcSourceState s = State();
  EXPECT_EQ(s.changes_applied, 4);
  EXPECT_EQ(s.errors, 0);
  EXPECT_GT(s.last_lsn, 0u);
  EXPECT_GE(s.lag_ms, 0);
  EXPECT_LT(s.lag_ms, 10'000);
  auto lsn = client_->Query("SELECT pg_current_wal_lsn() >= '" + dbsource::FormatLsn(s.last_lsn) +
                            "'::pg_lsn");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(*(*lsn)[0][0], "t");
  // The gauges, one line per source.
  const std::string metrics = CdcMetrics(*consumer_);
  EXPECT_NE(metrics.find("# TYPE carelake_cdc_retained_wal_bytes gauge"), std::string::npos);
  EXPECT_NE(metrics.find("carelake_cdc_retained_wal_bytes{source=\"pg\"} "), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("carelake_cdc_changes_applied_total{source=\"pg\"} 4\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("carelake_cdc_last_commit_lsn{source=\"pg\"} " +
                         std::to_string(s.last_lsn) + "\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("carelake_cdc_lag_seconds{source=\"pg\"} "), std::string::npos);
  EXPECT_NE(metrics.find("carelake_cdc_errors_total{source=\"pg\"} 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("carelake_cdc_up{source=\"pg\"} 1\n"), std::string::npos);
  // Idle polls commit nothing.
  const int64_t rows = BronzeCount();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(BronzeCount(), rows);
}

TEST_F(CdcConsumerTest, ARestartOnASlotBehindBronzeAppliesNothingTwice) {
  StartConsumer();
  ASSERT_TRUE(WaitFor([&] { return Ready(); })) << consumer_->health().detail;
  // A second slot from now: after the consumer applied the changes it
  // still holds them, as a kill between the bronze commit and the advance
  // leaves a slot.
  ASSERT_TRUE(Exec("SELECT pg_create_logical_replication_slot('behind', 'pgoutput')"));
  ASSERT_TRUE(Exec("INSERT INTO patient VALUES (5, 'Eva')"));
  ASSERT_TRUE(Exec("UPDATE patient SET name = 'Bruno B' WHERE id = 2"));
  ASSERT_TRUE(WaitFor([&] { return State().changes_applied >= 2; }));
  consumer_->Stop();
  const int64_t rows = BronzeCount();
  EXPECT_EQ(rows, 2 + 2);
  project::Project p = *project_->Get();
  p.database_sources[0].cdc->slot = "behind";
  p.database_sources[0].cdc->create = false;
  project_->Set(p);
  StartConsumer();
  ASSERT_TRUE(WaitFor([&] { return Ready(); })) << consumer_->health().detail;
  EXPECT_EQ(State().changes_applied, 0);
  EXPECT_EQ(BronzeCount(), rows);
  auto pending = client_->Query(
      "SELECT count(*) FROM pg_logical_slot_peek_binary_changes('behind', NULL, NULL, "
      "'proto_version', '1', 'publication_names', 'carelake_pg')");
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(*(*pending)[0][0], "0");  // advanced past what bronze holds
  // What comes after is applied, once.
  ASSERT_TRUE(Exec("DELETE FROM patient WHERE id = 5"));
  ASSERT_TRUE(WaitFor([&] { return State().changes_applied >= 1; }));
  EXPECT_EQ(BronzeCount(), rows + 1);
  EXPECT_EQ(Latest(), ServerRows());
}

TEST_F(CdcConsumerTest, AServerThatGoesAwayMakesItNotReadyUntilItIsBack) {
  StartConsumer();
  ASSERT_TRUE(WaitFor([&] { return Ready(); })) << consumer_->health().detail;
  client_.reset();
  server_->Stop();
  ASSERT_TRUE(WaitFor([&] { return !Ready(); }));
  const Health down = consumer_->health();
  EXPECT_NE(down.detail.find("pg: "), std::string::npos) << down.detail;
  ASSERT_TRUE(WaitFor([&] { return State().errors >= 2; }));  // it keeps trying
  EXPECT_NE(CdcMetrics(*consumer_).find("carelake_cdc_up{source=\"pg\"} 0\n"), std::string::npos);
  std::string why;
  ASSERT_TRUE(server_->Restart(why)) << why;
  Connect();
  ASSERT_TRUE(WaitFor([&] { return Ready(); })) << consumer_->health().detail;
  ASSERT_TRUE(Exec("INSERT INTO patient VALUES (6, 'Fatima')"));
  ASSERT_TRUE(WaitFor([&] { return State().changes_applied >= 1; }));
  EXPECT_EQ(Latest(), ServerRows());
  EXPECT_EQ(BronzeCount(), 3);
}

TEST_F(CdcConsumerTest, ARunStepAndTheConsumerTakeTurns) {
  StartConsumer();
  ASSERT_TRUE(WaitFor([&] { return Ready(); })) << consumer_->health().detail;
  const std::shared_ptr<const project::Project> p = project_->Get();
  {
    // While someone else holds the source's lock (taken between two polls),
    // nothing is written.
    auto lock = ProcessLock::Acquire(ingest::CdcLockPath(p->lake, "pg"), "test", {});
    ASSERT_TRUE(lock.ok()) << lock.status();
    ASSERT_TRUE(Exec("INSERT INTO patient VALUES (7, 'Gil')"));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    EXPECT_EQ(BronzeCount(), 2);
  }
  ASSERT_TRUE(WaitFor([&] { return State().changes_applied >= 1; }));
  // Runs' steps interleaved with the consumer: every change lands once.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Exec("UPDATE patient SET name = 'n" + std::to_string(i) + "' WHERE id = 7"));
    ingest::DatabaseIngestRequest req;
    req.source = &p->database_sources[0];
    req.project_dir = p->dir;
    req.lake = p->lake;
    req.run_id = "run-" + std::to_string(i);
    auto r = ingest::IngestDatabase(req, LocalFileSystem(), *conn_);
    ASSERT_TRUE(r.ok()) << r.status();
  }
  ASSERT_TRUE(WaitFor([&] { return BronzeCount() == 2 + 1 + 20; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(BronzeCount(), 2 + 1 + 20);
  EXPECT_EQ(Int("SELECT count(DISTINCT _lsn) FROM " + Bronze()), 1 + 20);
  EXPECT_EQ(Latest(), ServerRows());
}

}  // namespace
}  // namespace carelake::serve
