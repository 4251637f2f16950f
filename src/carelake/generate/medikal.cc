#include "carelake/generate/medikal.h"

#include <cstdio>
#include <set>
#include <string_view>

#include "carelake/base/civil_time.h"
#include "carelake/generate/rng.h"

namespace carelake::generate {

namespace {

constexpr const char* kNull = "NULL";  // the literal text MedIKal stores for missing values

struct Country {
  const char* name;
  const char* female[6];
  const char* male[6];
  const char* last[8];
  const char* cities[4];
  const char* streets[4];
  // Address layout: %s street, %d number, %s postal code, %s city.
  const char* address_format;
  const char* postal_format;  // digits as '#', upper-case letters as '^'
  const char* phone_format;   // digits as '#'
};

constexpr Country kCountries[] = {
    {"Portugal",
     {"Maria", "Ana", "Beatriz", "Inês", "Mariana", "Leonor"},
     {"João", "Tiago", "Rodrigo", "Afonso", "Duarte", "Martim"},
     {"Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins"},
     {"Lisboa", "Porto", "Braga", "Coimbra"},
     {"Rua das Flores", "Avenida da Liberdade", "Rua Augusta", "Rua de Santa Catarina"},
     "%s, %d\n%s %s",
     "####-###",
     "+351 ## ### ####"},
    {"Germany",
     {"Anna", "Lena", "Sophie", "Marie", "Hannah", "Lea"},
     {"Lukas", "Jonas", "Leon", "Felix", "Paul", "Maximilian"},
     {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"},
     {"Berlin", "München", "Hamburg", "Köln"},
     {"Hauptstraße", "Schillerstraße", "Goethestraße", "Bahnhofstraße"},
     "%s %d\n%s %s",
     "#####",
     "+49 ## ########"},
    {"Brazil",
     {"Ana", "Júlia", "Larissa", "Camila", "Fernanda", "Beatriz"},
     {"Pedro", "Gabriel", "Lucas", "Matheus", "Rafael", "Gustavo"},
     {"da Silva", "dos Santos", "Oliveira", "Souza", "Lima", "Pereira", "Almeida", "Carvalho"},
     {"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Salvador"},
     {"Rua Augusta", "Avenida Paulista", "Rua da Consolação", "Avenida Atlântica"},
     "%s, %d\nCentro\n%s %s",
     "#####-###",
     "+55 ## #####-####"},
    {"Italy",
     {"Giulia", "Sofia", "Aurora", "Alice", "Chiara", "Francesca"},
     {"Francesco", "Alessandro", "Lorenzo", "Matteo", "Andrea", "Giuseppe"},
     {"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"},
     {"Roma", "Milano", "Napoli", "Torino"},
     {"Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele", "Via Dante"},
     "%s %d\n%s %s",
     "#####",
     "+39 ## #### ####"},
    {"France",
     {"Emma", "Louise", "Chloé", "Camille", "Léa", "Manon"},
     {"Gabriel", "Louis", "Hugo", "Jules", "Arthur", "Théo"},
     {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"},
     {"Paris", "Lyon", "Marseille", "Toulouse"},
     {"rue de la Paix", "avenue Victor Hugo", "rue Lafayette", "boulevard Voltaire"},
     "%2$d %1$s\n%3$s %4$s",
     "#####",
     "+33 # ## ## ## ##"},
    {"USA",
     {"Emily", "Olivia", "Madison", "Ashley", "Sarah", "Jessica"},
     {"James", "Michael", "Robert", "David", "William", "Joshua"},
     {"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia"},
     {"Springfield", "Austin", "Denver", "Portland"},
     {"Main St", "Oak Avenue", "Maple Drive", "Elm Street"},
     "%2$d %1$s\n%4$s, %3$s",
     "IL #####",
     "+1 (###) ###-####"},
    {"Mexico",
     {"Sofía", "Valentina", "Regina", "Ximena", "Camila", "Fernanda"},
     {"Santiago", "Mateo", "Diego", "Emiliano", "Leonardo", "José"},
     {"Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez"},
     {"Ciudad de México", "Guadalajara", "Monterrey", "Puebla"},
     {"Calle Reforma", "Avenida Juárez", "Calle Hidalgo", "Calle Morelos"},
     "%s %d\nCol. Centro\n%s %s",
     "#####",
     "+52 ## #### ####"},
    {"UK",
     {"Olivia", "Amelia", "Isla", "Ava", "Emily", "Poppy"},
     {"Oliver", "George", "Harry", "Jack", "Charlie", "Thomas"},
     {"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Davies"},
     {"London", "Manchester", "Birmingham", "Leeds"},
     {"High Street", "Station Road", "Baker Street", "Church Lane"},
     "%2$d %1$s\n%4$s\n%3$s",
     "^^# #^^",
     "+44 ## #### ####"},
};

// Each symptom belongs to exactly one specialty (the order of kMedikalSpecialties).
constexpr const char* kSymptoms[][5] = {
    {"Fever", "Persistent cough", "Sore throat", "Fatigue", "Flu-like symptoms"},
    {"Childhood fever", "Infant colic", "Chickenpox rash", "Growth check", "Ear infection"},
    {"Pelvic pain", "Irregular menstruation", "Prenatal check-up", "Menopause symptoms",
     "Breast lump"},
    {"Prostate enlargement", "Kidney stones", "Urinary retention", "Erectile dysfunction",
     "Blood in urine"},
    {"Lung cancer", "Breast cancer", "Lymphoma", "Leukemia", "Colon cancer"},
    {"Chest pain", "Palpitations", "Hypertension", "Shortness of breath", "Arrhythmia"},
    {"Eczema", "Psoriasis", "Acne", "Skin rash", "Suspicious mole"},
    {"Rhinitis", "Sinusitis", "Tonsillitis", "Hearing loss", "Vertigo"},
    {"Migraine", "Seizures", "Numbness", "Memory loss", "Tremor"},
    {"Back pain", "Knee injury", "Fractured wrist", "Shoulder pain", "Sprained ankle"},
    {"Blurred vision", "Red eye", "Cataract", "Glaucoma check", "Eye strain"},
};
constexpr int kSpecialtyCount = sizeof(kMedikalSpecialties) / sizeof(kMedikalSpecialties[0]);
static_assert(sizeof(kSymptoms) / sizeof(kSymptoms[0]) == kSpecialtyCount);
constexpr int kGeneral = 0, kPediatrician = 1, kGynecologist = 2, kUrologist = 3;
constexpr int kChildUntil = 14;  // under 15 is a child

constexpr struct {
  const char* name;
  int start_hour;
} kShifts[] = {{"Morning", 7}, {"Afternoon", 15}, {"Night", 23}};
constexpr int kShiftHours = 8;

constexpr const char* kBloodTypes[] = {"O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-"};

// Generic name, dosage form, route, active ingredients (a PostgreSQL array literal).
constexpr struct {
  const char* generic;
  const char* form;
  const char* route;
  const char* ingredients;
} kDrugs[] = {
    {"Ibuprofen", "TABLET", "ORAL", "{IBUPROFEN}"},
    {"Amoxicillin", "CAPSULE", "ORAL", "{AMOXICILLIN}"},
    {"Paracetamol", "TABLET", "ORAL", "{ACETAMINOPHEN}"},
    {"Lisinopril", "TABLET", "ORAL", "{LISINOPRIL}"},
    {"Metformin", "TABLET, FILM COATED", "ORAL", "{\"METFORMIN HYDROCHLORIDE\"}"},
    {"Atorvastatin", "TABLET", "ORAL", "{\"ATORVASTATIN CALCIUM\"}"},
    {"Salbutamol", "AEROSOL, METERED", "RESPIRATORY (INHALATION)", "{ALBUTEROL}"},
    {"Hydrocortisone", "CREAM", "TOPICAL", "{HYDROCORTISONE}"},
    {"Omeprazole", "CAPSULE, DELAYED RELEASE", "ORAL", "{OMEPRAZOLE}"},
    {"Cetirizine", "TABLET", "ORAL", "{\"CETIRIZINE HYDROCHLORIDE\"}"},
    {"Amlodipine", "TABLET", "ORAL", "{\"AMLODIPINE BESYLATE\"}"},
    {"Tamoxifen", "TABLET", "ORAL", "{\"TAMOXIFEN CITRATE\"}"},
    {"Sumatriptan", "INJECTION, SOLUTION", "SUBCUTANEOUS", "{SUMATRIPTAN}"},
    {"Timolol", "SOLUTION/ DROPS", "OPHTHALMIC", "{\"TIMOLOL MALEATE\"}"},
    {"Tamsulosin", "CAPSULE", "ORAL", "{\"TAMSULOSIN HYDROCHLORIDE\"}"},
    {"Codeine and Guaifenesin", "SYRUP", "ORAL", "{\"CODEINE PHOSPHATE\",GUAIFENESIN}"},
};
constexpr const char* kBrandStems[] = {"Vel", "Cor", "Nova", "Max", "Zen", "Lum", "Tri", "Pax"};
constexpr const char* kBrandEnds[] = {"ara", "ex", "ium", "ol", "ivo", "ant"};
constexpr const char* kLabelers[] = {"Medikal Pharma Labs", "Northwind Generics Inc.",
                                     "Atlântico Farmacêutica", "Rheinland Arznei GmbH",
                                     "Contoso Health LLC"};

// "2022-01-01" as days since 1970-01-01: visits fall in 2022 and 2023.
const int64_t kFirstVisitDay = DaysFromCivil(2022, 1, 1);
const int64_t kVisitDays = DaysFromCivil(2024, 1, 1) - kFirstVisitDay;

// `format` with every '#' replaced by a random digit and every '^' by a
// random upper-case letter.
std::string Pattern(Rng& rng, std::string_view format) {
  std::string out(format);
  for (char& c : out) {
    if (c == '#') c = static_cast<char>('0' + rng.Between(0, 9));
    if (c == '^') c = static_cast<char>('A' + rng.Between(0, 25));
  }
  return out;
}

template <typename T, size_t N>
const T& Pick(Rng& rng, const T (&values)[N]) {
  return values[rng.Between(0, static_cast<int64_t>(N) - 1)];
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::string Money(int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

// An ASCII e-mail address for a (possibly accented) name.
std::string Email(Rng& rng, std::string_view first, std::string_view last) {
  std::string user;
  for (std::string_view part : {first, std::string_view("."), last}) {
    for (char c : Lower(part)) {
      if ((c >= 'a' && c <= 'z') || c == '.') user += c;
    }
  }
  return user + std::to_string(rng.Between(1, 99)) + "@" +
         Pick(rng, {"mail.example", "post.example", "inbox.example"});
}

std::string Address(Rng& rng, const Country& country, const std::string& city) {
  char buf[256];
  const std::string postal = Pattern(rng, country.postal_format);
  std::snprintf(buf, sizeof(buf), country.address_format, Pick(rng, country.streets),
                static_cast<int>(rng.Between(1, 250)), postal.c_str(), city.c_str());
  return buf;
}

SqlTable ShiftTable() {
  SqlTable t{"",
             "shift",
             "CREATE TABLE shift (id_shift INT NOT NULL PRIMARY KEY, shift_name VARCHAR(20) NOT "
             "NULL, start_time TIME NOT NULL, end_time TIME NOT NULL)",
             {"id_shift", "shift_name", "start_time", "end_time"},
             {}};
  for (int i = 0; i < 3; ++i) {
    const int start = kShifts[i].start_hour;
    t.rows.push_back({std::to_string(i + 1), kShifts[i].name,
                      FormatTimeOfDay(start * 3600 * kMicrosPerSecond),
                      FormatTimeOfDay((start + kShiftHours) % 24 * 3600 * kMicrosPerSecond)});
  }
  return t;
}

SqlTable DoctorsTable(uint64_t seed) {
  SqlTable t{"",
             "doctors",
             "CREATE TABLE doctors (id_doctor INT NOT NULL PRIMARY KEY, first_name VARCHAR(40) "
             "NOT NULL, last_name VARCHAR(40) NOT NULL, specialty VARCHAR(40) NOT NULL, id_shift "
             "INT NOT NULL, email VARCHAR(80), phone VARCHAR(25), hired_date DATE, active "
             "TINYINT(1) NOT NULL)",
             {"id_doctor", "first_name", "last_name", "specialty", "id_shift", "email", "phone",
              "hired_date", "active"},
             {}};
  Rng rng(seed ^ 0xD0C7085ULL);
  for (int s = 0; s < kSpecialtyCount; ++s) {
    for (int shift = 1; shift <= 3; ++shift) {
      const Country& c = Pick(rng, kCountries);
      const std::string first = rng.Between(0, 1) ? Pick(rng, c.female) : Pick(rng, c.male);
      const std::string last = Pick(rng, c.last);
      const std::string phone = rng.Unit() < 0.1 ? kNull : Pattern(rng, c.phone_format);
      t.rows.push_back({std::to_string(t.rows.size() + 1), first, last, kMedikalSpecialties[s],
                        std::to_string(shift), Email(rng, first, last), phone,
                        FormatDate(DaysFromCivil(2005, 1, 1) + rng.Between(0, 6000)),
                        rng.Unit() < 0.95 ? "1" : "0"});
    }
  }
  return t;
}

// What the events need to know of a patient.
struct Patient {
  bool female;
  int64_t birth_day;
};

SqlTable PatientTable(uint64_t seed, int64_t count, std::vector<Patient>& patients) {
  SqlTable t{"",
             "patient",
             "CREATE TABLE patient (id_patient INT NOT NULL PRIMARY KEY, first_name VARCHAR(40) "
             "NOT NULL, last_name VARCHAR(40) NOT NULL, sex ENUM('F','M') NOT NULL, birth_date "
             "DATE NOT NULL, country VARCHAR(20) NOT NULL, city VARCHAR(40), address "
             "VARCHAR(200), phone VARCHAR(25), email VARCHAR(80), blood_type VARCHAR(4), "
             "registered_at DATETIME NOT NULL)",
             {"id_patient", "first_name", "last_name", "sex", "birth_date", "country", "city",
              "address", "phone", "email", "blood_type", "registered_at"},
             {}};
  Rng rng(seed ^ 0x9A71E47ULL);
  const int64_t reference_day = DaysFromCivil(2022, 1, 1);
  for (int64_t i = 0; i < count; ++i) {
    const Country& c = Pick(rng, kCountries);
    const bool female = rng.Between(0, 1) == 1;
    const std::string first = female ? Pick(rng, c.female) : Pick(rng, c.male);
    const std::string last = Pick(rng, c.last);
    // About a fifth are children on 2022-01-01; ages up to 94.
    const int64_t age_days =
        rng.Unit() < 0.2 ? rng.Between(0, 14 * 365) : rng.Between(15 * 366, 94 * 365);
    const int64_t birth = reference_day - age_days;
    const std::string city = Pick(rng, c.cities);
    patients.push_back({female, birth});
    t.rows.push_back({std::to_string(i + 1), first, last, female ? "F" : "M", FormatDate(birth),
                      c.name, city, Address(rng, c, city), Pattern(rng, c.phone_format),
                      rng.Unit() < 0.08 ? kNull : Email(rng, first, last),
                      rng.Unit() < 0.15 ? kNull : Pick(rng, kBloodTypes),
                      FormatTimestamp((reference_day - rng.Between(0, 3000)) * kMicrosPerDay +
                                      rng.Between(0, 86399) * kMicrosPerSecond)});
  }
  return t;
}

// Completed years between two days since the epoch.
int AgeOn(int64_t birth_day, int64_t day) {
  const CivilDate b = CivilFromDays(birth_day);
  const CivilDate d = CivilFromDays(day);
  int age = static_cast<int>(d.year - b.year);
  if (d.month < b.month || (d.month == b.month && d.day < b.day)) --age;
  return age;
}

// A specialty the patient may see on `day` (the business rules).
int EligibleSpecialty(Rng& rng, const Patient& p, int64_t day) {
  if (AgeOn(p.birth_day, day) <= kChildUntil) {
    return rng.Between(0, 1) ? kPediatrician : kGeneral;
  }
  for (;;) {
    const int s = static_cast<int>(rng.Between(0, kSpecialtyCount - 1));
    if (s == kPediatrician) continue;
    if (s == kGynecologist && !p.female) continue;
    if (s == kUrologist && p.female) continue;
    return s;
  }
}

SqlTable EventsTable(uint64_t seed, const std::vector<Patient>& patients,
                     const std::vector<std::string>& ndcs) {
  SqlTable t{"",
             "events",
             "CREATE TABLE events (id_event BIGINT NOT NULL PRIMARY KEY, id_patient INT NOT NULL, "
             "id_doctor INT NOT NULL, event_time DATETIME NOT NULL, symptom VARCHAR(60) NOT NULL, "
             "notes TEXT, prescribed_ndc VARCHAR(12), cost DECIMAL(10,2), updated_at "
             "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX events_updated_at "
             "(updated_at))",
             {"id_event", "id_patient", "id_doctor", "event_time", "symptom", "notes",
              "prescribed_ndc", "cost", "updated_at"},
             {}};
  Rng rng(seed ^ 0xE7E475ULL);
  const int64_t events = static_cast<int64_t>(patients.size()) * 4;
  for (int64_t i = 0; i < events; ++i) {
    const int64_t patient = rng.Between(0, static_cast<int64_t>(patients.size()) - 1);
    const int64_t day = kFirstVisitDay + rng.Between(0, kVisitDays - 1);
    const int specialty = EligibleSpecialty(rng, patients[patient], day);
    const int shift = static_cast<int>(rng.Between(0, 2));  // doctors: 3 per specialty, by shift
    const int64_t doctor = specialty * 3 + shift + 1;
    // A minute within the doctor's shift (the night shift runs past midnight).
    const int64_t minute = kShifts[shift].start_hour * 60 + rng.Between(0, kShiftHours * 60 - 1);
    const int64_t at = day * kMicrosPerDay + minute * 60 * kMicrosPerSecond;
    const int64_t updated = at + rng.Between(0, 3 * 86400) * kMicrosPerSecond;
    const bool prescribed = rng.Unit() < 0.6;
    t.rows.push_back(
        {std::to_string(i + 1), std::to_string(patient + 1), std::to_string(doctor),
         FormatTimestamp(at), Pick(rng, kSymptoms[specialty]),
         rng.Unit() < 0.3 ? kNull
                          : "Seen on " + FormatDate(day) + ".\nFollow-up in " +
                                std::to_string(rng.Between(1, 8)) + " weeks.",
         prescribed ? ndcs[rng.Between(0, static_cast<int64_t>(ndcs.size()) - 1)] : kNull,
         rng.Unit() < 0.02 ? std::nullopt
                           : std::optional<std::string>(Money(rng.Between(2000, 90000))),
         FormatTimestamp(updated)});
  }
  return t;
}

SqlTable MedicineTable(uint64_t seed, std::vector<std::string>& ndcs) {
  SqlTable t{"pharmacy",
             "medicine",
             "CREATE TABLE pharmacy.medicine (id_medicine integer PRIMARY KEY, product_ndc "
             "varchar(12) NOT NULL UNIQUE, generic_name text NOT NULL, brand_name text, "
             "labeler_name text NOT NULL, dosage_form text NOT NULL, route text NOT NULL, "
             "product_type text NOT NULL, marketing_start_date date, unit_price numeric(10,2), "
             "active_ingredients text[] NOT NULL, updated_at timestamptz NOT NULL)",
             {"id_medicine", "product_ndc", "generic_name", "brand_name", "labeler_name",
              "dosage_form", "route", "product_type", "marketing_start_date", "unit_price",
              "active_ingredients", "updated_at"},
             {}};
  Rng rng(seed ^ 0x3ED1C1ULL);
  std::set<std::string> seen;
  while (static_cast<int>(ndcs.size()) < kMedikalMedicines) {
    const std::string ndc = Pattern(rng, Pick(rng, {"####-####", "#####-###", "#####-####"}));
    if (!seen.insert(ndc).second) continue;
    ndcs.push_back(ndc);
    const auto& drug = Pick(rng, kDrugs);
    const bool generic = rng.Unit() < 0.3;
    const std::string brand =
        generic ? kNull : std::string(Pick(rng, kBrandStems)) + Lower(Pick(rng, kBrandEnds));
    t.rows.push_back({std::to_string(ndcs.size()), ndc, drug.generic, brand, Pick(rng, kLabelers),
                      drug.form, drug.route,
                      rng.Unit() < 0.3 ? "HUMAN OTC DRUG" : "HUMAN PRESCRIPTION DRUG",
                      FormatDate(DaysFromCivil(1990, 1, 1) + rng.Between(0, 11000)),
                      Money(rng.Between(99, 25000)), drug.ingredients,
                      FormatTimestamp(DaysFromCivil(2023, 1, 1) * kMicrosPerDay +
                                      rng.Between(0, 365 * 86400LL) * kMicrosPerSecond) +
                          "+00"});
  }
  return t;
}

}  // namespace

Result<MedikalData> GenerateMedikal(const MedikalOptions& options) {
  if (options.patients < 1 || options.patients > 1'000'000) {
    return InvalidArgument("--patients must be between 1 and 1000000, not " +
                           std::to_string(options.patients));
  }
  MedikalData data;
  std::vector<std::string> ndcs;
  data.postgres.push_back(MedicineTable(options.seed, ndcs));
  std::vector<Patient> patients;
  data.mysql.push_back(ShiftTable());
  data.mysql.push_back(DoctorsTable(options.seed));
  data.mysql.push_back(PatientTable(options.seed, options.patients, patients));
  data.mysql.push_back(EventsTable(options.seed, patients, ndcs));
  return data;
}

}  // namespace carelake::generate
