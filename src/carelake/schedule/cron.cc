#include "carelake/schedule/cron.h"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>
#include <vector>

namespace carelake::schedule {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // names[i] is the value min + i, or null
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[] = {{"minute", 0, 59, nullptr},
                                 {"hour", 0, 23, nullptr},
                                 {"day of month", 1, 31, nullptr},
                                 {"month", 1, 12, kMonthNames},
                                 {"day of week", 0, 7, kDayNames}};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<int> Value(std::string_view text, const FieldSpec& f) {
  if (f.names != nullptr) {
    const std::string up = Upper(text);
    const int count = f.max - f.min + (f.names == kDayNames ? 0 : 1);
    for (int i = 0; i < count; ++i) {
      if (up == f.names[i]) return f.min + i;
    }
  }
  if (text.empty() || text.size() > 3 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgument(std::string(f.name) + ": expected a number " + std::to_string(f.min) +
                           "-" + std::to_string(f.max) + (f.names ? " or a name" : "") +
                           ", `*`, a range a-b or a step */n; got '" + std::string(text) + "'");
  }
  const int v = std::stoi(std::string(text));
  if (v < f.min || v > f.max) {
    return InvalidArgument(std::string(f.name) + ": " + std::to_string(v) + " is out of range " +
                           std::to_string(f.min) + "-" + std::to_string(f.max));
  }
  return v;
}

// The values one field allows, as a bit per value; `restricted` is false
// for `*` (and `*/1`).
Result<std::vector<bool>> ParseField(std::string_view text, const FieldSpec& f, bool* restricted) {
  std::vector<bool> bits(static_cast<size_t>(f.max + 1), false);
  *restricted = true;
  std::stringstream items{std::string(text)};
  std::string item;
  bool any = false;
  while (std::getline(items, item, ',')) {
    any = true;
    int step = 1;
    std::string_view range = item;
    if (const size_t slash = item.find('/'); slash != std::string::npos) {
      const std::string_view s = std::string_view(item).substr(slash + 1);
      if (s.empty() || s.size() > 2 ||
          !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          std::stoi(std::string(s)) == 0) {
        return InvalidArgument(std::string(f.name) +
                               ": expected a step of 1 or more after '/'; got '" + item + "'");
      }
      step = std::stoi(std::string(s));
      range = std::string_view(item).substr(0, slash);
    }
    int lo = f.min, hi = f.max;
    if (range == "*") {
      if (step == 1 && text == item) *restricted = false;
      if (f.names == kDayNames) hi = 6;  // 7 is Sunday again
    } else if (const size_t dash = range.find('-'); dash != std::string_view::npos) {
      CARELAKE_ASSIGN_OR_RETURN(lo, Value(range.substr(0, dash), f));
      CARELAKE_ASSIGN_OR_RETURN(hi, Value(range.substr(dash + 1), f));
      if (hi < lo) {
        return InvalidArgument(std::string(f.name) + ": the range '" + std::string(range) +
                               "' ends before it starts");
      }
    } else {
      CARELAKE_ASSIGN_OR_RETURN(lo, Value(range, f));
      if (item.find('/') == std::string::npos) hi = lo;  // `a/n`: from a to the end
    }
    for (int v = lo; v <= hi; v += step) bits[static_cast<size_t>(v)] = true;
  }
  if (!any) return InvalidArgument(std::string(f.name) + ": empty");
  return bits;
}

std::string Expand(std::string_view expression) {
  const std::string e = Upper(expression);
  if (e == "@HOURLY") return "0 * * * *";
  if (e == "@DAILY" || e == "@MIDNIGHT") return "0 0 * * *";
  if (e == "@WEEKLY") return "0 0 * * 0";
  if (e == "@MONTHLY") return "0 0 1 * *";
  if (e == "@YEARLY" || e == "@ANNUALLY") return "0 0 1 1 *";
  return std::string(expression);
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view expression) {
  CronSchedule s;
  s.text_ = std::string(expression);
  std::istringstream in(Expand(expression));
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    return InvalidArgument(
        "expected 5 fields (minute hour day-of-month month day-of-week) or "
        "@hourly/@daily/@weekly/@monthly/@yearly; got " +
        std::to_string(fields.size()) + " in '" + std::string(expression) + "'");
  }
  std::array<std::vector<bool>, 5> bits;
  std::array<bool, 5> restricted{};
  for (size_t i = 0; i < 5; ++i) {
    CARELAKE_ASSIGN_OR_RETURN(bits[i], ParseField(fields[i], kFields[i], &restricted[i]));
  }
  for (int v = 0; v < 60; ++v) s.minutes_[v] = bits[0][v];
  for (int v = 0; v < 24; ++v) s.hours_[v] = bits[1][v];
  for (int v = 1; v <= 31; ++v) s.days_[v] = bits[2][v];
  for (int v = 1; v <= 12; ++v) s.months_[v] = bits[3][v];
  for (int v = 0; v <= 6; ++v) s.weekdays_[v] = bits[4][v];
  if (bits[4][7]) s.weekdays_[0] = true;
  s.days_restricted_ = restricted[2];
  s.weekdays_restricted_ = restricted[4];
  if (!s.Search(0, TimeZone::Utc())) {
    return InvalidArgument("'" + std::string(expression) +
                           "' never fires: no date has that day "
                           "in those months");
  }
  return s;
}

bool CronSchedule::DayMatches(const LocalTime& day) const {
  const bool dom = days_[day.day];
  const bool dow = weekdays_[day.weekday];
  if (days_restricted_ && weekdays_restricted_) return dom || dow;
  return dom && dow;
}

std::optional<int64_t> CronSchedule::Search(int64_t after_ms, const TimeZone& zone) const {
  const LocalTime start = zone.ToLocal(after_ms);
  date::sys_days day =
      date::sys_days{date::year{start.year} / date::month{static_cast<unsigned>(start.month)} /
                     date::day{static_cast<unsigned>(start.day)}};
  for (int i = 0; i < 8 * 366 + 2; ++i, day += date::days{1}) {
    const date::year_month_day ymd{day};
    LocalTime local;
    local.year = static_cast<int>(ymd.year());
    local.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    local.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    local.weekday = static_cast<int>(date::weekday{day}.c_encoding());
    if (!months_[local.month] || !DayMatches(local)) continue;
    for (int h = 0; h < 24; ++h) {
      if (!hours_[h]) continue;
      for (int m = 0; m < 60; ++m) {
        if (!minutes_[m]) continue;
        local.hour = h;
        local.minute = m;
        const int64_t t = zone.ToEpochMillis(local);
        if (t > after_ms) return t;
      }
    }
  }
  return std::nullopt;
}

int64_t CronSchedule::NextAfter(int64_t after_ms, const TimeZone& zone) const {
  // Parse() checked that the schedule fires at least once every 8 years.
  return Search(after_ms, zone).value_or(INT64_MAX);
}

}  // namespace carelake::schedule
