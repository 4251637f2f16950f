// The query session: a long-lived session sees each new commit and each new
// table; an untrusted session reads the project's tables and refuses
// everything else before running anything; errors leave the session usable.
#include "carelake/query/session.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::query {
namespace {

namespace fs = std::filesystem;

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
)yaml";

class SessionTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    fs::create_directories(dir_ / "landing");
    std::ofstream(dir_ / "carelake.yaml") << kProject;
    Land("a.csv", "1,ana\n2,bo\n");
  }

  void Land(const std::string& name, const std::string& rows) {
    std::ofstream(dir_ / "landing" / name) << "visit_id,patient\n" << rows;
  }

  project::Project Project() {
    auto p = project::LoadProject(dir_.string());
    EXPECT_TRUE(p.ok()) << p.status();
    return *p;
  }

  // A run in another database (as another process would), on the fixture's
  // connection.
  void RunPipeline() {
    auto r = pipeline::RunProject(Project(), {}, LocalFileSystem(), *conn_);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->succeeded) << r->error;
  }

  std::unique_ptr<Session> Open(bool untrusted) {
    SessionOptions options;
    options.project = Project();
    options.untrusted = untrusted;
    auto s = Session::Open(options, LocalFileSystem());
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // The rows of `sql` through `session`, each row's cells joined by '|'.
  static Result<std::vector<std::string>> Lines(Session& session, const std::string& sql) {
    std::vector<std::string> lines;
    Status s = session.Execute(sql, [&](engine::QueryResult& result) -> Status {
      CARELAKE_ASSIGN_OR_RETURN(auto rows, result.FetchAllRows());
      for (const auto& row : rows) {
        std::string line;
        for (const engine::Value& v : row) line += (line.empty() ? "" : "|") + v.ToString();
        lines.push_back(line);
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return lines;
  }

  std::string Lake() const { return (dir_ / "lake").string(); }
};

TEST_F(SessionTest, ALongLivedSessionSeesNewCommitsAndNewTables) {
  RunPipeline();
  std::unique_ptr<Session> session = Open(/*untrusted=*/false);
  ASSERT_NE(session, nullptr);
  auto before = Lines(*session, "SELECT count(*) FROM silver.visits");
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->front(), "2");
  // A table that appears after the session opened: the ledger's runs, and a
  // table created only now.
  auto runs = Lines(*session, "SELECT count(*) FROM _system.runs");
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_EQ(runs->front(), "1");

  Land("b.csv", "3,cy\n4,di\n5,ed\n");
  RunPipeline();
  auto after = Lines(*session, "SELECT count(*) FROM silver.visits");
  ASSERT_TRUE(after.ok()) << after.status();
  // The same count as a direct read of the table's latest snapshot.
  ASSERT_TRUE(catalog::RegisterViews(Project(), LocalFileSystem(), *conn_).ok());
  const int64_t direct = Int("SELECT count(*) FROM silver.visits");
  EXPECT_EQ(after->front(), "5");
  EXPECT_EQ(direct, 5);
  EXPECT_EQ(Lines(*session, "SELECT count(*) FROM _system.runs")->front(), "2");
}

TEST_F(SessionTest, AnUntrustedSessionReadsTheProjectAndNothingElse) {
  RunPipeline();
  std::unique_ptr<Session> session = Open(/*untrusted=*/true);
  ASSERT_NE(session, nullptr);
  auto rows = Lines(*session, "SELECT visit_id, patient FROM silver.visits ORDER BY visit_id");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (std::vector<std::string>{"1|ana", "2|bo"}));
  // delta_scan of a lake table works (its log is read below the lake)...
  auto scanned =
      Lines(*session, "SELECT count(*) FROM delta_scan('" + Lake() + "/silver/clinic/visits')");
  ASSERT_TRUE(scanned.ok()) << scanned.status();
  EXPECT_EQ(scanned->front(), "2");
  // ...elsewhere it does not.
  auto outside = Lines(*session, "SELECT * FROM delta_scan('/etc')");
  EXPECT_EQ(outside.status().code(), StatusCode::kPermissionDenied) << outside.status();

  // Inside a table's folder, where the session's database may write: only
  // the read-only check stands in the way.
  const std::string file = Lake() + "/silver/clinic/visits/leak.csv";
  for (const std::string& sql :
       {std::string("SELECT * FROM read_csv('/etc/passwd')"),
        std::string("SET enable_external_access = true"), "COPY (SELECT 1) TO '" + file + "'",
        std::string("CREATE TABLE t AS SELECT 1"), "ATTACH '" + (dir_ / "other.db").string() + "'",
        std::string("INSTALL httpfs"), std::string("LOAD httpfs")}) {
    auto r = Lines(*session, sql);
    EXPECT_FALSE(r.ok()) << sql;
    EXPECT_TRUE(r.status().code() == StatusCode::kPermissionDenied ||
                r.status().code() == StatusCode::kInvalidArgument)
        << sql << ": " << r.status();
  }
  // A script is refused as a whole: its first statement does not run.
  auto script = Lines(*session, "SELECT 1; COPY (SELECT 1) TO '" + file + "'");
  EXPECT_EQ(script.status().code(), StatusCode::kPermissionDenied) << script.status();
  EXPECT_NE(script.status().message().find("statement 2 (COPY) is not allowed"), std::string::npos)
      << script.status();
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(fs::exists(dir_ / "other.db"));
  // What clients send at connect still works; the session is in UTC.
  EXPECT_TRUE(Lines(*session, "BEGIN; SELECT 1; COMMIT").ok());
  EXPECT_EQ(Lines(*session, "SELECT current_setting('TimeZone')")->front(), "UTC");
  // And the session is still usable.
  EXPECT_EQ(Lines(*session, "SELECT count(*) FROM silver.visits")->front(), "2");
}

TEST_F(SessionTest, ASyntaxErrorLeavesTheSessionUsable) {
  RunPipeline();
  std::unique_ptr<Session> session = Open(/*untrusted=*/false);
  ASSERT_NE(session, nullptr);
  auto bad = Lines(*session, "SELECT * FORM silver.visits");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("syntax error"), std::string::npos) << bad.status();
  auto good = Lines(*session, "SELECT count(*) FROM silver.visits");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->front(), "2");
}

// An untrusted session spills into its own folder, named with its process,
// and removes it when it ends; a process killed before that leaves its
// folders behind, and the next session removes them.
TEST_F(SessionTest, SpillFoldersOfGoneProcessesAreRemoved) {
  RunPipeline();
  const fs::path temp = dir_ / "tmp";
  fs::create_directories(temp);
  const char* saved = std::getenv("TMPDIR");
  const std::string saved_value = saved ? saved : "";
  ::setenv("TMPDIR", temp.c_str(), 1);
  const pid_t gone = ::fork();  // a process that existed and is gone
  if (gone == 0) ::_exit(0);
  ASSERT_GT(gone, 0);
  ::waitpid(gone, nullptr, 0);
  const fs::path orphan = temp / ("carelake-session-" + std::to_string(gone) + "-Ab12Cd");
  const fs::path live = temp / ("carelake-session-" + std::to_string(::getpid()) + "-Ef34Gh");
  const fs::path unnamed = temp / "carelake-session-Ij56Kl";  // not ours to judge
  for (const fs::path& p : {orphan, live, unnamed}) {
    fs::create_directories(p);
    std::ofstream(p / "spill.tmp") << "x";
  }
  std::unique_ptr<Session> session = Open(/*untrusted=*/true);
  ASSERT_NE(session, nullptr);
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(unnamed));
  int own = 0;
  const std::string prefix = "carelake-session-" + std::to_string(::getpid()) + "-";
  for (const auto& e : fs::directory_iterator(temp)) {
    own += e.path().filename().string().rfind(prefix, 0) == 0 && e.path() != live;
  }
  EXPECT_EQ(own, 1);  // the session's own folder
  session.reset();
  own = 0;
  for (const auto& e : fs::directory_iterator(temp)) {
    own += e.path().filename().string().rfind(prefix, 0) == 0 && e.path() != live;
  }
  EXPECT_EQ(own, 0);
  if (saved) {
    ::setenv("TMPDIR", saved_value.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
}

TEST_F(SessionTest, AnUntrustedSessionNeedsAProject) {
  SessionOptions options;
  options.untrusted = true;
  auto s = Session::Open(options, LocalFileSystem());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace carelake::query
