// `carelake infer` end to end: a CSV source whose columns are all text (as
// seed 003's VARCHAR tables) lands in bronze; infer writes a silver
// declaration; put into carelake.yaml it loads and a run types the columns.
// The typed values are compared with what the test wrote.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_runner.h"

namespace carelake::testing_cli {
namespace {

constexpr char kProject[] =
    "name: unicorn\n"
    "lake: lake\n"
    "sources:\n"
    "  - name: patients\n"
    "    format: csv\n"
    "    path: landing/*.csv\n";

// Every value is text in bronze: M/D/YYYY dates, "10:08 AM" times,
// "$2,419.20" money, zip codes with leading zeros, 'NULL' and '' for none.
constexpr char kPatients[] =
    "PatientID,PatientName,DOB,FirstVisitTime,Balance,Zip,Email,Visits\n"
    "PER1,Ana Lima,1/5/1980,10:08 AM,\"$2,419.20\",02134,ana@example.org,3\n"
    "PER2,Ben Roth,12/31/1975,1:30 PM,$0.50,10001,ben@example.org,NULL\n"
    "PER3,Chloé Bernard,NULL,12:00 PM,-$5.00,00501,,1\n"
    "PER4,Dan Wu,2/29/2000,9:15 AM,$100.00,94105,dan@example.org,12\n";

class InferCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::path(::testing::TempDir()) /
            ("infer_cli_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/landing");
    std::ofstream(dir_ + "/carelake.yaml") << kProject;
    std::ofstream(dir_ + "/landing/patients.csv") << kPatients;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Sql(const std::string& query) {
    CliRun r = Carelake("sql --format csv --project " + dir_ + " \"" + query + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  std::string dir_;
};

TEST_F(InferCommandTest, TheDeclarationLoadsAndTypesTheColumns) {
  ASSERT_EQ(Carelake("run --project " + dir_).exit_code, 0);
  CliRun infer =
      Carelake("infer --source patients --project " + dir_ + " --out " + dir_ + "/silver.yaml");
  ASSERT_EQ(infer.exit_code, 0) << infer.err;
  const std::string yaml = ReadAll(dir_ + "/silver.yaml");
  EXPECT_NE(yaml.find("key: [patient_id]"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("format: \"%m/%d/%Y\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("Zip: text"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("leading zeros"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("null tokens seen: \"NULL\" x2"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("likely PII (email"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("likely PII (name"), std::string::npos) << yaml;

  std::ofstream(dir_ + "/carelake.yaml", std::ios::app) << yaml;
  CliRun run = Carelake("run --project " + dir_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  EXPECT_EQ(Sql("SELECT typeof(patient_id), typeof(dob), typeof(first_visit_time), "
                "typeof(balance), typeof(zip), typeof(visits) FROM silver.patients LIMIT 1"),
            "typeof(patient_id),typeof(dob),typeof(first_visit_time),typeof(balance),"
            "typeof(zip),typeof(visits)\nVARCHAR,DATE,VARCHAR,\"DECIMAL(18,2)\",VARCHAR,BIGINT\n");
  EXPECT_EQ(Sql("SELECT patient_id, dob, first_visit_time, balance, zip, visits, email "
                "FROM silver.patients ORDER BY patient_id"),
            "patient_id,dob,first_visit_time,balance,zip,visits,email\n"
            "PER1,1980-01-05,10:08:00,2419.20,02134,3,ana@example.org\n"
            "PER2,1975-12-31,13:30:00,0.50,10001,,ben@example.org\n"
            "PER3,,12:00:00,-5.00,00501,1,\n"
            "PER4,2000-02-29,09:15:00,100.00,94105,12,dan@example.org\n");
  // Nothing was quarantined (the quarantine table was never created): every value converted.
  EXPECT_EQ(Sql("SELECT present FROM _system.tables WHERE table_name = "
                "'silver.patients__quarantine'"),
            "present\nfalse\n");
}

TEST_F(InferCommandTest, UnknownSourceIsAUsageError) {
  CliRun r = Carelake("infer --source nowhere --project " + dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no source 'nowhere'"), std::string::npos) << r.err;
  CliRun empty = Carelake("infer --source patients --project " + dir_);
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("run it first"), std::string::npos) << empty.err;
}

}  // namespace
}  // namespace carelake::testing_cli
