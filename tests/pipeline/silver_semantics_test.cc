// Silver's per-row semantics, shown with small CSV batches: the strongest
// action wins, drop and quarantine account for every row, de-duplication
// keeps the latest by `latest_by` also across runs (a late, older row does
// not replace a newer one), trim and null tokens, and a type error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr char kProject[] = R"yaml(name: clinic
sources:
  - name: visits
    format: csv
    path: landing/*.csv
silver:
  - name: visits
    from: bronze.visits
    key: [visit_id]
    latest_by: updated_at
    columns:
      - {name: visit_id, type: BIGINT}
      - {name: patient, type: VARCHAR}
      - {name: fee, type: "DECIMAL(10,2)"
}
      - {name: updated_at, type: TIMESTAMPTZ, format: "%Y-%m-%d %H:%M"}
    expectations:
      - {name: has_patient, check: "patient IS NOT NULL", action: quarantine}
      - {name: not_test, check: "patient <> 'TEST'", action: drop}
      - {name: fee_positive, check: "fee > 0", action: warn}
)yaml";

class SilverSemanticsTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    fs::create_directories(dir_ / "landing");
    std::ofstream(dir_ / "carelake.yaml") << kProject;
  }

  void Land(const std::string& name, const std::string& rows) {
    std::ofstream(dir_ / "landing" / name) << "visit_id,patient,fee,updated_at\n" << rows;
  }

  StepReport Run() {
    auto p = project::LoadProject(dir_.string());
    EXPECT_TRUE(p.ok()) << p.status();
    auto r = RunProject(*p, {}, LocalFileSystem(), *conn_);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->succeeded) << r->error;
    EXPECT_TRUE(catalog::RegisterViews(*p, LocalFileSystem(), *conn_).ok());
    for (const StepReport& s : r->steps) {
      if (s.name == "silver.visits") return s;
    }
    ADD_FAILURE() << "no silver step";
    return {};
  }

  std::string Patient(int64_t id) {
    auto rows = Rows("SELECT patient FROM silver.visits WHERE visit_id = " + std::to_string(id));
    return rows.size() == 1 && !rows[0][0].is_null() ? rows[0][0].GetString() : "<none>";
  }
};

TEST_F(SilverSemanticsTest, EveryRowIsKeptDroppedQuarantinedOrDeduplicated) {
  Land("a.csv",
       "1,  ana ,10.50,2024-01-01 10:00\n"  // trimmed
       "2,N/A,5.00,2024-01-01 10:00\n"      // null token -> quarantined (has_patient)
       "3,TEST,5.00,2024-01-01 10:00\n"     // dropped
       "4,,-1.00,2024-01-01 10:00\n"        // quarantine beats warn
       "5,bo,-2.00,2024-01-01 10:00\n"      // warned, kept
       "6,cy,abc,2024-01-01 10:00\n"        // fee_type: quarantined
       "7,di,1.00,2024-01-01 09:00\n"       // two versions of 7 in one batch:
       "7,dj,1.00,2024-01-01 11:00\n");     //   the later one wins
  StepReport s = Run();
  EXPECT_EQ(s.rows_read, 8);
  EXPECT_EQ(s.rows_quarantined, 3);
  EXPECT_EQ(s.rows_dropped, 1);
  EXPECT_EQ(s.rows_deduplicated, 1);
  EXPECT_EQ(s.rows_written, 3);
  EXPECT_EQ(s.rows_warned, 1);
  EXPECT_EQ(s.rows_read,
            s.rows_written + s.rows_quarantined + s.rows_dropped + s.rows_deduplicated);
  EXPECT_EQ(Patient(1), "ana");
  EXPECT_EQ(Patient(7), "dj");
  EXPECT_EQ(Patient(5), "bo");
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits__quarantine"), 3);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits__quarantine WHERE visit_id = 4 AND "
                "list_contains(_dq_rules, 'has_patient') AND list_contains(_dq_rules, "
                "'fee_positive')"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits__quarantine WHERE visit_id = 6 AND "
                "list_contains(_dq_rules, 'fee_type') AND _dq_reasons LIKE '%\"abc\" is not a "
                "valid%'"),
            1);
}

TEST_F(SilverSemanticsTest, ALateOlderVersionDoesNotReplaceANewerOne) {
  Land("a.csv", "1,ana,10.00,2024-01-02 10:00\n2,bo,10.00,2024-01-02 10:00\n");
  Run();
  // A later batch brings an older version of 1 (late) and a newer one of 2.
  Land("b.csv", "1,old-ana,10.00,2024-01-01 10:00\n2,new-bo,10.00,2024-01-03 10:00\n");
  StepReport s = Run();
  EXPECT_EQ(s.rows_read, 2);
  EXPECT_EQ(s.rows_written, 1);
  EXPECT_EQ(s.rows_deduplicated, 1);
  EXPECT_EQ(Patient(1), "ana");
  EXPECT_EQ(Patient(2), "new-bo");
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits"), 2);
}

// A source whose only file is a header (an export of an empty table):
// silver is built with its declared columns and no row, and the first rows
// arriving later go through it as usual.
TEST_F(SilverSemanticsTest, AHeaderOnlySourceGivesAnEmptySilverTableWithItsColumns) {
  Land("empty.csv", "");
  StepReport s = Run();
  EXPECT_EQ(s.rows_read, 0);
  EXPECT_EQ(s.rows_written, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits"), 0);
  std::vector<std::pair<std::string, std::string>> columns;
  for (const auto& row : Rows("SELECT column_name, column_type FROM (DESCRIBE silver.visits)")) {
    columns.emplace_back(row[0].GetString(), row[1].GetString());
  }
  // The declared columns, in order and with their types (lineage may follow).
  const std::vector<std::pair<std::string, std::string>> declared = {
      {"visit_id", "BIGINT"},
      {"patient", "VARCHAR"},
      {"fee", "DECIMAL(10,2)"},
      {"updated_at", "TIMESTAMP WITH TIME ZONE"}};
  ASSERT_GE(columns.size(), declared.size());
  EXPECT_EQ(std::vector(columns.begin(), columns.begin() + declared.size()), declared);

  Land("rows.csv", "1,ana,10.50,2024-01-01 10:00\n");
  s = Run();
  EXPECT_EQ(s.rows_read, 1);
  EXPECT_EQ(s.rows_written, 1);
  EXPECT_EQ(Patient(1), "ana");
}

}  // namespace
}  // namespace carelake::pipeline

namespace carelake::pipeline {
namespace {

// The ledger records a run of more files than one SQL statement could list
// (DuckDB's expression depth): every file has its row in _system.files.
TEST_F(SilverSemanticsTest, ARunOfThousandsOfFilesIsRecordedInTheLedger) {
  constexpr int kFiles = 1100;
  for (int i = 0; i < kFiles; ++i) {
    Land("v" + std::to_string(i) + ".csv",
         std::to_string(i + 1) + ",p" + std::to_string(i) + ",1.00,2024-01-01 10:00\n");
  }
  StepReport s = Run();
  EXPECT_EQ(s.rows_written, kFiles);
  EXPECT_EQ(Int("SELECT count(*) FROM _system.files"), kFiles);
  EXPECT_EQ(Int("SELECT count(DISTINCT run_id) FROM _system.files"), 1);
}

}  // namespace
}  // namespace carelake::pipeline
