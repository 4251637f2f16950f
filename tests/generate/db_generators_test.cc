// `carelake generate medikal` and `carelake generate unicorn` against real
// servers (a throwaway MariaDB and PostgreSQL 15, tests/mariadb_server.h and
// tests/postgres_server.h): the binary run as a user would, over loopback TCP
// with passwords from the environment or over the socket; the databases read
// back with the servers' own client libraries (not carelake's wrappers) to
// check the seeds' business rules in SQL, the DDL, the row counts, that every
// value arrived as generated, and that a second run replaces the tables.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "carelake/generate/medikal.h"
#include "carelake/generate/unicorn.h"
#include "cli/cli_runner.h"
#include "mariadb_server.h"
#include "postgres_server.h"

namespace carelake::generate {
namespace {

using testing::MariaDbServer;
using testing::PostgresServer;
using testing_cli::Carelake;
using Rows = std::vector<SqlRow>;

class DbGeneratorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    bool missing = false;
    mariadb_ = MariaDbServer::Start(why, missing, {.tcp = true}).release();
    if (mariadb_ == nullptr) {
      (missing ? skip_ : error_) = why;
      return;
    }
    postgres_ = PostgresServer::Start(why, missing, {.tcp = true}).release();
    if (postgres_ == nullptr) (missing ? skip_ : error_) = why;
  }
  static void TearDownTestSuite() {
    delete mariadb_;
    delete postgres_;
    mariadb_ = nullptr;
    postgres_ = nullptr;
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_EQ(error_, "");
    setenv("CARELAKE_MYSQL_PASSWORD", MariaDbServer::kReaderPassword, 1);
    setenv("CARELAKE_PG_PASSWORD", PostgresServer::kReaderPassword, 1);
  }

  // `sql`'s rows from MariaDB (root over the socket).
  static Rows My(const std::string& sql) {
    MYSQL* mysql = mysql_init(nullptr);
    Rows rows;
    if (mysql_real_connect(mysql, nullptr, "root", "", nullptr, 0, mariadb_->SocketPath().c_str(),
                           0) == nullptr ||
        mysql_query(mysql, "SET time_zone = '+00:00'") != 0 ||
        mysql_query(mysql, sql.c_str()) != 0) {
      ADD_FAILURE() << sql << ": " << mysql_error(mysql);
      mysql_close(mysql);
      return rows;
    }
    MYSQL_RES* result = mysql_store_result(mysql);
    const unsigned columns = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      const unsigned long* lengths = mysql_fetch_lengths(result);
      SqlRow values;
      for (unsigned i = 0; i < columns; ++i) {
        values.push_back(row[i] == nullptr
                             ? std::nullopt
                             : std::optional<std::string>(std::string(row[i], lengths[i])));
      }
      rows.push_back(std::move(values));
    }
    mysql_free_result(result);
    mysql_close(mysql);
    return rows;
  }
  static std::string MyValue(const std::string& sql) {
    const Rows rows = My(sql);
    return rows.size() == 1 && rows[0].size() == 1 && rows[0][0] ? *rows[0][0] : "<none>";
  }

  // `sql`'s rows from PostgreSQL (postgres over the socket) in `database`.
  static Rows Pg(const std::string& database, const std::string& sql) {
    PGconn* pg = PQconnectdb((postgres_->ConnInfo() + " dbname=" + database).c_str());
    Rows rows;
    PGresult* result = PQexec(pg, sql.c_str());
    if (PQresultStatus(result) != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQerrorMessage(pg);
    } else {
      for (int r = 0; r < PQntuples(result); ++r) {
        SqlRow values;
        for (int c = 0; c < PQnfields(result); ++c) {
          values.push_back(PQgetisnull(result, r, c)
                               ? std::nullopt
                               : std::optional<std::string>(PQgetvalue(result, r, c)));
        }
        rows.push_back(std::move(values));
      }
    }
    PQclear(result);
    PQfinish(pg);
    return rows;
  }

  static std::string MedikalArgs(int patients, int seed) {
    return "generate medikal --mysql " + mariadb_->TcpUrl("ikhospital") + " --postgres " +
           postgres_->TcpUrl("ikhospital") + " --patients " + std::to_string(patients) +
           " --seed " + std::to_string(seed);
  }

  static inline MariaDbServer* mariadb_ = nullptr;
  static inline PostgresServer* postgres_ = nullptr;
  static inline std::string skip_, error_;
};

// The generated rows of `table` in the server's spelling: MySQL writes
// TIMESTAMP(6) with six fraction digits.
Rows Expected(const SqlTable& table) {
  Rows rows = table.rows;
  const int updated = table.name == "events" ? table.ColumnIndex("updated_at") : -1;
  if (updated >= 0) {
    for (SqlRow& row : rows) *row[updated] += ".000000";
  }
  return rows;
}

TEST_F(DbGeneratorsTest, MedikalKeepsTheSeedsBusinessRulesOnBothServers) {
  const auto run = Carelake(MedikalArgs(400, 11));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("mysql ikhospital: shift 3 doctors 33 patient 400 events 1600"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("postgres ikhospital: pharmacy.medicine 120"), std::string::npos);
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.events"), "1600");
  const std::string visits =
      "FROM ikhospital.events e JOIN ikhospital.patient p USING (id_patient) "
      "JOIN ikhospital.doctors d USING (id_doctor) ";
  const std::string age = "TIMESTAMPDIFF(YEAR, p.birth_date, e.event_time)";
  EXPECT_EQ(MyValue("SELECT COUNT(*) " + visits +
                    "WHERE d.specialty = 'Gynecologist' AND (p.sex <> 'F' OR " + age + " <= 14)"),
            "0");
  EXPECT_NE(MyValue("SELECT COUNT(*) " + visits + "WHERE d.specialty = 'Gynecologist'"), "0");
  EXPECT_EQ(
      MyValue("SELECT COUNT(*) " + visits + "WHERE d.specialty = 'Urologist' AND p.sex <> 'M'"),
      "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) " + visits + "WHERE " + age +
                    " < 15 AND d.specialty NOT IN ('General Practitioner', 'Pediatrician')"),
            "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) " + visits + "WHERE " + age +
                    " >= 15 AND d.specialty = 'Pediatrician'"),
            "0");
  EXPECT_NE(MyValue("SELECT COUNT(*) " + visits + "WHERE " + age + " < 15"), "0");
  // A symptom belongs to one specialty: oncologists treat cancers, not rhinitis.
  EXPECT_EQ(
      My("SELECT symptom " + visits + "GROUP BY symptom HAVING COUNT(DISTINCT d.specialty) > 1")
          .size(),
      0u);
  EXPECT_EQ(MyValue("SELECT COUNT(*) " + visits +
                    "WHERE d.specialty = 'Oncologist' AND e.symptom NOT IN ('Lung cancer', 'Breast "
                    "cancer', 'Lymphoma', 'Leukemia', 'Colon cancer')"),
            "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) " + visits +
                    "WHERE e.symptom = 'Rhinitis' AND d.specialty <> 'Otolaryngologist'"),
            "0");
  // Visits fall in the doctor's shift (the night shift wraps past midnight).
  EXPECT_EQ(
      MyValue("SELECT COUNT(*) " + visits +
              "JOIN ikhospital.shift s USING (id_shift) WHERE NOT IF(s.start_time < s.end_time, "
              "TIME(e.event_time) >= s.start_time AND TIME(e.event_time) < s.end_time, "
              "TIME(e.event_time) >= s.start_time OR TIME(e.event_time) < s.end_time)"),
      "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.events WHERE updated_at < event_time"), "0");
  // Countries, multi-line addresses, phone formats, 'NULL' as text.
  EXPECT_EQ(My("SELECT country FROM ikhospital.patient GROUP BY country ORDER BY country"),
            (Rows{{"Brazil"},
                  {"France"},
                  {"Germany"},
                  {"Italy"},
                  {"Mexico"},
                  {"Portugal"},
                  {"UK"},
                  {"USA"}}));
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.patient WHERE address NOT LIKE '%\\n%'"), "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.patient WHERE country = 'Brazil' AND phone "
                    "NOT REGEXP '^\\\\+55 [0-9]{2} [0-9]{5}-[0-9]{4}$'"),
            "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.patient WHERE country = 'USA' AND phone NOT "
                    "REGEXP '^\\\\+1 \\\\([0-9]{3}\\\\) [0-9]{3}-[0-9]{4}$'"),
            "0");
  EXPECT_NE(MyValue("SELECT COUNT(*) FROM ikhospital.patient WHERE email = 'NULL'"), "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.patient WHERE email IS NULL"), "0");
  // Keys: a primary key on every table, updated_at indexed.
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM information_schema.table_constraints WHERE table_schema "
                    "= 'ikhospital' AND constraint_type = 'PRIMARY KEY'"),
            "4");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = "
                    "'ikhospital' AND table_name = 'events' AND column_name = 'updated_at'"),
            "1");
  // Prescriptions name medicines of the PostgreSQL pharmacy.
  std::set<std::string> ndcs;
  for (const SqlRow& row : Pg("ikhospital", "SELECT product_ndc FROM pharmacy.medicine"))
    ndcs.insert(*row[0]);
  EXPECT_EQ(ndcs.size(), 120u);
  const Rows prescribed =
      My("SELECT DISTINCT prescribed_ndc FROM ikhospital.events WHERE prescribed_ndc <> 'NULL'");
  EXPECT_GT(prescribed.size(), 50u);
  for (const SqlRow& row : prescribed) EXPECT_EQ(ndcs.count(*row[0]), 1u) << *row[0];
  EXPECT_EQ(
      Pg("ikhospital",
         "SELECT count(*) FROM pharmacy.medicine WHERE product_ndc !~ '^[0-9]{4,5}-[0-9]{3,4}$'"),
      (Rows{{"0"}}));
  EXPECT_EQ(Pg("ikhospital",
               "SELECT count(*) FROM pg_constraint WHERE conrelid = 'pharmacy.medicine'::regclass "
               "AND contype IN ('p', 'u')"),
            (Rows{{"2"}}));
}

TEST_F(DbGeneratorsTest, MedikalValuesArriveAsGenerated) {
  const auto run = Carelake(MedikalArgs(150, 5));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto data = GenerateMedikal({.patients = 150, .seed = 5});
  ASSERT_TRUE(data.ok());
  for (const SqlTable& table : data->mysql) {
    EXPECT_EQ(My("SELECT * FROM ikhospital." + table.name + " ORDER BY 1"), Expected(table))
        << table.name;
  }
  const SqlTable& medicine = data->postgres[0];
  EXPECT_EQ(Pg("ikhospital", "SELECT * FROM pharmacy.medicine ORDER BY 1"), medicine.rows);
}

TEST_F(DbGeneratorsTest, ASecondRunReplacesTheTablesAndTheSameSeedGivesTheSameData) {
  auto checksum = [] {
    return MyValue(
               "SELECT SUM(CRC32(CONCAT_WS('|', id_event, id_patient, id_doctor, event_time, "
               "symptom, notes, prescribed_ndc, cost, updated_at))) FROM ikhospital.events") +
           "/" +
           *Pg("ikhospital",
               "SELECT md5(string_agg(m::text, '|' ORDER BY id_medicine)) FROM pharmacy.medicine m")
               [0][0];
  };
  ASSERT_EQ(Carelake(MedikalArgs(100, 21)).exit_code, 0);
  const std::string first = checksum();
  ASSERT_EQ(Carelake(MedikalArgs(120, 22)).exit_code, 0);
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.patient"), "120");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.events"), "480");
  EXPECT_NE(checksum(), first);
  ASSERT_EQ(Carelake(MedikalArgs(100, 21)).exit_code, 0);
  EXPECT_EQ(checksum(), first);
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM ikhospital.patient"), "100");
}

TEST_F(DbGeneratorsTest, AWrongPasswordFailsWithTheServersMessageAndWithoutThePassword) {
  setenv("CARELAKE_MYSQL_PASSWORD", "Wrong-Secret-123", 1);
  const auto mysql = Carelake(MedikalArgs(10, 1));
  EXPECT_NE(mysql.exit_code, 0);
  EXPECT_NE(mysql.err.find("Access denied"), std::string::npos) << mysql.err;
  EXPECT_EQ(mysql.err.find("Wrong-Secret-123"), std::string::npos) << mysql.err;
  setenv("CARELAKE_MYSQL_PASSWORD", MariaDbServer::kReaderPassword, 1);
  setenv("CARELAKE_PG_PASSWORD", "Wrong-Secret-456", 1);
  const auto pg = Carelake(MedikalArgs(10, 1));
  EXPECT_NE(pg.exit_code, 0);
  EXPECT_NE(pg.err.find("password authentication failed"), std::string::npos) << pg.err;
  EXPECT_EQ(pg.err.find("Wrong-Secret-456"), std::string::npos) << pg.err;
}

TEST_F(DbGeneratorsTest, UnicornCreatesTheClinicDatabaseAsTheDdlDeclaresIt) {
  // Over the socket as root (no password); the URL names no database: unicornhealth.
  unsetenv("CARELAKE_MYSQL_PASSWORD");
  const auto run = Carelake("generate unicorn --mysql '" + mariadb_->Url("") + "' --seed 3");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(My("SELECT table_name, column_name, column_type FROM information_schema.columns WHERE "
               "table_schema = 'unicornhealth' AND column_type NOT LIKE 'varchar(%' ORDER BY 1, 2"),
            (Rows{{"account", "last_payment", "decimal(10,0)"}}));
  EXPECT_EQ(My("SELECT table_name, column_name FROM information_schema.key_column_usage WHERE "
               "table_schema = 'unicornhealth' AND constraint_name = 'PRIMARY' ORDER BY 1"),
            (Rows{{"account", "accountId"},
                  {"appointment", "appId"},
                  {"employee", "employee_id"},
                  {"encounter", "encounter_id"},
                  {"insurance", "insid"},
                  {"patient", "person_id"}}));
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM unicornhealth.patient"), "500");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM unicornhealth.employee"), "25");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM unicornhealth.encounter e LEFT JOIN "
                    "unicornhealth.patient p ON p.person_id = e.patient WHERE p.person_id IS NULL"),
            "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM unicornhealth.appointment a LEFT JOIN "
                    "unicornhealth.employee e ON e.employee_id = a.physician AND e.title IN "
                    "('Physician', 'Nurse Practitioner') WHERE e.employee_id IS NULL"),
            "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM unicornhealth.patient p LEFT JOIN "
                    "unicornhealth.insurance i ON i.insid = p.insurance WHERE i.insid IS NULL"),
            "0");
  // The text formats parse as what they mean (MariaDB's own parsers).
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM unicornhealth.appointment WHERE STR_TO_DATE(app_date, "
                    "'%c/%e/%Y') IS NULL OR STR_TO_DATE(app_time, '%l:%i %p') IS NULL"),
            "0");
  EXPECT_EQ(MyValue("SELECT COUNT(*) FROM unicornhealth.account WHERE account_balance NOT REGEXP "
                    "'^\\\\$[0-9]+\\\\.[0-9]{2}$'"),
            "0");
  for (const SqlTable& table : GenerateUnicorn(3)) {
    EXPECT_EQ(My("SELECT * FROM unicornhealth." + table.name + " ORDER BY 1"), [&] {
      Rows rows = table.rows;
      std::sort(rows.begin(), rows.end(),
                [](const SqlRow& a, const SqlRow& b) { return *a[0] < *b[0]; });
      return rows;
    }()) << table.name;
  }
}

}  // namespace
}  // namespace carelake::generate
