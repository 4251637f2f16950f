#include "carelake/infer/profile.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "carelake/project/project.h"

namespace carelake::infer {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Reads 1..max_len digits at `*i` into `*out`.
bool ReadNumber(std::string_view v, size_t* i, int min_len, int max_len, int* out) {
  int n = 0, len = 0;
  while (*i < v.size() && len < max_len && IsDigit(v[*i])) {
    n = n * 10 + (v[*i] - '0');
    ++*i;
    ++len;
  }
  *out = n;
  return len >= min_len;
}

bool ValidDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

bool StartsWith(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }
bool EndsWith(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
bool Contains(const std::string& s, std::string_view p) { return s.find(p) != std::string::npos; }

// Lowercase letters and digits only: "Patient Name" -> "patientname".
std::string Normalized(std::string_view column) {
  std::string out;
  for (char c : column) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

}  // namespace

std::string ToString(Kind kind) {
  switch (kind) {
    case Kind::kBoolean:
      return "boolean";
    case Kind::kInteger:
      return "integer";
    case Kind::kDecimal:
      return "decimal";
    case Kind::kMoney:
      return "money";
    case Kind::kDate:
      return "date";
    case Kind::kTimestamp:
      return "timestamp";
    case Kind::kTime:
      return "time";
    case Kind::kText:
      return "text";
  }
  return "text";
}

std::string ToString(Pii pii) {
  switch (pii) {
    case Pii::kNone:
      return "none";
    case Pii::kName:
      return "name";
    case Pii::kEmail:
      return "email";
    case Pii::kPhone:
      return "phone";
    case Pii::kAddress:
      return "address";
    case Pii::kBirthDate:
      return "birth date";
    case Pii::kIdentifier:
      return "identifier";
  }
  return "none";
}

const std::vector<std::string>& KnownNullTokens() {
  static const std::vector<std::string> kTokens = {"",   "NULL", "null", "Null", "N/A", "n/a",
                                                   "NA", "None", "none", "NaN",  "nan", "-"};
  return kTokens;
}

bool MatchesFormat(std::string_view v, std::string_view f) {
  size_t i = 0;
  int y = 2000, m = -1, d = -1;
  for (size_t k = 0; k < f.size(); ++k) {
    if (f[k] != '%' || k + 1 == f.size()) {
      if (i >= v.size() || v[i] != f[k]) return false;
      ++i;
      continue;
    }
    int n = 0;
    switch (f[++k]) {
      case 'Y':
        if (!ReadNumber(v, &i, 4, 4, &y)) return false;
        break;
      case 'm':
        if (!ReadNumber(v, &i, 1, 2, &m) || m < 1 || m > 12) return false;
        break;
      case 'd':
        if (!ReadNumber(v, &i, 1, 2, &d) || d < 1 || d > 31) return false;
        break;
      case 'H':
        if (!ReadNumber(v, &i, 1, 2, &n) || n > 23) return false;
        break;
      case 'I':
        if (!ReadNumber(v, &i, 1, 2, &n) || n < 1 || n > 12) return false;
        break;
      case 'M':
      case 'S':
        if (!ReadNumber(v, &i, 2, 2, &n) || n > 59) return false;
        break;
      case 'p': {
        if (i + 2 > v.size()) return false;
        const std::string ampm = Lower(v.substr(i, 2));
        if (ampm != "am" && ampm != "pm") return false;
        i += 2;
        break;
      }
      default:
        return false;
    }
  }
  if (i != v.size()) return false;
  return m < 0 || d < 0 || ValidDate(y, m, d);
}

const std::vector<std::string>& DateFormats() {
  static const std::vector<std::string> kFormats = {"%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y",
                                                    "%Y/%m/%d", "%m-%d-%Y", "%d-%m-%Y"};
  return kFormats;
}

const std::vector<std::string>& TimestampFormats() {
  static const std::vector<std::string> kFormats = {
      "%Y-%m-%d %H:%M:%S",    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
      "%m/%d/%Y %I:%M %p",    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
      "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"};
  return kFormats;
}

const std::vector<std::string>& TimeFormats() {
  static const std::vector<std::string> kFormats = {"%I:%M %p", "%I:%M:%S %p", "%H:%M:%S", "%H:%M"};
  return kFormats;
}

bool IsPlainInteger(std::string_view v) {
  size_t i = (!v.empty() && v[0] == '-') ? 1 : 0;
  if (i == v.size()) return false;
  if (v[i] == '0' && v.size() > i + 1) return false;
  for (; i < v.size(); ++i) {
    if (!IsDigit(v[i])) return false;
  }
  return true;
}

bool HasLeadingZero(std::string_view v) {
  if (v.size() < 2 || v[0] != '0') return false;
  return std::all_of(v.begin(), v.end(), IsDigit);
}

bool IsDecimal(std::string_view v, int* digits, int* scale) {
  size_t i = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
  int before = 0, after = 0;
  while (i < v.size() && IsDigit(v[i])) ++i, ++before;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && IsDigit(v[i])) ++i, ++after;
  }
  if (i != v.size() || before + after == 0) return false;
  if (digits) *digits = before;
  if (scale) *scale = after;
  return true;
}

bool IsMoney(std::string_view v) {
  std::string s(v);
  if (!s.empty() && s[0] == '-') s.erase(0, 1);
  if (!s.empty() && s[0] == '$') s.erase(0, 1);
  if (!s.empty() && s[0] == '-') s.erase(0, 1);
  const size_t dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (dot != std::string::npos && (frac.empty() || !std::all_of(frac.begin(), frac.end(), IsDigit)))
    return false;
  if (whole.empty()) return false;
  if (whole.find(',') == std::string::npos) {
    return std::all_of(whole.begin(), whole.end(), IsDigit);
  }
  // Groups of three after the first group of one to three digits.
  const size_t first = whole.find(',');
  if (first == 0 || first > 3) return false;
  for (size_t i = 0; i < whole.size(); ++i) {
    const bool comma_here = i >= first && (i - first) % 4 == 0;
    if (comma_here != (whole[i] == ',')) return false;
    if (!comma_here && !IsDigit(whole[i])) return false;
  }
  return (whole.size() - first) % 4 == 0;
}

bool IsBoolean(std::string_view v) {
  const std::string l = Lower(v);
  return l == "true" || l == "false" || l == "t" || l == "f";
}

Pii PiiOfName(std::string_view column) {
  const std::string n = Normalized(column);
  if (Contains(n, "birth") || n == "dob" || EndsWith(n, "dob")) return Pii::kBirthDate;
  if (Contains(n, "email") || Contains(n, "mail")) return Pii::kEmail;
  if (Contains(n, "phone") || Contains(n, "mobile") || Contains(n, "fax") || StartsWith(n, "tel")) {
    return Pii::kPhone;
  }
  for (const char* w : {"address", "street", "zipcode", "postal", "postcode"}) {
    if (Contains(n, w)) return Pii::kAddress;
  }
  if (n == "zip") return Pii::kAddress;
  for (const char* w : {"ssn", "socialsecurity", "passport", "nationalid", "mrn", "medicalrecord",
                        "driverlicense", "driverslicense"}) {
    if (Contains(n, w)) return Pii::kIdentifier;
  }
  if (n == "fname" || n == "lname" || n == "surname") return Pii::kName;
  if (!EndsWith(n, "name")) return Pii::kNone;
  const std::string prefix = n.substr(0, n.size() - 4);
  if (prefix.empty()) return Pii::kName;
  for (const char* w : {"first", "last", "full", "middle", "given", "family", "maiden", "nick"}) {
    if (EndsWith(prefix, w)) return Pii::kName;
  }
  for (const char* w : {"patient", "doctor", "physician", "employee", "person", "contact",
                        "guardian", "mother", "father", "member", "customer", "client"}) {
    if (Contains(prefix, w)) return Pii::kName;
  }
  return Pii::kNone;
}

bool IsEmail(std::string_view v) {
  const size_t at = v.find('@');
  if (at == 0 || at == std::string_view::npos || v.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = v.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  return std::none_of(v.begin(), v.end(), [](char c) { return std::isspace(c); });
}

bool IsPhone(std::string_view v) {
  int digits = 0;
  for (char c : v) {
    if (IsDigit(c)) {
      ++digits;
    } else if (c != '+' && c != '(' && c != ')' && c != '-' && c != '.' && c != ' ') {
      return false;
    }
  }
  return digits >= 7 && digits <= 15;
}

int64_t ColumnProfile::present() const {
  int64_t tokens = 0;
  for (const auto& [t, n] : null_tokens) tokens += n;
  return values - nulls - tokens;
}

double ColumnProfile::FitShare() const {
  const int64_t p = present();
  return p == 0 ? 1.0 : static_cast<double>(fit) / static_cast<double>(p);
}

namespace {

int64_t CountIf(const std::vector<std::string>& vs,
                const std::function<bool(const std::string&)>& f) {
  return std::count_if(vs.begin(), vs.end(), f);
}

bool Enough(int64_t fit, size_t n) {
  return n > 0 && static_cast<double>(fit) >= kMinFitShare * static_cast<double>(n);
}

// The format of `formats` most values fit (the earlier on ties); its count
// in `*fit`.
std::string BestFormat(const std::vector<std::string>& vs, const std::vector<std::string>& formats,
                       int64_t* fit) {
  std::string best;
  *fit = 0;
  for (const std::string& f : formats) {
    const int64_t n = CountIf(vs, [&f](const std::string& v) { return MatchesFormat(v, f); });
    if (n > *fit) *fit = n, best = f;
  }
  return best;
}

std::string Percent(int64_t part, int64_t whole) {
  if (whole == 0) return "100%";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.0f%%", 100.0 * part / whole);
  if (part != whole && std::string(buf) == "100%") return ">99%";
  return buf;
}

// Chooses `p`'s kind, type and format from its present values.
void ChooseType(const std::vector<std::string>& vs, ColumnProfile& p) {
  const size_t n = vs.size();
  if (n == 0) return;  // nothing seen: text
  if (int64_t fit = CountIf(vs, IsBoolean); Enough(fit, n)) {
    p.kind = Kind::kBoolean, p.type = "BOOLEAN", p.fit = fit;
    return;
  }
  const int64_t ints = CountIf(vs, [](const std::string& v) { return IsPlainInteger(v); });
  const int64_t zeros = CountIf(vs, [](const std::string& v) { return HasLeadingZero(v); });
  if (zeros > 0 && Enough(ints + zeros, n)) {
    p.fit = ints + zeros;
    p.why = std::to_string(zeros) + " of " + std::to_string(n) +
            " values are digits with leading zeros (e.g. \"" +
            *std::find_if(vs.begin(), vs.end(),
                          [](const std::string& v) { return HasLeadingZero(v); }) +
            "\"): kept as text";
    return;
  }
  const bool long_ints = std::any_of(vs.begin(), vs.end(), [](const std::string& v) {
    return v.size() > 18 && IsPlainInteger(v);
  });
  if (Enough(ints, n) && !long_ints) {
    p.kind = Kind::kInteger, p.type = "BIGINT", p.fit = ints;
    return;
  }
  int max_digits = 0, max_scale = 0;
  const int64_t decimals = CountIf(vs, [&](const std::string& v) {
    int digits = 0, scale = 0;
    if (!IsDecimal(v, &digits, &scale)) return false;
    max_digits = std::max(max_digits, digits), max_scale = std::max(max_scale, scale);
    return true;
  });
  if (Enough(decimals, n) && max_digits + max_scale <= 38) {
    const int precision = max_digits + max_scale <= 18 ? 18 : 38;
    p.kind = Kind::kDecimal, p.fit = decimals;
    p.type = "DECIMAL(" + std::to_string(precision) + "," + std::to_string(max_scale) + ")";
    return;
  }
  if (int64_t fit = CountIf(vs, [](const std::string& v) { return IsMoney(v); }); Enough(fit, n)) {
    int scale = 2;
    for (const std::string& v : vs) {
      const size_t dot = v.find('.');
      if (dot != std::string::npos)
        scale = std::max<int>(scale, static_cast<int>(v.size() - dot - 1));
    }
    p.kind = Kind::kMoney, p.fit = fit;
    p.type = "DECIMAL(18," + std::to_string(std::min(scale, 18)) + ")";
    return;
  }
  const std::pair<Kind, const std::vector<std::string>*> temporal[] = {
      {Kind::kDate, &DateFormats()},
      {Kind::kTimestamp, &TimestampFormats()},
      {Kind::kTime, &TimeFormats()}};
  for (const auto& [kind, formats] : temporal) {
    int64_t fit = 0;
    std::string format = BestFormat(vs, *formats, &fit);
    if (!Enough(fit, n)) continue;
    p.kind = kind, p.fit = fit, p.format = format;
    p.type = kind == Kind::kDate ? "DATE" : kind == Kind::kTime ? "VARCHAR" : "TIMESTAMP";
    return;
  }
  p.fit = static_cast<int64_t>(n);
  if (ints > 0 && ints * 2 >= static_cast<int64_t>(n)) {
    p.why = "only " + Percent(ints, static_cast<int64_t>(n)) + " of values are integers";
  }
}

// The PII category of `p` by its name and values.
void ChoosePii(const std::vector<std::string>& vs, ColumnProfile& p) {
  const int64_t n = static_cast<int64_t>(vs.size());
  const Pii by_name = PiiOfName(p.name);
  const int64_t emails = CountIf(vs, [](const std::string& v) { return IsEmail(v); });
  const int64_t phones = CountIf(vs, [](const std::string& v) {
    return IsPhone(v) && v.find_first_of("+()-. ") != std::string::npos;
  });
  const int64_t lines = CountIf(vs, [](const std::string& v) { return Contains(v, "\n"); });
  std::string by_values;
  Pii values_pii = Pii::kNone;
  if (n > 0 && emails * 2 >= n) {
    values_pii = Pii::kEmail, by_values = Percent(emails, n) + " of values look like emails";
  } else if (n > 0 && phones * 10 >= n * 8 && p.kind == Kind::kText) {
    values_pii = Pii::kPhone, by_values = Percent(phones, n) + " of values look like phone numbers";
  } else if (n > 0 && lines * 2 >= n && p.kind == Kind::kText) {
    values_pii = Pii::kAddress,
    by_values = Percent(lines, n) + " of values span lines (addresses?)";
  }
  if (by_name != Pii::kNone) {
    p.pii = by_name;
    p.pii_reason = "column name";
    if (!by_values.empty()) p.pii_reason += "; " + by_values;
  } else if (values_pii != Pii::kNone) {
    p.pii = values_pii;
    p.pii_reason = by_values;
  }
}

}  // namespace

ColumnProfile ProfileColumn(const std::string& name,
                            const std::vector<std::optional<std::string>>& values) {
  ColumnProfile p;
  p.name = name;
  p.values = static_cast<int64_t>(values.size());
  const std::set<std::string> tokens(KnownNullTokens().begin(), KnownNullTokens().end());
  std::vector<std::string> present;
  for (const std::optional<std::string>& v : values) {
    if (!v) {
      ++p.nulls;
      continue;
    }
    std::string t = Trim(*v);
    if (tokens.count(t)) {
      ++p.null_tokens[t];
      continue;
    }
    present.push_back(std::move(t));
  }
  std::set<std::string> distinct(present.begin(), present.end());
  p.distinct = static_cast<int64_t>(distinct.size());
  for (const std::string& v : distinct) {
    if (p.examples.size() == 3) break;
    p.examples.push_back(v);
  }
  p.candidate_key = p.values > 1 && p.nulls == 0 && p.null_tokens.empty() &&
                    p.distinct == static_cast<int64_t>(present.size());
  ChooseType(present, p);
  ChoosePii(present, p);
  return p;
}

std::string SilverNameOf(const std::string& bronze_table, const std::string& source) {
  const std::string prefix = source + "__";
  std::string name =
      StartsWith(bronze_table, prefix) ? bronze_table.substr(prefix.size()) : bronze_table;
  return name;
}

namespace {

std::string Quote(const std::string& s) { return nlohmann::json(s).dump(); }

// A value for a comment: one line, at most 24 characters.
std::string Example(const std::string& v) {
  std::string one = Quote(v);
  if (one.size() > 26) one = one.substr(0, 23) + "...\"";
  return one;
}

std::string Evidence(const ColumnProfile& c) {
  std::ostringstream out;
  out << c.name << ": " << ToString(c.kind);
  if (!c.format.empty()) out << " " << c.format;
  out << ", " << Percent(c.fit, c.present()) << " of " << c.present() << " values fit";
  if (c.values > c.present()) out << "; " << (c.values - c.present()) << " empty";
  if (!c.examples.empty()) {
    out << "; e.g.";
    for (const std::string& e : c.examples) out << " " << Example(e);
  }
  if (!c.why.empty()) out << "; " << c.why;
  if (c.candidate_key) out << "; candidate key";
  if (c.pii != Pii::kNone)
    out << "; likely PII (" << ToString(c.pii) << ": " << c.pii_reason << ")";
  return out.str();
}

std::string ColumnLine(const ColumnProfile& c, const std::string& name) {
  std::string line = "{name: " + name;
  if (c.kind == Kind::kMoney) {
    line += ", expr: " + Quote("replace(replace(trim(\"" + c.name + "\"), '$', ''), ',', '')") +
            ", type: " + Quote(c.type);
  } else if (c.kind == Kind::kTime) {
    // Delta has no time-of-day type: 24-hour text, as database sources store times.
    line +=
        ", expr: " +
        Quote("strftime(try_strptime(trim(\"" + c.name + "\"), '" + c.format + "'), '%H:%M:%S')") +
        ", type: VARCHAR";
  } else {
    line += ", from: " + Quote(c.name) + ", type: " + Quote(c.type);
    if (!c.format.empty()) line += ", format: " + Quote(c.format);
  }
  if (c.pii != Pii::kNone) line += ", pii: true";
  return line + "}";
}

void TableYaml(const TableProfile& t, std::ostringstream& out) {
  out << "  # " << t.bronze << ": " << t.rows_sampled << " rows sampled";
  if (t.rows_total >= 0) out << " of " << t.rows_total;
  out << "\n  - name: " << t.silver_name << "\n    from: " << t.bronze << "\n";
  std::map<std::string, int64_t> seen;
  std::vector<std::string> keys;
  for (const ColumnProfile& c : t.columns) {
    for (const auto& [tok, n] : c.null_tokens) seen[tok] += n;
    if (c.candidate_key) keys.push_back(c.name);
  }
  std::vector<std::string> tokens = {"", "NULL", "N/A"};
  if (!seen.empty()) {
    out << "    # null tokens seen:";
    for (const auto& [tok, n] : seen) {
      out << " " << Quote(tok) << " x" << n;
      if (std::find(tokens.begin(), tokens.end(), tok) == tokens.end()) tokens.push_back(tok);
    }
    out << "\n";
  }
  out << "    null_tokens: [";
  for (size_t i = 0; i < tokens.size(); ++i) out << (i ? ", " : "") << Quote(tokens[i]);
  out << "]\n";
  std::map<std::string, std::string> names;  // bronze -> silver
  std::set<std::string> used;
  for (const std::string& b : t.column_order) {
    std::string n = project::SnakeCase(b);
    for (int i = 2; used.count(n); ++i) n = project::SnakeCase(b) + "_" + std::to_string(i);
    used.insert(n);
    names[b] = n;
  }
  if (!keys.empty()) {
    out << "    # candidate keys (unique and never empty in the sample):";
    for (const std::string& k : keys) out << " " << k;
    std::string key = keys.front();
    for (const std::string& k : keys) {
      if (EndsWith(Normalized(k), "id")) {
        key = k;
        break;
      }
    }
    out << "\n    key: [" << names[key] << "]\n";
  }
  out << "    columns:\n";
  for (const std::string& b : t.column_order) {
    auto typed = t.typed.find(b);
    if (typed != t.typed.end()) {
      out << "      # " << b << ": typed in bronze already\n";
      out << "      - {name: " << names[b] << ", from: " << Quote(b)
          << ", type: " << Quote(typed->second) << "}\n";
      continue;
    }
    auto c = std::find_if(t.columns.begin(), t.columns.end(),
                          [&b](const ColumnProfile& p) { return p.name == b; });
    if (c == t.columns.end()) continue;
    out << "      # " << Evidence(*c) << "\n";
    if (c->kind == Kind::kMoney || c->kind == Kind::kTime) {
      out << "      #   (an expression: not checked by a <column>_type rule"
          << (c->kind == Kind::kTime ? "; times as 24-hour text HH:MM:SS" : "") << ")\n";
    }
    out << "      - " << ColumnLine(*c, names[b]) << "\n";
  }
}

}  // namespace

std::string SilverYaml(const std::vector<TableProfile>& tables) {
  std::ostringstream out;
  out << "# Silver declarations inferred by `carelake infer` from samples of bronze tables:\n"
         "# a start. Review the types, the key and the PII tags before relying on them.\n"
         "silver:\n";
  for (const TableProfile& t : tables) TableYaml(t, out);
  return out.str();
}

}  // namespace carelake::infer
