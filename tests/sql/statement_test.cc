// The parser-based reference finder: tables a statement reads, as DuckDB's
// own parser sees them.
#include "carelake/sql/statement.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "carelake/engine/database.h"

namespace carelake::sql {
namespace {

class StatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::OpenInMemory();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto conn = engine::Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_.emplace(std::move(*conn));
  }

  // "schema.name" of every table read, in order; "new_rows:" marks calls.
  std::vector<std::string> Tables(const std::string& sql) {
    auto s = Parse(*conn_, sql);
    EXPECT_TRUE(s.ok()) << s.status();
    std::vector<std::string> out;
    if (!s.ok()) return out;
    for (const TableRef& t : s->tables)
      out.push_back((t.new_rows ? "new_rows:" : "") + t.Qualified());
    return out;
  }

  std::string Normalized(const std::string& sql) {
    auto s = Parse(*conn_, sql);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? s->normalized : "";
  }

  std::unique_ptr<engine::Database> db_;
  std::optional<engine::Connection> conn_;
};

using Names = std::vector<std::string>;

TEST_F(StatementTest, QuotedIdentifiersAreTheSameTable) {
  EXPECT_EQ(Tables(R"(SELECT count(*) AS n FROM "silver"."items")"), Names{"silver.items"});
  EXPECT_EQ(Tables(R"(SELECT * FROM silver."items" JOIN "gold".dim d USING (id))"),
            (Names{"silver.items", "gold.dim"}));
}

TEST_F(StatementTest, AnAliasNamedLikeALayerIsNotATable) {
  // `gold.id` is a column of the alias `gold`, not the table gold.id.
  EXPECT_EQ(Tables("SELECT gold.id FROM silver.items AS gold"), Names{"silver.items"});
  auto s = Parse(*conn_, "SELECT gold.id FROM silver.items AS gold");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->tables[0].alias, "gold");
}

TEST_F(StatementTest, CommonTableExpressionsShadowTables) {
  EXPECT_EQ(Tables("WITH items AS (SELECT * FROM silver.items) SELECT * FROM items"),
            Names{"silver.items"});
  // Recursive CTEs read themselves; nested scopes end with their query.
  EXPECT_EQ(Tables("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) "
                   "SELECT * FROM t, (WITH u AS (SELECT 1) SELECT * FROM u) x, u"),
            Names{"u"});
}

TEST_F(StatementTest, SchemaLessReferencesAreReportedUnqualified) {
  auto s = Parse(*conn_, "SELECT * FROM items");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->tables.size(), 1u);
  EXPECT_EQ(s->tables[0].schema, "");
  EXPECT_EQ(s->tables[0].name, "items");
}

TEST_F(StatementTest, CommentsAndStringsHoldNoReferences) {
  EXPECT_EQ(Tables("-- FROM silver.old\nSELECT 'FROM gold.x' AS s /* JOIN bronze.y */ FROM "
                   "silver.items"),
            Names{"silver.items"});
}

TEST_F(StatementTest, SubqueriesJoinsAndSetOperationsAreFollowed) {
  EXPECT_EQ(Tables("SELECT * FROM gold.a WHERE id IN (SELECT id FROM silver.b) AND EXISTS "
                   "(SELECT 1 FROM bronze.c) UNION ALL SELECT * FROM gold.d"),
            (Names{"gold.a", "silver.b", "bronze.c", "gold.d"}));
}

TEST_F(StatementTest, NewRowsCallsSpanTheWholeCall) {
  const std::string sql = "SELECT * FROM new_rows( \"silver\".items ) n JOIN gold.d USING (id)";
  auto s = Parse(*conn_, sql);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->tables.size(), 2u);
  EXPECT_TRUE(s->tables[0].new_rows);
  EXPECT_EQ(s->tables[0].Qualified(), "silver.items");
  EXPECT_EQ(sql.substr(s->tables[0].begin, s->tables[0].end - s->tables[0].begin),
            "new_rows( \"silver\".items )");
  EXPECT_EQ(sql.substr(s->tables[1].begin, s->tables[1].end - s->tables[1].begin), "gold.d");
}

TEST_F(StatementTest, NormalizedFormIgnoresWhitespaceCommentsAndQuoting) {
  const std::string a = Normalized("SELECT a, b FROM silver.items WHERE a > 1");
  EXPECT_EQ(a, Normalized("select a,\n  b -- the b\nFROM \"silver\".\"items\"  WHERE a>1;"));
  EXPECT_NE(a, Normalized("SELECT a, b, c FROM silver.items WHERE a > 1"));
  EXPECT_NE(a, Normalized("SELECT a, b FROM silver.items WHERE a > 2"));
}

TEST_F(StatementTest, SyntaxErrorsCarryTheirOffset) {
  const std::string sql = "SELECT a\nFORM silver.items";
  SyntaxError e;
  auto s = Parse(*conn_, sql, &e);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(e.message.find("syntax error"), std::string::npos) << e.message;
  EXPECT_EQ(sql.substr(e.offset, 6), "silver");
  EXPECT_FALSE(Parse(*conn_, "CREATE TABLE x (a INT)").ok());
}

TEST(PointAt, NamesFileLineColumnAndShowsTheLine) {
  const std::string text = "SELECT a\n  FROM t WHERE zz > 1\n";
  EXPECT_EQ(PointAt("models/x.sql", text, text.find("zz"), "no column zz"),
            "models/x.sql:2:16: no column zz\n    FROM t WHERE zz > 1\n                 ^");
  EXPECT_EQ(LocateOffset(text, 0).line, 1);
  EXPECT_EQ(LocateOffset(text, 0).column, 1);
}

TEST_F(StatementTest, ErrorOffsetPlacesDuckDBsCaret) {
  // A binder error of DuckDB's own, on a long line that it cuts with "...".
  std::string query = "SELECT 1 AS a,\n  ";
  for (int i = 0; i < 20; ++i)
    query += "'filler " + std::to_string(i) + "' AS f" + std::to_string(i) + ", ";
  query += "nope + 1 AS b, 'tail tail tail tail tail tail tail tail tail tail tail tail' AS t";
  const Status st = conn_->Execute(query);
  ASSERT_FALSE(st.ok());
  const size_t at = ErrorOffset(st.message(), query);
  ASSERT_NE(at, std::string::npos) << st.message();
  EXPECT_EQ(query.substr(at, 4), "nope") << st.message();
  EXPECT_EQ(WithoutErrorContext(st.message()).find("LINE"), std::string::npos);
  // On the first line, uncut.
  const std::string short_query = "SELECT x FROM (SELECT 1 AS y)";
  const Status st2 = conn_->Execute(short_query);
  ASSERT_FALSE(st2.ok());
  EXPECT_EQ(short_query.substr(ErrorOffset(st2.message(), short_query), 1), "x");
}

}  // namespace
}  // namespace carelake::sql
