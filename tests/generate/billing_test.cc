// The billing generator (seed 001): the dataset's file names, headers, CRLF
// line ends and quirks; clean lines that reconcile; dirt counted exactly as
// the files hold it; determinism; later calls that add a daily drop (and
// every third drop a changed Dimpatient) without overwriting anything.
// Checked by parsing the written files independently of the generator.
#include "carelake/generate/billing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace carelake::generate {
namespace {

namespace fs = std::filesystem;

using Row = std::vector<std::string>;

// Splits CSV text (CRLF lines; fields quoted when they hold a comma).
std::vector<Row> ParseCsv(const std::string& text) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(row.empty() && field.empty()) << "text does not end with CRLF";
  return rows;
}

int64_t Cents(const std::string& s) {
  EXPECT_FALSE(s.empty());
  const bool negative = !s.empty() && s[0] == '-';
  const std::string a = negative ? s.substr(1) : s;
  const size_t dot = a.find('.');
  EXPECT_EQ(dot, a.size() - 3) << "two decimals: " << s;
  const int64_t v = std::stoll(a.substr(0, dot)) * 100 + std::stoll(a.substr(dot + 1));
  return negative ? -v : v;
}

class BillingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("carelake_billing_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<BillingSummary> Generate(const std::string& sub, uint64_t seed = 7, double dirt = 0.05,
                                  int64_t days = 10) {
    BillingOptions options;
    options.out_dir = (dir_ / sub).string();
    options.seed = seed;
    options.days = days;
    options.patients = 200;
    options.dirt = dirt;
    return GenerateBilling(options);
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::vector<Row> Csv(const std::string& sub, const std::string& name) {
    return ParseCsv(Read(dir_ / sub / name));
  }

  fs::path dir_;
};

TEST_F(BillingTest, WritesTheDatasetsFilesWithItsHeadersAndCrlf) {
  ASSERT_TRUE(Generate("a").ok());
  const std::map<std::string, std::string> headers = {
      {"FactTable.csv",
       "FactTablePK,dimPatientPK,dimPhysicianPK,dimDatePostPK,dimDateServicePK,dimCPTCodePK,"
       "dimPayerPK,dimTransactionPK,dimLocationPK,PatientNumber,dimDiagnosisCodePK,CPTUnits,"
       "GrossCharge,Payment,Adjustment,AR"},
      {"Dimpatient.csv",
       "dimPatientPK,PatientNumber,FirstName,LastName,Email,PatientGender,PatientAge,City,State"},
      {"DimPhyscian.csv", "dimPhysicianPK,ProviderNpi,ProviderName,ProviderSpecialty,ProviderFTE"},
      {"Dimtrancstion.csv", "dimTransactionPK,TransactionType,Transaction,AdjustmentReason"},
      {"DimPayer.csv", "dimPayerPK,PayerName"},
      {"DimLocation.csv", "dimLocationPK,LocationName"},
      {"dimDate.csv", "dimDatePostPK,Date,Year,Month,MonthPeriod,MonthYear,Day,DayName"},
      {"dimCptCode.csv", "dimCPTCodePK,CptCode,CptDesc,CptGrouping"},
      {"dimDiagnosisCode.csv",
       "dimDiagnosisCodePK,DiagnosisCode,DiagnosisCodeDescription,DiagnosisCodeGroup"},
  };
  std::set<std::string> written;
  for (const auto& e : fs::directory_iterator(dir_ / "a")) {
    if (e.path().filename().string()[0] != '.') written.insert(e.path().filename().string());
  }
  EXPECT_EQ(written.size(), headers.size());
  for (const auto& [name, header] : headers) {
    const std::string text = Read(dir_ / "a" / name);
    ASSERT_FALSE(text.empty()) << name;
    EXPECT_EQ(text.substr(0, header.size() + 2), header + "\r\n") << name;
    size_t lf = 0, crlf = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++lf;
        crlf += i > 0 && text[i - 1] == '\r';
      }
    }
    EXPECT_EQ(lf, crlf) << name << ": every line ends in CRLF";
    const auto rows = ParseCsv(text);
    ASSERT_GT(rows.size(), 1u) << name;
    for (const Row& r : rows) EXPECT_EQ(r.size(), rows[0].size()) << name;
  }
  // dimDate: the key is YYYYMMDD, Date is M/D/YYYY.
  bool seen = false;
  for (const Row& r : Csv("a", "dimDate.csv")) {
    if (r[0] == "20240305") {
      EXPECT_EQ(r[1], "3/5/2024");
      EXPECT_EQ(r[2], "2024");
      EXPECT_EQ(r[3], "March");
      EXPECT_EQ(r[4], "202403");
      EXPECT_EQ(r[5], "Mar-2024");
      EXPECT_EQ(r[6], "5");
      EXPECT_EQ(r[7], "Tuesday");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(BillingTest, ReproducesTheDatasetsQuirks) {
  ASSERT_TRUE(Generate("a").ok());
  // A PatientNumber under two dimPatientPK with identical attributes.
  std::map<std::string, std::vector<Row>> by_number;
  for (const Row& r : Csv("a", "Dimpatient.csv")) by_number[r[1]].push_back(r);
  int repeated = 0;
  for (const auto& [number, rows] : by_number) {
    if (rows.size() < 2) continue;
    ++repeated;
    EXPECT_NE(rows[0][0], rows[1][0]);
    EXPECT_EQ(Row(rows[0].begin() + 1, rows[0].end()), Row(rows[1].begin() + 1, rows[1].end()));
  }
  EXPECT_GT(repeated, 0);
  // A duplicated NPI.
  std::map<std::string, int> npis;
  for (const Row& r : Csv("a", "DimPhyscian.csv")) ++npis[r[1]];
  EXPECT_TRUE(std::any_of(npis.begin(), npis.end(), [](const auto& kv) { return kv.second > 1; }));
  // Empty Transaction and CptDesc values.
  int empty_transactions = 0, empty_descs = 0;
  for (const Row& r : Csv("a", "Dimtrancstion.csv")) empty_transactions += r[2].empty();
  for (const Row& r : Csv("a", "dimCptCode.csv")) empty_descs += r[2].empty();
  EXPECT_GT(empty_transactions, 0);
  EXPECT_GT(empty_descs, 0);
  // A diagnosis code under two keys.
  std::map<std::string, std::set<std::string>> dx;
  for (const Row& r : Csv("a", "dimDiagnosisCode.csv")) dx[r[1]].insert(r[0]);
  EXPECT_TRUE(
      std::any_of(dx.begin(), dx.end(), [](const auto& kv) { return kv.second.size() > 1; }));
  // Payers.
  std::set<std::string> payers;
  for (const Row& r : Csv("a", "DimPayer.csv")) payers.insert(r[1]);
  EXPECT_EQ(payers, (std::set<std::string>{"PayerName", "Commercial", "Medicaid", "Medicare",
                                           "Uninsured"}));
}

TEST_F(BillingTest, CleanLinesReconcileAndDirtIsCountedAsWritten) {
  auto summary = Generate("a", 7, 0.1);
  ASSERT_TRUE(summary.ok()) << summary.status();
  const auto rows = Csv("a", "FactTable.csv");
  ASSERT_EQ(static_cast<int64_t>(rows.size()) - 1, summary->fact_lines);
  int64_t missing = 0, negative = 0, unreconciled = 0, bad_date = 0, clean = 0;
  std::set<std::string> date_keys;
  for (const Row& r : Csv("a", "dimDate.csv")) date_keys.insert(r[0]);
  for (size_t i = 1; i < rows.size(); ++i) {
    const Row& r = rows[i];
    ASSERT_EQ(r.size(), 16u);
    EXPECT_EQ(r[0], std::to_string(summary->first_fact_pk + static_cast<int64_t>(i) - 1));
    const int64_t gross = Cents(r[12]), pay = Cents(r[13]), adj = Cents(r[14]), ar = Cents(r[15]);
    const bool is_missing = r[2].empty() || r[5].empty() || r[6].empty() || r[9].empty();
    const bool is_bad_date = date_keys.count(r[4]) == 0;
    missing += is_missing;
    bad_date += is_bad_date;
    negative += pay < 0;
    unreconciled += gross - pay - adj != ar;
    if (!is_missing && !is_bad_date && pay >= 0 && gross - pay - adj == ar) {
      ++clean;
      EXPECT_GT(gross, 0);
      EXPECT_GE(adj, 0);
      EXPECT_GE(ar, 0);
      EXPECT_LE(r[4], r[3]) << "service on or before post";
      EXPECT_TRUE(date_keys.count(r[3])) << r[3];
    }
  }
  EXPECT_EQ(missing, summary->missing_key);
  EXPECT_EQ(negative, summary->negative_payment);
  EXPECT_EQ(unreconciled, summary->unreconciled);
  EXPECT_EQ(bad_date, summary->bad_service_date);
  EXPECT_GT(summary->missing_key, 0);
  EXPECT_GT(summary->negative_payment, 0);
  EXPECT_GT(summary->unreconciled, 0);
  EXPECT_GT(summary->bad_service_date, 0);
  EXPECT_EQ(clean + missing + negative + unreconciled + bad_date, summary->fact_lines);
  // Posted on every one of the 10 days from 2024-01-01.
  std::set<std::string> post_days;
  for (size_t i = 1; i < rows.size(); ++i) post_days.insert(rows[i][3]);
  EXPECT_EQ(post_days.size(), 10u);
  EXPECT_EQ(*post_days.begin(), "20240101");
  EXPECT_EQ(*post_days.rbegin(), "20240110");
}

TEST_F(BillingTest, IsDeterministicForASeed) {
  ASSERT_TRUE(Generate("a", 11).ok());
  ASSERT_TRUE(Generate("b", 11).ok());
  ASSERT_TRUE(Generate("c", 12).ok());
  for (const char* name : {"FactTable.csv", "Dimpatient.csv", "DimPhyscian.csv", "dimDate.csv"}) {
    EXPECT_EQ(Read(dir_ / "a" / name), Read(dir_ / "b" / name)) << name;
  }
  EXPECT_NE(Read(dir_ / "a" / "FactTable.csv"), Read(dir_ / "c" / "FactTable.csv"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Generate("a", 11).ok());
    ASSERT_TRUE(Generate("b", 11).ok());
  }
  EXPECT_EQ(Read(dir_ / "a" / "FactTable_20240113.csv"),
            Read(dir_ / "b" / "FactTable_20240113.csv"));
  EXPECT_EQ(Read(dir_ / "a" / "Dimpatient_20240113.csv"),
            Read(dir_ / "b" / "Dimpatient_20240113.csv"));
}

TEST_F(BillingTest, LaterCallsWriteTheNextDailyDropAndRedeliverPatients) {
  auto first = Generate("a");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->drop, 0);
  EXPECT_EQ(first->files.size(), 9u);
  const std::string fact_before = Read(dir_ / "a" / "FactTable.csv");
  const std::string patients_before = Read(dir_ / "a" / "Dimpatient.csv");
  int64_t next_pk = first->last_fact_pk + 1;
  for (int drop = 1; drop <= 3; ++drop) {
    auto s = Generate("a");
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->drop, drop);
    EXPECT_EQ(s->first_fact_pk, next_pk) << "fact keys continue";
    next_pk = s->last_fact_pk + 1;
    const std::string stamp = "202401" + std::to_string(10 + drop);
    const auto rows = Csv("a", "FactTable_" + stamp + ".csv");
    ASSERT_EQ(static_cast<int64_t>(rows.size()) - 1, s->fact_lines);
    EXPECT_EQ(rows[0][0], "FactTablePK");
    for (size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i][3], stamp) << "posted that day";
    EXPECT_EQ(fs::exists(dir_ / "a" / ("Dimpatient_" + stamp + ".csv")), drop == 3);
    EXPECT_EQ(s->files.size(), drop == 3 ? 2u : 1u);
  }
  // Nothing earlier was rewritten.
  EXPECT_EQ(Read(dir_ / "a" / "FactTable.csv"), fact_before);
  EXPECT_EQ(Read(dir_ / "a" / "Dimpatient.csv"), patients_before);
  // The re-delivery: same keys and people; some moved (City/State), nothing else changed.
  const auto before = ParseCsv(patients_before);
  const auto after = Csv("a", "Dimpatient_20240113.csv");
  ASSERT_EQ(before.size(), after.size());
  int moved = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(Row(before[i].begin(), before[i].begin() + 7),
              Row(after[i].begin(), after[i].begin() + 7));
    moved += before[i][7] != after[i][7];
  }
  EXPECT_GT(moved, 0);
  EXPECT_LT(moved, static_cast<int>(before.size()) / 5);
}

TEST_F(BillingTest, NeverOverwritesAFile) {
  ASSERT_TRUE(Generate("a").ok());
  // Someone dropped the next day's file already: the call fails, nothing changes.
  fs::copy_file(dir_ / "a" / "FactTable.csv", dir_ / "a" / "FactTable_20240111.csv");
  const std::string state = Read(dir_ / "a" / ".billing-state.json");
  auto s = Generate("a");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kAlreadyExists) << s.status();
  EXPECT_EQ(Read(dir_ / "a" / ".billing-state.json"), state);
  // A folder with the dataset but no state is not continued.
  fs::remove(dir_ / "a" / ".billing-state.json");
  s = Generate("a");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition) << s.status();
  // Bad options.
  s = Generate("b", 1, 1.5);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace carelake::generate
