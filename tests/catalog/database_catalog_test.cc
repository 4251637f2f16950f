// Seed 003's shape end to end through the CLI: a MariaDB table whose columns
// are all VARCHAR (M/D/YYYY dates, "10:08 AM" times, "$2419.20" balances)
// lands in bronze; `carelake catalog` says which server, database and table
// it came from; `carelake infer` declares a typed silver table, and a run
// with it types every value (compared with what the test inserted).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "carelake/dbsource/mysql_client.h"
#include "cli_runner.h"
#include "mariadb_server.h"

namespace carelake::testing_cli {
namespace {

using nlohmann::json;

constexpr char kClinic[] = R"(
CREATE DATABASE clinic;
USE clinic;
CREATE TABLE appointment (
  AppointmentID VARCHAR(20) PRIMARY KEY, PatientID VARCHAR(20), AppointmentDate VARCHAR(20),
  AppointmentTime VARCHAR(20), Balance VARCHAR(20), Status VARCHAR(20));
INSERT INTO appointment VALUES
  ('APPO1', 'PER1', '1/5/2023', '10:08 AM', '$2419.20', 'Completed'),
  ('APPO2', 'PER2', '12/31/2022', '1:30 PM', '$0.00', 'No-show'),
  ('APPO3', 'PER1', '2/28/2023', '9:00 AM', 'NULL', 'Completed'),
  ('APPO4', 'PER3', 'NULL', '4:45 PM', '$15.50', 'Cancelled');
)";

class DatabaseCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why_not;
    bool missing = false;
    server_ = testing::MariaDbServer::Start(why_not, missing);
    if (missing) GTEST_SKIP() << why_not;
    ASSERT_NE(server_, nullptr) << why_not;
    auto client = dbsource::MySqlClient::Connect(server_->Url(""), "");
    ASSERT_TRUE(client.ok()) << client.status();
    for (std::string sql = kClinic; !sql.empty();) {
      const size_t end = sql.find(";\n");
      std::string statement = sql.substr(0, end);
      sql = end == std::string::npos ? "" : sql.substr(end + 2);
      if (statement.find_first_not_of(" \n") == std::string::npos) continue;
      Status s = (*client)->Exec(statement);
      ASSERT_TRUE(s.ok()) << s << "\n" << statement;
    }
    dir_ = (std::filesystem::path(::testing::TempDir()) /
            ("db_catalog_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/carelake.yaml") << "name: unicorn\n"
                                              "lake: lake\n"
                                              "sources:\n"
                                              "  - name: clinic\n"
                                              "    connection: \""
                                           << server_->Url("clinic") << "\"\n";
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string Sql(const std::string& query) {
    CliRun r = Carelake("sql --format csv --project " + dir_ + " \"" + query + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  std::unique_ptr<testing::MariaDbServer> server_;
  std::string dir_;
};

TEST_F(DatabaseCatalogTest, CatalogedInferredAndTyped) {
  CliRun run = Carelake("run --project " + dir_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  CliRun cat = Carelake("catalog --json --project " + dir_);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  const json catalog = json::parse(cat.out);
  const json* bronze = nullptr;
  for (const json& t : catalog["tables"]) {
    if (t["name"] == "bronze.clinic__appointment") bronze = &t;
  }
  ASSERT_NE(bronze, nullptr) << cat.out;
  const json& origin = (*bronze)["origin"];
  EXPECT_EQ(origin["kind"], "database");
  EXPECT_EQ(origin["source"], "clinic");
  EXPECT_EQ(origin["database"], "clinic");
  EXPECT_EQ(origin["schema"], "clinic");
  EXPECT_EQ(origin["table"], "appointment");
  EXPECT_EQ(origin["key"], json::array({"AppointmentID"}));
  EXPECT_EQ(origin["server"].get<std::string>().rfind("mysql://root@localhost/clinic", 0), 0u)
      << origin;
  EXPECT_EQ((*bronze)["rows"], 4);
  EXPECT_EQ((*bronze)["columns"][0]["name"], "AppointmentID");
  EXPECT_EQ((*bronze)["columns"][0]["type"], "VARCHAR");
  EXPECT_EQ((*bronze)["columns"][0]["source_type"], "varchar(20)");
  EXPECT_EQ(Sql("SELECT source_table, schema_name FROM _system.tables WHERE table_name = "
                "'bronze.clinic__appointment'"),
            "source_table,schema_name\nappointment,clinic\n");

  CliRun infer = Carelake("infer --source clinic --project " + dir_ + " --out " + dir_ + "/s.yaml");
  ASSERT_EQ(infer.exit_code, 0) << infer.err;
  const std::string yaml = ReadAll(dir_ + "/s.yaml");
  EXPECT_NE(yaml.find("  - name: appointment\n    from: bronze.clinic__appointment\n"),
            std::string::npos)
      << yaml;
  std::ofstream(dir_ + "/carelake.yaml", std::ios::app) << yaml;
  run = Carelake("run --project " + dir_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err << yaml;
  EXPECT_EQ(Sql("SELECT appointment_id, appointment_date, appointment_time, balance, status "
                "FROM silver.appointment ORDER BY appointment_id"),
            "appointment_id,appointment_date,appointment_time,balance,status\n"
            "APPO1,2023-01-05,10:08:00,2419.20,Completed\n"
            "APPO2,2022-12-31,13:30:00,0.00,No-show\n"
            "APPO3,2023-02-28,09:00:00,,Completed\n"
            "APPO4,,16:45:00,15.50,Cancelled\n");
}

}  // namespace
}  // namespace carelake::testing_cli
