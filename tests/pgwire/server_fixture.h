// A pgwire server on a small project, in process, for tests that talk to it
// with real clients (psql) or raw protocol bytes: the project's `clinic`
// silver table is built by a real pipeline run, user `ana` (password
// kPassword) is added to the project's users, and the server listens on a
// free loopback port with its self-signed TLS certificate.
#ifndef CARELAKE_TESTS_PGWIRE_SERVER_FIXTURE_H_
#define CARELAKE_TESTS_PGWIRE_SERVER_FIXTURE_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "carelake/auth/user_store.h"
#include "carelake/base/file_system.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/pgwire/server.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

extern "C" char** environ;

namespace carelake::pgwire::testing {

inline constexpr char kPassword[] = "s3cret-pass";

inline constexpr char kProjectYaml[] = R"yaml(name: clinic
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
      - {name: amount, type: "DECIMAL(12,2)"}
      - {name: seen_on, type: DATE}
models:
  - {name: all_types, materialized: incremental, strategy: merge, key: id}
)yaml";

// A gold table with a column of each type a Delta table holds, and a row
// of NULLs (id 2). Types Delta has no place for (time, interval, uuid,
// json) are computed by the clients' query (kAllTypesQuery).
inline constexpr char kAllTypesSql[] = R"sql(-- One column per PostgreSQL type a lake table holds.
SELECT * FROM (VALUES
  (1, true, 7::SMALLINT, 42::INTEGER, 9007199254740993::BIGINT, 1.5::FLOAT, 0.1::DOUBLE,
   1234.56::DECIMAL(12,2), 'héllo, "world"', '\xDE\xAD\xBE\xEF'::BLOB, DATE '2024-02-29',
   TIMESTAMP '2024-02-29 13:45:07.123456', TIMESTAMPTZ '2024-02-29 13:45:07+00',
   [1, 2, NULL]::INTEGER[], ['x', 'y z']::VARCHAR[]),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(id, flag, small, num, big, real4, dbl, money, txt, bin, d, ts, tstz, ints, texts)
)sql";

// What every client reads: the table, and the types only a query makes.
inline constexpr char kAllTypesQuery[] =
    "SELECT *, CASE WHEN id = 1 THEN TIME '13:45:07.25' END AS t, "
    "CASE WHEN id = 1 THEN INTERVAL '1 year 2 months 3 days 04:05:06' END AS iv, "
    "CASE WHEN id = 1 THEN '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID END AS uid, "
    "CASE WHEN id = 1 THEN '{\"a\": [1, 2]}'::JSON END AS doc "
    "FROM gold.all_types ORDER BY id";

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class PgServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("carelake_pg_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "landing");
    std::ofstream(dir_ / "carelake.yaml") << kProjectYaml;
    std::filesystem::create_directories(dir_ / "models");
    std::ofstream(dir_ / "models" / "all_types.sql") << kAllTypesSql;
    Land("a.csv", "1,ana,10.50,2024-01-02\n2,bo,,2024-02-03\n");
    RunPipeline();
    auto project = project::LoadProject(dir_.string());
    ASSERT_TRUE(project.ok()) << project.status();
    project_ = std::make_shared<const project::Project>(*project);
    auto users = auth::UserStore::Load(auth::UserStore::PathFor(project_->lake));
    ASSERT_TRUE(users.ok()) << users.status();
    ASSERT_TRUE(users->Add("ana", "reader", kPassword, 0).ok());
    ASSERT_TRUE(users->Save().ok());
  }

  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    if (options.tls_dir.empty()) options.tls_dir = (dir_ / "tls").string();
    auto server = Server::Start(
        options, [p = project_] { return p; }, LocalFileSystem());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  void Land(const std::string& name, const std::string& rows) {
    std::ofstream(dir_ / "landing" / name) << "visit_id,patient,amount,seen_on\n" << rows;
  }

  void RunPipeline() {
    auto project = project::LoadProject(dir_.string());
    ASSERT_TRUE(project.ok()) << project.status();
    auto db = engine::Database::OpenInMemory();
    ASSERT_TRUE(db.ok());
    auto conn = engine::OpenLakeConnection(**db);
    ASSERT_TRUE(conn.ok());
    auto run = pipeline::RunProject(*project, {}, LocalFileSystem(), *conn);
    ASSERT_TRUE(run.ok()) << run.status();
  }

  // A libpq connection string for user ana.
  std::string Dsn(const std::string& extra = "sslmode=disable") const {
    return "host=127.0.0.1 port=" + std::to_string(server_->port()) +
           " user=ana dbname=clinic connect_timeout=10 " + extra;
  }

  // Runs psql (no .psqlrc, unaligned, tuples only unless `tuples_only` is
  // false) with `sql` on stdin.
  CommandResult Psql(const std::string& sql, const std::string& dsn_extra = "sslmode=disable",
                     const std::string& password = kPassword, bool tuples_only = true,
                     const std::string& prefix = "") {
    const std::string base = (dir_ / "psql").string() + std::to_string(++psql_runs_);
    std::ofstream(base + ".sql") << sql;
    const std::string cmd = "PGPASSWORD='" + password + "' PGCONNECT_TIMEOUT=10 " + prefix +
                            "psql -X -q -v ON_ERROR_STOP=1 -A " + (tuples_only ? "-t " : "") +
                            "\"" + Dsn(dsn_extra) + "\" -f " + base + ".sql > " + base +
                            ".out 2> " + base + ".err";
    CommandResult r;
    const int status = std::system(cmd.c_str());
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(base + ".out");
    r.err = Slurp(base + ".err");
    return r;
  }

  // Runs `argv` (no shell) with `env` added to the environment; its output
  // is captured.
  CommandResult Run(const std::vector<std::string>& argv,
                    const std::vector<std::string>& env = {}) {
    const std::string base = (dir_ / "cmd").string() + std::to_string(++psql_runs_);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (base + ".out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, (base + ".err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.insert(env_strings.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    CommandResult r;
    pid_t pid = 0;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data()) == 0) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    r.out = Slurp(base + ".out");
    r.err = Slurp(base + ".err");
    return r;
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::filesystem::path dir_;
  std::shared_ptr<const project::Project> project_;
  std::unique_ptr<Server> server_;
  int psql_runs_ = 0;
};

}  // namespace carelake::pgwire::testing

#endif  // CARELAKE_TESTS_PGWIRE_SERVER_FIXTURE_H_
