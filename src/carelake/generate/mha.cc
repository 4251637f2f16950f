#include "carelake/generate/mha.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <string_view>
#include <utility>

#include "carelake/base/civil_time.h"
#include "carelake/base/file_system.h"
#include "carelake/generate/csv_field.h"
#include "carelake/generate/rng.h"

namespace carelake::generate {

namespace {

constexpr int kHospitals = 7;
constexpr const char* kDepartments[] = {"Emergency", "Cardiology", "Surgery", "Pediatrics",
                                        "Maternity", "ICU",        "Oncology"};
constexpr int kDepartmentCount = 7;
constexpr int kBaseCapacity[] = {40, 30, 35, 25, 20, 12, 22};
constexpr int kRows = kHospitals * kDepartmentCount;
constexpr const char* kFirstNames[] = {
    "Avery", "Blake", "Casey",  "Drew", "Emery",  "Finley", "Gray",  "Harper", "Indy", "Jules",
    "Kai",   "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese",  "Sage", "Taylor"};
constexpr const char* kLastNames[] = {"Ashdown", "Brindle",  "Corrow",   "Dunmore", "Elsworth",
                                      "Fairlow", "Glenford", "Hartwell", "Ivesly",  "Jorvik",
                                      "Kestrel", "Lindqvar", "Marrow",   "Northam", "Orwin"};
constexpr const char* kBloodTypes[] = {"O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-"};
constexpr const char* kAllergies[] = {"Penicillin", "Peanuts", "Latex",  "Sulfa",
                                      "Shellfish",  "Aspirin", "Iodine", "Pollen"};
constexpr const char* kInsurance[] = {"Medicare", "Medicaid", "Private", "Self-pay"};
constexpr int64_t kSecondsPerDay = 86'400;
// The first run's first simulated day: 2024-01-01.
constexpr int64_t kFirstDay = 19'723;
constexpr const char* kStateFile = ".mha-state.json";

enum class Dirt {
  kNone,
  kMissingTime,
  kAgeOver100,
  kAgeBelow0,
  kDuplicate,
  kFuture,
  kBeforeAdmission
};

struct Patient {
  int64_t number;
  int hospital;
  int department;
  int age;
  char gender;
  int64_t birth_day = 0;
  int blood_type;
  int insurance;
  std::string name;
  std::vector<int> allergies;
  int new_allergy = -1;  // gained on change_day, if >= 0
  int64_t change_day = 0;
  int64_t admit_day = 0;
  int64_t discharge_day = INT64_MAX;  // still admitted
  int64_t admission_id = 0;
  bool admission_time_clean = true;  // present and not in the future
  int64_t admission_time = 0;        // clean (simulated)
};

struct DepartmentRow {
  int64_t capacity;
  int64_t staff;
  int64_t effective_day;
};

// A patient in hospital at the end of a run, discharged by a later one.
struct OpenStay {
  Patient patient;
  int64_t discharge_at = 0;  // planned (simulated seconds)
};

struct State {
  int64_t run = 0;  // runs done
  int64_t next_event = 1;
  int64_t next_patient = 1;
  int64_t next_day = kFirstDay;
  bool evolved = false;
  std::vector<DepartmentRow> departments;  // empty before the first run
  std::vector<OpenStay> open_stays;
};

void Append2(std::string& out, int64_t v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

// "2024-01-01T00:12:34Z".
std::string IsoTime(int64_t seconds) {
  const int64_t day =
      seconds >= 0 ? seconds / kSecondsPerDay : -((-seconds + kSecondsPerDay - 1) / kSecondsPerDay);
  const int64_t rem = seconds - day * kSecondsPerDay;
  std::string out = FormatDate(day);
  out += 'T';
  Append2(out, rem / 3600);
  out += ':';
  Append2(out, rem / 60 % 60);
  out += ':';
  Append2(out, rem % 60);
  out += 'Z';
  return out;
}

// "20240101T000000Z", for file names.
std::string Stamp(int64_t seconds) {
  std::string iso = IsoTime(seconds);
  iso.erase(std::remove_if(iso.begin(), iso.end(), [](char c) { return c == '-' || c == ':'; }),
            iso.end());
  return iso;
}

std::string Padded(const char* prefix, int64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%0*lld", prefix, width, static_cast<long long>(n));
  return buf;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// --- the state file: a JSON object (nlohmann/json). ---

std::string FormatState(const State& s) {
  nlohmann::ordered_json j;
  j["version"] = 2;
  j["runs"] = s.run;
  j["next_event_id"] = s.next_event;
  j["next_patient"] = s.next_patient;
  j["next_day"] = s.next_day;
  j["next_date"] = FormatDate(s.next_day);
  j["schema_evolved"] = s.evolved ? 1 : 0;
  for (const DepartmentRow& r : s.departments) {
    j["capacity"].push_back(r.capacity);
    j["staff"].push_back(r.staff);
    j["effective_day"].push_back(r.effective_day);
  }
  j["open_stays"] = nlohmann::ordered_json::array();
  for (const OpenStay& o : s.open_stays) {
    const Patient& p = o.patient;
    j["open_stays"].push_back({{"patient", p.number},
                               {"hospital", p.hospital},
                               {"department", p.department},
                               {"age", p.age},
                               {"gender", std::string(1, p.gender)},
                               {"birth_day", p.birth_day},
                               {"blood_type", p.blood_type},
                               {"insurance", p.insurance},
                               {"name", p.name},
                               {"allergies", p.allergies},
                               {"new_allergy", p.new_allergy},
                               {"change_day", p.change_day},
                               {"admit_day", p.admit_day},
                               {"admission_id", p.admission_id},
                               {"admission_time_clean", p.admission_time_clean},
                               {"admission_time", p.admission_time},
                               {"discharge_at", o.discharge_at}});
  }
  return j.dump(2) + "\n";
}

Result<State> ParseState(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corruption("not a JSON object");
  try {
    State s;
    s.run = j.at("runs").get<int64_t>();
    s.next_event = j.at("next_event_id").get<int64_t>();
    s.next_patient = j.at("next_patient").get<int64_t>();
    s.next_day = j.at("next_day").get<int64_t>();
    s.evolved = j.at("schema_evolved").get<int64_t>() != 0;
    const auto capacity = j.at("capacity").get<std::vector<int64_t>>();
    const auto staff = j.at("staff").get<std::vector<int64_t>>();
    const auto effective = j.at("effective_day").get<std::vector<int64_t>>();
    if (capacity.size() != kRows || staff.size() != kRows || effective.size() != kRows) {
      return Corruption("department arrays must hold " + std::to_string(kRows) + " numbers");
    }
    for (int i = 0; i < kRows; ++i) s.departments.push_back({capacity[i], staff[i], effective[i]});
    // Version 1 files carry no open stays.
    for (const nlohmann::json& o : j.value("open_stays", nlohmann::json::array())) {
      OpenStay stay;
      Patient& p = stay.patient;
      p.number = o.at("patient").get<int64_t>();
      p.hospital = o.at("hospital").get<int>();
      p.department = o.at("department").get<int>();
      p.age = o.at("age").get<int>();
      const std::string gender = o.at("gender").get<std::string>();
      if (gender.size() != 1 || p.hospital < 0 || p.hospital >= kHospitals || p.department < 0 ||
          p.department >= kDepartmentCount) {
        return Corruption("an open stay is out of range");
      }
      p.gender = gender[0];
      p.birth_day = o.at("birth_day").get<int64_t>();
      p.blood_type = o.at("blood_type").get<int>();
      p.insurance = o.at("insurance").get<int>();
      p.name = o.at("name").get<std::string>();
      p.allergies = o.at("allergies").get<std::vector<int>>();
      p.new_allergy = o.at("new_allergy").get<int>();
      p.change_day = o.at("change_day").get<int64_t>();
      p.admit_day = o.at("admit_day").get<int64_t>();
      p.admission_id = o.at("admission_id").get<int64_t>();
      p.admission_time_clean = o.at("admission_time_clean").get<bool>();
      p.admission_time = o.at("admission_time").get<int64_t>();
      stay.discharge_at = o.at("discharge_at").get<int64_t>();
      s.open_stays.push_back(std::move(stay));
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Corruption(e.what());
  }
}

// Loads the state, or the initial one for a folder without MHA data.
Result<State> LoadState(FileSystem& fs, const std::string& dir) {
  const std::string path = JoinPath(dir, kStateFile);
  if (!fs.Exists(path)) {
    auto events = fs.List(JoinPath(dir, "events"));
    if (events.ok() && !events->empty()) {
      return FailedPrecondition(dir + " holds MHA events but no " + kStateFile +
                                "; generate into an empty folder");
    }
    return State{};
  }
  CARELAKE_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path));
  auto state = ParseState(text);
  if (!state.ok()) {
    return FailedPrecondition(path + " is not readable: " + state.status().message());
  }
  return state;
}

std::string DepartmentsCsv(const std::vector<DepartmentRow>& rows) {
  std::string out = "hospital_id,department,capacity,staff,effective_date\n";
  for (int h = 0; h < kHospitals; ++h) {
    for (int d = 0; d < kDepartmentCount; ++d) {
      const DepartmentRow& r = rows[h * kDepartmentCount + d];
      out += "H" + std::to_string(h + 1) + "," + kDepartments[d] + "," +
             std::to_string(r.capacity) + "," + std::to_string(r.staff) + "," +
             FormatDate(r.effective_day) + "\n";
    }
  }
  return out;
}

void AppendEhrRow(std::string& out, const Patient& p, int64_t day) {
  out += Padded("P", p.number, 7);
  out += ',';
  AppendCsvField(out, p.name);
  out += ',' + FormatDate(p.birth_day) + ',';
  out += p.gender;
  out += ',';
  out += kBloodTypes[p.blood_type];
  out += ',';
  std::string allergies;
  for (int a : p.allergies) {
    if (!allergies.empty()) allergies += ';';
    allergies += kAllergies[a];
  }
  if (p.new_allergy >= 0 && day >= p.change_day) {
    if (!allergies.empty()) allergies += ';';
    allergies += kAllergies[p.new_allergy];
  }
  AppendCsvField(out, allergies);
  out += '\n';
}

Patient NewPatient(Rng& rng, int64_t number) {
  Patient p;
  p.number = number;
  p.hospital = static_cast<int>(rng.Between(0, kHospitals - 1));
  p.department = static_cast<int>(rng.Between(0, kDepartmentCount - 1));
  const int64_t g = rng.Between(0, 99);
  p.gender = g < 49 ? 'F' : g < 98 ? 'M' : 'X';
  if (kDepartments[p.department] == std::string_view("Pediatrics")) {
    p.age = static_cast<int>(rng.Between(0, 17));
  } else if (kDepartments[p.department] == std::string_view("Maternity")) {
    p.age = static_cast<int>(rng.Between(18, 45));
    p.gender = 'F';
  } else {
    p.age = static_cast<int>(rng.Between(18, 95));
  }
  p.blood_type = static_cast<int>(rng.Between(0, 7));
  p.insurance = static_cast<int>(rng.Between(0, 3));
  p.name = std::string(kFirstNames[rng.Between(0, 19)]) + " " + kLastNames[rng.Between(0, 14)];
  const int64_t n_allergies = rng.Between(0, 9) < 6 ? 0 : rng.Between(1, 2);
  for (int64_t i = 0; i < n_allergies; ++i) {
    const int a = static_cast<int>(rng.Between(0, 7));
    if (std::find(p.allergies.begin(), p.allergies.end(), a) == p.allergies.end()) {
      p.allergies.push_back(a);
    }
  }
  if (rng.Unit() < 0.3) {
    const int a = static_cast<int>(rng.Between(0, 7));
    if (std::find(p.allergies.begin(), p.allergies.end(), a) == p.allergies.end()) {
      p.new_allergy = a;
    }
  }
  return p;
}

Status CheckOptions(const MhaOptions& options) {
  if (options.events < 1) return InvalidArgument("--events must be at least 1");
  if (options.batches < 1) return InvalidArgument("--batches must be at least 1");
  if (options.batches > 9999) return InvalidArgument("--batches must be at most 9999");
  if (options.dirt < 0 || options.dirt > 1)
    return InvalidArgument("--dirt must be between 0 and 1");
  if (options.out_dir.empty()) return InvalidArgument("give the output folder (--out DIR)");
  return Status::Ok();
}

// The department rows of the first run: capacity and staff around a base.
void SeedDepartments(State& state, Rng& rng, int64_t start_day) {
  if (!state.departments.empty()) return;
  for (int h = 0; h < kHospitals; ++h) {
    for (int d = 0; d < kDepartmentCount; ++d) {
      const int64_t capacity = kBaseCapacity[d] * rng.Between(70, 130) / 100;
      state.departments.push_back({capacity, capacity * rng.Between(120, 200) / 100, start_day});
    }
  }
}

// One run's events: admissions every 1..1440 s, stays of 2..72 h, some made
// dirty. Every random draw happens in a fixed order, so a seed always gives
// the same bytes: keep the order when changing this.
class EventSimulation {
 public:
  EventSimulation(const MhaOptions& options, State& state, MhaSummary& summary, Rng& rng,
                  int64_t start)
      : options_(options),
        state_(state),
        summary_(summary),
        rng_(rng),
        batches_(options.batches),
        batch_size_(std::max<int64_t>(1, options.events / options.batches)),
        // The schema evolves at this batch (first run: the middle one).
        evolve_batch_(state.evolved ? 0 : options.batches / 2),
        next_admit_(start + rng.Between(1, 1440)),
        event_id_(state.next_event) {
    // Patients a previous run left in hospital are discharged in this one
    // (not before it starts).
    for (OpenStay& o : state_.open_stays) {
      in_hospital_.push(
          {std::max(o.discharge_at, start + rng_.Between(60, 3600)), patients_.size()});
      patients_.push_back(std::move(o.patient));
    }
    state_.open_stays.clear();
  }

  // Simulates options.events events into the batches, then hands the
  // patients still in hospital to the state for the next run.
  void Run() {
    for (int64_t i = 0; i < options_.events; ++i) Event(i);
    for (auto& [at, line] : duplicates_) batches_.back() += line;
    summary_.still_admitted = static_cast<int64_t>(in_hospital_.size());
    for (auto stays = in_hospital_; !stays.empty(); stays.pop()) {
      state_.open_stays.push_back({patients_[stays.top().second], stays.top().first});
    }
    summary_.last_event_id = event_id_ - 1;
    summary_.lines = options_.events + summary_.duplicate_events;
  }

  std::vector<std::string>& batches() { return batches_; }
  const std::vector<Patient>& patients() const { return patients_; }
  int64_t next_event_id() const { return event_id_; }

 private:
  struct Visit {
    int64_t time;
    size_t index;  // into patients_
    bool discharge;
  };

  // Event i: its line (and a later duplicate of it) in its batch.
  void Event(int64_t i) {
    const int batch = static_cast<int>(i * options_.batches / options_.events);
    std::string& out = batches_[batch];
    while (!duplicates_.empty() && duplicates_.begin()->first <= i) {
      out += duplicates_.begin()->second;
      duplicates_.erase(duplicates_.begin());
    }
    const Visit visit = NextVisit();
    summary_.end_time = std::max(summary_.end_time, visit.time);
    Patient& p = patients_[visit.index];
    const Dirt dirt = PickDirt(visit.discharge, p);
    int64_t age = p.age;
    std::string event_time = IsoTime(visit.time);
    ApplyDirt(dirt, visit, p, age, event_time);
    std::string line = EventLine(visit, p, dirt, age, event_time, batch);
    out += line;
    if (dirt == Dirt::kDuplicate) duplicates_.emplace(i + rng_.Between(1, batch_size_), line);
    ++event_id_;
  }

  // The next discharge if one is due before the next admission, else that
  // admission (a new patient).
  Visit NextVisit() {
    if (!in_hospital_.empty() && in_hospital_.top().first <= next_admit_) {
      const Visit visit{in_hospital_.top().first, in_hospital_.top().second, true};
      in_hospital_.pop();
      patients_[visit.index].discharge_day = visit.time / kSecondsPerDay;
      ++summary_.discharges;
      return visit;
    }
    const Visit visit{next_admit_, patients_.size(), false};
    next_admit_ += rng_.Between(1, 1440);
    patients_.push_back(NewPatient(rng_, state_.next_patient++));
    Patient& p = patients_.back();
    p.admit_day = visit.time / kSecondsPerDay;
    p.change_day = p.admit_day + rng_.Between(1, 2);
    p.admission_id = event_id_;
    p.admission_time = visit.time;
    p.birth_day = p.admit_day - p.age * 365 - p.age / 4 - rng_.Between(1, 364);
    in_hospital_.push({visit.time + rng_.Between(2 * 3600, 72 * 3600), visit.index});
    ++summary_.admissions;
    return visit;
  }

  Dirt PickDirt(bool discharge, const Patient& p) {
    if (!(options_.dirt > 0 && rng_.Unit() < options_.dirt)) return Dirt::kNone;
    constexpr Dirt kAdmissionDirt[] = {Dirt::kMissingTime, Dirt::kAgeOver100, Dirt::kAgeBelow0,
                                       Dirt::kDuplicate, Dirt::kFuture};
    constexpr Dirt kDischargeDirt[] = {Dirt::kBeforeAdmission, Dirt::kAgeOver100, Dirt::kAgeBelow0,
                                       Dirt::kDuplicate, Dirt::kFuture};
    const Dirt dirt = (discharge ? kDischargeDirt : kAdmissionDirt)[rng_.Between(0, 4)];
    // Before an admission whose own time is missing or bogus is not a kind
    // anyone could tell apart: leave that discharge clean.
    if (dirt == Dirt::kBeforeAdmission && !p.admission_time_clean) return Dirt::kNone;
    return dirt;
  }

  // Counts `dirt` and makes the age or event time dirty as it says.
  void ApplyDirt(Dirt dirt, const Visit& visit, Patient& p, int64_t& age, std::string& event_time) {
    switch (dirt) {
      case Dirt::kNone:
        break;
      case Dirt::kMissingTime:
        ++summary_.missing_admission_time;
        p.admission_time_clean = false;
        break;
      case Dirt::kAgeOver100:
        ++summary_.age_over_100;
        age = rng_.Between(101, 140);
        break;
      case Dirt::kAgeBelow0:
        ++summary_.age_below_0;
        age = -rng_.Between(1, 10);
        break;
      case Dirt::kDuplicate:
        ++summary_.duplicate_events;
        break;
      case Dirt::kFuture:
        ++summary_.future_timestamps;
        event_time = IsoTime(visit.time + rng_.Between(1, 5) * 365 * kSecondsPerDay +
                             rng_.Between(0, kSecondsPerDay - 1));
        if (!visit.discharge) p.admission_time_clean = false;
        break;
      case Dirt::kBeforeAdmission:
        ++summary_.discharge_before_admission;
        event_time = IsoTime(p.admission_time - rng_.Between(3600, 48 * 3600));
        break;
    }
  }

  // The event's NDJSON line; insurance_type from the evolve batch on.
  std::string EventLine(const Visit& visit, const Patient& p, Dirt dirt, int64_t age,
                        const std::string& event_time, int batch) {
    std::string line = "{\"event_id\":";
    AppendJsonString(line, Padded("EV", event_id_, 9));
    line += ",\"event_type\":";
    line += visit.discharge ? "\"discharge\"" : "\"admission\"";
    line += ",\"patient_id\":";
    AppendJsonString(line, Padded("P", p.number, 7));
    line += ",\"hospital_id\":";
    AppendJsonString(line, "H" + std::to_string(p.hospital + 1));
    line += ",\"department\":";
    AppendJsonString(line, kDepartments[p.department]);
    if (dirt != Dirt::kMissingTime) {
      line += ",\"event_time\":";
      AppendJsonString(line, event_time);
    } else if (rng_.Between(0, 1) == 0) {
      line += ",\"event_time\":null";
    }
    line += ",\"recorded_at\":";
    AppendJsonString(line, IsoTime(visit.time));
    line += ",\"age\":" + std::to_string(age);
    line += ",\"gender\":\"";
    line += p.gender;
    line += '"';
    if (visit.discharge) {
      line += ",\"admission_event_id\":";
      AppendJsonString(line, Padded("EV", p.admission_id, 9));
    }
    if (batch >= evolve_batch_) {
      line += ",\"insurance_type\":";
      AppendJsonString(line, kInsurance[p.insurance]);
    }
    line += "}\n";
    return line;
  }

  const MhaOptions& options_;
  State& state_;
  MhaSummary& summary_;
  Rng& rng_;
  std::vector<Patient> patients_;
  using Pending = std::pair<int64_t, size_t>;  // (discharge time, patient index)
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> in_hospital_;
  std::vector<std::string> batches_;
  std::multimap<int64_t, std::string> duplicates_;  // emit before index -> line
  const int64_t batch_size_;
  const int evolve_batch_;
  int64_t next_admit_;
  int64_t event_id_;
};

using Files = std::vector<std::pair<std::string, std::string>>;  // (path, content)

void AddEventFiles(Files& files, const std::string& dir, int64_t start,
                   std::vector<std::string>& batches) {
  const std::string stamp = Stamp(start);
  for (size_t b = 0; b < batches.size(); ++b) {
    files.push_back({JoinPath(dir, "events/events-" + stamp + "-" +
                                       Padded("", static_cast<int64_t>(b) + 1, 4) + ".ndjson"),
                     std::move(batches[b])});
  }
}

// Daily EHR extracts: the patients in hospital that day (admitted on or
// before it, not discharged before it), in patient order.
void AddEhrFiles(Files& files, const std::string& dir, const std::vector<Patient>& patients,
                 int64_t start_day, int64_t end_day) {
  const std::string header = "patient_id,name,birth_date,gender,blood_type,allergies\n";
  size_t next = 0;
  std::vector<size_t> active;
  for (int64_t day = start_day; day <= end_day; ++day) {
    while (next < patients.size() && patients[next].admit_day <= day) active.push_back(next++);
    std::erase_if(active, [&](size_t i) { return patients[i].discharge_day < day; });
    std::string csv = header;
    for (size_t i : active) {
      AppendEhrRow(csv, patients[i], day);
    }
    files.push_back({JoinPath(dir, "ehr/ehr-" + FormatDate(day) + ".csv"), std::move(csv)});
  }
}

// Departments: a snapshot on the first day, then on up to three later days
// after a few rows change.
void AddDepartmentFiles(Files& files, const std::string& dir,
                        std::vector<DepartmentRow>& departments, Rng& rng, int64_t start_day,
                        int64_t end_day) {
  files.push_back({JoinPath(dir, "departments/departments-" + FormatDate(start_day) + ".csv"),
                   DepartmentsCsv(departments)});
  int64_t last = start_day;
  for (int k = 1; k <= 3; ++k) {
    const int64_t day = start_day + (end_day - start_day) * k / 4;
    if (day <= last) continue;
    last = day;
    const int64_t changes = rng.Between(1, 5);
    for (int64_t c = 0; c < changes; ++c) {
      DepartmentRow& r = departments[rng.Between(0, kRows - 1)];
      r.capacity = std::max<int64_t>(2, r.capacity + rng.Between(-5, 5));
      r.staff = std::max<int64_t>(3, r.staff + rng.Between(-8, 8));
      r.effective_day = day;
    }
    files.push_back({JoinPath(dir, "departments/departments-" + FormatDate(day) + ".csv"),
                     DepartmentsCsv(departments)});
  }
}

// Writes `files`, none of which may exist yet (checked before the first is
// written), and records them in `summary`.
Status WriteNewFiles(FileSystem& fs, const std::string& dir, const Files& files,
                     MhaSummary& summary) {
  for (const auto& [path, content] : files) {
    if (fs.Exists(path)) return AlreadyExists(path + " exists; MHA never overwrites data files");
  }
  for (const char* sub : {"events", "ehr", "departments"}) {
    CARELAKE_RETURN_IF_ERROR(fs.CreateDirectories(JoinPath(dir, sub)));
  }
  for (const auto& [path, content] : files) {
    CARELAKE_RETURN_IF_ERROR(fs.WriteFileIfAbsent(path, content));
    summary.files.push_back(path);
    summary.bytes += content.size();
  }
  return Status::Ok();
}

}  // namespace

Result<MhaSummary> GenerateMha(const MhaOptions& options) {
  CARELAKE_RETURN_IF_ERROR(CheckOptions(options));
  FileSystem& fs = LocalFileSystem();
  CARELAKE_ASSIGN_OR_RETURN(State state, LoadState(fs, options.out_dir));

  MhaSummary summary;
  summary.run = state.run + 1;
  Rng rng(options.seed * 0x2545F4914F6CDD1DULL ^
          static_cast<uint64_t>(summary.run) * 0x9E3779B97F4A7C15ULL);
  const int64_t start_day = state.next_day;
  const int64_t start = start_day * kSecondsPerDay;
  summary.start_time = start;
  summary.first_event_id = state.next_event;
  SeedDepartments(state, rng, start_day);

  EventSimulation simulation(options, state, summary, rng, start);
  simulation.Run();

  // The files, named before anything is written.
  const int64_t end_day = summary.end_time / kSecondsPerDay;
  Files files;
  AddEventFiles(files, options.out_dir, start, simulation.batches());
  AddEhrFiles(files, options.out_dir, simulation.patients(), start_day, end_day);
  AddDepartmentFiles(files, options.out_dir, state.departments, rng, start_day, end_day);
  CARELAKE_RETURN_IF_ERROR(WriteNewFiles(fs, options.out_dir, files, summary));

  state.run = summary.run;
  state.next_event = simulation.next_event_id();
  state.next_day = end_day + 1;
  state.evolved = true;
  CARELAKE_RETURN_IF_ERROR(
      fs.WriteFileAtomic(JoinPath(options.out_dir, kStateFile), FormatState(state)));
  return summary;
}

}  // namespace carelake::generate
