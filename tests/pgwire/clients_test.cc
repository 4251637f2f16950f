// Real client libraries against the pgwire server, each reading the
// fixture's all-types table (values, NULLs, type OIDs) and exercising what
// it does on connect and for metadata: psycopg2, SQLAlchemy 1.4's inspector,
// pgjdbc (server-prepared statements from the 5th execution, binary
// transfer, DatabaseMetaData), node-postgres, postgres.js and psqlODBC via
// pyodbc. The checks live in tests/pgwire/clients/ and print "ok".
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "server_fixture.h"

namespace carelake::pgwire::testing {
namespace {

const std::string kClients = std::string(CARELAKE_SOURCE_DIR) + "/tests/pgwire/clients/";

bool Have(const std::string& check) {
  return std::system((check + " > /dev/null 2>&1").c_str()) == 0;
}

// Skips the test when the client is missing; fails it under CI=true, where
// scripts/bootstrap.sh installs every client.
#define REQUIRE_CLIENT(check, what)                                      \
  if (!Have(check)) {                                                    \
    if (std::getenv("CI") != nullptr) FAIL() << (what) << " is missing"; \
    GTEST_SKIP() << (what) << " is not installed";                       \
  }

class ClientsTest : public PgServerTest {
 protected:
  void ExpectOk(const CommandResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "ok\n") << r.err;
  }
  std::string Port() const { return std::to_string(server_->port()); }
};

TEST_F(ClientsTest, Psycopg2) {
  REQUIRE_CLIENT("/usr/bin/python3 -c 'import psycopg2'", "python3-psycopg2");
  StartServer();
  ExpectOk(Run({"/usr/bin/python3", kClients + "psycopg2_check.py",
                "host=127.0.0.1 port=" + Port() + " dbname=clinic user=ana password=" + kPassword +
                    " sslmode=require",
                kAllTypesQuery}));
}

TEST_F(ClientsTest, SqlAlchemyInspector) {
  REQUIRE_CLIENT("/usr/bin/python3 -c 'import sqlalchemy, psycopg2'", "python3-sqlalchemy");
  StartServer();
  ExpectOk(Run({"/usr/bin/python3", kClients + "sqlalchemy_check.py",
                "postgresql+psycopg2://ana:" + std::string(kPassword) + "@127.0.0.1:" + Port() +
                    "/clinic"}));
}

TEST_F(ClientsTest, Pgjdbc) {
  REQUIRE_CLIENT("java -version && test -f /usr/share/java/postgresql.jar",
                 "Java 17 and libpostgresql-jdbc-java");
  StartServer();
  ExpectOk(Run({"java", "-cp", "/usr/share/java/postgresql.jar", kClients + "JdbcCheck.java",
                Port(), kPassword, kAllTypesQuery}));
}

TEST_F(ClientsTest, NodePostgres) {
  REQUIRE_CLIENT("test -d " + std::string(CARELAKE_SOURCE_DIR) + "/node_modules/pg",
                 "npm package pg (npm ci)");
  StartServer();
  ExpectOk(Run({"node", kClients + "node_pg_check.js", Port(), kPassword, kAllTypesQuery}));
}

TEST_F(ClientsTest, PostgresJs) {
  REQUIRE_CLIENT("test -d " + std::string(CARELAKE_SOURCE_DIR) + "/node_modules/postgres",
                 "npm package postgres (npm ci)");
  StartServer();
  ExpectOk(Run({"node", kClients + "postgresjs_check.mjs", Port(), kPassword, kAllTypesQuery}));
}

TEST_F(ClientsTest, PsqlOdbc) {
  REQUIRE_CLIENT("/usr/bin/python3 -c 'import pyodbc' && odbcinst -q -d -n 'PostgreSQL Unicode'",
                 "odbc-postgresql, unixodbc and python3-pyodbc");
  StartServer();
  ExpectOk(
      Run({"/usr/bin/python3", kClients + "odbc_check.py", Port(), kPassword, kAllTypesQuery}));
}

}  // namespace
}  // namespace carelake::pgwire::testing
