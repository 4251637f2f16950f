// Conformance over ../shared/testdata/delta: Delta tables written by Spark
// (DAT reader cases and delta-kernel-rs golden tables). Every case is read
// correctly or refused with an error naming an unsupported feature; none is
// read wrong. A summary is printed at the end. Without that folder the tests
// are skipped, or fail when CI=true (tests/shared_data.h).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "../shared_data.h"
#include "carelake/delta/deletion_vector.h"
#include "carelake/delta/scan.h"
#include "carelake/delta/snapshot.h"
#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace carelake::delta {
namespace {

namespace fs = std::filesystem;

using testing_shared::SharedDir;

// Every test here reads this folder of the shared reference data.
constexpr char kDeltaData[] = "testdata/delta";

std::string Quote(const std::string& s) { return QuoteLiteral(s); }

// The visible .parquet files of a folder (Spark writes .crc and _SUCCESS too).
std::vector<std::string> ParquetFiles(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name[0] != '.' && name[0] != '_' &&
        e.path().extension() == ".parquet") {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

enum class Outcome { kRead, kRefused, kWrong };

struct CaseResult {
  std::string name;
  Outcome outcome;
  std::string detail;
};

class Conformance {
 public:
  Conformance() {
    auto db = engine::Database::OpenInMemory();
    if (!db.ok()) throw std::runtime_error(db.status().ToString());
    db_ = std::move(*db);
    auto conn = engine::Connection::Open(*db_);
    if (!conn.ok()) throw std::runtime_error(conn.status().ToString());
    conn_.emplace(std::move(*conn));
    Status s = conn_->Execute("SET TimeZone = 'UTC'");
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }

  engine::Connection& conn() { return *conn_; }

  // name → DuckDB type of each column of a query.
  Result<std::vector<std::pair<std::string, std::string>>> Describe(const std::string& sql) {
    CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult r, conn_->Query("DESCRIBE " + sql));
    CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& row : rows) out.emplace_back(row[0].GetString(), row[1].GetString());
    return out;
  }

  Result<std::set<std::string>> Int96Columns(const std::vector<std::string>& files) {
    std::set<std::string> out;
    for (const std::string& f : files) {
      CARELAKE_ASSIGN_OR_RETURN(
          engine::QueryResult r,
          conn_->Query("SELECT name FROM parquet_schema(" + Quote(f) + ") WHERE type = 'INT96'"));
      CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
      for (const auto& row : rows) out.insert(row[0].GetString());
    }
    return out;
  }

  Result<int64_t> Count(const std::string& sql) {
    CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult r, conn_->Query(sql));
    CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
    return rows.at(0).at(0).GetInt64();
  }

  // "" if `actual_sql` returns exactly the rows of the expected Parquet files
  // (as a multiset, columns matched by name, types equal); else what differs.
  // `corrections` replace an expected column by an expression over it.
  std::string CompareWithExpected(const std::string& actual_sql,
                                  const std::vector<std::string>& expected_files,
                                  const std::map<std::string, std::string>& corrections) {
    std::string list;
    for (const std::string& f : expected_files) list += (list.empty() ? "" : ", ") + Quote(f);
    const std::string expected_sql = "SELECT * FROM read_parquet([" + list +
                                     "], hive_partitioning = false, union_by_name = true)";
    auto actual_cols = Describe(actual_sql);
    if (!actual_cols.ok()) return "describe actual: " + actual_cols.status().ToString();
    auto expected_cols = Describe(expected_sql);
    if (!expected_cols.ok()) return "describe expected: " + expected_cols.status().ToString();
    auto int96 = Int96Columns(expected_files);
    if (!int96.ok()) return int96.status().ToString();

    std::map<std::string, std::string> expected_types(expected_cols->begin(), expected_cols->end());
    if (expected_types.size() != actual_cols->size()) {
      return "column count: expected " + std::to_string(expected_types.size()) + ", got " +
             std::to_string(actual_cols->size());
    }
    std::string columns, expected_columns;
    for (const auto& [name, type] : *actual_cols) {
      auto it = expected_types.find(name);
      if (it == expected_types.end()) return "unexpected column '" + name + "'";
      // Spark's INT96 timestamps are UTC instants that carry no time zone flag.
      const bool int96_instant =
          int96->count(name) && it->second == "TIMESTAMP" && type == "TIMESTAMP WITH TIME ZONE";
      if (it->second != type && !int96_instant) {
        return "column '" + name + "': expected type " + it->second + ", got " + type;
      }
      columns += (columns.empty() ? "" : ", ") + QuoteIdentifier(name);
      auto fix = corrections.find(name);
      expected_columns += (expected_columns.empty() ? "" : ", ") +
                          (fix == corrections.end() ? QuoteIdentifier(name)
                                                    : fix->second + " AS " + QuoteIdentifier(name));
    }
    const std::string a = "SELECT " + columns + " FROM (" + actual_sql + ")";
    const std::string e = "SELECT " + expected_columns + " FROM (" + expected_sql + ")";
    auto n_actual = Count("SELECT count(*) FROM (" + a + ")");
    auto n_expected = Count("SELECT count(*) FROM (" + e + ")");
    if (!n_actual.ok()) return "count actual: " + n_actual.status().ToString();
    if (!n_expected.ok()) return "count expected: " + n_expected.status().ToString();
    if (*n_actual != *n_expected) {
      return "row count: expected " + std::to_string(*n_expected) + ", got " +
             std::to_string(*n_actual);
    }
    auto missing = Count("SELECT count(*) FROM (" + e + " EXCEPT ALL " + a + ")");
    auto extra = Count("SELECT count(*) FROM (" + a + " EXCEPT ALL " + e + ")");
    if (!missing.ok()) return "compare: " + missing.status().ToString();
    if (!extra.ok()) return "compare: " + extra.status().ToString();
    if (*missing != 0 || *extra != 0) {
      return std::to_string(*missing) + " expected rows missing, " + std::to_string(*extra) +
             " unexpected rows";
    }
    return "";
  }

 private:
  std::unique_ptr<engine::Database> db_;
  std::optional<engine::Connection> conn_;
};

bool NamesUnsupportedFeature(const Status& s) {
  return s.code() == StatusCode::kNotSupported && s.message().find("carelake") != std::string::npos;
}

// Reads `table` at `version` and compares with `expected_files`.
CaseResult CheckCase(Conformance& c, const std::string& name, const std::string& table,
                     std::optional<int64_t> version, const std::vector<std::string>& expected_files,
                     const std::function<std::string(const Snapshot&)>& extra_check = {},
                     const std::map<std::string, std::string>& corrections = {}) {
  FileSystem& fs = LocalFileSystem();
  DeltaLog log(fs, table);
  auto snapshot = LoadSnapshot(log, c.conn(), version);
  if (!snapshot.ok()) {
    return {name, Outcome::kWrong, "load: " + snapshot.status().ToString()};
  }
  Status readable = (*snapshot)->CheckReadable();
  if (!readable.ok()) {
    if (NamesUnsupportedFeature(readable)) return {name, Outcome::kRefused, readable.message()};
    return {name, Outcome::kWrong, "refused without naming a feature: " + readable.ToString()};
  }
  if (extra_check) {
    std::string problem = extra_check(**snapshot);
    if (!problem.empty()) return {name, Outcome::kWrong, problem};
  }
  auto sql = BuildScanSql(**snapshot, c.conn());
  if (!sql.ok()) return {name, Outcome::kWrong, "scan: " + sql.status().ToString()};
  std::string diff = c.CompareWithExpected(*sql, expected_files, corrections);
  if (!diff.empty()) return {name, Outcome::kWrong, diff};
  return {name, Outcome::kRead, ""};
}

std::string Summarize(const std::string& title, const std::vector<CaseResult>& results,
                      int* wrong) {
  int read = 0, refused = 0;
  *wrong = 0;
  std::string detail;
  for (const CaseResult& r : results) {
    switch (r.outcome) {
      case Outcome::kRead:
        ++read;
        break;
      case Outcome::kRefused:
        ++refused;
        detail += "  refused " + r.name + ": " + r.detail + "\n";
        break;
      case Outcome::kWrong:
        ++*wrong;
        detail += "  WRONG   " + r.name + ": " + r.detail + "\n";
        break;
    }
  }
  return title + ": " + std::to_string(results.size()) + " checks, " + std::to_string(read) +
         " read correctly, " + std::to_string(refused) + " refused, " + std::to_string(*wrong) +
         " wrong\n" + detail;
}

TEST(DeltaConformanceTest, DatReaderCasesAtEveryVersion) {
  CARELAKE_REQUIRE_SHARED_DATA(kDeltaData);
  const fs::path root = fs::path(SharedDir()) / "testdata/delta/dat";
  ASSERT_TRUE(fs::is_directory(root)) << root;
  Conformance c;
  std::vector<CaseResult> results;
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string case_name = entry.path().filename().string();
    for (const auto& expected : fs::directory_iterator(entry.path() / "expected")) {
      const std::string tag = expected.path().filename().string();  // latest, v0, v1, ...
      std::ifstream in(expected.path() / "table_version_metadata.json");
      const nlohmann::json meta = nlohmann::json::parse(in);
      std::optional<int64_t> version;
      if (tag != "latest") version = std::stoll(tag.substr(1));
      auto check = [&meta](const Snapshot& s) -> std::string {
        if (s.version() != meta.at("version").get<int64_t>()) {
          return "version " + std::to_string(s.version()) + ", expected " +
                 meta.at("version").dump();
        }
        if (s.protocol().min_reader_version != meta.at("min_reader_version").get<int>() ||
            s.protocol().min_writer_version != meta.at("min_writer_version").get<int>()) {
          return "protocol (" + std::to_string(s.protocol().min_reader_version) + "," +
                 std::to_string(s.protocol().min_writer_version) + ")";
        }
        std::map<std::string, std::string> props;
        for (const auto& [k, v] : meta.at("properties").items()) props[k] = v.get<std::string>();
        if (props != s.metadata().configuration) return "table properties differ";
        return "";
      };
      results.push_back(CheckCase(c, case_name + "@" + tag, (entry.path() / "delta").string(),
                                  version, ParquetFiles(expected.path() / "table_content.parquet"),
                                  check));
    }
  }
  std::sort(results.begin(), results.end(),
            [](const CaseResult& a, const CaseResult& b) { return a.name < b.name; });
  int wrong = 0;
  const std::string summary = Summarize("DAT", results, &wrong);
  std::cout << summary;
  EXPECT_EQ(wrong, 0) << summary;
  EXPECT_GE(results.size(), 11u);
}

TEST(DeltaConformanceTest, GoldenTablesWithExpectedRows) {
  CARELAKE_REQUIRE_SHARED_DATA(kDeltaData);
  const fs::path root = fs::path(SharedDir()) / "testdata/delta/golden";
  ASSERT_TRUE(fs::is_directory(root)) << root;
  // Expected files known to be wrong, with the correction. The partition
  // value "2021-09-08 11:11:11" is a UTC timestamp by the protocol; the
  // expected rows were written by a Spark session in America/Los_Angeles and
  // hold 18:11:11 UTC (delta-kernel-rs skips this case for the same reason).
  const std::map<std::string, std::map<std::string, std::string>> kCorrections = {
      {"data-reader-partition-values", {{"as_timestamp", "as_timestamp - INTERVAL 7 HOUR"}}},
  };
  Conformance c;
  std::vector<CaseResult> results;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!fs::is_directory(entry.path() / "expected")) continue;
    const std::string name = entry.path().filename().string();
    auto fix = kCorrections.find(name);
    results.push_back(
        CheckCase(c, name, (entry.path() / "delta").string(), std::nullopt,
                  ParquetFiles(entry.path() / "expected"), {},
                  fix == kCorrections.end() ? std::map<std::string, std::string>{} : fix->second));
  }
  std::sort(results.begin(), results.end(),
            [](const CaseResult& a, const CaseResult& b) { return a.name < b.name; });
  int wrong = 0;
  const std::string summary = Summarize("golden", results, &wrong);
  std::cout << summary;
  EXPECT_EQ(wrong, 0) << summary;
  EXPECT_GE(results.size(), 60u);
}

}  // namespace
}  // namespace carelake::delta

namespace carelake::delta {
namespace {

// Golden tables without expected rows. Most are log fixtures whose data
// files do not exist: their snapshots (live files, versions) are checked.
// Negative cases must fail with an error that says what is wrong.
class GoldenEdgeTest : public ::testing::Test {
 protected:
  void SetUp() override { CARELAKE_REQUIRE_SHARED_DATA(kDeltaData); }

  Result<SnapshotPtr> Load(const std::string& name, std::optional<int64_t> version = {}) {
    log_.emplace(LocalFileSystem(),
                 (fs::path(SharedDir()) / "testdata/delta/golden" / name / "delta").string());
    return LoadSnapshot(*log_, c_.conn(), version);
  }

  static std::vector<std::string> FileNames(const Snapshot& s) {
    std::vector<std::string> out;
    for (const AddFile& f : s.files()) out.push_back(fs::path(s.DataFilePath(f.path)).filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  Conformance c_;
  std::optional<DeltaLog> log_;
};

TEST_F(GoldenEdgeTest, NegativeCasesFailWithClearErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"deltalog-invalid-protocol-version", "needs Delta reader version 99"},
      {"deltalog-state-reconstruction-from-checkpoint-missing-metadata", "no metaData action"},
      {"deltalog-state-reconstruction-from-checkpoint-missing-protocol", "no protocol action"},
      {"deltalog-state-reconstruction-without-metadata", "no metaData action"},
      {"deltalog-state-reconstruction-without-protocol", "no protocol action"},
      {"no-delta-log-folder", "no _delta_log folder"},
      {"hive", "no _delta_log folder"},
      {"versions-not-contiguous", "00000000000000000001.json is missing"},
      {"data-reader-absolute-paths-escaped-chars", "no metaData action"},
  };
  for (const auto& [name, message] : cases) {
    auto snapshot = Load(name);
    Status status = snapshot.ok() ? (*snapshot)->CheckReadable() : snapshot.status();
    EXPECT_FALSE(status.ok()) << name;
    EXPECT_NE(status.message().find(message), std::string::npos) << name << ": " << status;
    EXPECT_NE(status.message().find("golden/" + name), std::string::npos)
        << name << ": the error names the table or file: " << status;
  }
}

TEST_F(GoldenEdgeTest, PathsAreCanonicalizedAcrossAddAndRemove) {
  // add "/x" then remove "file:/x" (and with %-escapes): the same file.
  for (const char* name : {"canonicalized-paths-normal-a", "canonicalized-paths-normal-b",
                           "canonicalized-paths-special-a", "canonicalized-paths-special-b"}) {
    auto snapshot = Load(name);
    ASSERT_TRUE(snapshot.ok()) << name << ": " << snapshot.status();
    EXPECT_EQ((*snapshot)->version(), 1) << name;
    EXPECT_TRUE((*snapshot)->files().empty()) << name;
    EXPECT_EQ((*snapshot)->tombstones().size(), 1u) << name;
  }
}

TEST_F(GoldenEdgeTest, CheckpointPlusCommitsReplay) {
  auto snapshot = Load("checkpoint");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->version(), 14);
  EXPECT_EQ((*snapshot)->checkpoint_version(), std::optional<int64_t>(10));
  EXPECT_EQ(FileNames(**snapshot), std::vector<std::string>{"15"});
  // Before the checkpoint: JSON commits only.
  auto v5 = Load("checkpoint", 5);
  ASSERT_TRUE(v5.ok()) << v5.status();
  EXPECT_EQ((*v5)->checkpoint_version(), std::nullopt);
  EXPECT_EQ(FileNames(**v5), std::vector<std::string>{"6"});

  auto updated = Load("update-deleted-directory");
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ((*updated)->files().size(), 10u);
}

TEST_F(GoldenEdgeTest, FileRemovedAndAddedAgainIsLive) {
  auto snapshot = Load("delete-re-add-same-file-different-transactions");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(FileNames(**snapshot), (std::vector<std::string>{"bar", "foo"}));
  for (const AddFile& f : (*snapshot)->files()) {
    if (f.path == "foo") {
      EXPECT_EQ(f.modification_time, 1700000000000);
    }
  }
  EXPECT_TRUE((*snapshot)->tombstones().empty());
  auto v1 = Load("delete-re-add-same-file-different-transactions", 1);
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_TRUE((*v1)->files().empty());
}

TEST_F(GoldenEdgeTest, SpecialCharactersInPathsAreDecoded) {
  auto snapshot = Load("log-replay-special-characters-b");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(FileNames(**snapshot), std::vector<std::string>{"special p@#h"});
}

TEST_F(GoldenEdgeTest, SnapshotWithoutSchemaLoadsButCannotBeScanned) {
  auto snapshot = Load("deltalog-commit-info");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->files().size(), 1u);
  auto sql = BuildScanSql(**snapshot, c_.conn());
  ASSERT_FALSE(sql.ok());
  EXPECT_NE(sql.status().message().find("schemaString"), std::string::npos) << sql.status();
}

TEST_F(GoldenEdgeTest, V2CheckpointsAreReadWithSidecars) {
  for (const char* name : {"v2-checkpoint-json", "v2-checkpoint-parquet"}) {
    auto snapshot = Load(name);
    ASSERT_TRUE(snapshot.ok()) << name << ": " << snapshot.status();
    EXPECT_EQ((*snapshot)->checkpoint_version(), std::optional<int64_t>(2)) << name;
  }
}

TEST_F(GoldenEdgeTest, DeletionVectorsAreAppliedAndChecked) {
  // Z85 as specified by ZeroMQ (RFC 32): "HelloWorld" is these 8 bytes.
  auto hello = Z85Decode("HelloWorld");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(*hello, std::string("\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B", 8));
  EXPECT_FALSE(Z85Decode("Hell").ok());

  // A copy of a golden table whose deletion vector file is damaged.
  const fs::path src =
      fs::path(SharedDir()) / "testdata/delta/golden/log-replay-dv-key-cases/delta";
  const fs::path copy = fs::temp_directory_path() / ("carelake_dv_" + std::to_string(::getpid()));
  fs::remove_all(copy);
  fs::copy(src, copy, fs::copy_options::recursive);
  auto snapshot = LoadSnapshot(DeltaLog(LocalFileSystem(), copy.string()), c_.conn());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  auto sql = BuildScanSql(**snapshot, c_.conn());
  ASSERT_TRUE(sql.ok()) << sql.status();
  for (const auto& e : fs::directory_iterator(copy)) {
    if (e.path().filename().string().rfind("deletion_vector_", 0) != 0) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('\x7f');
  }
  // VACUUM refuses a table whose files it cannot account for (carelake does
  // not write deletion vectors), rather than deleting live ones.
  auto vacuum = DeltaTable(LocalFileSystem(), copy.string(), c_.conn()).Vacuum();
  ASSERT_FALSE(vacuum.ok());
  EXPECT_NE(vacuum.status().message().find("deletionVectors"), std::string::npos)
      << vacuum.status();
  auto damaged = BuildScanSql(**snapshot, c_.conn());
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.status().message().find("deletion vector"), std::string::npos)
      << damaged.status();
  fs::remove_all(copy);
}

TEST_F(GoldenEdgeTest, CorruptLastCheckpointIsIgnored) {
  auto snapshot = Load("corrupted-last-checkpoint-kernel");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_TRUE((*snapshot)->CheckReadable().ok());
}

// Without the reference data (a clone with no ../shared) these tests are
// skipped, saying which folder is missing; with CI=true they fail instead.
// Checked by running this test binary again on a folder that does not exist.
TEST(SharedDataTest, MissingReferenceDataSkipsButFailsUnderCi) {
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(n, 0);
  self[n] = '\0';
  const std::string missing = (fs::temp_directory_path() / "carelake_no_shared_data").string();
  ASSERT_FALSE(fs::exists(missing));
  const std::string out =
      (fs::temp_directory_path() / ("carelake_shared_" + std::to_string(::getpid()) + ".txt"))
          .string();
  auto run = [&](const std::string& ci) {
    const std::string cmd = "env -u CI " + ci + " CARELAKE_SHARED=" + missing + " " + self +
                            " --gtest_filter='DeltaConformanceTest.*:GoldenEdgeTest.*' >" + out +
                            " 2>&1";
    const int status = std::system(cmd.c_str());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return std::make_pair(WEXITSTATUS(status), text.str());
  };
  // Every selected test is skipped (none passes or fails), and says why.
  const auto [skip_code, skip_out] = run("");
  EXPECT_EQ(skip_code, 0) << skip_out;
  EXPECT_NE(skip_out.find("[  PASSED  ] 0 tests."), std::string::npos) << skip_out;
  EXPECT_NE(skip_out.find("[  SKIPPED ] DeltaConformanceTest.DatReaderCasesAtEveryVersion"),
            std::string::npos)
      << skip_out;
  EXPECT_EQ(skip_out.find("FAILED"), std::string::npos) << skip_out;
  EXPECT_NE(skip_out.find("reference data folder " + missing + "/testdata/delta is missing"),
            std::string::npos)
      << skip_out;
  // Under CI every one fails instead.
  const auto [ci_code, ci_out] = run("CI=true");
  EXPECT_NE(ci_code, 0) << ci_out;
  EXPECT_NE(ci_out.find("[  PASSED  ] 0 tests."), std::string::npos) << ci_out;
  EXPECT_NE(ci_out.find("[  FAILED  ] DeltaConformanceTest.DatReaderCasesAtEveryVersion"),
            std::string::npos)
      << ci_out;
  EXPECT_EQ(ci_out.find("SKIPPED"), std::string::npos) << ci_out;
  EXPECT_NE(ci_out.find("reference data folder " + missing + "/testdata/delta is missing"),
            std::string::npos)
      << ci_out;
  fs::remove(out);
}

}  // namespace
}  // namespace carelake::delta
