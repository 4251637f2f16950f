// The real `carelake` binary, run as a user would: arguments, stdin, exit
// codes, stdout and stderr.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace {

using carelake::testing_cli::Carelake;
using carelake::testing_cli::CliRun;

// The lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// `line` cut at each `sep`, each piece without surrounding spaces.
std::vector<std::string> Cells(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, sep);) {
    const size_t b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  return out;
}

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

TEST(SqlCommandTest, FloatingPointNumbersPrintAsDuckDbCastsThemInEachFormat) {
  // The issue's query: whole doubles printed as 1e+01,1.5e+02,1.44e+03.
  CliRun issue =
      Carelake("sql --format csv \"SELECT 10.0::DOUBLE, 150.0::DOUBLE, 1440.0::DOUBLE\"");
  EXPECT_EQ(issue.exit_code, 0) << issue.err;
  ASSERT_EQ(Lines(issue.out).size(), 2u) << issue.out;
  EXPECT_EQ(Lines(issue.out)[1], "10.0,150.0,1440.0");

  // Each format prints the digits of DuckDB's own CAST(x AS VARCHAR).
  const std::string values =
      "10.0::DOUBLE AS a, 150.0::DOUBLE AS b, 1440.0::DOUBLE AS c, 0.1::FLOAT AS d, "
      "1e20::DOUBLE AS e, 1.5e-5::DOUBLE AS f, '-0.0'::DOUBLE AS g, 123456789::FLOAT AS h, "
      "-2.5::DOUBLE AS i";
  CliRun cast = Carelake("sql --format csv \"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (SELECT " +
                         values + ")\"");
  ASSERT_EQ(cast.exit_code, 0) << cast.err;
  ASSERT_EQ(Lines(cast.out).size(), 2u) << cast.out;
  const std::vector<std::string> expected = Cells(Lines(cast.out)[1], ',');
  ASSERT_EQ(expected.size(), 9u) << cast.out;
  EXPECT_EQ(expected[0], "10.0");  // the issue's own example, checked against DuckDB
  EXPECT_EQ(expected[3], "0.1");   // a FLOAT's own shortest text, not the widened double's

  CliRun csv = Carelake("sql --format csv \"SELECT " + values + "\"");
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  ASSERT_EQ(Lines(csv.out).size(), 2u) << csv.out;
  EXPECT_EQ(Cells(Lines(csv.out)[1], ','), expected) << csv.out;

  CliRun table = Carelake("sql --format table \"SELECT " + values + "\"");
  EXPECT_EQ(table.exit_code, 0) << table.err;
  ASSERT_EQ(Lines(table.out).size(), 4u) << table.out;  // header, rule, row, count
  EXPECT_EQ(Cells(Lines(table.out)[2], '|'), expected) << table.out;

  CliRun json = Carelake("sql --format json \"SELECT " + values + "\"");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  std::string object;
  for (size_t k = 0; k < expected.size(); ++k) {
    object += (k == 0 ? "" : ", ") + ("\"" + std::string(1, static_cast<char>('a' + k)) + "\": ") +
              expected[k];
  }
  EXPECT_EQ(json.out, "[\n  {" + object + "}\n]\n");
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
