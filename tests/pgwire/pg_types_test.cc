#include "carelake/pgwire/pg_types.h"

#include <gtest/gtest.h>

namespace carelake::pgwire {
namespace {

using engine::LogicalType;
using engine::TypeId;

TEST(PgTypesTest, EveryArrayPointsBackToItsElement) {
  for (const PgTypeInfo& t : BuiltinTypes()) {
    if (t.array != 0) {
      const PgTypeInfo* array = FindType(t.array);
      ASSERT_NE(array, nullptr) << t.name;
      EXPECT_EQ(array->elem, t.oid) << t.name;
      EXPECT_EQ(array->name, "_" + std::string(t.name));
    }
  }
  EXPECT_EQ(FindType(12345), nullptr);
}

TEST(PgTypesTest, DuckDbTypesAreServedAsPostgresTypes) {
  EXPECT_EQ(PgTypeFor(LogicalType::Of(TypeId::kInteger)).oid, oid::kInt4);
  EXPECT_EQ(PgTypeFor(LogicalType::Of(TypeId::kInteger)).len, 4);
  EXPECT_EQ(PgTypeFor(LogicalType::Of(TypeId::kVarchar)).oid, oid::kText);
  const PgColumnType money = PgTypeFor(LogicalType::Decimal(12, 2));
  EXPECT_EQ(money.oid, oid::kNumeric);
  EXPECT_EQ(money.typmod, (12 << 16 | 2) + 4);
  EXPECT_EQ(PgTypeFor(LogicalType::Of(TypeId::kTimestampTz)).oid, oid::kTimestampTz);
  LogicalType list = LogicalType::Of(TypeId::kList);
  list.children.push_back(LogicalType::Of(TypeId::kBigInt));
  EXPECT_EQ(PgTypeFor(list).oid, 1016u);  // _int8
  LogicalType nested = LogicalType::Of(TypeId::kList);
  nested.children.push_back(list);
  EXPECT_EQ(PgTypeFor(nested).oid, 1016u);  // int8[][] is _int8 too
}

TEST(PgTypesTest, FormatTypeSpellsTypesAsPostgres) {
  EXPECT_EQ(FormatType(oid::kInt4), "integer");
  EXPECT_EQ(FormatType(oid::kFloat8), "double precision");
  EXPECT_EQ(FormatType(oid::kTimestampTz), "timestamp with time zone");
  EXPECT_EQ(FormatType(oid::kNumeric, NumericTypmod(12, 2)), "numeric(12,2)");
  EXPECT_EQ(FormatType(oid::kNumeric), "numeric");
  EXPECT_EQ(FormatType(oid::kVarchar, 24), "character varying(20)");
  EXPECT_EQ(FormatType(1007), "integer[]");  // _int4
  EXPECT_EQ(FormatType(oid::kChar), "\"char\"");
  EXPECT_EQ(FormatType(424242), "???");
}

}  // namespace
}  // namespace carelake::pgwire
