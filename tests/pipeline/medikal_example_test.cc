// The acceptance test of the MedIKal Care example (examples/medikal, seed
// 002): throwaway MariaDB and PostgreSQL servers filled by the generator's
// library, read through the example's own carelake.yaml and models/*.sql
// (the environment variables it names are set here), twice: once as
// generated, once after the hospital worked on (new events, each breaking one
// business rule, a corrected event, a patient who moved, a price change).
//
// What is compared with what:
//  - every bronze table with its server table, value by value: the server's
//    rows as text (queried here with the client wrappers), cast to the bronze
//    column's type in DuckDB; the incremental events table by its latest row
//    per event, and the second run appended exactly the rows whose
//    updated_at is at least the first run's maximum minus the lookback;
//  - silver events and patients with the server's rows, 'NULL' texts as NULL;
//  - every gold mart with an answer computed by SQL on the servers (MariaDB
//    for the hospital's tables; the pharmacy from PostgreSQL joined in DuckDB
//    with MariaDB's prescriptions per NDC), never through the lake's models;
//  - the business rules' violation counts with the events inserted to break
//    them (none on generated data, one per rule after).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "../mariadb_server.h"
#include "../postgres_server.h"
#include "carelake/catalog/catalog.h"
#include "carelake/dbsource/mysql_client.h"
#include "carelake/dbsource/pg_client.h"
#include "carelake/generate/medikal.h"
#include "carelake/generate/sql_writer.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"
#include "project_run.h"
#include "sorted_rows.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

std::string Literal(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  std::string out = "'";
  for (char c : *v) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

class MedikalExampleTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    std::string why;
    bool missing = false;
    my_ = testing::MariaDbServer::Start(why, missing, {.tcp = true});
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(my_, nullptr) << why;
    pg_ = testing::PostgresServer::Start(why, missing, {.tcp = true});
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(pg_, nullptr) << why;

    auto data = generate::GenerateMedikal({.patients = 300, .seed = 11});
    ASSERT_TRUE(data.ok()) << data.status();
    auto w = generate::WriteMySqlDatabase(my_->Url(""), "", "ikhospital", data->mysql);
    ASSERT_TRUE(w.ok()) << w.status();
    auto p =
        generate::WritePostgresDatabase(pg_->Url("ikhospital"), "", "ikhospital", data->postgres);
    ASSERT_TRUE(p.ok()) << p.status();
    auto my = dbsource::MySqlClient::Connect(my_->Url("ikhospital"), "");
    ASSERT_TRUE(my.ok()) << my.status();
    my_client_ = std::move(*my);
    auto pg = dbsource::PgClient::Connect(pg_->Url("ikhospital"), "");
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_client_ = std::move(*pg);

    // The example as it is, in a fresh folder.
    project_dir_ = dir_ / "medikal";
    const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "medikal";
    fs::create_directories(project_dir_);
    fs::copy_file(example / "carelake.yaml", project_dir_ / "carelake.yaml");
    fs::copy(example / "models", project_dir_ / "models", fs::copy_options::recursive);
    fs::copy(example / "reference", project_dir_ / "reference", fs::copy_options::recursive);
    ::setenv("DEMO_MYSQL_PORT", std::to_string(my_->port()).c_str(), 1);
    ::setenv("DEMO_PG_PORT", std::to_string(pg_->tcp_port()).c_str(), 1);
    ::setenv("MEDIKAL_MYSQL_PASSWORD", testing::MariaDbServer::kReaderPassword, 1);
    ::setenv("MEDIKAL_PG_PASSWORD", testing::PostgresServer::kReaderPassword, 1);
  }

  RunReport Run() { return RunAndRegisterViews(project_dir_.string(), *conn_); }

  void Exec(const std::string& sql) {
    auto s = conn_->Execute(sql);
    ASSERT_TRUE(s.ok()) << s << "\n" << sql;
  }

  dbsource::Rows MySql(const std::string& sql) {
    auto rows = my_client_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status() << "\n" << sql;
    return rows.ok() ? *rows : dbsource::Rows{};
  }
  dbsource::Rows Pg(const std::string& sql) {
    auto rows = pg_client_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status() << "\n" << sql;
    return rows.ok() ? *rows : dbsource::Rows{};
  }

  // The column names and DuckDB types of `query`'s answer.
  std::vector<std::pair<std::string, std::string>> Shape(const std::string& query) {
    std::vector<std::pair<std::string, std::string>> shape;
    for (const auto& row : Rows("DESCRIBE " + query)) {
      shape.emplace_back(row[0].ToString(), row[1].ToString());
    }
    return shape;
  }

  // `rows` (a server's text values) as the DuckDB temporary table `name`,
  // each column cast to the type of the same column of `shape`.
  void Load(const std::string& name, const std::vector<std::pair<std::string, std::string>>& shape,
            const dbsource::Rows& rows) {
    std::string cols, casts, values;
    for (size_t i = 0; i < shape.size(); ++i) {
      cols += (i ? ", c" : "c") + std::to_string(i);
      casts += (i ? ", " : "") + std::string("CAST(c") + std::to_string(i) + " AS " +
               shape[i].second + ") AS \"" + shape[i].first + "\"";
    }
    for (const auto& row : rows) {
      ASSERT_EQ(row.size(), shape.size()) << name;
      std::string v;
      for (const auto& value : row) v += (v.empty() ? "" : ", ") + Literal(value);
      values += (values.empty() ? "(" : ", (") + v + ")";
    }
    // No rows: one row of NULLs, filtered out.
    const bool empty = values.empty();
    if (empty) {
      for (size_t i = 0; i < shape.size(); ++i) values += i ? ", NULL" : "(NULL";
      values += ")";
    }
    Exec("CREATE OR REPLACE TEMP TABLE " + name + " AS SELECT " + casts + " FROM (VALUES " +
         values + ") AS v(" + cols + ")" + (empty ? " WHERE false" : ""));
  }

  // Two queries give the same rows, and some.
  void ExpectSameRowsOf(const std::string& want, const std::string& got, const std::string& what) {
    EXPECT_GT(Int("SELECT count(*) FROM (" + want + ")"), 0) << what;
    ExpectSameRows(SortedRows(*conn_, want), SortedRows(*conn_, got), what);
    // The rendering above shows NULL and the text 'NULL' alike: SQL tells them apart.
    EXPECT_EQ(Difference(want, got), 0) << what;
  }

  // The server's answer (`want`, text rows in the order of `got`'s columns)
  // equals the lake's (`got`, a query).
  void ExpectSame(const dbsource::Rows& want, const std::string& got, const std::string& what) {
    Load("want", Shape(got), want);
    ExpectSameRowsOf("SELECT * FROM want", got, what);
  }

  // Bronze's data columns (not the lineage) of `table`.
  std::vector<std::string> DataColumns(const std::string& table) {
    std::vector<std::string> cols;
    for (const auto& [name, type] : Shape("SELECT * FROM " + table)) {
      if (name[0] != '_') cols.push_back(name);
    }
    return cols;
  }

  void ExpectBronzeEqualsServers(const std::string& when);
  void ExpectSilverEqualsServer(const std::string& when);
  void ExpectVisitMartsEqualServers(const std::string& when);
  void ExpectOverviewMartsEqualServers(const std::string& when);
  void ExpectMartsEqualServers(const std::string& when) {
    ExpectVisitMartsEqualServers(when);
    ExpectOverviewMartsEqualServers(when);
  }
  void WorkOn();

  std::unique_ptr<testing::MariaDbServer> my_;
  std::unique_ptr<testing::PostgresServer> pg_;
  std::unique_ptr<dbsource::MySqlClient> my_client_;
  std::unique_ptr<dbsource::PgClient> pg_client_;
  fs::path project_dir_;
};

std::string Join(const std::vector<std::string>& parts, const std::string& prefix = "") {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + prefix + p;
  return out;
}

void MedikalExampleTest::ExpectBronzeEqualsServers(const std::string& when) {
  for (const char* t : {"shift", "doctors", "patient"}) {
    const std::string bronze = std::string("bronze.mysql__") + t;
    const std::vector<std::string> cols = DataColumns(bronze);
    ExpectSame(MySql("SELECT " + Join(cols) + " FROM " + std::string(t)),
               "SELECT " + Join(cols) + " FROM " + bronze + " WHERE _deleted IS NOT TRUE",
               bronze + when);
  }
  // Events are appended (the lookback re-reads some): the latest row of each.
  const std::vector<std::string> cols = DataColumns("bronze.mysql__events");
  ExpectSame(MySql("SELECT " + Join(cols) + " FROM events"),
             "SELECT " + Join(cols) +
                 " FROM (SELECT *, row_number() OVER (PARTITION BY id_event ORDER BY updated_at "
                 "DESC, _ingested_at DESC) AS n FROM bronze.mysql__events) WHERE n = 1",
             "bronze.mysql__events" + when);
  // PostgreSQL's text[] lands as a list: read as JSON here.
  std::vector<std::string> pg_cols = DataColumns("bronze.postgres__pharmacy__medicine");
  std::string select;
  for (const std::string& c : pg_cols) {
    select += (select.empty() ? "" : ", ") +
              (c == "active_ingredients" ? "array_to_json(" + c + ")::text" : c);
  }
  auto shape = Shape("SELECT " + Join(pg_cols) + " FROM bronze.postgres__pharmacy__medicine");
  for (auto& [name, type] : shape) {
    if (name == "active_ingredients") type = "VARCHAR";
  }
  Load("pg_medicine_json", shape, Pg("SELECT " + select + " FROM pharmacy.medicine"));
  ExpectSameRowsOf(
      "SELECT * REPLACE (CAST(CAST(active_ingredients AS JSON) AS VARCHAR[]) AS "
      "active_ingredients) FROM pg_medicine_json",
      "SELECT " + Join(pg_cols) + " FROM bronze.postgres__pharmacy__medicine",
      "bronze.postgres__pharmacy__medicine" + when);
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.postgres__pharmacy__medicine"),
            generate::kMedikalMedicines);
}

void MedikalExampleTest::ExpectSilverEqualsServer(const std::string& when) {
  auto null_text = [](const std::string& c) { return "NULLIF(" + c + ", 'NULL')"; };
  ExpectSame(
      MySql("SELECT id_event, id_patient, id_doctor, event_time, symptom, " + null_text("notes") +
            ", " + null_text("prescribed_ndc") + ", cost, updated_at FROM events"),
      "SELECT id_event, id_patient, id_doctor, event_time, symptom, notes, prescribed_ndc, "
      "cost, updated_at FROM silver.events",
      "silver.events" + when);
  ExpectSame(
      MySql("SELECT id_patient, first_name, last_name, sex, birth_date, country, city, "
            "address, phone, " +
            null_text("email") + ", " + null_text("blood_type") + ", registered_at FROM patient"),
      "SELECT id_patient, first_name, last_name, sex, birth_date, country, city, address, "
      "phone, email, blood_type, registered_at FROM silver.patient",
      "silver.patient" + when);
  EXPECT_GT(Int("SELECT count(*) FROM silver.events WHERE notes IS NULL"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.events WHERE notes = 'NULL' OR prescribed_ndc = "
                "'NULL'"),
            0);
}

// The visit marts, computed on MariaDB.
void MedikalExampleTest::ExpectVisitMartsEqualServers(const std::string& when) {
  const std::string kVisits =
      "FROM events e JOIN doctors d ON d.id_doctor = e.id_doctor "
      "JOIN shift s ON s.id_shift = d.id_shift ";
  ExpectSame(
      MySql("SELECT e.id_event, DATE_FORMAT(e.event_time, '%Y-%m-01'), e.id_patient, p.sex, "
            "p.country, TIMESTAMPDIFF(YEAR, p.birth_date, DATE(e.event_time)), e.id_doctor, "
            "d.specialty, s.shift_name, IF(s.start_time < s.end_time, "
            "TIME(e.event_time) >= s.start_time AND TIME(e.event_time) < s.end_time, "
            "TIME(e.event_time) >= s.start_time OR TIME(e.event_time) < s.end_time), e.symptom, "
            "NULLIF(e.prescribed_ndc, 'NULL'), e.cost " +
            kVisits + "LEFT JOIN patient p ON p.id_patient = e.id_patient"),
      "SELECT id_event, month, id_patient, sex, country, age_at_visit, id_doctor, specialty, "
      "shift_name, in_shift, symptom, prescribed_ndc, cost FROM gold.visits",
      "gold.visits" + when);
  ExpectSame(MySql("SELECT DATE_FORMAT(e.event_time, '%Y-%m-01'), d.specialty, d.id_doctor, "
                   "CONCAT(d.first_name, ' ', d.last_name), s.shift_name, count(*), "
                   "count(DISTINCT e.id_patient), count(NULLIF(e.prescribed_ndc, 'NULL')), "
                   "sum(e.cost) " +
                   kVisits + "GROUP BY 1, 2, 3, 4, 5"),
             "SELECT month, specialty, id_doctor, doctor_name, shift_name, events, patients, "
             "prescriptions, cost FROM gold.events_by_month",
             "gold.events_by_month" + when);
  ExpectSame(MySql("WITH c AS (SELECT d.specialty, e.symptom, count(*) AS n " + kVisits +
                   "GROUP BY 1, 2) SELECT * FROM (SELECT specialty, symptom, n, ROW_NUMBER() "
                   "OVER (PARTITION BY specialty ORDER BY n DESC, symptom COLLATE utf8mb4_bin) "
                   "AS r FROM c) ranked WHERE r <= 3"),
             "SELECT specialty, symptom, events, rank FROM gold.top_symptoms",
             "gold.top_symptoms" + when);
  Load("specialty_events", {{"specialty", "VARCHAR"}, {"n", "BIGINT"}},
       MySql("SELECT d.specialty, count(*) " + kVisits + "GROUP BY 1"));
  EXPECT_EQ(Int("SELECT count(*) FROM gold.top_symptoms t JOIN specialty_events s USING "
                "(specialty) WHERE abs(t.share_pct - 100.0 * t.events / s.n) > 0.051"),
            0);
}

// The patients, the overview and the pharmacy.
void MedikalExampleTest::ExpectOverviewMartsEqualServers(const std::string& when) {
  ExpectSame(MySql("SELECT country, sex, CASE WHEN age < 15 THEN '0-14' WHEN age < 25 THEN "
                   "'15-24' WHEN age < 45 THEN '25-44' WHEN age < 65 THEN '45-64' ELSE '65+' "
                   "END AS band, count(*) FROM (SELECT country, sex, TIMESTAMPDIFF(YEAR, "
                   "birth_date, UTC_DATE()) AS age FROM patient) p GROUP BY 1, 2, 3"),
             "SELECT country, sex, age_band, patients FROM gold.patients_by_country_sex_age",
             "gold.patients_by_country_sex_age" + when);
  ExpectSame(MySql("SELECT (SELECT count(*) FROM patient), (SELECT count(DISTINCT country) FROM "
                   "patient), (SELECT count(*) FROM doctors WHERE active), (SELECT "
                   "count(DISTINCT specialty) FROM doctors), count(*), "
                   "count(NULLIF(prescribed_ndc, 'NULL')), sum(cost), min(event_time), "
                   "max(event_time) FROM events"),
             "SELECT patients, countries, active_doctors, specialties, events, prescriptions, "
             "cost, first_event, last_event FROM gold.hospital_overview",
             "gold.hospital_overview" + when);
  // The pharmacy (PostgreSQL) joined with the prescriptions (MariaDB) by NDC.
  Load("want_medicine",
       {{"id_medicine", "INTEGER"},
        {"product_ndc", "VARCHAR"},
        {"generic_name", "VARCHAR"},
        {"brand_name", "VARCHAR"},
        {"labeler_name", "VARCHAR"},
        {"unit_price", "DECIMAL(10,2)"},
        {"ingredients", "VARCHAR"}},
       Pg("SELECT id_medicine, product_ndc, generic_name, NULLIF(brand_name, 'NULL'), "
          "labeler_name, unit_price, array_to_json(active_ingredients)::text FROM "
          "pharmacy.medicine"));
  Load("want_prescribed", {{"ndc", "VARCHAR"}, {"n", "BIGINT"}, {"patients", "BIGINT"}},
       MySql("SELECT prescribed_ndc, count(*), count(DISTINCT id_patient) FROM events "
             "WHERE prescribed_ndc <> 'NULL' GROUP BY 1"));
  ExpectSameRowsOf(
      "SELECT m.id_medicine, m.product_ndc, m.generic_name, m.brand_name, m.labeler_name, "
      "CAST(CAST(m.ingredients AS JSON) AS VARCHAR[]), m.unit_price, coalesce(p.n, 0), "
      "coalesce(p.patients, 0), CAST(m.unit_price * coalesce(p.n, 0) AS DECIMAL(38,2)) "
      "FROM want_medicine m LEFT JOIN want_prescribed p ON p.ndc = m.product_ndc",
      "SELECT id_medicine, product_ndc, generic_name, brand_name, labeler_name, "
      "active_ingredients, unit_price, prescriptions, patients, CAST(value AS DECIMAL(38,2)) "
      "FROM gold.prescriptions_by_medicine",
      "gold.prescriptions_by_medicine" + when);
  EXPECT_GT(Int("SELECT CAST(sum(prescriptions) AS BIGINT) FROM gold.prescriptions_by_medicine"),
            0);
}

// The hospital works on: events that each break one rule (doctor ids: specialty * 3 + shift, GP
// 1-3, Pediatrician 4-6, Gynecologist 7-9, Urologist 10-12, Oncologist 13-15, Cardiologist 16-18;
// shift 1 is 07:00-15:00), a corrected event, a patient who moved, a new medicine price.
void MedikalExampleTest::WorkOn() {
  auto patient = [&](const std::string& where) {
    return MySql("SELECT min(id_patient) FROM patient WHERE " + where)[0][0].value();
  };
  const std::string man = patient("sex = 'M' AND birth_date < '1990-01-01'");
  const std::string woman = patient("sex = 'F' AND birth_date < '1990-01-01'");
  const std::string child = patient("birth_date > '2012-01-01'");
  const std::string ndc = Pg("SELECT min(product_ndc) FROM pharmacy.medicine")[0][0].value();
  std::string inserts;
  auto event = [&](const std::string& who, int doctor, const std::string& time,
                   const std::string& symptom, const std::string& prescribed) {
    inserts +=
        "INSERT INTO events (id_event, id_patient, id_doctor, event_time, symptom, notes, "
        "prescribed_ndc, cost, updated_at) SELECT max(id_event) + 1, " +
        who + ", " + std::to_string(doctor) + ", '2024-01-02 " + time + "', '" + symptom +
        "', 'NULL', '" + prescribed + "', 50.00, CURRENT_TIMESTAMP(6) FROM events;";
  };
  event(man, 1, "09:00:00", "Fever", ndc);                // keeps every rule
  event(man, 7, "09:00:00", "Pelvic pain", "NULL");       // gynecologist_sees_women_over_14
  event(woman, 10, "09:00:00", "Kidney stones", "NULL");  // urologist_sees_men
  event(woman, 4, "09:00:00", "Growth check", "NULL");    // pediatrician_sees_children
  event(child, 16, "09:00:00", "Chest pain", "NULL");     // children_see_gp_or_pediatrician
  event(man, 13, "09:00:00", "Rhinitis", "NULL");         // symptom_fits_specialty
  event(man, 1, "20:00:00", "Fever", "NULL");             // visit_in_doctors_shift
  event(man, 1, "09:00:00", "Fever", "99999-999");        // prescription_in_pharmacy
  event("999999", 1, "09:00:00", "Fever", "NULL");        // patient_known
  ASSERT_TRUE(my_client_->Exec(inserts).ok());
  ASSERT_TRUE(my_client_
                  ->Exec("UPDATE events SET cost = cost + 10, notes = 'NULL', updated_at = "
                         "CURRENT_TIMESTAMP(6) WHERE id_event IN (3, 30); UPDATE patient SET "
                         "country = 'Germany', city = 'Berlin' WHERE id_patient = " +
                         woman)
                  .ok());
  ASSERT_TRUE(pg_client_
                  ->Exec("UPDATE pharmacy.medicine SET unit_price = unit_price + 1, "
                         "updated_at = now() WHERE product_ndc = '" +
                         ndc + "'")
                  .ok());
}

TEST_F(MedikalExampleTest, LakeEqualsTheServersBeforeAndAfterTheHospitalWorksOn) {
  // Two events changed shortly before the first run's newest one: 5 minutes
  // (inside the 10-minute lookback: read again next run) and 20 (outside).
  const std::string newest = MySql("SELECT max(updated_at) FROM events")[0][0].value();
  ASSERT_TRUE(my_client_
                  ->Exec("UPDATE events SET updated_at = TIMESTAMP '" + newest +
                         "' - INTERVAL 5 MINUTE WHERE id_event = 1; UPDATE events SET updated_at "
                         "= TIMESTAMP '" +
                         newest + "' - INTERVAL 20 MINUTE WHERE id_event = 2")
                  .ok());
  RunReport first = Run();
  ASSERT_TRUE(first.succeeded) << first.error;
  ExpectBronzeEqualsServers(" (first run)");
  ExpectSilverEqualsServer(" (first run)");
  ExpectMartsEqualServers(" (first run)");
  // The generator keeps every business rule: no violation on generated data.
  const std::string kFailed =
      "SELECT e.rule, e.rows_failed FROM _system.expectations e WHERE e.table_name = "
      "'gold.visits' AND e.run_id = (SELECT run_id FROM _system.runs ORDER BY started_at DESC "
      "LIMIT 1)";
  EXPECT_EQ(Int("SELECT count(*) FROM (" + kFailed + ")"), 9);
  EXPECT_EQ(Int("SELECT CAST(sum(rows_failed) AS BIGINT) FROM (" + kFailed + ")"), 0);

  // The hospital works on.
  const std::string old_max = MySql("SELECT max(updated_at) FROM events")[0][0].value();
  WorkOn();
  const int64_t read_again =
      std::stoll(MySql("SELECT count(*) FROM events WHERE updated_at >= TIMESTAMP '" + old_max +
                       "' - INTERVAL 10 MINUTE")[0][0]
                     .value());

  RunReport second = Run();
  ASSERT_TRUE(second.succeeded) << second.error;
  // Only the changed events (and the lookback's overlap) were read.
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.mysql__events WHERE _run_id = (SELECT run_id FROM "
                "_system.runs ORDER BY started_at DESC LIMIT 1)"),
            read_again);
  // 9 new events, 2 changed, and the lookback's: the newest and event 1.
  EXPECT_EQ(read_again, 13);
  ExpectBronzeEqualsServers(" (second run)");
  ExpectSilverEqualsServer(" (second run)");
  ExpectMartsEqualServers(" (second run)");
  std::map<std::string, int64_t> failed;
  for (const auto& row : Rows(kFailed)) failed[row[0].ToString()] = row[1].GetInt64();
  const std::map<std::string, int64_t> want = {{"patient_known", 1},
                                               {"doctor_known", 0},
                                               {"gynecologist_sees_women_over_14", 1},
                                               {"urologist_sees_men", 1},
                                               {"children_see_gp_or_pediatrician", 1},
                                               {"pediatrician_sees_children", 1},
                                               {"symptom_fits_specialty", 1},
                                               {"visit_in_doctors_shift", 1},
                                               {"prescription_in_pharmacy", 1}};
  for (const auto& [rule, n] : want) EXPECT_EQ(failed[rule], n) << rule;
}

}  // namespace
}  // namespace carelake::pipeline
