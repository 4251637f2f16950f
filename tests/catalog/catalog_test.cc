// The catalog: names and paths of a project's tables, and views that follow
// new commits — including commits made by another process while one
// connection stays open.
#include "carelake/catalog/catalog.h"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/delta/table.h"

extern char** environ;

namespace carelake::catalog {
namespace {

namespace stdfs = std::filesystem;

// Runs delta_worker with `args` and waits for it; its exit status.
int RunWorker(const std::vector<std::string>& args) {
  std::vector<std::string> all = {CARELAKE_DELTA_WORKER};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (const std::string& a : all) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class CatalogTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    project_.name = "clinic";
    project_.dir = dir_.string();
    project_.lake = (dir_ / "lake").string();
    project::Source s;
    s.name = "visits_export";
    s.table = "visits";
    project_.sources.push_back(s);
    project::SilverTable t;
    t.name = "visits";
    t.domain = "care";
    t.from = "bronze.visits";
    project_.silver.push_back(t);
  }
  project::Project project_;
};

TEST(LayerTest, NamesRoundTrip) {
  for (Layer l : kLayers) EXPECT_EQ(ParseLayer(ToString(l)), l);
  EXPECT_EQ(ToString(Layer::kSystem), "_system");
  EXPECT_FALSE(ParseLayer("platinum").has_value());
}

TEST(OwnerTableTest, CompanionsBelongToTheirTable) {
  EXPECT_EQ(OwnerTable("silver.visits__quarantine"), "silver.visits");
  EXPECT_EQ(OwnerTable("gold.dim_patient__changes"), "gold.dim_patient");
  EXPECT_EQ(OwnerTable("gold.dim_patient"), "gold.dim_patient");
}

TEST_F(CatalogTest, LaysOutTheProjectsTables) {
  const auto paths = TablePaths(project_);
  EXPECT_EQ(paths.at("bronze.visits"), project_.lake + "/bronze/visits_export/visits");
  EXPECT_EQ(paths.at("bronze.visits__quarantine"),
            project_.lake + "/bronze/visits_export/visits__quarantine");
  EXPECT_EQ(paths.at("silver.visits"), project_.lake + "/silver/care/visits");
  for (std::string_view t : kSystemTables) {
    EXPECT_EQ(paths.at("_system." + std::string(t)), SystemTablePath(project_.lake, t));
  }
  EXPECT_EQ(paths.size(), 4u + kSystemTables.size());
}

TEST_F(CatalogTest, ALongLivedConnectionSeesCommitsOfAnotherProcess) {
  Catalog catalog(project_, LocalFileSystem());
  auto first = catalog.Refresh(*conn_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->replaced.empty());  // nothing exists yet
  EXPECT_TRUE(catalog.Registered().empty());

  const std::string path = TablePaths(project_).at("bronze.visits");
  ASSERT_EQ(RunWorker({"append", path, "a", "0", "1", "25"}), 0);  // version 0: 25 rows
  auto second = catalog.Refresh(*conn_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->replaced, std::vector<std::string>{"bronze.visits"});
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.visits"), 25);
  EXPECT_EQ(catalog.ViewVersion("bronze.visits"), 0);

  // Another process commits twice more; the view still reads what it read
  // (one snapshot) until the catalog refreshes, then sees every row.
  ASSERT_EQ(RunWorker({"append", path, "b", "1000", "2", "10"}), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.visits"), 25);
  auto third = catalog.Refresh(*conn_);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->replaced, std::vector<std::string>{"bronze.visits"});
  EXPECT_EQ(catalog.ViewVersion("bronze.visits"), 2);
  delta::DeltaTable table(LocalFileSystem(), path, *conn_);
  auto expected = table.ScanSql();
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.visits"),
            Int("SELECT count(*) FROM (" + *expected + ")"));
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.visits"), 45);

  // Nothing new: nothing replaced.
  auto fourth = catalog.Refresh(*conn_);
  ASSERT_TRUE(fourth.ok());
  EXPECT_TRUE(fourth->replaced.empty());
  EXPECT_TRUE(fourth->dropped.empty());

  // The table is removed: its view goes.
  stdfs::remove_all(path);
  auto fifth = catalog.Refresh(*conn_);
  ASSERT_TRUE(fifth.ok()) << fifth.status();
  EXPECT_EQ(fifth->dropped, std::vector<std::string>{"bronze.visits"});
  EXPECT_FALSE(conn_->Query("SELECT count(*) FROM bronze.visits").ok());
}

TEST_F(CatalogTest, TheRunsViewShowsTheLatestRowOfEachRun) {
  delta::DeltaTable runs(LocalFileSystem(), SystemTablePath(project_.lake, "runs"), *conn_);
  ASSERT_TRUE(runs.Write("SELECT * FROM (VALUES ('r1', 'started', NULL::TIMESTAMPTZ), "
                         "('r1', 'succeeded', TIMESTAMPTZ '2026-12-01 10:00:00+00'), "
                         "('r2', 'started', NULL::TIMESTAMPTZ)) t(run_id, status, finished_at)",
                         {})
                  .ok());
  auto views = RegisterViews(project_, LocalFileSystem(), *conn_);
  ASSERT_TRUE(views.ok()) << views.status();
  EXPECT_EQ(*views, std::vector<std::string>{"_system.runs"});
  EXPECT_EQ(Int("SELECT count(*) FROM _system.runs"), 2);
  EXPECT_EQ(Int("SELECT count(*) FROM _system.runs WHERE run_id = 'r1' AND status = 'succeeded'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM _system.runs WHERE run_id = 'r2' AND status = 'started'"), 1);
}

TEST_F(CatalogTest, AnUnreadableLogFailsNamingTheTable) {
  const std::string path = TablePaths(project_).at("silver.visits");
  stdfs::create_directories(path + "/_delta_log");
  { std::ofstream(path + "/_delta_log/00000000000000000000.json") << "{not json\n"; }
  Catalog catalog(project_, LocalFileSystem());
  auto r = catalog.Refresh(*conn_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("silver.visits"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace carelake::catalog
