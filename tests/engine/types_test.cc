// Type round trips: values written through the engine (as bound parameters
// and through the appender) read back identical, NULLs included.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <sstream>

#include "carelake/engine/appender.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace carelake::engine {
namespace {

Decimal Dec(std::string_view text, uint8_t width, uint8_t scale) {
  auto d = Decimal::Parse(text, width, scale);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decimal{};
}

struct Case {
  std::string sql_type;
  std::vector<Value> values;  // each must read back equal
};

std::vector<Case> Cases() {
  constexpr int64_t kDay = 86'400'000'000LL;
  return {
      {"BOOLEAN", {Value::Boolean(true), Value::Boolean(false)}},
      {"INTEGER", {Value::Integer(0), Value::Integer(-2147483647 - 1), Value::Integer(2147483647)}},
      {"BIGINT", {Value::BigInt(INT64_MIN), Value::BigInt(INT64_MAX), Value::BigInt(-1)}},
      {"UBIGINT", {Value::UBigInt(UINT64_MAX), Value::UBigInt(0)}},
      {"HUGEINT",
       {Value::HugeInt(static_cast<Int128>(INT64_MAX) * 1000 + 7),
        Value::HugeInt(-(static_cast<Int128>(1) << 100))}},
      {"DECIMAL(4,2)",
       {Value::FromDecimal(Dec("12.34", 4, 2)), Value::FromDecimal(Dec("-0.05", 4, 2))}},
      {"DECIMAL(18,3)",
       {Value::FromDecimal(Dec("123456789012345.678", 18, 3)),
        Value::FromDecimal(Dec("-0.001", 18, 3))}},
      {"DECIMAL(38,10)",
       {Value::FromDecimal(Dec("1234567890123456789012345678.0123456789", 38, 10)),
        Value::FromDecimal(Dec("-99.5", 38, 10))}},
      {"DOUBLE", {Value::Double(0.1), Value::Double(-1e300), Value::Double(3.141592653589793)}},
      {"FLOAT", {Value::Float(0.1f), Value::Float(-3.4028235e38f), Value::Float(2491969.75f)}},
      {"DATE",
       {Value::FromDate(Date::FromYmd(2024, 2, 29)), Value::FromDate(Date::FromYmd(1899, 12, 31)),
        Value::FromDate(Date::FromYmd(1970, 1, 1))}},
      {"TIMESTAMP",
       {Value::FromTimestamp(Timestamp{Date::FromYmd(2024, 3, 10).days * kDay + 7'200'000'001}),
        Value::FromTimestamp(Timestamp{-1})}},
      {"TIMESTAMPTZ",
       {Value::FromTimestampTz(
            TimestampTz{Date::FromYmd(2023, 10, 29).days * kDay + 3'600'000'000}),
        Value::FromTimestampTz(TimestampTz{0})}},
      {"VARCHAR",
       {Value::Varchar("plain"), Value::Varchar("Zoë Ångström — 診療所 🏥"), Value::Varchar(""),
        Value::Varchar(std::string("nul\0inside", 10))}},
  };
}

class TypeRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*Database::OpenInMemory());
    conn_.emplace(std::move(*Connection::Open(*db_)));
    // Render TIMESTAMPTZ in UTC so DuckDB's own text matches ours.
    ASSERT_TRUE(conn_->Execute("SET TimeZone = 'UTC'").ok());
  }
  std::unique_ptr<Database> db_;
  std::optional<Connection> conn_;
};

TEST_F(TypeRoundTripTest, ThroughParameters) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.sql_type);
    ASSERT_TRUE(conn_->Execute("CREATE OR REPLACE TABLE t(v " + c.sql_type + ")").ok());
    auto insert = conn_->Prepare("INSERT INTO t VALUES ($1)");
    ASSERT_TRUE(insert.ok()) << insert.status();
    for (const Value& v : c.values) {
      ASSERT_TRUE(insert->Bind(1, v).ok());
      ASSERT_TRUE(insert->Execute().ok());
    }
    ASSERT_TRUE(insert->BindNull(1).ok());
    ASSERT_TRUE(insert->Execute().ok());
    auto rows = conn_->Query("SELECT v FROM t")->FetchAllRows();
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), c.values.size() + 1);
    for (size_t i = 0; i < c.values.size(); ++i) {
      EXPECT_EQ((*rows)[i][0], c.values[i]) << "row " << i;
    }
    EXPECT_TRUE(rows->back()[0].is_null());
  }
}

TEST_F(TypeRoundTripTest, ThroughTheAppender) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.sql_type);
    ASSERT_TRUE(conn_->Execute("CREATE OR REPLACE TABLE t(v " + c.sql_type + ")").ok());
    auto appender = Appender::Create(*conn_, "t");
    ASSERT_TRUE(appender.ok()) << appender.status();
    for (const Value& v : c.values) {
      ASSERT_TRUE(appender->Append(v).ok());
      ASSERT_TRUE(appender->EndRow().ok());
    }
    ASSERT_TRUE(appender->AppendNull().ok());
    ASSERT_TRUE(appender->EndRow().ok());
    ASSERT_TRUE(appender->Close().ok());
    auto rows = conn_->Query("SELECT v FROM t")->FetchAllRows();
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), c.values.size() + 1);
    for (size_t i = 0; i < c.values.size(); ++i) EXPECT_EQ((*rows)[i][0], c.values[i]);
    EXPECT_TRUE(rows->back()[0].is_null());
  }
}

TEST_F(TypeRoundTripTest, TextRenderingMatchesDuckDbsCasts) {
  // Our ToString of each value equals DuckDB's own CAST(v AS VARCHAR).
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.sql_type);
    for (const Value& v : c.values) {
      auto r =
          conn_->Query("SELECT $1::" + c.sql_type + ", CAST($1::" + c.sql_type + " AS VARCHAR)", v);
      ASSERT_TRUE(r.ok()) << r.status();
      auto rows = *r->FetchAllRows();
      std::string expected = rows[0][1].GetString();
      if (c.sql_type == "TIMESTAMPTZ") expected = expected.substr(0, expected.size());
      EXPECT_EQ(rows[0][0].ToString(), expected);
    }
  }
  auto doubles =
      *conn_->Query("SELECT 0.1::DOUBLE, 1e300::DOUBLE, 2.0::DOUBLE, -0.5::DOUBLE")->FetchAllRows();
  EXPECT_EQ(doubles[0][0].ToString(), "0.1");
  EXPECT_EQ(doubles[0][1].ToString(), "1e+300");
  EXPECT_EQ(doubles[0][2].ToString(), "2.0");
  EXPECT_EQ(doubles[0][3].ToString(), "-0.5");
}

// Doubles where DuckDB's text changes shape: fixed vs. exponent notation
// (1e15 / 1e16, 1e-4 / 1e-5 and their neighbours), whole numbers (".0"),
// the ends of the range, denormals, signed zero, infinities and NaNs.
std::vector<double> BoundaryDoubles() {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> out;
  std::istringstream texts(
      "0 10 150 1440 0.1 0.3 0.3333333333333333 2.5 123456789 "
      "1e15 1.5e15 9999999999999998 1e16 1e17 123456789012345678 "
      "9007199254740992 9007199254740994 1e21 1e22 1e23 "
      "1e-4 1.5e-4 9.9999e-5 1e-5 1.5e-5 "
      "4.9406564584124654e-324 2.2250738585072009e-308 2.2250738585072014e-308 "
      "1.7976931348623157e308 inf nan");
  for (std::string text; texts >> text;) out.push_back(std::strtod(text.c_str(), nullptr));
  for (double p = 1e-30; p < 1e30; p *= 10) {
    out.push_back(p);
    out.push_back(std::nextafter(p, 0.0));
    out.push_back(std::nextafter(p, kInf));
  }
  const size_t n = out.size();
  for (size_t i = 0; i < n; ++i) out.push_back(-out[i]);
  return out;
}

// `count` seeded doubles of every magnitude: random bit patterns (denormals
// and NaN payloads included) and numbers with a short decimal text.
std::vector<double> RandomDoubles(size_t count) {
  std::mt19937_64 rng(20240601);
  std::vector<double> out;
  char text[64];
  for (size_t i = 0; i < count; ++i) {
    if (i % 2 == 0) {
      out.push_back(std::bit_cast<double>(rng()));
      continue;
    }
    // Up to 17 significant digits, scaled by 10^-30 .. 10^30.
    uint64_t limit = 10;
    for (uint64_t d = rng() % 17; d > 0; --d) limit *= 10;
    std::snprintf(text, sizeof(text), "%s%llue%d", rng() % 2 ? "-" : "",
                  static_cast<unsigned long long>(rng() % limit),
                  static_cast<int>(rng() % 61) - 30);
    out.push_back(std::strtod(text, nullptr));
  }
  return out;
}

// As RandomDoubles, for FLOAT (each value exactly a float).
std::vector<double> RandomFloats(size_t count) {
  std::mt19937 rng(20240602);
  std::vector<double> out;
  char text[64];
  for (size_t i = 0; i < count; ++i) {
    if (i % 2 == 0) {
      out.push_back(std::bit_cast<float>(static_cast<uint32_t>(rng())));
      continue;
    }
    // Up to 8 significant digits, scaled by 10^-25 .. 10^25.
    uint32_t limit = 10;
    for (uint32_t d = rng() % 8; d > 0; --d) limit *= 10;
    std::snprintf(text, sizeof(text), "%s%ue%d", rng() % 2 ? "-" : "",
                  static_cast<unsigned>(rng() % limit), static_cast<int>(rng() % 51) - 25);
    out.push_back(std::strtof(text, nullptr));
  }
  for (float p = 1e-30f; p < 1e30f; p *= 10) {
    for (float f : {p, std::nextafter(p, 0.0f), std::nextafter(p, 1e38f)}) {
      out.push_back(f);
      out.push_back(-f);
    }
  }
  for (float f : {std::numeric_limits<float>::max(), std::numeric_limits<float>::min(),
                  std::numeric_limits<float>::denorm_min(), 0.1f, 16777216.0f, 2491969.75f}) {
    out.push_back(f);
    out.push_back(-f);
  }
  return out;
}

// Our text of each value of `values` stored in a column of `sql_type`
// equals DuckDB's CAST(v AS VARCHAR) of the same value, also inside a list.
void ExpectCastText(Connection& conn, const std::string& sql_type,
                    const std::vector<double>& values) {
  SCOPED_TRACE(sql_type);
  ASSERT_TRUE(conn.Execute("CREATE OR REPLACE TABLE fp(i BIGINT, v " + sql_type + ")").ok());
  {
    auto appender = Appender::Create(conn, "fp");
    ASSERT_TRUE(appender.ok()) << appender.status();
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_TRUE(appender->Append(static_cast<int64_t>(i)).ok());
      ASSERT_TRUE(appender->Append(values[i]).ok());
      ASSERT_TRUE(appender->EndRow().ok());
    }
    ASSERT_TRUE(appender->Close().ok()) << values.size();
  }
  auto rows =
      conn.Query("SELECT v, CAST(v AS VARCHAR), [v], CAST([v] AS VARCHAR) FROM fp ORDER BY i")
          ->FetchAllRows();
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), values.size());
  int mismatches = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const auto& row = (*rows)[i];
    // The value read back is the one written (a FLOAT column holds floats).
    if (!std::isnan(values[i])) {
      EXPECT_EQ(row[0].GetDouble(), values[i]) << "row " << i;
    }
    const std::string ours = row[0].ToString(), duckdb = row[1].GetString();
    const std::string ours_list = row[2].ToString(), duckdb_list = row[3].GetString();
    if (ours == duckdb && ours_list == duckdb_list) continue;
    if (++mismatches <= 20) {
      char bits[32];
      std::snprintf(bits, sizeof(bits), "%a", values[i]);
      ADD_FAILURE() << "value " << bits << ": ours '" << ours << "', DuckDB '" << duckdb
                    << "'; in a list ours '" << ours_list << "', DuckDB '" << duckdb_list << "'";
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << values.size() << " values";
}

TEST_F(TypeRoundTripTest, FloatingPointTextIsDuckDbsCastText) {
  std::vector<double> doubles = BoundaryDoubles();
  for (double d : RandomDoubles(4000)) doubles.push_back(d);
  ExpectCastText(*conn_, "DOUBLE", doubles);

  std::vector<double> floats;
  for (double d : BoundaryDoubles()) {
    // Those a FLOAT holds (out of range ones would not cast).
    if (std::isnan(d) || std::isinf(d) || std::fabs(d) <= std::numeric_limits<float>::max()) {
      floats.push_back(static_cast<float>(d));
    }
  }
  for (double f : RandomFloats(4000)) floats.push_back(f);
  ExpectCastText(*conn_, "FLOAT", floats);
}

TEST_F(TypeRoundTripTest, NestedAndSpecialTypesRenderAsText) {
  auto rows = *conn_
                   ->Query(
                       "SELECT [1, 2, NULL] AS l, {'a': 1, 'b': 'x'} AS s, "
                       "'5f1c2a4e-0000-4000-8000-00000000abcd'::UUID AS u, "
                       "INTERVAL 1 DAY + INTERVAL 90 MINUTE AS i, MAP {'k': 2} AS m")
                   ->FetchAllRows();
  EXPECT_EQ(rows[0][0].ToString(), "[1, 2, NULL]");
  EXPECT_EQ(rows[0][1].ToString(), "{'a': 1, 'b': 'x'}");
  EXPECT_EQ(rows[0][2].ToString(), "5f1c2a4e-0000-4000-8000-00000000abcd");
  EXPECT_EQ(rows[0][3].ToString(), "1 day 01:30:00");
  EXPECT_EQ(rows[0][4].ToString(), "{k=2}");
}

TEST_F(TypeRoundTripTest, NestedValuesAreStructured) {
  auto rows = *conn_->Query("SELECT {'a': 1, 'b': ['x', NULL]} AS s, MAP {'k1': 10, 'k2': 20} AS m")
                   ->FetchAllRows();
  const Value& s = rows[0][0];
  ASSERT_EQ(s.type().id, TypeId::kStruct);
  ASSERT_NE(s.field("a"), nullptr);
  EXPECT_EQ(s.field("a")->GetInt64(), 1);
  EXPECT_EQ(s.field("missing"), nullptr);
  const Value& list = *s.field("b");
  ASSERT_EQ(list.children().size(), 2u);
  EXPECT_EQ(list.children()[0].GetString(), "x");
  EXPECT_TRUE(list.children()[1].is_null());
  const Value& m = rows[0][1];
  ASSERT_EQ(m.children().size(), 2u);
  EXPECT_EQ(m.children()[1].field("key")->GetString(), "k2");
  EXPECT_EQ(m.children()[1].field("value")->GetInt64(), 20);
}

TEST(DecimalTest, ParsesRoundsAndRejects) {
  EXPECT_EQ(Dec("1.005", 10, 2).ToString(), "1.01");
  EXPECT_EQ(Dec("-1.004", 10, 2).ToString(), "-1.00");
  EXPECT_EQ(Dec("7", 10, 2).ToString(), "7.00");
  EXPECT_EQ(Dec("-0.5", 3, 1).unscaled, -5);
  EXPECT_EQ(Decimal::Parse("123.4", 4, 2).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(Decimal::Parse("12a", 4, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Decimal::Parse("", 4, 2).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace carelake::engine
