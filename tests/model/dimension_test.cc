// Type 2 dimensions built directly through model/'s API: a new key gets one
// current version, a change of a tracked value closes it and opens the
// next, a change row that changes nothing (a later one with the same values,
// or one delivered again) makes no version; and a fact's surrogate-key
// lookup gives an unknown key the unknown member (-1), corrected once the
// key arrives. Expected versions and keys are computed with SQL from the
// change rows and the dimension's rows, not from the code under test.
#include "carelake/model/dimension.h"

#include <gtest/gtest.h>

#include <string>

#include "carelake/model/gold.h"
#include "model_lake_test.h"

namespace carelake::model {
namespace {

// The versions the change rows of silver.customers give, by reading them
// directly: a version starts at a key's first change and at every change of
// its city; it lasts until the next one starts.
constexpr char kExpectedVersions[] =
    "WITH c AS (SELECT *, lag(city) OVER (PARTITION BY customer_id ORDER BY changed_at) AS prev, "
    "row_number() OVER (PARTITION BY customer_id ORDER BY changed_at) AS n FROM (SELECT DISTINCT "
    "customer_id, city, changed_at FROM silver.customers)), s AS (SELECT customer_id, city, "
    "changed_at AS valid_from FROM c WHERE n = 1 OR city IS DISTINCT FROM prev) SELECT "
    "customer_id, city, valid_from, lead(valid_from) OVER k AS valid_to, lead(valid_from) OVER k "
    "IS NULL AS is_current FROM s WINDOW k AS (PARTITION BY customer_id ORDER BY valid_from)";

constexpr char kVersions[] =
    "SELECT customer_id, city, valid_from, valid_to, is_current FROM gold.dim_customer WHERE "
    "customer_sk <> -1";

class DimensionTest : public ModelLakeTest {
 protected:
  void Customers(const std::string& values) {
    Append("silver.customers",
           "SELECT * FROM (VALUES " + values + ") t(customer_id, city, changed_at)");
  }
  void Orders(const std::string& values) {
    Append("silver.orders",
           "SELECT * FROM (VALUES " + values + ") t(order_id, customer_id, ordered_at)");
  }

  static project::Model Dimension() {
    project::Model m;
    m.name = "dim_customer";
    m.materialized = project::Materialization::kScd2;
    m.key = {"customer_id"};
    m.scd.from = "silver.customers";
    m.scd.sequence_by = "changed_at";
    m.scd.except = {"changed_at"};
    m.scd.surrogate_key = "customer_sk";
    m.sql = "SELECT * FROM new_rows(silver.customers)";
    m.origin = {"carelake.yaml", 12};
    return m;
  }

  // Orders looked up (as of their time) in dim_customer, merged by order_id.
  static project::Model Facts() {
    project::Model m;
    m.name = "fact_orders";
    m.materialized = project::Materialization::kIncremental;
    m.strategy = project::IncrementalStrategy::kMerge;
    m.key = {"order_id"};
    m.sql_file = "models/fact_orders.sql";
    m.sql = "SELECT order_id, customer_id, ordered_at FROM new_rows(silver.orders)";
    project::Lookup l;
    l.dimension = "dim_customer";
    l.on = {{"customer_id", "customer_id"}};
    l.as_of = "ordered_at";
    l.as = "customer_sk";
    l.surrogate_key = "customer_sk";
    l.origin = {"carelake.yaml", 20};
    m.lookups = {l};
    return m;
  }

  ModelResult RunDimensionModel(const project::Model& m) {
    auto r = RunGoldModel(m, {"silver.customers"});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ModelResult{};
  }

  // Orders whose key is not the one a direct reading of the dimension
  // gives: the version with the greatest valid_from <= ordered_at, else the
  // key's first version, else -1.
  int64_t Mispointed() {
    return Int(
        "SELECT count(*) FROM gold.fact_orders f WHERE f.customer_sk IS DISTINCT FROM "
        "coalesce((SELECT arg_max(customer_sk, valid_from) FROM gold.dim_customer c WHERE "
        "c.customer_id = f.customer_id AND c.valid_from <= f.ordered_at), (SELECT "
        "arg_min(customer_sk, valid_from) FROM gold.dim_customer c WHERE c.customer_id = "
        "f.customer_id), -1)");
  }
};

TEST_F(DimensionTest, NewKeysChangesAndUnchangedRowsMakeTheVersionsTheChangesSay) {
  const project::Model m = Dimension();
  Customers("(1, 'Oslo', 10), (2, 'Rome', 10), (3, 'Lima', 10)");
  ModelResult first = RunDimensionModel(m);
  ASSERT_TRUE(first.committed) << first.message;
  EXPECT_EQ(first.mode, BuildMode::kFull);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.dim_customer WHERE is_current AND valid_to IS NULL "
                "AND valid_from = 10 AND customer_sk <> -1"),
            3);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.dim_customer WHERE customer_sk = -1"), 1);
  EXPECT_EQ(Difference(kVersions, kExpectedVersions), 0);

  // Customer 1 moves; customer 2's later change row says what is known.
  Customers("(1, 'Bergen', 20), (2, 'Rome', 20)");
  ModelResult second = RunDimensionModel(m);
  ASSERT_TRUE(second.committed) << second.message;
  EXPECT_EQ(second.mode, BuildMode::kIncremental);
  EXPECT_EQ(Difference(kVersions, kExpectedVersions), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.dim_customer WHERE customer_id = 1"), 2);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.dim_customer WHERE customer_id = 2"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.dim_customer WHERE customer_id = 1 AND city = 'Oslo' "
                "AND valid_from = 10 AND valid_to = 20 AND NOT is_current"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.dim_customer WHERE customer_id = 1 AND city = "
                "'Bergen' AND valid_from = 20 AND valid_to IS NULL AND is_current"),
            1);
  EXPECT_EQ(Int("SELECT count(DISTINCT customer_sk) FROM gold.dim_customer"),
            Int("SELECT count(*) FROM gold.dim_customer"));

  // The same change delivered again: no new version, every row as it was.
  ASSERT_TRUE(conn_->Execute("CREATE TEMP TABLE before AS FROM gold.dim_customer").ok());
  Customers("(1, 'Bergen', 20)");
  ModelResult third = RunDimensionModel(m);
  EXPECT_NE(third.message.find("0 keys changed"), std::string::npos) << third.message;
  EXPECT_EQ(Difference("FROM gold.dim_customer", "FROM before"), 0);
  ASSERT_TRUE(conn_->Execute("DROP TABLE before").ok());

  // Nothing new: nothing to do.
  ModelResult fourth = RunDimensionModel(m);
  EXPECT_FALSE(fourth.committed);
  EXPECT_EQ(fourth.message, "up to date (no new change rows)");
  EXPECT_EQ(TempTableCount(), 0);
}

TEST_F(DimensionTest, AnUnknownKeyGetsTheUnknownMemberUntilItArrives) {
  Customers("(1, 'Oslo', 10), (2, 'Rome', 10)");
  Customers("(1, 'Bergen', 20)");
  ASSERT_TRUE(RunDimensionModel(Dimension()).committed);
  Orders("(100, 1, 15), (101, 9, 15), (102, 1, 25), (103, 2, 5)");
  const project::Model facts = Facts();
  auto r = RunGoldModel(facts, {"silver.orders", "gold.dim_customer"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->committed) << r->message;
  EXPECT_EQ(r->rows_written, Int("SELECT count(*) FROM silver.orders"));
  EXPECT_EQ(Int("SELECT customer_sk FROM gold.fact_orders WHERE order_id = 101"), -1);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_orders WHERE customer_sk = -1"),
            Int("SELECT count(*) FROM silver.orders o WHERE NOT EXISTS (SELECT 1 FROM "
                "silver.customers c WHERE c.customer_id = o.customer_id)"));
  EXPECT_EQ(Mispointed(), 0);

  // Customer 9 arrives: the stored order is looked up again; no new order.
  Customers("(9, 'Kyiv', 5)");
  ASSERT_TRUE(RunDimensionModel(Dimension()).committed);
  auto again = RunGoldModel(facts, {"silver.orders", "gold.dim_customer"});
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE(again->committed) << again->message;
  EXPECT_EQ(again->rows_relooked_up, 1);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_orders WHERE customer_sk = -1"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_orders"),
            Int("SELECT count(*) FROM silver.orders"));
  EXPECT_EQ(Mispointed(), 0);
  EXPECT_EQ(TempTableCount(), 0);
}

}  // namespace
}  // namespace carelake::model
