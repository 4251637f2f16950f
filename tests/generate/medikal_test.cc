// The MedIKal generator's rows (generate/medikal.h), without a server: the
// tables and counts, determinism by seed, and the seed's business rules
// checked against the rows with independent arithmetic (ages from the date
// strings). db_generators_test.cc checks the same rules on real servers.
#include "carelake/generate/medikal.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

namespace carelake::generate {
namespace {

const SqlTable& Table(const std::vector<SqlTable>& tables, const std::string& name) {
  for (const SqlTable& t : tables) {
    if (t.name == name) return t;
  }
  ADD_FAILURE() << "no table " << name;
  static const SqlTable kNone;
  return kNone;
}

const std::string& Value(const SqlTable& t, const SqlRow& row, const std::string& column) {
  const int i = t.ColumnIndex(column);
  EXPECT_GE(i, 0) << column;
  EXPECT_TRUE(row[i].has_value()) << t.name << "." << column;
  return *row[i];
}

// Completed years from "YYYY-MM-DD" to "YYYY-MM-DD hh:mm:ss", by string fields.
int Age(const std::string& birth, const std::string& at) {
  const int years = std::stoi(at.substr(0, 4)) - std::stoi(birth.substr(0, 4));
  return at.substr(5, 5) < birth.substr(5, 5) ? years - 1 : years;
}

MedikalData Generate(int64_t patients, uint64_t seed) {
  auto data = GenerateMedikal({.patients = patients, .seed = seed});
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  return data.ok() ? std::move(data).value() : MedikalData{};
}

TEST(MedikalTest, SplitsIkhospitalOverTheTwoServersWithTheirCounts) {
  const MedikalData data = Generate(300, 1);
  std::vector<std::string> names;
  for (const SqlTable& t : data.mysql) names.push_back(t.QualifiedName());
  EXPECT_EQ(names, (std::vector<std::string>{"shift", "doctors", "patient", "events"}));
  ASSERT_EQ(data.postgres.size(), 1u);
  EXPECT_EQ(data.postgres[0].QualifiedName(), "pharmacy.medicine");
  EXPECT_EQ(Table(data.mysql, "shift").rows.size(), 3u);
  EXPECT_EQ(Table(data.mysql, "doctors").rows.size(), 33u);  // 11 specialties x 3 shifts
  EXPECT_EQ(Table(data.mysql, "patient").rows.size(), 300u);
  EXPECT_EQ(Table(data.mysql, "events").rows.size(), 1200u);
  EXPECT_EQ(data.postgres[0].rows.size(), static_cast<size_t>(kMedikalMedicines));
  for (const std::vector<SqlTable>* server : {&data.mysql, &data.postgres}) {
    for (const SqlTable& t : *server) {
      EXPECT_NE(t.create_sql.find("PRIMARY KEY"), std::string::npos) << t.name;
      for (const SqlRow& row : t.rows) ASSERT_EQ(row.size(), t.columns.size()) << t.name;
    }
  }
}

TEST(MedikalTest, TheSameSeedGivesTheSameRowsAndAnotherSeedOthers) {
  const MedikalData a = Generate(200, 7), b = Generate(200, 7), c = Generate(200, 8);
  for (size_t i = 0; i < a.mysql.size(); ++i) EXPECT_EQ(a.mysql[i].rows, b.mysql[i].rows);
  EXPECT_EQ(a.postgres[0].rows, b.postgres[0].rows);
  EXPECT_NE(Table(a.mysql, "patient").rows, Table(c.mysql, "patient").rows);
  EXPECT_NE(Table(a.mysql, "events").rows, Table(c.mysql, "events").rows);
  EXPECT_NE(a.postgres[0].rows, c.postgres[0].rows);
}

TEST(MedikalTest, RefusesAPatientCountOutOfRange) {
  EXPECT_EQ(GenerateMedikal({.patients = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateMedikal({.patients = 2'000'000}).status().code(), StatusCode::kInvalidArgument);
}

TEST(MedikalTest, EveryVisitKeepsTheSeedsBusinessRules) {
  const MedikalData data = Generate(2000, 42);
  const SqlTable& patient = Table(data.mysql, "patient");
  const SqlTable& doctors = Table(data.mysql, "doctors");
  const SqlTable& events = Table(data.mysql, "events");
  std::map<int, std::string> specialty_of;
  for (const SqlRow& d : doctors.rows) {
    specialty_of[std::stoi(Value(doctors, d, "id_doctor"))] = Value(doctors, d, "specialty");
  }
  std::map<std::string, std::set<std::string>> specialties_of_symptom;
  std::map<std::string, int> visits;
  for (const SqlRow& e : events.rows) {
    const SqlRow& p = patient.rows[std::stoi(Value(events, e, "id_patient")) - 1];
    const std::string& specialty = specialty_of[std::stoi(Value(events, e, "id_doctor"))];
    const std::string& sex = Value(patient, p, "sex");
    const int age = Age(Value(patient, p, "birth_date"), Value(events, e, "event_time"));
    ++visits[specialty];
    if (specialty == "Gynecologist") {
      EXPECT_TRUE(sex == "F" && age > 14) << sex << age;
    }
    if (specialty == "Urologist") {
      EXPECT_EQ(sex, "M");
    }
    if (age < 15) {
      EXPECT_TRUE(specialty == "General Practitioner" || specialty == "Pediatrician") << specialty;
      ++visits["child"];
    }
    if (specialty == "Pediatrician") {
      EXPECT_LT(age, 15);
    }
    specialties_of_symptom[Value(events, e, "symptom")].insert(specialty);
    EXPECT_GE(Value(events, e, "updated_at"), Value(events, e, "event_time"));
  }
  for (const auto& [symptom, specialties] : specialties_of_symptom) {
    EXPECT_EQ(specialties.size(), 1u) << symptom;
  }
  EXPECT_EQ(*specialties_of_symptom["Rhinitis"].begin(), "Otolaryngologist");
  EXPECT_EQ(*specialties_of_symptom["Lymphoma"].begin(), "Oncologist");
  for (const char* specialty : kMedikalSpecialties) EXPECT_GT(visits[specialty], 20) << specialty;
  EXPECT_GT(visits["child"], 200);
}

TEST(MedikalTest, PatientsComeFromEightCountriesWithTheirAddressAndPhoneFormats) {
  const MedikalData data = Generate(1000, 3);
  const SqlTable& patient = Table(data.mysql, "patient");
  const std::map<std::string, std::regex> phone = {
      {"Portugal", std::regex(R"(\+351 \d{2} \d{3} \d{4})")},
      {"Germany", std::regex(R"(\+49 \d{2} \d{8})")},
      {"Brazil", std::regex(R"(\+55 \d{2} \d{5}-\d{4})")},
      {"Italy", std::regex(R"(\+39 \d{2} \d{4} \d{4})")},
      {"France", std::regex(R"(\+33 \d( \d{2}){4})")},
      {"USA", std::regex(R"(\+1 \(\d{3}\) \d{3}-\d{4})")},
      {"Mexico", std::regex(R"(\+52 \d{2} \d{4} \d{4})")},
      {"UK", std::regex(R"(\+44 \d{2} \d{4} \d{4})")}};
  std::map<std::string, int> per_country;
  int null_emails = 0;
  for (const SqlRow& p : patient.rows) {
    const std::string& country = Value(patient, p, "country");
    ++per_country[country];
    ASSERT_EQ(phone.count(country), 1u) << country;
    EXPECT_TRUE(std::regex_match(Value(patient, p, "phone"), phone.at(country)))
        << country << " " << Value(patient, p, "phone");
    const std::string& address = Value(patient, p, "address");
    EXPECT_NE(address.find('\n'), std::string::npos) << address;
    EXPECT_NE(address.find(Value(patient, p, "city")), std::string::npos) << address;
    if (Value(patient, p, "email") == "NULL") ++null_emails;
  }
  EXPECT_EQ(per_country.size(), 8u);
  for (const auto& [country, n] : per_country) EXPECT_GT(n, 60) << country;
  EXPECT_GT(null_emails, 20);  // the literal text 'NULL', not SQL NULL
}

TEST(MedikalTest, MedicinesHaveUniqueNdcCodesAndPrescriptionsNameThem) {
  const MedikalData data = Generate(500, 5);
  const SqlTable& medicine = data.postgres[0];
  std::set<std::string> ndcs;
  const std::regex ndc(R"(\d{4}-\d{4}|\d{5}-\d{3,4})");
  for (const SqlRow& m : medicine.rows) {
    const std::string& code = Value(medicine, m, "product_ndc");
    EXPECT_TRUE(std::regex_match(code, ndc)) << code;
    EXPECT_TRUE(ndcs.insert(code).second) << code;
  }
  const SqlTable& events = Table(data.mysql, "events");
  int prescriptions = 0;
  for (const SqlRow& e : events.rows) {
    const std::string& prescribed = Value(events, e, "prescribed_ndc");
    if (prescribed == "NULL") continue;
    ++prescriptions;
    EXPECT_EQ(ndcs.count(prescribed), 1u) << prescribed;
  }
  EXPECT_GT(prescriptions, 1000);
}

}  // namespace
}  // namespace carelake::generate
