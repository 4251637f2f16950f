// Several processes writing one table at once, and writers killed with
// SIGKILL at random points. Set CARELAKE_STRESS_KILLS=N for a longer run
// (the default run kills the writer a few times only).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "carelake/delta/table.h"
#include "carelake/delta/transaction.h"
#include "carelake/engine/database.h"
#include "lake_test.h"

extern char** environ;

namespace carelake::delta {
namespace {

namespace fs = std::filesystem;

pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

using ConcurrencyTest = LakeTest;

TEST_F(ConcurrencyTest, ProcessesAppendingAndMergingLoseAndDuplicateNothing) {
  const std::string path = (dir_ / "t").string();
  DeltaTable table(LocalFileSystem(), path, *conn_);
  ASSERT_TRUE(table.Write("SELECT i AS id, 0 AS val FROM range(0, 1000) t(i)", {}).ok());

  constexpr int kAppenders = 4, kAppendSteps = 6, kRows = 50, kMergers = 2, kMergeSteps = 3;
  std::vector<pid_t> pids;
  for (int a = 0; a < kAppenders; ++a) {
    pids.push_back(Spawn({CARELAKE_DELTA_WORKER, "append", path, "app" + std::to_string(a),
                          std::to_string(100000 + a * 10000), std::to_string(kAppendSteps),
                          std::to_string(kRows)}));
  }
  for (int m = 0; m < kMergers; ++m) {
    pids.push_back(Spawn({CARELAKE_DELTA_WORKER, "merge", path, std::to_string(m),
                          std::to_string(kMergeSteps), std::to_string(kMergers)}));
  }
  for (pid_t pid : pids) {
    ASSERT_GT(pid, 0);
    EXPECT_EQ(Wait(pid), 0);
  }

  auto scan = table.ScanSql();
  ASSERT_TRUE(scan.ok()) << scan.status();
  const std::string rows = "(" + *scan + ")";
  // Every appended id exactly once; base rows hold their merger's last value.
  EXPECT_EQ(Int("SELECT count(*) FROM " + rows), 1000 + kAppenders * kAppendSteps * kRows);
  EXPECT_EQ(Int("SELECT count(DISTINCT id) FROM " + rows),
            1000 + kAppenders * kAppendSteps * kRows);
  EXPECT_EQ(Int("SELECT count(*) FROM " + rows + " WHERE id >= 100000 AND val = -1"),
            kAppenders * kAppendSteps * kRows);
  EXPECT_EQ(Int("SELECT count(*) FROM " + rows + " WHERE id < 1000 AND val = (id % " +
                std::to_string(kMergers) + ") * 1000 + " + std::to_string(kMergeSteps - 1)),
            1000);
  // No lost or duplicated commits: one per operation, versions contiguous.
  auto history = table.History();
  ASSERT_TRUE(history.ok());
  int writes = 0, merges = 0;
  for (size_t i = 0; i < history->size(); ++i) {
    EXPECT_EQ((*history)[i].version, static_cast<int64_t>(history->size() - 1 - i));
    writes += (*history)[i].operation == "WRITE";
    merges += (*history)[i].operation == "MERGE";
  }
  EXPECT_EQ(writes, kAppenders * kAppendSteps);
  EXPECT_EQ(merges, kMergers * kMergeSteps);
  auto snap = table.Load();
  ASSERT_TRUE(snap.ok());
  for (int a = 0; a < kAppenders; ++a) {
    EXPECT_EQ((*snap)->app_versions().at("app" + std::to_string(a)), kAppendSteps);
  }
}

TEST_F(ConcurrencyTest, ConflictingMergesOneCommitsTheOtherFailsNamingTheConflict) {
  const std::string path = (dir_ / "t").string();
  DeltaTable table(LocalFileSystem(), path, *conn_);
  ASSERT_TRUE(table.Write("SELECT i AS id, 0 AS val FROM range(0, 100) t(i)", {}).ok());
  auto snap = table.Load();
  ASSERT_TRUE(snap.ok());
  const AddFile file = (*snap)->files().at(0);
  RemoveFile rm;
  rm.path = file.path;
  rm.deletion_timestamp = DefaultClock().WallMillis();
  // Two rewrites of the same file from the same read version.
  Transaction first(table.log(), *conn_, *snap), second(table.log(), *conn_, *snap);
  for (Transaction* t : {&first, &second}) {
    t->ReadWholeTable();
    t->RemoveFiles({rm});
  }
  auto won = first.Commit("MERGE", nlohmann::json::object(), nlohmann::json::object());
  ASSERT_TRUE(won.ok()) << won.status();
  auto lost = second.Commit("MERGE", nlohmann::json::object(), nlohmann::json::object());
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kAborted);
  EXPECT_NE(lost.status().message().find("conflict: version 1 (MERGE"), std::string::npos)
      << lost.status();
  EXPECT_NE(lost.status().message().find(file.path), std::string::npos) << lost.status();

  // Blind appends racing from one read version both commit, no data rewritten.
  auto v1 = table.Load();
  Transaction a(table.log(), *conn_, *v1), b(table.log(), *conn_, *v1);
  auto ca = a.Commit("WRITE", nlohmann::json::object(), nlohmann::json::object());
  auto cb = b.Commit("WRITE", nlohmann::json::object(), nlohmann::json::object());
  ASSERT_TRUE(ca.ok() && cb.ok()) << cb.status();
  EXPECT_EQ(ca->version, 2);
  EXPECT_EQ(cb->version, 3);
  EXPECT_EQ(cb->attempts, 2);

  // A merge that read the table conflicts with a concurrent MERGE's new files.
  auto v3 = table.Load();
  Transaction reader(table.log(), *conn_, *v3), merger(table.log(), *conn_, *v3);
  reader.ReadWholeTable();
  merger.ReadWholeTable();
  AddFile fresh = file;
  fresh.path = "part-new.parquet";
  merger.AddFiles({fresh});
  ASSERT_TRUE(merger.Commit("MERGE", nlohmann::json::object(), nlohmann::json::object()).ok());
  auto stale = reader.Commit("DELETE", nlohmann::json::object(), nlohmann::json::object());
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.status().message().find("added file 'part-new.parquet'"), std::string::npos)
      << stale.status();
}

TEST_F(ConcurrencyTest, OptimizeCommitsDespiteConcurrentAppends) {
  const std::string path = (dir_ / "t").string();
  DeltaTable table(LocalFileSystem(), path, *conn_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(table.Write("SELECT " + std::to_string(i) + " AS id", {}).ok());
  }
  auto snap = table.Load();
  ASSERT_TRUE(snap.ok());
  // OPTIMIZE reads and rewrites the three files ...
  Transaction optimize(table.log(), *conn_, *snap);
  optimize.ReadFiles((*snap)->files());
  std::vector<RemoveFile> removes;
  for (const AddFile& f : (*snap)->files()) {
    RemoveFile r;
    r.path = f.path;
    r.data_change = false;
    removes.push_back(r);
  }
  optimize.RemoveFiles(removes);
  // ... while another process appends.
  ASSERT_TRUE(table.Write("SELECT 99 AS id", {}).ok());
  auto outcome = optimize.Commit("OPTIMIZE", nlohmann::json::object(), nlohmann::json::object());
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->attempts, 2);
  auto after = table.Load();
  ASSERT_EQ((*after)->files().size(), 1u);  // the append survives
}

// The state after step K of delta_worker's crash mode, as SQL.
std::string ExpectedAfter(int64_t k) {
  std::string sql = "SELECT * FROM (VALUES (NULL::BIGINT, NULL::INTEGER)) v(id, val) WHERE false";
  int64_t last_merge = 0;
  for (int64_t s = 1; s <= k; ++s) {
    if (s % 3 == 0) last_merge = s;
  }
  for (int64_t s = 1; s <= k; ++s) {
    if (s % 3 == 0) continue;
    const std::string val = (s == 1 && last_merge > 0) ? std::to_string(last_merge) : "0";
    sql += " UNION ALL SELECT i AS id, " + val + " AS val FROM range(" + std::to_string(s * 100) +
           ", " + std::to_string(s * 100 + 100) + ") t(i)";
  }
  return sql;
}

TEST_F(ConcurrencyTest, WriterKilledAtRandomPointsLeavesOnlyCommittedVersions) {
  const char* env = std::getenv("CARELAKE_STRESS_KILLS");
  const int kills = env != nullptr ? std::atoi(env) : 8;
  const std::string path = (dir_ / "t").string();
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_ms(0, 250);
  DeltaTable table(LocalFileSystem(), path, *conn_);
  int64_t last_k = 0;
  for (int i = 0; i < kills; ++i) {
    pid_t pid = Spawn({CARELAKE_DELTA_WORKER, "crash", path});
    ASSERT_GT(pid, 0);
    // Until the first commit lands (a slow machine, a sanitizer build), wait longer.
    const int settle = last_k == 0 ? 300 * (i + 1) : 50;
    std::this_thread::sleep_for(std::chrono::milliseconds(settle + delay_ms(rng)));
    ::kill(pid, SIGKILL);
    ASSERT_EQ(Wait(pid), 128 + SIGKILL) << "the worker stopped by itself: see its error above";
    if (!table.Exists()) continue;
    auto snap = table.Load();
    ASSERT_TRUE(snap.ok()) << "after kill " << i << ": " << snap.status();
    auto it = (*snap)->app_versions().find("crash");
    const int64_t k = it == (*snap)->app_versions().end() ? 0 : it->second;
    EXPECT_GE(k, last_k);
    last_k = k;
  }
  ASSERT_GT(last_k, 0) << "the worker never committed";
  // Every committed version reads exactly as the steps it holds.
  auto history = table.History();
  ASSERT_TRUE(history.ok());
  for (const HistoryEntry& e : *history) {
    auto snap = table.Load(e.version);
    ASSERT_TRUE(snap.ok()) << snap.status();
    auto it = (*snap)->app_versions().find("crash");
    const int64_t k = it == (*snap)->app_versions().end() ? 0 : it->second;
    auto scan = BuildScanSql(**snap, *conn_);
    ASSERT_TRUE(scan.ok()) << scan.status();
    const std::string expected = ExpectedAfter(k);
    EXPECT_EQ(Difference(*scan, expected), 0) << "version " << e.version << " (step " << k << ")";
  }
  // VACUUM removes every leftover: afterwards the folder holds the live files only.
  VacuumOptions now;
  now.retention_ms = 0;
  now.allow_short_retention = true;
  auto vacuum = table.Vacuum(now);
  ASSERT_TRUE(vacuum.ok()) << vacuum.status();
  auto snap = table.Load();
  ASSERT_TRUE(snap.ok());
  std::set<std::string> live, on_disk;
  for (const AddFile& f : (*snap)->files()) live.insert((*snap)->DataFilePath(f.path));
  for (const auto& e : fs::recursive_directory_iterator(path)) {
    const std::string p = e.path().string();
    if (e.is_regular_file() && p.find("/_delta_log/") == std::string::npos) on_disk.insert(p);
    if (p.find("/_delta_log/.") != std::string::npos) ADD_FAILURE() << "left in the log: " << p;
  }
  EXPECT_EQ(on_disk, live);
  EXPECT_FALSE(fs::exists(fs::path(path) / "_carelake_staging"));
  auto scan = table.ScanSql();
  EXPECT_EQ(Int("SELECT count(*) FROM (" + *scan + ")"),
            Int("SELECT count(*) FROM (" + ExpectedAfter(last_k) + ")"));
}

}  // namespace
}  // namespace carelake::delta
