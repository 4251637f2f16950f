// The alert policy without I/O: which events a run or a freshness check
// raises (Tracker), which of them are sent (Throttle: one alert per
// problem, then a reminder per repeat_every), and how the dispatcher routes,
// retries and gives up.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "carelake/alert/dispatcher.h"
#include "carelake/alert/event.h"
#include "carelake/alert/tracker.h"
#include "carelake/base/clock.h"

namespace carelake::alert {
namespace {

using namespace std::chrono_literals;

RunEnd Failed(const std::string& job, int64_t at, const std::string& rule = "") {
  RunEnd r;
  r.job = job;
  r.run_id = "run-" + std::to_string(at);
  r.failed_step = "silver.fact";
  r.failed_rule = rule;
  r.rows_checked = 120;
  r.rows_failed = rule.empty() ? 0 : 3;
  r.error = rule.empty() ? "I/O error: disk full" : "rule failed";
  r.time_ms = at;
  return r;
}

RunEnd Succeeded(const std::string& job, int64_t at) {
  RunEnd r;
  r.job = job;
  r.run_id = "run-" + std::to_string(at);
  r.succeeded = true;
  r.time_ms = at;
  return r;
}

TEST(TrackerTest, FailuresAreEventsAndTheFirstSuccessAfterOneRecovers) {
  Tracker tracker("billing");
  EXPECT_TRUE(tracker.RunEnded(Succeeded("nightly", 1)).empty());  // nothing to recover from
  auto failed = tracker.RunEnded(Failed("nightly", 100));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].kind, Kind::kRunFailed);
  EXPECT_EQ(failed[0].project, "billing");
  EXPECT_EQ(failed[0].step, "silver.fact");
  auto rule = tracker.RunEnded(Failed("nightly", 200, "gross_non_negative"));
  ASSERT_EQ(rule.size(), 1u);
  EXPECT_EQ(rule[0].kind, Kind::kRuleFailed);
  EXPECT_EQ(rule[0].rows_failed, 3);
  RunEnd cancelled = Failed("nightly", 250);
  cancelled.cancelled = true;
  EXPECT_TRUE(tracker.RunEnded(cancelled).empty());
  auto recovered = tracker.RunEnded(Succeeded("nightly", 300));
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].kind, Kind::kRecovered);
  EXPECT_EQ(recovered[0].resolves, "run_failed");                    // the streak's first problem
  EXPECT_EQ(recovered[0].problem_since_ms, 100);                     // and when it began
  EXPECT_TRUE(tracker.RunEnded(Succeeded("nightly", 400)).empty());  // once
  // Jobs are separate.
  tracker.RunEnded(Failed("a", 500));
  EXPECT_TRUE(tracker.RunEnded(Succeeded("b", 600)).empty());
  EXPECT_EQ(tracker.RunEnded(Succeeded("a", 700)).size(), 1u);
}

TEST(TrackerTest, SourcesGoStaleAndRecoverWithNewData) {
  Tracker tracker("billing");
  const auto two_hours = std::chrono::milliseconds(2h);
  const int64_t h = 3'600'000;
  EXPECT_TRUE(tracker.SourceChecked("fact", 10 * h, two_hours, 11 * h, 0).empty());
  auto stale = tracker.SourceChecked("fact", 10 * h, two_hours, 12 * h + 1, 0);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].kind, Kind::kSourceStale);
  EXPECT_EQ(stale[0].source, "fact");
  EXPECT_NE(Summary(stale[0]).find("no new data for 2 h"), std::string::npos) << Summary(stale[0]);
  EXPECT_EQ(tracker.SourceChecked("fact", 10 * h, two_hours, 13 * h, 0).size(), 1u);  // still
  auto recovered = tracker.SourceChecked("fact", 13 * h, two_hours, 13 * h + 5, 0);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].kind, Kind::kRecovered);
  EXPECT_EQ(recovered[0].resolves, "source_stale");
  // Never any data: stale once warn_after passed since watching began.
  EXPECT_TRUE(tracker.SourceChecked("dims", 0, two_hours, 1 * h, 0).empty());
  EXPECT_EQ(tracker.SourceChecked("dims", 0, two_hours, 3 * h, 0).size(), 1u);
}

TEST(ThrottleTest, OneAlertPerProblemThenRemindersWithTheCountHeldBack) {
  Throttle throttle;
  Tracker tracker("p");
  const auto hour = std::chrono::milliseconds(1h);
  const int64_t m = 60'000;
  Event first = tracker.RunEnded(Failed("nightly", 0))[0];
  auto sent = throttle.Admit(first, 0, hour);
  ASSERT_TRUE(sent.has_value());
  EXPECT_FALSE(sent->reminder);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_FALSE(throttle.Admit(tracker.RunEnded(Failed("nightly", i * m))[0], i * m, hour))
        << "repeat " << i;
  }
  // Another problem of the same job (a rule) is news.
  EXPECT_TRUE(throttle.Admit(tracker.RunEnded(Failed("nightly", 6 * m, "r"))[0], 6 * m, hour));
  auto reminder = throttle.Admit(tracker.RunEnded(Failed("nightly", 61 * m))[0], 61 * m, hour);
  ASSERT_TRUE(reminder.has_value());
  EXPECT_TRUE(reminder->reminder);
  EXPECT_EQ(reminder->suppressed, 5);
  EXPECT_FALSE(throttle.Admit(tracker.RunEnded(Failed("nightly", 62 * m))[0], 62 * m, hour));
  // Recovery goes out and clears: the next failure is news again.
  auto recovered = tracker.RunEnded(Succeeded("nightly", 63 * m));
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_TRUE(throttle.Admit(recovered[0], 63 * m, hour));
  auto again = throttle.Admit(tracker.RunEnded(Failed("nightly", 64 * m))[0], 64 * m, hour);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->reminder);
}

TEST(EventTest, JsonCarriesEveryFieldAndTemplatesFillFromIt) {
  Tracker tracker("billing");
  Event e = tracker.RunEnded(Failed("nightly", 1'764'800'000'000, "gross_non_negative"))[0];
  e.trigger = "schedule";
  const auto j = nlohmann::json::parse(ToJson(e, "ops"));
  EXPECT_EQ(j["carelake_alert"], 1);
  EXPECT_EQ(j["event"], "rule_failed");
  EXPECT_EQ(j["project"], "billing");
  EXPECT_EQ(j["alert"], "ops");
  EXPECT_EQ(j["job"], "nightly");
  EXPECT_EQ(j["run_id"], e.run_id);
  EXPECT_EQ(j["step"], "silver.fact");
  EXPECT_EQ(j["rule"], "gross_non_negative");
  EXPECT_EQ(j["rows_failed"], 3);
  EXPECT_EQ(j["rows_checked"], 120);
  EXPECT_EQ(j["time"], "2025-12-03T22:13:20Z");
  EXPECT_NE(j["summary"].get<std::string>().find("3 of 120 rows failed"), std::string::npos);
  e.error = "a \"quoted\"\nerror";
  auto filled = FillTemplate(
      R"({"text": "{{summary}}", "error": "{{ error }}", "n": {{rows_failed}}})", e, "ops");
  ASSERT_TRUE(filled.ok()) << filled.status().message();
  const auto slack = nlohmann::json::parse(*filled);
  EXPECT_EQ(slack["error"], "a \"quoted\"\nerror");  // escaped into valid JSON
  EXPECT_EQ(slack["n"], 3);
  auto bad = FillTemplate("{{nosuch}}", e, "ops");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no field 'nosuch'"), std::string::npos);
}

// A channel that fails its first `failures` sends with `status`.
class FlakyChannel : public Channel {
 public:
  FlakyChannel(int failures, Status status) : failures_(failures), status_(std::move(status)) {}
  std::string_view kind() const override { return "test"; }
  Status Send(const Event&) override { return ++calls_ <= failures_ ? status_ : Status::Ok(); }
  std::atomic<int> calls_{0};

 private:
  int failures_;
  Status status_;
};

project::AlertTarget Target(const std::string& name, std::vector<Kind> on) {
  project::AlertTarget t;
  t.name = name;
  t.on = std::move(on);
  t.channel = project::CommandTarget{{"/bin/true"}};
  return t;
}

struct Deliveries {
  std::mutex mu;
  std::vector<Delivery> list;
  void Add(const Delivery& d) {
    std::lock_guard<std::mutex> lock(mu);
    list.push_back(d);
  }
  std::vector<Delivery> WaitFor(size_t n) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (list.size() >= n) return list;
      }
      std::this_thread::sleep_for(10ms);
    }
    std::lock_guard<std::mutex> lock(mu);
    return list;
  }
};

TEST(DispatcherTest, RoutesByEventRetriesWhatMayPassAndGivesUpOnTheRest) {
  FakeClock clock(1'000'000);
  std::map<std::string, std::shared_ptr<FlakyChannel>> channels = {
      {"ops", std::make_shared<FlakyChannel>(2, Unavailable("HTTP 503"))},
      {"mail", std::make_shared<FlakyChannel>(9, FailedPrecondition("login refused"))},
      {"stale", std::make_shared<FlakyChannel>(0, Status::Ok())}};
  Deliveries deliveries;
  DispatcherOptions options;
  options.backoff = 5ms;
  Dispatcher dispatcher(
      {Target("ops", {Kind::kRunFailed, Kind::kRecovered}), Target("mail", {Kind::kRuleFailed}),
       Target("stale", {Kind::kSourceStale})},
      [&](const project::AlertTarget& t) -> std::unique_ptr<Channel> {
        auto shared = channels.at(t.name);
        struct Forward : Channel {
          std::shared_ptr<FlakyChannel> to;
          std::string_view kind() const override { return to->kind(); }
          Status Send(const Event& e) override { return to->Send(e); }
        };
        auto f = std::make_unique<Forward>();
        f->to = shared;
        return f;
      },
      clock, options, [&](const Delivery& d) { deliveries.Add(d); });
  dispatcher.Start();
  Tracker tracker("p");
  // A rule failure goes to `mail` (rule_failed) and to `ops` (run_failed:
  // the run failed), once each.
  dispatcher.Raise(tracker.RunEnded(Failed("nightly", 1, "r"))[0]);
  auto got = deliveries.WaitFor(2);
  ASSERT_EQ(got.size(), 2u);
  std::map<std::string, Delivery> by_target;
  for (const Delivery& d : got) by_target[d.target] = d;
  EXPECT_TRUE(by_target["ops"].sent);
  EXPECT_EQ(by_target["ops"].attempts, 3);  // two 503s, then delivered
  EXPECT_FALSE(by_target["mail"].sent);
  EXPECT_EQ(by_target["mail"].attempts, 1);  // a refused login is not retried
  EXPECT_EQ(by_target["mail"].error, "login refused");
  EXPECT_EQ(channels["stale"]->calls_, 0);
  dispatcher.Stop();
}

}  // namespace
}  // namespace carelake::alert
