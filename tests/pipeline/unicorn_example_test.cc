// The acceptance test of the UnicornHealth example project
// (examples/unicornhealth, seed 003): a throwaway MariaDB server
// (mariadb_server.h, over TCP as the project's connection says) is filled by
// the generator's library with the clinic's database; the example's own
// carelake.yaml and models/*.sql run against it, with the environment
// variables the yaml names set here.
//
// What is compared with what:
// - every bronze table with its source table, value by value (the server's
//   text of each value against DuckDB's text of the bronze value);
// - `carelake infer` on that bronze (the library the command runs) with the
//   committed silver declaration: the same tables, keys, null tokens and
//   columns (name, source, expression, type, formats, PII);
// - every gold mart with the same answer computed by SQL on the MariaDB
//   server directly (STR_TO_DATE, TIME_TO_SEC, REPLACE of '$'), not through
//   the lake's models. Ratios and means are computed exactly on the server
//   and rounded here as the marts round them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "../mariadb_server.h"
#include "carelake/catalog/catalog.h"
#include "carelake/dbsource/mysql_client.h"
#include "carelake/generate/sql_writer.h"
#include "carelake/generate/unicorn.h"
#include "carelake/infer/lake_profile.h"
#include "carelake/infer/profile.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"
#include "project_run.h"
#include "sorted_rows.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

// A gold column compared: its name, the SQL type both sides are cast to, and
// for a rounded ratio or mean the digits the mart rounds to (the expected
// side is the server's exact value, rounded here).
struct Col {
  std::string name;
  std::string type;
  int round = -1;
};

struct Mart {
  std::string name;
  std::string mysql;  // the independent answer, on the server
  std::vector<Col> cols;
};

// The appointments with their encounters, as the server reads its own text:
// ENC0042 is APPO42 (the encounter's number padded to 4 digits), dates
// M/D/YYYY, times "10:08 AM" (seconds since midnight here).
constexpr char kVisits[] = R"(
SELECT a.appId, e.encounter_id, a.physician, d.first_name, d.last_name, d.title, a.scheduled_by,
       STR_TO_DATE(a.app_date, '%c/%e/%Y') AS day,
       TIME_TO_SEC(STR_TO_DATE(a.app_time, '%l:%i %p')) AS app_sec,
       TIME_TO_SEC(STR_TO_DATE(e.start_time, '%l:%i %p')) AS start_sec,
       e.status, e.patient, p.insurance, i.plan
FROM appointment a
LEFT JOIN encounter e ON e.encounter_id = CONCAT('ENC', LPAD(SUBSTRING(a.appId, 5), 4, '0'))
LEFT JOIN employee d ON d.employee_id = a.physician
LEFT JOIN patient p ON p.person_id = e.patient
LEFT JOIN insurance i ON i.insid = p.insurance)";

// The accounts typed, and `as_of`: the last appointment day.
constexpr char kAccounts[] = R"(
SELECT accountId, member_id, last_payment, STR_TO_DATE(payment_due, '%c/%e/%Y') AS due,
       CAST(REPLACE(REPLACE(account_balance, '$', ''), ',', '') AS DECIMAL(18,2)) AS bal
FROM account)";
constexpr char kAsOf[] =
    "(SELECT MAX(STR_TO_DATE(app_date, '%c/%e/%Y')) AS as_of FROM appointment)";

std::vector<Mart> Marts() {
  const std::string visits = std::string("(") + kVisits + ") v";
  const std::string accounts = std::string("(") + kAccounts + ") a";
  return {
      {"fact_visit",
       "SELECT appId, encounter_id, physician, CONCAT(first_name, ' ', last_name), title, "
       "scheduled_by, day, DATE_FORMAT(day, '%Y-%m-01'), SEC_TO_TIME(app_sec), "
       "SEC_TO_TIME(start_sec), (start_sec - app_sec) DIV 60, status, patient, insurance, plan "
       "FROM " +
           visits,
       {{"app_id", "VARCHAR"},
        {"encounter_id", "VARCHAR"},
        {"physician_id", "VARCHAR"},
        {"physician_name", "VARCHAR"},
        {"physician_title", "VARCHAR"},
        {"scheduled_by", "VARCHAR"},
        {"app_date", "DATE"},
        {"app_month", "DATE"},
        {"app_time", "VARCHAR"},
        {"start_time", "VARCHAR"},
        {"wait_minutes", "BIGINT"},
        {"status", "VARCHAR"},
        {"patient_id", "VARCHAR"},
        {"insid", "VARCHAR"},
        {"plan", "VARCHAR"}}},
      {"appointments_by_physician_month",
       "SELECT physician, CONCAT(first_name, ' ', last_name), title, DATE_FORMAT(day, '%Y-%m-01'), "
       "COUNT(*), SUM(status = 'Completed'), SUM(status = 'No-show'), SUM(status = 'Cancelled'), "
       "SUM(status = 'In progress'), SUM(status = 'No-show') / COUNT(*), "
       "SUM((start_sec - app_sec) DIV 60) / COUNT(start_sec) FROM " +
           visits + " GROUP BY 1, 2, 3, 4",
       {{"physician_id", "VARCHAR"},
        {"physician_name", "VARCHAR"},
        {"physician_title", "VARCHAR"},
        {"month", "DATE"},
        {"appointments", "BIGINT"},
        {"completed", "BIGINT"},
        {"no_shows", "BIGINT"},
        {"cancelled", "BIGINT"},
        {"in_progress", "BIGINT"},
        {"no_show_rate", "DOUBLE", 4},
        {"avg_wait_minutes", "DOUBLE", 1}}},
      {"encounter_outcomes",
       "SELECT DATE_FORMAT(day, '%Y-%m-01'), status, COUNT(*), COUNT(DISTINCT patient), "
       "COUNT(*) / SUM(COUNT(*)) OVER (PARTITION BY DATE_FORMAT(day, '%Y-%m-01')) FROM " +
           visits + " WHERE encounter_id IS NOT NULL GROUP BY 1, 2",
       {{"month", "DATE"},
        {"status", "VARCHAR"},
        {"encounters", "BIGINT"},
        {"patients", "BIGINT"},
        {"share", "DOUBLE", 4}}},
      {"balances_by_plan",
       "SELECT i.insid, i.plan, COUNT(DISTINCT p.person_id), COUNT(a.accountId), "
       "COALESCE(SUM(a.bal), 0), SUM(a.bal) / COUNT(a.bal), COALESCE(SUM(a.bal > 0), 0), "
       "COALESCE(SUM(a.bal > 0 AND a.due < o.as_of), 0), "
       "COALESCE(SUM(IF(a.due < o.as_of, a.bal, NULL)), 0), COALESCE(SUM(a.last_payment), 0), "
       "o.as_of FROM insurance i CROSS JOIN " +
           std::string(kAsOf) + " o LEFT JOIN patient p ON p.insurance = i.insid LEFT JOIN " +
           accounts + " ON a.member_id = p.person_id GROUP BY i.insid, i.plan, o.as_of",
       {{"insid", "VARCHAR"},
        {"plan", "VARCHAR"},
        {"patients", "BIGINT"},
        {"accounts", "BIGINT"},
        {"total_balance", "DECIMAL(18,2)"},
        {"avg_balance", "DOUBLE", 2},
        {"accounts_owing", "BIGINT"},
        {"overdue_accounts", "BIGINT"},
        {"overdue_balance", "DECIMAL(18,2)"},
        {"last_payments", "BIGINT"},
        {"as_of", "DATE"}}},
      {"overdue_payments",
       "SELECT a.accountId, a.member_id, p.insurance, i.plan, a.due, DATEDIFF(o.as_of, a.due), "
       "CASE WHEN DATEDIFF(o.as_of, a.due) <= 30 THEN '1-30' WHEN DATEDIFF(o.as_of, a.due) <= 60 "
       "THEN '31-60' WHEN DATEDIFF(o.as_of, a.due) <= 90 THEN '61-90' ELSE '90+' END, a.bal, "
       "a.last_payment, o.as_of FROM " +
           accounts + " CROSS JOIN " + kAsOf +
           " o LEFT JOIN patient p ON p.person_id = a.member_id "
           "LEFT JOIN insurance i ON i.insid = p.insurance WHERE a.bal > 0 AND a.due < o.as_of",
       {{"account_id", "VARCHAR"},
        {"patient_id", "VARCHAR"},
        {"insid", "VARCHAR"},
        {"plan", "VARCHAR"},
        {"payment_due", "DATE"},
        {"days_overdue", "BIGINT"},
        {"ageing", "VARCHAR"},
        {"account_balance", "DECIMAL(18,2)"},
        {"last_payment", "BIGINT"},
        {"as_of", "DATE"}}},
  };
}

std::string Quoted(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  std::string out = "'";
  for (char c : *v) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class UnicornExampleTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    std::string why_not;
    bool missing = false;
    server_ = testing::MariaDbServer::Start(why_not, missing, {.tcp = true});
    if (missing) GTEST_SKIP() << why_not;
    ASSERT_NE(server_, nullptr) << why_not;
    tables_ = generate::GenerateUnicorn(11);
    auto written = generate::WriteMySqlDatabase(server_->Url(""), "", "unicornhealth", tables_);
    ASSERT_TRUE(written.ok()) << written.status();
    auto client = dbsource::MySqlClient::Connect(server_->Url("unicornhealth"), "");
    ASSERT_TRUE(client.ok()) << client.status();
    mysql_ = std::move(*client);
    // Exact quotients (a ratio of counts terminates within 10 digits).
    ASSERT_TRUE(mysql_->Exec("SET SESSION div_precision_increment = 10").ok());

    // The example project as committed, with the variables its yaml names.
    project_dir_ = dir_ / "unicornhealth";
    const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "unicornhealth";
    fs::create_directories(project_dir_ / "models");
    fs::copy_file(example / "carelake.yaml", project_dir_ / "carelake.yaml");
    for (const auto& e : fs::directory_iterator(example / "models")) {
      fs::copy_file(e.path(), project_dir_ / "models" / e.path().filename());
    }
    ASSERT_EQ(::setenv("DEMO_MYSQL_PORT", std::to_string(server_->port()).c_str(), 1), 0);
    ASSERT_EQ(::setenv("UNICORN_MYSQL_PASSWORD", testing::MariaDbServer::kReaderPassword, 1), 0);
  }

  void TearDown() override {
    mysql_.reset();
    server_.reset();
    LakeTest::TearDown();
  }

  project::Project Load(const fs::path& dir) {
    auto p = project::LoadProject(dir.string());
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? std::move(*p) : project::Project{};
  }

  RunReport Run() { return RunAndRegisterViews(project_dir_.string(), *conn_); }

  // The server's rows of `sql` as a DuckDB temporary table of text columns.
  void LoadWant(const std::string& table, const std::string& sql, size_t columns) {
    auto rows = mysql_->Query(sql);
    ASSERT_TRUE(rows.ok()) << rows.status() << "\n" << sql;
    ASSERT_FALSE(rows->empty()) << sql;
    std::string create = "CREATE OR REPLACE TEMP TABLE " + table + " (";
    for (size_t i = 0; i < columns; ++i) create += (i ? ", c" : "c") + std::to_string(i) + " TEXT";
    ASSERT_TRUE(conn_->Execute(create + ")").ok());
    std::string insert = "INSERT INTO " + table + " VALUES ";
    for (size_t r = 0; r < rows->size(); ++r) {
      ASSERT_EQ((*rows)[r].size(), columns) << sql;
      insert += r ? ", (" : "(";
      for (size_t i = 0; i < columns; ++i) insert += (i ? ", " : "") + Quoted((*rows)[r][i]);
      insert += ")";
    }
    auto s = conn_->Execute(insert);
    ASSERT_TRUE(s.ok()) << s;
  }

  std::unique_ptr<testing::MariaDbServer> server_;
  std::unique_ptr<dbsource::MySqlClient> mysql_;
  std::vector<generate::SqlTable> tables_;
  fs::path project_dir_;
};

TEST_F(UnicornExampleTest, BronzeInferAndMartsMatchTheServer) {
  const RunReport report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;

  // Bronze: every table of the database, value by value.
  ASSERT_EQ(tables_.size(), 6u);
  for (const generate::SqlTable& t : tables_) {
    std::string mine, lake;
    for (const std::string& c : t.columns) {
      mine += (mine.empty() ? "" : ", ") +
              ("CAST(" + dbsource::MySqlClient::Identifier(c) + " AS CHAR)");
      lake += (lake.empty() ? "" : ", ") + ("CAST(\"" + c + "\" AS VARCHAR)");
    }
    LoadWant("want_" + t.name, "SELECT " + mine + " FROM " + t.name, t.columns.size());
    ExpectSameRows(SortedRows(*conn_, "SELECT * FROM want_" + t.name),
                   SortedRows(*conn_, "SELECT " + lake + " FROM bronze.clinic__" + t.name),
                   "bronze.clinic__" + t.name);
    EXPECT_EQ(Int("SELECT count(*) FROM bronze.clinic__" + t.name),
              static_cast<int64_t>(t.rows.size()));
  }

  // infer on that bronze: the committed silver declaration.
  const project::Project committed = Load(project_dir_);
  auto bronze = infer::SourceTables(committed, "clinic", "", LocalFileSystem());
  ASSERT_TRUE(bronze.ok()) << bronze.status();
  std::vector<infer::TableProfile> profiles;
  for (const catalog::CatalogTable& t : *bronze) {
    auto profile = infer::ProfileTable(t, "clinic", 100000, LocalFileSystem(), *conn_);
    ASSERT_TRUE(profile.ok()) << profile.status();
    profiles.push_back(std::move(*profile));
  }
  const std::string yaml = ReadFile(project_dir_ / "carelake.yaml");
  const size_t silver_at = yaml.find("\nsilver:\n");
  ASSERT_NE(silver_at, std::string::npos);
  const fs::path inferred_dir = dir_ / "inferred";
  fs::create_directories(inferred_dir);
  std::ofstream(inferred_dir / "carelake.yaml")
      << yaml.substr(0, silver_at + 1) << infer::SilverYaml(profiles);
  const project::Project inferred = Load(inferred_dir);
  ASSERT_EQ(inferred.silver.size(), committed.silver.size());
  ASSERT_EQ(inferred.silver.size(), 6u);
  for (size_t i = 0; i < inferred.silver.size(); ++i) {
    const project::SilverTable &want = inferred.silver[i], &got = committed.silver[i];
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.from, want.from);
    EXPECT_EQ(got.key, want.key) << want.name;
    EXPECT_EQ(got.null_tokens, want.null_tokens) << want.name;
    ASSERT_EQ(got.columns.size(), want.columns.size()) << want.name;
    for (size_t c = 0; c < want.columns.size(); ++c) {
      const project::SilverColumn &w = want.columns[c], &g = got.columns[c];
      const std::string where = want.name + "." + w.name;
      EXPECT_EQ(g.name, w.name) << where;
      EXPECT_EQ(g.from, w.from) << where;
      EXPECT_EQ(g.expr, w.expr) << where;
      EXPECT_EQ(g.type, w.type) << where;
      EXPECT_EQ(g.formats, w.formats) << where;
      EXPECT_EQ(g.pii, w.pii) << where;
    }
  }

  // Gold: every mart against the server's own answer.
  const project::Project& p = committed;
  ASSERT_EQ(p.models.size(), Marts().size());
  for (const Mart& m : Marts()) {
    LoadWant("want_" + m.name, m.mysql, m.cols.size());
    std::string want, got;
    for (size_t i = 0; i < m.cols.size(); ++i) {
      const Col& c = m.cols[i];
      const std::string w = "CAST(c" + std::to_string(i) + " AS " + c.type + ")";
      const std::string g = "CAST(" + c.name + " AS " + c.type + ")";
      want +=
          (i ? ", " : "") + (c.round < 0 ? w : "round(" + w + ", " + std::to_string(c.round) + ")");
      got += (i ? ", " : "") + g;
    }
    const auto want_rows = SortedRows(*conn_, "SELECT " + want + " FROM want_" + m.name);
    EXPECT_FALSE(want_rows.empty()) << m.name;
    ExpectSameRows(want_rows, SortedRows(*conn_, "SELECT " + got + " FROM gold." + m.name),
                   "gold." + m.name);
  }
  // The marts are not trivially small: a year of appointments for 9
  // clinicians, 4 outcomes, 10 plans, and overdue accounts among them.
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_visit"), generate::kUnicornAppointments);
  EXPECT_EQ(Int("SELECT count(DISTINCT physician_id) FROM gold.appointments_by_physician_month"),
            9);
  EXPECT_EQ(Int("SELECT count(DISTINCT status) FROM gold.encounter_outcomes"), 4);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.balances_by_plan"), generate::kUnicornPlans);
  EXPECT_GT(Int("SELECT count(*) FROM gold.overdue_payments"), 0);
  // Every row typed (nothing quarantined), and the warn rules the review
  // added hold on the generated data.
  for (const StepReport& s : report.steps) {
    EXPECT_EQ(s.rows_quarantined, 0) << s.name;
    EXPECT_EQ(s.rows_warned, 0) << s.name;
  }
}

}  // namespace
}  // namespace carelake::pipeline
