// The real `carelake` binary, run as a user would: arguments, stdin, exit
// codes, stdout and stderr.
#include <fstream>

#include "cli_runner.h"

namespace {

using carelake::testing_cli::Carelake;
using carelake::testing_cli::CliRun;

TEST(SqlCommandTest, DefaultsToCsvWhenNotATerminal) {
  CliRun r = Carelake("sql \"SELECT 1 AS a, 'x' AS b\"");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a,b\n1,x\n");
}

TEST(SqlCommandTest, EachFormat) {
  const std::string q =
      "\"SELECT 'Zoë' AS name, 41 AS age UNION ALL SELECT 'Li', NULL ORDER BY name\"";
  EXPECT_EQ(Carelake("sql --format csv " + q).out, "name,age\nLi,\nZoë,41\n");
  EXPECT_EQ(Carelake("sql --format json " + q).out,
            "[\n  {\"name\": \"Li\", \"age\": null},\n  {\"name\": \"Zoë\", \"age\": 41}\n]\n");
  EXPECT_EQ(Carelake("sql --format table " + q).out,
            " name | age\n"
            "------+------\n"
            " Li   | NULL\n"
            " Zoë  |   41\n"
            "(2 rows)\n");
}

TEST(SqlCommandTest, ReadsStdinAndRunsStatementsInOrder) {
  CliRun r = Carelake("sql --format csv",
                      "CREATE TABLE t(x INT);\nINSERT INTO t VALUES (1),(2);\n"
                      "SELECT sum(x) AS s FROM t;\nSELECT count(*) AS n FROM t;\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "s\n3\nn\n2\n");
}

TEST(SqlCommandTest, ReadsAFile) {
  const std::string path = ::testing::TempDir() + "/q_" + std::to_string(::getpid()) + ".sql";
  std::ofstream(path) << "SELECT 40 + 2 AS answer;";
  CliRun r = Carelake("sql --format csv -f " + path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "answer\n42\n");
}

TEST(SqlCommandTest, BadSqlExitsOneWithDuckDbsMessage) {
  CliRun r = Carelake("sql \"SELEC 1\"");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: Parser Error: syntax error at or near \"SELEC\""), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(SqlCommandTest, ErrorMidScriptKeepsEarlierOutput) {
  CliRun r = Carelake("sql --format csv \"SELECT 1 AS a; SELECT * FROM missing_table; SELECT 2;\"");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "a\n1\n");
  EXPECT_NE(r.err.find("missing_table"), std::string::npos) << r.err;
}

TEST(SqlCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Carelake("sql --format xml \"SELECT 1\"").exit_code, 2);
  EXPECT_EQ(Carelake("sql -f /nonexistent/q.sql").exit_code, 2);
  EXPECT_EQ(Carelake("no-such-command").exit_code, 2);
  EXPECT_EQ(Carelake("").exit_code, 2);
  EXPECT_EQ(Carelake("sql --no-such-flag").exit_code, 2);
}

TEST(SqlCommandTest, HelpOnEachCommand) {
  CliRun top = Carelake("--help");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("sql"), std::string::npos);
  EXPECT_NE(top.out.find("version"), std::string::npos);
  CliRun sql = Carelake("sql --help");
  EXPECT_EQ(sql.exit_code, 0);
  EXPECT_NE(sql.out.find("--format"), std::string::npos);
  EXPECT_EQ(Carelake("version --help").exit_code, 0);
}

TEST(VersionCommandTest, PrintsBothVersions) {
  CliRun r = Carelake("version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("carelake 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DuckDB v1."), std::string::npos) << r.out;
}

}  // namespace
