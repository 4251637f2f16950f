// Silver built directly through model/'s API: a rule that quarantines rows
// (silver and quarantine together hold every row read, each quarantined row
// says why), re-runs that change nothing, and a step that leaves no
// temporary table behind. Expected counts come from SQL over the bronze
// rows written, not from the code under test.
#include "carelake/model/silver.h"

#include <gtest/gtest.h>

#include <string>

#include "model_lake_test.h"

namespace carelake::model {
namespace {

using project::ExpectationAction;

// 200 visits; every 7th age is out of range, every 11th is not a number.
constexpr char kVisits[] =
    "SELECT i::VARCHAR AS visit_id, CASE WHEN i % 11 = 0 THEN 'n/a' WHEN i % 7 = 0 THEN "
    "'150' ELSE (i % 90)::VARCHAR END AS age, ' clinic ' || (i % 3)::VARCHAR AS clinic "
    "FROM range(1, 201) t(i)";

// A bronze row fails age_type when its age does not convert, age_range when
// it converts outside 0..120; a row whose age is NULL (did not convert)
// fails age_range too.
constexpr char kTypeFails[] = "TRY_CAST(age AS INTEGER) IS NULL";
constexpr char kRangeFails[] = "TRY_CAST(age AS INTEGER) NOT BETWEEN 0 AND 120";
constexpr char kRangeRuleFails[] =
    "NOT coalesce(TRY_CAST(age AS INTEGER) BETWEEN 0 AND 120, false)";

project::SilverColumn Column(const std::string& name, const std::string& type) {
  project::SilverColumn c;
  c.name = name;
  c.type = type;
  return c;
}

project::SilverTable Visits(bool keyed) {
  project::SilverTable t;
  t.name = "visits";
  t.from = "bronze.visits";
  t.columns = {Column("visit_id", "INTEGER"), Column("age", "INTEGER"),
               Column("clinic", "VARCHAR")};
  if (keyed) t.key = {"visit_id"};
  project::Expectation range;
  range.name = "age_range";
  range.check = "age BETWEEN 0 AND 120";
  range.action = ExpectationAction::kQuarantine;
  t.expectations = {range};
  return t;
}

class SilverTest : public ModelLakeTest {
 protected:
  int64_t Bronze(const std::string& where) {
    return Int("SELECT count(*) FROM bronze.visits WHERE " + where);
  }
  const RuleResult* Rule(const SilverResult& r, const std::string& name) {
    for (const RuleResult& rule : r.rules) {
      if (rule.rule == name) return &rule;
    }
    return nullptr;
  }
};

TEST_F(SilverTest, AQuarantineRuleSendsFailingRowsToTheQuarantineWithTheirReasons) {
  AppendBronze("bronze.visits", kVisits);
  const project::SilverTable t = Visits(/*keyed=*/false);
  auto r = RunSilverTable(t, "bronze.visits");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->committed) << r->message;
  EXPECT_EQ(r->mode, BuildMode::kFull);
  EXPECT_EQ(r->reason, "new table");

  const int64_t in = Bronze("true");
  const int64_t type_fails = Bronze(kTypeFails);
  const int64_t range_fails = Bronze(kRangeFails);
  ASSERT_GT(type_fails, 0);
  ASSERT_GT(range_fails, 0);
  EXPECT_EQ(r->account.rows_in, in);
  EXPECT_EQ(r->account.quarantined, type_fails + range_fails);
  EXPECT_EQ(r->account.kept, in - type_fails - range_fails);
  EXPECT_TRUE(r->account.Balanced());
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits"), r->account.kept);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits__quarantine"), r->account.quarantined);
  // The kept rows are exactly the valid bronze rows, typed and trimmed.
  EXPECT_EQ(Difference("SELECT visit_id, age, clinic FROM silver.visits",
                       std::string("SELECT visit_id::INTEGER, age::INTEGER, trim(clinic) FROM "
                                   "bronze.visits WHERE NOT (") +
                           kTypeFails + ") AND NOT (" + kRangeFails + ")"),
            0);

  // Each rule's result and each quarantined row's reason.
  ASSERT_NE(Rule(*r, "age_range"), nullptr);
  EXPECT_EQ(Rule(*r, "age_range")->rows_failed, Bronze(kRangeRuleFails));
  EXPECT_EQ(Rule(*r, "age_range")->rows_checked, in);
  EXPECT_FALSE(Rule(*r, "age_range")->examples.empty());
  ASSERT_NE(Rule(*r, "age_type"), nullptr);
  EXPECT_EQ(Rule(*r, "age_type")->rows_failed, type_fails);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits__quarantine WHERE _dq_rules = ['age_range'] "
                "AND _dq_reasons LIKE 'age_range: %'"),
            range_fails);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits__quarantine WHERE _dq_rules = ['age_type', "
                "'age_range'] AND _dq_reasons LIKE 'age_type: \"n/a\" is not a valid INTEGER; "
                "age_range: %'"),
            type_fails);
  // The quarantined rows are exactly the failing bronze rows, with their source record.
  EXPECT_EQ(Difference("SELECT visit_id, _source_record::JSON->>'age' FROM "
                       "silver.visits__quarantine",
                       std::string("SELECT visit_id::INTEGER, age FROM bronze.visits WHERE (") +
                           kTypeFails + ") OR (" + kRangeFails + ")"),
            0);
  EXPECT_EQ(TempTableCount(), 0);
}

TEST_F(SilverTest, ARerunWithNothingNewCommitsNothing) {
  AppendBronze("bronze.visits", kVisits);
  const project::SilverTable t = Visits(/*keyed=*/false);
  ASSERT_TRUE(RunSilverTable(t, "bronze.visits").ok());
  const int64_t silver_version = Version("silver.visits");
  const int64_t quarantine_version = Version("silver.visits__quarantine");
  const int64_t rows = Int("SELECT count(*) FROM silver.visits");

  auto again = RunSilverTable(t, "bronze.visits");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->committed);
  EXPECT_EQ(again->mode, BuildMode::kNone);
  EXPECT_EQ(again->message, "nothing new in bronze.visits (version " +
                                std::to_string(Version("bronze.visits")) + ")");
  EXPECT_EQ(Version("silver.visits"), silver_version);
  EXPECT_EQ(Version("silver.visits__quarantine"), quarantine_version);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits"), rows);
  EXPECT_EQ(TempTableCount(), 0);
}

TEST_F(SilverTest, ReDeliveredRowsOfAKeyedTableChangeNothing) {
  AppendBronze("bronze.visits", kVisits);
  const project::SilverTable t = Visits(/*keyed=*/true);
  ASSERT_TRUE(RunSilverTable(t, "bronze.visits").ok());
  ASSERT_TRUE(conn_->Execute("CREATE TEMP TABLE before AS SELECT * FROM silver.visits").ok());
  ASSERT_EQ(TempTableCount(), 1);  // `before`: the count sees temporary tables
  const int64_t quarantined = Int("SELECT count(*) FROM silver.visits__quarantine");

  // The same valid rows again, in a new bronze batch.
  AppendBronze("bronze.visits", std::string(kVisits) + " WHERE NOT (" + kTypeFails + ") AND NOT (" +
                                    kRangeFails + ")");
  auto again = RunSilverTable(t, "bronze.visits");
  ASSERT_TRUE(again.ok()) << again.status();
  const int64_t redelivered = Int(std::string("SELECT count(*) FROM (") + kVisits +
                                  ") WHERE NOT (" + kTypeFails + ") AND NOT (" + kRangeFails + ")");
  EXPECT_EQ(again->account.rows_in, redelivered);
  EXPECT_EQ(again->account.deduplicated, redelivered);
  EXPECT_EQ(again->account.kept, 0);
  EXPECT_TRUE(again->account.Balanced());
  // The stored rows, lineage included, are untouched.
  EXPECT_EQ(Difference("SELECT * FROM silver.visits", "SELECT * FROM before"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.visits__quarantine"), quarantined);
  ASSERT_TRUE(conn_->Execute("DROP TABLE before").ok());
  EXPECT_EQ(TempTableCount(), 0);
}

TEST_F(SilverTest, AFailRuleCommitsNothingAndLeavesNoTemporaryTable) {
  AppendBronze("bronze.visits", kVisits);
  project::SilverTable t = Visits(/*keyed=*/false);
  t.expectations[0].action = ExpectationAction::kFail;
  t.on_type_error = ExpectationAction::kDrop;
  auto r = RunSilverTable(t, "bronze.visits");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->committed);
  EXPECT_EQ(r->failed_rule, "age_range");
  EXPECT_EQ(r->message, "silver.visits: rule 'age_range' (action fail) failed for " +
                            std::to_string(Bronze(kRangeRuleFails)) + " of " +
                            std::to_string(Bronze("true")) + " rows; nothing was committed");
  EXPECT_EQ(Version("silver.visits"), -1);
  EXPECT_EQ(TempTableCount(), 0);
}

}  // namespace
}  // namespace carelake::model
