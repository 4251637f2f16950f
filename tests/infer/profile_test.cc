// The rules of `carelake infer` over value samples: types and formats, null
// tokens, keys, PII; and that the formats it proposes parse in DuckDB
// exactly when it says they do (the silver step parses them with
// try_strptime).
#include "carelake/infer/profile.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace carelake::infer {
namespace {

std::vector<std::optional<std::string>> Values(std::initializer_list<const char*> vs) {
  std::vector<std::optional<std::string>> out;
  for (const char* v : vs) out.push_back(v ? std::optional<std::string>(v) : std::nullopt);
  return out;
}

TEST(ProfileTest, UnicornDatesTimesAndMoney) {
  ColumnProfile date =
      ProfileColumn("AppointmentDate", Values({"1/5/2023", "12/31/2022", "3/14/2023", "NULL"}));
  EXPECT_EQ(date.kind, Kind::kDate);
  EXPECT_EQ(date.type, "DATE");
  EXPECT_EQ(date.format, "%m/%d/%Y");
  EXPECT_EQ(date.fit, 3);
  EXPECT_EQ(date.null_tokens.at("NULL"), 1);

  ColumnProfile time =
      ProfileColumn("AppointmentTime", Values({"10:08 AM", "1:30 PM", "12:00 pm"}));
  EXPECT_EQ(time.kind, Kind::kTime);
  EXPECT_EQ(time.format, "%I:%M %p");

  ColumnProfile money = ProfileColumn("Balance", Values({"$2,419.20", "$2419.20", "-$5.00", ""}));
  EXPECT_EQ(money.kind, Kind::kMoney);
  EXPECT_EQ(money.type, "DECIMAL(18,2)");
  EXPECT_EQ(money.fit, 3);
  EXPECT_EQ(money.null_tokens.at(""), 1);
}

TEST(ProfileTest, DayFirstWhenADayExceedsTwelve) {
  ColumnProfile p = ProfileColumn("d", Values({"01/02/2023", "25/12/2023", "13/01/2024"}));
  EXPECT_EQ(p.kind, Kind::kDate);
  EXPECT_EQ(p.format, "%d/%m/%Y");
}

TEST(ProfileTest, IntegersWithLeadingZerosStayText) {
  ColumnProfile zip = ProfileColumn("code", Values({"02134", "10001", "00501"}));
  EXPECT_EQ(zip.kind, Kind::kText);
  EXPECT_EQ(zip.type, "VARCHAR");
  EXPECT_NE(zip.why.find("leading zeros"), std::string::npos) << zip.why;

  ColumnProfile n = ProfileColumn("count", Values({"0", "17", "-3", "N/A"}));
  EXPECT_EQ(n.kind, Kind::kInteger);
  EXPECT_EQ(n.type, "BIGINT");
}

TEST(ProfileTest, DecimalsBooleansAndText) {
  ColumnProfile d = ProfileColumn("dose", Values({"1.5", "20", "0.125"}));
  EXPECT_EQ(d.kind, Kind::kDecimal);
  EXPECT_EQ(d.type, "DECIMAL(18,3)");
  ColumnProfile b = ProfileColumn("active", Values({"true", "FALSE", "t"}));
  EXPECT_EQ(b.kind, Kind::kBoolean);
  ColumnProfile ids = ProfileColumn("id", Values({"PER1", "PER2", "PER3"}));
  EXPECT_EQ(ids.kind, Kind::kText);
}

TEST(ProfileTest, OneOddValueInFiftyStillFits) {
  std::vector<std::optional<std::string>> vs;
  for (int i = 0; i < 60; ++i) vs.push_back(std::to_string(i + 1));
  vs.push_back("twelve");
  ColumnProfile p = ProfileColumn("n", vs);
  EXPECT_EQ(p.kind, Kind::kInteger);  // 60 of 61 = 98.4% >= kMinFitShare
  EXPECT_EQ(p.fit, 60);
  EXPECT_NEAR(p.FitShare(), 60.0 / 61.0, 1e-9);
  vs.push_back("thirteen");  // 60 of 62 = 96.8%
  EXPECT_EQ(ProfileColumn("n", vs).kind, Kind::kText);
}

TEST(ProfileTest, CandidateKeys) {
  EXPECT_TRUE(ProfileColumn("id", Values({"E0001", "E0002", "E0003"})).candidate_key);
  EXPECT_FALSE(ProfileColumn("id", Values({"E0001", "E0001", "E0003"})).candidate_key);
  EXPECT_FALSE(ProfileColumn("id", Values({"E0001", nullptr, "E0003"})).candidate_key);
  EXPECT_FALSE(ProfileColumn("id", Values({"E0001", "NULL", "E0003"})).candidate_key);
}

TEST(ProfileTest, PiiByNameAndByValues) {
  EXPECT_EQ(PiiOfName("PatientName"), Pii::kName);
  EXPECT_EQ(PiiOfName("first_name"), Pii::kName);
  EXPECT_EQ(PiiOfName("Surname"), Pii::kName);
  EXPECT_EQ(PiiOfName("DrugName"), Pii::kNone);
  EXPECT_EQ(PiiOfName("file_name"), Pii::kNone);
  EXPECT_EQ(PiiOfName("DOB"), Pii::kBirthDate);
  EXPECT_EQ(PiiOfName("DateOfBirth"), Pii::kBirthDate);
  EXPECT_EQ(PiiOfName("Email"), Pii::kEmail);
  EXPECT_EQ(PiiOfName("PhoneNumber"), Pii::kPhone);
  EXPECT_EQ(PiiOfName("Street Address"), Pii::kAddress);
  EXPECT_EQ(PiiOfName("SSN"), Pii::kIdentifier);
  EXPECT_EQ(PiiOfName("Specialty"), Pii::kNone);

  ColumnProfile email = ProfileColumn("contact", Values({"a@b.org", "x.y@clinic.com", "none"}));
  EXPECT_EQ(email.pii, Pii::kEmail);
  EXPECT_NE(email.pii_reason.find("emails"), std::string::npos);
  ColumnProfile phone = ProfileColumn("c2", Values({"+49 30 1234567", "(555) 123-4567"}));
  EXPECT_EQ(phone.pii, Pii::kPhone);
  ColumnProfile address =
      ProfileColumn("c3", Values({"12 Main St\nSpringfield", "Rua A, 5\nLisboa"}));
  EXPECT_EQ(address.pii, Pii::kAddress);
  EXPECT_EQ(ProfileColumn("c4", Values({"12345678", "87654321"})).pii, Pii::kNone);
}

TEST(ProfileTest, ValueShapes) {
  EXPECT_TRUE(IsMoney("$1,234,567.89"));
  EXPECT_TRUE(IsMoney("2,419.20"));
  EXPECT_FALSE(IsMoney("1,23"));
  EXPECT_FALSE(IsMoney("12,3456"));
  EXPECT_FALSE(IsMoney("$"));
  EXPECT_TRUE(IsPlainInteger("-12"));
  EXPECT_FALSE(IsPlainInteger("012"));
  EXPECT_TRUE(HasLeadingZero("012"));
  EXPECT_FALSE(HasLeadingZero("0"));
  EXPECT_TRUE(IsEmail("a.b@c.de"));
  EXPECT_FALSE(IsEmail("a@b"));
  EXPECT_FALSE(MatchesFormat("2/30/2023", "%m/%d/%Y"));
  EXPECT_TRUE(MatchesFormat("2/29/2024", "%m/%d/%Y"));
  EXPECT_FALSE(MatchesFormat("2/29/2023", "%m/%d/%Y"));
  EXPECT_FALSE(MatchesFormat("13:08 PM", "%I:%M %p"));
}

// The formats MatchesFormat accepts parse with DuckDB's try_strptime, and
// the values it rejects do not (or parse to something else, as a date
// DuckDB rolls over would).
TEST(ProfileTest, FormatsAgreeWithDuckDb) {
  auto db = engine::Database::Open({});
  ASSERT_TRUE(db.ok());
  auto conn = engine::Connection::Open(**db);
  ASSERT_TRUE(conn.ok());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1/5/2023", "%m/%d/%Y"},
      {"12/31/2022", "%m/%d/%Y"},
      {"2/30/2023", "%m/%d/%Y"},
      {"2023-01-05", "%Y-%m-%d"},
      {"25/12/2023", "%d/%m/%Y"},
      {"10:08 AM", "%I:%M %p"},
      {"1:30 PM", "%I:%M %p"},
      {"13:30 PM", "%I:%M %p"},
      {"23:59:59", "%H:%M:%S"},
      {"2023-01-05 07:08:09", "%Y-%m-%d %H:%M:%S"},
      {"1/5/2023 4:05 PM", "%m/%d/%Y %I:%M %p"},
      {"2023-1-5", "%d.%m.%Y"}};
  for (const auto& [value, format] : cases) {
    auto r = conn->Query("SELECT try_strptime('" + value + "', '" + format + "') IS NOT NULL");
    ASSERT_TRUE(r.ok()) << r.status().message();
    auto rows = r->FetchAllRows();
    ASSERT_TRUE(rows.ok());
    const bool duckdb = (*rows)[0][0].GetBool();
    EXPECT_EQ(MatchesFormat(value, format), duckdb) << value << " " << format;
  }
}

TEST(ProfileTest, YamlCommentsCarryTheEvidence) {
  TableProfile t;
  t.bronze = "bronze.clinic__patient";
  t.silver_name = SilverNameOf("clinic__patient", "clinic");
  t.rows_sampled = 3;
  t.column_order = {"PatientID", "DOB", "Balance", "Visits"};
  t.typed["Visits"] = "INTEGER";
  t.columns.push_back(ProfileColumn("PatientID", Values({"PER1", "PER2", "PER3"})));
  t.columns.push_back(ProfileColumn("DOB", Values({"1/5/1980", "12/31/1975", "N/A"})));
  t.columns.push_back(ProfileColumn("Balance", Values({"$1.00", "$2,000.50", "$0.00"})));
  const std::string yaml = SilverYaml({t});
  EXPECT_EQ(t.silver_name, "patient");
  EXPECT_NE(yaml.find("  - name: patient\n    from: bronze.clinic__patient\n"), std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("key: [patient_id]"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("{name: dob, from: \"DOB\", type: \"DATE\", format: \"%m/%d/%Y\", pii: "
                      "true}"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("DOB: date %m/%d/%Y, 100% of 2 values fit; 1 empty"), std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("likely PII (birth date: column name)"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("{name: visits, from: \"Visits\", type: \"INTEGER\"}"), std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("expr: \"replace(replace(trim(\\\"Balance\\\"), '$', ''), ',', '')\""),
            std::string::npos)
      << yaml;
}

}  // namespace
}  // namespace carelake::infer
