// Every run that starts is recorded, whatever fails: a failure is injected
// through the file system at each stage of a run — the `runs` row at the
// start, bronze's `files` rows, the silver commit, view registration before
// the model step, the model commit, the `steps` and `expectations` rows and
// the final `runs` row — and the ledger is read back. After each, a run
// without the failure completes the work exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/ledger/reader.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

// The local file system, failing the operations `fail` picks.
class FailingFileSystem : public FileSystem {
 public:
  std::function<bool(std::string_view op, const std::string& path)> fail;

  Result<std::string> ReadFile(const std::string& path) override {
    if (Fails("read", path)) return Injected("read", path);
    return base_.ReadFile(path);
  }
  Status WriteFileIfAbsent(const std::string& path, std::string_view data) override {
    if (Fails("write", path)) return Injected("write", path);
    return base_.WriteFileIfAbsent(path, data);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    if (Fails("write", path)) return Injected("write", path);
    return base_.WriteFileAtomic(path, data);
  }
  Result<std::vector<FileInfo>> List(const std::string& dir) override {
    if (Fails("list", dir)) return Injected("list", dir);
    return base_.List(dir);
  }
  Result<FileInfo> Stat(const std::string& path) override { return base_.Stat(path); }
  bool Exists(const std::string& path) override { return base_.Exists(path); }
  Status RemoveFile(const std::string& path) override { return base_.RemoveFile(path); }
  Status RemoveEmptyDirectory(const std::string& path) override {
    return base_.RemoveEmptyDirectory(path);
  }
  Status CreateDirectories(const std::string& path) override {
    return base_.CreateDirectories(path);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (Fails("write", to)) return Injected("write", to);
    return base_.Rename(from, to);
  }

 private:
  bool Fails(std::string_view op, const std::string& path) { return fail && fail(op, path); }
  static Status Injected(std::string_view op, const std::string& path) {
    return Unavailable("injected failure: " + std::string(op) + " " + path);
  }
  FileSystem& base_ = LocalFileSystem();
};

constexpr char kProject[] = R"yaml(name: clinic
sources:
  - name: visits
    format: csv
    path: landing/*.csv
silver:
  - name: visits
    from: bronze.visits
    key: [visit_id]
    columns:
      - {name: visit_id, type: BIGINT}
      - {name: patient, type: VARCHAR}
    expectations:
      - {name: has_patient, check: "patient IS NOT NULL", action: quarantine}
)yaml";

constexpr char kModel[] = "SELECT count(*) AS visits FROM silver.visits\n";

struct Stage {
  const char* name;
  // Whether RunProject itself fails (the run cannot be recorded).
  bool unrecorded;
  // What the ledger says of the failed run: status and failed step.
  const char* status;
  const char* failed_step;
  const char* error_part;
};

class RunLedgerTest : public delta::LakeTest, public ::testing::WithParamInterface<Stage> {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    fs::create_directories(dir_ / "landing");
    fs::create_directories(dir_ / "models");
    std::ofstream(dir_ / "carelake.yaml") << kProject;
    std::ofstream(dir_ / "models" / "visit_count.sql") << kModel;
    std::ofstream(dir_ / "landing" / "a.csv") << "visit_id,patient\n1,ana\n2,\n3,bo\n4,cy\n";
    auto p = project::LoadProject(dir_.string());
    ASSERT_TRUE(p.ok()) << p.status();
    project_ = std::move(*p);
  }

  static bool Under(const std::string& path, const std::string& table) {
    return path.find("/" + table + "/_delta_log") != std::string::npos;
  }

  // Arms `fs_` to fail the stage `name`.
  void Inject(const std::string& name, RunOptions& options) {
    if (name == "runs start") {
      fs_.fail = [](std::string_view op, const std::string& p) {
        return op == "write" && Under(p, "_system/runs");
      };
    } else if (name == "files") {
      fs_.fail = [](std::string_view op, const std::string& p) {
        return op == "write" && Under(p, "_system/files");
      };
    } else if (name == "silver commit") {
      fs_.fail = [](std::string_view op, const std::string& p) {
        return op == "write" && Under(p, "silver/clinic/visits");
      };
    } else if (name == "view registration") {
      // The first log listing after silver's step ends: the model step's
      // view registration, its first act.
      options.on_step = [this](const StepReport& s, bool done) {
        if (done && s.name == "silver.visits") armed_ = true;
      };
      fs_.fail = [this](std::string_view op, const std::string& p) {
        return op == "list" && p.find("_delta_log") != std::string::npos && armed_.exchange(false);
      };
    } else if (name == "model commit") {
      fs_.fail = [](std::string_view op, const std::string& p) {
        return op == "write" && Under(p, "gold/clinic/visit_count");
      };
    } else if (name == "steps") {
      fs_.fail = [](std::string_view op, const std::string& p) {
        return op == "write" && Under(p, "_system/steps");
      };
    } else if (name == "expectations") {
      fs_.fail = [](std::string_view op, const std::string& p) {
        return op == "write" && Under(p, "_system/expectations");
      };
    } else if (name == "runs end") {
      fs_.fail = [this](std::string_view op, const std::string& p) {
        return op == "write" && Under(p, "_system/runs") && ++runs_writes_ > 1;
      };
    } else {
      FAIL() << "unknown stage " << name;
    }
  }

  int64_t Count(const std::string& table) {
    EXPECT_TRUE(catalog::RegisterViews(project_, LocalFileSystem(), *conn_).ok());
    return Int("SELECT count(*) FROM " + table);
  }

  project::Project project_;
  FailingFileSystem fs_;
  std::atomic<bool> armed_ = false;
  int runs_writes_ = 0;
};

TEST_P(RunLedgerTest, EveryStartedRunIsRecorded) {
  const Stage& stage = GetParam();
  RunOptions options;
  Inject(stage.name, options);
  auto failed = RunProject(project_, options, fs_, *conn_);
  fs_.fail = nullptr;

  auto reader = ledger::Reader::Open(project_, LocalFileSystem(), *conn_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto runs = reader->Runs();
  ASSERT_TRUE(runs.ok()) << runs.status();
  if (std::string(stage.name) == "runs start") {
    // Not recorded, and so not started: nothing was ingested.
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.status().message().find("_system.runs"), std::string::npos) << failed.status();
    EXPECT_TRUE(runs->empty());
    EXPECT_FALSE(fs::exists(dir_ / "lake" / "bronze"));
  } else {
    ASSERT_EQ(failed.ok(), !stage.unrecorded) << failed.status();
    ASSERT_EQ(runs->size(), 1u);
    const ledger::RunRecord& run = runs->front();
    EXPECT_EQ(ledger::ToString(run.status), stage.status);
    EXPECT_EQ(run.failed_step, stage.failed_step);
    EXPECT_NE(run.error.find(stage.error_part), std::string::npos) << run.error;
    if (failed.ok()) {
      EXPECT_EQ(failed->run_id, run.run_id);
      EXPECT_FALSE(failed->succeeded);
      EXPECT_TRUE(run.finished_ms.has_value());
    } else {
      EXPECT_FALSE(run.finished_ms.has_value());  // shows as still started
    }
  }

  // The next run completes the work exactly once.
  auto next = RunProject(project_, {}, LocalFileSystem(), *conn_);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(next->succeeded) << next->error;
  EXPECT_EQ(Count("bronze.visits"), 4);
  EXPECT_EQ(Count("silver.visits"), 3);
  EXPECT_EQ(Count("silver.visits__quarantine"), 1);
  EXPECT_EQ(Int("SELECT visits FROM gold.visit_count"), 3);
  auto after = ledger::Reader::Open(project_, LocalFileSystem(), *conn_);
  ASSERT_TRUE(after.ok());
  auto last = after->FindRun(next->run_id);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->status, ledger::RunStatus::kSucceeded);
}

INSTANTIATE_TEST_SUITE_P(
    Stages, RunLedgerTest,
    ::testing::Values(
        Stage{"runs start", true, "", "", ""},
        Stage{"files", false, "failed", "bronze.visits", "_system.files"},
        Stage{"silver commit", false, "failed", "silver.visits", "injected failure"},
        Stage{"view registration", false, "failed", "gold.visit_count", "injected failure"},
        Stage{"model commit", false, "failed", "gold.visit_count", "injected failure"},
        Stage{"steps", false, "failed", "", "_system.steps"},
        Stage{"expectations", false, "failed", "", "_system.expectations"},
        Stage{"runs end", true, "started", "", ""}),
    [](const ::testing::TestParamInfo<Stage>& info) {
      std::string name = info.param.name;
      for (char& c : name) c = c == ' ' ? '_' : c;
      return name;
    });

}  // namespace
}  // namespace carelake::pipeline
