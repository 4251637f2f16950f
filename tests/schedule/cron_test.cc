// Cron schedules: parse errors name the field; next fire times agree with a
// brute-force minute-by-minute search in UTC; the day fields combine with
// OR; daylight-saving gaps and folds in Europe/Lisbon fire once.
#include "carelake/schedule/cron.h"

#include <gtest/gtest.h>

#include <ctime>
#include <random>
#include <string>

#include "carelake/base/civil_time.h"
#include "carelake/schedule/time_zone.h"

namespace carelake::schedule {
namespace {

// Epoch milliseconds of a UTC wall-clock minute.
int64_t Utc(int y, int mo, int d, int h, int mi) {
  return ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60'000;
}

int64_t Next(const std::string& expr, int64_t after, const TimeZone& zone = TimeZone::Utc()) {
  auto s = CronSchedule::Parse(expr);
  EXPECT_TRUE(s.ok()) << expr << ": " << s.status();
  return s.ok() ? s->NextAfter(after, zone) : -1;
}

TEST(CronTest, ErrorsNameTheField) {
  auto expect = [](const std::string& expr, const std::string& part) {
    auto s = CronSchedule::Parse(expr);
    ASSERT_FALSE(s.ok()) << expr;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find(part), std::string::npos) << s.status();
  };
  expect("61 * * * *", "minute: 61 is out of range 0-59");
  expect("0 24 * * *", "hour: 24 is out of range 0-23");
  expect("0 0 * 13 *", "month: 13 is out of range 1-12");
  expect("0 0 * * MOX", "day of week: expected a number 0-7 or a name");
  expect("* * *", "expected 5 fields");
  expect("*/0 * * * *", "minute: expected a step of 1 or more");
  expect("0 0 5-1 * *", "ends before it starts");
  expect("0 0 30 2 *", "never fires");
  expect("0 0 31 4,6,9,11 *", "never fires");
}

TEST(CronTest, NextIsStrictlyAfter) {
  const int64_t t = Utc(2026, 12, 3, 10, 7);
  EXPECT_EQ(Next("*/15 * * * *", t), Utc(2026, 12, 3, 10, 15));
  EXPECT_EQ(Next("0 2 * * *", Utc(2026, 12, 3, 2, 0)), Utc(2026, 12, 4, 2, 0));
  EXPECT_EQ(Next("@hourly", t), Utc(2026, 12, 3, 11, 0));
  EXPECT_EQ(Next("@monthly", t), Utc(2027, 1, 1, 0, 0));
  EXPECT_EQ(Next("0 9 * * mon-fri", Utc(2026, 12, 4, 9, 0)), Utc(2026, 12, 7, 9, 0));  // Fri -> Mon
  EXPECT_EQ(Next("0 0 29 2 *", t), Utc(2028, 2, 29, 0, 0));                            // leap day
  EXPECT_EQ(Next("0 12 * * 7", t), Utc(2026, 12, 6, 12, 0));  // 7 is Sunday
}

TEST(CronTest, BothDayFieldsMeanEither) {
  // The 13th, or any Friday: after Thu 2026-12-03, Friday the 4th comes first.
  EXPECT_EQ(Next("0 0 13 * FRI", Utc(2026, 12, 3, 0, 0)), Utc(2026, 12, 4, 0, 0));
  // Only the day of month restricted: the 13th, whatever weekday.
  EXPECT_EQ(Next("0 0 13 * *", Utc(2026, 12, 3, 0, 0)), Utc(2026, 12, 13, 0, 0));
}

// A naive matcher over gmtime, for the brute-force comparison.
bool Matches(int64_t ms, int minute_step, int hour_lo, int hour_hi, int dom, int dow) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const bool dom_ok = dom < 0 || tm.tm_mday == dom;
  const bool dow_ok = dow < 0 || tm.tm_wday == dow;
  const bool day_ok = (dom >= 0 && dow >= 0) ? (dom_ok || dow_ok) : (dom_ok && dow_ok);
  return tm.tm_min % minute_step == 0 && tm.tm_hour >= hour_lo && tm.tm_hour <= hour_hi && day_ok;
}

TEST(CronTest, AgreesWithABruteForceSearch) {
  std::mt19937 rng(7);
  for (int i = 0; i < 60; ++i) {
    const int step = std::uniform_int_distribution<int>(1, 30)(rng);
    const int lo = std::uniform_int_distribution<int>(0, 23)(rng);
    const int hi = std::uniform_int_distribution<int>(lo, 23)(rng);
    const int dom = std::uniform_int_distribution<int>(-1, 28)(rng);
    const int dow = std::uniform_int_distribution<int>(-1, 6)(rng);
    const std::string expr = "*/" + std::to_string(step) + " " + std::to_string(lo) + "-" +
                             std::to_string(hi) + " " +
                             (dom < 1 ? std::string("*") : std::to_string(dom)) + " * " +
                             (dow < 0 ? std::string("*") : std::to_string(dow));
    const int real_dom = dom < 1 ? -1 : dom;
    int64_t after = Utc(2026, 1, 1, 0, 0) +
                    std::uniform_int_distribution<int64_t>(0, 300LL * 86400)(rng) * 1000;
    int64_t expected = (after / 60000 + 1) * 60000;
    while (!Matches(expected, step, lo, hi, real_dom, dow)) expected += 60000;
    EXPECT_EQ(Next(expr, after), expected) << expr << " after " << after;
  }
}

TEST(CronTest, DaylightSavingGapsAndFoldsFireOnce) {
  auto lisbon = TimeZone::Find("Europe/Lisbon");
  ASSERT_TRUE(lisbon.ok()) << lisbon.status();
  // 2026-03-29: 01:00 WET jumps to 02:00 WEST; 01:30 local does not exist
  // and fires when the gap ends (01:00 UTC).
  EXPECT_EQ(Next("30 1 * * *", Utc(2026, 3, 28, 12, 0), *lisbon), Utc(2026, 3, 29, 1, 0));
  EXPECT_EQ(Next("30 1 * * *", Utc(2026, 3, 29, 1, 0), *lisbon), Utc(2026, 3, 30, 0, 30));
  // 2026-10-25: 02:00 WEST falls back to 01:00 WET; 01:30 local happens
  // twice and fires at the first (00:30 UTC), not again at 01:30 UTC.
  EXPECT_EQ(Next("30 1 * * *", Utc(2026, 10, 24, 12, 0), *lisbon), Utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(Next("30 1 * * *", Utc(2026, 10, 25, 0, 30), *lisbon), Utc(2026, 10, 26, 1, 30));
  // Summer: 02:00 Lisbon is 01:00 UTC.
  EXPECT_EQ(Next("0 2 * * *", Utc(2026, 7, 1, 0, 0), *lisbon), Utc(2026, 7, 1, 1, 0));
}

TEST(CronTest, UnknownTimeZonesAreNamed) {
  auto z = TimeZone::Find("Europe/Lisbn");
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.status().message().find("unknown time zone 'Europe/Lisbn'"), std::string::npos);
  EXPECT_EQ(TimeZone::Find("UTC")->name(), "UTC");
}

}  // namespace
}  // namespace carelake::schedule
