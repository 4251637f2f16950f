// The scheduler's rules with a fake clock and a fake runner: schedules fire
// once per fire time (missed ones once), triggers coalesce, `after:` follows
// success only, retries back off and stop at their count, timeouts stop a
// run, catch-up runs a missed schedule once, and the loop thread runs what
// is triggered.
#include "carelake/serve/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "carelake/base/civil_time.h"

namespace carelake::serve {
namespace {

int64_t Utc(int y, int mo, int d, int h, int mi) {
  return ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60'000;
}

project::Job MakeJob(const std::string& name, const std::string& schedule = "") {
  project::Job j;
  j.name = name;
  j.schedule = schedule;
  return j;
}

struct Calls {
  std::vector<std::string> seen;   // "job/trigger"
  std::vector<JobOutcome> script;  // outcomes handed out in order; success when exhausted
  JobRunner Runner() {
    return [this](const project::Job& job, const std::string& trigger, std::stop_token) {
      seen.push_back(job.name + "/" + trigger);
      if (script.empty()) return JobOutcome{"r" + std::to_string(seen.size()), true, false, ""};
      JobOutcome o = script.front();
      script.erase(script.begin());
      return o;
    };
  }
};

TEST(SchedulerTest, SchedulesFireOnceAndMissedFiresAreOneRun) {
  FakeClock clock(Utc(2026, 12, 3, 1, 59));
  Calls calls;
  Scheduler s({MakeJob("nightly", "0 2 * * *")}, clock, calls.Runner());
  ASSERT_TRUE(s.Prepare().ok());
  EXPECT_EQ(s.States()[0].next_fire_ms, Utc(2026, 12, 3, 2, 0));
  s.FireDue();
  EXPECT_TRUE(s.RunQueued({}).empty());
  clock.Advance(60'000);  // 02:00
  s.FireDue();
  s.FireDue();  // a second look at the same minute fires nothing more
  auto runs = s.RunQueued({});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(calls.seen, std::vector<std::string>{"nightly/schedule"});
  clock.Advance(3 * 86'400'000LL);  // three nights missed
  s.FireDue();
  EXPECT_EQ(s.RunQueued({}).size(), 1u);
  EXPECT_EQ(s.States()[0].next_fire_ms, Utc(2026, 12, 7, 2, 0));
}

TEST(SchedulerTest, TriggersCoalesceAndAfterFollowsSuccessOnly) {
  FakeClock clock;
  Calls calls;
  project::Job load = MakeJob("load");
  project::Job refresh = MakeJob("refresh");
  refresh.after = {"load"};
  Scheduler s({load, refresh}, clock, calls.Runner());
  ASSERT_TRUE(s.Prepare().ok());
  EXPECT_EQ(s.Trigger("nope", "manual").code(), StatusCode::kNotFound);
  ASSERT_TRUE(s.Trigger("load", "manual").ok());
  ASSERT_TRUE(s.Trigger("load", "manual").ok());  // joins the queued run
  s.RunQueued({});
  EXPECT_EQ(calls.seen, (std::vector<std::string>{"load/manual", "refresh/after:load"}));

  calls.seen.clear();
  calls.script = {{"r", false, false, "a fail rule stopped it"}};
  ASSERT_TRUE(s.Trigger("load", "manual").ok());
  s.RunQueued({});
  EXPECT_EQ(calls.seen, std::vector<std::string>{"load/manual"});  // refresh did not run
  EXPECT_FALSE(s.States()[0].last->succeeded);
}

TEST(SchedulerTest, RetriesBackOffAndStopAtTheirCount) {
  FakeClock clock;
  Calls calls;
  project::Job job = MakeJob("drop");
  job.retries.attempts = 3;
  job.retries.backoff = std::chrono::seconds(10);
  Scheduler s({job}, clock, calls.Runner());
  ASSERT_TRUE(s.Prepare().ok());
  calls.script = {{"r1", false, true, "I/O error"},
                  {"r2", false, true, "I/O error"},
                  {"r3", false, true, "I/O error"}};
  ASSERT_TRUE(s.Trigger("drop", "manual").ok());
  s.RunQueued({});
  const int64_t first_retry = *s.States()[0].retry_at_ms - clock.WallMillis();
  EXPECT_GE(first_retry, 8'000);
  EXPECT_LE(first_retry, 12'000);
  s.FireDue();
  EXPECT_TRUE(s.RunQueued({}).empty()) << "not before its backoff";
  clock.Advance(12'000);
  s.FireDue();
  s.RunQueued({});
  const int64_t second_retry = *s.States()[0].retry_at_ms - clock.WallMillis();
  EXPECT_GE(second_retry, 16'000);  // doubled
  EXPECT_LE(second_retry, 24'000);
  clock.Advance(24'000);
  s.FireDue();
  s.RunQueued({});
  EXPECT_EQ(calls.seen, (std::vector<std::string>{"drop/manual", "drop/retry", "drop/retry"}));
  EXPECT_FALSE(s.States()[0].retry_at_ms.has_value()) << "three runs in all";

  // A failure that cannot pass on retry is not retried.
  calls.seen.clear();
  calls.script = {{"r4", false, false, "SQL error"}};
  ASSERT_TRUE(s.Trigger("drop", "manual").ok());
  s.RunQueued({});
  EXPECT_FALSE(s.States()[0].retry_at_ms.has_value());
}

TEST(SchedulerTest, ATimeoutStopsTheRun) {
  FakeClock clock;
  project::Job job = MakeJob("slow");
  job.timeout = std::chrono::milliseconds(200);
  std::atomic<bool> saw_stop = false;
  Scheduler s({job}, clock, [&](const project::Job&, const std::string&, std::stop_token stop) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    saw_stop = stop.stop_requested();
    return JobOutcome{"r", false, false, "cancelled"};
  });
  ASSERT_TRUE(s.Prepare().ok());
  ASSERT_TRUE(s.Trigger("slow", "manual").ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto runs = s.RunQueued({});
  EXPECT_TRUE(saw_stop);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_NE(runs[0].second.error.find("timeout"), std::string::npos) << runs[0].second.error;
}

TEST(SchedulerTest, CatchupRunsAMissedScheduleOnce) {
  FakeClock clock(Utc(2026, 12, 3, 9, 0));
  Calls calls;
  project::Job latest = MakeJob("latest", "0 2 * * *");
  project::Job none = MakeJob("none", "0 2 * * *");
  none.catchup = project::Catchup::kNone;
  project::Job fresh = MakeJob("fresh", "0 2 * * *");  // ran after today's 02:00
  auto last = [](const std::string& job) -> std::optional<LastRun> {
    if (job == "fresh") return LastRun{Utc(2026, 12, 3, 2, 5)};
    return LastRun{Utc(2026, 12, 1, 2, 0)};  // two nights ago
  };
  Scheduler s({latest, none, fresh}, clock, calls.Runner(), last);
  ASSERT_TRUE(s.Prepare().ok());
  s.RunQueued({});
  EXPECT_EQ(calls.seen, std::vector<std::string>{"latest/catchup"});
}

TEST(SchedulerTest, AnInterruptedRunIsResumedOnceAtStart) {
  FakeClock clock(Utc(2026, 12, 3, 9, 0));
  Calls calls;
  auto last = [](const std::string& job) -> std::optional<LastRun> {
    if (job == "killed") return LastRun{Utc(2026, 12, 3, 8, 0), /*interrupted=*/true};
    if (job == "done") return LastRun{Utc(2026, 12, 3, 8, 0), false};
    return std::nullopt;
  };
  Scheduler s({MakeJob("killed"), MakeJob("done"), MakeJob("never")}, clock, calls.Runner(), last);
  ASSERT_TRUE(s.Prepare().ok());
  s.RunQueued({});
  EXPECT_EQ(calls.seen, std::vector<std::string>{"killed/resume"});
}

TEST(SchedulerTest, AReloadKeepsJobStateAndReschedulesWhatChanged) {
  FakeClock clock(Utc(2026, 12, 3, 9, 0));
  Calls calls;
  Scheduler s({MakeJob("kept", "0 2 * * *"), MakeJob("gone"), MakeJob("moved", "0 2 * * *")}, clock,
              calls.Runner());
  ASSERT_TRUE(s.Prepare().ok());
  ASSERT_TRUE(s.Trigger("kept", "http").ok());
  ASSERT_TRUE(s.Trigger("gone", "http").ok());
  ASSERT_TRUE(s.Reload({MakeJob("kept", "0 2 * * *"), MakeJob("moved", "30 9 * * *"),
                        MakeJob("added", "0 12 * * *")})
                  .ok());
  EXPECT_EQ(s.Trigger("gone", "http").code(), StatusCode::kNotFound);
  std::map<std::string, Scheduler::JobState> states;
  for (const Scheduler::JobState& st : s.States()) states[st.name] = st;
  ASSERT_EQ(states.size(), 3u);
  EXPECT_TRUE(states["kept"].queued);  // its trigger survives the reload
  EXPECT_EQ(states["kept"].next_fire_ms, Utc(2026, 12, 4, 2, 0));
  EXPECT_EQ(states["moved"].next_fire_ms, Utc(2026, 12, 3, 9, 30));
  EXPECT_EQ(states["added"].next_fire_ms, Utc(2026, 12, 3, 12, 0));
  s.RunQueued({});
  EXPECT_EQ(calls.seen, std::vector<std::string>{"kept/http"});  // not the removed job
  clock.Advance(31 * 60 * 1000);
  s.FireDue();
  s.RunQueued({});
  EXPECT_EQ(calls.seen, (std::vector<std::string>{"kept/http", "moved/schedule"}));
}

TEST(SchedulerTest, TheLoopRunsWhatIsTriggered) {
  std::promise<std::string> ran;
  std::atomic<int> count = 0;
  Scheduler s({MakeJob("manual")}, DefaultClock(),
              [&](const project::Job& job, const std::string& trigger, std::stop_token) {
                if (count++ == 0) ran.set_value(job.name + "/" + trigger);
                return JobOutcome{"r", true, false, ""};
              });
  ASSERT_TRUE(s.Start().ok());
  EXPECT_TRUE(s.health().ok);
  ASSERT_TRUE(s.Trigger("manual", "http").ok());
  auto f = ran.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(f.get(), "manual/http");
  s.Stop();
  EXPECT_FALSE(s.health().ok);
}

}  // namespace
}  // namespace carelake::serve
