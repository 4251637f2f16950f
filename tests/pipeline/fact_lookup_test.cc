// Fact lookups: a fact row gets the surrogate key of the dimension version in
// effect at its event time; a key the dimension does not know yet gets the
// unknown member (-1) and is corrected when the key arrives; a late change
// that re-splits a key's history re-points the facts it concerns; an event
// before a key's first version gets the first version, a NULL time the
// latest. Checked against the dimension's rows after every run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr char kProject[] = R"yaml(name: shop
sources:
  - {name: customers, format: csv, path: landing/customers/*.csv}
  - {name: orders, format: csv, path: landing/orders/*.csv}
silver:
  - name: customers
    from: bronze.customers
    columns:
      - {name: customer_id, type: INTEGER}
      - {name: city, type: VARCHAR}
      - {name: changed_at, type: INTEGER}
  - name: orders
    from: bronze.orders
    key: order_id
    columns:
      - {name: order_id, type: INTEGER}
      - {name: customer_id, type: INTEGER}
      - {name: ordered_at, type: INTEGER}
models:
  - name: dim_customer
    materialized: scd2
    from: silver.customers
    key: customer_id
    sequence_by: changed_at
    except: [changed_at]
  - name: fact_orders
    materialized: incremental
    strategy: merge
    key: order_id
    lookups:
      - {dimension: dim_customer, on: customer_id, as_of: ordered_at}
      - {dimension: dim_customer, on: customer_id, as: current_customer_sk}
  - name: orders_by_city
)yaml";

class FactLookupTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    fs::create_directories(dir_ / "landing/customers");
    fs::create_directories(dir_ / "landing/orders");
    fs::create_directories(dir_ / "models");
    std::ofstream(dir_ / "carelake.yaml") << kProject;
    std::ofstream(dir_ / "models/fact_orders.sql")
        << "SELECT order_id, customer_id, ordered_at FROM new_rows(silver.orders)\n";
    std::ofstream(dir_ / "models/orders_by_city.sql")
        << "SELECT c.city, count(*) AS orders FROM gold.fact_orders f JOIN gold.dim_customer c "
           "ON f.customer_sk = c.customer_sk GROUP BY ALL\n";
  }

  void Land(const std::string& file, const std::string& header, const std::string& rows) {
    std::ofstream(dir_ / "landing" / file) << header << "\n" << rows;
  }
  void Customers(const std::string& name, const std::string& rows) {
    Land("customers/" + name, "customer_id,city,changed_at", rows);
  }
  void Orders(const std::string& name, const std::string& rows) {
    Land("orders/" + name, "order_id,customer_id,ordered_at", rows);
  }

  RunReport Run() {
    auto p = project::LoadProject(dir_.string());
    EXPECT_TRUE(p.ok()) << p.status();
    auto r = RunProject(*p, {}, LocalFileSystem(), *conn_);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->succeeded) << r->error;
    EXPECT_TRUE(catalog::RegisterViews(*p, LocalFileSystem(), *conn_).ok());
    return *r;
  }

  // The city of the version an order points to; "unknown" for -1.
  std::string CityOf(int order_id, const std::string& column = "customer_sk") {
    auto rows = Rows("SELECT f." + column + ", c.city FROM gold.fact_orders f LEFT JOIN " +
                     "gold.dim_customer c ON f." + column +
                     " = c.customer_sk WHERE f.order_id = " + std::to_string(order_id));
    if (rows.size() != 1) return "<" + std::to_string(rows.size()) + " rows>";
    if (rows[0][0].GetInt64() == -1) return "unknown";
    return rows[0][1].is_null() ? "<dangling>" : rows[0][1].GetString();
  }

  // Orders whose as-of key is not the one a direct reading of the dimension
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

TEST_F(FactLookupTest, AsOfUnknownMemberAndLateCorrection) {
  Customers("1.csv", "1,Oslo,10\n");
  Orders("1.csv", "100,1,15\n101,2,15\n102,1,5\n");
  Run();
  EXPECT_EQ(CityOf(100), "Oslo");
  EXPECT_EQ(CityOf(101), "unknown") << "customer 2 is not in the dimension yet";
  EXPECT_EQ(CityOf(102), "Oslo") << "before the first version: the first version";
  EXPECT_EQ(Mispointed(), 0);
  EXPECT_EQ(Int("SELECT orders FROM gold.orders_by_city WHERE city IS NULL"), 1)
      << "the unknown member joins like any row";

  // Customer 2 arrives: the stored order is corrected without a new order.
  Customers("2.csv", "2,Rome,1\n");
  RunReport r = Run();
  EXPECT_EQ(CityOf(101), "Rome");
  int64_t relooked = -1;
  for (const StepReport& s : r.steps) {
    if (s.name == "gold.fact_orders") relooked = s.rows_written;
  }
  EXPECT_EQ(relooked, 1) << "only the order of the arrived key is rewritten";

  // A late change splits customer 1's history: the order at 15 now falls in
  // the version from 12; the order at 5 keeps the first version.
  Customers("3.csv", "1,Bergen,12\n");
  Orders("2.csv", "103,1,11\n104,1,\n");
  Run();
  EXPECT_EQ(CityOf(100), "Bergen");
  EXPECT_EQ(CityOf(102), "Oslo");
  EXPECT_EQ(CityOf(103), "Oslo");
  EXPECT_EQ(CityOf(104), "Bergen") << "a NULL time takes the latest version";
  EXPECT_EQ(CityOf(100, "current_customer_sk"), "Bergen");
  EXPECT_EQ(CityOf(101, "current_customer_sk"), "Rome");
  EXPECT_EQ(Mispointed(), 1) << "only order 104 (NULL time) differs from the as-of reading";
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_orders"), 5);

  // An earlier change of customer 1 than any known: order 102 (at 5) now
  // falls in it.
  Customers("4.csv", "1,Lima,2\n");
  Run();
  EXPECT_EQ(CityOf(102), "Lima");
  EXPECT_EQ(CityOf(103), "Oslo");
  EXPECT_EQ(Int("SELECT count(*) FROM gold.fact_orders WHERE customer_sk NOT IN (SELECT "
                "customer_sk FROM gold.dim_customer)"),
            0)
      << "no fact points to a version that no longer exists";
  EXPECT_EQ(Int("SELECT sum(orders)::BIGINT FROM gold.orders_by_city"), 5);
}

}  // namespace
}  // namespace carelake::pipeline
