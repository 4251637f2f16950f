// `carelake init DIR` through the real binary: the project it writes loads,
// and it never overwrites a project.
#include <filesystem>
#include <fstream>

#include "carelake/project/project.h"
#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using carelake::testing_cli::Carelake;
using carelake::testing_cli::CliRun;
using carelake::testing_cli::ReadAll;
namespace project = carelake::project;

class InitCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("init_cli_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    dir_ = (root_ / "clinic").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  std::string dir_;
};

TEST_F(InitCommandTest, WritesAProjectThatLoads) {
  CliRun r = Carelake("init " + dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("carelake.yaml"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("landing/appointments-0001.csv"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("carelake run --project " + dir_ + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("carelake sql --project " + dir_ +
                       " \"SELECT * FROM gold.appointments_by_specialty\""),
            std::string::npos)
      << r.out;
  EXPECT_EQ(ReadAll(dir_ + "/.gitignore"), "lake/\n");

  carelake::Result<project::Project> p = project::LoadProject(dir_);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->lake, (fs::path(dir_) / "lake").string());
  ASSERT_EQ(p->sources.size(), 1u);
  EXPECT_EQ(p->sources[0].format, project::SourceFormat::kCsv);
  EXPECT_EQ(p->sources[0].path, "landing/*.csv");
  ASSERT_EQ(p->silver.size(), 1u);
  const project::SilverTable& t = p->silver[0];
  EXPECT_EQ(t.name, "appointments");
  EXPECT_EQ(t.from, "bronze.appointments");
  EXPECT_EQ(t.key, std::vector<std::string>{"appointment_id"});
  EXPECT_EQ(t.latest_by, "scheduled_at");
  ASSERT_EQ(t.columns.size(), 6u);
  EXPECT_EQ(t.columns[0].type, "BIGINT");
  EXPECT_EQ(t.columns[3].type, "TIMESTAMPTZ");
  EXPECT_EQ(t.columns[3].formats, std::vector<std::string>{"%Y-%m-%d %H:%M:%S"});
  EXPECT_EQ(t.columns[4].type, "DECIMAL(10,2)");
  ASSERT_EQ(t.expectations.size(), 2u);
  EXPECT_EQ(t.expectations[0].action, project::ExpectationAction::kQuarantine);
  EXPECT_EQ(t.expectations[1].action, project::ExpectationAction::kWarn);
  ASSERT_EQ(p->models.size(), 1u);
  EXPECT_EQ(p->models[0].name, "appointments_by_specialty");
  EXPECT_NE(p->models[0].sql.find("FROM silver.appointments"), std::string::npos);

  const std::string csv = ReadAll(dir_ + "/landing/appointments-0001.csv");
  EXPECT_EQ(csv.rfind("appointment_id,patient_id,specialty,scheduled_at,fee,status\n", 0), 0u);
  EXPECT_NE(csv.find("\n1009,,"), std::string::npos) << "the row without a patient";
}

TEST_F(InitCommandTest, RefusesAnExistingProjectAndWritesNothing) {
  ASSERT_EQ(Carelake("init " + dir_).exit_code, 0);
  std::ofstream(dir_ + "/carelake.yaml") << "name: mine\n";
  fs::remove(dir_ + "/landing/appointments-0001.csv");

  CliRun again = Carelake("init " + dir_);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find(dir_ + "/carelake.yaml already exists"), std::string::npos) << again.err;
  EXPECT_EQ(ReadAll(dir_ + "/carelake.yaml"), "name: mine\n");
  EXPECT_FALSE(fs::exists(dir_ + "/landing/appointments-0001.csv"));
}

TEST_F(InitCommandTest, RefusesToOverwriteItsOtherFiles) {
  fs::create_directories(dir_ + "/models");
  std::ofstream(dir_ + "/models/appointments_by_specialty.sql") << "SELECT 42\n";
  CliRun r = Carelake("init " + dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("appointments_by_specialty.sql already exists"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/carelake.yaml"));
  EXPECT_EQ(ReadAll(dir_ + "/models/appointments_by_specialty.sql"), "SELECT 42\n");
}

TEST_F(InitCommandTest, AddsTheLakeToAnExistingGitignore) {
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/.gitignore") << "*.tmp";
  ASSERT_EQ(Carelake("init " + dir_).exit_code, 0);
  EXPECT_EQ(ReadAll(dir_ + "/.gitignore"), "*.tmp\nlake/\n");
}

}  // namespace
