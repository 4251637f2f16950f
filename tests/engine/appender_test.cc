#include "carelake/engine/appender.h"

#include <gtest/gtest.h>

#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace carelake::engine {
namespace {

class AppenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*Database::OpenInMemory());
    conn_.emplace(std::move(*Connection::Open(*db_)));
  }
  std::unique_ptr<Database> db_;
  std::optional<Connection> conn_;
};

TEST_F(AppenderTest, AppendsAMillionRows) {
  ASSERT_TRUE(conn_
                  ->Execute("CREATE TABLE events(id BIGINT, dept VARCHAR, age INTEGER, "
                            "charge DECIMAL(12,2), admitted_at TIMESTAMP)")
                  .ok());
  auto app = Appender::Create(*conn_, "events");
  ASSERT_TRUE(app.ok()) << app.status();
  const std::string depts[] = {"cardiology", "oncology", "pédiatrie"};
  constexpr int64_t kRows = 1'000'000;
  int64_t expected_age_sum = 0;
  Int128 expected_cents = 0;
  for (int64_t i = 0; i < kRows; ++i) {
    const int32_t age = static_cast<int32_t>(i % 97);
    const Decimal charge{static_cast<Int128>(i % 100000), 12, 2};
    expected_age_sum += age;
    expected_cents += charge.unscaled;
    ASSERT_TRUE(app->Append(i).ok());
    ASSERT_TRUE(app->Append(std::string_view(depts[i % 3])).ok());
    ASSERT_TRUE(app->Append(age).ok());
    ASSERT_TRUE(app->Append(charge).ok());
    ASSERT_TRUE(app->Append(Timestamp{i * 1'000'000}).ok());
    ASSERT_TRUE(app->EndRow().ok());
  }
  ASSERT_TRUE(app->Close().ok());
  auto rows = *conn_
                   ->Query(
                       "SELECT count(*), count(DISTINCT id), sum(age), sum(charge), "
                       "count(*) FILTER (dept = 'pédiatrie'), max(admitted_at) FROM events")
                   ->FetchAllRows();
  EXPECT_EQ(rows[0][0].GetInt64(), kRows);
  EXPECT_EQ(rows[0][1].GetInt64(), kRows);
  EXPECT_EQ(rows[0][2].GetInt128(), expected_age_sum);
  EXPECT_EQ(rows[0][3].GetDecimal().unscaled, expected_cents);
  EXPECT_EQ(rows[0][4].GetInt64(), kRows / 3);
  EXPECT_EQ(rows[0][5].GetTimestamp().micros, (kRows - 1) * 1'000'000);
}

TEST_F(AppenderTest, MissingTableIsAnError) {
  auto app = Appender::Create(*conn_, "nope");
  ASSERT_FALSE(app.ok());
  EXPECT_NE(app.status().message().find("nope"), std::string::npos) << app.status();
}

TEST_F(AppenderTest, WrongColumnCountFailsTheRow) {
  ASSERT_TRUE(conn_->Execute("CREATE TABLE two(a INT, b INT)").ok());
  auto app = Appender::Create(*conn_, "two");
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE(app->Append(int32_t{1}).ok());
  Status s = app->EndRow();
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(s.message().empty());
}

TEST_F(AppenderTest, ConstraintViolationSurfacesAtFlushAndAppendsNothing) {
  ASSERT_TRUE(conn_->Execute("CREATE TABLE pk(id INT PRIMARY KEY)").ok());
  auto app = Appender::Create(*conn_, "pk");
  ASSERT_TRUE(app.ok());
  for (int32_t id : {1, 2, 2}) {
    ASSERT_TRUE(app->Append(id).ok());
    ASSERT_TRUE(app->EndRow().ok());
  }
  Status s = app->Flush();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s;
  auto rows = *conn_->Query("SELECT count(*) FROM pk")->FetchAllRows();
  EXPECT_EQ(rows[0][0].GetInt64(), 0);
}

TEST_F(AppenderTest, ClosedAppenderRefusesMoreRows) {
  ASSERT_TRUE(conn_->Execute("CREATE TABLE one(a INT)").ok());
  auto app = Appender::Create(*conn_, "one");
  ASSERT_TRUE(app->Close().ok());
  EXPECT_EQ(app->Flush().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(app->Append(int32_t{1}).ok());
}

}  // namespace
}  // namespace carelake::engine
