// ModelLakeTest: a LakeTest (fresh folder, in-memory DuckDB in UTC) with a
// small language for driving model/ directly: write a Delta table from SQL,
// keep the `layer.name` views the model SQL reads current, run a silver
// table or a model, and see which temporary tables a step left behind.
#ifndef CARELAKE_TESTS_MODEL_MODEL_LAKE_TEST_H_
#define CARELAKE_TESTS_MODEL_MODEL_LAKE_TEST_H_

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/base/file_system.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/model/gold.h"
#include "carelake/model/silver.h"
#include "carelake/project/project.h"

namespace carelake::model {

class ModelLakeTest : public delta::LakeTest {
 protected:
  // The Delta path of `layer.name`.
  std::string Path(const std::string& qualified) const {
    return (dir_ / "lake" / qualified).string();
  }

  // Appends the rows of `select_sql` to the Delta table `layer.name`.
  void Append(const std::string& qualified, const std::string& select_sql) {
    delta::DeltaTable table(LocalFileSystem(), Path(qualified), *conn_);
    delta::WriteOptions options;
    options.mode = delta::WriteMode::kAppend;
    auto w = table.Write(select_sql, options);
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_TRUE(w->committed) << w->reason;
  }

  // Bronze-like rows: `select_sql` plus the lineage columns ingestion adds,
  // one source file per call.
  void AppendBronze(const std::string& qualified, const std::string& select_sql) {
    const std::string file = "batch_" + std::to_string(++batches_) + ".csv";
    Append(qualified, "SELECT *, '" + file +
                          "' AS _source_file, row_number() OVER () AS _source_position, "
                          "TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(" +
                          std::to_string(batches_) + ") AS _ingested_at FROM (" + select_sql + ")");
  }

  // The latest version of the Delta table `layer.name`; -1 when absent.
  int64_t Version(const std::string& qualified) {
    delta::DeltaTable table(LocalFileSystem(), Path(qualified), *conn_);
    if (!table.Exists()) return -1;
    auto s = table.Load();
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? (*s)->version() : -1;
  }

  // (Re)registers `layer.name` as a view of every given table that exists,
  // as the pipeline does before each step.
  void RefreshViews() {
    ASSERT_TRUE(conn_
                    ->Execute("CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS "
                              "silver; CREATE SCHEMA IF NOT EXISTS gold")
                    .ok());
    for (const std::string& qualified : tables_) {
      delta::DeltaTable table(LocalFileSystem(), Path(qualified), *conn_);
      if (!table.Exists()) continue;
      auto sql = table.ScanSql();
      ASSERT_TRUE(sql.ok()) << sql.status();
      const size_t dot = qualified.find('.');
      ASSERT_TRUE(conn_
                      ->Execute("CREATE OR REPLACE VIEW " + qualified.substr(0, dot) + "." +
                                delta::QuoteIdentifier(qualified.substr(dot + 1)) + " AS " + *sql)
                      .ok());
    }
  }

  // Runs silver table `t` from `upstream` (e.g. "bronze.visits") into
  // silver.<t.name> and its quarantine silver.<t.name>__quarantine.
  Result<SilverResult> RunSilverTable(const project::SilverTable& t, const std::string& upstream,
                                      bool full_refresh = false) {
    Track(upstream);
    Track("silver." + t.name);
    Track("silver." + t.name + "__quarantine");
    SilverRequest request;
    request.table = &t;
    request.upstream_name = upstream;
    request.upstream_path = Path(upstream);
    request.target_path = Path("silver." + t.name);
    request.quarantine_path = Path("silver." + t.name + "__quarantine");
    request.run_id = "run-" + std::to_string(++runs_);
    request.full_refresh = full_refresh;
    auto r = RunSilver(request, LocalFileSystem(), *conn_);
    RefreshViews();
    return r;
  }

  // Runs model `m` into gold.<m.name>, reading `inputs` (qualified names).
  Result<ModelResult> RunGoldModel(const project::Model& m, const std::vector<std::string>& inputs,
                                   bool full_refresh = false) {
    ModelRequest request;
    request.model = &m;
    request.target_path = Path("gold." + m.name);
    for (const std::string& q : inputs) {
      Track(q);
      request.upstream_paths[q] = Path(q);
    }
    Track("gold." + m.name);
    request.run_id = "run-" + std::to_string(++runs_);
    request.full_refresh = full_refresh;
    RefreshViews();
    auto r = RunModel(request, LocalFileSystem(), *conn_);
    RefreshViews();
    return r;
  }

  // Temporary tables on the connection (a step must leave none behind).
  int64_t TempTableCount() { return Int("SELECT count(*) FROM duckdb_tables() WHERE temporary"); }

  void Track(const std::string& qualified) { tables_.insert(qualified); }

 private:
  std::set<std::string> tables_;  // whose views RefreshViews keeps
  int batches_ = 0;
  int runs_ = 0;
};

}  // namespace carelake::model

#endif  // CARELAKE_TESTS_MODEL_MODEL_LAKE_TEST_H_
