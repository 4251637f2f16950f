// What a data engineer's edit-run-look loop needs: an edited model or silver
// table is noticed (by its parsed definition, not its text), rebuilt or
// refused with the command that fixes it; a model's inputs are found by
// DuckDB's parser (quoted names, aliases); its errors point into its file;
// `--dry-run` tells what would run and writes nothing; the ledger says how
// and why each step ran.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "../cli/cli_runner.h"
#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/delta/table.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

// A CSV source of items, silver typed, two models: a full count and an
// incremental running total.
constexpr char kHead[] = R"yaml(name: shop
sources:
  - name: items
    format: csv
    path: landing/*.csv
silver:
  - name: items
    from: bronze.items
    key: [id]
    columns:
      - {name: id, type: BIGINT}
      - {name: price, type: "DECIMAL(10,2)"}
models:
  - name: item_count
  - name: item_log
    materialized: incremental
)yaml";

class DefinitionTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    fs::create_directories(dir_ / "landing");
    fs::create_directories(dir_ / "models");
    Yaml(kHead);
    Model("item_count", "SELECT count(*) AS n FROM silver.items");
    Model("item_log", "SELECT id, price FROM new_rows(silver.items)");
  }

  void Yaml(const std::string& text) { std::ofstream(dir_ / "carelake.yaml") << text; }
  void Model(const std::string& name, const std::string& sql) {
    std::ofstream(dir_ / "models" / (name + ".sql")) << sql;
  }
  void Land(const std::string& name, const std::string& rows) {
    std::ofstream(dir_ / "landing" / name) << "id,price\n" << rows;
  }

  project::Project Load() {
    auto p = project::LoadProject(dir_.string());
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : project::Project{};
  }

  RunReport Run(const RunOptions& options = {}) {
    project::Project p = Load();
    auto r = RunProject(p, options, LocalFileSystem(), *conn_);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(catalog::RegisterViews(p, LocalFileSystem(), *conn_).ok());
    return r.ok() ? *r : RunReport{};
  }

  const StepReport* Step(const RunReport& r, const std::string& name) {
    for (const StepReport& s : r.steps) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  int64_t Version(const std::string& qualified) {
    const std::string path = catalog::TablePaths(Load()).at(qualified);
    delta::DeltaTable t(LocalFileSystem(), path, *conn_);
    return t.Exists() ? (*t.Load())->version() : -1;
  }

  std::vector<std::string> Columns(const std::string& table) {
    std::vector<std::string> out;
    for (const auto& row : Rows("SELECT column_name FROM (DESCRIBE " + table + ")"))
      out.push_back(row[0].GetString());
    return out;
  }
};

using Names = std::vector<std::string>;

TEST_F(DefinitionTest, AnEditedFullModelIsRebuiltAndAReformattedOneIsNot) {
  Land("a.csv", "1,10.00\n2,20.00\n");
  ASSERT_TRUE(Run().succeeded);
  const int64_t built = Version("gold.item_count");
  // Whitespace, comments and quoting alone: not a change.
  Model("item_count", "-- how many items\nselect   count(*) as n\n  from \"silver\".\"items\";\n");
  RunReport same = Run();
  ASSERT_TRUE(same.succeeded) << same.error;
  EXPECT_EQ(Version("gold.item_count"), built);
  EXPECT_EQ(Step(same, "gold.item_count")->status, StepStatus::kUpToDate);
  // A new column: rebuilt, and the ledger says why.
  Model("item_count", "SELECT count(*) AS n, sum(price) AS total FROM silver.items");
  RunReport edited = Run();
  ASSERT_TRUE(edited.succeeded) << edited.error;
  const StepReport* s = Step(edited, "gold.item_count");
  EXPECT_EQ(s->status, StepStatus::kCommitted);
  EXPECT_EQ(s->mode, model::BuildMode::kFull);
  EXPECT_EQ(s->reason, "definition changed since version " + std::to_string(built));
  EXPECT_EQ(Columns("gold.item_count"), (Names{"n", "total"}));
  EXPECT_EQ(Int("SELECT total::BIGINT FROM gold.item_count"), 30);
  EXPECT_EQ(Int("SELECT count(*) FROM _system.steps WHERE step = 'gold.item_count' AND mode = "
                "'full' AND reason LIKE 'definition changed since version %'"),
            1);
  // A dropped column leaves the table (it is its query's result).
  Model("item_count", "SELECT sum(price) AS total FROM silver.items");
  ASSERT_TRUE(Run().succeeded);
  EXPECT_EQ(Columns("gold.item_count"), (Names{"total"}));
}

TEST_F(DefinitionTest, AnEditedIncrementalModelIsRefusedUntilAFullRefreshOrRebuiltWhenAsked) {
  Land("a.csv", "1,10.00\n2,20.00\n");
  ASSERT_TRUE(Run().succeeded);
  const int64_t built = Version("gold.item_log");
  Model("item_log", "SELECT id, price, price * 2 AS doubled FROM new_rows(silver.items)");
  Land("b.csv", "3,30.00\n");
  RunReport refused = Run();
  EXPECT_FALSE(refused.succeeded);
  EXPECT_EQ(refused.failed_step, "gold.item_log");
  EXPECT_EQ(refused.error, "definition of gold.item_log changed since version " +
                               std::to_string(built) +
                               "; run with --full-refresh --select gold.item_log (or declare "
                               "on_definition_change: rebuild)");
  EXPECT_EQ(Version("gold.item_log"), built);  // not silently mixed
  // The fix the message names.
  RunOptions full;
  full.select = {"gold.item_log"};
  full.full_refresh = true;
  RunReport rebuilt = Run(full);
  ASSERT_TRUE(rebuilt.succeeded) << rebuilt.error;
  EXPECT_EQ(Step(rebuilt, "gold.item_log")->reason, "full refresh asked for");
  EXPECT_EQ(Int("SELECT count(*) FROM gold.item_log WHERE doubled = 2 * price"), 3);
  // With on_definition_change: rebuild, the next edit rebuilds by itself.
  std::string yaml = kHead;
  yaml.insert(yaml.find("    materialized: incremental"), "    on_definition_change: rebuild\n");
  Yaml(yaml);
  Model("item_log", "SELECT id FROM new_rows(silver.items)");
  RunReport again = Run();
  ASSERT_TRUE(again.succeeded) << again.error;
  const StepReport* s = Step(again, "gold.item_log");
  EXPECT_EQ(s->mode, model::BuildMode::kFull);
  EXPECT_NE(s->reason.find("rebuilt in full"), std::string::npos) << s->reason;
  EXPECT_EQ(Columns("gold.item_log"), (Names{"id"}));
  EXPECT_EQ(Int("SELECT count(*) FROM gold.item_log"), 3);
}

TEST_F(DefinitionTest, AnEditedSilverTableIsRefusedUntilAFullRefresh) {
  Land("a.csv", "1,10.00\n");
  ASSERT_TRUE(Run().succeeded);
  std::string yaml = kHead;
  yaml.replace(yaml.find("\"DECIMAL(10,2)\""), 15, "DOUBLE");
  Yaml(yaml);
  RunReport refused = Run();
  EXPECT_FALSE(refused.succeeded);
  EXPECT_EQ(refused.failed_step, "silver.items");
  EXPECT_NE(refused.error.find("definition of silver.items changed since version"),
            std::string::npos)
      << refused.error;
  RunOptions full;
  full.full_refresh = true;
  ASSERT_TRUE(Run(full).succeeded);
  EXPECT_EQ(Rows("SELECT typeof(price) FROM silver.items")[0][0].GetString(), "DOUBLE");
  // A new warn or fail rule is not a change of the rows: no refresh asked.
  yaml.insert(yaml.find("models:"),
              "    expectations:\n      - {name: cheap, check: \"price < 100\", action: warn}\n");
  Yaml(yaml);
  Land("b.csv", "2,200.00\n");
  RunReport warned = Run();
  ASSERT_TRUE(warned.succeeded) << warned.error;
  EXPECT_EQ(Step(warned, "silver.items")->rows_warned, 1);
}

TEST_F(DefinitionTest, FullRefreshRebuildsTablesWhoseInputsWereConsumed) {
  Land("a.csv", "1,10.00\n2,20.00\n");
  ASSERT_TRUE(Run().succeeded);
  for (const Names& select : {Names{"item_log"}, Names{"+item_log"}}) {
    const int64_t before = Version("gold.item_log");
    const int64_t silver_before = Version("silver.items");
    RunOptions full;
    full.select = select;
    full.full_refresh = true;
    RunReport r = Run(full);
    ASSERT_TRUE(r.succeeded) << r.error;
    EXPECT_EQ(Version("gold.item_log"), before + 1) << select[0];
    EXPECT_EQ(Version("silver.items"), silver_before + (select[0][0] == '+' ? 1 : 0));
    EXPECT_EQ(Int("SELECT count(*) FROM gold.item_log"), 2) << "rebuilt, not appended twice";
    EXPECT_EQ(Int("SELECT count(*) FROM silver.items"), 2);
  }
  // gold.item_count reads silver.items, rebuilt by +item_log: it follows.
  RunReport follow = Run();
  ASSERT_TRUE(follow.succeeded);
  EXPECT_EQ(Step(follow, "gold.item_count")->status, StepStatus::kCommitted);
  // Normal runs are still exactly once: nothing new, nothing committed.
  RunReport again = Run();
  ASSERT_TRUE(again.succeeded);
  EXPECT_FALSE(again.CommittedAnything());
  Land("b.csv", "3,30.00\n");
  ASSERT_TRUE(Run().succeeded);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.item_log"), 3);
  // silver.items alone rebuilt: the append model reading new_rows(silver.items)
  // would see every row as new; it rebuilds instead of appending them twice.
  RunOptions silver;
  silver.select = {"silver.items"};
  silver.full_refresh = true;
  ASSERT_TRUE(Run(silver).succeeded);
  RunReport after = Run();
  ASSERT_TRUE(after.succeeded) << after.error;
  EXPECT_EQ(Int("SELECT count(*) FROM gold.item_log"), 3);
  EXPECT_EQ(Step(after, "gold.item_log")->mode, model::BuildMode::kFull);
  EXPECT_EQ(Step(after, "gold.item_log")->reason.rfind("silver.items rewritten", 0), 0u)
      << Step(after, "gold.item_log")->reason;
}

TEST_F(DefinitionTest, QuotedAndAliasedReferencesAreSeenByTheParser) {
  // Quoted names, and an alias named like a layer.
  Model("item_count", "SELECT count(gold.id) AS n FROM \"silver\".\"items\" AS gold");
  Land("a.csv", "1,10.00\n");
  RunReport first = Run();
  ASSERT_TRUE(first.succeeded) << first.error;
  EXPECT_EQ(Int("SELECT n FROM gold.item_count"), 1);
  // New rows in silver.items: the quoted reference sees them (the text
  // scanner did not, and kept a stale count).
  Land("b.csv", "2,20.00\n3,30.00\n");
  RunReport second = Run();
  ASSERT_TRUE(second.succeeded) << second.error;
  EXPECT_EQ(Step(second, "gold.item_count")->status, StepStatus::kCommitted);
  EXPECT_EQ(Int("SELECT n FROM gold.item_count"), 3);
  // A CTE named like a table hides it; comments hold no references.
  Model("item_count",
        "-- reads silver.nothing\nWITH items AS (SELECT * FROM silver.items)\n"
        "SELECT count(*) AS n FROM items /* gold.nope */");
  RunReport third = Run();
  ASSERT_TRUE(third.succeeded) << third.error;
  EXPECT_EQ(Int("SELECT n FROM gold.item_count"), 3);
}

TEST_F(DefinitionTest, ModelErrorsPointIntoTheModelsFile) {
  std::string yaml = kHead;
  yaml.insert(yaml.find("sources:"), "on_definition_change: rebuild\n");
  Yaml(yaml);
  Land("a.csv", "1,10.00\n");
  ASSERT_TRUE(Run().succeeded);
  auto error_of = [&](const std::string& sql) {
    Model("item_count", sql);
    RunReport r = Run();
    EXPECT_FALSE(r.succeeded);
    EXPECT_EQ(r.failed_step, "gold.item_count") << r.error;
    return r.error;
  };
  EXPECT_EQ(error_of("SELECT count(*) AS n\nFORM silver.items\n"),
            "models/item_count.sql:2:1: syntax error at or near \"FORM\"\n"
            "  FORM silver.items\n  ^");
  const std::string binder = error_of("SELECT count(*) AS n,\n  max(nope) AS m\nFROM silver.items");
  EXPECT_EQ(binder.rfind("models/item_count.sql:2:7: Binder Error: Referenced column \"nope\"", 0),
            0u)
      << binder;
  EXPECT_NE(binder.find("\n    max(nope) AS m\n        ^"), std::string::npos) << binder;
  EXPECT_EQ(binder.find("_model_rows"), std::string::npos) << binder;
  // Also behind a replaced new_rows(...) earlier on the same line.
  Model("item_log", "SELECT id FROM new_rows(silver.items) WHERE nope > 1");
  Model("item_count", "SELECT 1 AS n");
  Land("b.csv", "2,20.00\n");
  RunReport r = Run();
  EXPECT_EQ(r.failed_step, "gold.item_log");
  EXPECT_EQ(r.error.rfind("models/item_log.sql:1:45: Binder Error", 0), 0u) << r.error;
  Model("item_log", "SELECT id FROM silver.items");
  EXPECT_EQ(error_of("SELECT count(*) AS n FROM items"),
            "models/item_count.sql:1:27: 'items' names no table: tables are named layer.name; "
            "did you mean bronze.items or silver.items?\n  SELECT count(*) AS n FROM items\n"
            "                            ^");
  EXPECT_EQ(error_of("SELECT count(*) AS n FROM silver.nope"),
            "models/item_count.sql:1:27: reads 'silver.nope', which the project does not "
            "declare (it declares silver.items)\n  SELECT count(*) AS n FROM silver.nope\n"
            "                            ^");
}

TEST_F(DefinitionTest, DryRunTellsWhatWouldRunAndWritesNothing) {
  Land("a.csv", "1,10.00\n");
  ASSERT_TRUE(Run().succeeded);
  Land("b.csv", "2,20.00\n");
  Model("item_count", "SELECT count(*) AS n, 1 AS one FROM silver.items");
  std::map<std::string, int64_t> before;
  for (const char* t : {"bronze.items", "silver.items", "gold.item_count", "gold.item_log",
                        "_system.runs", "_system.steps"}) {
    before[t] = Version(t);
  }
  testing_cli::CliRun cli = testing_cli::Carelake("run --dry-run --project " + dir_.string());
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("would run   bronze.items     incremental: 1 new files"),
            std::string::npos)
      << cli.out;
  EXPECT_NE(cli.out.find("would run   silver.items     incremental: after bronze.items commits"),
            std::string::npos)
      << cli.out;
  EXPECT_NE(cli.out.find("would run   gold.item_count  full: definition changed since version"),
            std::string::npos)
      << cli.out;
  EXPECT_NE(cli.out.find("would run   gold.item_log    incremental: after silver.items commits"),
            std::string::npos)
      << cli.out;
  for (const auto& [table, version] : before) EXPECT_EQ(Version(table), version) << table;
  // After the run, nothing would.
  ASSERT_TRUE(Run().succeeded);
  cli = testing_cli::Carelake("run --dry-run --json --project " + dir_.string());
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(cli.out.find("\"runs\": true"), std::string::npos) << cli.out;
  // An incremental model whose definition changed: would fail, exit 1.
  Model("item_log", "SELECT id * 2 AS id FROM new_rows(silver.items)");
  cli = testing_cli::Carelake("run --dry-run --project " + dir_.string());
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_NE(cli.out.find("would fail  gold.item_log    definition of gold.item_log changed"),
            std::string::npos)
      << cli.out;
}

TEST_F(DefinitionTest, TheLedgerRecordsHowAndWhyEachStepRan) {
  Land("a.csv", "1,10.00\n");
  ASSERT_TRUE(Run().succeeded);
  Land("b.csv", "2,20.00\n");
  ASSERT_TRUE(Run().succeeded);
  auto rows = Rows(
      "SELECT step, mode, reason FROM _system.steps s JOIN _system.runs r USING (run_id) "
      "WHERE s.status = 'committed' ORDER BY r.started_at, step");
  std::map<std::string, std::vector<std::string>> seen;
  for (const auto& row : rows) {
    seen[row[0].GetString()].push_back(row[1].GetString() + ": " + row[2].GetString());
  }
  EXPECT_EQ(seen["bronze.items"], (Names{"incremental: 1 new files", "incremental: 1 new files"}));
  EXPECT_EQ(seen["silver.items"],
            (Names{"full: new table", "incremental: new data in bronze.items (version 0 -> 1)"}));
  EXPECT_EQ(seen["gold.item_count"],
            (Names{"full: new table", "full: new data in silver.items (version 0 -> 1)"}));
  EXPECT_EQ(seen["gold.item_log"],
            (Names{"full: new table", "incremental: new data in silver.items (version 0 -> 1)"}));
}

}  // namespace
}  // namespace carelake::pipeline
