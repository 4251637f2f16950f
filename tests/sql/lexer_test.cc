// The SQL lexer: statements cut where PostgreSQL cuts them, and the
// functions and FROM-strings a statement names, never inside strings,
// quoted identifiers or comments.
#include "carelake/sql/lexer.h"

#include <gtest/gtest.h>

namespace carelake::sql {
namespace {

TEST(LexerTest, SplitsOnSemicolonsOutsideQuotesAndComments) {
  EXPECT_EQ(SplitStatements("SELECT 1; SELECT ';' AS x;; -- c;\n SELECT $$a;b$$ /* ; /* ; */ */"),
            (std::vector<std::string>{"SELECT 1", "SELECT ';' AS x",
                                      "-- c;\n SELECT $$a;b$$ /* ; /* ; */ */"}));
  EXPECT_EQ(SplitStatements("SELECT E'it\\'s;' ; SELECT \"a;b\" FROM t"),
            (std::vector<std::string>{"SELECT E'it\\'s;'", "SELECT \"a;b\" FROM t"}));
  EXPECT_TRUE(SplitStatements(" ; -- nothing\n ;").empty());
  EXPECT_TRUE(IsBlank("  /* x */ -- y\n"));
  EXPECT_FALSE(IsBlank("/* x */ SELECT"));
}

TEST(LexerTest, LeadingWordsSkipComments) {
  EXPECT_EQ(LeadingWords("/* hi */ -- there\n  Set  TimeZone TO 'UTC'", 3),
            (std::vector<std::string>{"set", "timezone", "to"}));
  EXPECT_EQ(LeadingWords("(SELECT 1)", 2), (std::vector<std::string>{"("}));
}

TEST(LexerTest, ReferencesAreFunctionCallsAndFilesInFrom) {
  const std::string sql =
      "SELECT upper('read_csv(x)'), \"Glob\" ('/etc'), -- read_parquet(\n"
      "  main.read_parquet /* x */ ('f') FROM 'data.csv' JOIN t ON true";
  std::vector<Reference> refs = References(sql);
  ASSERT_EQ(refs.size(), 4u);
  EXPECT_EQ(refs[0].text, "upper");
  EXPECT_EQ(refs[1].text, "glob");
  EXPECT_EQ(refs[2].text, "read_parquet");
  EXPECT_EQ(refs[2].kind, Reference::Kind::kFunction);
  EXPECT_EQ(refs[3].kind, Reference::Kind::kFromString);
  EXPECT_EQ(refs[3].text, "data.csv");
  EXPECT_EQ(sql.substr(refs[3].offset, 10), "'data.csv'");
  // `IN (` reads like a call; harmless: only named functions are refused.
  EXPECT_EQ(References("SELECT 'read_csv(1)' FROM t WHERE x IN (1)")[0].text, "in");
}

}  // namespace
}  // namespace carelake::sql
