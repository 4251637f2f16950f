#include "carelake/base/civil_time.h"

#include <charconv>
#include <cstdio>

namespace carelake {

// The algorithms below are the well-known era-based conversions between a
// day count and a proleptic Gregorian date (400-year eras of 146097 days).
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string FormatYear(int64_t year) {
  char buf[32];
  if (year >= 0 && year <= 9999) {
    std::snprintf(buf, sizeof(buf), "%04lld", static_cast<long long>(year));
  } else {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(year));
  }
  return buf;
}

}  // namespace

std::string FormatDate(int64_t days) {
  const CivilDate c = CivilFromDays(days);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "-%02d-%02d", c.month, c.day);
  return FormatYear(c.year) + buf;
}

std::string FormatTimeOfDay(int64_t micros_of_day) {
  const int64_t secs = micros_of_day / kMicrosPerSecond;
  int64_t frac = micros_of_day % kMicrosPerSecond;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60));
  std::string out = buf;
  if (frac != 0) {
    char fbuf[8];
    std::snprintf(fbuf, sizeof(fbuf), "%06lld", static_cast<long long>(frac));
    std::string f = fbuf;
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

std::string FormatTimestamp(int64_t micros) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const int64_t rest = micros - days * kMicrosPerDay;
  return FormatDate(days) + " " + FormatTimeOfDay(rest);
}

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool AtEnd() const { return pos_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  // Reads between min_digits and max_digits decimal digits.
  bool Digits(int min_digits, int max_digits, int64_t* out, int* count = nullptr) {
    int n = 0;
    int64_t v = 0;
    while (n < max_digits && !AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      v = v * 10 + (text_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (count != nullptr) *count = n;
    *out = v;
    return n >= min_digits;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

Status ScanDate(Scanner& s, std::string_view text, int64_t* days) {
  int64_t y = 0, m = 0, d = 0;
  bool negative = s.Consume('-');
  if (!s.Digits(4, 6, &y) || !s.Consume('-') || !s.Digits(1, 2, &m) || !s.Consume('-') ||
      !s.Digits(1, 2, &d)) {
    return InvalidArgument("expected a date YYYY-MM-DD, got '" + std::string(text) + "'");
  }
  if (negative) y = -y;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<int>(m))) {
    return InvalidArgument("date out of range: '" + std::string(text) + "'");
  }
  *days = DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
  return Status::Ok();
}

}  // namespace

Result<int64_t> ParseDate(std::string_view text) {
  Scanner s(text);
  int64_t days = 0;
  CARELAKE_RETURN_IF_ERROR(ScanDate(s, text, &days));
  if (!s.AtEnd()) {
    return InvalidArgument("unexpected text after date at offset " + std::to_string(s.pos()) +
                           " in '" + std::string(text) + "'");
  }
  return days;
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  Scanner s(text);
  int64_t days = 0;
  CARELAKE_RETURN_IF_ERROR(ScanDate(s, text, &days));
  int64_t micros = days * kMicrosPerDay;
  auto bad = [&](const char* what) {
    return InvalidArgument(std::string("expected ") + what + " at offset " +
                           std::to_string(s.pos()) + " in timestamp '" + std::string(text) + "'");
  };
  if (s.Consume(' ') || s.Consume('T')) {
    int64_t h = 0, mi = 0, sec = 0;
    if (!s.Digits(1, 2, &h) || !s.Consume(':') || !s.Digits(2, 2, &mi)) return bad("HH:MM");
    if (s.Consume(':') && !s.Digits(2, 2, &sec)) return bad("seconds");
    if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi != 0 || sec != 0))) {
      return InvalidArgument("time of day out of range in '" + std::string(text) + "'");
    }
    micros += ((h * 60 + mi) * 60 + sec) * kMicrosPerSecond;
    if (s.Consume('.')) {
      int64_t frac = 0;
      int n = 0;
      if (!s.Digits(1, 9, &frac, &n)) return bad("fraction digits");
      for (; n < 6; ++n) frac *= 10;
      for (; n > 6; --n) frac /= 10;
      micros += frac;
    }
  }
  if (s.Consume('Z')) {
    // UTC
  } else if (s.Peek() == '+' || s.Peek() == '-') {
    const int sign = s.Peek() == '-' ? -1 : 1;
    s.Consume(s.Peek());
    int64_t oh = 0, om = 0;
    if (!s.Digits(2, 2, &oh)) return bad("offset hours");
    if (s.Consume(':')) {
      if (!s.Digits(2, 2, &om)) return bad("offset minutes");
    } else {
      s.Digits(0, 2, &om);
    }
    micros -= sign * (oh * 3600 + om * 60) * kMicrosPerSecond;
  }
  if (!s.AtEnd()) return bad("end of timestamp");
  return micros;
}

}  // namespace carelake
