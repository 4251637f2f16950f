// The ledger module on its own: rows are built by column name against the
// schema (and refuse what does not fit), records survive a write and a read
// unchanged, a run shows as `started` until its end is recorded, many rows
// are one commit, and a ledger written without a later column still reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/delta/table.h"
#include "carelake/ledger/json.h"
#include "carelake/ledger/reader.h"
#include "carelake/ledger/schema.h"
#include "carelake/ledger/writer.h"
#include "carelake/project/project.h"

namespace carelake::ledger {
namespace {

class LedgerTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    project_.name = "clinic";
    project_.dir = dir_.string();
    project_.lake = (dir_ / "lake").string();
  }

  Reader Open() {
    auto r = Reader::Open(project_, LocalFileSystem(), *conn_);
    EXPECT_TRUE(r.ok()) << r.status();
    return std::move(*r);
  }

  static RunRecord Run(const std::string& id, int64_t started_ms) {
    RunRecord r;
    r.run_id = id;
    r.project = "clinic";
    r.started_ms = started_ms;
    return r;
  }

  project::Project project_;
  FileSystem& fs_ = LocalFileSystem();
};

TEST(LedgerRowTest, RefusesUnknownColumnsWrongTypesAndGaps) {
  Row unknown(LedgerTable::kRuns);
  unknown.Set("run_idd", "x");
  EXPECT_EQ(unknown.status().code(), StatusCode::kInternal);
  EXPECT_NE(unknown.status().message().find("no column 'run_idd'"), std::string::npos);

  Row wrong(LedgerTable::kSteps);
  wrong.Set("rows_read", "ten");
  EXPECT_NE(wrong.status().message().find("_system.steps.rows_read is BIGINT"), std::string::npos)
      << wrong.status();

  Row partial(LedgerTable::kFiles);
  partial.Set("run_id", "r").Set("source", "s");
  EXPECT_NE(partial.status().message().find("_system.files.file was not set"), std::string::npos)
      << partial.status();

  // Every record fills every column of its table.
  EXPECT_TRUE(ToRow(RunRecord{}).status().ok());
  EXPECT_TRUE(ToRow("r", StepRecord{}).status().ok());
  EXPECT_TRUE(ToRow(ExpectationRecord{}).status().ok());
  EXPECT_TRUE(ToRow(FileRecord{}).status().ok());
}

TEST(LedgerRowTest, LiteralsQuoteText) {
  Row row(LedgerTable::kExpectations);
  row.Set("run_id", "it's")
      .Set("table_name", "silver.x")
      .Set("rule", "r")
      .Set("action", "warn")
      .Set("check_sql", Cell())
      .Set("rows_checked", int64_t{3})
      .Set("rows_failed", int64_t{0})
      .Set("examples", std::vector<std::string>{"{\"a\": \"'\"}"});
  ASSERT_TRUE(row.status().ok()) << row.status();
  EXPECT_EQ(SqlTuple(row),
            "('it''s'::VARCHAR, 'silver.x'::VARCHAR, 'r'::VARCHAR, 'warn'::VARCHAR, "
            "NULL::VARCHAR, 3::BIGINT, 0::BIGINT, ['{\"a\": \"''\"}']::VARCHAR[])");
}

TEST_F(LedgerTest, RecordsReadBackAsWritten) {
  Writer writer(fs_, project_.lake, *conn_);
  RunRecord run = Run("run-1", 1'700'000'000'123);
  run.selection = "silver.x+";
  run.job = "nightly";
  run.trigger = "schedule";
  ASSERT_TRUE(writer.RecordRunStart(run).ok());

  FileRecord file{"run-1", "visits",           "landing/a.csv",  120, 1'699'999'000'000, 7,
                  1,       "line 3: bad date", 1'700'000'000'500};
  ASSERT_TRUE(writer.RecordFiles({file}).ok());

  StepRecord step;
  step.name = "silver.visits";
  step.kind = "silver";
  step.status = StepStatus::kCommitted;
  step.rows_read = 10;
  step.rows_written = 6;
  step.rows_quarantined = 2;
  step.rows_dropped = 1;
  step.rows_deduplicated = 1;
  step.version = 4;
  step.started_ms = 1'700'000'000'600;
  step.duration_ms = 42;
  step.mode = model::BuildMode::kIncremental;
  step.reason = "new data in bronze.visits (version 0 -> 1)";
  StepRecord up_to_date;
  up_to_date.name = "gold.totals";
  up_to_date.kind = "model";
  up_to_date.started_ms = 1'700'000'000'700;
  ASSERT_TRUE(writer.RecordSteps("run-1", {step, up_to_date}).ok());

  ExpectationRecord rule{"run-1",
                         "silver.visits",
                         "has_patient",
                         "quarantine",
                         "patient IS NOT NULL",
                         10,
                         2,
                         {"{\"id\": 1}", "{\"id\": 'x'}"}};
  ASSERT_TRUE(writer.RecordExpectations({rule}).ok());
  AlertRecord alert;
  alert.sent_ms = 1'700'000'000'000;
  alert.project = "p";
  alert.alert = "ops";
  alert.channel = "webhook";
  alert.event = "run_failed";
  alert.job = "nightly";
  alert.run_id = "run-1";
  alert.status = "sent";
  alert.attempts = 2;
  ASSERT_TRUE(writer.RecordAlert(alert).ok());
  alert.status = "failed";
  alert.error = "HTTP 503";
  ASSERT_TRUE(writer.RecordAlert(alert).ok());

  // Before its end is recorded, the run shows as started.
  {
    Reader reader = Open();
    auto found = reader.FindRun("run-1");
    ASSERT_TRUE(found.ok() && found->has_value()) << found.status();
    EXPECT_EQ((*found)->status, RunStatus::kStarted);
    EXPECT_FALSE((*found)->finished_ms.has_value());
    EXPECT_EQ((*found)->selection, "silver.x+");
  }

  run.status = RunStatus::kSucceeded;
  run.finished_ms = run.started_ms + 900;
  run.duration_ms = 900;
  run.steps = 2;
  run.rows_written = 6;
  run.committed = true;
  ASSERT_TRUE(writer.RecordRunEnd(run).ok());

  Reader reader = Open();
  EXPECT_EQ(*reader.CountRuns(), 1);  // two rows, one run
  auto found = reader.FindRun("run-1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(ToJson(**found), ToJson(run));

  auto steps = reader.Steps("run-1");
  ASSERT_TRUE(steps.ok()) << steps.status();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ(ToJson((*steps)[0]), ToJson(step));
  EXPECT_EQ(ToJson((*steps)[1]), ToJson(up_to_date));
  EXPECT_TRUE((*steps)[0].Reconciles());

  auto rules = reader.Expectations({"run-1", "other"});
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].examples, rule.examples);
  EXPECT_EQ(ToJson((*rules)[0]), ToJson(rule));

  auto files = reader.Files("run-1");
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].first_error, file.first_error);
  EXPECT_EQ((*files)[0].modified_ms, file.modified_ms);
  EXPECT_EQ((*files)[0].ingested_ms, file.ingested_ms);
  EXPECT_EQ((*files)[0].records, 7);

  auto alerts = reader.CountAlerts();
  ASSERT_TRUE(alerts.ok()) << alerts.status();
  ASSERT_EQ(alerts->size(), 2u);
  EXPECT_EQ((*alerts)[0].status, "failed");
  EXPECT_EQ((*alerts)[1].status, "sent");
  EXPECT_EQ((*alerts)[1].deliveries, 1);
  EXPECT_EQ(Rows("SELECT error FROM _system.alerts WHERE status = 'failed'")[0][0].GetString(),
            "HTTP 503");

  // The tables hold exactly the schema's columns, with its types.
  for (LedgerTable t : kLedgerTables) {
    auto described = Rows("DESCRIBE _system." + std::string(Name(t)));
    const std::vector<Column>& columns = Columns(t);
    ASSERT_EQ(described.size(), columns.size()) << Name(t);
    for (size_t i = 0; i < columns.size(); ++i) {
      EXPECT_EQ(described[i][0].GetString(), columns[i].name);
      const std::string type = described[i][1].GetString();
      EXPECT_EQ(type == "TIMESTAMP WITH TIME ZONE" ? "TIMESTAMPTZ" : type,
                SqlType(columns[i].type));
    }
  }
}

TEST_F(LedgerTest, RunsNewestFirstAndFiltered) {
  Writer writer(fs_, project_.lake, *conn_);
  for (int i = 0; i < 4; ++i) {
    RunRecord r = Run("run-" + std::to_string(i), 1'000 * (i + 1));
    r.status = RunStatus::kSucceeded;
    r.finished_ms = r.started_ms + 10;
    ASSERT_TRUE(writer.RecordRunEnd(r).ok());
    if (i % 2 == 1) {
      ASSERT_TRUE(
          writer.RecordExpectations({{r.run_id, "silver.x", "rule", "warn", "", 1, 0, {}}}).ok());
    }
  }
  Reader reader = Open();
  auto all = reader.Runs();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].run_id, "run-3");
  EXPECT_EQ((*all)[3].run_id, "run-0");
  auto with_rules = reader.Runs({.limit = 0, .with_expectations = true});
  ASSERT_EQ(with_rules->size(), 2u);
  EXPECT_EQ((*with_rules)[0].run_id, "run-3");
  auto window = reader.Runs({.limit = 1, .with_expectations = true, .started_at_most_ms = 3'000});
  ASSERT_EQ(window->size(), 1u);
  EXPECT_EQ((*window)[0].run_id, "run-1");
  EXPECT_EQ(*reader.CountRunsStartedAfter(2'000), 2);
  EXPECT_FALSE(reader.FindRun("nope")->has_value());
}

TEST_F(LedgerTest, ManyRowsAreOneCommit) {
  Writer writer(fs_, project_.lake, *conn_);
  std::vector<FileRecord> files;
  for (int i = 0; i < 2'345; ++i) {
    files.push_back(
        {"run-1", "visits", "landing/" + std::to_string(i) + ".csv", i, 0, i, 0, "", 5});
  }
  ASSERT_TRUE(writer.RecordFiles(files).ok());
  delta::DeltaTable table(fs_, catalog::SystemTablePath(project_.lake, "files"), *conn_);
  auto snapshot = table.Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->version(), 0);
  Reader reader = Open();
  auto read = reader.Files("run-1");
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), files.size());
  int64_t sum = 0;
  for (const FileRecord& f : *read) sum += f.records;
  EXPECT_EQ(sum, 2'345 * 2'344 / 2);
}

TEST_F(LedgerTest, AnOlderLedgerWithoutLaterColumnsStillReads) {
  // A steps table as carelake wrote it before `mode` and `reason` existed.
  delta::DeltaTable table(fs_, catalog::SystemTablePath(project_.lake, "steps"), *conn_);
  ASSERT_TRUE(table
                  .Write("SELECT 'run-1' AS run_id, 'silver.x' AS step, 'silver' AS kind, "
                         "'committed' AS status, 5::BIGINT AS rows_read, 5::BIGINT AS "
                         "rows_written, 0::BIGINT AS rows_quarantined, 0::BIGINT AS rows_dropped, "
                         "0::BIGINT AS rows_deduplicated, 0::BIGINT AS rows_fixed, 0::BIGINT AS "
                         "rows_warned, 0::BIGINT AS files, 2::BIGINT AS table_version, "
                         "epoch_ms(0::BIGINT)::TIMESTAMPTZ AS started_at, 7::BIGINT AS "
                         "duration_ms, NULL::VARCHAR AS message",
                         {})
                  .ok());
  Reader reader = Open();
  auto steps = reader.Steps("run-1");
  ASSERT_TRUE(steps.ok()) << steps.status();
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_EQ((*steps)[0].rows_written, 5);
  EXPECT_EQ((*steps)[0].version, 2);
  EXPECT_EQ((*steps)[0].mode, model::BuildMode::kNone);
  EXPECT_EQ((*steps)[0].reason, "");
  // The writer adds the new columns to it.
  Writer writer(fs_, project_.lake, *conn_);
  StepRecord s;
  s.name = "silver.x";
  s.kind = "silver";
  s.mode = model::BuildMode::kFull;
  ASSERT_TRUE(writer.RecordSteps("run-2", {s}).ok());
  Reader again = Open();
  EXPECT_EQ((*again.Steps("run-2"))[0].mode, model::BuildMode::kFull);
}

TEST_F(LedgerTest, RunCountsByJobAlsoForLedgersWithoutTheJobColumn) {
  // A runs table as carelake wrote it before `job` existed.
  delta::DeltaTable table(fs_, catalog::SystemTablePath(project_.lake, "runs"), *conn_);
  ASSERT_TRUE(table
                  .Write("SELECT 'old' AS run_id, 'clinic' AS project, "
                         "epoch_ms(1000::BIGINT)::TIMESTAMPTZ AS started_at, "
                         "epoch_ms(2000::BIGINT)::TIMESTAMPTZ AS finished_at, 'succeeded' AS "
                         "status, 1000::BIGINT AS duration_ms, 1::BIGINT AS steps, 0::BIGINT AS "
                         "rows_written, 0::BIGINT AS rows_quarantined, false AS committed, "
                         "NULL::VARCHAR AS selection, false AS full_refresh, NULL::VARCHAR AS "
                         "failed_step, NULL::VARCHAR AS failed_rule, NULL::VARCHAR AS error",
                         {})
                  .ok());
  {
    Reader reader = Open();
    auto counts = reader.CountRunsByJob();
    ASSERT_TRUE(counts.ok()) << counts.status();
    ASSERT_EQ(counts->size(), 1u);
    EXPECT_EQ((*counts)[0].job, "");
    EXPECT_EQ((*counts)[0].runs, 1);
  }
  Writer writer(fs_, project_.lake, *conn_);
  RunRecord r = Run("new", 5'000);
  r.status = RunStatus::kFailed;
  r.job = "nightly";
  ASSERT_TRUE(writer.RecordRunEnd(r).ok());
  Reader reader = Open();
  auto counts = reader.CountRunsByJob();
  ASSERT_TRUE(counts.ok()) << counts.status();
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[1].job, "nightly");
  EXPECT_EQ((*counts)[1].status, "failed");
  EXPECT_EQ((*counts)[1].last_started_ms, 5'000);
}

TEST(LedgerSchemaTest, TheCatalogNamesTheSameTables) {
  std::set<std::string> ours, catalogs;
  for (LedgerTable t : kLedgerTables) ours.insert(std::string(Name(t)));
  for (std::string_view t : catalog::kSystemTables) catalogs.insert(std::string(t));
  EXPECT_EQ(ours, catalogs);
}

TEST(LedgerJsonTest, StepFormIsTheLedgersColumns) {
  StepRecord s;
  s.name = "silver.x";
  s.kind = "silver";
  s.status = StepStatus::kCommitted;
  s.rows_read = 3;
  s.rows_written = 2;
  s.rows_dropped = 1;
  auto j = ToJson(s);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"step", "kind", "status", "rows_read", "rows_written",
                                            "rows_quarantined", "rows_dropped", "rows_deduplicated",
                                            "rows_fixed", "rows_warned", "files", "table_version",
                                            "started_at", "duration_ms", "mode", "reason",
                                            "message", "reconciles"}));
  EXPECT_EQ(j["reconciles"], true);
  EXPECT_TRUE(j["table_version"].is_null());
  s.status = StepStatus::kFailed;
  EXPECT_FALSE(ToJson(s).contains("reconciles"));
}

}  // namespace
}  // namespace carelake::ledger
