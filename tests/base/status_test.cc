#include "carelake/base/status.h"

#include <gtest/gtest.h>

#include "carelake/base/result.h"

namespace carelake {
namespace {

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorKeepsCodeAndMessage) {
  Status s = NotFound("table 'x' does not exist");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: table 'x' does not exist");
  EXPECT_EQ(s.WithContext("reading lake").message(), "reading lake: table 'x' does not exist");
  EXPECT_TRUE(Status().WithContext("ignored").ok());
}

TEST(StatusTest, ServiceCodesHaveTheirNames) {
  EXPECT_EQ(PermissionDenied("no grant on gold.x").ToString(),
            "PermissionDenied: no grant on gold.x");
  EXPECT_EQ(Unauthenticated("password authentication failed").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(StatusCodeName(StatusCode::kUnauthenticated), "Unauthenticated");
  EXPECT_EQ(Unavailable("db1 refused the connection").ToString(),
            "Unavailable: db1 refused the connection");
  EXPECT_EQ(Cancelled("run interrupted").ToString(), "Cancelled: run interrupted");
}

Result<int> Half(int v) {
  if (v % 2 != 0) return InvalidArgument(std::to_string(v) + " is odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  CARELAKE_ASSIGN_OR_RETURN(int half, Half(v));
  CARELAKE_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int v) {
  CARELAKE_RETURN_IF_ERROR(Half(v).status());
  return Status::Ok();
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "3 is odd");
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(Quarter(7).value_or(-1), -1);
}

}  // namespace
}  // namespace carelake
