// `carelake serve` as a process: it prints its ready line, answers
// /healthz, /readyz and the run API over real HTTP (cpp-httplib's client),
// refuses a second daemon on the same project naming the first, and exits 0
// on SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli_project.h"
#include "daemon_process.h"

extern char** environ;

namespace {

using carelake::testing_cli::CliProjectTest;
using carelake::testing_cli::CliRun;
using carelake::testing_cli::Daemon;
using carelake::testing_cli::RunIdIn;
using nlohmann::json;

using ServeCommandTest = CliProjectTest;

TEST_F(ServeCommandTest, ServesHealthReadinessAndRunsThenStopsOnSigterm) {
  CliRun run = InProject("run");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string run_id = RunIdIn(run.err, "succeeded");
  ASSERT_FALSE(run_id.empty()) << run.err;

  Daemon daemon;
  ASSERT_TRUE(daemon.Start("--project " + dir_ + " --http 127.0.0.1:0 --pg off"));
  const std::string ready = daemon.FirstLine(30);
  const std::string prefix = "ready http=127.0.0.1:";
  ASSERT_EQ(ready.rfind(prefix, 0), 0u) << ready;
  const int port = std::stoi(ready.substr(prefix.size()));
  ASSERT_GT(port, 0);

  httplib::Client http("127.0.0.1", port);
  auto health = http.Get("/healthz");
  ASSERT_TRUE(health) << "no answer on port " << port;
  EXPECT_EQ(health->status, 200);
  auto readyz = http.Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 200);
  EXPECT_EQ(json::parse(readyz->body)["status"], "ready");

  auto runs = http.Get("/api/runs");
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->status, 200) << runs->body;
  const json list = json::parse(runs->body);
  ASSERT_EQ(list.size(), static_cast<size_t>(QueryInt("SELECT count(*) FROM _system.runs")));
  EXPECT_EQ(list[0]["run_id"], run_id);
  EXPECT_EQ(list[0]["status"], "succeeded");

  auto one = http.Get("/api/runs/" + run_id);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  const json detail = json::parse(one->body);
  EXPECT_EQ(detail["run"]["run_id"], run_id);
  EXPECT_EQ(static_cast<int64_t>(detail["steps"].size()),
            QueryInt("SELECT count(*) FROM _system.steps WHERE run_id = '" + run_id + "'"));
  EXPECT_EQ(http.Get("/api/runs/no-such-run")->status, 404);
  EXPECT_EQ(http.Get("/api/runs?limit=many")->status, 400);
  EXPECT_EQ(http.Get("/nowhere")->status, 404);

  // One daemon per project.
  CliRun second =
      carelake::testing_cli::Carelake("serve --project " + dir_ + " --http 127.0.0.1:0 --pg off");
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_NE(second.err.find("carelake serve is already running for project 'clinic' (pid " +
                            std::to_string(daemon.pid)),
            std::string::npos)
      << second.err;

  EXPECT_EQ(daemon.Terminate(), 0);
  EXPECT_FALSE(http.Get("/healthz")) << "still answering after it stopped";
}

// Jobs run through the daemon: a trigger over HTTP runs one, its `after:`
// job follows, and both are recorded in the ledger with job and trigger.
TEST_F(ServeCommandTest, ATriggeredJobRunsAndItsFollowerToo) {
  std::ofstream(dir_ + "/carelake.yaml", std::ios::app)
      << "jobs:\n  - name: refresh\n  - name: after_refresh\n    after: refresh\n"
         "    select: gold.visits_by_ward\n";
  // Settled: the daemon's runs leave files younger than 2 s for later.
  const std::string landed = dir_ + "/landing/visits-1.csv";
  std::filesystem::last_write_time(
      landed, std::filesystem::last_write_time(landed) - std::chrono::minutes(1));
  Daemon daemon;
  ASSERT_TRUE(daemon.Start("--project " + dir_ + " --http 127.0.0.1:0 --pg off"));
  const std::string ready = daemon.FirstLine(30);
  ASSERT_EQ(ready.rfind("ready http=127.0.0.1:", 0), 0u) << ready;
  httplib::Client http("127.0.0.1", std::stoi(ready.substr(ready.rfind(':') + 1)));

  auto jobs = http.Get("/api/jobs");
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->status, 200);
  EXPECT_EQ(json::parse(jobs->body).size(), 2u);
  EXPECT_EQ(http.Post("/api/jobs/nosuch/trigger")->status, 404);
  // `carelake jobs` finds the daemon through its lock and asks it.
  CliRun listed = InProject("jobs", "--json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(json::parse(listed.out).size(), 2u) << listed.out;
  CliRun unknown = carelake::testing_cli::Carelake("jobs trigger nosuch --project " + dir_);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no job 'nosuch'"), std::string::npos) << unknown.err;
  CliRun queued = carelake::testing_cli::Carelake("jobs trigger refresh --project " + dir_);
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  EXPECT_NE(
      queued.err.find("queued job refresh in carelake serve (pid " + std::to_string(daemon.pid)),
      std::string::npos)
      << queued.err;

  // Both runs land in the ledger (polling: they run on the daemon's thread).
  json runs;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http.Get("/api/runs");
    if (r && r->status == 200) runs = json::parse(r->body);
    if (runs.size() == 2 && runs[0]["status"] != "started" && runs[1]["status"] != "started") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(runs.size(), 2u) << runs.dump(2);
  // Newest first: the follower, then the triggered job.
  EXPECT_EQ(runs[1]["job"], "refresh");
  EXPECT_EQ(runs[1]["trigger"], "http");  // the CLI went through the API
  EXPECT_EQ(runs[1]["status"], "succeeded") << runs[1].dump(2);
  EXPECT_EQ(runs[0]["job"], "after_refresh");
  EXPECT_EQ(runs[0]["trigger"], "after:refresh");
  EXPECT_EQ(runs[0]["selection"], "gold.visits_by_ward");
  EXPECT_EQ(runs[0]["status"], "succeeded") << runs[0].dump(2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM _system.runs WHERE job IS NOT NULL"), 2);

  // Metrics agree with the ledger.
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  const std::string& m = metrics->body;
  EXPECT_NE(m.find("# TYPE carelake_runs_total counter\n"), std::string::npos) << m;
  EXPECT_NE(m.find("carelake_runs_total{job=\"refresh\",status=\"succeeded\"} 1\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("carelake_runs_total{job=\"after_refresh\",status=\"succeeded\"} 1\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("carelake_job_last_success_timestamp_seconds{job=\"refresh\"} "),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("carelake_rows_written_total{table=\"silver.visits\"} " +
                   std::to_string(QueryInt("SELECT sum(rows_written) FROM _system.steps WHERE "
                                           "step = 'silver.visits'")) +
                   "\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("carelake_jobs_queued 0\n"), std::string::npos) << m;
  EXPECT_EQ(daemon.Terminate(), 0);
}

// on_new_files: nothing runs below min_files; once enough files have
// settled the job runs once, ingests them exactly once, and is not
// triggered again for the same files.
TEST_F(ServeCommandTest, SettledNewFilesStartTheirJobOnce) {
  std::ofstream(dir_ + "/carelake.yaml", std::ios::app)
      << "jobs:\n  - name: drop\n"
         "    on_new_files: {sources: [visits], min_files: 2, settle_seconds: 1}\n";
  Daemon daemon;
  ASSERT_TRUE(daemon.Start("--project " + dir_ + " --http 127.0.0.1:0 --pg off"));
  const std::string ready = daemon.FirstLine(30);
  ASSERT_EQ(ready.rfind("ready http=127.0.0.1:", 0), 0u) << ready;
  httplib::Client http("127.0.0.1", std::stoi(ready.substr(ready.rfind(':') + 1)));
  auto runs = [&] {
    auto r = http.Get("/api/runs");
    return r && r->status == 200 ? json::parse(r->body) : json::array();
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(runs().size(), 0u) << "one file is below min_files";

  AddVisits("visits-2.csv", carelake::testing_cli::kEastVisits);
  json list;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    list = runs();
    if (list.size() == 1 && list[0]["status"] != "started") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(list.size(), 1u) << list.dump(2);
  EXPECT_EQ(list[0]["job"], "drop");
  EXPECT_EQ(list[0]["trigger"], "new_files");
  EXPECT_EQ(list[0]["status"], "succeeded") << list.dump(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(runs().size(), 1u) << "the same files trigger no second run";
  EXPECT_EQ(QueryInt("SELECT count(DISTINCT _source_file) FROM bronze.visits"), 2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM _system.files"), 2);
  EXPECT_EQ(daemon.Terminate(), 0);
}

TEST_F(ServeCommandTest, JobsWithoutADaemonAreListedAsDeclared) {
  std::ofstream(dir_ + "/carelake.yaml", std::ios::app)
      << "jobs:\n  - name: nightly\n    schedule: \"0 2 * * *\"\n";
  CliRun listed = InProject("jobs");
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("nightly  next "), std::string::npos) << listed.out;
  EXPECT_NE(listed.err.find("carelake serve is not running"), std::string::npos) << listed.err;
  CliRun trigger = carelake::testing_cli::Carelake("jobs trigger nightly --project " + dir_);
  EXPECT_EQ(trigger.exit_code, 1);
  EXPECT_NE(trigger.err.find("no carelake serve is running for project 'clinic'"),
            std::string::npos)
      << trigger.err;
}

// SIGHUP reloads the project, whichever thread the kernel gives it to; the
// daemon keeps serving and still stops cleanly on SIGTERM.
TEST_F(ServeCommandTest, SighupReloadsAndKeepsServing) {
  const std::string log_file = dir_ + "/serve.log";
  Daemon daemon;
  ASSERT_TRUE(daemon.Start("--project " + dir_ + " --http 127.0.0.1:0 --pg off", log_file));
  const std::string ready = daemon.FirstLine(30);
  ASSERT_EQ(ready.rfind("ready http=127.0.0.1:", 0), 0u) << ready;
  httplib::Client http("127.0.0.1", std::stoi(ready.substr(ready.rfind(':') + 1)));
  auto reloads = [&] {
    std::ifstream in(log_file);
    const std::string log((std::istreambuf_iterator<char>(in)), {});
    size_t n = 0;
    for (size_t at = log.find("reloaded the project (SIGHUP)"); at != std::string::npos;
         at = log.find("reloaded the project (SIGHUP)", at + 1)) {
      ++n;
    }
    return n;
  };
  for (size_t i = 1; i <= 5; ++i) {
    ASSERT_EQ(::kill(daemon.pid, SIGHUP), 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (reloads() < i && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(reloads(), i);
    auto health = http.Get("/healthz");
    ASSERT_TRUE(health) << "the daemon died on SIGHUP " << i;
    EXPECT_EQ(health->status, 200);
  }
  EXPECT_EQ(daemon.Terminate(), 0);
}

TEST_F(ServeCommandTest, BadListenAddressesAreUsageErrors) {
  CliRun r = InProject("serve", "--http localhost");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--http: expected HOST:PORT"), std::string::npos) << r.err;
  r = InProject("serve", "--http 127.0.0.1:99999");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("a port 0-65535"), std::string::npos) << r.err;
}

}  // namespace
