// TranslateForDuckDb rewrites PostgreSQL-only syntax, never inside strings,
// quoted identifiers or comments.
#include "carelake/pgwire/sql_translate.h"

#include <gtest/gtest.h>

#include "carelake/pgwire/sql_tokens.h"

namespace carelake::pgwire {
namespace {

std::string T(std::string_view sql) {
  auto r = TranslateForDuckDb(sql);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : "";
}

TEST(SqlTranslateTest, DropsPgCatalogQualifiersAndRenamesInformationSchema) {
  EXPECT_EQ(T("SELECT * FROM pg_catalog.pg_class c"), "SELECT * FROM pg_class c");
  EXPECT_EQ(T(R"(SELECT * FROM "pg_catalog"."pg_class")"), R"(SELECT * FROM "pg_class")");
  EXPECT_EQ(T("SELECT x::pg_catalog.text FROM pg_catalog.pg_type"), "SELECT x::text FROM pg_type");
  EXPECT_EQ(T(R"(FROM "information_schema"."columns" c)"),
            R"(FROM carelake_information_schema."columns" c)");
  // Not in strings, quoted identifiers or comments.
  EXPECT_EQ(T("SELECT 'pg_catalog.x', \"pg_catalog.y\" -- pg_catalog.z\n"),
            "SELECT 'pg_catalog.x', \"pg_catalog.y\" -- pg_catalog.z\n");
  EXPECT_EQ(T("SELECT a.pg_catalog.b AS x"), "SELECT a.pg_catalog.b AS x");
}

TEST(SqlTranslateTest, RewritesRegularExpressionOperators) {
  EXPECT_EQ(T("WHERE n !~ '^pg_' AND m ~ 'x' AND o ~* 'y' AND p ~~ 'z'"),
            "WHERE n !~@ '^pg_' AND m ~@ 'x' AND o ~* 'y' AND p ~~ 'z'");
  EXPECT_EQ(T("WHERE c.relname OPERATOR(pg_catalog.~) '^(visits)$' COLLATE pg_catalog.default"),
            "WHERE c.relname ~@ '^(visits)$' ");
  EXPECT_EQ(T("SELECT 'a' COLLATE \"C\""), "SELECT 'a' ");
}

TEST(SqlTranslateTest, RewritesRegCastsIntoCalls) {
  EXPECT_EQ(T("d.classoid = 'pg_class'::regclass"), "d.classoid = carelake_regclass('pg_class')");
  EXPECT_EQ(T("SELECT c.oid::pg_catalog.regclass::pg_catalog.text"),
            "SELECT carelake_regclass_name(c.oid)");
  EXPECT_EQ(T("x::pg_catalog.regtype::pg_catalog.text"), "carelake_regtype_name(x)");
  EXPECT_EQ(T("SELECT f(a, b)::regclass"), "SELECT carelake_regclass(f(a, b))");
  EXPECT_EQ(T("WHERE (a || b)::regclass = 1"), "WHERE carelake_regclass((a || b)) = 1");
  EXPECT_EQ(T("CAST(CAST(FORMAT('%I.%I', s, t) AS REGCLASS) AS OID)"),
            "CAST(carelake_regclass(FORMAT('%I.%I', s, t)) AS OID)");
  EXPECT_EQ(T("x::text::regclass"), "carelake_regclass(x::text)");
  EXPECT_EQ(T("stxnamespace::pg_catalog.regnamespace::pg_catalog.text"),
            "carelake_regnamespace_name(stxnamespace)");
  EXPECT_EQ(T("SELECT '::regclass'"), "SELECT '::regclass'");
}

TEST(SqlTranslateTest, RewritesSessionKeywords) {
  EXPECT_EQ(T("WHERE a = current_schema() AND b = session_user OR c = current_catalog"),
            "WHERE a = current_schema() AND b = carelake_session_user() OR c = current_database()");
  EXPECT_EQ(T("SELECT current_schema"), "SELECT current_schema() AS \"current_schema\"");
}

TEST(SqlTranslateTest, NamesSelectItemsAsPostgresDoes) {
  // A function call is named after the function, a session keyword after
  // itself, a qualified column after the column (so that ORDER BY finds it).
  EXPECT_EQ(T("SELECT pg_catalog.version(), session_user, count(*) c, typ.oid, t.* FROM t "
              "ORDER BY oid"),
            "SELECT version() AS \"version\", carelake_session_user() AS \"session_user\", "
            "count(*) c, typ.oid AS oid, t.* FROM t ORDER BY oid");
  EXPECT_EQ(T("SELECT (SELECT max(x) FROM y), f(a) + 1, EXISTS (SELECT 1)"),
            "SELECT (SELECT max(x) AS \"max\" FROM y), f(a) + 1, EXISTS (SELECT 1)");
  EXPECT_EQ(T("SELECT DISTINCT a.b FROM a"), "SELECT DISTINCT a.b AS b FROM a");
  EXPECT_EQ(T("SELECT CAST(x AS int), EXTRACT(year FROM d) FROM t"),
            "SELECT CAST(x AS int), EXTRACT(year FROM d) AS \"extract\" FROM t");
}

TEST(SqlTranslateTest, RewritesArraysAsDuckDbNeedsThem) {
  EXPECT_EQ(T("ON a.attnum = ANY(ix.indkey) AND b = ANY(SELECT 1)"),
            "ON list_contains(ix.indkey, a.attnum) AND b = ANY(SELECT 1)");
  EXPECT_EQ(T("AND ta.attnum = i.indkey[ia.attnum-1]"),
            "AND ta.attnum = i.indkey[(ia.attnum-1) + 1]");
  EXPECT_EQ(T("SELECT conkey[1] FROM x"), "SELECT conkey[1] FROM x");
  EXPECT_EQ(T("FROM pg_catalog.generate_series(0, 3) s, t WHERE a[s] = 1"),
            "FROM generate_series(0, 3) s(s), t WHERE a[s] = 1");
  EXPECT_EQ(T("FROM generate_series(1, 2) AS s(r)"), "FROM generate_series(1, 2) AS s(r)");
  EXPECT_EQ(T("SELECT n AS TABLE_SCHEM, m AS \"Name\""), "SELECT n AS table_schem, m AS \"Name\"");
}

TEST(SqlTranslateTest, TokenizesStringsCommentsAndDollarQuotes) {
  auto tokens = TokenizeSql("SELECT E'a\\'b', $x$ it's $x$, $1 /* a /* b */ c */ ::x");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(JoinTokens(*tokens), "SELECT E'a\\'b', $x$ it's $x$, $1 /* a /* b */ c */ ::x");
  int strings = 0, params = 0;
  for (const SqlToken& t : *tokens) {
    strings += t.kind == TokenKind::kString;
    params += t.kind == TokenKind::kParam;
  }
  EXPECT_EQ(strings, 2);
  EXPECT_EQ(params, 1);
  EXPECT_FALSE(TranslateForDuckDb("SELECT 'open").ok());
  EXPECT_FALSE(TranslateForDuckDb("SELECT /* open").ok());
}

}  // namespace
}  // namespace carelake::pgwire
