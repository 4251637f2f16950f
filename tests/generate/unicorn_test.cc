// The UnicornHealth generator's rows (generate/unicorn.h), without a server:
// the DDL's tables, the seed's counts and text formats, values that fit the
// DDL's column widths, references between the tables, determinism by seed.
#include "carelake/generate/unicorn.h"

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

// Every non-null value of `column` matches `pattern`.
void ExpectAll(const SqlTable& t, const std::string& column, const std::string& pattern) {
  const int i = t.ColumnIndex(column);
  ASSERT_GE(i, 0) << column;
  const std::regex re(pattern);
  for (const SqlRow& row : t.rows) {
    if (row[i]) {
      EXPECT_TRUE(std::regex_match(*row[i], re)) << t.name << "." << column << " " << *row[i];
    }
  }
}

std::set<std::string> Column(const SqlTable& t, const std::string& column) {
  std::set<std::string> values;
  for (const SqlRow& row : t.rows) {
    if (row[t.ColumnIndex(column)]) values.insert(*row[t.ColumnIndex(column)]);
  }
  return values;
}

TEST(UnicornTest, HasTheDdlsTablesAndTheSeedsCounts) {
  const std::vector<SqlTable> tables = GenerateUnicorn(42);
  std::vector<std::string> names;
  for (const SqlTable& t : tables) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"account", "appointment", "employee", "encounter",
                                             "insurance", "patient"}));
  EXPECT_EQ(Table(tables, "patient").rows.size(), 500u);
  EXPECT_EQ(Table(tables, "employee").rows.size(), 25u);
  EXPECT_EQ(Table(tables, "account").rows.size(), 500u);
  EXPECT_EQ(Table(tables, "insurance").rows.size(), 10u);
  EXPECT_EQ(Table(tables, "appointment").rows.size(), Table(tables, "encounter").rows.size());
}

TEST(UnicornTest, ValuesHaveTheSeedsFormatsAndFitTheDdlsWidths) {
  const std::vector<SqlTable> tables = GenerateUnicorn(42);
  ExpectAll(Table(tables, "patient"), "person_id", R"(PER[1-9]\d{0,2})");
  ExpectAll(Table(tables, "patient"), "dob", R"((1[0-2]|[1-9])/(3[01]|[12]\d|[1-9])/(19|20)\d\d)");
  ExpectAll(Table(tables, "patient"), "zip", R"(\d{5})");
  ExpectAll(Table(tables, "patient"), "insurance", R"(INS([1-9]|10))");
  ExpectAll(Table(tables, "patient"), "email", R"([a-z]+\d+@mail\.example)");
  ExpectAll(Table(tables, "employee"), "employee_id", R"(E00[0-2]\d)");
  ExpectAll(Table(tables, "employee"), "phone_number", R"(555-\d{3}-\d{4})");
  ExpectAll(Table(tables, "appointment"), "appId", R"(APPO[1-9]\d*)");
  ExpectAll(Table(tables, "appointment"), "app_time", R"((1[0-2]|[1-9]):[0-5]\d (AM|PM))");
  ExpectAll(Table(tables, "appointment"), "app_date", R"(\d{1,2}/\d{1,2}/2022)");
  ExpectAll(Table(tables, "encounter"), "encounter_id", R"(ENC\d{4})");
  ExpectAll(Table(tables, "encounter"), "start_time", R"((1[0-2]|[1-9]):[0-5]\d (AM|PM))");
  ExpectAll(Table(tables, "encounter"), "status", "Completed|No-show|Cancelled|In progress");
  ExpectAll(Table(tables, "account"), "accountId", R"(ACC\d{4})");
  ExpectAll(Table(tables, "account"), "account_balance", R"(\$\d+\.\d\d)");
  ExpectAll(Table(tables, "account"), "last_payment", R"(\d{1,10})");  // decimal(10,0)
  ExpectAll(Table(tables, "insurance"), "insid", R"(INS([1-9]|10))");
  EXPECT_EQ(Column(Table(tables, "employee"), "employee_id").count("E0025"), 1u);
  // Zip codes with leading zeros stay text.
  bool leading_zero = false;
  for (const std::string& zip : Column(Table(tables, "patient"), "zip")) {
    leading_zero |= zip[0] == '0';
  }
  EXPECT_TRUE(leading_zero);
  // The DDL's VARCHAR widths, written out here independently of the generator.
  const std::map<std::string, size_t> widths = {{"account.accountId", 12},
                                                {"account.member_id", 25},
                                                {"account.payment_due", 20},
                                                {"account.account_balance", 20},
                                                {"appointment.appId", 12},
                                                {"appointment.physician", 25},
                                                {"appointment.app_date", 10},
                                                {"appointment.app_time", 10},
                                                {"appointment.scheduled_by", 20},
                                                {"employee.employee_id", 15},
                                                {"employee.first_name", 20},
                                                {"employee.last_name", 20},
                                                {"employee.email", 40},
                                                {"employee.phone_number", 12},
                                                {"employee.title", 20},
                                                {"encounter.encounter_id", 12},
                                                {"encounter.patient", 25},
                                                {"encounter.start_time", 15},
                                                {"encounter.status", 15},
                                                {"insurance.insid", 30},
                                                {"insurance.plan", 30},
                                                {"patient.person_id", 12},
                                                {"patient.first_name", 20},
                                                {"patient.last_name", 20},
                                                {"patient.email", 45},
                                                {"patient.dob", 10},
                                                {"patient.address", 30},
                                                {"patient.zip", 5},
                                                {"patient.insurance", 20}};
  for (const auto& [column, width] : widths) {
    const size_t dot = column.find('.');
    const SqlTable& t = Table(tables, column.substr(0, dot));
    for (const std::string& value : Column(t, column.substr(dot + 1))) {
      EXPECT_LE(value.size(), width) << column << " " << value;
    }
  }
}

TEST(UnicornTest, ReferencesPointAtRowsThatExist) {
  const std::vector<SqlTable> tables = GenerateUnicorn(9);
  const std::set<std::string> patients = Column(Table(tables, "patient"), "person_id");
  const std::set<std::string> plans = Column(Table(tables, "insurance"), "insid");
  std::set<std::string> clinicians, receptionists;
  const SqlTable& employee = Table(tables, "employee");
  for (const SqlRow& e : employee.rows) {
    if (*e[5] == "Physician" || *e[5] == "Nurse Practitioner") clinicians.insert(*e[0]);
    if (*e[5] == "Receptionist") receptionists.insert(*e[0]);
  }
  for (const std::string& p : Column(Table(tables, "encounter"), "patient")) {
    EXPECT_EQ(patients.count(p), 1u) << p;
  }
  for (const std::string& p : Column(Table(tables, "account"), "member_id")) {
    EXPECT_EQ(patients.count(p), 1u) << p;
  }
  for (const std::string& p : Column(Table(tables, "patient"), "insurance")) {
    EXPECT_EQ(plans.count(p), 1u) << p;
  }
  const std::set<std::string> physicians = Column(Table(tables, "appointment"), "physician");
  EXPECT_EQ(physicians, clinicians);  // every clinician has appointments
  for (const std::string& r : Column(Table(tables, "appointment"), "scheduled_by")) {
    EXPECT_EQ(receptionists.count(r), 1u) << r;
  }
  // No-shows and cancellations have no start time; the others have one.
  const SqlTable& encounter = Table(tables, "encounter");
  std::map<std::string, int> statuses;
  for (const SqlRow& e : encounter.rows) {
    ++statuses[*e[3]];
    EXPECT_EQ(e[2].has_value(), *e[3] == "Completed" || *e[3] == "In progress") << *e[0];
  }
  EXPECT_GT(statuses["No-show"], 50);
  EXPECT_GT(statuses["Cancelled"], 30);
}

TEST(UnicornTest, TheSameSeedGivesTheSameRowsAndAnotherSeedOthers) {
  const std::vector<SqlTable> a = GenerateUnicorn(1), b = GenerateUnicorn(1),
                              c = GenerateUnicorn(2);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].rows, b[i].rows) << a[i].name;
  EXPECT_NE(Table(a, "patient").rows, Table(c, "patient").rows);
  EXPECT_NE(Table(a, "appointment").rows, Table(c, "appointment").rows);
}

}  // namespace
}  // namespace carelake::generate
