// The acceptance test of the MHA example project (examples/mha, seed 004):
// generated admission/discharge events, EHR extracts and department snapshots
// run through the project's own carelake.yaml and models/*.sql.
//
// What is compared with what:
//
//  - KpisMatchAnIndependentComputationFromTheRawEvents: every gold answer
//    against the same answer computed here from the raw NDJSON lines with
//    nlohmann/json, without DuckDB and without the models' SQL. The raw
//    events are de-duplicated by event_id and the documented silver rules are
//    applied by hand (an event time that is missing, or later than
//    recorded_at + 5 minutes, is unknown; an age outside 0..100 is unknown);
//    a stay is an admission plus the discharge that names it. Compared:
//    silver.events per event (event_time, age); gold.fact_admissions per
//    admission (times, still admitted, length of stay, age);
//    admissions_discharges_daily, demographics, length_of_stay_distribution
//    per group; occupancy_hourly hour by hour and department_load's daily
//    peaks. The surrogate keys of the fact are checked with SQL against the
//    dimension versions in effect at admission. The dirt the generator
//    reports (MhaSummary) equals what the raw lines show, the run ledger's
//    rule counts (_system.expectations), the silver step's counts and the
//    rows flagged in silver.events._dq_fixes.
//  - SchemaEvolutionRunSucceedsAndTheNewAttributeIsQueryable: insurance_type
//    is absent from the first two event files and present in the last two.
//    A run over the first two has no such column; after the others land, the
//    column is in silver.events (NULL exactly for the older events) and in
//    gold.dim_patient, whose current rows carry the insurance type the
//    patient's (timed) events carried, and the fact points at versions that
//    carry it too. The gold answers still equal the raw computation.
//  - IncrementalRunsEqualAFullRefresh: two generator runs into one landing
//    folder, each followed by a pipeline run, against (a) one run over all
//    files into a fresh lake and (b) --full-refresh of the incremental lake:
//    every gold table (marts, fact with and without its surrogate keys,
//    dimensions) and silver.events (without lineage) equal row for row.
//    (With this seed, gold.demographics differs between the incremental and
//    the fresh lake in one rounded average whose exact value is a tie,
//    36.445: the average over DOUBLE hours depends on the rows' order.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/generate/mha.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"
#include "sorted_rows.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kEvents = 6000;
constexpr int kBatches = 4;
constexpr double kDirt = 0.05;
constexpr int64_t kFutureSlackSeconds = 5 * 60;  // silver rule event_time_in_future

// --- civil time, written out here so the expected answers owe nothing to the product ---

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "2024-01-01T00:12:34Z" -> seconds since the epoch.
int64_t ParseIso(const std::string& s) {
  EXPECT_EQ(s.size(), 20u) << s;
  auto n = [&](size_t at, size_t len) { return std::stoll(s.substr(at, len)); };
  return DaysFromCivil(n(0, 4), n(5, 2), n(8, 2)) * 86400 + n(11, 2) * 3600 + n(14, 2) * 60 +
         n(17, 2);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// "2024-01-01" (with `hour`: "2024-01-01 07") of an instant, in UTC.
std::string CivilText(int64_t seconds, bool hour = false) {
  const int64_t z = FloorDiv(seconds, 86400) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  std::string out = std::to_string(y);
  auto append2 = [&](char sep, int64_t v) {
    out += sep;
    out += static_cast<char>('0' + v / 10);
    out += static_cast<char>('0' + v % 10);
  };
  append2('-', m);
  append2('-', d);
  if (hour) append2(' ', (seconds - FloorDiv(seconds, 86400) * 86400) / 3600);
  return out;
}

// --- the raw events, with silver's rules applied by hand ---

struct RawEvent {
  std::string line;  // verbatim
  std::string file;  // file name, e.g. events-20240101T000000Z-0003.ndjson
  std::string id, type, patient, hospital, department, gender, admission_id;
  bool time_missing = false;    // absent or null
  bool time_future = false;     // later than recorded_at + 5 minutes
  std::optional<int64_t> time;  // silver's event_time: unknown if missing or future
  int64_t raw_age = 0;
  std::optional<int64_t> age;  // silver's age: unknown outside 0..100
  std::optional<std::string> insurance;
};

struct RawEvents {
  std::vector<RawEvent> events;  // one per event_id (its first delivery), in file order
  int64_t lines = 0;
  int64_t duplicates = 0;  // lines repeating an event_id seen before
  int64_t non_verbatim_duplicates = 0;
};

// Every line of <landing>/events/*.ndjson, in file-name order.
RawEvents ParseEvents(const fs::path& landing) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(landing / "events")) {
    if (e.path().extension() == ".ndjson") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  RawEvents out;
  std::map<std::string, std::string> seen;  // event_id -> line
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      ++out.lines;
      const json j = json::parse(line);
      RawEvent e;
      e.line = line;
      e.file = file.filename().string();
      e.id = j.at("event_id");
      if (auto it = seen.find(e.id); it != seen.end()) {
        ++out.duplicates;
        out.non_verbatim_duplicates += it->second != line;
        continue;
      }
      seen[e.id] = line;
      e.type = j.at("event_type");
      e.patient = j.at("patient_id");
      e.hospital = j.at("hospital_id");
      e.department = j.at("department");
      e.gender = j.at("gender");
      if (j.contains("admission_event_id")) e.admission_id = j.at("admission_event_id");
      const int64_t recorded_at = ParseIso(j.at("recorded_at"));
      if (!j.contains("event_time") || j.at("event_time").is_null()) {
        e.time_missing = true;
      } else {
        const int64_t t = ParseIso(j.at("event_time"));
        e.time_future = t > recorded_at + kFutureSlackSeconds;
        if (!e.time_future) e.time = t;
      }
      e.raw_age = j.at("age");
      if (e.raw_age >= 0 && e.raw_age <= 100) e.age = e.raw_age;
      if (j.contains("insurance_type") && !j.at("insurance_type").is_null()) {
        e.insurance = j.at("insurance_type").get<std::string>();
      }
      out.events.push_back(std::move(e));
    }
  }
  return out;
}

struct Stay {
  const RawEvent* admission = nullptr;
  const RawEvent* discharge = nullptr;  // the first by time (unknown last), then by id
  std::optional<int64_t> discharged_at;
  bool discharge_before_admission = false;  // both times known, discharge earlier
  bool still_admitted() const { return discharge == nullptr; }
  std::optional<double> hours() const {
    if (!discharged_at) return std::nullopt;
    return static_cast<double>(*discharged_at - *admission->time) / 3600.0;
  }
};

std::vector<Stay> BuildStays(const RawEvents& raw) {
  std::map<std::string, const RawEvent*> first_discharge;
  auto earlier = [](const RawEvent* a, const RawEvent* b) {
    if (a->time.has_value() != b->time.has_value()) return a->time.has_value();
    if (a->time && *a->time != *b->time) return *a->time < *b->time;
    return a->id < b->id;
  };
  for (const RawEvent& e : raw.events) {
    if (e.type != "discharge") continue;
    const RawEvent*& d = first_discharge[e.admission_id];
    if (d == nullptr || earlier(&e, d)) d = &e;
  }
  std::vector<Stay> stays;
  for (const RawEvent& e : raw.events) {
    if (e.type != "admission") continue;
    Stay s;
    s.admission = &e;
    if (auto it = first_discharge.find(e.id); it != first_discharge.end()) s.discharge = it->second;
    if (s.discharge && s.discharge->time && e.time) {
      if (*s.discharge->time >= *e.time) {
        s.discharged_at = s.discharge->time;
      } else {
        s.discharge_before_admission = true;
      }
    }
    stays.push_back(s);
  }
  return stays;
}

std::string AgeBand(const std::optional<int64_t>& age) {
  if (!age) return "unknown";
  if (*age < 18) return "0-17";
  if (*age < 35) return "18-34";
  if (*age < 50) return "35-49";
  if (*age < 65) return "50-64";
  if (*age < 80) return "65-79";
  return "80-100";
}

std::string LosBand(double hours) {
  if (hours < 12) return "< 12 h";
  if (hours < 24) return "12-24 h";
  if (hours < 48) return "1-2 days";
  if (hours < 72) return "2-3 days";
  return "3+ days";
}

// --- answers: a text key per row and its numbers (NaN for NULL) ---

using Measures = std::vector<double>;
using Answer = std::map<std::string, Measures>;

double Num(const std::optional<double>& v) { return v ? *v : NAN; }
double Num(const std::optional<int64_t>& v) { return v ? static_cast<double>(*v) : NAN; }

std::string Key(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "|") + p;
  return out;
}

std::string FormatMeasures(const Measures& m) {
  std::string out = "(";
  for (size_t i = 0; i < m.size(); ++i) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.12g", m[i]);
    out += (i ? ", " : "") + std::string(std::isnan(m[i]) ? "NULL" : buf);
  }
  return out + ")";
}

// Every gold answer, computed from the raw events.
struct ExpectedAnswers {
  Answer silver_events;  // event_id -> event_time, age
  Answer fact;           // admission|patient|hospital|department|gender -> times, still, hours, age
  Answer daily;          // day|hospital|department -> admissions, discharges
  Answer demographics;   // gender|age_band -> admissions, still admitted, avg hours
  Answer los;            // department|los_band -> stays, band avg hours
  Answer occupancy;      // hospital|department|hour -> patients
  Answer peaks;          // hospital|department|day -> peak patients
};

// A running mean that stays NULL (NaN) without values.
struct Mean {
  double sum = 0;
  int64_t n = 0;
  void Add(const std::optional<double>& v) {
    if (!v) return;
    sum += *v;
    ++n;
  }
  double value() const { return n ? sum / n : NAN; }
};

ExpectedAnswers ComputeAnswers(const RawEvents& raw) {
  ExpectedAnswers a;
  std::optional<int64_t> now;  // the latest known event time
  for (const RawEvent& e : raw.events) {
    a.silver_events[e.id] = {Num(e.time), Num(e.age)};
    if (e.time) now = std::max(now.value_or(*e.time), *e.time);
  }
  const std::vector<Stay> stays = BuildStays(raw);
  std::map<std::string, Mean> demographic_hours, band_hours;
  std::map<std::string, std::pair<int64_t, int64_t>> demographic_counts;
  std::map<std::string, int64_t> band_stays;
  std::map<std::string, std::pair<int64_t, int64_t>> daily;
  std::map<std::string, int64_t> occupancy;
  std::map<std::string, int64_t> peaks;
  for (const Stay& s : stays) {
    const RawEvent& ad = *s.admission;
    a.fact[Key({ad.id, ad.patient, ad.hospital, ad.department, ad.gender})] = {
        Num(ad.time), Num(s.discharged_at), s.still_admitted() ? 1.0 : 0.0, Num(s.hours()),
        Num(ad.age)};
    if (ad.time) ++daily[Key({CivilText(*ad.time), ad.hospital, ad.department})].first;
    if (s.discharged_at) {
      ++daily[Key({CivilText(*s.discharged_at), ad.hospital, ad.department})].second;
    }
    const std::string demographic = Key({ad.gender, AgeBand(ad.age)});
    ++demographic_counts[demographic].first;
    demographic_counts[demographic].second += s.still_admitted();
    demographic_hours[demographic].Add(s.hours());
    if (s.hours()) {
      const std::string band = Key({ad.department, LosBand(*s.hours())});
      ++band_stays[band];
      band_hours[band].Add(s.hours());
    }
    // Occupancy: every hour from the admission's to the end's (the discharge,
    // or the latest known event time for a patient still admitted).
    if (!ad.time) continue;
    std::optional<int64_t> end = s.still_admitted() ? now : s.discharged_at;
    if (!end || *end < *ad.time) continue;
    for (int64_t h = FloorDiv(*ad.time, 3600) * 3600; h <= FloorDiv(*end, 3600) * 3600; h += 3600) {
      ++occupancy[Key({ad.hospital, ad.department, CivilText(h, /*hour=*/true)})];
    }
  }
  for (const auto& [k, c] : daily) {
    a.daily[k] = {static_cast<double>(c.first), static_cast<double>(c.second)};
  }
  for (const auto& [k, c] : demographic_counts) {
    a.demographics[k] = {static_cast<double>(c.first), static_cast<double>(c.second),
                         demographic_hours[k].value()};
  }
  for (const auto& [k, n] : band_stays) {
    a.los[k] = {static_cast<double>(n), band_hours[k].value()};
  }
  for (const auto& [k, n] : occupancy) {
    a.occupancy[k] = {static_cast<double>(n)};
    // "H1|Emergency|2024-01-01 07" -> the day's key "H1|Emergency|2024-01-01".
    const std::string day = k.substr(0, k.size() - 3);
    peaks[day] = std::max(peaks[day], n);
  }
  for (const auto& [k, n] : peaks) a.peaks[k] = {static_cast<double>(n)};
  return a;
}

class MhaPipelineTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    project_dir_ = dir_ / "mha";
    CopyProjectFiles(project_dir_);
  }

  static void CopyProjectFiles(const fs::path& to) {
    const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "mha";
    fs::create_directories(to / "models");
    fs::copy_file(example / "carelake.yaml", to / "carelake.yaml");
    for (const auto& e : fs::directory_iterator(example / "models")) {
      fs::copy_file(e.path(), to / "models" / e.path().filename());
    }
  }

  fs::path Landing() const { return project_dir_ / "landing"; }

  generate::MhaSummary Generate(const fs::path& out, uint64_t seed) {
    generate::MhaOptions o;
    o.out_dir = out.string();
    o.events = kEvents;
    o.seed = seed;
    o.batches = kBatches;
    o.dirt = kDirt;
    auto s = generate::GenerateMha(o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : generate::MhaSummary{};
  }

  // Runs the project in `dir` on `conn` and registers its tables as views there.
  static RunReport RunOn(const fs::path& dir, engine::Connection& conn,
                         const RunOptions& options = {}) {
    auto p = project::LoadProject(dir.string());
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return {};
    auto r = RunProject(*p, options, LocalFileSystem(), conn);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    auto views = catalog::RegisterViews(*p, LocalFileSystem(), conn);
    EXPECT_TRUE(views.ok()) << views.status();
    return *r;
  }

  RunReport Run(const RunOptions& options = {}) { return RunOn(project_dir_, *conn_, options); }

  static const StepReport* FindStep(const RunReport& report, const std::string& name) {
    for (const StepReport& s : report.steps) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  // Rows of `sql`: the first column a text key, the others numbers.
  Answer Lake(const std::string& sql) {
    Answer out;
    for (const auto& row : Rows(sql)) {
      Measures m;
      for (size_t i = 1; i < row.size(); ++i)
        m.push_back(row[i].is_null() ? NAN : row[i].GetDouble());
      const std::string key = row[0].is_null() ? "NULL" : row[0].GetString();
      EXPECT_TRUE(out.emplace(key, std::move(m)).second) << "two rows for " << key << "\n" << sql;
    }
    return out;
  }

  // Expects the lake's answer to equal the computed one, each measure within
  // its tolerance (NULL equals only NULL); on a difference, shows the first rows.
  static void ExpectSameAnswer(const Answer& want, const Answer& got,
                               const std::vector<double>& tolerance, const std::string& what) {
    std::vector<std::string> problems;
    auto near = [&](const Measures& a, const Measures& b) {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) != std::isnan(b[i])) return false;
        if (!std::isnan(a[i]) && std::abs(a[i] - b[i]) > tolerance.at(i)) return false;
      }
      return true;
    };
    for (const auto& [k, w] : want) {
      auto it = got.find(k);
      if (it == got.end()) {
        problems.push_back("missing " + k + " " + FormatMeasures(w));
      } else if (!near(w, it->second)) {
        problems.push_back(k + ": expected " + FormatMeasures(w) + ", got " +
                           FormatMeasures(it->second));
      }
    }
    for (const auto& [k, g] : got) {
      if (!want.count(k)) problems.push_back("unexpected " + k + " " + FormatMeasures(g));
    }
    std::string sample;
    for (size_t i = 0; i < std::min<size_t>(10, problems.size()); ++i) {
      sample += "\n  " + problems[i];
    }
    EXPECT_TRUE(problems.empty()) << what << ": " << problems.size() << " rows differ ("
                                  << want.size() << " expected, " << got.size()
                                  << " in the lake):" << sample;
  }

  // Silver's event_time and age per event, and every gold answer, equal the
  // computation from the raw events.
  void ExpectGoldMatches(const RawEvents& raw) {
    const ExpectedAnswers want = ComputeAnswers(raw);
    constexpr double kExact = 1e-6;
    // The marts round averages to 2 decimals: within half a cent of the exact
    // average is the correctly rounded value (either neighbour at an exact tie).
    constexpr double kRounded = 0.005 + 1e-9;
    ExpectSameAnswer(want.silver_events,
                     Lake("SELECT event_id, epoch(event_time)::DOUBLE, age::DOUBLE FROM "
                          "silver.events"),
                     {kExact, kExact}, "silver.events");
    ExpectSameAnswer(
        want.fact,
        Lake("SELECT concat_ws('|', admission_event_id, patient_id, hospital_id, department, "
             "gender), epoch(admitted_at)::DOUBLE, epoch(discharged_at)::DOUBLE, "
             "still_admitted::DOUBLE, length_of_stay_hours::DOUBLE, age_at_admission::DOUBLE "
             "FROM gold.fact_admissions"),
        {kExact, kExact, kExact, kExact, kExact}, "gold.fact_admissions");
    EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_admissions WHERE length_of_stay_hours < 0"), 0);
    ExpectSameAnswer(want.daily,
                     Lake("SELECT concat_ws('|', strftime(day, '%Y-%m-%d'), hospital_id, "
                          "department), admissions::DOUBLE, discharges::DOUBLE FROM "
                          "gold.admissions_discharges_daily"),
                     {kExact, kExact}, "gold.admissions_discharges_daily");
    ExpectSameAnswer(want.demographics,
                     Lake("SELECT concat_ws('|', gender, age_band), admissions::DOUBLE, "
                          "still_admitted::DOUBLE, avg_length_of_stay_hours::DOUBLE FROM "
                          "gold.demographics"),
                     {kExact, kExact, kRounded}, "gold.demographics");
    ExpectSameAnswer(want.los,
                     Lake("SELECT concat_ws('|', department, los_band), stays::DOUBLE, "
                          "band_avg_hours::DOUBLE FROM gold.length_of_stay_distribution"),
                     {kExact, kRounded}, "gold.length_of_stay_distribution");
    ExpectSameAnswer(want.occupancy,
                     Lake("SELECT concat_ws('|', hospital_id, department, strftime(hour, "
                          "'%Y-%m-%d %H')), patients::DOUBLE FROM gold.occupancy_hourly"),
                     {kExact}, "gold.occupancy_hourly");
    ExpectSameAnswer(want.peaks,
                     Lake("SELECT concat_ws('|', hospital_id, department, strftime(day, "
                          "'%Y-%m-%d')), peak_patients::DOUBLE FROM gold.department_load"),
                     {kExact}, "gold.department_load (peak_patients)");
  }

  // Every fact row points at a known version of its patient and department,
  // the one in effect when the patient was admitted (when that is known).
  void ExpectSurrogateKeysPointToTheVersionsInEffect() {
    EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_admissions WHERE patient_sk IS NULL OR "
                  "patient_sk = -1 OR department_sk IS NULL OR department_sk = -1"),
              0);
    EXPECT_EQ(Int("SELECT count(*) FROM (SELECT patient_sk FROM gold.dim_patient GROUP BY ALL "
                  "HAVING count(*) > 1)"),
              0);
    EXPECT_EQ(Int("SELECT count(*) FROM (SELECT department_sk FROM gold.dim_department GROUP BY "
                  "ALL HAVING count(*) > 1)"),
              0);
    EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_admissions f LEFT JOIN gold.dim_patient p ON "
                  "p.patient_sk = f.patient_sk WHERE NOT coalesce(p.patient_id = f.patient_id "
                  "AND (f.admitted_at IS NULL OR (p.valid_from <= f.admitted_at AND (p.valid_to "
                  "IS NULL OR f.admitted_at < p.valid_to))), false)"),
              0);
    EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_admissions f LEFT JOIN gold.dim_department d "
                  "ON d.department_sk = f.department_sk WHERE NOT coalesce(d.hospital_id = "
                  "f.hospital_id AND d.department = f.department AND (f.admitted_at IS NULL OR "
                  "(d.valid_from <= f.admitted_at::DATE AND (d.valid_to IS NULL OR "
                  "f.admitted_at::DATE < d.valid_to))), false)"),
              0);
  }

  fs::path project_dir_;
};

TEST_F(MhaPipelineTest, KpisMatchAnIndependentComputationFromTheRawEvents) {
  const generate::MhaSummary s = Generate(Landing(), 4);
  const RunReport report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  const RawEvents raw = ParseEvents(Landing());

  // The generator's account of its dirt, recounted from the raw lines (this
  // also checks the parsing above). Every kind occurs.
  ASSERT_EQ(raw.lines, s.lines);
  ASSERT_EQ(static_cast<int64_t>(raw.events.size()), kEvents);
  EXPECT_EQ(raw.non_verbatim_duplicates, 0);
  EXPECT_EQ(raw.duplicates, s.duplicate_events);
  int64_t missing = 0, future = 0, over_100 = 0, below_0 = 0;
  for (const RawEvent& e : raw.events) {
    missing += e.time_missing;
    future += e.time_future;
    over_100 += e.raw_age > 100;
    below_0 += e.raw_age < 0;
  }
  const std::vector<Stay> stays = BuildStays(raw);
  int64_t before_admission = 0, still = 0;
  for (const Stay& st : stays) {
    before_admission += st.discharge_before_admission;
    still += st.still_admitted();
  }
  EXPECT_EQ(missing, s.missing_admission_time);
  EXPECT_EQ(future, s.future_timestamps);
  EXPECT_EQ(over_100, s.age_over_100);
  EXPECT_EQ(below_0, s.age_below_0);
  EXPECT_EQ(before_admission, s.discharge_before_admission);
  EXPECT_EQ(static_cast<int64_t>(stays.size()), s.admissions);
  EXPECT_EQ(still, s.still_admitted);
  for (int64_t kind : {s.missing_admission_time, s.future_timestamps, s.age_over_100, s.age_below_0,
                       s.duplicate_events, s.discharge_before_admission}) {
    EXPECT_GT(kind, 0);
  }

  // Every gold answer equals the computation from the raw events.
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_admissions"), s.admissions);
  ExpectGoldMatches(raw);
  ExpectSurrogateKeysPointToTheVersionsInEffect();

  // Every dirty row is accounted for: in the run ledger, ...
  std::map<std::string, int64_t> failed;  // "table|rule" -> rows failed
  for (const auto& r : Rows("SELECT table_name, rule, rows_failed FROM _system.expectations WHERE "
                            "run_id = '" +
                            report.run_id + "'")) {
    failed[r[0].GetString() + "|" + r[1].GetString()] = r[2].GetInt64();
  }
  EXPECT_EQ(failed.at("silver.events|event_time_missing"), s.missing_admission_time);
  EXPECT_EQ(failed.at("silver.events|event_time_in_future"), s.future_timestamps);
  EXPECT_EQ(failed.at("silver.events|age_over_100"), s.age_over_100);
  EXPECT_EQ(failed.at("silver.events|age_below_0"), s.age_below_0);
  EXPECT_EQ(failed.at("gold.fact_admissions|discharge_before_admission"),
            s.discharge_before_admission);
  for (const char* rule :
       {"has_event_id", "known_event_type", "has_patient", "known_department",
        "discharge_names_admission", "event_time_type", "recorded_at_type", "age_type"}) {
    EXPECT_EQ(failed.at(std::string("silver.events|") + rule), 0) << rule;
  }
  for (const char* rule : {"length_of_stay_not_negative", "patient_known", "department_known"}) {
    EXPECT_EQ(failed.at(std::string("gold.fact_admissions|") + rule), 0) << rule;
  }
  // ... in the silver step's counts, which reconcile, ...
  const StepReport* silver = FindStep(report, "silver.events");
  ASSERT_NE(silver, nullptr);
  EXPECT_EQ(silver->rows_read, s.lines);
  EXPECT_EQ(silver->rows_deduplicated, s.duplicate_events);
  EXPECT_EQ(silver->rows_written, kEvents);
  EXPECT_EQ(silver->rows_quarantined, 0);
  EXPECT_EQ(silver->rows_dropped, 0);
  EXPECT_EQ(silver->rows_read, silver->rows_written + silver->rows_quarantined +
                                   silver->rows_dropped + silver->rows_deduplicated);
  EXPECT_EQ(silver->rows_fixed, s.future_timestamps + s.age_over_100 + s.age_below_0);
  EXPECT_EQ(silver->rows_warned, s.missing_admission_time);
  // ... and in the rows themselves: fixed rows are flagged, unknown values stay NULL.
  EXPECT_EQ(Int("SELECT count(*) FROM silver.events"), kEvents);
  for (const auto& [rule, n] :
       std::map<std::string, int64_t>{{"event_time_in_future", s.future_timestamps},
                                      {"age_over_100", s.age_over_100},
                                      {"age_below_0", s.age_below_0}}) {
    EXPECT_EQ(
        Int("SELECT count(*) FROM silver.events WHERE list_contains(_dq_fixes, '" + rule + "')"), n)
        << rule;
  }
  EXPECT_EQ(Int("SELECT count(*) FROM silver.events WHERE len(_dq_fixes) > 1"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.events WHERE event_time IS NULL"),
            s.missing_admission_time + s.future_timestamps);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.events WHERE age IS NULL"),
            s.age_over_100 + s.age_below_0);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_admissions WHERE discharge_event_time < "
                "admitted_at AND discharged_at IS NULL AND length_of_stay_hours IS NULL AND NOT "
                "still_admitted"),
            s.discharge_before_admission);
}

TEST_F(MhaPipelineTest, SchemaEvolutionRunSucceedsAndTheNewAttributeIsQueryable) {
  // insurance_type appears from batch 2 (0-based) of the first run on.
  const fs::path staging = dir_ / "staging";
  const generate::MhaSummary s = Generate(staging, 9);
  ASSERT_GT(s.lines, 0);
  std::vector<fs::path> event_files;
  for (const auto& e : fs::directory_iterator(staging / "events")) event_files.push_back(e.path());
  std::sort(event_files.begin(), event_files.end());
  ASSERT_EQ(event_files.size(), static_cast<size_t>(kBatches));
  fs::create_directories(Landing() / "events");
  fs::copy(staging / "ehr", Landing() / "ehr", fs::copy_options::recursive);
  fs::copy(staging / "departments", Landing() / "departments", fs::copy_options::recursive);
  auto land = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      fs::copy_file(event_files[i], Landing() / "events" / event_files[i].filename());
    }
  };

  // The first two files carry no insurance_type: neither does the lake.
  land(0, 2);
  RunReport first = Run();
  ASSERT_TRUE(first.succeeded) << first.error;
  for (const RawEvent& e : ParseEvents(Landing()).events) {
    ASSERT_FALSE(e.insurance.has_value()) << e.line;
  }
  const std::string has_insurance =
      "SELECT count(*) FROM information_schema.columns WHERE column_name = 'insurance_type' AND "
      "table_schema = ";
  EXPECT_EQ(Int(has_insurance + "'silver' AND table_name = 'events'"), 0);
  EXPECT_EQ(Int(has_insurance + "'gold' AND table_name = 'dim_patient'"), 0);
  ExpectGoldMatches(ParseEvents(Landing()));

  // The later files carry it: the run succeeds and the column is there.
  land(2, event_files.size());
  RunReport second = Run();
  ASSERT_TRUE(second.succeeded) << second.error;
  int64_t deduplicated = 0;
  for (const RunReport* r : {&first, &second}) {
    const StepReport* silver = FindStep(*r, "silver.events");
    ASSERT_NE(silver, nullptr);
    EXPECT_EQ(silver->rows_read, silver->rows_written + silver->rows_quarantined +
                                     silver->rows_dropped + silver->rows_deduplicated);
    deduplicated += silver->rows_deduplicated;
  }
  // A duplicate whose first copy an earlier run stored is de-duplicated too.
  EXPECT_EQ(deduplicated, s.duplicate_events);
  EXPECT_EQ(Int(has_insurance + "'silver' AND table_name = 'events'"), 1);
  EXPECT_EQ(Int(has_insurance + "'gold' AND table_name = 'dim_patient'"), 1);
  const RawEvents raw = ParseEvents(Landing());
  ASSERT_EQ(static_cast<int64_t>(raw.events.size()), kEvents);

  // silver.events: the insurance type of every event, NULL for the older ones.
  std::map<std::string, std::string> want_events, got_events;
  std::map<std::string, std::string> want_patients;  // as recorded (recorded_at)
  int64_t later = 0;
  for (const RawEvent& e : raw.events) {
    const bool evolved = e.file >= event_files[2].filename().string();
    later += evolved;
    EXPECT_EQ(e.insurance.has_value(), evolved) << e.line;
    want_events[e.id] = e.insurance.value_or("NULL");
    if (e.insurance) {
      auto [it, added] = want_patients.emplace(e.patient, *e.insurance);
      EXPECT_EQ(it->second, *e.insurance) << "a patient's insurance changed: " << e.line;
    }
  }
  ASSERT_GT(later, 0);
  for (const auto& r : Rows("SELECT event_id, coalesce(insurance_type, 'NULL') FROM "
                            "silver.events")) {
    got_events[r[0].GetString()] = r[1].GetString();
  }
  EXPECT_EQ(got_events, want_events);
  EXPECT_EQ(Int("SELECT count(insurance_type) FROM silver.events"), later);

  // gold.dim_patient: every patient's current row carries the insurance type
  // of their events (NULL when none of them carried one).
  std::map<std::string, std::string> want_current, got_current;
  for (const RawEvent& e : raw.events) {
    auto it = want_patients.find(e.patient);
    want_current[e.patient] = it == want_patients.end() ? "NULL" : it->second;
  }
  for (const auto& r : Rows("SELECT patient_id, coalesce(insurance_type, 'NULL') FROM "
                            "gold.dim_patient WHERE is_current")) {
    EXPECT_TRUE(got_current.emplace(r[0].GetString(), r[1].GetString()).second) << r[0].GetString();
  }
  EXPECT_EQ(got_current, want_current);
  EXPECT_GT(Int("SELECT count(DISTINCT patient_id) FROM gold.dim_patient WHERE insurance_type IS "
                "NOT NULL"),
            0);
  EXPECT_EQ(Int("SELECT count(DISTINCT patient_id) FROM gold.dim_patient WHERE is_current AND "
                "insurance_type IS NOT NULL"),
            static_cast<int64_t>(want_patients.size()));
  // A timed admission that carried an insurance type points at a version with it.
  EXPECT_GT(Int("SELECT count(*) FROM silver.events WHERE event_type = 'admission' AND "
                "event_time IS NOT NULL AND insurance_type IS NOT NULL"),
            0);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_admissions f JOIN silver.events e ON e.event_id = "
                "f.admission_event_id LEFT JOIN gold.dim_patient p ON p.patient_sk = f.patient_sk "
                "WHERE f.admitted_at IS NOT NULL AND e.insurance_type IS NOT NULL AND "
                "p.insurance_type IS DISTINCT FROM e.insurance_type"),
            0);
  ExpectSurrogateKeysPointToTheVersionsInEffect();
  ExpectGoldMatches(raw);
}

TEST_F(MhaPipelineTest, IncrementalRunsEqualAFullRefresh) {
  // Two generator runs (the second continues with new files and ids), each
  // followed by a pipeline run.
  const generate::MhaSummary one = Generate(Landing(), 11);
  RunReport first = Run();
  ASSERT_TRUE(first.succeeded) << first.error;
  const generate::MhaSummary two = Generate(Landing(), 11);
  ASSERT_EQ(two.run, 2);
  ASSERT_EQ(two.first_event_id, one.last_event_id + 1);
  RunReport second = Run();
  ASSERT_TRUE(second.succeeded) << second.error;
  const RawEvents raw = ParseEvents(Landing());
  ASSERT_EQ(static_cast<int64_t>(raw.events.size()), 2 * kEvents);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_admissions"), one.admissions + two.admissions);
  ExpectGoldMatches(raw);

  const std::vector<std::pair<std::string, std::string>> tables = {
      {"gold.fact_admissions without surrogate keys",
       "SELECT * EXCLUDE (patient_sk, department_sk) FROM gold.fact_admissions"},
      {"gold.fact_admissions surrogate keys",
       "SELECT admission_event_id, patient_sk, department_sk FROM gold.fact_admissions"},
      {"gold.occupancy_hourly", "SELECT * FROM gold.occupancy_hourly"},
      {"gold.admissions_discharges_daily", "SELECT * FROM gold.admissions_discharges_daily"},
      {"gold.department_load", "SELECT * FROM gold.department_load"},
      {"gold.length_of_stay_distribution", "SELECT * FROM gold.length_of_stay_distribution"},
      {"gold.demographics", "SELECT * FROM gold.demographics"},
      {"gold.dim_patient", "SELECT * FROM gold.dim_patient"},
      {"gold.dim_department", "SELECT * FROM gold.dim_department"},
      {"silver.events",
       "SELECT * EXCLUDE (_source_file, _source_position, _ingested_at, _run_id) FROM "
       "silver.events"},
  };
  std::map<std::string, std::vector<std::string>> incremental;
  for (const auto& [name, sql] : tables) {
    incremental[name] = SortedRows(*conn_, sql);
    EXPECT_FALSE(incremental[name].empty()) << name;
  }

  // (a) One run over every file into a fresh lake (own folder and database).
  const fs::path full_dir = dir_ / "mha_full";
  CopyProjectFiles(full_dir);
  fs::copy(Landing(), full_dir / "landing", fs::copy_options::recursive);
  auto db = engine::Database::OpenInMemory();
  ASSERT_TRUE(db.ok()) << db.status();
  auto conn = engine::Connection::Open(**db);
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_TRUE(conn->Execute("SET TimeZone = 'UTC'").ok());
  RunReport fresh = RunOn(full_dir, *conn);
  ASSERT_TRUE(fresh.succeeded) << fresh.error;
  for (const auto& [name, sql] : tables) {
    ExpectSameRows(incremental[name], SortedRows(*conn, sql), name + " (incremental vs fresh)");
  }

  // (b) --full-refresh of the incremental lake.
  RunOptions full;
  full.full_refresh = true;
  RunReport refreshed = Run(full);
  ASSERT_TRUE(refreshed.succeeded) << refreshed.error;
  for (const auto& [name, sql] : tables) {
    ExpectSameRows(incremental[name], SortedRows(*conn_, sql),
                   name + " (incremental vs --full-refresh)");
  }
}

}  // namespace
}  // namespace carelake::pipeline
