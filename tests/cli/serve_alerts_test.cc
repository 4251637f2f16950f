// Alerts, reloads and logs of a real `carelake serve`: a `fail` rule stops
// a triggered run and a local HTTP receiver gets one rule_failed alert (a
// second failure is held back); a fixed carelake.yaml is picked up without
// a restart and the next run's success sends `recovered`; a broken one keeps
// the daemon serving its previous configuration and alerts reload_failed.
// Every delivery is a row of _system.alerts; the JSON log has one object per
// event and never the secret the webhook header is made from.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "../receivers.h"
#include "cli_project.h"
#include "daemon_process.h"

namespace {

using carelake::testing::HttpReceiver;
using carelake::testing_cli::CliProjectTest;
using carelake::testing_cli::Daemon;
using nlohmann::json;

using ServeAlertsTest = CliProjectTest;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls `done` every 100 ms for up to 60 s.
template <typename F>
bool Eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST_F(ServeAlertsTest, FailuresAlertOnceReloadsRecoverAndBrokenReloadsKeepServing) {
  HttpReceiver receiver;
  ::setenv("CARELAKE_TEST_HOOK_TOKEN", "tok-8c1f", 1);
  const std::string tail =
      "jobs:\n  - name: refresh\n"
      "alerts:\n"
      "  - name: ops\n"
      "    webhook:\n"
      "      url: \"" +
      receiver.url("/hook") +
      "\"\n"
      "      headers: {Authorization: \"Bearer ${CARELAKE_TEST_HOOK_TOKEN}\"}\n";
  auto write_project = [&](bool ward_rule) {
    WriteProject(ward_rule);
    std::ofstream(dir_ + "/carelake.yaml", std::ios::app) << tail;
  };
  write_project(/*ward_rule=*/true);
  AddVisits("visits-2.csv", carelake::testing_cli::kEastVisits);  // breaks known_ward
  for (const char* f : {"/landing/visits-1.csv", "/landing/visits-2.csv"}) {
    std::filesystem::last_write_time(
        dir_ + f, std::filesystem::file_time_type::clock::now() - std::chrono::minutes(1));
  }
  const std::string log_file = dir_ + "/serve.log";
  Daemon daemon;
  ASSERT_TRUE(daemon.Start("--project " + dir_ + " --http 127.0.0.1:0 --pg off --log-format json",
                           log_file));
  const std::string ready = daemon.FirstLine(30);
  ASSERT_EQ(ready.rfind("ready http=127.0.0.1:", 0), 0u) << ready << ReadFile(log_file);
  httplib::Client http("127.0.0.1", std::stoi(ready.substr(ready.rfind(':') + 1)));
  auto finished_runs = [&] {
    auto r = http.Get("/api/runs");
    if (!r || r->status != 200) return -1;
    int n = 0;
    for (const json& run : json::parse(r->body)) n += run["status"] != "started";
    return n;
  };

  // A failed run: one rule_failed alert, with the header from the environment.
  ASSERT_EQ(http.Post("/api/jobs/refresh/trigger")->status, 202);
  auto got = receiver.WaitFor(1);
  ASSERT_EQ(got.size(), 1u) << ReadFile(log_file);
  EXPECT_EQ(got[0].headers.find("Authorization")->second, "Bearer tok-8c1f");
  json alert = json::parse(got[0].body);
  EXPECT_EQ(alert["event"], "rule_failed");
  EXPECT_EQ(alert["project"], "clinic");
  EXPECT_EQ(alert["job"], "refresh");
  EXPECT_EQ(alert["trigger"], "http");
  EXPECT_EQ(alert["step"], "silver.visits");
  EXPECT_EQ(alert["rule"], "known_ward");
  EXPECT_EQ(alert["rows_failed"], 1);  // the one east visit
  const int64_t rows_checked = alert["rows_checked"];
  const std::string failed_run = alert["run_id"];
  ASSERT_FALSE(failed_run.empty());

  // The same failure again: recorded, not sent again (repeat_every: 1h).
  ASSERT_EQ(http.Post("/api/jobs/refresh/trigger")->status, 202);
  ASSERT_TRUE(Eventually([&] { return finished_runs() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(receiver.requests().size(), 1u);

  // Fixed on disk: reloaded without a restart; the next run recovers.
  write_project(/*ward_rule=*/false);
  ASSERT_TRUE(Eventually([&] {
    return ReadFile(log_file).find("\"event\":\"reload\"") != std::string::npos;
  })) << ReadFile(log_file);
  ASSERT_EQ(http.Post("/api/jobs/refresh/trigger")->status, 202);
  got = receiver.WaitFor(2);
  ASSERT_EQ(got.size(), 2u) << ReadFile(log_file);
  alert = json::parse(got[1].body);
  EXPECT_EQ(alert["event"], "recovered");
  EXPECT_EQ(alert["resolves"], "rule_failed");
  EXPECT_EQ(alert["job"], "refresh");

  // Broken on disk: the daemon keeps serving and says where the error is.
  std::ofstream(dir_ + "/carelake.yaml", std::ios::app) << "  - name: bad\n    shedule: x\n";
  got = receiver.WaitFor(3);
  ASSERT_EQ(got.size(), 3u) << ReadFile(log_file);
  alert = json::parse(got[2].body);
  EXPECT_EQ(alert["event"], "reload_failed");
  EXPECT_NE(alert["error"].get<std::string>().find("carelake.yaml:"), std::string::npos)
      << alert.dump();
  EXPECT_NE(alert["error"].get<std::string>().find("got 'shedule'"), std::string::npos);
  auto readyz = http.Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 200) << readyz->body;
  ASSERT_EQ(http.Post("/api/jobs/refresh/trigger")->status, 202);  // the old jobs still run
  ASSERT_TRUE(Eventually([&] { return finished_runs() == 4; }));
  // Metrics: alert deliveries, step durations, the age of each source's data.
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  const std::string& m = metrics->body;
  EXPECT_NE(m.find("carelake_alert_deliveries_total{alert=\"ops\",event=\"rule_failed\","
                   "status=\"sent\"} 1\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("carelake_alert_deliveries_total{alert=\"ops\",event=\"reload_failed\","
                   "status=\"sent\"} 1\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("# TYPE carelake_step_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(m.find("carelake_step_duration_seconds_count{step=\"silver.visits\"} 4\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("carelake_step_duration_seconds_bucket{step=\"silver.visits\",le=\"+Inf\"} 4\n"),
            std::string::npos);
  const size_t age = m.find("carelake_source_seconds_since_new_data{source=\"visits\"} ");
  ASSERT_NE(age, std::string::npos) << m;
  EXPECT_LT(std::stod(m.substr(m.find("} ", age) + 2)), 120.0);
  EXPECT_EQ(daemon.Terminate(), 0);
  write_project(/*ward_rule=*/false);

  // The alert's counts are the ledger's.
  EXPECT_EQ(QueryInt("SELECT rows_checked FROM _system.expectations WHERE rule = 'known_ward' AND "
                     "run_id = '" +
                     failed_run + "'"),
            rows_checked);
  // Every delivery is in the ledger.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM _system.alerts WHERE status = 'sent'"), 3);
  EXPECT_EQ(
      QueryInt("SELECT count(*) FROM _system.alerts WHERE event = 'rule_failed' AND run_id = '" +
               failed_run + "' AND alert = 'ops' AND channel = 'webhook'"),
      1);

  // The log: one JSON object per line, runs with their job and id, no secret.
  const std::string log = ReadFile(log_file);
  EXPECT_EQ(log.find("tok-8c1f"), std::string::npos);
  std::istringstream lines(log);
  int objects = 0, run_ended = 0, steps = 0;
  for (std::string line; std::getline(lines, line);) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j["project"], "clinic");
    ASSERT_TRUE(j.contains("time") && j.contains("level") && j.contains("event")) << line;
    ++objects;
    if (j["event"] == "run_ended") {
      ++run_ended;
      EXPECT_EQ(j["job"], "refresh");
      EXPECT_FALSE(j["run_id"].get<std::string>().empty());
    }
    if (j["event"] == "step_ended" && j["step"] == "silver.visits") ++steps;
  }
  EXPECT_GT(objects, 10);
  EXPECT_EQ(run_ended, 4);
  EXPECT_EQ(steps, 4);
}

}  // namespace
