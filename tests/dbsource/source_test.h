// What the database-source tests share: a lake in a temporary folder
// (LakeTest), one source declared in code, ingesting it into the lake, its
// bronze tables as subqueries, and one column of a query read from the
// server (its text) or from DuckDB (DuckDB's text of the value), to compare
// value by value.
#ifndef CARELAKE_TESTS_DBSOURCE_SOURCE_TEST_H_
#define CARELAKE_TESTS_DBSOURCE_SOURCE_TEST_H_

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/delta/table.h"
#include "carelake/ingest/db_ingest.h"

namespace carelake::ingest {

using Column = std::vector<std::optional<std::string>>;

class SourceTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    lake_ = (dir_ / "lake").string();
  }

  // One run of the source: a new run id each time; spool files of at most
  // `spool_bytes` (spool_bytes_ when not given).
  Result<DatabaseIngestResult> Ingest(std::optional<int64_t> spool_bytes = std::nullopt) {
    DatabaseIngestRequest req;
    req.source = &source_;
    req.project_dir = dir_.string();
    req.lake = lake_;
    req.run_id = "run-" + std::to_string(++runs_);
    req.spool_file_bytes = spool_bytes.value_or(spool_bytes_);
    return IngestDatabase(req, LocalFileSystem(), *conn_);
  }

  // The source's bronze table `table`, its latest version, as a subquery.
  std::string Bronze(const std::string& table) {
    delta::DeltaTable t(LocalFileSystem(), lake_ + "/bronze/" + source_.name + "/" + table, *conn_);
    auto sql = t.ScanSql();
    EXPECT_TRUE(sql.ok()) << sql.status();
    return "(" + sql.value_or("SELECT 1 WHERE false") + ")";
  }

  // The first column of `sql` on a server (PgClient, MySqlClient).
  template <typename Client>
  static Column ServerColumn(Client& client, const std::string& sql) {
    auto rows = client.Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status() << "\n" << sql;
    Column out;
    if (rows.ok()) {
      for (auto& r : *rows) out.push_back(r[0]);
    }
    return out;
  }

  // The first column of `sql` in DuckDB, as DuckDB's text.
  Column DuckColumn(const std::string& sql) {
    Column out;
    for (auto& r : Rows(sql)) {
      out.push_back(r[0].is_null() ? std::nullopt : std::optional<std::string>(r[0].ToString()));
    }
    return out;
  }

  const TableIngest* Find(const DatabaseIngestResult& r, const std::string& table) {
    for (const TableIngest& t : r.tables) {
      if (t.table == table) return &t;
    }
    return nullptr;
  }

  std::string lake_;
  project::DatabaseSource source_;
  int64_t spool_bytes_ = 256LL << 20;
  int runs_ = 0;
};

}  // namespace carelake::ingest

#endif  // CARELAKE_TESTS_DBSOURCE_SOURCE_TEST_H_
