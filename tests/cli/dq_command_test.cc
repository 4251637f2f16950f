// `carelake dq report` through the real binary: the text and JSON reports of
// a run count what the run checked and the lake holds, a failed run's report
// says which rule failed and masks PII in its examples, and bad usage is a
// clear error.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_project.h"

namespace {

using carelake::testing_cli::Carelake;
using carelake::testing_cli::CliProjectTest;
using carelake::testing_cli::CliRun;
using carelake::testing_cli::kEastVisits;
using carelake::testing_cli::kFirstVisitRows;
using carelake::testing_cli::kFirstVisitsWithoutPatient;
using carelake::testing_cli::ReadAll;
using nlohmann::json;

using DqCommandTest = CliProjectTest;

// The whitespace-separated words of the first line of `text` whose first word
// is `first` (empty when there is none).
std::vector<std::string> Row(const std::string& text, const std::string& first) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (!words.empty() && words[0] == first) return words;
  }
  return {};
}

// rule -> (rows_checked, rows_failed) of the JSON report's one table.
std::map<std::string, std::pair<int64_t, int64_t>> RuleCounts(const json& report) {
  std::map<std::string, std::pair<int64_t, int64_t>> rules;
  for (const json& t : report["tables"]) {
    for (const json& r : t["rules"]) rules[r["rule"]] = {r["rows_checked"], r["rows_failed"]};
  }
  return rules;
}

TEST_F(DqCommandTest, BeforeAnyRunThereIsNoReport) {
  CliRun r = InProject("dq report");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: no runs yet: carelake run --project " + dir_ + "\n");
}

TEST_F(DqCommandTest, TextReportCountsWhatTheRunChecked) {
  const std::string run_id = RunJson(0)["run_id"];
  const int64_t quarantined = CountRows("silver.visits__quarantine");
  const int64_t kept = CountRows("silver.visits");
  ASSERT_EQ(quarantined, kFirstVisitsWithoutPatient);

  CliRun r = InProject("dq report");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Data-quality report: project clinic\nRun " + run_id + ", started ", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("(the latest run with expectation results)"), std::string::npos);

  // The rule table: action, rows checked, rows failed, percent, status.
  EXPECT_EQ(Row(r.out, "has_patient"),
            (std::vector<std::string>{"has_patient", "quarantine", std::to_string(kFirstVisitRows),
                                      std::to_string(quarantined), "25.00%", "quarantined"}))
      << r.out;
  EXPECT_EQ(Row(r.out, "visit_id_type"),
            (std::vector<std::string>{"visit_id_type", "quarantine",
                                      std::to_string(kFirstVisitRows), "0", "0.00%", "passed"}))
      << r.out;
  // Bronze per source: new files, records, quarantined.
  const std::string bronze = std::to_string(CountRows("bronze.visits"));
  EXPECT_EQ(Row(r.out, "visits"), (std::vector<std::string>{"visits", "1", bronze, "0"})) << r.out;
  EXPECT_NE(r.out.find("read " + std::to_string(kFirstVisitRows) + " · kept " +
                       std::to_string(kept) + " · quarantined " + std::to_string(quarantined) +
                       " · dropped 0 · deduplicated 0 (row account holds)"),
            std::string::npos)
      << r.out;
  // The failing example is the visit without a patient.
  EXPECT_NE(
      r.out.find("has_patient: 1 of 1 failing rows\n    {\"visit_id\":\"3\",\"patient_id\":null,"),
      std::string::npos)
      << r.out;
}

TEST_F(DqCommandTest, JsonReportAgreesWithTheLake) {
  const std::string run_id = RunJson(0)["run_id"];
  CliRun r = InProject("dq report", "--format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json report = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object()) << r.out;
  EXPECT_EQ(report["project"], "clinic");
  EXPECT_EQ(report["run"]["run_id"], run_id);
  EXPECT_EQ(report["run"]["status"], "succeeded");

  ASSERT_EQ(report["bronze"].size(), 1u);
  EXPECT_EQ(report["bronze"][0]["source"], "visits");
  EXPECT_EQ(report["bronze"][0]["files"], 1);
  EXPECT_EQ(report["bronze"][0]["records"], CountRows("bronze.visits"));

  ASSERT_EQ(report["tables"].size(), 1u);
  const json& silver = report["tables"][0];
  EXPECT_EQ(silver["table"], "silver.visits");
  EXPECT_EQ(silver["step"]["rows_read"], kFirstVisitRows);
  EXPECT_EQ(silver["step"]["rows_written"], CountRows("silver.visits"));
  EXPECT_EQ(silver["step"]["rows_quarantined"], CountRows("silver.visits__quarantine"));
  EXPECT_EQ(silver["step"]["reconciles"], true);

  const auto rules = RuleCounts(report);
  EXPECT_EQ(report["summary"]["rules_evaluated"], rules.size());
  EXPECT_EQ(report["summary"]["rules_with_failures"], 1);
  EXPECT_EQ(report["summary"]["rules_failed"], 0);
  EXPECT_EQ(rules.at("has_patient"),
            std::make_pair(kFirstVisitRows, CountRows("silver.visits__quarantine")));
}

TEST_F(DqCommandTest, AFailedRunsReportNamesTheRuleAndMasksPii) {
  const std::string good = RunJson(0)["run_id"];
  WriteProject(/*ward_rule=*/true);
  AddVisits("visits-2.csv", kEastVisits);  // visit 5, patient 505, ward east
  const std::string bad = RunJson(1)["run_id"];

  CliRun r = InProject("dq report");
  ASSERT_EQ(r.exit_code, 0) << "a report of failed rules is still a report: " << r.err;
  EXPECT_NE(r.out.find("Run " + bad + ","), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAILED at silver.visits (rule 'known_ward')"), std::string::npos) << r.out;
  EXPECT_EQ(Row(r.out, "known_ward"),
            (std::vector<std::string>{"known_ward", "fail", "2", "1", "50.00%", "FAILED"}))
      << r.out;
  // The failing example, the east visit, with its patient id (PII) masked.
  const size_t example = r.out.find("known_ward: 1 of 1 failing rows\n    ");
  ASSERT_NE(example, std::string::npos) << r.out;
  const size_t start = r.out.find('{', example);
  json row = json::parse(r.out.substr(start, r.out.find('\n', start) - start), nullptr, false);
  EXPECT_EQ(row["visit_id"], "5") << r.out;
  EXPECT_EQ(row["ward"], "east");
  EXPECT_EQ(row["patient_id"], "***");

  json report = json::parse(InProject("dq report", "--format json").out, nullptr, false);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["run"]["status"], "failed");
  EXPECT_EQ(report["run"]["failed_rule"], "known_ward");
  EXPECT_EQ(report["summary"]["rules_failed"], 1);
  EXPECT_EQ(RuleCounts(report).at("known_ward"), std::make_pair(int64_t{2}, int64_t{1}));
  int examples = 0;  // every example row masks the patient id
  for (const json& rule : report["tables"][0]["rules"]) {
    for (const json& text : rule["examples"]) {
      json e = json::parse(text.get<std::string>(), nullptr, false);
      EXPECT_TRUE(e["patient_id"] == "***" || e["patient_id"].is_null()) << text;
      ++examples;
    }
  }
  EXPECT_EQ(examples, 1);

  // --run picks an earlier run.
  r = InProject("dq report", "--run " + good);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Run " + good + ","), std::string::npos) << r.out;
  EXPECT_TRUE(Row(r.out, "known_ward").empty()) << r.out;
  EXPECT_EQ(Row(r.out, "has_patient").at(3), std::to_string(kFirstVisitsWithoutPatient));
}

TEST_F(DqCommandTest, HtmlWritesAFileBesideTheTextReport) {
  const std::string run_id = RunJson(0)["run_id"];
  const std::string html = dir_ + "/report.html";
  CliRun r = InProject("dq report", "--html " + html);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "wrote the HTML report to " + html + "\n");
  EXPECT_EQ(r.out.rfind("Data-quality report: project clinic\n", 0), 0u) << r.out;
  const std::string page = ReadAll(html);
  EXPECT_NE(page.find("<html"), std::string::npos);
  EXPECT_NE(page.find(run_id), std::string::npos);
  EXPECT_NE(page.find("has_patient"), std::string::npos);

  r = InProject("dq report", "--html " + dir_ + "/no/such/folder/report.html");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "Error: cannot write the HTML report to '" + dir_ + "/no/such/folder/report.html'\n");
}

TEST_F(DqCommandTest, UnknownRunsAndBadFlagsAreClearErrors) {
  ASSERT_EQ(InProject("run").exit_code, 0);
  CliRun r = InProject("dq report", "--run nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "Error: unknown run 'nope' (carelake runs --project " + dir_ + " lists the runs)\n");

  r = InProject("dq report", "--format csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "Error: --format: expected table or json, got 'csv'\n");

  r = InProject("dq report", "--no-such-flag");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;

  r = Carelake("dq");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("A subcommand is required"), std::string::npos) << r.err;

  r = Carelake("dq report --project " + dir_ + "/nowhere");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Error: no carelake.yaml in '" + dir_ + "/nowhere'"), std::string::npos)
      << r.err;
}

}  // namespace
