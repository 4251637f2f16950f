// The pgwire server driven by a real client, psql 15: TLS with channel
// binding, logins and their PostgreSQL errors, queries, \copy, transactions,
// settings, statement_timeout, cancel (psql sends a CancelRequest on
// SIGINT), the connection limit, and the refusals that keep a session
// inside the catalog.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "server_fixture.h"

namespace carelake::pgwire::testing {
namespace {

bool HavePsql() { return std::system("psql --version > /dev/null 2>&1") == 0; }

class PsqlTest : public PgServerTest {
 protected:
  void SetUp() override {
    if (!HavePsql()) {
      if (std::getenv("CI") != nullptr)
        FAIL() << "psql is missing (scripts/bootstrap.sh installs it)";
      GTEST_SKIP() << "psql is not installed (Debian package postgresql-client-15)";
    }
    PgServerTest::SetUp();
  }
};

TEST_F(PsqlTest, QueriesOverTlsWithChannelBinding) {
  StartServer();
  CommandResult r = Psql("SELECT patient, amount FROM silver.visits ORDER BY visit_id;",
                         "sslmode=require channel_binding=require");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ana|10.50\nbo|\n");
  // gold first on the search path, then silver: unqualified names resolve;
  // SET search_path changes that.
  r = Psql(
      "SELECT count(*) FROM visits;\nSELECT current_schema();\n"
      "SET search_path = bronze;\nSELECT current_schema();\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2\ngold\nbronze\n");
}

TEST_F(PsqlTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  StartServer();
  CommandResult wrong = Psql("SELECT 1;", "sslmode=disable", "not-the-password");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("FATAL:  password authentication failed for user \"ana\""),
            std::string::npos)
      << wrong.err;
  CommandResult unknown = Psql("SELECT 1;", "sslmode=disable user=mallory");
  EXPECT_NE(unknown.err.find("FATAL:  password authentication failed for user \"mallory\""),
            std::string::npos)
      << unknown.err;
  CommandResult db = Psql("SELECT 1;", "sslmode=disable dbname=hospital");
  EXPECT_NE(db.err.find("FATAL:  database \"hospital\" does not exist"), std::string::npos)
      << db.err;
}

TEST_F(PsqlTest, CopyToStdoutInTextAndCsv) {
  StartServer();
  CommandResult r = Psql(
      "\\copy (SELECT visit_id, patient FROM silver.visits ORDER BY 1) TO STDOUT WITH CSV HEADER\n"
      "\\copy (SELECT visit_id, amount FROM silver.visits ORDER BY 1) TO STDOUT\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "visit_id,patient\n1,ana\n2,bo\n1\t10.50\n2\t\\N\n");
}

TEST_F(PsqlTest, AnErrorInATransactionAbortsItUntilRollback) {
  StartServer();
  CommandResult r = Psql(
      "\\set ON_ERROR_STOP 0\n\\set VERBOSITY verbose\n"
      "BEGIN;\nSELECT count(*) FROM silver.visits;\nSELECT nope FROM silver.visits;\n"
      "SELECT 1;\nROLLBACK;\nSELECT 2;\n");
  EXPECT_EQ(r.out, "2\n2\n");
  EXPECT_NE(r.err.find("ERROR:  42703"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ERROR:  25P02: current transaction is aborted, commands ignored until end "
                       "of transaction block"),
            std::string::npos)
      << r.err;
}

TEST_F(PsqlTest, SettingsAreSetShownAndChecked) {
  StartServer();
  CommandResult r = Psql(
      "\\set ON_ERROR_STOP 0\n\\set VERBOSITY verbose\n"
      "SET application_name = 'dashboards';\nSHOW application_name;\n"
      "SET statement_timeout TO '5s';\nSHOW statement_timeout;\n"
      "SHOW TimeZone;\nSHOW server_version_num;\nSHOW transaction isolation level;\n"
      "SET no_such_setting = 1;\nSET enable_external_access = true;\n"
      "RESET application_name;\nSHOW application_name;\n");
  EXPECT_EQ(r.out, "dashboards\n5s\nUTC\n150010\nread committed\n\n");
  EXPECT_NE(r.err.find("42704: unrecognized configuration parameter \"no_such_setting\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("42501: permission denied to set parameter \"enable_external_access\""),
            std::string::npos)
      << r.err;
}

TEST_F(PsqlTest, StartupOptionsAreApplied) {
  StartServer();
  CommandResult r =
      Psql("SHOW statement_timeout;\nSHOW application_name;\n", "sslmode=disable", kPassword, true,
           "PGOPTIONS='-c statement_timeout=7s --application-name=x\\ y' ");
  EXPECT_EQ(r.out, "7s\nx y\n") << r.err;
}

TEST_F(PsqlTest, StatementTimeoutInterruptsAndTheSessionGoesOn) {
  StartServer();
  const auto start = std::chrono::steady_clock::now();
  CommandResult r = Psql(
      "\\set ON_ERROR_STOP 0\n\\set VERBOSITY verbose\nSET statement_timeout = 300;\n"
      "SELECT count(*) FROM range(1000000000000) a;\nSELECT 42;\n");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_NE(r.err.find("57014: canceling statement due to statement timeout"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "42\n");
  EXPECT_LT(took, std::chrono::seconds(20));
}

TEST_F(PsqlTest, SigintMakesPsqlCancelTheRunningStatement) {
  StartServer();
  const auto start = std::chrono::steady_clock::now();
  // psql sends a CancelRequest on each SIGINT; one that arrives before the
  // statement starts does nothing (as in PostgreSQL), so SIGINT comes every
  // second until psql is done.
  const std::string sql = (dir_ / "long.sql").string();
  std::ofstream(sql) << "SELECT count(*) FROM range(1000000000000) a;\n";
  CommandResult r = Run(
      {"bash", "-c",
       "PGPASSWORD='" + std::string(kPassword) + "' psql -X -q -At \"" + Dsn() + "\" -f " + sql +
           " & pid=$!; for i in $(seq 30); do sleep 1; kill -INT $pid 2>/dev/null || break; "
           "done; wait $pid"});
  EXPECT_NE(r.err.find("canceling statement due to user request"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(PsqlTest, PastTheConnectionLimitClientsGet53300) {
  ServerOptions options;
  options.max_connections = 1;
  StartServer(options);
  std::thread holder([&] { Psql("SELECT 1;\n\\! sleep 3\n"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CommandResult r = Psql("SELECT 1;");
  holder.join();
  EXPECT_NE(r.err.find("sorry, too many clients already"), std::string::npos) << r.err;
  r = Psql("SELECT 1;");  // the slot is free again
  EXPECT_EQ(r.out, "1\n") << r.err;
}

TEST_F(PsqlTest, ASessionReachesTheLakeOnlyThroughTheCatalog) {
  StartServer();
  const std::string lake_file = project_->lake + "/silver/visits";
  const std::string users = auth::UserStore::PathFor(project_->lake);
  CommandResult r = Psql(
      "\\set ON_ERROR_STOP 0\n\\set VERBOSITY verbose\n"
      "SELECT * FROM read_csv('/etc/passwd');\n"
      "SELECT count(*) FROM read_parquet('" +
      lake_file +
      "/*.parquet');\n"
      "SELECT count(*) FROM '" +
      lake_file +
      "/part-0.parquet';\n"
      "SELECT * FROM \"glob\"('/etc/*');\n"
      // The lake's own files that are not tables (the users' verifiers).
      "SELECT * FROM read_text/**/('" +
      users +
      "');\n"
      "SELECT * FROM \"" +
      users +
      "\";\n"
      "SELECT * FROM $$" +
      users +
      "$$;\n"
      "COPY (SELECT 1) TO '/tmp/carelake_pg_should_not_exist.csv';\n"
      "ATTACH '/tmp/carelake_pg_should_not_exist.db' AS x;\n"
      "INSTALL httpfs;\nLOAD httpfs;\n"
      "INSERT INTO silver.visits (visit_id) VALUES (3);\n"
      "CREATE TEMP TABLE picked AS SELECT visit_id FROM silver.visits WHERE visit_id = 2;\n"
      "SELECT visit_id FROM picked;\n"
      // A pooler's DISCARD ALL leaves nothing for the next user of the connection.
      "CREATE TEMP VIEW also AS SELECT 1;\nDISCARD ALL;\nSELECT * FROM picked;\n"
      "SELECT * FROM also;\n");
  EXPECT_EQ(r.out, "2\n") << r.err;
  EXPECT_EQ(r.err.find("ERROR:  XX000"), std::string::npos) << r.err;
  size_t refused = 0, gone = 0;
  for (size_t at = r.err.find("ERROR:  "); at != std::string::npos;
       at = r.err.find("ERROR:  ", at + 1)) {
    const std::string code = r.err.substr(at + 8, 5);
    EXPECT_TRUE(code == "42501" || code == "25006" || code == "42P01") << r.err.substr(at, 200);
    (code == "42P01" ? gone : refused) += 1;
  }
  EXPECT_EQ(refused, 12u) << r.err;
  EXPECT_EQ(gone, 2u) << r.err;  // the temporary table and view after DISCARD ALL
  EXPECT_NE(r.err.find("ERROR:  42P01: Table with name picked does not exist"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("SCRAM-SHA-256$"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists("/tmp/carelake_pg_should_not_exist.csv"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/carelake_pg_should_not_exist.db"));
}

}  // namespace
}  // namespace carelake::pgwire::testing
