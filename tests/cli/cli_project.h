// A small project for the CLI tests of the pipeline commands (`run`, `runs`,
// `dq report`), written to a fresh folder per test: one CSV source of clinic
// visits, a silver table with a quarantine rule, one gold model. The tests
// know every row they wrote, and count what the lake holds through
// `carelake sql`, a read path apart from the commands under test.
#ifndef CARELAKE_TESTS_CLI_CLI_PROJECT_H_
#define CARELAKE_TESTS_CLI_CLI_PROJECT_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "cli_runner.h"

namespace carelake::testing_cli {

// landing/visits-1.csv: four visits; visit 3 has no patient, so the
// has_patient rule quarantines it.
inline constexpr char kFirstVisits[] = "1,501,north\n2,502,south\n3,,north\n4,504,north\n";
inline constexpr int64_t kFirstVisitRows = 4;
inline constexpr int64_t kFirstVisitsWithoutPatient = 1;
// Two more visits, one in a ward the known_ward `fail` rule rejects.
inline constexpr char kEastVisits[] = "5,505,east\n6,506,south\n";

class CliProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::path(::testing::TempDir()) /
            ("cli_project_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/landing");
    std::filesystem::create_directories(dir_ + "/models");
    WriteProject(/*ward_rule=*/false);
    std::ofstream(dir_ + "/models/visits_by_ward.sql")
        << "SELECT ward, count(*) AS visits FROM silver.visits GROUP BY ward\n";
    AddVisits("visits-1.csv", kFirstVisits);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // carelake.yaml; with `ward_rule`, also a `fail` rule on the ward.
  void WriteProject(bool ward_rule) {
    std::ofstream(dir_ + "/carelake.yaml")
        << "name: clinic\n"
           "lake: lake\n"
           "sources:\n"
           "  - name: visits\n"
           "    format: csv\n"
           "    path: landing/*.csv\n"
           "silver:\n"
           "  - name: visits\n"
           "    from: bronze.visits\n"
           "    key: [visit_id]\n"
           "    columns:\n"
           "      - {name: visit_id, type: BIGINT}\n"
           "      - {name: patient_id, type: BIGINT, pii: true}\n"
           "      - {name: ward, type: VARCHAR}\n"
           "    expectations:\n"
           "      - name: has_patient\n"
           "        check: \"patient_id IS NOT NULL\"\n"
           "        action: quarantine\n"
        << (ward_rule ? "      - name: known_ward\n"
                        "        check: \"ward IN ('north', 'south')\"\n"
                        "        action: fail\n"
                      : "")
        << "models:\n"
           "  - name: visits_by_ward\n"
           "    sql: models/visits_by_ward.sql\n";
  }

  // landing/<name> with the CSV header and `rows`.
  void AddVisits(const std::string& name, const std::string& rows) {
    std::ofstream(dir_ + "/landing/" + name) << "visit_id,patient_id,ward\n" << rows;
  }

  // `carelake <command> --project DIR <args>`.
  CliRun InProject(const std::string& command, const std::string& args = "") {
    return Carelake(command + " --project " + dir_ + (args.empty() ? "" : " " + args));
  }

  // The single integer `sql` (a query in the project) returns; -1 (and a
  // test failure) when it does not return one.
  int64_t QueryInt(const std::string& sql) {
    CliRun r = InProject("sql", "\"" + sql + "\"");
    EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.err;
    const size_t newline = r.out.find('\n');
    if (newline == std::string::npos || r.out.size() == newline + 1) {
      ADD_FAILURE() << sql << ": no value in '" << r.out << "'";
      return -1;
    }
    return std::stoll(r.out.substr(newline + 1));
  }

  int64_t CountRows(const std::string& table) {
    return QueryInt("SELECT count(*) AS n FROM " + table);
  }

  // Runs the pipeline with --json and returns its summary (null, and a test
  // failure, when stdout is not JSON).
  nlohmann::json RunJson(int expected_exit_code) {
    CliRun r = InProject("run", "--json");
    EXPECT_EQ(r.exit_code, expected_exit_code) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(j.is_object()) << r.out;
    return j.is_object() ? j : nlohmann::json();
  }

  // `runs --format json`, parsed (an empty array, and a test failure, when
  // it is not a JSON array).
  nlohmann::json RunsJson() {
    CliRun r = InProject("runs", "--format json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(j.is_array()) << r.out;
    return j.is_array() ? j : nlohmann::json::array();
  }

  std::string dir_;
};

// The run id in a line "<start>run <id> <rest>" of `text` ("" when there is
// none); `start` and `rest` are regular expressions.
inline std::string RunIdIn(const std::string& text, const std::string& rest,
                           const std::string& start = "") {
  std::smatch m;
  const std::regex line("(^|\n)" + start + "run ([0-9a-f-]{36}) " + rest);
  return std::regex_search(text, m, line) ? m[2].str() : "";
}

}  // namespace carelake::testing_cli

#endif  // CARELAKE_TESTS_CLI_CLI_PROJECT_H_
