// `carelake run` through the real binary: the log and summary it prints
// agree with what the lake then holds, a `fail` rule makes it exit 1, a dry
// run writes nothing, and bad usage is a clear error.
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "carelake/base/process_lock.h"
#include "cli_project.h"

namespace {

namespace fs = std::filesystem;
using carelake::testing_cli::Carelake;
using carelake::testing_cli::CliProjectTest;
using carelake::testing_cli::CliRun;
using carelake::testing_cli::kEastVisits;
using carelake::testing_cli::kFirstVisitRows;
using carelake::testing_cli::kFirstVisitsWithoutPatient;
using carelake::testing_cli::ReadAll;
using carelake::testing_cli::RunIdIn;
using nlohmann::json;

using RunCommandTest = CliProjectTest;

TEST_F(RunCommandTest, RunsThePipelineAndPrintsWhatItDid) {
  CliRun r = InProject("run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");  // the log goes to stderr

  const int64_t bronze = CountRows("bronze.visits");
  const int64_t silver = CountRows("silver.visits");
  const int64_t quarantined = CountRows("silver.visits__quarantine");
  EXPECT_EQ(bronze, kFirstVisitRows);
  EXPECT_EQ(silver, kFirstVisitRows - kFirstVisitsWithoutPatient);
  EXPECT_EQ(quarantined, kFirstVisitsWithoutPatient);
  EXPECT_EQ(QueryInt("SELECT sum(visits) AS n FROM gold.visits_by_ward"), silver);

  EXPECT_EQ(r.err.rfind("run of project 'clinic' (lake " + dir_ + "/lake)\n", 0), 0u) << r.err;
  // Plain log lines (stderr is not a terminal): each step starts, then ends
  // with its counts.
  for (const char* step : {"bronze.visits", "silver.visits", "gold.visits_by_ward"}) {
    EXPECT_NE(r.err.find(std::string("Z start ") + step + "\n"), std::string::npos) << r.err;
  }
  EXPECT_NE(
      r.err.find("Z committed bronze.visits  files 1 · records " + std::to_string(bronze) + "  ("),
      std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find("Z committed silver.visits  read " + std::to_string(bronze) + " · written " +
                 std::to_string(silver) + " · quarantined " + std::to_string(quarantined) + "  ("),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Z committed gold.visits_by_ward  read "), std::string::npos) << r.err;

  // The summary: the run id (the ledger's), and where the quarantined rows
  // are explained.
  const std::string run_id = RunIdIn(r.err, "succeeded in ");
  ASSERT_FALSE(run_id.empty()) << r.err;
  EXPECT_NE(r.err.find(" — " + std::to_string(quarantined) +
                       " rows quarantined (carelake dq report --project " + dir_ + ")\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) AS n FROM _system.runs WHERE run_id = '" + run_id +
                     "' AND status = 'succeeded'"),
            1);
}

TEST_F(RunCommandTest, JsonSummaryAgreesWithTheLake) {
  json summary = RunJson(0);
  EXPECT_EQ(summary["project"], "clinic");
  EXPECT_EQ(summary["status"], "succeeded");
  EXPECT_EQ(summary["committed"], true);
  EXPECT_FALSE(summary.contains("error"));

  std::vector<std::string> names, kinds;
  std::map<std::string, json> steps;
  for (const json& s : summary["steps"]) {
    names.push_back(s["step"]);
    kinds.push_back(s["kind"]);
    steps[s["step"]] = s;
    EXPECT_EQ(s["status"], "committed") << s.dump();
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"bronze.visits", "silver.visits", "gold.visits_by_ward"}));
  EXPECT_EQ(kinds, (std::vector<std::string>{"ingest", "silver", "model"}));
  EXPECT_EQ(steps["bronze.visits"]["files"], 1);
  EXPECT_EQ(steps["bronze.visits"]["rows_written"], CountRows("bronze.visits"));
  EXPECT_EQ(steps["silver.visits"]["rows_read"], kFirstVisitRows);
  EXPECT_EQ(steps["silver.visits"]["rows_written"], CountRows("silver.visits"));
  EXPECT_EQ(steps["silver.visits"]["rows_quarantined"], CountRows("silver.visits__quarantine"));
  EXPECT_EQ(steps["gold.visits_by_ward"]["rows_written"], CountRows("gold.visits_by_ward"));

  std::map<std::string, std::pair<int64_t, int64_t>> rules;  // rule -> (checked, failed)
  for (const json& e : summary["expectations"]) {
    EXPECT_EQ(e["table"], "silver.visits");
    rules[e["rule"]] = {e["rows_checked"], e["rows_failed"]};
  }
  EXPECT_EQ(rules["has_patient"], std::make_pair(kFirstVisitRows, kFirstVisitsWithoutPatient));

  const std::string run_id = summary["run_id"];
  EXPECT_EQ(QueryInt("SELECT count(*) AS n FROM _system.steps WHERE run_id = '" + run_id + "'"),
            static_cast<int64_t>(names.size()));
}

TEST_F(RunCommandTest, ASecondRunWithNothingNewCommitsNothing) {
  ASSERT_EQ(InProject("run").exit_code, 0);
  CliRun again = InProject("run");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const std::string run_id = RunIdIn(again.err, "committed nothing in ", "nothing new: ");
  ASSERT_FALSE(run_id.empty()) << again.err;
  EXPECT_EQ(QueryInt("SELECT count(*) AS n FROM _system.runs WHERE run_id = '" + run_id +
                     "' AND status = 'succeeded' AND NOT committed"),
            1);
  EXPECT_NE(again.err.find("up_to_date bronze.visits  files 0 · records 0"), std::string::npos)
      << again.err;
  EXPECT_EQ(CountRows("bronze.visits"), kFirstVisitRows);
  EXPECT_EQ(CountRows("silver.visits"), kFirstVisitRows - kFirstVisitsWithoutPatient);
}

TEST_F(RunCommandTest, AFailingFailRuleExitsOneAndCommitsNoSilver) {
  ASSERT_EQ(InProject("run").exit_code, 0);
  WriteProject(/*ward_rule=*/true);
  AddVisits("visits-2.csv", kEastVisits);

  CliRun r = InProject("run");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string run_id = RunIdIn(r.err, "FAILED at silver\\.visits \\(rule 'known_ward'\\): ");
  ASSERT_FALSE(run_id.empty()) << r.err;
  EXPECT_NE(r.err.find("failed for 1 of 2 rows; nothing was committed\n"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Z failed silver.visits  read 2 · written 0"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("start gold.visits_by_ward"), std::string::npos)
      << "no step after the failed one runs:\n"
      << r.err;
  // Bronze took the new file; silver kept the last good version.
  EXPECT_EQ(CountRows("bronze.visits"), kFirstVisitRows + 2);
  EXPECT_EQ(CountRows("silver.visits"), kFirstVisitRows - kFirstVisitsWithoutPatient);
  EXPECT_EQ(QueryInt("SELECT count(*) AS n FROM _system.runs WHERE run_id = '" + run_id +
                     "' AND status = 'failed' AND failed_rule = 'known_ward'"),
            1);

  // The same again in JSON: still failing (the rows stay in bronze), nothing new committed.
  json summary = RunJson(1);
  EXPECT_EQ(summary["status"], "failed");
  EXPECT_EQ(summary["committed"], false);
  EXPECT_EQ(summary["failed_step"], "silver.visits");
  EXPECT_EQ(summary["failed_rule"], "known_ward");
  ASSERT_EQ(summary["steps"].size(), 2u) << summary.dump(2);
  EXPECT_EQ(summary["steps"][1]["status"], "failed");
  for (const json& e : summary["expectations"]) {
    if (e["rule"] == "known_ward") {
      EXPECT_EQ(e["action"], "fail");
      EXPECT_EQ(e["rows_checked"], 2);
      EXPECT_EQ(e["rows_failed"], 1);
    }
  }
}

TEST_F(RunCommandTest, DryRunListsTheStepsAndWritesNothing) {
  CliRun r = InProject("run", "--dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("would run   bronze.visits        incremental: 1 new files"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("would run   silver.visits        full: new table\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("would run   gold.visits_by_ward  full: new table\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "dry run: 3 of 3 steps would run; nothing was written\n");
  EXPECT_FALSE(fs::exists(dir_ + "/lake"));

  // After a run, nothing would run.
  ASSERT_EQ(InProject("run").exit_code, 0);
  r = InProject("run", "--dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("would run"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "dry run: 0 of 3 steps would run; nothing was written\n");
}

TEST_F(RunCommandTest, ReportWritesTheRunsDataQualityReport) {
  const std::string reports = dir_ + "/reports";
  CliRun r = InProject("run", "--report " + reports);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string run_id = RunIdIn(r.err, "succeeded in ");
  ASSERT_FALSE(run_id.empty()) << r.err;
  const std::string base = reports + "/" + run_id;
  EXPECT_NE(r.err.find("data-quality report: " + base + ".html, " + base + ".json\n"),
            std::string::npos)
      << r.err;
  json report = json::parse(ReadAll(base + ".json"), nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["run"]["run_id"], run_id);
  EXPECT_NE(ReadAll(base + ".html").find(run_id), std::string::npos);
}

TEST_F(RunCommandTest, BadUsageIsAClearError) {
  CliRun r = Carelake("run --project " + dir_ + "/nowhere");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Error: no carelake.yaml in '" + dir_ + "/nowhere'"), std::string::npos)
      << r.err;

  r = InProject("run", "--no-such-flag");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;

  r = InProject("run", "--select nosuch");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--select 'nosuch' matches no table (the project has: bronze.visits, "
                       "silver.visits, gold.visits_by_ward)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/lake/bronze")) << "nothing ran";
  EXPECT_FALSE(fs::exists(dir_ + "/lake/silver")) << "nothing ran";
  EXPECT_FALSE(fs::exists(dir_ + "/lake/_system")) << "bad usage is not a run";

  std::ofstream(dir_ + "/carelake.yaml") << "name: clinic\nsilver: [\n";
  r = InProject("run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("Error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("carelake.yaml"), std::string::npos) << r.err;
}

}  // namespace

namespace {

// Runs of one project never overlap: while another process holds the run
// lock, `carelake run` exits 1 naming it and records nothing; with --wait
// it runs once the holder lets go.
TEST_F(RunCommandTest, ARunInProgressIsNamedOrWaitedFor) {
  const std::string lock_path = dir_ + "/lake/_system/run.lock";
  auto held = carelake::ProcessLock::TryAcquire(lock_path, "run held-by-the-test");
  ASSERT_TRUE(held.ok()) << held.status();

  CliRun busy = InProject("run");
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_NE(busy.err.find("a run of project 'clinic' is in progress (run held-by-the-test, pid " +
                          std::to_string(::getpid()) + ", since "),
            std::string::npos)
      << busy.err;
  EXPECT_NE(busy.err.find("--wait"), std::string::npos) << busy.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/lake/bronze")) << "nothing ran";
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/lake/_system/runs")) << "nothing recorded";

  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    carelake::ProcessLock gone = std::move(*held);
  });
  CliRun waited = InProject("run", "--wait");
  release.join();
  EXPECT_EQ(waited.exit_code, 0) << waited.err;
  EXPECT_NE(waited.err.find("waiting for it to end"), std::string::npos) << waited.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM _system.runs"), 1);
  EXPECT_GT(QueryInt("SELECT count(*) FROM silver.visits"), 0);
}

}  // namespace
