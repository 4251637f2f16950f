#include "carelake/generate/billing.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "carelake/base/civil_time.h"
#include "carelake/base/file_system.h"
#include "carelake/generate/csv_field.h"
#include "carelake/generate/rng.h"

namespace carelake::generate {

namespace {

constexpr const char* kStateFile = ".billing-state.json";
constexpr int64_t kDuplicatePatientEvery = 40;  // every 40th patient has a second key
constexpr int kPhysicians = 24;                 // the last repeats the first one's NPI
constexpr int kRedeliverEvery = 3;              // every 3rd drop re-delivers Dimpatient

constexpr std::array<const char*, 24> kFirstNames = {
    "Avery", "Blake", "Casey", "Dana",  "Eli",    "Frankie", "Gale",   "Harper",
    "Indy",  "Jules", "Kai",   "Lane",  "Morgan", "Noel",    "Oakley", "Parker",
    "Quinn", "Reese", "Sage",  "Tatum", "Umber",  "Vale",    "Wren",   "Yael"};
constexpr std::array<const char*, 20> kLastNames = {
    "Ashdown",  "Brightwater", "Coldbrook", "Dunmore", "Elmsworth", "Fairlie",    "Greystone",
    "Hollins",  "Ivybridge",   "Juniper",   "Kestrel", "Longacre",  "Marlowe",    "Northcott",
    "Oakhurst", "Pennyworth",  "Quillon",   "Redfern", "Stonebury", "Thistlewood"};
constexpr std::array<std::pair<const char*, const char*>, 12> kCities = {{{"Springfield", "IL"},
                                                                          {"Riverton", "WY"},
                                                                          {"Fairview", "TN"},
                                                                          {"Greenville", "SC"},
                                                                          {"Madison", "WI"},
                                                                          {"Georgetown", "TX"},
                                                                          {"Salem", "OR"},
                                                                          {"Franklin", "MA"},
                                                                          {"Clinton", "IA"},
                                                                          {"Arlington", "VA"},
                                                                          {"Dover", "DE"},
                                                                          {"Burlington", "VT"}}};
constexpr std::array<const char*, 8> kSpecialties = {
    "Family Medicine", "Internal Medicine", "Cardiology",  "Orthopedics",
    "Pediatrics",      "Radiology",         "Dermatology", "Neurology"};
constexpr std::array<const char*, 3> kFte = {"1.00", "0.75", "0.50"};

struct Transaction {
  const char* type;
  const char* name;  // empty: the dataset's empty Transaction values
  const char* reason;
};
constexpr std::array<Transaction, 8> kTransactions = {{
    {"Payment", "Insurance Payment", ""},
    {"Payment", "Patient Payment", ""},
    {"Adjustment", "Contractual Adjustment", "Contractual"},
    {"Adjustment", "Write-off", "Bad Debt"},
    {"Adjustment", "Administrative Adjustment", "Credentialing"},
    {"Adjustment", "", "Timely Filing"},
    {"Charge", "Charge", ""},
    {"Payment", "", ""},
}};
constexpr std::array<const char*, 4> kPayers = {"Commercial", "Medicaid", "Medicare", "Uninsured"};
constexpr std::array<const char*, 8> kLocations = {
    "Northside Clinic",        "Riverside Medical Center", "Lakeview Family Practice",
    "Downtown Health Center",  "Westgate Surgery Center",  "Hillcrest Pediatrics",
    "Eastside Imaging Center", "Meadowbrook Clinic"};

struct Cpt {
  const char* code;
  const char* desc;  // empty: the dataset's empty CptDesc values
  const char* grouping;
  int64_t price_cents;  // per unit
};
constexpr std::array<Cpt, 16> kCpts = {{
    {"99202", "Office visit, new patient, straightforward", "Evaluation and Management", 9500},
    {"99213", "Office visit, established patient, low complexity", "Evaluation and Management",
     11000},
    {"99214", "Office visit, established patient, moderate complexity", "Evaluation and Management",
     16500},
    {"99284", "", "Evaluation and Management", 42000},
    {"71046", "Chest X-ray, 2 views", "Radiology", 9000},
    {"73721", "MRI lower extremity joint", "Radiology", 85000},
    {"70450", "", "Radiology", 62000},
    {"80053", "Comprehensive metabolic panel", "Pathology and Laboratory", 4500},
    {"85025", "Complete blood count with differential", "Pathology and Laboratory", 3000},
    {"93000", "Electrocardiogram with interpretation", "Medicine", 7500},
    {"90471", "Immunization administration", "Medicine", 3500},
    {"97110", "", "Medicine", 6000},
    {"29881", "Knee arthroscopy with meniscectomy", "Surgery", 310000},
    {"11042", "Debridement, subcutaneous tissue", "Surgery", 48000},
    {"20610", "Joint injection, major joint", "Surgery", 21000},
    {"00400", "Anesthesia for procedures on the skin", "Anesthesia", 55000},
}};

struct Diagnosis {
  const char* code;
  const char* description;
  const char* group;
};
// The last repeats the first one's code under another key (the dataset's quirk).
constexpr std::array<Diagnosis, 15> kDiagnoses = {{
    {"E11.9", "Type 2 diabetes without complications", "Endocrine"},
    {"E78.5", "Hyperlipidemia, unspecified", "Endocrine"},
    {"I10", "Essential hypertension", "Circulatory"},
    {"I25.10", "Coronary artery disease", "Circulatory"},
    {"J06.9", "Acute upper respiratory infection", "Respiratory"},
    {"J45.909", "Asthma, uncomplicated", "Respiratory"},
    {"M54.5", "Low back pain", "Musculoskeletal"},
    {"M17.11", "Primary osteoarthritis, right knee", "Musculoskeletal"},
    {"S83.241A", "Tear of medial meniscus, initial encounter", "Injury"},
    {"L03.115", "Cellulitis of right lower limb", "Skin"},
    {"F41.1", "Generalized anxiety disorder", "Mental Health"},
    {"Z00.00", "General adult medical examination", "Preventive"},
    {"Z23", "Encounter for immunization", "Preventive"},
    {"R51.9", "Headache, unspecified", "Symptoms"},
    {"E11.9", "Type 2 diabetes without complications", "Endocrine"},
}};

constexpr std::array<const char*, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kDayNames = {"Thursday", "Friday",  "Saturday", "Sunday",
                                                  "Monday",   "Tuesday", "Wednesday"};

struct State {
  uint64_t seed = 0;
  int64_t patients = 0;
  int64_t drops = 0;  // later calls so far
  int64_t next_day = 0;
  int64_t next_fact_pk = 1;
};

struct Patient {
  int64_t number = 0;
  std::string first, last, email;
  const char* gender = "";
  int64_t age = 0;
  int city = 0;
};

using Files = std::vector<std::pair<std::string, std::string>>;

uint64_t Stream(uint64_t seed, uint64_t kind, uint64_t index) {
  return seed * 0x2545F4914F6CDD1DULL ^ kind * 0xD1B54A32D192ED03ULL ^
         index * 0x9E3779B97F4A7C15ULL;
}

// One CSV line, CRLF-terminated.
void AppendRow(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out += ',';
    first = false;
    AppendCsvField(out, f);
  }
  out += "\r\n";
}

std::string Money(int64_t cents) {
  char buf[32];
  const int64_t a = cents < 0 ? -cents : cents;
  std::snprintf(buf, sizeof(buf), "%s%" PRId64 ".%02" PRId64, cents < 0 ? "-" : "", a / 100,
                a % 100);
  return buf;
}

std::string DateKey(int64_t day) {
  const CivilDate c = CivilFromDays(day);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04" PRId64 "%02d%02d", c.year, c.month, c.day);
  return buf;
}

std::string S(int64_t v) { return std::to_string(v); }

// --- dimensions ---

Patient BasePatient(uint64_t seed, int64_t i) {
  Rng rng(Stream(seed, 1, static_cast<uint64_t>(i)));
  Patient p;
  p.number = 100000 + i * 7 + rng.Between(0, 6);
  p.first = kFirstNames[rng.Between(0, kFirstNames.size() - 1)];
  p.last = kLastNames[rng.Between(0, kLastNames.size() - 1)];
  p.email = p.first + "." + p.last + S(i) + "@example.com";
  for (char& c : p.email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  p.gender = rng.Between(0, 1) == 0 ? "Female" : "Male";
  p.age = rng.Between(1, 95);
  p.city = static_cast<int>(rng.Between(0, kCities.size() - 1));
  return p;
}

// The patients as of `drops` later calls: every re-delivery moved a few.
std::vector<Patient> Patients(uint64_t seed, int64_t count, int64_t drops, int64_t* moved) {
  std::vector<Patient> patients;
  for (int64_t i = 1; i <= count; ++i) patients.push_back(BasePatient(seed, i));
  for (int64_t d = kRedeliverEvery; d <= drops; d += kRedeliverEvery) {
    Rng rng(Stream(seed, 2, static_cast<uint64_t>(d)));
    const int64_t n = std::max<int64_t>(1, count / 20);
    if (moved != nullptr) *moved = 0;
    std::vector<bool> done(count, false);
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = rng.Between(0, count - 1);
      const int city = static_cast<int>((patients[i].city + rng.Between(1, kCities.size() - 1)) %
                                        kCities.size());
      patients[i].city = city;
      if (moved != nullptr && !done[i]) ++*moved;
      done[i] = true;
    }
  }
  return patients;
}

// Patient i (0-based) has key i+1; every 40th also count+k.
int64_t DuplicateKey(int64_t index, int64_t count) {
  if (index % kDuplicatePatientEvery != kDuplicatePatientEvery - 1) return 0;
  return count + 1 + index / kDuplicatePatientEvery;
}

std::string PatientsCsv(const std::vector<Patient>& patients) {
  std::string out;
  AppendRow(out, {"dimPatientPK", "PatientNumber", "FirstName", "LastName", "Email",
                  "PatientGender", "PatientAge", "City", "State"});
  const int64_t count = static_cast<int64_t>(patients.size());
  auto row = [&](int64_t pk, const Patient& p) {
    AppendRow(out, {S(pk), S(p.number), p.first, p.last, p.email, p.gender, S(p.age),
                    kCities[p.city].first, kCities[p.city].second});
  };
  for (int64_t i = 0; i < count; ++i) row(i + 1, patients[i]);
  for (int64_t i = 0; i < count; ++i) {
    if (const int64_t dup = DuplicateKey(i, count); dup != 0) row(dup, patients[i]);
  }
  return out;
}

std::string PhysiciansCsv(uint64_t seed) {
  std::string out;
  AppendRow(out,
            {"dimPhysicianPK", "ProviderNpi", "ProviderName", "ProviderSpecialty", "ProviderFTE"});
  std::string first_npi, first_name;
  for (int i = 1; i <= kPhysicians; ++i) {
    Rng rng(Stream(seed, 3, static_cast<uint64_t>(i)));
    std::string npi = S(1000000000 + rng.Between(0, 899999999));
    std::string name = std::string(kFirstNames[rng.Between(0, kFirstNames.size() - 1)]) + " " +
                       kLastNames[rng.Between(0, kLastNames.size() - 1)];
    if (i == 1) {
      first_npi = npi;
      first_name = name;
    } else if (i == kPhysicians) {
      npi = first_npi;  // the duplicated NPI
      name = first_name;
    }
    AppendRow(out, {S(i), npi, name, kSpecialties[(i - 1) % kSpecialties.size()],
                    kFte[rng.Between(0, kFte.size() - 1)]});
  }
  return out;
}

std::string TransactionsCsv() {
  std::string out;
  AppendRow(out, {"dimTransactionPK", "TransactionType", "Transaction", "AdjustmentReason"});
  for (size_t i = 0; i < kTransactions.size(); ++i) {
    const Transaction& t = kTransactions[i];
    AppendRow(out, {S(static_cast<int64_t>(i + 1)), t.type, t.name, t.reason});
  }
  return out;
}

template <size_t N>
std::string NamesCsv(const char* key, const char* name, const std::array<const char*, N>& names) {
  std::string out;
  AppendRow(out, {key, name});
  for (size_t i = 0; i < N; ++i) AppendRow(out, {S(static_cast<int64_t>(i + 1)), names[i]});
  return out;
}

std::string DatesCsv(int64_t first_day) {
  std::string out;
  AppendRow(out, {"dimDatePostPK", "Date", "Year", "Month", "MonthPeriod", "MonthYear", "Day",
                  "DayName"});
  const int64_t year = CivilFromDays(first_day).year;
  const int64_t from = DaysFromCivil(year - 1, 1, 1), to = DaysFromCivil(year + 2, 12, 31);
  for (int64_t day = from; day <= to; ++day) {
    const CivilDate c = CivilFromDays(day);
    char date[16], period[16], month_year[16];
    std::snprintf(date, sizeof(date), "%d/%d/%04" PRId64, c.month, c.day, c.year);
    std::snprintf(period, sizeof(period), "%04" PRId64 "%02d", c.year, c.month);
    std::snprintf(month_year, sizeof(month_year), "%.3s-%04" PRId64, kMonthNames[c.month - 1],
                  c.year);
    const int64_t weekday = ((day % 7) + 7) % 7;  // 1970-01-01 was a Thursday
    AppendRow(out, {DateKey(day), date, S(c.year), kMonthNames[c.month - 1], period, month_year,
                    S(c.day), kDayNames[weekday]});
  }
  return out;
}

std::string CptCsv() {
  std::string out;
  AppendRow(out, {"dimCPTCodePK", "CptCode", "CptDesc", "CptGrouping"});
  for (size_t i = 0; i < kCpts.size(); ++i) {
    AppendRow(out,
              {S(static_cast<int64_t>(i + 1)), kCpts[i].code, kCpts[i].desc, kCpts[i].grouping});
  }
  return out;
}

std::string DiagnosesCsv() {
  std::string out;
  AppendRow(out, {"dimDiagnosisCodePK", "DiagnosisCode", "DiagnosisCodeDescription",
                  "DiagnosisCodeGroup"});
  for (size_t i = 0; i < kDiagnoses.size(); ++i) {
    const Diagnosis& d = kDiagnoses[i];
    AppendRow(out, {S(static_cast<int64_t>(i + 1)), d.code, d.description, d.group});
  }
  return out;
}

// --- facts ---

// The fact lines posted on `day`, keys from `next_pk` on.
void AppendFactDay(std::string& out, const BillingOptions& options, const State& state,
                   const std::vector<Patient>& patients, int64_t day, int64_t& next_pk,
                   BillingSummary& summary) {
  const int64_t count = static_cast<int64_t>(patients.size());
  Rng day_rng(Stream(state.seed, 4, static_cast<uint64_t>(day)));
  const int64_t base = std::max<int64_t>(20, count / 5);
  const int64_t lines = base + day_rng.Between(-base / 5, base / 5);
  for (int64_t l = 0; l < lines; ++l) {
    const int64_t pk = next_pk++;
    Rng rng(Stream(state.seed, 5, static_cast<uint64_t>(pk)));
    const int64_t pi = rng.Between(0, count - 1);
    const Patient& p = patients[pi];
    int64_t patient_pk = pi + 1;
    if (const int64_t dup = DuplicateKey(pi, count); dup != 0 && rng.Between(0, 1) == 1) {
      patient_pk = dup;
    }
    const int64_t physician = rng.Between(1, kPhysicians);
    const int64_t cpt = rng.Between(1, kCpts.size());
    const int64_t payer = std::array<int64_t, 10>{1, 1, 1, 1, 2, 2, 3, 3, 3, 4}[rng.Between(0, 9)];
    const int64_t transaction = rng.Between(1, kTransactions.size());
    const int64_t location = rng.Between(1, kLocations.size());
    const int64_t diagnosis = rng.Between(1, kDiagnoses.size());
    const int64_t units = rng.Between(1, 3);
    const int64_t service_day = day - rng.Between(0, 10);
    const int64_t gross = units * kCpts[cpt - 1].price_cents * rng.Between(90, 110) / 100;
    // Share paid: insurers pay most; the uninsured little. A third of lines
    // are settled in full (no AR).
    const int64_t paid_pct = payer == 4 ? rng.Between(0, 30) : rng.Between(40, 95);
    int64_t payment = gross * paid_pct / 100;
    int64_t adjustment = (gross - payment) * rng.Between(0, 60) / 100;
    if (rng.Between(0, 2) == 0) adjustment = gross - payment;
    int64_t ar = gross - payment - adjustment;
    std::string service_key = DateKey(service_day);
    std::array<std::string, 4> keys = {S(p.number), S(physician), S(payer), S(cpt)};

    if (rng.Unit() < options.dirt) {
      switch (rng.Between(0, 3)) {
        case 0:
          keys[rng.Between(0, 3)].clear();
          ++summary.missing_key;
          break;
        case 1:
          if (payment == 0) payment = 100;
          payment = -payment;
          ar = gross - payment - adjustment;
          ++summary.negative_payment;
          break;
        case 2:
          ar += rng.Between(100, 5000);
          ++summary.unreconciled;
          break;
        default:
          service_key = service_key.substr(0, 4) + "0230";
          ++summary.bad_service_date;
          break;
      }
    }
    AppendRow(out, {S(pk), S(patient_pk), keys[1], DateKey(day), service_key, keys[3], keys[2],
                    S(transaction), S(location), keys[0], S(diagnosis), S(units), Money(gross),
                    Money(payment), Money(adjustment), Money(ar)});
    ++summary.fact_lines;
  }
}

std::string FactCsv(const BillingOptions& options, const State& state,
                    const std::vector<Patient>& patients, int64_t first_day, int64_t last_day,
                    int64_t& next_pk, BillingSummary& summary) {
  std::string out;
  AppendRow(out,
            {"FactTablePK", "dimPatientPK", "dimPhysicianPK", "dimDatePostPK", "dimDateServicePK",
             "dimCPTCodePK", "dimPayerPK", "dimTransactionPK", "dimLocationPK", "PatientNumber",
             "dimDiagnosisCodePK", "CPTUnits", "GrossCharge", "Payment", "Adjustment", "AR"});
  for (int64_t day = first_day; day <= last_day; ++day) {
    AppendFactDay(out, options, state, patients, day, next_pk, summary);
  }
  return out;
}

// --- state ---

std::string FormatState(const State& s) {
  nlohmann::json j = {{"seed", s.seed},
                      {"patients", s.patients},
                      {"drops", s.drops},
                      {"next_day", s.next_day},
                      {"next_fact_pk", s.next_fact_pk}};
  return j.dump(2) + "\n";
}

Result<State> LoadState(FileSystem& fs, const BillingOptions& options) {
  const std::string path = JoinPath(options.out_dir, kStateFile);
  if (!fs.Exists(path)) {
    if (fs.Exists(JoinPath(options.out_dir, "FactTable.csv"))) {
      return FailedPrecondition(options.out_dir + " holds FactTable.csv but no " + kStateFile +
                                "; generate into an empty folder");
    }
    State s;
    s.seed = options.seed;
    s.patients = options.patients;
    s.drops = -1;  // no first set yet
    s.next_day = DaysFromCivil(2024, 1, 1);
    return s;
  }
  CARELAKE_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path));
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  try {
    if (j.is_discarded() || !j.is_object()) throw std::runtime_error("not a JSON object");
    State s;
    s.seed = j.at("seed").get<uint64_t>();
    s.patients = j.at("patients").get<int64_t>();
    s.drops = j.at("drops").get<int64_t>();
    s.next_day = j.at("next_day").get<int64_t>();
    s.next_fact_pk = j.at("next_fact_pk").get<int64_t>();
    if (s.patients < 1 || s.drops < 0) throw std::runtime_error("out of range");
    return s;
  } catch (const std::exception& e) {
    return FailedPrecondition(path + " is not readable: " + e.what());
  }
}

Status WriteNewFiles(FileSystem& fs, const std::string& dir, const Files& files,
                     BillingSummary& summary) {
  for (const auto& [path, content] : files) {
    if (fs.Exists(path)) {
      return AlreadyExists(path + " exists; the billing generator never overwrites a file");
    }
  }
  CARELAKE_RETURN_IF_ERROR(fs.CreateDirectories(dir));
  for (const auto& [path, content] : files) {
    CARELAKE_RETURN_IF_ERROR(fs.WriteFileIfAbsent(path, content));
    summary.files.push_back(path);
    summary.bytes += content.size();
  }
  return Status::Ok();
}

}  // namespace

Result<BillingSummary> GenerateBilling(const BillingOptions& options) {
  if (options.out_dir.empty()) return InvalidArgument("--out is required");
  if (options.days < 1 || options.days > 3650) return InvalidArgument("--days must be 1..3650");
  if (options.patients < 10 || options.patients > 10'000'000) {
    return InvalidArgument("--patients must be 10..10000000");
  }
  if (!(options.dirt >= 0 && options.dirt <= 1)) return InvalidArgument("--dirt must be 0..1");
  FileSystem& fs = LocalFileSystem();
  CARELAKE_ASSIGN_OR_RETURN(State state, LoadState(fs, options));

  BillingSummary summary;
  summary.drop = state.drops + 1;
  summary.first_fact_pk = state.next_fact_pk;
  summary.first_day = state.next_day;
  summary.last_day = summary.drop == 0 ? state.next_day + options.days - 1 : state.next_day;
  const std::vector<Patient> patients =
      Patients(state.seed, state.patients, summary.drop, &summary.patients_moved);
  int64_t next_pk = state.next_fact_pk;
  const std::string& dir = options.out_dir;
  Files files;
  const std::string facts =
      FactCsv(options, state, patients, summary.first_day, summary.last_day, next_pk, summary);
  if (summary.drop == 0) {
    files.push_back({JoinPath(dir, "FactTable.csv"), facts});
    files.push_back({JoinPath(dir, "Dimpatient.csv"), PatientsCsv(patients)});
    files.push_back({JoinPath(dir, "DimPhyscian.csv"), PhysiciansCsv(state.seed)});
    files.push_back({JoinPath(dir, "Dimtrancstion.csv"), TransactionsCsv()});
    files.push_back({JoinPath(dir, "DimPayer.csv"), NamesCsv("dimPayerPK", "PayerName", kPayers)});
    files.push_back(
        {JoinPath(dir, "DimLocation.csv"), NamesCsv("dimLocationPK", "LocationName", kLocations)});
    files.push_back({JoinPath(dir, "dimDate.csv"), DatesCsv(summary.first_day)});
    files.push_back({JoinPath(dir, "dimCptCode.csv"), CptCsv()});
    files.push_back({JoinPath(dir, "dimDiagnosisCode.csv"), DiagnosesCsv()});
  } else {
    const std::string stamp = DateKey(summary.first_day);
    files.push_back({JoinPath(dir, "FactTable_" + stamp + ".csv"), facts});
    if (summary.drop % kRedeliverEvery == 0) {
      files.push_back({JoinPath(dir, "Dimpatient_" + stamp + ".csv"), PatientsCsv(patients)});
    } else {
      summary.patients_moved = 0;
    }
  }
  if (summary.drop < kRedeliverEvery) summary.patients_moved = 0;
  CARELAKE_RETURN_IF_ERROR(WriteNewFiles(fs, dir, files, summary));
  summary.last_fact_pk = next_pk - 1;

  state.drops = summary.drop;
  state.next_day = summary.last_day + 1;
  state.next_fact_pk = next_pk;
  CARELAKE_RETURN_IF_ERROR(fs.WriteFileAtomic(JoinPath(dir, kStateFile), FormatState(state)));
  return summary;
}

}  // namespace carelake::generate
