// The lake half of `carelake infer`: which bronze tables a source has, and a
// profile read from a Delta table (typed columns kept, lineage left out,
// the sample bounded).
#include "carelake/infer/lake_profile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../delta/lake_test.h"
#include "carelake/delta/table.h"

namespace carelake::infer {
namespace {

class LakeProfileTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    project_.name = "unicorn";
    project_.dir = dir_.string();
    project_.lake = (dir_ / "lake").string();
    project::Source s;
    s.name = "appointments";
    s.table = "appointment";
    project_.sources.push_back(s);
  }
  project::Project project_;
};

TEST_F(LakeProfileTest, ProfilesAFileSourcesTable) {
  EXPECT_EQ(SourceTables(project_, "appointments", "", LocalFileSystem()).status().code(),
            StatusCode::kNotFound);  // not landed yet
  EXPECT_EQ(SourceTables(project_, "billing", "", LocalFileSystem()).status().code(),
            StatusCode::kNotFound);
  const std::string path = catalog::TablePaths(project_).at("bronze.appointment");
  delta::DeltaTable table(LocalFileSystem(), path, *conn_);
  ASSERT_TRUE(table
                  .Write("SELECT 'APPO' || i AS \"AppointmentID\", "
                         "(i % 12 + 1) || '/' || (i % 28 + 1) || '/2023' AS \"Date\", "
                         "i::INTEGER AS \"Slot\", 'run-1' AS _run_id "
                         "FROM range(1, 501) t(i)",
                         {})
                  .ok());
  auto tables = SourceTables(project_, "appointments", "", LocalFileSystem());
  ASSERT_TRUE(tables.ok()) << tables.status();
  ASSERT_EQ(tables->size(), 1u);
  EXPECT_EQ((*tables)[0].Qualified(), "bronze.appointment");

  auto profile = ProfileTable((*tables)[0], "appointments", 100, LocalFileSystem(), *conn_);
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(profile->rows_sampled, 100);
  EXPECT_EQ(profile->rows_total, 500);
  EXPECT_EQ(profile->column_order, (std::vector<std::string>{"AppointmentID", "Date", "Slot"}));
  EXPECT_EQ(profile->typed.at("Slot"), "INTEGER");
  ASSERT_EQ(profile->columns.size(), 2u);
  EXPECT_TRUE(profile->columns[0].candidate_key);
  EXPECT_EQ(profile->columns[1].kind, Kind::kDate);
  EXPECT_EQ(profile->columns[1].format, "%m/%d/%Y");
  EXPECT_EQ(profile->columns[1].fit, 100);

  auto whole = ProfileTable((*tables)[0], "appointments", 10000, LocalFileSystem(), *conn_);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->rows_sampled, 500);
}

}  // namespace
}  // namespace carelake::infer
