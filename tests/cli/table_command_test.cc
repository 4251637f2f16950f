// `carelake table ...` and delta_scan() in `carelake sql`, through the real
// binary.
#include <filesystem>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using carelake::testing_cli::Carelake;
using carelake::testing_cli::CliRun;

class TableCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("table_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    table_ = (dir_ / "admissions").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string table_;
};

TEST_F(TableCommandTest, WriteThenQueryWithTimeTravel) {
  CliRun w = Carelake("table write " + table_ +
                      " --query \"SELECT i AS id, 'ward ' || (i % 3) AS ward FROM range(30) t(i)\""
                      " --partition-by ward");
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(w.out.rfind("committed version 0: 30 rows inserted; 3 files added", 0), 0u) << w.out;
  w = Carelake("table write " + table_ + " -q \"SELECT 100 AS id, 'ward/x' AS ward\"");
  ASSERT_EQ(w.exit_code, 0) << w.err;

  CliRun q = Carelake("sql \"SELECT ward, count(*) AS n FROM delta_scan('" + table_ +
                      "') GROUP BY ward ORDER BY ward\"");
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "ward,n\nward 0,10\nward 1,10\nward 2,10\nward/x,1\n");
  q = Carelake("sql \"SELECT count(*) AS n FROM delta_scan('" + table_ + "', version := 0)\"");
  EXPECT_EQ(q.out, "n\n30\n");
  q = Carelake("sql \"SELECT count(*) AS n FROM delta_scan('" + table_ +
               "', timestamp => '2000-01-01')\"");
  EXPECT_EQ(q.exit_code, 1);
  EXPECT_NE(q.err.find("no version at or before"), std::string::npos) << q.err;
  q = Carelake("sql \"SELECT count(*) AS n FROM delta_scan('" + table_ +
               "', timestamp => '2999-01-01')\"");
  EXPECT_EQ(q.out, "n\n31\n") << q.err;
  q = Carelake("sql \"SELECT 'delta_scan(' AS text\"");  // inside a literal: untouched
  EXPECT_EQ(q.out, "text\ndelta_scan(\n");
  q = Carelake("sql \"SELECT * FROM delta_scan('" + table_ + "', version => )\"");
  EXPECT_EQ(q.exit_code, 1);
  EXPECT_NE(q.err.find("expected a version number at offset"), std::string::npos) << q.err;
}

TEST_F(TableCommandTest, MergeDeleteHistoryDescribe) {
  ASSERT_EQ(Carelake("table write " + table_ + " -q \"SELECT i AS id, 0 AS v FROM range(10) t(i)\"")
                .exit_code,
            0);
  CliRun m = Carelake("table merge " + table_ +
                      " --key id -q \"SELECT * FROM (VALUES (1, 5), (50, 7)) s(id, v)\"");
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("1 rows inserted, 1 updated"), std::string::npos) << m.out;
  CliRun d = Carelake("table delete " + table_ + " --where \"id >= 8\"");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("3 deleted"), std::string::npos) << d.out;
  CliRun q =
      Carelake("sql \"SELECT sum(v) AS s, count(*) AS n FROM delta_scan('" + table_ + "')\"");
  EXPECT_EQ(q.out, "s,n\n5,8\n");

  CliRun h = Carelake("table history " + table_);
  ASSERT_EQ(h.exit_code, 0) << h.err;
  const size_t del = h.out.find("version 2"), merge = h.out.find("version 1  "),
               create = h.out.find("version 0");
  ASSERT_NE(del, std::string::npos) << h.out;
  EXPECT_LT(del, merge);
  EXPECT_LT(merge, create);
  EXPECT_NE(h.out.find("DELETE"), std::string::npos);
  EXPECT_NE(h.out.find("MERGE"), std::string::npos);
  CliRun hj = Carelake("table history " + table_ + " --json --limit 1");
  EXPECT_NE(hj.out.find("\"operation\": \"DELETE\""), std::string::npos) << hj.out;
  EXPECT_EQ(hj.out.find("\"MERGE\""), std::string::npos) << hj.out;

  CliRun desc = Carelake("table describe " + table_);
  ASSERT_EQ(desc.exit_code, 0) << desc.err;
  EXPECT_NE(desc.out.find("rows       8"), std::string::npos) << desc.out;
  EXPECT_NE(desc.out.find("  id  long"), std::string::npos) << desc.out;
}

TEST_F(TableCommandTest, OptimizeAndVacuum) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Carelake("table write " + table_ + " -q \"SELECT " + std::to_string(i) + " AS id\"")
                  .exit_code,
              0);
  }
  CliRun o = Carelake("table optimize " + table_);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("compacted 3 files"), std::string::npos) << o.out;
  CliRun v = Carelake("table vacuum " + table_ + " --retain-hours 0");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.err.find("--force"), std::string::npos) << v.err;
  v = Carelake("table vacuum " + table_ + " --retain-hours 0 --force");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("deleted 3 files"), std::string::npos) << v.out;
  CliRun q = Carelake("sql \"SELECT sum(id) AS s FROM delta_scan('" + table_ + "')\"");
  EXPECT_EQ(q.out, "s\n3\n");
}

// An integer written into a double column is stored as a double (store
// assignment); a lossy cast is refused with a cast to write in the query.
TEST_F(TableCommandTest, WriteCastsNarrowerValuesToTheTableTypes) {
  CliRun w =
      Carelake("table write " + table_ +
               " -q \"SELECT 1 AS admission_id, 'P1' AS patient_id, 12.5::DOUBLE AS charge\"");
  ASSERT_EQ(w.exit_code, 0) << w.err;
  w = Carelake("table write " + table_ +
               " -q \"SELECT 5 AS admission_id, 'P5' AS patient_id, 10 AS charge\"");
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(w.out.rfind("committed version 1: 1 rows inserted", 0), 0u) << w.out;
  CliRun q = Carelake(
      "sql \"SELECT admission_id, charge::VARCHAR AS charge, typeof(charge) AS type FROM "
      "delta_scan('" +
      table_ + "') ORDER BY admission_id\"");
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "admission_id,charge,type\n1,12.5,DOUBLE\n5,10.0,DOUBLE\n");
  CliRun desc = Carelake("table describe " + table_);
  ASSERT_EQ(desc.exit_code, 0) << desc.err;
  EXPECT_NE(desc.out.find("  charge  double"), std::string::npos) << desc.out;

  CliRun bad =
      Carelake("table write " + table_ + " -q \"SELECT 6 AS admission_id, '7' AS charge\"");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("Error: table '" + table_ +
                         "': incompatible schema change for column 'charge': table has double, "
                         "new data has string"),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("cast it in the query: CAST(charge AS DOUBLE) AS charge"),
            std::string::npos)
      << bad.err;
}

TEST_F(TableCommandTest, BadInputGivesClearErrors) {
  CliRun r = Carelake("table write " + table_ + " --mode upsert -q \"SELECT 1 AS a\"");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--mode must be append or overwrite"), std::string::npos) << r.err;
  r = Carelake("table write " + table_ + " -q \"SELECT INTERVAL 1 DAY AS stay\"");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("column 'stay'"), std::string::npos) << r.err;
  r = Carelake("table write " + table_ + " -q \"SELEC 1\"");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("syntax error"), std::string::npos) << r.err;
  r = Carelake("table history " + (dir_ / "missing").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no _delta_log folder"), std::string::npos) << r.err;
  r = Carelake("table merge " + table_ + " -q \"SELECT 1 AS a\"");
  EXPECT_EQ(r.exit_code, 2);  // --key is required
}

}  // namespace
