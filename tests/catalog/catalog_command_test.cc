// `carelake catalog` and `_system.tables` / `_system.columns` as a user sees
// them, on a project run for real: sizes and columns are compared with what
// the test wrote and with counts read through `carelake sql`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"

namespace carelake::testing_cli {
namespace {

using nlohmann::json;

constexpr char kProject[] =
    "name: clinic\n"
    "lake: lake\n"
    "sources:\n"
    "  - name: visits\n"
    "    format: csv\n"
    "    path: landing/*.csv\n"
    "silver:\n"
    "  - name: visits\n"
    "    from: bronze.visits\n"
    "    columns:\n"
    "      - {name: visit_id, type: BIGINT}\n"
    "      - {name: patient, from: PatientName, type: VARCHAR, pii: true}\n"
    "      - {name: ward_upper, expr: \"upper(ward)\"}\n"
    "models:\n"
    "  - name: by_ward\n"
    "    sql: models/by_ward.sql\n";

class CatalogCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::path(::testing::TempDir()) /
            ("catalog_cli_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/landing");
    std::filesystem::create_directories(dir_ + "/models");
    std::ofstream(dir_ + "/carelake.yaml") << kProject;
    std::ofstream(dir_ + "/models/by_ward.sql")
        << "SELECT ward_upper, count(*) AS visits FROM silver.visits GROUP BY ward_upper\n";
    std::ofstream(dir_ + "/landing/a.csv")
        << "visit_id,PatientName,ward\n1,Ana,north\n2,Ben,south\n3,Chloé,north\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Sql(const std::string& query) {
    CliRun r = Carelake("sql --format csv --project " + dir_ + " \"" + query + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  static const json* Table(const json& catalog, const std::string& name) {
    for (const json& t : catalog["tables"]) {
      if (t["name"] == name) return &t;
    }
    return nullptr;
  }

  std::string dir_;
};

TEST_F(CatalogCommandTest, JsonDescribesEveryTable) {
  // Before any run: declared tables, none built.
  CliRun before = Carelake("catalog --json --project " + dir_);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const json empty = json::parse(before.out);
  ASSERT_NE(Table(empty, "silver.visits"), nullptr);
  EXPECT_FALSE((*Table(empty, "silver.visits"))["exists"].get<bool>());

  ASSERT_EQ(Carelake("run --project " + dir_).exit_code, 0);
  CliRun r = Carelake("catalog --json --project " + dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json catalog = json::parse(r.out);
  EXPECT_EQ(catalog["project"], "clinic");

  const json* bronze = Table(catalog, "bronze.visits");
  ASSERT_NE(bronze, nullptr);
  EXPECT_EQ((*bronze)["layer"], "bronze");
  EXPECT_EQ((*bronze)["origin"]["kind"], "files");
  EXPECT_EQ((*bronze)["origin"]["glob"], "landing/*.csv");
  EXPECT_EQ((*bronze)["origin"]["source"], "visits");
  EXPECT_EQ((*bronze)["rows"], 3);
  EXPECT_GE((*bronze)["files"].get<int>(), 1);
  EXPECT_GT((*bronze)["size_bytes"].get<int>(), 0);
  bool bronze_pii = false;
  for (const json& c : (*bronze)["columns"]) {
    if (c["name"] == "PatientName") bronze_pii = c["pii"];
  }
  EXPECT_TRUE(bronze_pii) << "the silver column reading PatientName is pii";

  const json* silver = Table(catalog, "silver.visits");
  ASSERT_NE(silver, nullptr);
  EXPECT_EQ((*silver)["origin"]["kind"], "silver");
  EXPECT_EQ((*silver)["origin"]["from"], "bronze.visits");
  EXPECT_EQ((*silver)["rows"], 3);
  std::map<std::string, json> columns;
  for (const json& c : (*silver)["columns"]) columns[c["name"]] = c;
  EXPECT_EQ(columns["visit_id"]["type"], "BIGINT");
  EXPECT_TRUE(columns["patient"]["pii"].get<bool>());
  EXPECT_FALSE(columns["visit_id"]["pii"].get<bool>());
  EXPECT_EQ(columns["patient"]["description"], "from bronze.visits.PatientName");
  EXPECT_EQ(columns["ward_upper"]["description"], "= upper(ward)");

  const json* gold = Table(catalog, "gold.by_ward");
  ASSERT_NE(gold, nullptr);
  EXPECT_EQ((*gold)["origin"]["kind"], "model");
  EXPECT_EQ((*gold)["origin"]["sql_file"], "models/by_ward.sql");
  EXPECT_EQ((*gold)["rows"], 2);
}

TEST_F(CatalogCommandTest, TextHasOneBlockPerTable) {
  ASSERT_EQ(Carelake("run --project " + dir_).exit_code, 0);
  CliRun r = Carelake("catalog --project " + dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("silver.visits\n  from     conformed from bronze.visits\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  size     3 rows,"), std::string::npos) << r.out;
  // Names are padded to the longest of the table (lineage columns included).
  EXPECT_NE(r.out.find("    patient           VARCHAR  [pii]  -- from bronze.visits.PatientName\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    PatientName       VARCHAR  [pii]\n"), std::string::npos) << r.out;
}

TEST_F(CatalogCommandTest, SystemTablesInSql) {
  ASSERT_EQ(Carelake("run --project " + dir_).exit_code, 0);
  // row_count from the Delta log, count(*) from the data: they agree.
  EXPECT_EQ(Sql("SELECT t.row_count = (SELECT count(*) FROM silver.visits) AS same, t.origin_kind, "
                "t.upstream FROM _system.tables t WHERE t.table_name = 'silver.visits'"),
            "same,origin_kind,upstream\ntrue,silver,bronze.visits\n");
  EXPECT_EQ(Sql("SELECT column_name, data_type, pii FROM _system.columns WHERE table_name = "
                "'silver.visits' ORDER BY ordinal LIMIT 3"),
            "column_name,data_type,pii\nvisit_id,BIGINT,false\npatient,VARCHAR,true\n"
            "ward_upper,VARCHAR,false\n");
  EXPECT_EQ(Sql("SELECT file_glob FROM _system.tables WHERE table_name = 'bronze.visits'"),
            "file_glob\nlanding/*.csv\n");
}

}  // namespace
}  // namespace carelake::testing_cli
