// OPTIMIZE with clustering columns (OptimizeOptions::cluster_by): the files
// are rewritten sorted by the columns, so their min/max statistics become
// narrow and a range query on the first column reads fewer files, with the
// same rows and the same answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "carelake/delta/sql_rewrite.h"
#include "carelake/delta/table.h"
#include "lake_test.h"

namespace carelake::delta {
namespace {

class ClusterTest : public LakeTest {
 protected:
  // Runs `query` ("@T" stands for the table) through delta_scan, expects the
  // same answer as over all rows (table `everything`), returns the files read.
  size_t FilesRead(const std::string& query) { return ScanOf(path_, query).files_read; }

  std::string path_;
};

TEST_F(ClusterTest, ClusteringNarrowsFileStatsSoARangeQueryReadsFewerFiles) {
  path_ = (dir_ / "billing").string();
  DeltaTable table(LocalFileSystem(), path_, *conn_);
  // Eight appends, each of lines served on random days of all of 2024: every
  // file's service_date range is the whole year.
  for (int b = 0; b < 8; ++b) {
    const std::string lo = std::to_string(b * 100000), hi = std::to_string(b * 100000 + 100000);
    auto w = table.Write(
        "SELECT i AS line_id, DATE '2024-01-01' + CAST(hash(i) % 366 AS INTEGER) AS service_date, "
        "CAST(hash(i * 7) % 100000 / 100.0 AS DECIMAL(12,2)) AS charge FROM range(" +
            lo + ", " + hi + ") t(i)",
        WriteOptions{});
    ASSERT_TRUE(w.ok()) << w.status();
  }
  auto scan = table.ScanSql();
  ASSERT_TRUE(scan.ok()) << scan.status();
  ASSERT_TRUE(conn_->Execute("CREATE TABLE everything AS " + *scan).ok());
  const std::string range =
      "SELECT count(*), sum(charge) FROM @T WHERE service_date BETWEEN DATE '2024-03-01' AND "
      "DATE '2024-03-10'";
  EXPECT_EQ(FilesRead(range), 8u) << "unclustered: every file may hold March";

  // Errors: a column the table lacks.
  OptimizeOptions bad;
  bad.cluster_by = {"no_such_column"};
  auto refused = table.Optimize(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);

  OptimizeOptions options;
  options.cluster_by = {"service_date"};
  options.target_file_size = 1;  // a file per row group (DuckDB rolls between row groups)
  auto r = table.Optimize(options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->committed);
  EXPECT_EQ(r->metrics.files_removed, 8);
  auto snap = table.Load();
  ASSERT_TRUE(snap.ok());
  const size_t files = (*snap)->files().size();
  EXPECT_GE(files, 4u);
  // Sorted: the files' service_date ranges do not overlap (at most a day shared at the edges).
  std::vector<std::pair<std::string, std::string>> ranges;
  for (const AddFile& f : (*snap)->files()) {
    ASSERT_TRUE(f.stats.has_value());
    const auto stats = nlohmann::json::parse(*f.stats);
    ranges.emplace_back(stats["minValues"]["service_date"].get<std::string>(),
                        stats["maxValues"]["service_date"].get<std::string>());
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    EXPECT_LE(ranges[i - 1].second, ranges[i].first) << "file ranges overlap";
  }
  const size_t read = FilesRead(range);
  EXPECT_GE(read, 1u);
  EXPECT_LE(read, 2u) << "of " << files << " files";
  EXPECT_EQ(FilesRead("SELECT count(*) FROM @T WHERE charge > 10"), files)
      << "a column not clustered by skips nothing";
  // Same rows; the commit says how it was clustered and changes no data.
  EXPECT_EQ(Difference(*table.ScanSql(), "SELECT * FROM everything"), 0);
  auto history = table.History(1);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[0].operation, "OPTIMIZE");
  EXPECT_EQ((*history)[0].parameters.value("clusterBy", ""), "[\"service_date\"]");
}

TEST_F(ClusterTest, PartitionColumnsCannotClusterAndOnePartitionFileIsLeftAlone) {
  path_ = (dir_ / "p").string();
  DeltaTable table(LocalFileSystem(), path_, *conn_);
  WriteOptions w;
  w.partition_by = {"ward"};
  ASSERT_TRUE(table.Write("SELECT i AS id, 'a' AS ward FROM range(10) t(i)", w).ok());
  OptimizeOptions options;
  options.cluster_by = {"ward"};
  auto refused = table.Optimize(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("partition column"), std::string::npos);
  options.cluster_by = {"id"};
  auto r = table.Optimize(options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->committed) << "one small file per partition: nothing to cluster";
}

}  // namespace
}  // namespace carelake::delta
