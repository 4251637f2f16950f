// `carelake runs` through the real binary: nothing before the first run,
// then every run newest first with its status, steps and counts as the runs
// themselves reported them, in each output format.
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_project.h"

namespace {

using carelake::testing_cli::Carelake;
using carelake::testing_cli::CliProjectTest;
using carelake::testing_cli::CliRun;
using carelake::testing_cli::kEastVisits;
using carelake::testing_cli::RunIdIn;
using nlohmann::json;

using RunsCommandTest = CliProjectTest;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, sep);) fields.push_back(field);
  if (!line.empty() && line.back() == sep) fields.push_back("");
  return fields;
}

TEST_F(RunsCommandTest, SaysNoRunsYetBeforeTheFirstRun) {
  CliRun r = InProject("runs");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "no runs yet: carelake run --project " + dir_ + "\n");

  r = InProject("runs", "--format json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[]\n");
}

TEST_F(RunsCommandTest, ListsARunWithItsStatusAndSteps) {
  json run = RunJson(0);
  int64_t written = 0, quarantined = 0;
  for (const json& s : run["steps"]) {
    written += s["rows_written"].get<int64_t>();
    quarantined += s["rows_quarantined"].get<int64_t>();
  }

  json runs = RunsJson();
  ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
  const json& r = runs[0];
  EXPECT_EQ(r["run_id"], run["run_id"]);
  EXPECT_EQ(r["status"], "succeeded");
  EXPECT_EQ(r["steps"], run["steps"].size());
  EXPECT_EQ(r["rows_written"], written);
  EXPECT_EQ(r["rows_quarantined"], quarantined);
  EXPECT_EQ(r["rows_quarantined"], CountRows("silver.visits__quarantine"));
  EXPECT_EQ(r["committed"], true);
  EXPECT_TRUE(r["failed_step"].is_null());
  EXPECT_TRUE(r["failed_rule"].is_null());
  EXPECT_TRUE(r["error"].is_null());
  EXPECT_TRUE(r["duration_s"].is_number()) << r;
  EXPECT_GE(r["duration_s"].get<double>(), 0.0);

  // CSV: a header, then the same run.
  CliRun csv = InProject("runs", "--format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::vector<std::string> lines = Lines(csv.out);
  ASSERT_EQ(lines.size(), 2u) << csv.out;
  EXPECT_EQ(lines[0],
            "run_id,started_utc,status,duration_s,steps,rows_written,rows_quarantined,committed,"
            "failed_step,failed_rule,error");
  std::vector<std::string> fields = Split(lines[1], ',');
  ASSERT_EQ(fields.size(), 11u) << lines[1];
  EXPECT_EQ(fields[0], run["run_id"]);
  EXPECT_EQ(fields[2], "succeeded");
  EXPECT_EQ(fields[4], std::to_string(run["steps"].size()));
  EXPECT_EQ(fields[5], std::to_string(written));
  EXPECT_EQ(fields[7], "true");

  // The table: the run's row, and its row count.
  CliRun table = InProject("runs");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  lines = Lines(table.out);
  ASSERT_EQ(lines.size(), 4u) << table.out;  // header, rule, one run, "(1 row)"
  std::vector<std::string> cells = Split(lines[2], '|');
  ASSERT_GE(cells.size(), 8u) << lines[2];
  EXPECT_EQ(cells[0], " " + run["run_id"].get<std::string>() + " ");
  EXPECT_EQ(cells[2], " succeeded ");
  EXPECT_NE(cells[4].find(" " + std::to_string(run["steps"].size()) + " "), std::string::npos);
  EXPECT_EQ(lines[3], "(1 row)");
  EXPECT_EQ(table.err, "");
}

TEST_F(RunsCommandTest, AFailedRunComesFirstWithWhereItStopped) {
  const std::string good = RunJson(0)["run_id"];
  WriteProject(/*ward_rule=*/true);
  AddVisits("visits-2.csv", kEastVisits);
  CliRun failed = InProject("run");
  ASSERT_EQ(failed.exit_code, 1) << failed.err;
  const std::string bad = RunIdIn(failed.err, "FAILED at ");
  ASSERT_FALSE(bad.empty()) << failed.err;

  json runs = RunsJson();
  ASSERT_EQ(runs.size(), 2u) << runs.dump(2);
  EXPECT_EQ(runs[0]["run_id"], bad);
  EXPECT_EQ(runs[0]["status"], "failed");
  EXPECT_EQ(runs[0]["steps"], 2);  // bronze, then silver failed: gold never ran
  EXPECT_EQ(runs[0]["failed_step"], "silver.visits");
  EXPECT_EQ(runs[0]["failed_rule"], "known_ward");
  EXPECT_NE(runs[0]["error"].get<std::string>().find("rule 'known_ward' (action fail) failed"),
            std::string::npos)
      << runs[0];
  EXPECT_EQ(runs[0]["committed"], true) << "bronze committed the new file";
  EXPECT_EQ(runs[1]["run_id"], good);
  EXPECT_EQ(runs[1]["status"], "succeeded");
  EXPECT_EQ(QueryInt("SELECT count(*) AS n FROM _system.runs"), 2);
}

TEST_F(RunsCommandTest, LimitShowsTheNewestAndSaysHowManyThereAre) {
  std::vector<std::string> ids;  // oldest first
  for (int i = 0; i < 3; ++i) ids.push_back(RunJson(0)["run_id"]);

  CliRun r = InProject("runs", "--limit 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[2].find(" " + ids[2] + " "), 0u) << r.out;
  EXPECT_EQ(lines[3].find(" " + ids[1] + " "), 0u) << r.out;
  EXPECT_EQ(lines[4], "(2 rows)");
  EXPECT_EQ(r.err, "(the 2 newest of 3 runs; --limit 0 shows them all)\n");

  json all = json::parse(InProject("runs", "--limit 0 --format json").out);
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(all[i]["run_id"], ids[2 - i]);
  // Only the first run had anything new.
  EXPECT_EQ(all[2]["committed"], true);
  EXPECT_EQ(all[1]["committed"], false);
  EXPECT_EQ(all[0]["rows_written"], 0);
}

TEST_F(RunsCommandTest, BadFlagsAndProjectsAreClearErrors) {
  CliRun r = InProject("runs", "--format xml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "Error: unknown output format 'xml': expected table, csv or json\n");
  EXPECT_EQ(r.out, "");

  r = InProject("runs", "--limit many");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--limit"), std::string::npos) << r.err;

  r = Carelake("runs --project " + dir_ + "/nowhere");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Error: no carelake.yaml in '" + dir_ + "/nowhere'"), std::string::npos)
      << r.err;
}

}  // namespace
