// Gold SQL models built directly through model/'s API: a full model is its
// query over the inputs and is rebuilt only when an input changed; an
// incremental model reads only new rows; a model SQL error points into the
// model's file; no step leaves a temporary table behind.
#include "carelake/model/gold.h"

#include <gtest/gtest.h>

#include <string>

#include "model_lake_test.h"

namespace carelake::model {
namespace {

constexpr char kByClinic[] = "SELECT clinic, count(*) AS visits FROM silver.visits GROUP BY ALL";

class GoldTest : public ModelLakeTest {
 protected:
  void AddVisits(int from, int to) {
    Append("silver.visits", "SELECT i AS visit_id, 'c' || (i % 4)::VARCHAR AS clinic FROM range(" +
                                std::to_string(from) + ", " + std::to_string(to) + ") t(i)");
  }
  static project::Model Model(const std::string& name, const std::string& sql) {
    project::Model m;
    m.name = name;
    m.sql_file = "models/" + name + ".sql";
    m.sql = sql;
    return m;
  }
};

TEST_F(GoldTest, AFullModelIsItsQueryAndIsRebuiltOnlyWhenAnInputChanged) {
  AddVisits(0, 50);
  const project::Model m = Model("visits_by_clinic", kByClinic);
  auto r = RunGoldModel(m, {"silver.visits"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->committed) << r->message;
  EXPECT_EQ(r->mode, BuildMode::kFull);
  EXPECT_EQ(r->reason, "new table");
  EXPECT_EQ(r->rows_read, Int("SELECT count(DISTINCT clinic) FROM silver.visits"));
  EXPECT_EQ(Difference("SELECT * FROM gold.visits_by_clinic", kByClinic), 0);
  const int64_t version = Version("gold.visits_by_clinic");

  auto same = RunGoldModel(m, {"silver.visits"});
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_FALSE(same->committed);
  EXPECT_EQ(same->message, "up to date (no referenced table changed)");
  EXPECT_EQ(Version("gold.visits_by_clinic"), version);

  AddVisits(50, 130);
  auto changed = RunGoldModel(m, {"silver.visits"});
  ASSERT_TRUE(changed.ok()) << changed.status();
  ASSERT_TRUE(changed->committed) << changed->message;
  EXPECT_EQ(changed->reason, "new data in silver.visits (version 0 -> 1)");
  EXPECT_EQ(Difference("SELECT * FROM gold.visits_by_clinic", kByClinic), 0);
  EXPECT_EQ(TempTableCount(), 0);
}

TEST_F(GoldTest, AnIncrementalModelAppendsOnlyTheNewRows) {
  AddVisits(0, 30);
  project::Model m = Model("visit_log", "SELECT visit_id, clinic FROM new_rows(silver.visits)");
  m.materialized = project::Materialization::kIncremental;
  ASSERT_TRUE(RunGoldModel(m, {"silver.visits"}).ok());
  AddVisits(30, 45);
  auto r = RunGoldModel(m, {"silver.visits"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->committed) << r->message;
  EXPECT_EQ(r->mode, BuildMode::kIncremental);
  EXPECT_EQ(r->rows_read, 15);
  EXPECT_EQ(r->rows_written, 15);
  // Every silver row once.
  EXPECT_EQ(
      Difference("SELECT * FROM gold.visit_log", "SELECT visit_id, clinic FROM silver.visits"), 0);
  EXPECT_EQ(TempTableCount(), 0);
}

TEST_F(GoldTest, AnErrorInTheModelsSqlPointsIntoItsFile) {
  AddVisits(0, 10);
  const project::Model m =
      Model("broken", "SELECT clinic,\n  max(nope) AS m\nFROM silver.visits GROUP BY ALL");
  auto r = RunGoldModel(m, {"silver.visits"});
  ASSERT_FALSE(r.ok());
  const std::string error = r.status().message();
  EXPECT_EQ(error.rfind("models/broken.sql:2:7: Binder Error: Referenced column \"nope\"", 0), 0u)
      << error;
  EXPECT_NE(error.find("\n    max(nope) AS m\n        ^"), std::string::npos) << error;
  EXPECT_EQ(error.find("_model_rows"), std::string::npos) << error;
  EXPECT_EQ(Version("gold.broken"), -1);
  EXPECT_EQ(TempTableCount(), 0);
}

}  // namespace
}  // namespace carelake::model
