// delta_scan() skips files by partition values and stats, and only when
// that is certain: results always equal those over every file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "carelake/delta/sql_rewrite.h"
#include "carelake/delta/table.h"
#include "carelake/engine/database.h"
#include "lake_test.h"

namespace carelake::delta {
namespace {

namespace fs = std::filesystem;

class PruningTest : public LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    path_ = (dir_ / "visits").string();
    DeltaTable table(LocalFileSystem(), path_, *conn_);
    WriteOptions options;
    options.partition_by = {"ward"};
    // Four appends, each a distinct id range and time range: 2 wards each.
    for (int b = 0; b < 4; ++b) {
      const std::string lo = std::to_string(b * 100), hi = std::to_string(b * 100 + 100);
      ASSERT_TRUE(
          table
              .Write("SELECT i AS id, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS ward, "
                     "TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL 1 HOUR AS seen_at, "
                     "CASE WHEN i % 50 = 0 THEN NULL ELSE 'note ' || i END AS note "
                     "FROM range(" +
                         lo + ", " + hi + ") t(i)",
                     options)
              .ok());
    }
    auto scan = table.ScanSql();
    ASSERT_TRUE(scan.ok());
    ASSERT_TRUE(conn_->Execute("CREATE TABLE everything AS " + *scan).ok());
  }

  // Runs `query` (with "@T" standing for the table) through delta_scan and
  // over all rows; expects equal results and returns the files read.
  size_t FilesRead(const std::string& query) {
    const DeltaScanReport::Scan scan = ScanOf(path_, query);
    EXPECT_EQ(scan.files_total, 8u);
    return scan.files_read;
  }

  std::string path_;
};

TEST_F(PruningTest, SkipsFilesThatCannotMatch) {
  EXPECT_EQ(FilesRead("SELECT * FROM @T"), 8u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE id BETWEEN 0 AND 99"), 2u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE ward = 'a'"), 4u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE ward = 'a' AND id >= 300"), 1u);
  EXPECT_EQ(FilesRead("SELECT count(*) FROM @T AS v WHERE v.id < 100 GROUP BY ward"), 2u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE id IN (5, 350)"), 4u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE seen_at >= TIMESTAMPTZ '2026-01-13 00:00:00+00'"),
            4u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE id > 1000"), 0u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE note IS NULL AND ward = 'b'"), 0u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE note IS NULL"), 4u);
}

TEST_F(PruningTest, KeepsEveryFileWhenUnsure) {
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE id < 100 OR ward = 'b'"), 8u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T WHERE id + 1 < 100"), 8u);
  EXPECT_EQ(FilesRead("SELECT * FROM @T t JOIN everything e USING (id) WHERE e.id < 100"), 8u);
}

}  // namespace
}  // namespace carelake::delta
