// The client-query corpora through the wire: every file of
// ../shared/testdata/pgwire-client-queries/ and of tests/pgwire/clients/
// (psql, JDBC, SQLAlchemy, psqlODBC) sent by libpq to the real server — the
// simple protocol as one Query message (Npgsql's batch included), the
// extended one with its parameters in Bind — and checked by the same
// checker as the in-process corpus test (corpus.h).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "../shared_data.h"
#include "carelake/pgwire/pg_types.h"
#include "corpus.h"
#include "pg_test_session.h"
#include "server_fixture.h"

namespace carelake::pgwire::testing {
namespace {

class CorpusWireTest : public PgServerTest {
 protected:
  void WriteProject() override {
    std::ofstream(dir_ / "carelake.yaml") << kCorpusProject;
    std::ofstream(dir_ / "landing" / "a.csv") << kCorpusRows;
    std::ofstream(dir_ / "models" / "by_flag.sql") << kCorpusModel;
  }

  void SetUp() override {
    PgServerTest::SetUp();
    StartServer();
    const std::string dsn = Dsn() + " password=" + kPassword;
    conn_ = PQconnectdb(dsn.c_str());
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  void TearDown() override {
    if (conn_ != nullptr) PQfinish(conn_);
    PgServerTest::TearDown();
  }

  static uint32_t OidOf(const std::string& type) {
    for (const PgTypeInfo& t : BuiltinTypes()) {
      if (t.name == type) return t.oid;
    }
    return 0;  // let the server infer it
  }

  Result<std::vector<corpus::StatementResult>> RunFile(const corpus::CorpusFile& file) {
    const std::string sql = corpus::Substitute(file.sql, vars_);
    if (file.protocol == "extended") {
      std::vector<std::string> values;
      std::vector<Oid> types;
      for (const corpus::Param& p : file.params) {
        values.push_back(corpus::Substitute(p.value, vars_));
        types.push_back(OidOf(p.type));
      }
      std::vector<const char*> pointers;
      for (const std::string& v : values) pointers.push_back(v.c_str());
      if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), types.data(),
                            pointers.data(), nullptr, nullptr, 0) != 1) {
        return Unavailable(PQerrorMessage(conn_));
      }
    } else if (PQsendQuery(conn_, sql.c_str()) != 1) {
      return Unavailable(PQerrorMessage(conn_));
    }
    std::vector<corpus::StatementResult> out;
    std::string error;
    while (PGresult* r = PQgetResult(conn_)) {
      const ExecStatusType status = PQresultStatus(r);
      if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        corpus::StatementResult result;
        for (int c = 0; c < PQnfields(r); ++c) result.columns.emplace_back(PQfname(r, c));
        for (int row = 0; row < PQntuples(r); ++row) {
          std::vector<corpus::Cell> cells;
          for (int c = 0; c < PQnfields(r); ++c) {
            cells.push_back(PQgetisnull(r, row, c) ? corpus::Cell()
                                                   : corpus::Cell(PQgetvalue(r, row, c)));
          }
          result.rows.push_back(std::move(cells));
        }
        result.tag = PQcmdStatus(r);
        out.push_back(std::move(result));
      } else if (status != PGRES_EMPTY_QUERY) {
        error = PQresultErrorMessage(r);
      }
      PQclear(r);
    }
    if (!error.empty()) return InvalidArgument(error);
    return out;
  }

  void RunAll(const std::string& dir) {
    auto files = corpus::LoadCorpus(dir);
    ASSERT_TRUE(files.ok()) << files.status();
    ASSERT_GE(files->size(), 30u);
    for (const corpus::CorpusFile& file : *files) {
      Result<std::vector<corpus::StatementResult>> results = RunFile(file);
      if (!results.ok()) {
        ADD_FAILURE() << file.name << ": " << results.status().message();
        continue;
      }
      for (const std::string& e : corpus::Check(file, *results, vars_)) {
        ADD_FAILURE() << file.name << ": " << e;
      }
      Status saved = corpus::ApplySaves(file, *results, vars_);
      if (!saved.ok()) ADD_FAILURE() << file.name << ": " << saved;
    }
  }

  PGconn* conn_ = nullptr;
  corpus::Vars vars_ = {
      {"DB", "clinic"}, {"USER", "ana"}, {"SCHEMA", "silver"}, {"TABLE", "visits"}};
};

TEST_F(CorpusWireTest, TheSharedCorporaThroughTheWire) {
  CARELAKE_REQUIRE_SHARED_DATA("testdata/pgwire-client-queries");
  RunAll(testing_shared::SharedDir() + "/testdata/pgwire-client-queries");
}

TEST_F(CorpusWireTest, CapturedClientQueriesThroughTheWire) { RunAll(CARELAKE_PGWIRE_CLIENTS_DIR); }

}  // namespace
}  // namespace carelake::pgwire::testing
