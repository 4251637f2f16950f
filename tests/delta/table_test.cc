// DeltaTable: writes read back exactly; stats are true bounds; partition
// paths are escaped; overwrite, delete, merge, optimize, vacuum, history,
// checkpoints, time travel, exactly-once txn and schema rules.
#include "carelake/delta/table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "carelake/base/civil_time.h"
#include "carelake/base/clock.h"
#include "carelake/delta/checkpoint.h"
#include "carelake/engine/database.h"
#include "lake_test.h"

namespace carelake::delta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class DeltaTableTest : public LakeTest {
 protected:
  DeltaTable Table(const std::string& name = "t") {
    return DeltaTable(LocalFileSystem(), (dir_ / name).string(), *conn_);
  }

  // Rows of the table that differ from `expected_sql` (both ways), 0 if equal.
  int64_t Diff(DeltaTable& t, const std::string& expected_sql,
               std::optional<int64_t> version = std::nullopt) {
    auto scan = t.ScanSql(version);
    EXPECT_TRUE(scan.ok()) << scan.status();
    if (!scan.ok()) return -1;
    return Difference(*scan, expected_sql);
  }

  OperationResult MustWrite(DeltaTable& t, const std::string& sql, WriteOptions options = {}) {
    auto r = t.Write(sql, options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : OperationResult{};
  }

  // Expects every live data file of `t`, and the table as delta_scan reads
  // it, to hold each column in the DuckDB type of the table's schema.
  void ExpectTableTypesOnDisk(DeltaTable& t) {
    auto snap = t.Load();
    ASSERT_TRUE(snap.ok()) << snap.status();
    std::map<std::string, std::string> want;
    for (const Field& f : (*snap)->schema().fields) {
      auto duck = DuckDbTypeOf(f.type);
      ASSERT_TRUE(duck.ok()) << duck.status();
      want[f.name] = *duck;
    }
    auto expect_types = [&](const std::string& relation, const std::string& what) {
      auto rows = Rows("SELECT column_name, column_type FROM (DESCRIBE " + relation + ")");
      EXPECT_FALSE(rows.empty()) << what;
      for (const auto& row : rows) {
        const std::string& column = row[0].GetString();
        ASSERT_TRUE(want.count(column)) << what << ": column " << column;
        EXPECT_EQ(row[1].GetString(), want[column]) << what << ": column " << column;
      }
    };
    for (const AddFile& f : (*snap)->files()) {
      expect_types("SELECT * FROM read_parquet(" + QuoteLiteral((*snap)->DataFilePath(f.path)) +
                       ", hive_partitioning = false)",
                   f.path);
    }
    auto scan = t.ScanSql();
    ASSERT_TRUE(scan.ok()) << scan.status();
    expect_types(*scan, "delta_scan");
  }

  // The table's schema as its log holds it.
  std::string SchemaString(DeltaTable& t) {
    auto snap = t.Load();
    EXPECT_TRUE(snap.ok()) << snap.status();
    return snap.ok() ? (*snap)->schema().ToJsonString() : "";
  }
};

constexpr const char* kAdmissions =
    "SELECT i AS admission_id, 'P' || (i % 97) AS patient_id, "
    "TIMESTAMPTZ '2024-03-01 00:00:00+00' + i * INTERVAL 37 MINUTE + i * INTERVAL 123 MICROSECOND "
    "AS admitted_at, ['cardiology','oncology','émergence',NULL][(i % 4) + 1] AS department, "
    "CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 90)::INTEGER END AS age, "
    "(i * 12.34)::DECIMAL(12,2) AS charge, DATE '2024-03-01' + (i % 5)::INTEGER AS day, "
    "i % 3 = 0 AS emergency, {'code': 'A' || i % 7, 'score': (i * 0.5)::DOUBLE} AS triage "
    "FROM range(0, 3000) t(i)";

TEST_F(DeltaTableTest, CreateAppendReadBackExactly) {
  DeltaTable t = Table();
  EXPECT_FALSE(t.Exists());
  OperationResult r = MustWrite(t, kAdmissions);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.version, 0);
  EXPECT_EQ(r.metrics.rows_inserted, 3000);
  EXPECT_EQ(Diff(t, kAdmissions), 0);
  auto snap = t.Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ((*snap)->protocol().min_reader_version, 1);
  EXPECT_EQ((*snap)->protocol().min_writer_version, 2);
  EXPECT_EQ((*snap)->schema().Find("admitted_at")->type, "timestamp");
  EXPECT_EQ((*snap)->schema().Find("charge")->type, "decimal(12,2)");

  r = MustWrite(t, std::string(kAdmissions) + " WHERE i < 100");
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(Diff(t, std::string(kAdmissions) + " UNION ALL (" + kAdmissions + " WHERE i < 100)"),
            0);
  // Time travel: version 0 still reads as written.
  EXPECT_EQ(Diff(t, kAdmissions, 0), 0);
  // Blind appends.
  auto history = t.History();
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].operation, "WRITE");
  EXPECT_TRUE((*history)[0].blind_append);
  EXPECT_EQ((*history)[1].operation, "CREATE TABLE AS SELECT");
}

TEST_F(DeltaTableTest, StatsAreTheTrueBoundsOfEachFile) {
  DeltaTable t = Table();
  WriteOptions options;
  options.target_file_size = 1;  // many small files (rolled at DuckDB's minimum)
  MustWrite(t, std::string(kAdmissions) + " UNION ALL " + kAdmissions, options);
  auto snap = t.Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_FALSE((*snap)->files().empty());
  for (const AddFile& f : (*snap)->files()) {
    ASSERT_TRUE(f.stats.has_value());
    json stats = json::parse(*f.stats);
    const std::string file = QuoteLiteral((*snap)->DataFilePath(f.path));
    // Independent computation over the data file itself.
    auto truth = Rows(
        "SELECT count(*), min(admission_id), max(admission_id), count(*) - count(age), "
        "min(age), max(age), min(admitted_at), max(admitted_at), min(department), "
        "max(department), count(*) - count(department), min(charge)::VARCHAR, "
        "max(charge)::VARCHAR, min(day)::VARCHAR, max(day)::VARCHAR, min(triage.code), "
        "max(triage.score)::DOUBLE FROM read_parquet(" +
        file + ")");
    ASSERT_EQ(truth.size(), 1u);
    const auto& v = truth[0];
    EXPECT_EQ(stats["numRecords"], v[0].GetInt64());
    EXPECT_EQ(stats["minValues"]["admission_id"], v[1].GetInt64());
    EXPECT_EQ(stats["maxValues"]["admission_id"], v[2].GetInt64());
    EXPECT_EQ(stats["nullCount"]["age"], v[3].GetInt64());
    EXPECT_EQ(stats["minValues"]["age"], v[4].GetInt64());
    EXPECT_EQ(stats["maxValues"]["age"], v[5].GetInt64());
    // Timestamps: milliseconds, minimum truncated, maximum rounded up.
    const int64_t min_us = v[6].GetTimestampTz().micros, max_us = v[7].GetTimestampTz().micros;
    auto lo = ParseTimestamp(stats["minValues"]["admitted_at"].get<std::string>());
    auto hi = ParseTimestamp(stats["maxValues"]["admitted_at"].get<std::string>());
    ASSERT_TRUE(lo.ok() && hi.ok());
    EXPECT_LE(*lo, min_us);
    EXPECT_GT(*lo, min_us - 1000);
    EXPECT_GE(*hi, max_us);
    EXPECT_LT(*hi, max_us + 1000);
    EXPECT_EQ(*hi % 1000, 0);
    EXPECT_EQ(stats["minValues"]["department"], v[8].GetString());
    EXPECT_EQ(stats["maxValues"]["department"], v[9].GetString());
    EXPECT_EQ(stats["nullCount"]["department"], v[10].GetInt64());
    EXPECT_EQ(json(stats["minValues"]["charge"]).dump(), json::parse(v[11].GetString()).dump());
    EXPECT_EQ(json(stats["maxValues"]["charge"]).dump(), json::parse(v[12].GetString()).dump());
    EXPECT_EQ(stats["minValues"]["day"], v[13].GetString());
    EXPECT_EQ(stats["maxValues"]["day"], v[14].GetString());
    EXPECT_EQ(stats["minValues"]["triage"]["code"], v[15].GetString());
    EXPECT_EQ(stats["maxValues"]["triage"]["score"].get<double>(), v[16].GetDouble());
  }
}

TEST_F(DeltaTableTest, PartitionValuesAreEncodedAndEscaped) {
  DeltaTable t = Table();
  const std::string rows =
      "SELECT * FROM (VALUES (1, 'a/b', DATE '2024-01-02', TIMESTAMPTZ '2024-01-02 03:04:05.5+00'),"
      " (2, NULL, NULL, NULL), (3, 'x y%z=é', DATE '2024-01-03', TIMESTAMPTZ '2024-01-02 "
      "03:04:05+00'),"
      " (4, 'NULL', DATE '2024-01-03', NULL), (5, '', DATE '2024-01-03', NULL))"
      " AS v(id, ward, day, ts)";
  WriteOptions options;
  options.partition_by = {"ward", "day", "ts"};
  MustWrite(t, rows, options);
  // '' and NULL are both the null partition (Hive convention).
  EXPECT_EQ(Diff(t, "SELECT id, NULLIF(ward, '') AS ward, day, ts FROM (" + rows + ")"), 0);
  auto snap = t.Load();
  ASSERT_TRUE(snap.ok());
  std::set<std::string> dirs;
  for (const AddFile& f : (*snap)->files()) {
    dirs.insert(f.path.substr(0, f.path.rfind('/')));
    EXPECT_TRUE(fs::exists((*snap)->DataFilePath(f.path))) << f.path;
  }
  EXPECT_TRUE(dirs.count("ward=a%252Fb/day=2024-01-02/ts=2024-01-02%2003%253A04%253A05.500000"))
      << *dirs.begin();
  EXPECT_TRUE(
      dirs.count("ward=__HIVE_DEFAULT_PARTITION__/day=__HIVE_DEFAULT_PARTITION__/"
                 "ts=__HIVE_DEFAULT_PARTITION__"));
  EXPECT_TRUE(
      dirs.count("ward=x%20y%2525z%253D%C3%A9/day=2024-01-03/"
                 "ts=2024-01-02%2003%253A04%253A05.000000"));
  EXPECT_TRUE(dirs.count("ward=NULL/day=2024-01-03/ts=__HIVE_DEFAULT_PARTITION__"));
  for (const AddFile& f : (*snap)->files()) {
    if (f.partition_values.at("ward") == std::nullopt) continue;
    if (*f.partition_values.at("ward") == "a/b") {
      EXPECT_EQ(f.partition_values.at("ts"), "2024-01-02 03:04:05.500000");
    }
  }
}

TEST_F(DeltaTableTest, OverwriteDeleteAndReplaceWhere) {
  DeltaTable t = Table();
  WriteOptions options;
  options.partition_by = {"day"};
  MustWrite(t, kAdmissions, options);
  const std::string base = kAdmissions;

  auto del = t.Delete("age > 80");
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_TRUE(del->committed);
  EXPECT_EQ(del->metrics.rows_deleted, Int("SELECT count(*) FROM (" + base + ") WHERE age > 80"));
  EXPECT_EQ(Diff(t, "SELECT * FROM (" + base + ") WHERE (age > 80) IS NOT TRUE"), 0);

  auto none = t.Delete("age > 1000");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->committed);
  EXPECT_EQ(none->version, del->version);

  // A delete that only touches one partition rewrites only its files.
  auto before = t.Load();
  ASSERT_TRUE(before.ok());
  auto one = t.Delete("day = DATE '2024-03-02' AND admission_id % 2 = 0");
  ASSERT_TRUE(one.ok()) << one.status();
  for (const auto& f : (*before)->files()) {
    if (f.partition_values.at("day") != "2024-03-02") {
      auto after = t.Load();
      bool still = false;
      for (const auto& g : (*after)->files()) still |= g.path == f.path;
      EXPECT_TRUE(still) << f.path;
    }
  }

  WriteOptions replace;
  replace.mode = WriteMode::kOverwrite;
  replace.replace_where = "day = DATE '2024-03-01'";
  auto bad = t.Write("SELECT * FROM (" + base + ") WHERE day = DATE '2024-03-05'", replace);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("do not match the replace predicate"), std::string::npos);
  auto rw =
      t.Write("SELECT * REPLACE (age + 1 AS age) FROM (" + base + ") WHERE day = DATE '2024-03-01'",
              replace);
  ASSERT_TRUE(rw.ok()) << rw.status();
  const std::string expected =
      "SELECT * FROM (" + base +
      ") WHERE (age > 80) IS NOT TRUE AND day <> DATE '2024-03-01' "
      "AND NOT (day = DATE '2024-03-02' AND admission_id % 2 = 0) UNION ALL "
      "SELECT * REPLACE (age + 1 AS age) FROM (" +
      base + ") WHERE day = DATE '2024-03-01'";
  EXPECT_EQ(Diff(t, expected), 0);

  WriteOptions overwrite;
  overwrite.mode = WriteMode::kOverwrite;
  MustWrite(t, "SELECT * FROM (" + base + ") WHERE admission_id < 10", overwrite);
  EXPECT_EQ(Diff(t, "SELECT * FROM (" + base + ") WHERE admission_id < 10"), 0);
}

TEST_F(DeltaTableTest, MergeUpsertsAndRewritesOnlyAffectedFiles) {
  DeltaTable t = Table();
  WriteOptions options;
  options.partition_by = {"day"};
  MustWrite(t, kAdmissions, options);
  auto before = t.Load();
  ASSERT_TRUE(before.ok());
  // Updates (ids 1..20 in some days), deletes (ids 21..25), inserts (new ids).
  const std::string source =
      "SELECT * REPLACE ('changed' AS department), i IN (21,22,23,24,25) AS gone FROM ("
      "SELECT *, admission_id AS i FROM (" +
      std::string(kAdmissions) +
      ") WHERE admission_id IN "
      "(5, 10, 15, 20, 21, 22, 23, 24, 25) UNION ALL SELECT * REPLACE (admission_id + 100000 AS "
      "admission_id), admission_id + 100000 AS i FROM (" +
      kAdmissions + ") WHERE admission_id < 3)";
  MergeOptions merge;
  merge.keys = {"admission_id"};
  merge.delete_when = "gone";
  auto r = t.Merge("SELECT * EXCLUDE (i, gone), gone FROM (" + source + ")", merge);
  ASSERT_FALSE(r.ok());  // 'gone' is not a table column and schema evolution is off
  EXPECT_NE(r.status().message().find("'gone'"), std::string::npos) << r.status();

  merge.delete_when = "admission_id BETWEEN 21 AND 25";
  r = t.Merge("SELECT * EXCLUDE (i, gone) FROM (" + source + ")", merge);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics.rows_updated, 4);
  EXPECT_EQ(r->metrics.rows_deleted, 5);
  EXPECT_EQ(r->metrics.rows_inserted, 3);
  const std::string expected =
      "SELECT * REPLACE (CASE WHEN admission_id IN (5,10,15,20) THEN 'changed' ELSE department END "
      "AS department) FROM (" +
      std::string(kAdmissions) +
      ") WHERE admission_id NOT BETWEEN 21 AND 25 "
      "UNION ALL SELECT * REPLACE (admission_id + 100000 AS admission_id, 'changed' AS department) "
      "FROM (" +
      kAdmissions + ") WHERE admission_id < 3";
  EXPECT_EQ(Diff(t, expected), 0);
  // Files of days without matched keys were not rewritten: ids 5,10,15,20,
  // 21..25 fall on days (id % 5) 0 and 1..4 — so check by counting removes.
  auto history = t.History(1);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[0].operation, "MERGE");
  EXPECT_FALSE((*history)[0].blind_append);

  // Duplicate source keys are refused.
  auto dup = t.Merge("SELECT * FROM (" + std::string(kAdmissions) +
                         ") WHERE admission_id = 7 "
                         "UNION ALL SELECT * FROM (" +
                         kAdmissions + ") WHERE admission_id = 7",
                     merge);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("more than once"), std::string::npos);
}

TEST_F(DeltaTableTest, MergeOnlyRewritesFilesWithMatches) {
  DeltaTable t = Table();
  WriteOptions options;
  options.partition_by = {"day"};
  MustWrite(t, kAdmissions, options);
  auto before = t.Load();
  ASSERT_TRUE(before.ok());
  MergeOptions merge;
  merge.keys = {"admission_id"};
  // admission 6 lives in day 2024-03-02 (6 % 5 = 1) only.
  auto r = t.Merge(
      "SELECT * REPLACE (99 AS age) FROM (" + std::string(kAdmissions) + ") WHERE admission_id = 6",
      merge);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics.files_removed, 1);
  EXPECT_EQ(r->metrics.rows_updated, 1);
  auto after = t.Load();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)->files().size(), (*before)->files().size());
}

TEST_F(DeltaTableTest, FilesRollAtTheTargetSizeAlsoWhenPartitioned) {
  const std::string rows =
      "SELECT i AS id, md5(i::VARCHAR) AS digest, i % 2 AS half FROM range(400000) t(i)";
  for (bool partitioned : {false, true}) {
    DeltaTable t = Table(partitioned ? "p" : "u");
    WriteOptions options;
    options.target_file_size = 2 << 20;
    if (partitioned) options.partition_by = {"half"};
    OperationResult r = MustWrite(t, rows, options);
    EXPECT_GE(r.metrics.files_added, 3) << partitioned;
    auto snap = t.Load();
    ASSERT_TRUE(snap.ok());
    // DuckDB rolls between row groups (122,880 rows, ~4.5 MB here).
    for (const AddFile& f : (*snap)->files()) {
      EXPECT_LT(f.size, 3 * options.target_file_size) << f.path;
    }
    EXPECT_EQ(Diff(t, rows), 0);
  }
}

TEST_F(DeltaTableTest, CorruptCommitIsReportedWithFileAndLine) {
  DeltaTable t = Table();
  MustWrite(t, "SELECT 1 AS id");
  MustWrite(t, "SELECT 2 AS id");
  const fs::path commit = dir_ / "t" / "_delta_log" / "00000000000000000001.json";
  std::string text;
  {
    std::ifstream in(commit);
    std::getline(in, text);  // commitInfo line only, then a broken action
  }
  { std::ofstream(commit) << text << "\n{\"add\": {\"path\": \n"; }
  auto snap = t.Load();
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.status().message().find("00000000000000000001.json:2"), std::string::npos)
      << snap.status();
  // Earlier versions still read.
  EXPECT_EQ(Diff(t, "SELECT 1 AS id", 0), 0);
}

TEST_F(DeltaTableTest, AppendOnlyTablesAndInvariantsAreRespected) {
  DeltaTable t = Table();
  WriteOptions options;
  options.properties = {{"delta.appendOnly", "true"}};
  MustWrite(t, "SELECT i AS id FROM range(10) r(i)", options);
  EXPECT_TRUE(MustWrite(t, "SELECT 10 AS id").committed);  // appends are fine
  auto del = t.Delete("id < 3");
  ASSERT_FALSE(del.ok());
  EXPECT_NE(del.status().message().find("append-only"), std::string::npos) << del.status();
  WriteOptions overwrite;
  overwrite.mode = WriteMode::kOverwrite;
  EXPECT_FALSE(t.Write("SELECT 1 AS id", overwrite).ok());
  MergeOptions merge;
  merge.keys = {"id"};
  EXPECT_FALSE(t.Merge("SELECT 1 AS id", merge).ok());
  auto insert_only = t.Merge("SELECT 100 AS id", merge);  // no match: only inserts
  ASSERT_TRUE(insert_only.ok()) << insert_only.status();
  EXPECT_EQ(Diff(t, "SELECT i AS id FROM range(11) r(i) UNION ALL SELECT 100"), 0);

  // A column invariant carelake cannot enforce: writes are refused.
  DeltaTable inv = Table("inv");
  MustWrite(inv, "SELECT 1 AS id");
  auto snap = inv.Load();
  ASSERT_TRUE(snap.ok());
  Metadata meta = (*snap)->metadata();
  Schema schema = (*snap)->schema();
  schema.fields[0].metadata["delta.invariants"] = R"({"expression":{"expression":"id > 0"}})";
  meta.schema_string = schema.ToJsonString();
  Transaction change(inv.log(), *conn_, *snap);
  change.SetMetadata(meta);
  ASSERT_TRUE(change.Commit("SET TBLPROPERTIES", json::object(), json::object()).ok());
  auto refused = inv.Write("SELECT 2 AS id", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("delta.invariants"), std::string::npos);
}

// The local file system, with commit writes failing on demand.
class FaultyFileSystem : public FileSystem {
 public:
  enum class Fault { kNone, kBeforeCommit, kAfterCommit };
  Fault fault = Fault::kNone;

  Result<std::string> ReadFile(const std::string& p) override { return base_.ReadFile(p); }
  Status WriteFileIfAbsent(const std::string& p, std::string_view data) override {
    if (fault == Fault::kBeforeCommit) return IoError("injected: cannot create " + p);
    Status s = base_.WriteFileIfAbsent(p, data);
    if (s.ok() && fault == Fault::kAfterCommit) return IoError("injected: cannot fsync folder");
    return s;
  }
  Status WriteFileAtomic(const std::string& p, std::string_view d) override {
    return base_.WriteFileAtomic(p, d);
  }
  Result<std::vector<FileInfo>> List(const std::string& d) override { return base_.List(d); }
  Result<FileInfo> Stat(const std::string& p) override { return base_.Stat(p); }
  bool Exists(const std::string& p) override { return base_.Exists(p); }
  Status RemoveFile(const std::string& p) override { return base_.RemoveFile(p); }
  Status RemoveEmptyDirectory(const std::string& p) override {
    return base_.RemoveEmptyDirectory(p);
  }
  Status CreateDirectories(const std::string& p) override { return base_.CreateDirectories(p); }
  Status Rename(const std::string& f, const std::string& t) override { return base_.Rename(f, t); }

 private:
  FileSystem& base_ = LocalFileSystem();
};

TEST_F(DeltaTableTest, FailedCommitWritesLoseNothingAndLeaveNothing) {
  FaultyFileSystem faulty;
  DeltaTable t(faulty, (dir_ / "t").string(), *conn_);
  MustWrite(t, "SELECT 1 AS id");
  // The commit file cannot be created: the write fails, its data files go.
  faulty.fault = FaultyFileSystem::Fault::kBeforeCommit;
  auto failed = t.Write("SELECT 2 AS id", {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("injected"), std::string::npos);
  size_t parquet = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "t")) {
    parquet += e.path().extension() == ".parquet";
  }
  EXPECT_EQ(parquet, 1u);
  // The commit lands but the folder's fsync fails: it counts, files stay.
  faulty.fault = FaultyFileSystem::Fault::kAfterCommit;
  auto unsure = t.Write("SELECT 3 AS id", {});
  ASSERT_TRUE(unsure.ok()) << unsure.status();
  EXPECT_TRUE(unsure->committed);
  ASSERT_EQ(unsure->commit.warnings.size(), 1u);
  EXPECT_NE(unsure->commit.warnings[0].find("durability is not confirmed"), std::string::npos);
  faulty.fault = FaultyFileSystem::Fault::kNone;
  EXPECT_EQ(Diff(t, "SELECT * FROM (VALUES (1), (3)) v(id)"), 0);
}

TEST_F(DeltaTableTest, ParallelPartsLandInOneCommit) {
  DeltaTable t = Table();
  auto c1 = conn_->OpenAnother();
  auto c2 = conn_->OpenAnother();
  ASSERT_TRUE(c1.ok() && c2.ok());
  WriteOptions options;
  options.parallel_parts = {{"SELECT i AS id, 'b' AS part FROM range(1000, 3000) r(i)", &*c1},
                            {"SELECT i AS id, 'c' AS part FROM range(3000, 6000) r(i)", &*c2}};
  OperationResult r = MustWrite(t, "SELECT i AS id, 'a' AS part FROM range(0, 1000) r(i)", options);
  EXPECT_EQ(r.version, 0);
  EXPECT_EQ(r.metrics.rows_inserted, 6000);
  EXPECT_EQ(Diff(t,
                 "SELECT i AS id, CASE WHEN i < 1000 THEN 'a' WHEN i < 3000 THEN 'b' ELSE 'c' "
                 "END AS part FROM range(0, 6000) r(i)"),
            0);
  // A part with other columns fails the whole write; nothing is committed.
  options.parallel_parts = {{"SELECT i AS id FROM range(5) r(i)", &*c1}};
  auto bad = t.Write("SELECT 1 AS id, 'x' AS part", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("columns"), std::string::npos) << bad.status();
  EXPECT_EQ((*t.Load())->version(), 0);
}

TEST_F(DeltaTableTest, ExactlyOnceTxnAndSchemaRules) {
  DeltaTable t = Table();
  WriteOptions options;
  options.txns = {Txn{"ingest-admissions", 1, std::nullopt}};
  EXPECT_TRUE(MustWrite(t, "SELECT 1 AS id", options).committed);
  OperationResult again = MustWrite(t, "SELECT 1 AS id", options);
  EXPECT_FALSE(again.committed);
  EXPECT_NE(again.reason.find("already committed"), std::string::npos);
  options.txns[0].version = 2;
  EXPECT_TRUE(MustWrite(t, "SELECT 2 AS id", options).committed);
  EXPECT_EQ(Int("SELECT count(*) FROM (" + *t.ScanSql() + ")"), 2);
  // Several applications in one commit: skipped only when all are done.
  options.txns = {Txn{"ingest-admissions", 2, std::nullopt}, Txn{"file:b.json", 1, std::nullopt}};
  EXPECT_TRUE(MustWrite(t, "SELECT 5 AS id", options).committed);
  EXPECT_FALSE(MustWrite(t, "SELECT 5 AS id", options).committed);
  auto versions = (*t.Load())->app_versions();
  EXPECT_EQ(versions.at("file:b.json"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM (" + *t.ScanSql() + ")"), 3);

  // Widening is fine; new columns need merge_schema; incompatible types fail.
  EXPECT_TRUE(MustWrite(t, "SELECT 3::SMALLINT AS id").committed);
  auto added = t.Write("SELECT 4 AS id, 'x' AS note", {});
  ASSERT_FALSE(added.ok());
  EXPECT_NE(added.status().message().find("'note'"), std::string::npos);
  WriteOptions evolve;
  evolve.merge_schema = true;
  EXPECT_TRUE(MustWrite(t, "SELECT 4 AS id, 'x' AS note", evolve).committed);
  EXPECT_EQ(Diff(t,
                 "SELECT * FROM (VALUES (1, NULL), (2, NULL), (5, NULL), (3, NULL), (4, 'x')) "
                 "v(id, note)"),
            0);
  auto wrong = t.Write("SELECT 'five' AS id", {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("column 'id'"), std::string::npos) << wrong.status();
  EXPECT_NE(wrong.status().message().find("integer"), std::string::npos) << wrong.status();
  EXPECT_NE(wrong.status().message().find("string"), std::string::npos) << wrong.status();

  // Types Delta cannot hold.
  auto interval = Table("u").Write("SELECT INTERVAL 3 DAY AS stay", {});
  ASSERT_FALSE(interval.ok());
  EXPECT_NE(interval.status().message().find("'stay'"), std::string::npos);
  DeltaTable casts = Table("casts");
  MustWrite(casts,
            "SELECT 7::UTINYINT AS a, 300::UBIGINT AS b, 12::HUGEINT AS c, "
            "'8a9b8a9b-0000-4000-8000-000000000000'::UUID AS d");
  auto snap = casts.Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ((*snap)->schema().Find("a")->type, "short");
  EXPECT_EQ((*snap)->schema().Find("b")->type, "decimal(20,0)");
  EXPECT_EQ((*snap)->schema().Find("c")->type, "decimal(38,0)");
  EXPECT_EQ((*snap)->schema().Find("d")->type, "string");
}

// Store assignment: values of a narrower type are cast to the table's type
// as the data files are written; the table's schema and file types stay.
TEST_F(DeltaTableTest, AppendsCastNarrowerValuesToTheTableTypes) {
  DeltaTable t = Table();
  WriteOptions options;
  options.partition_by = {"ward"};
  MustWrite(t,
            "SELECT 1::BIGINT AS id, 1.5::DOUBLE AS charge, 1::BIGINT AS big, "
            "1.25::DECIMAL(10,2) AS amount, 1::BIGINT AS ward",
            options);
  const std::string schema = SchemaString(t);
  // Each write in narrower types than the table's: integer/decimal/float →
  // double, integer → bigint, decimal(5,2) → decimal(10,2), and an integer
  // or tinyint value for the bigint partition column.
  const std::vector<std::string> writes = {
      "SELECT i::INTEGER AS id, (i * 1000003)::INTEGER AS charge, i::INTEGER AS big, "
      "(i * 1.01)::DECIMAL(5,2) AS amount, (i % 3)::INTEGER AS ward FROM range(2, 500) r(i)",
      "SELECT 1000 AS id, 12345.67::DECIMAL(7,2) AS charge, 2147483647 AS big, "
      "999.99::DECIMAL(5,2) AS amount, 7::TINYINT AS ward",
      "SELECT 1001 AS id, (-2147483648)::INTEGER AS charge, (-2147483648)::INTEGER AS big, "
      "(-999.99)::DECIMAL(5,2) AS amount, NULL::INTEGER AS ward",
      "SELECT 1002 AS id, 0.1::DECIMAL(3,1) AS charge, 5::SMALLINT AS big, "
      "0.01::DECIMAL(3,2) AS amount, 2::SMALLINT AS ward",
      "SELECT 1003 AS id, 99999999999999999999999999.99::DECIMAL(28,2) AS charge, "
      "NULL::TINYINT AS big, NULL::DECIMAL(4,1) AS amount, 2 AS ward",
      "SELECT 1004 AS id, 0.1::FLOAT AS charge, 1::TINYINT AS big, 12345678::DECIMAL(8,0) AS "
      "amount, 3 AS ward",
      // long → double: allowed, as SQL store assignment does; beyond 2^53
      // it rounds to the nearest double (doc/delta.md).
      "SELECT 1005 AS id, 9007199254740993::BIGINT AS charge, 6 AS big, "
      "1.5::DECIMAL(2,1) AS amount, 3 AS ward",
  };
  std::string expected = "SELECT 1::BIGINT AS id, 1.5::DOUBLE, 1::BIGINT, 1.25::DECIMAL(10,2), 1";
  for (const std::string& w : writes) {
    OperationResult r = MustWrite(t, w);
    EXPECT_TRUE(r.committed) << w;
    // Independent computation: the values written, cast by DuckDB.
    expected +=
        " UNION ALL SELECT CAST(id AS BIGINT), CAST(charge AS DOUBLE), CAST(big AS BIGINT), "
        "CAST(amount AS DECIMAL(10,2)), CAST(ward AS BIGINT) FROM (" +
        w + ")";
  }
  EXPECT_EQ(Diff(t, expected), 0);
  EXPECT_EQ(SchemaString(t), schema);
  ExpectTableTypesOnDisk(t);
  const std::string scan = *t.ScanSql();
  // Exact: integers and decimals of up to 15 digits come back unchanged
  // when cast back from double.
  EXPECT_EQ(Difference("SELECT id, charge::INTEGER, amount::DECIMAL(5,2) FROM (" + scan +
                           ") WHERE id BETWEEN 2 AND 499",
                       "SELECT i, (i * 1000003)::INTEGER, (i * 1.01)::DECIMAL(5,2) "
                       "FROM range(2, 500) r(i)"),
            0);
  EXPECT_EQ(Int("SELECT count(*) FROM (" + scan +
                ") WHERE id = 1000 AND charge::DECIMAL(7,2) = 12345.67 AND big = 2147483647"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM (" + scan + ") WHERE id = 1005 AND charge = 2.0 ^ 53"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM (" + scan + ") WHERE ward IS NULL"), 1);
}

TEST_F(DeltaTableTest, MergeCastsADecimalSourceToADoubleColumn) {
  DeltaTable t = Table();
  WriteOptions options;
  options.partition_by = {"ward"};
  MustWrite(t,
            "SELECT i::BIGINT AS id, (i * 0.5)::DOUBLE AS charge, (i % 2)::BIGINT AS ward "
            "FROM range(10) r(i)",
            options);
  const std::string schema = SchemaString(t);
  MergeOptions merge;
  merge.keys = {"id"};
  // INTEGER keys into a BIGINT key, DECIMAL into DOUBLE, INTEGER partition values.
  const std::string source =
      "SELECT i::INTEGER AS id, (i * 1.25)::DECIMAL(6,2) AS charge, (i % 2)::INTEGER AS ward "
      "FROM range(5, 15) r(i)";
  auto r = t.Merge(source, merge);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics.rows_updated, 5);
  EXPECT_EQ(r->metrics.rows_inserted, 5);
  EXPECT_EQ(Diff(t,
                 "SELECT i::BIGINT AS id, (i * 0.5)::DOUBLE AS charge, (i % 2)::BIGINT AS ward "
                 "FROM range(5) r(i) UNION ALL SELECT CAST(id AS BIGINT), CAST(charge AS DOUBLE), "
                 "CAST(ward AS BIGINT) FROM (" +
                     source + ")"),
            0);
  EXPECT_EQ(SchemaString(t), schema);
  ExpectTableTypesOnDisk(t);
}

TEST_F(DeltaTableTest, OverwritesCastNarrowerValuesToTheTableTypes) {
  DeltaTable t = Table();
  WriteOptions options;
  options.partition_by = {"ward"};
  const std::string base =
      "SELECT i::BIGINT AS id, (i * 0.5)::DOUBLE AS charge, (i % 3)::BIGINT AS ward "
      "FROM range(30) r(i)";
  MustWrite(t, base, options);
  const std::string schema = SchemaString(t);

  WriteOptions replace;
  replace.mode = WriteMode::kOverwrite;
  replace.replace_where = "ward = 1";
  const std::string ward1 =
      "SELECT i::INTEGER AS id, (i * 0.25)::DECIMAL(8,2) AS charge, 1 AS ward "
      "FROM range(100, 110) r(i)";
  EXPECT_TRUE(MustWrite(t, ward1, replace).committed);
  const std::string ward1_cast =
      "SELECT CAST(id AS BIGINT), CAST(charge AS DOUBLE), CAST(ward AS BIGINT) FROM (" + ward1 +
      ")";
  EXPECT_EQ(Diff(t, "SELECT * FROM (" + base + ") WHERE ward <> 1 UNION ALL " + ward1_cast), 0);
  EXPECT_EQ(SchemaString(t), schema);
  ExpectTableTypesOnDisk(t);

  WriteOptions overwrite;
  overwrite.mode = WriteMode::kOverwrite;
  const std::string all = "SELECT 7 AS id, 10 AS charge, 2::SMALLINT AS ward";
  EXPECT_TRUE(MustWrite(t, all, overwrite).committed);
  EXPECT_EQ(Diff(t, "SELECT 7::BIGINT, 10::DOUBLE, 2::BIGINT"), 0);
  EXPECT_EQ(SchemaString(t), schema);
  ExpectTableTypesOnDisk(t);
}

// Casts that can lose or invent values, and widening the table's own
// column (Delta's typeWidening feature), are refused: the message names
// the table, the column, both types and a cast to write in the query.
TEST_F(DeltaTableTest, LossyCastsAreRefusedWithACastToWrite) {
  DeltaTable t = Table();
  MustWrite(t,
            "SELECT 1 AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS admitted_at, 30 AS age, "
            "12::DECIMAL(10,0) AS whole, 0.5::FLOAT AS score");
  const std::string table = "table '" + (dir_ / "t").string() + "'";
  struct Case {
    std::string query;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases = {
      {"SELECT 2 AS id, '2024-01-02 00:00:00' AS admitted_at",
       {"column 'admitted_at'", "table has timestamp, new data has string",
        "cast it in the query: CAST(admitted_at AS TIMESTAMP WITH TIME ZONE) AS admitted_at"}},
      {"SELECT 2 AS id, 31.0::DOUBLE AS age",
       {"column 'age'", "table has integer, new data has double",
        "cast it in the query: CAST(age AS INTEGER) AS age"}},
      {"SELECT 2::BIGINT AS id",
       {"column 'id'", "table has integer, new data has long", "typeWidening",
        "cast it in the query: CAST(id AS INTEGER) AS id"}},
      {"SELECT 2 AS id, 12.25::DECIMAL(10,2) AS whole",
       {"column 'whole'", "table has decimal(10,0), new data has decimal(10,2)",
        "CAST(whole AS DECIMAL(10,0)) AS whole"}},
      {"SELECT 2 AS id, '31' AS age",
       {"column 'age'", "table has integer, new data has string", "CAST(age AS INTEGER) AS age"}},
      {"SELECT 2 AS id, 1::INTEGER AS score",
       {"column 'score'", "table has float, new data has integer", "CAST(score AS FLOAT)"}},
  };
  for (const Case& c : cases) {
    auto r = t.Write(c.query, {});
    ASSERT_FALSE(r.ok()) << c.query;
    const std::string message = r.status().message();
    EXPECT_EQ(message.rfind(table + ": incompatible schema change for column", 0), 0u) << message;
    for (const std::string& part : c.message) {
      EXPECT_NE(message.find(part), std::string::npos) << part << "\n" << message;
    }
  }
  MergeOptions merge;
  merge.keys = {"id"};
  auto m = t.Merge("SELECT 1 AS id, 31.5 AS age", merge);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find(table + ": incompatible schema change for column 'age': "
                                              "table has integer, new data has decimal(3,1)"),
            std::string::npos)
      << m.status();
  EXPECT_EQ((*t.Load())->version(), 0);
  EXPECT_EQ(Diff(t,
                 "SELECT 1 AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS admitted_at, 30 AS age, "
                 "12::DECIMAL(10,0) AS whole, 0.5::FLOAT AS score"),
            0);
}

TEST_F(DeltaTableTest, PlainTimestampsAreDeliberate) {
  // Default: a TIMESTAMP is taken as UTC and stored as Delta `timestamp`.
  DeltaTable t = Table();
  MustWrite(t, "SELECT TIMESTAMP '2024-05-06 07:08:09' AS ts");
  auto snap = t.Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ((*snap)->schema().Find("ts")->type, "timestamp");
  EXPECT_EQ((*snap)->protocol().min_reader_version, 1);
  EXPECT_EQ(Diff(t, "SELECT TIMESTAMPTZ '2024-05-06 07:08:09+00' AS ts"), 0);
  // Asked for: timestamp_ntz, with the protocol upgrade it needs.
  DeltaTable n = Table("ntz");
  WriteOptions options;
  options.types.timestamp_ntz = true;
  MustWrite(n, "SELECT TIMESTAMP '2024-05-06 07:08:09' AS ts", options);
  auto nsnap = n.Load();
  ASSERT_TRUE(nsnap.ok());
  EXPECT_EQ((*nsnap)->schema().Find("ts")->type, "timestamp_ntz");
  EXPECT_EQ((*nsnap)->protocol().min_reader_version, 3);
  EXPECT_EQ((*nsnap)->protocol().min_writer_version, 7);
  EXPECT_EQ(Diff(n, "SELECT TIMESTAMP '2024-05-06 07:08:09' AS ts"), 0);
  // An ntz column cannot sneak into a (1,2) table.
  auto sneak = t.Write("SELECT TIMESTAMP '2024-05-06 07:08:09' AS ts2", [] {
    WriteOptions o;
    o.merge_schema = true;
    o.types.timestamp_ntz = true;
    return o;
  }());
  ASSERT_FALSE(sneak.ok());
  EXPECT_NE(sneak.status().message().find("timestampNtz"), std::string::npos);
}

TEST_F(DeltaTableTest, CheckpointsEveryTenCommitsAndFallBack) {
  DeltaTable t = Table();
  for (int i = 0; i < 12; ++i) {
    MustWrite(t, "SELECT " + std::to_string(i) + " AS n, 'v" + std::to_string(i) + "' AS s");
  }
  EXPECT_EQ(Int("SELECT count(*) FROM (" + *t.ScanSql() + ")"), 12);
  const fs::path log = dir_ / "t" / "_delta_log";
  ASSERT_TRUE(fs::exists(log / "00000000000000000010.checkpoint.parquet"));
  std::ifstream in(log / "_last_checkpoint");
  json last = json::parse(in);
  EXPECT_EQ(last["version"], 10);
  auto snap = t.Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ((*snap)->checkpoint_version(), std::optional<int64_t>(10));
  EXPECT_EQ(Diff(t, "SELECT i AS n, 'v' || i AS s FROM range(12) r(i)"), 0);

  // The checkpoint has the protocol's schema (as Spark expects it).
  auto cols = Rows("SELECT name FROM parquet_schema('" +
                   (log / "00000000000000000010.checkpoint.parquet").string() +
                   "') WHERE name IN ('add', 'remove', 'metaData', 'protocol', 'txn', "
                   "'partitionValues', 'stats')");
  EXPECT_EQ(cols.size(), 8u);  // partitionValues in add and remove

  // A corrupt checkpoint and _last_checkpoint: readers use the JSON log.
  { std::ofstream(log / "00000000000000000010.checkpoint.parquet") << "garbage"; }
  { std::ofstream(log / "_last_checkpoint") << "{not json"; }
  auto fallback = t.Load();
  ASSERT_TRUE(fallback.ok()) << fallback.status();
  EXPECT_EQ((*fallback)->checkpoint_version(), std::nullopt);
  EXPECT_EQ(Diff(t, "SELECT i AS n, 'v' || i AS s FROM range(12) r(i)"), 0);
}

TEST_F(DeltaTableTest, ExpiredLogIsCleanedUpBehindCheckpoints) {
  DeltaTable t = Table();
  WriteOptions options;
  options.properties = {{"delta.logRetentionDuration", "interval 0 days"},
                        {"delta.checkpointInterval", "4"}};
  for (int i = 0; i < 10; ++i) {
    MustWrite(t, "SELECT " + std::to_string(i) + " AS n", options);
  }
  const fs::path log = dir_ / "t" / "_delta_log";
  // Checkpoint 8 is the newest: commits and checkpoints before it are gone.
  EXPECT_FALSE(fs::exists(log / "00000000000000000000.json"));
  EXPECT_FALSE(fs::exists(log / "00000000000000000004.checkpoint.parquet"));
  EXPECT_TRUE(fs::exists(log / "00000000000000000008.checkpoint.parquet"));
  EXPECT_TRUE(fs::exists(log / "00000000000000000008.json"));
  EXPECT_EQ(Diff(t, "SELECT i AS n FROM range(10) r(i)"), 0);
  auto old = t.Load(2);
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.status().message().find("is missing"), std::string::npos) << old.status();
}

TEST_F(DeltaTableTest, OptimizeCompactsAndVacuumKeepsRetainedVersions) {
  DeltaTable t = Table();
  for (int i = 0; i < 5; ++i) {
    MustWrite(t, "SELECT " + std::to_string(i) + " * 100 + r AS n FROM range(100) t(r)");
  }
  auto before = t.Load();
  ASSERT_TRUE(before.ok());
  EXPECT_EQ((*before)->files().size(), 5u);
  auto opt = t.Optimize();
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_TRUE(opt->committed);
  auto after = t.Load();
  EXPECT_EQ((*after)->files().size(), 1u);
  EXPECT_EQ(Diff(t, "SELECT r AS n FROM range(500) t(r)"), 0);
  auto history = t.History(1);
  EXPECT_EQ((*history)[0].operation, "OPTIMIZE");
  // Optimize commits no data change.
  auto actions = t.log().ReadCommit(opt->version);
  ASSERT_TRUE(actions.ok());
  for (const Action& a : *actions) {
    if (auto* add = std::get_if<AddFile>(&a)) {
      EXPECT_FALSE(add->data_change);
    }
    if (auto* rm = std::get_if<RemoveFile>(&a)) {
      EXPECT_FALSE(rm->data_change);
    }
  }

  // A leftover of a writer that died: never committed.
  std::ofstream(dir_ / "t" / "part-orphan.parquet") << "x";
  // Default retention (7 days) keeps everything recent, including the files
  // of version 4 that time travel still needs.
  auto keep = t.Vacuum();
  ASSERT_TRUE(keep.ok()) << keep.status();
  EXPECT_EQ(keep->files_deleted, 0);
  EXPECT_EQ(Diff(t, "SELECT r AS n FROM range(500) t(r)", 4), 0);
  // Shorter retention must be asked for explicitly.
  VacuumOptions now;
  now.retention_ms = 0;
  auto refused = t.Vacuum(now);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("deletedFileRetentionDuration"), std::string::npos);
  now.allow_short_retention = true;
  now.dry_run = true;
  auto dry = t.Vacuum(now);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->files_deleted, 6);
  EXPECT_TRUE(fs::exists(dir_ / "t" / "part-orphan.parquet"));
  now.dry_run = false;
  auto gone = t.Vacuum(now);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->files_deleted, 6);
  EXPECT_FALSE(fs::exists(dir_ / "t" / "part-orphan.parquet"));
  EXPECT_EQ(Diff(t, "SELECT r AS n FROM range(500) t(r)"), 0);
}

TEST_F(DeltaTableTest, DescribeAndIntervals) {
  DeltaTable t = Table();
  WriteOptions options;
  options.partition_by = {"day"};
  options.properties = {{"delta.checkpointInterval", "5"}};
  MustWrite(t, kAdmissions, options);
  auto d = t.Describe();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->num_records, std::optional<int64_t>(3000));
  EXPECT_EQ(d->partition_columns, std::vector<std::string>{"day"});
  EXPECT_EQ(d->properties.at("delta.checkpointInterval"), "5");
  EXPECT_EQ(*ParseIntervalMillis("k", "interval 7 days"), 7 * 86'400'000LL);
  EXPECT_EQ(*ParseIntervalMillis("k", "1 week"), 7 * 86'400'000LL);
  EXPECT_EQ(*ParseIntervalMillis("k", "168 HOURS"), 168 * 3'600'000LL);
  EXPECT_FALSE(ParseIntervalMillis("k", "soon").ok());
}

}  // namespace
TEST_F(DeltaTableTest, TheInjectedClockStampsCommitsAndDecidesRetention) {
  // Starts at the real time: the orphan below gets a real modification time.
  FakeClock clock(DefaultClock().WallMillis());
  DeltaTable t(LocalFileSystem(), (dir_ / "t").string(), *conn_, clock);
  for (int i = 0; i < 3; ++i) {
    MustWrite(t, "SELECT " + std::to_string(i) + " * 10 + r AS n FROM range(10) t(r)");
    clock.Advance(60'000);
  }
  auto history = t.History();
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 3u);
  // Newest first, a minute apart, as the clock said.
  EXPECT_EQ((*history)[0].timestamp_ms, clock.WallMillis() - 60'000);
  EXPECT_EQ((*history)[2].timestamp_ms, clock.WallMillis() - 3 * 60'000);
  auto opt = t.Optimize();
  ASSERT_TRUE(opt.ok()) << opt.status();
  std::ofstream(dir_ / "t" / "part-orphan.parquet") << "x";
  // Within the default retention (7 days) nothing goes...
  clock.Advance(6 * 86'400'000LL);
  auto keep = t.Vacuum();
  ASSERT_TRUE(keep.ok()) << keep.status();
  EXPECT_EQ(keep->files_deleted, 0);
  // ...and after it, the three compacted files and the orphan go, with no
  // sleeping and no short-retention override.
  clock.Advance(2 * 86'400'000LL);
  auto gone = t.Vacuum();
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->files_deleted, 4);
  EXPECT_EQ(Diff(t, "SELECT r AS n FROM range(30) t(r)"), 0);
}

}  // namespace carelake::delta
