// LakeTest: a fixture with a fresh temporary folder and an in-memory DuckDB
// connection in UTC, for tests that write Delta tables.
#ifndef CARELAKE_TESTS_DELTA_LAKE_TEST_H_
#define CARELAKE_TESTS_DELTA_LAKE_TEST_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/delta/sql_rewrite.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace carelake::delta {

class LakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("carelake_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto db = engine::Database::OpenInMemory();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto conn = engine::Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_.emplace(std::move(*conn));
    ASSERT_TRUE(conn_->Execute("SET TimeZone = 'UTC'").ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::vector<engine::Value>> Rows(const std::string& sql) {
    auto r = conn_->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status() << "\n" << sql;
    if (!r.ok()) return {};
    auto rows = r->FetchAllRows();
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<std::vector<engine::Value>>{};
  }

  // The first column of the first row as an integer; -1 if absent or NULL.
  int64_t Int(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() || rows[0][0].is_null() ? -1 : rows[0][0].GetInt64();
  }

  // Rows in which two queries differ (both ways): 0 when they are equal.
  int64_t Difference(const std::string& a, const std::string& b) {
    return Int("SELECT (SELECT count(*) FROM ((" + a + ") EXCEPT ALL (" + b +
               "))) + (SELECT count(*) FROM ((" + b + ") EXCEPT ALL (" + a + ")))");
  }

  // Runs `query` ("@T" stands for the Delta table at `path`) through
  // delta_scan and over all rows (a table named `everything`); expects the
  // same answer and one scan, and returns that scan's file counts.
  DeltaScanReport::Scan ScanOf(const std::string& path, const std::string& query) {
    std::string with_scan = query, plain = query;
    with_scan.replace(with_scan.find("@T"), 2, "delta_scan('" + path + "')");
    plain.replace(plain.find("@T"), 2, "everything");
    DeltaScanReport report;
    auto expanded = ExpandDeltaScans(with_scan, *conn_, LocalFileSystem(), "", &report);
    EXPECT_TRUE(expanded.ok()) << expanded.status();
    if (!expanded.ok()) return {};
    EXPECT_EQ(Difference(*expanded, plain), 0) << query;
    EXPECT_EQ(report.scans.size(), 1u);
    return report.scans.empty() ? DeltaScanReport::Scan{} : report.scans[0];
  }

  std::filesystem::path dir_;
  std::unique_ptr<engine::Database> db_;
  std::optional<engine::Connection> conn_;
};

}  // namespace carelake::delta

#endif  // CARELAKE_TESTS_DELTA_LAKE_TEST_H_
