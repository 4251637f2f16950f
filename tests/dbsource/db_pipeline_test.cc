// Database sources in a project run: `sources:` entries with `connection:`
// (PostgreSQL and MariaDB servers started by the test) beside a file source,
// silver tables reading `bronze.<source>__<table>`, and what a source that
// cannot be read does to the run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../delta/lake_test.h"
#include "../mariadb_server.h"
#include "../postgres_server.h"
#include "carelake/catalog/catalog.h"
#include "carelake/dbsource/mysql_client.h"
#include "carelake/dbsource/pg_client.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

class DbPipelineTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    std::string why;
    bool missing = false;
    pg_ = testing::PostgresServer::Start(why, missing);
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(pg_, nullptr) << why;
    my_ = testing::MariaDbServer::Start(why, missing);
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(my_, nullptr) << why;
    auto pg = dbsource::PgClient::Connect(pg_->Url("postgres"), "");
    ASSERT_TRUE(pg.ok()) << pg.status();
    ASSERT_TRUE((*pg)
                    ->Exec("CREATE SCHEMA pharmacy; CREATE TABLE pharmacy.medicine (ndc text "
                           "PRIMARY KEY, name text, price numeric(8,2)); INSERT INTO "
                           "pharmacy.medicine VALUES ('0002-1433', 'Aspirin', 3.50), "
                           "('0003-0001', 'Ibuprofen', 4.00)")
                    .ok());
    auto my = dbsource::MySqlClient::Connect(my_->Url(""), "");
    ASSERT_TRUE(my.ok()) << my.status();
    ASSERT_TRUE((*my)
                    ->Exec("CREATE DATABASE ikhospital; CREATE TABLE ikhospital.patient (id INT "
                           "PRIMARY KEY, name VARCHAR(40), sex CHAR(1)); INSERT INTO "
                           "ikhospital.patient VALUES (1, 'Ana', 'F'), (2, 'Bruno', 'M'), "
                           "(3, 'Carla', 'F')")
                    .ok());
    fs::create_directories(dir_ / "landing");
    std::ofstream(dir_ / "landing" / "shift.csv") << "id,name\n1,morning\n2,night\n";
  }

  void Write(const std::string& pg_url) {
    std::ofstream(dir_ / "carelake.yaml")
        << "name: hospital\nsources:\n"
        << "  - name: postgres\n    connection: \"" << pg_url << "\"\n    schemas: [pharmacy]\n"
        << "  - name: mysql\n    connection: \"" << my_->Url("ikhospital") << "\"\n"
        << R"(  - name: shift
    format: csv
    path: landing/*.csv
silver:
  - name: medicine
    from: bronze.postgres__pharmacy__medicine
    key: ndc
  - name: patient
    from: bronze.mysql__patient
    key: id
    columns:
      - {name: id, type: INTEGER}
      - {name: name}
      - {name: female, expr: "sex = 'F'", type: BOOLEAN}
)";
  }

  Result<RunReport> Run(project::Project& p) {
    auto r = RunProject(p, {}, LocalFileSystem(), *conn_);
    if (r.ok()) {
      EXPECT_TRUE(catalog::RegisterViews(p, LocalFileSystem(), *conn_).ok());
    }
    return r;
  }

  std::unique_ptr<testing::PostgresServer> pg_;
  std::unique_ptr<testing::MariaDbServer> my_;
};

TEST_F(DbPipelineTest, SilverReadsTheTablesOfBothServers) {
  Write(pg_->Url("postgres"));
  auto p = project::LoadProject(dir_.string());
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->database_sources.size(), 2u);
  auto r = Run(*p);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->succeeded) << r->error;
  EXPECT_EQ(Int("SELECT count(*) FROM silver.medicine"), 2);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.patient WHERE female"), 2);
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.mysql__patient"), 3);
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.shift"), 2);
  // The step order put each source before the silver table that reads it.
  std::vector<std::string> order;
  for (const StepReport& s : r->steps) order.push_back(s.name);
  auto at = [&](const std::string& n) { return std::find(order.begin(), order.end(), n); };
  EXPECT_LT(at("bronze.postgres"), at("silver.medicine"));
  EXPECT_LT(at("bronze.mysql"), at("silver.patient"));
}

TEST_F(DbPipelineTest, AnUnreachableSourceFailsItsStepAndTheRestRuns) {
  Write("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2");
  auto p = project::LoadProject(dir_.string());
  ASSERT_TRUE(p.ok()) << p.status();
  auto r = Run(*p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->succeeded);
  EXPECT_EQ(r->failed_step, "bronze.postgres");
  EXPECT_NE(r->error.find("source 'postgres'"), std::string::npos) << r->error;
  std::map<std::string, ledger::StepStatus> status;
  for (const StepReport& s : r->steps) status[s.name] = s.status;
  EXPECT_EQ(status["bronze.postgres"], ledger::StepStatus::kFailed);
  EXPECT_EQ(status["bronze.mysql"], ledger::StepStatus::kCommitted);
  EXPECT_EQ(status["silver.patient"], ledger::StepStatus::kCommitted);
  EXPECT_EQ(status["bronze.shift"], ledger::StepStatus::kCommitted);
  EXPECT_FALSE(status.count("silver.medicine"));  // reads the failed source: not run
}

// `${NAME}` in a connection is filled in from the environment when the source
// connects: the project file stays the same on every machine.
TEST_F(DbPipelineTest, ConnectionsTakeEnvironmentVariables) {
  const std::string url = pg_->Url("postgres");
  const size_t host = url.find("host=") + 5, end = url.find('&', host);
  const std::string dir = url.substr(host, end - host);
  Write(url.substr(0, host) + "${CARELAKE_TEST_PG_DIR}" + url.substr(end));
  ::unsetenv("CARELAKE_TEST_PG_DIR");
  auto p = project::LoadProject(dir_.string());
  ASSERT_TRUE(p.ok()) << p.status();
  auto r = Run(*p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->failed_step, "bronze.postgres");
  EXPECT_NE(r->error.find("environment variable CARELAKE_TEST_PG_DIR is not set"),
            std::string::npos)
      << r->error;

  ::setenv("CARELAKE_TEST_PG_DIR", dir.c_str(), 1);
  r = Run(*p);
  ::unsetenv("CARELAKE_TEST_PG_DIR");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->succeeded) << r->error;
  EXPECT_EQ(Int("SELECT count(*) FROM silver.medicine"), 2);

  // A reference that is not one is an error of the project file, with its line.
  std::ofstream(dir_ / "carelake.yaml") << "name: h\nsources:\n  - name: pg\n"
                                        << "    connection: \"postgresql://u@${HOST/db\"\n";
  p = project::LoadProject(dir_.string());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("carelake.yaml:4"), std::string::npos) << p.status();
}

TEST_F(DbPipelineTest, ProjectFileErrorsNameTheLine) {
  std::ofstream(dir_ / "carelake.yaml") << "name: h\nsources:\n  - name: pg\n"
                                        << "    connection: \"postgresql://u:secret@h/db\"\n";
  auto p = project::LoadProject(dir_.string());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("carelake.yaml:4"), std::string::npos) << p.status();
  EXPECT_NE(p.status().message().find("password_env"), std::string::npos) << p.status();
  EXPECT_EQ(p.status().message().find("secret"), std::string::npos) << p.status();

  std::ofstream(dir_ / "carelake.yaml") << "name: h\nsources:\n  - name: my\n"
                                        << "    connection: \"mysql://u@h/db\"\n"
                                        << "    incremental:\n      t: {cursor: a, key: b}\n";
  p = project::LoadProject(dir_.string());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("carelake.yaml:6"), std::string::npos) << p.status();
}

TEST_F(DbPipelineTest, ContinuousCaptureKeys) {
  auto write = [&](const std::string& cdc) {
    std::ofstream(dir_ / "carelake.yaml") << "name: h\nsources:\n  - name: pg\n"
                                          << "    connection: \"postgresql://u@h/db\"\n"
                                          << "    cdc: " << cdc << "\n";
    return project::LoadProject(dir_.string());
  };
  auto p = write("true");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE(p->database_sources[0].cdc);
  EXPECT_FALSE(p->database_sources[0].cdc->continuous);
  EXPECT_EQ(p->database_sources[0].cdc->poll.count(), 500);
  p = write("{continuous: true, poll: 250ms, slot: s1}");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->database_sources[0].cdc->continuous);
  EXPECT_EQ(p->database_sources[0].cdc->poll.count(), 250);
  EXPECT_EQ(p->database_sources[0].cdc->slot, "s1");
  p = write("{continuous: true, poll: 1ms}");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("carelake.yaml:5"), std::string::npos) << p.status();
  EXPECT_NE(p.status().message().find("10ms to 1h"), std::string::npos) << p.status();
}

}  // namespace
}  // namespace carelake::pipeline
