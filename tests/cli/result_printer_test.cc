#include "carelake/cli/result_printer.h"

#include <gtest/gtest.h>

#include <sstream>

#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace carelake::cli {
namespace {

class ResultPrinterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*engine::Database::OpenInMemory());
    conn_.emplace(std::move(*engine::Connection::Open(*db_)));
  }

  std::string Print(std::string_view sql, OutputFormat format, size_t max_rows = 10'000) {
    auto result = conn_->Stream(sql);
    EXPECT_TRUE(result.ok()) << result.status();
    std::ostringstream out;
    Status s = PrintResult(*result, PrintOptions{format, max_rows}, out);
    EXPECT_TRUE(s.ok()) << s;
    return out.str();
  }

  static constexpr const char* kQuery =
      "SELECT * FROM (VALUES (1, 'Ana', 12.50::DECIMAL(6,2), true), "
      "(22, 'Zoë \"Z\", MD', NULL, false), (NULL, 'Ōsaka 診療', -3.00, NULL)) "
      "t(id, name, charge, ok)";

  std::unique_ptr<engine::Database> db_;
  std::optional<engine::Connection> conn_;
};

TEST_F(ResultPrinterTest, Table) {
  EXPECT_EQ(Print(kQuery, OutputFormat::kTable),
            "  id  |    name     | charge |  ok\n"
            "------+-------------+--------+-------\n"
            "    1 | Ana         |  12.50 | true\n"
            "   22 | Zoë \"Z\", MD |   NULL | false\n"
            " NULL | Ōsaka 診療  |  -3.00 | NULL\n"
            "(3 rows)\n");
}

TEST_F(ResultPrinterTest, TableTruncatesAndSaysSo) {
  EXPECT_EQ(Print("SELECT range AS n FROM range(5)", OutputFormat::kTable, 2),
            " n\n"
            "---\n"
            " 0\n"
            " 1\n"
            "(5 rows, 2 shown; use --max-rows 0 or --format csv for all)\n");
}

TEST_F(ResultPrinterTest, Csv) {
  EXPECT_EQ(Print(kQuery, OutputFormat::kCsv),
            "id,name,charge,ok\n"
            "1,Ana,12.50,true\n"
            "22,\"Zoë \"\"Z\"\", MD\",,false\n"
            ",Ōsaka 診療,-3.00,\n");
}

TEST_F(ResultPrinterTest, CsvDistinguishesEmptyStringFromNull) {
  EXPECT_EQ(Print("SELECT '' AS a, NULL AS b, 'x\ny' AS c", OutputFormat::kCsv),
            "a,b,c\n\"\",,\"x\ny\"\n");
}

TEST_F(ResultPrinterTest, Json) {
  EXPECT_EQ(Print(kQuery, OutputFormat::kJson),
            "[\n"
            "  {\"id\": 1, \"name\": \"Ana\", \"charge\": 12.50, \"ok\": true},\n"
            "  {\"id\": 22, \"name\": \"Zoë \\\"Z\\\", MD\", \"charge\": null, \"ok\": false},\n"
            "  {\"id\": null, \"name\": \"Ōsaka 診療\", \"charge\": -3.00, \"ok\": null}\n"
            "]\n");
}

TEST_F(ResultPrinterTest, JsonOfNoRowsIsAnEmptyArray) {
  EXPECT_EQ(Print("SELECT 1 AS x WHERE false", OutputFormat::kJson), "[]\n");
}

TEST(DisplayWidthTest, CountsCellsNotBytes) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("Zoë"), 3u);
  EXPECT_EQ(DisplayWidth("診療"), 4u);
  EXPECT_EQ(DisplayWidth("e\xCC\x81"), 1u);  // e + combining acute
}

TEST(OutputFormatTest, ParsesKnownNamesOnly) {
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  auto bad = ParseOutputFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("table, csv or json"), std::string::npos);
}

}  // namespace
}  // namespace carelake::cli
