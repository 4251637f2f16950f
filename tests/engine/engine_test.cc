#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stop_token>
#include <thread>

#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/engine/interrupter.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/engine/temp_tables.h"

namespace carelake::engine {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::OpenInMemory();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto conn = Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_.emplace(std::move(*conn));
  }

  // Runs `sql` and returns its rows; fails the test on error.
  std::vector<std::vector<Value>> Rows(std::string_view sql) {
    auto result = conn_->Query(sql);
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return {};
    auto rows = result->FetchAllRows();
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<std::vector<Value>>{};
  }

  std::unique_ptr<Database> db_;
  std::optional<Connection> conn_;
};

TEST_F(EngineTest, QueryReturnsNamedTypedColumns) {
  auto result = conn_->Query("SELECT 42 AS answer, 'hello' AS greeting, NULL::DOUBLE AS nothing");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->kind(), ResultKind::kRows);
  ASSERT_EQ(result->column_count(), 3u);
  EXPECT_EQ(result->column_name(0), "answer");
  EXPECT_EQ(result->column_type(0).id, TypeId::kInteger);
  EXPECT_EQ(result->column_type(1).id, TypeId::kVarchar);
  EXPECT_EQ(result->column_type(2).id, TypeId::kDouble);
  auto rows = result->FetchAllRows();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0].GetInt64(), 42);
  EXPECT_EQ((*rows)[0][1].GetString(), "hello");
  EXPECT_TRUE((*rows)[0][2].is_null());
}

TEST_F(EngineTest, ExecuteRunsSeveralStatements) {
  ASSERT_TRUE(conn_->Execute("CREATE TABLE t(a INT); INSERT INTO t VALUES (1), (2), (3);").ok());
  auto rows = Rows("SELECT sum(a) FROM t");
  EXPECT_EQ(rows[0][0].GetInt128(), 6);
  auto dml = conn_->Query("DELETE FROM t WHERE a > 1");
  ASSERT_TRUE(dml.ok());
  EXPECT_EQ(dml->kind(), ResultKind::kRowsChanged);
  EXPECT_EQ(dml->rows_changed(), 2);
}

TEST_F(EngineTest, BindsParametersByPosition) {
  auto r = conn_->Query("SELECT $1::INTEGER + $2::INTEGER, upper($3), $4 IS NULL", 40, 2, "zoë",
                        Value());
  ASSERT_TRUE(r.ok()) << r.status();
  auto rows = r->FetchAllRows();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0].GetInt64(), 42);
  EXPECT_EQ((*rows)[0][1].GetString(), "ZOË");
  EXPECT_TRUE((*rows)[0][2].GetBool());
}

TEST_F(EngineTest, JsonColumnsKeepTheirAlias) {
  auto r = conn_->Query("SELECT '{}'::JSON AS j, 'x' AS v");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->column_type(0).id, TypeId::kVarchar);
  EXPECT_EQ(r->column_type(0).alias, "JSON");
  EXPECT_EQ(r->column_type(1).alias, "");
  EXPECT_EQ(r->column_type(0), r->column_type(1));  // the alias is not part of ==
}

TEST_F(EngineTest, BindsListsAndReadsTheirElements) {
  LogicalType list = LogicalType::Of(TypeId::kList);
  list.children.push_back(LogicalType::Of(TypeId::kBigInt));
  const Value param = Value::Nested(
      list, {Value::BigInt(1), Value::Null(LogicalType::Of(TypeId::kBigInt)), Value::BigInt(3)});
  auto r = conn_->Query("SELECT $1::BIGINT[] AS l", param);
  ASSERT_TRUE(r.ok()) << r.status();
  auto chunk = r->Fetch();
  ASSERT_TRUE(chunk.ok() && chunk->has_value());
  const ColumnView col = (*chunk)->column(0);
  const ColumnView::ListEntry e = col.GetListEntry(0);
  ASSERT_EQ(e.length, 3u);
  const ColumnView elements = col.ListChild();
  EXPECT_EQ(elements.Get<int64_t>(e.offset), 1);
  EXPECT_TRUE(elements.IsNull(e.offset + 1));
  EXPECT_EQ(elements.Get<int64_t>(e.offset + 2), 3);
}

TEST_F(EngineTest, PreparedStatementRebindsAndReruns) {
  ASSERT_TRUE(conn_->Execute("CREATE TABLE p(id INT, name VARCHAR)").ok());
  auto insert = conn_->Prepare("INSERT INTO p VALUES ($1, $2)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  EXPECT_EQ(insert->parameter_count(), 2u);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(insert->Bind(1, i).ok());
    ASSERT_TRUE(insert->Bind(2, "n" + std::to_string(i)).ok());
    ASSERT_TRUE(insert->Execute().ok());
  }
  EXPECT_EQ(Rows("SELECT count(*), sum(id) FROM p")[0][1].GetInt128(), 4950);
  Status out_of_range = insert->Bind(3, 1);
  EXPECT_EQ(out_of_range.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out_of_range.message().find("$3"), std::string::npos);
}

TEST_F(EngineTest, StreamsLargeResultsChunkByChunk) {
  auto r = conn_->Stream("SELECT range AS i FROM range(1000000)");
  ASSERT_TRUE(r.ok()) << r.status();
  int64_t sum = 0;
  size_t rows = 0;
  size_t chunks = 0;
  while (true) {
    auto chunk = r->Fetch();
    ASSERT_TRUE(chunk.ok()) << chunk.status();
    if (!chunk->has_value()) break;
    ++chunks;
    ColumnView col = (*chunk)->column(0);
    for (size_t i = 0; i < (*chunk)->size(); ++i) sum += col.Get<int64_t>(i);
    rows += (*chunk)->size();
  }
  EXPECT_EQ(rows, 1000000u);
  EXPECT_EQ(sum, 999999LL * 1000000 / 2);
  EXPECT_GT(chunks, 100u);  // 2048-row vectors, not one materialized block
}

TEST_F(EngineTest, BadSqlIsAnInvalidArgumentWithDuckDbsMessage) {
  auto r = conn_->Query("SELEC 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("syntax error"), std::string::npos) << r.status();

  auto missing = conn_->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("no_such_table"), std::string::npos);

  auto prepared = conn_->Prepare("SELECT * FROM nowhere WHERE x = $1");
  ASSERT_FALSE(prepared.ok());
  EXPECT_NE(prepared.status().message().find("nowhere"), std::string::npos);
}

TEST_F(EngineTest, ConstraintViolationIsAFailedPrecondition) {
  ASSERT_TRUE(conn_->Execute("CREATE TABLE k(id INT PRIMARY KEY, v VARCHAR NOT NULL)").ok());
  ASSERT_TRUE(conn_->Execute("INSERT INTO k VALUES (1, 'a')").ok());
  Status dup = conn_->Execute("INSERT INTO k VALUES (1, 'b')");
  EXPECT_EQ(dup.code(), StatusCode::kFailedPrecondition) << dup;
  EXPECT_NE(dup.message().find("Duplicate key"), std::string::npos) << dup;
  Status null = conn_->Execute("INSERT INTO k VALUES (2, NULL)");
  EXPECT_EQ(null.code(), StatusCode::kFailedPrecondition) << null;
  // The failed statements left the table as it was.
  EXPECT_EQ(Rows("SELECT count(*) FROM k")[0][0].GetInt64(), 1);
}

TEST_F(EngineTest, StreamingErrorsSurfaceOnFetch) {
  auto r = conn_->Stream(
      "SELECT CASE WHEN i < 5000 THEN i ELSE error('boom at ' || i) END "
      "FROM range(10000) t(i)");
  Status status = r.status();
  while (status.ok()) {
    auto chunk = r->Fetch();
    status = chunk.status();
    if (status.ok() && !chunk->has_value()) break;
  }
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("boom at"), std::string::npos) << status;
}

TEST_F(EngineTest, ExecuteScriptRunsStatementsInOrder) {
  std::vector<int64_t> counts;
  Status s = conn_->ExecuteScript(
      "CREATE TABLE s(a INT); INSERT INTO s VALUES (1),(2); SELECT count(*) FROM s; "
      "INSERT INTO s VALUES (3); SELECT count(*) FROM s;",
      [&](QueryResult& r) -> Status {
        if (r.kind() != ResultKind::kRows) return Status::Ok();
        CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
        counts.push_back(rows[0][0].GetInt64());
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(counts, (std::vector<int64_t>{2, 3}));

  Status bad =
      conn_->ExecuteScript("SELECT 1; SELEC 2;", [](QueryResult&) { return Status::Ok(); });
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, ConnectionsOnSeveralThreadsShareTheDatabase) {
  ASSERT_TRUE(conn_->Execute("CREATE TABLE shared(t INT, i INT)").ok());
  std::vector<std::thread> threads;
  std::vector<Status> statuses(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t, &statuses] {
      auto conn = Connection::Open(*db_);
      if (!conn.ok()) {
        statuses[t] = conn.status();
        return;
      }
      for (int i = 0; i < 50 && statuses[t].ok(); ++i) {
        statuses[t] = conn->Query("INSERT INTO shared VALUES ($1, $2)", t, i).status();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& s : statuses) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Rows("SELECT count(*) FROM shared")[0][0].GetInt64(), 200);
}

TEST_F(EngineTest, ALakeConnectionIsInUtc) {
  ASSERT_TRUE(conn_->Execute("SET TimeZone = 'America/New_York'").ok());
  for (int i = 0; i < 2; ++i) {
    auto lake = i == 0 ? OpenLakeConnection(*db_) : OpenLakeConnection(*conn_);
    ASSERT_TRUE(lake.ok()) << lake.status();
    auto r = lake->Query(
        "SELECT current_setting('TimeZone'), TIMESTAMPTZ '2024-01-01 00:00:00+00'::VARCHAR");
    ASSERT_TRUE(r.ok()) << r.status();
    auto rows = r->FetchAllRows();
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ((*rows)[0][0].GetString(), "UTC");
    EXPECT_EQ((*rows)[0][1].GetString(), "2024-01-01 00:00:00+00");
  }
}

TEST_F(EngineTest, TempTablesHaveUniqueNamesAndGoWithTheirGuard) {
  std::string a, b;
  {
    TempTables temps(*conn_);
    auto made = temps.Create("rows", "SELECT 1 AS x");
    ASSERT_TRUE(made.ok()) << made.status();
    a = *made;
    TempTables other(*conn_);
    auto also = other.Create("rows", "SELECT 2 AS x");
    ASSERT_TRUE(also.ok()) << also.status();
    b = *also;
    EXPECT_NE(a, b);
    EXPECT_EQ(Rows("SELECT x FROM " + a)[0][0].GetInt64(), 1);
  }
  // Both dropped with their guards.
  auto rows =
      Rows("SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('" + a + "', '" + b + "')");
  EXPECT_EQ(rows[0][0].GetInt64(), 0);
}

TEST_F(EngineTest, AStopRequestInterruptsEveryConnectionsQuery) {
  auto other = OpenLakeConnection(*db_);
  ASSERT_TRUE(other.ok());
  std::stop_source stop;
  Interrupter interrupter({&*conn_, &*other}, stop.get_token());
  const char* kLong = "SELECT count(*) FROM range(100000000000) a(i) WHERE i % 7 = 3";
  Status on_other;
  std::thread t([&] { on_other = other->Execute(kLong); });
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  Status here = conn_->Execute(kLong);
  t.join();
  stopper.join();
  EXPECT_EQ(here.code(), StatusCode::kCancelled) << here;
  EXPECT_EQ(on_other.code(), StatusCode::kCancelled) << on_other;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  // A query started after the request is interrupted too (within 50 ms).
  EXPECT_EQ(conn_->Execute(kLong).code(), StatusCode::kCancelled);
}

TEST_F(EngineTest, AnInterrupterWithoutAStopSourceDoesNothing) {
  Interrupter interrupter(*conn_, std::stop_token());
  EXPECT_EQ(Rows("SELECT 41 + 1")[0][0].GetInt64(), 42);
}

TEST(DatabaseTest, UnknownOptionIsRejectedByName) {
  DatabaseOptions options;
  options.config = {{"no_such_option_xyz", "1"}};
  auto db = Database::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("no_such_option_xyz"), std::string::npos);
}

TEST(DatabaseTest, FileDatabasePersistsAcrossOpens) {
  const std::string path =
      ::testing::TempDir() + "/engine_test_" + std::to_string(::getpid()) + ".duckdb";
  std::remove(path.c_str());
  {
    auto db = Database::Open(DatabaseOptions{path, {{"threads", "2"}}});
    ASSERT_TRUE(db.ok()) << db.status();
    auto conn = Connection::Open(**db);
    ASSERT_TRUE(conn->Execute("CREATE TABLE kept AS SELECT 7 AS x").ok());
  }
  {
    auto db = Database::Open(DatabaseOptions{path, {}});
    ASSERT_TRUE(db.ok()) << db.status();
    auto conn = Connection::Open(**db);
    auto r = conn->Query("SELECT x FROM kept");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ((*r->FetchAllRows())[0][0].GetInt64(), 7);
  }
  std::remove(path.c_str());
  std::remove((path + ".wal").c_str());
}

TEST(DatabaseTest, ReportsDuckDbVersion) {
  EXPECT_TRUE(::testing::internal::RE::FullMatch(
      DuckDbVersion(), ::testing::internal::RE("v[0-9]+\\.[0-9]+\\.[0-9]+.*")))
      << DuckDbVersion();
}

}  // namespace
}  // namespace carelake::engine

namespace carelake::engine {
namespace {

// SQL that is not ours reaches only the allowed folder, cannot reopen the
// file system, and keeps its temporary objects.
TEST(LockedDownDatabaseTest, ReachesOnlyTheAllowedFolderAndStaysLocked) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("carelake_locked_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "lake");
  {
    auto writer = Database::OpenInMemory();
    ASSERT_TRUE(writer.ok());
    auto w = Connection::Open(**writer);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(
        w->Execute("COPY (SELECT 42 AS answer) TO '" + (dir / "lake" / "t.parquet").string() + "'")
            .ok());
    std::ofstream(dir / "secret.csv") << "a\n1\n";
  }
  auto db = Database::OpenLockedDown({(dir / "lake").string()});
  ASSERT_TRUE(db.ok()) << db.status();
  auto conn = Connection::Open(**db);
  ASSERT_TRUE(conn.ok());
  // The lake's files: readable.
  auto answer = QueryInt(
      *conn, "SELECT answer FROM read_parquet('" + (dir / "lake" / "t.parquet").string() + "')");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(*answer, 42);
  // Anything else: refused.
  for (const std::string& sql :
       {std::string("SELECT * FROM read_csv('/etc/passwd')"),
        "SELECT * FROM read_csv('" + (dir / "secret.csv").string() + "')",
        "SELECT * FROM read_csv('" + (dir / "lake" / ".." / "secret.csv").string() + "')",
        std::string("SELECT * FROM glob('/etc/*')"),
        "COPY (SELECT 1) TO '" + (dir / "out.csv").string() + "'",
        "ATTACH '" + (dir / "other.duckdb").string() + "'"}) {
    Status st = conn->Execute(sql);
    EXPECT_EQ(st.code(), StatusCode::kPermissionDenied) << sql << ": " << st;
  }
  for (const char* sql :
       {"SET enable_external_access = true", "SET allowed_directories = ['/']",
        "SET lock_configuration = false", "SET autoload_known_extensions = true"}) {
    Status st = conn->Execute(sql);
    EXPECT_FALSE(st.ok()) << sql;
    EXPECT_NE(st.message().find("locked"), std::string::npos) << sql << ": " << st;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out.csv"));
  // A session's own temporary objects work (BI tools create them).
  EXPECT_TRUE(conn->Execute("CREATE TEMP TABLE t AS SELECT 1 AS x; CREATE TEMP VIEW v AS "
                            "SELECT x + 1 AS y FROM t")
                  .ok());
  EXPECT_EQ(*QueryInt(*conn, "SELECT y FROM v"), 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace carelake::engine
