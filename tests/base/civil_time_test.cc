#include "carelake/base/civil_time.h"

#include <gtest/gtest.h>

namespace carelake {
namespace {

TEST(CivilTimeTest, KnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(FormatDate(DaysFromCivil(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(FormatDate(DaysFromCivil(1900, 1, 1)), "1900-01-01");
}

TEST(CivilTimeTest, DayCountRoundTripsOverFourCenturies) {
  // Walks day by day from 1800 to 2200 and checks the calendar advances by
  // exactly one day each time.
  int64_t days = DaysFromCivil(1800, 1, 1);
  CivilDate prev = CivilFromDays(days);
  for (int64_t d = days + 1; d < DaysFromCivil(2200, 1, 1); ++d) {
    const CivilDate c = CivilFromDays(d);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
    const bool next_day_same_month =
        c.year == prev.year && c.month == prev.month && c.day == prev.day + 1;
    const bool first_of_month = c.day == 1 && (c.month == prev.month % 12 + 1);
    ASSERT_TRUE(next_day_same_month || first_of_month) << FormatDate(d);
    prev = c;
  }
}

TEST(CivilTimeTest, FormatsTimestamps) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(
      FormatTimestamp(DaysFromCivil(2024, 5, 6) * kMicrosPerDay + 3723 * kMicrosPerSecond + 500000),
      "2024-05-06 01:02:03.5");
}

TEST(CivilTimeTest, ParsesTimestampsWithOffsets) {
  const int64_t base = DaysFromCivil(2024, 5, 6) * kMicrosPerDay;
  EXPECT_EQ(*ParseTimestamp("2024-05-06"), base);
  EXPECT_EQ(*ParseTimestamp("2024-05-06 01:02:03"), base + 3723 * kMicrosPerSecond);
  EXPECT_EQ(*ParseTimestamp("2024-05-06T01:02:03.25Z"), base + 3723 * kMicrosPerSecond + 250000);
  EXPECT_EQ(*ParseTimestamp("2024-05-06T01:02:03+02:00"), base + (3723 - 7200) * kMicrosPerSecond);
  EXPECT_EQ(*ParseTimestamp("2024-05-06 01:02:03.123456789"),
            base + 3723 * kMicrosPerSecond + 123456);
}

TEST(CivilTimeTest, RejectsMalformedInputWithPosition) {
  EXPECT_FALSE(ParseDate("2024-02-30").ok());
  EXPECT_FALSE(ParseDate("2024/02/01").ok());
  Result<int64_t> r = ParseTimestamp("2024-05-06 01:02x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("offset 16"), std::string::npos) << r.status();
  EXPECT_FALSE(ParseTimestamp("2024-05-06 25:00:00").ok());
}

}  // namespace
}  // namespace carelake
