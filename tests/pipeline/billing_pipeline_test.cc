// The acceptance test of the billing example project (examples/billing, seed
// 001): generated billing CSVs run through the project's own carelake.yaml
// and models/*.sql.
//
// What is compared with what: every gold mart against the same answer
// computed here with DuckDB's read_csv directly on the landing files (not
// through any lake table, not with the models' SQL): the raw lines are
// checked by hand against the documented silver rules (every key present,
// no negative charge/payment/adjustment, GrossCharge - Payment - Adjustment
// = AR within 0.01, date keys that are dates), the clean ones joined with the
// raw dimension files; the patient's state is the one of the latest
// Dimpatient delivery on or before the day of service (the original file
// counts as delivered at the start). Then three daily drops arrive (the third
// re-delivers Dimpatient with moved patients): the next run ingests only
// them and every mart still equals the raw computation; and again after
// three more (the sixth re-delivers again), when lines served after a move
// point to the new version. The quarantine holds
// exactly the dirty lines, each with the rule it broke and a reason, and the
// counts equal what the generator reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/connection.h"
#include "carelake/generate/billing.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"
#include "project_run.h"
#include "sorted_rows.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

// Marts must not agree vacuously: an empty expected answer is a failure.
void ExpectSameNonEmptyRows(const std::vector<std::string>& want,
                            const std::vector<std::string>& got, const std::string& what) {
  EXPECT_FALSE(want.empty()) << what;
  ExpectSameRows(want, got, what);
}

// Each mart: the answer from the raw files, and the lake's.
struct Mart {
  std::string name, want, got;
};

const std::vector<Mart>& Marts() {
  static const std::string kSums =
      "sum(g) AS gross, sum(p) AS payments, sum(a) AS adjustments, sum(rcv) AS ar";
  static const std::string kGot = "gross_charges, payments, adjustments, ar";
  static const std::vector<Mart> marts = {
      {"billing_daily", "SELECT post_date, count(*), " + kSums + " FROM want_facts GROUP BY ALL",
       "SELECT day, lines, " + kGot + " FROM gold.billing_daily"},
      {"billing_monthly",
       "SELECT CAST(d.MonthPeriod AS INTEGER), d.MonthYear, count(*), "
       "count(DISTINCT f.PatientNumber), " +
           kSums +
           " FROM want_facts f JOIN raw_dates d ON d.dimDatePostPK = f.dimDatePostPK "
           "GROUP BY ALL",
       "SELECT month_period, month_year, lines, patients, " + kGot + " FROM gold.billing_monthly"},
      {"payer_collections",
       "SELECT y.PayerName, count(*), sum(g), sum(p), sum(a), sum(rcv), "
       "count(*) FILTER (WHERE rcv > 0), round(sum(p) / sum(g), 4) "
       "FROM want_facts f JOIN raw_payers y ON y.dimPayerPK = f.dimPayerPK GROUP BY ALL",
       "SELECT payer_name, lines, gross_charges, collected, adjusted, pending, lines_pending, "
       "collection_rate FROM gold.payer_collections"},
      {"billing_by_physician",
       "SELECT CAST(ph.dimPhysicianPK AS INTEGER), ph.ProviderNpi, ph.ProviderName, "
       "ph.ProviderSpecialty, count(*), count(DISTINCT f.PatientNumber), " +
           kSums +
           " FROM want_facts f JOIN raw_physicians ph ON ph.dimPhysicianPK = f.dimPhysicianPK "
           "GROUP BY ALL",
       "SELECT dim_physician_pk, provider_npi, provider_name, provider_specialty, lines, "
       "patients, " +
           kGot + " FROM gold.billing_by_physician"},
      {"billing_by_specialty",
       "SELECT ph.ProviderSpecialty, count(DISTINCT ph.dimPhysicianPK), count(*), " + kSums +
           " FROM want_facts f JOIN raw_physicians ph ON ph.dimPhysicianPK = f.dimPhysicianPK "
           "GROUP BY ALL",
       "SELECT provider_specialty, physicians, lines, " + kGot + " FROM gold.billing_by_specialty"},
      {"billing_by_location",
       "SELECT l.LocationName, count(*), count(DISTINCT f.PatientNumber), " + kSums +
           " FROM want_facts f JOIN raw_locations l ON l.dimLocationPK = f.dimLocationPK "
           "GROUP BY ALL",
       "SELECT location_name, lines, patients, " + kGot + " FROM gold.billing_by_location"},
      {"billing_by_cpt_grouping",
       "SELECT c.CptGrouping, count(*), sum(CAST(f.CPTUnits AS INTEGER)), " + kSums +
           " FROM want_facts f JOIN raw_cpt c ON c.dimCPTCodePK = f.dimCPTCodePK GROUP BY ALL",
       "SELECT cpt_grouping, lines, units, " + kGot + " FROM gold.billing_by_cpt_grouping"},
      {"billing_by_diagnosis_group",
       "SELECT d.DiagnosisCodeGroup, count(*), count(DISTINCT f.PatientNumber), " + kSums +
           " FROM want_facts f JOIN raw_diagnoses d "
           "ON d.dimDiagnosisCodePK = f.dimDiagnosisCodePK GROUP BY ALL",
       "SELECT diagnosis_code_group, lines, patients, " + kGot +
           " FROM gold.billing_by_diagnosis_group"},
      // The patient's state on the day of service: the latest delivery on or
      // before it (the original file counts from the start).
      {"billing_by_patient_state",
       "SELECT (SELECT arg_max(pa.State, pa.delivered) FROM raw_patients pa "
       "        WHERE pa.PatientNumber = f.PatientNumber AND pa.delivered <= f.service_date) "
       "         AS state, "
       "count(*), count(DISTINCT f.PatientNumber), sum(g), sum(p), sum(rcv) "
       "FROM want_facts f GROUP BY ALL",
       "SELECT patient_state, lines, patients, gross_charges, payments, ar "
       "FROM gold.billing_by_patient_state"},
  };
  return marts;
}

class BillingPipelineTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    project_dir_ = dir_ / "billing";
    const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "billing";
    fs::create_directories(project_dir_ / "models");
    fs::copy_file(example / "carelake.yaml", project_dir_ / "carelake.yaml");
    for (const auto& e : fs::directory_iterator(example / "models")) {
      fs::copy_file(e.path(), project_dir_ / "models" / e.path().filename());
    }
  }

  generate::BillingSummary Generate() {
    generate::BillingOptions o;
    o.out_dir = (project_dir_ / "landing").string();
    o.seed = 5;
    o.days = 20;
    o.patients = 300;
    o.dirt = 0.05;
    auto s = generate::GenerateBilling(o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : generate::BillingSummary{};
  }

  RunReport Run() { return RunAndRegisterViews(project_dir_.string(), *conn_); }

  static const StepReport* FindStep(const RunReport& report, const std::string& name) {
    for (const StepReport& s : report.steps) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  void Exec(const std::string& sql) {
    auto s = conn_->Execute(sql);
    ASSERT_TRUE(s.ok()) << s << "\n" << sql;
  }

  // The raw landing files as temporary tables (all text), the rules each
  // fact line breaks, and the clean lines (want_facts).
  void LoadRaw() {
    const std::string landing = (project_dir_ / "landing").string() + "/";
    auto csv = [&](const std::string& table, const std::string& glob) {
      Exec("CREATE OR REPLACE TEMP TABLE " + table + " AS SELECT * FROM read_csv('" + landing +
           glob + "', header = true, all_varchar = true, filename = true)");
    };
    csv("raw_fact_text", "FactTable*.csv");
    csv("raw_patient_text", "Dimpatient*.csv");
    csv("raw_physicians", "DimPhyscian.csv");
    csv("raw_payers", "DimPayer.csv");
    csv("raw_locations", "DimLocation.csv");
    csv("raw_dates", "dimDate.csv");
    csv("raw_cpt", "dimCptCode.csv");
    csv("raw_diagnoses", "dimDiagnosisCode.csv");
    Exec(
        "CREATE OR REPLACE TEMP TABLE raw_patients AS SELECT *, CASE WHEN filename LIKE "
        "'%/Dimpatient.csv' THEN DATE '0001-01-01' ELSE strptime(regexp_extract(filename, "
        "'Dimpatient_([0-9]{8})', 1), '%Y%m%d')::DATE END AS delivered FROM raw_patient_text");
    Exec(
        "CREATE OR REPLACE TEMP TABLE raw_facts AS "
        "WITH t AS (SELECT *, CAST(GrossCharge AS DECIMAL(14,2)) AS g, "
        "  CAST(Payment AS DECIMAL(14,2)) AS p, CAST(Adjustment AS DECIMAL(14,2)) AS a, "
        "  CAST(AR AS DECIMAL(14,2)) AS rcv, "
        "  try_strptime(dimDatePostPK, '%Y%m%d')::DATE AS post_date, "
        "  try_strptime(dimDateServicePK, '%Y%m%d')::DATE AS service_date FROM raw_fact_text) "
        "SELECT *, list_sort(list_filter([ "
        "  CASE WHEN FactTablePK IS NULL OR dimPatientPK IS NULL OR dimPhysicianPK IS NULL "
        "    OR dimDatePostPK IS NULL OR dimDateServicePK IS NULL OR dimCPTCodePK IS NULL "
        "    OR dimPayerPK IS NULL OR dimTransactionPK IS NULL OR dimLocationPK IS NULL "
        "    OR PatientNumber IS NULL OR dimDiagnosisCodePK IS NULL THEN 'keys_present' END, "
        "  CASE WHEN g < 0 OR p < 0 OR a < 0 THEN 'money_not_negative' END, "
        "  CASE WHEN abs(g - p - a - rcv) > 0.01 THEN 'ar_reconciles' END, "
        "  CASE WHEN dimDatePostPK IS NOT NULL AND post_date IS NULL THEN 'post_date_type' END, "
        "  CASE WHEN dimDateServicePK IS NOT NULL AND service_date IS NULL "
        "    THEN 'service_date_type' END], x -> x IS NOT NULL)) AS rules FROM t");
    Exec("CREATE OR REPLACE TEMP TABLE want_facts AS SELECT * FROM raw_facts WHERE rules = []");
  }

  void ExpectMartsMatchRaw(const std::string& when) {
    LoadRaw();
    for (const Mart& m : Marts()) {
      ExpectSameNonEmptyRows(SortedRows(*conn_, m.want), SortedRows(*conn_, m.got), m.name + when);
    }
    // The fact: one row per clean line, with its money.
    ExpectSameNonEmptyRows(
        SortedRows(
            *conn_,
            "SELECT CAST(FactTablePK AS BIGINT), CAST(PatientNumber AS BIGINT), service_date, "
            "post_date, g, p, a, rcv FROM want_facts"),
        SortedRows(*conn_,
                   "SELECT fact_table_pk, patient_number, service_date, post_date, gross_charge, "
                   "payment, adjustment, ar FROM gold.fact_billing"),
        "fact_billing" + when);
    // Quarantined: exactly the dirty lines, each with the rules it broke and a reason.
    ExpectSameNonEmptyRows(SortedRows(*conn_,
                                      "SELECT CAST(FactTablePK AS BIGINT), rules FROM raw_facts "
                                      "WHERE rules <> []"),
                           SortedRows(*conn_,
                                      "SELECT fact_table_pk, list_sort(_dq_rules) "
                                      "FROM silver.facts__quarantine"),
                           "silver.facts__quarantine" + when);
    EXPECT_EQ(Int("SELECT count(*) FROM silver.facts__quarantine "
                  "WHERE _dq_reasons IS NULL OR _dq_reasons = ''"),
              0);
  }

  fs::path project_dir_;
};

TEST_F(BillingPipelineTest, MartsMatchARawComputationBeforeAndAfterDailyDrops) {
  const generate::BillingSummary first = Generate();
  RunReport report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  ExpectMartsMatchRaw(" (first set)");

  // The dirt the generator reports is what silver quarantined, by rule.
  auto rule = [&](const std::string& name) {
    return Int("SELECT count(*) FROM silver.facts__quarantine WHERE list_contains(_dq_rules, '" +
               name + "')");
  };
  EXPECT_EQ(rule("keys_present"), first.missing_key);
  EXPECT_EQ(rule("money_not_negative"), first.negative_payment);
  EXPECT_EQ(rule("ar_reconciles"), first.unreconciled);
  EXPECT_EQ(rule("service_date_type"), first.bad_service_date);
  EXPECT_GT(
      first.missing_key + first.negative_payment + first.unreconciled + first.bad_service_date, 0);
  const StepReport* silver = FindStep(report, "silver.facts");
  ASSERT_NE(silver, nullptr);
  EXPECT_EQ(silver->rows_read, first.fact_lines);
  EXPECT_EQ(silver->rows_quarantined, first.missing_key + first.negative_payment +
                                          first.unreconciled + first.bad_service_date);

  // A patient who moves is billed to the old state before the move and to
  // the new one after it: nobody has moved yet.
  EXPECT_EQ(Int("SELECT count(*) FROM gold.dim_patient WHERE patient_sk <> -1"),
            Int("SELECT count(DISTINCT PatientNumber) FROM raw_patients"));

  // Three daily drops; the third re-delivers Dimpatient with moved patients.
  int64_t drop_lines = 0;
  for (int i = 0; i < 3; ++i) drop_lines += Generate().fact_lines;
  ASSERT_TRUE(fs::exists(project_dir_ / "landing" / "Dimpatient_20240123.csv"));
  report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  const StepReport* facts = FindStep(report, "bronze.facts");
  ASSERT_NE(facts, nullptr);
  EXPECT_EQ(facts->files, 3) << "only the new drops are ingested";
  const StepReport* physicians = FindStep(report, "bronze.physicians");
  ASSERT_NE(physicians, nullptr);
  EXPECT_EQ(physicians->files, 0);
  silver = FindStep(report, "silver.facts");
  ASSERT_NE(silver, nullptr);
  EXPECT_EQ(silver->rows_read, drop_lines) << "silver reads only the new lines";
  ExpectMartsMatchRaw(" (after three drops)");

  // The re-delivery made versions: moved patients have two, valid from the drop's day.
  const int64_t moved =
      Int("SELECT count(DISTINCT patient_number) FROM gold.dim_patient "
          "WHERE valid_from = DATE '2024-01-23'");
  EXPECT_GT(moved, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM (SELECT patient_number FROM gold.dim_patient "
                "WHERE patient_sk <> -1 GROUP BY 1 HAVING count(*) = 2)"),
            moved);
  // A line served on the drop's day points to the new version; earlier ones to the old.
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_billing f JOIN gold.dim_patient p "
                "ON p.patient_sk = f.patient_sk WHERE f.service_date < p.valid_from "
                "AND p.valid_from > DATE '1900-01-01'"),
            0);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_billing WHERE patient_sk = -1"), 0);

  // Three more drops (the sixth re-delivers again): lines served after a
  // move point to the moved patient's new version.
  for (int i = 0; i < 3; ++i) Generate();
  ASSERT_TRUE(fs::exists(project_dir_ / "landing" / "Dimpatient_20240126.csv"));
  report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  ExpectMartsMatchRaw(" (after six drops)");
  EXPECT_GT(Int("SELECT count(*) FROM gold.fact_billing f JOIN gold.dim_patient p "
                "ON p.patient_sk = f.patient_sk WHERE p.valid_from > DATE '1900-01-01'"),
            0);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_billing f JOIN gold.dim_patient p "
                "ON p.patient_sk = f.patient_sk WHERE f.service_date < p.valid_from "
                "AND p.valid_from > DATE '1900-01-01'"),
            0);

  // Nothing new: nothing is committed.
  report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  for (const StepReport& s : report.steps)
    EXPECT_EQ(s.status, ledger::StepStatus::kUpToDate) << s.name;
}

}  // namespace
}  // namespace carelake::pipeline
