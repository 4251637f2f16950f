// Data-quality reports against a real lake: the Lumia example project run
// three times over small dirty batches (one holding a hostile record with
// markup and a recognisable patient name), then read back through the
// library and through `carelake runs` / `carelake dq report`.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../cli/cli_runner.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/project/project.h"
#include "carelake/quality/html_writer.h"
#include "carelake/quality/render.h"
#include "carelake/quality/report_loader.h"

namespace carelake::quality {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing_cli::Carelake;
using testing_cli::CliRun;
using testing_cli::ReadAll;

constexpr char kHostileName[] = "Zelda <Secret> O'Hara";

// A markup-bearing record that fails `known_wish` (quarantine) and, alone,
// the `no_markup` rule the test adds (warn), so it is always among that
// rule's examples.
constexpr char kHostileDocument[] = R"([
{"id": "9001", "PatientWish": "<script>alert(1)</script>", "Specialty": "Neurology",
 "Budget": "70", "PatientAge": "40", "PatientName": "Zelda <Secret> O'Hara",
 "CurrentDate": "2023-01-01T10:00:00", "ScheduledDate": "2023-01-01T10:00:00", "Feedback": "0"}
]
)";

constexpr char kNoMarkupRule[] =
    "      - {name: no_markup, check: \"coalesce(patient_wish, '') NOT LIKE '%<%'\", "
    "action: warn}\n";

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The lake every test reads: run 1 (300 dirty records), run 2 (nothing
// new), run 3 (300 more dirty records and the hostile document).
class QualityReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/quality_" + std::to_string(::getpid()));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "lumia";
    fs::copy(example / "models", fs::path(*dir_) / "models");
    // The example's rules plus `no_markup`, appended to the expectations.
    std::string yaml = ReadAll((example / "carelake.yaml").string());
    const std::string anchor = "      - {name: ratings_in_range,";
    const size_t at = yaml.find(anchor);
    if (at == std::string::npos) return;
    yaml.insert(at, kNoMarkupRule);
    std::ofstream(*dir_ + "/carelake.yaml") << yaml;

    const std::string landing = *dir_ + "/landing";
    if (Carelake("generate lumia --records 300 --dirt 0.05 --out " + landing).exit_code != 0) {
      return;
    }
    if (Carelake("run --project " + *dir_).exit_code != 0) return;
    if (Carelake("run --project " + *dir_).exit_code != 0) return;
    if (Carelake("generate lumia --records 300 --first-id 1001 --dirt 0.05 --out " + landing)
            .exit_code != 0) {
      return;
    }
    std::ofstream(landing + "/hostile.json") << kHostileDocument;
    ready_ = Carelake("run --project " + *dir_).exit_code == 0;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_TRUE(ready_) << "the pipeline runs of the fixture failed";
    auto p = project::LoadProject(*dir_);
    ASSERT_TRUE(p.ok()) << p.status();
    project_ = std::move(*p);
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto conn = engine::Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_.emplace(std::move(*conn));
    ASSERT_TRUE(conn_->Execute("SET TimeZone = 'UTC'").ok());
    auto ledger = ReportLoader::Open(project_, LocalFileSystem(), *conn_);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_.emplace(std::move(*ledger));
  }

  int64_t Int(const std::string& sql) {
    auto v = engine::QueryInt(*conn_, sql);
    EXPECT_TRUE(v.ok()) << v.status() << "\n" << sql;
    return v.value_or(-1);
  }

  // Run ids, newest first, straight from the ledger.
  std::vector<std::string> RunIds() {
    auto result = conn_->Query("SELECT run_id FROM _system.runs ORDER BY started_at DESC");
    EXPECT_TRUE(result.ok()) << result.status();
    std::vector<std::string> ids;
    for (const auto& row : result->FetchAllRows().value_or({})) ids.push_back(row[0].GetString());
    return ids;
  }

  // Every non-null PatientName in the ledger's examples of `run_id`.
  std::vector<std::string> ExamplePatientNames(const std::string& run_id) {
    auto result =
        conn_->Query("SELECT unnest(examples) FROM _system.expectations WHERE run_id = $1", run_id);
    EXPECT_TRUE(result.ok()) << result.status();
    std::vector<std::string> names;
    for (const auto& row : result->FetchAllRows().value_or({})) {
      json j = json::parse(row[0].GetString());
      if (j.contains("PatientName") && j["PatientName"].is_string()) {
        names.push_back(j["PatientName"].get<std::string>());
      }
    }
    return names;
  }

  const TableQuality* Find(const QualityReport& r, const std::string& table) {
    for (const TableQuality& t : r.tables) {
      if (t.table == table) return &t;
    }
    return nullptr;
  }

  static std::string* dir_;
  static bool ready_;
  project::Project project_;
  std::unique_ptr<engine::Database> db_;
  std::optional<engine::Connection> conn_;
  std::optional<ReportLoader> ledger_;
};

std::string* QualityReportTest::dir_ = nullptr;
bool QualityReportTest::ready_ = false;

TEST_F(QualityReportTest, DefaultsToTheLatestRunWithExpectationResults) {
  const std::vector<std::string> ids = RunIds();
  ASSERT_EQ(ids.size(), 3u);
  auto report = ledger_->LoadReport(std::nullopt, PiiMasker::ForProject(project_));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->run.run_id, ids[0]);
  EXPECT_EQ(report->later_runs, 0);
  EXPECT_FALSE(report->chosen_by_id);
  // Run 2 had nothing new and evaluated no rules: the trend covers runs 1 and 3.
  ASSERT_EQ(report->trend_runs.size(), 2u);
  EXPECT_EQ(report->trend_runs[0].run_id, ids[2]);
  EXPECT_EQ(report->trend_runs[1].run_id, ids[0]);
}

TEST_F(QualityReportTest, CountsEqualTheQuarantineTablesAndTheLedger) {
  auto report = ledger_->LoadReport(std::nullopt, PiiMasker::ForProject(project_));
  ASSERT_TRUE(report.ok()) << report.status();
  const std::string run = "'" + report->run.run_id + "'";

  const TableQuality* silver = Find(*report, "silver.interactions");
  ASSERT_NE(silver, nullptr);
  ASSERT_TRUE(silver->step.has_value());
  const StepRecord& step = *silver->step;
  EXPECT_GT(step.rows_quarantined, 0);
  EXPECT_EQ(step.rows_quarantined,
            Int("SELECT count(*) FROM silver.interactions__quarantine WHERE _run_id = " + run));
  EXPECT_EQ(step.rows_read, Int("SELECT count(*) FROM bronze.chatbot WHERE _run_id = " + run));
  EXPECT_TRUE(step.Reconciles());
  EXPECT_EQ(step.rows_read,
            step.rows_written + step.rows_dropped + step.rows_quarantined + step.rows_deduplicated);

  // Every rule: the report's counts are the ledger's; a quarantine rule's
  // failures are exactly the quarantined rows that name it.
  ASSERT_EQ(silver->rules.size(),
            static_cast<size_t>(Int("SELECT count(*) FROM _system.expectations WHERE run_id = " +
                                    run + " AND table_name = 'silver.interactions'")));
  for (const RuleRecord& r : silver->rules) {
    SCOPED_TRACE(r.rule);
    const std::string where = " FROM _system.expectations WHERE run_id = " + run +
                              " AND table_name = 'silver.interactions' AND rule = '" + r.rule + "'";
    EXPECT_EQ(r.rows_failed, Int("SELECT rows_failed" + where));
    EXPECT_EQ(r.rows_checked, Int("SELECT rows_checked" + where));
    EXPECT_EQ(r.examples.size(), static_cast<size_t>(Int("SELECT len(examples)" + where)));
    if (r.action == "quarantine") {
      EXPECT_EQ(r.rows_failed,
                Int("SELECT count(*) FROM silver.interactions__quarantine WHERE _run_id = " + run +
                    " AND list_contains(_dq_rules, '" + r.rule + "')"));
    }
    const RuleOutcome expected = r.rows_failed == 0         ? RuleOutcome::kPassed
                                 : r.action == "quarantine" ? RuleOutcome::kQuarantined
                                 : r.action == "fix"        ? RuleOutcome::kFixed
                                 : r.action == "warn"       ? RuleOutcome::kWarned
                                                            : RuleOutcome::kFailed;
    EXPECT_EQ(r.outcome, expected);
    EXPECT_EQ(r.trend.size(), 2u);
    ASSERT_FALSE(r.trend.empty());
    EXPECT_EQ(r.trend.back().rows_failed, r.rows_failed);
  }

  // Bronze: the truncated document's unreadable record, per source.
  ASSERT_EQ(report->sources.size(), 1u);
  EXPECT_EQ(report->sources[0].source, "chatbot");
  EXPECT_EQ(report->sources[0].files, 3);
  EXPECT_EQ(report->sources[0].quarantined,
            Int("SELECT count(*) FROM bronze.chatbot__quarantine WHERE _run_id = " + run));
  EXPECT_EQ(report->sources[0].quarantined, 1);
  ASSERT_EQ(report->sources[0].file_errors.size(), 1u);
  EXPECT_NE(report->sources[0].file_errors[0].first_error.find("truncated"), std::string::npos);

  // The gold model's `fail` rule passed.
  const TableQuality* gold = Find(*report, "gold.lumia_monthly");
  ASSERT_NE(gold, nullptr);
  ASSERT_EQ(gold->rules.size(), 1u);
  EXPECT_EQ(gold->rules[0].outcome, RuleOutcome::kPassed);
}

TEST_F(QualityReportTest, JsonReportCarriesTheLedgerCounts) {
  CliRun r = Carelake("dq report --format json --project " + *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  const std::string run = "'" + j["run"]["run_id"].get<std::string>() + "'";
  EXPECT_EQ(j["run"]["run_id"], RunIds()[0]);
  int64_t quarantine_rules_failed = 0;
  for (const json& t : j["tables"]) {
    for (const json& rule : t["rules"]) {
      EXPECT_EQ(rule["rows_failed"].get<int64_t>(),
                Int("SELECT rows_failed FROM _system.expectations WHERE run_id = " + run +
                    " AND table_name = '" + t["table"].get<std::string>() + "' AND rule = '" +
                    rule["rule"].get<std::string>() + "'"));
      if (rule["action"] == "quarantine") ++quarantine_rules_failed;
    }
    if (t["table"] == "silver.interactions") {
      EXPECT_EQ(t["step"]["rows_quarantined"].get<int64_t>(),
                Int("SELECT count(*) FROM silver.interactions__quarantine WHERE _run_id = " + run));
      EXPECT_EQ(t["step"]["reconciles"], true);
    }
  }
  EXPECT_GT(quarantine_rules_failed, 0);
}

TEST_F(QualityReportTest, TextAndHtmlMaskPiiValues) {
  const std::string html = *dir_ + "/report.html";
  CliRun r = Carelake("dq report --project " + *dir_ + " --html " + html);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = ReadAll(html);
  ASSERT_FALSE(page.empty());

  const std::vector<std::string> names = ExamplePatientNames(RunIds()[0]);
  ASSERT_GT(names.size(), 5u);
  ASSERT_NE(std::find(names.begin(), names.end(), kHostileName), names.end())
      << "the hostile record is among the ledger's examples";
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    EXPECT_EQ(r.out.find("\"PatientName\":" + json(name).dump()), std::string::npos);
    EXPECT_EQ(page.find("&quot;PatientName&quot;:&quot;" + HtmlEscape(name) + "&quot;"),
              std::string::npos);
  }
  EXPECT_EQ(r.out.find("Zelda"), std::string::npos);
  EXPECT_EQ(page.find("Zelda"), std::string::npos);
  EXPECT_EQ(Count(r.out, "\"PatientName\":\"***\""), names.size());
  EXPECT_EQ(Count(page, "&quot;PatientName&quot;:&quot;***&quot;"), names.size());
  // Other fields stay readable.
  EXPECT_NE(r.out.find("\"PatientWish\":\"<script>alert(1)</script>\""), std::string::npos);
}

TEST_F(QualityReportTest, HtmlIsSelfContainedAndEscaped) {
  const std::string html = *dir_ + "/self_contained.html";
  CliRun r = Carelake("dq report --project " + *dir_ + " --html " + html);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = ReadAll(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<style>"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("url("), std::string::npos);
  EXPECT_EQ(page.find("@import"), std::string::npos);
  EXPECT_EQ(page.find("http"), std::string::npos) << "no reference of any kind leaves the page";
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  // Header, reconciliation, trends and examples.
  EXPECT_NE(page.find(RunIds()[0]), std::string::npos);
  EXPECT_NE(page.find("read = kept + dropped + quarantined + deduplicated"), std::string::npos);
  EXPECT_NE(page.find("— holds"), std::string::npos);
  EXPECT_NE(page.find("<svg class=\"spark\""), std::string::npos);
  EXPECT_NE(page.find("<polyline"), std::string::npos) << "two runs make a line";
  EXPECT_NE(page.find("<code>no_markup</code>"), std::string::npos);
  EXPECT_NE(page.find("Bronze ingest"), std::string::npos);
}

TEST_F(QualityReportTest, ChoosesARunAndRejectsAnUnknownOne) {
  const std::vector<std::string> ids = RunIds();
  CliRun first = Carelake("dq report --project " + *dir_ + " --run " + ids[2]);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("Run " + ids[2] + ", started "), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("(chosen with --run)"), std::string::npos);
  EXPECT_NE(first.out.find("2 later runs"), std::string::npos);

  // A run that evaluated no rule still gets its step account.
  CliRun noop = Carelake("dq report --project " + *dir_ + " --run " + ids[1]);
  ASSERT_EQ(noop.exit_code, 0) << noop.err;
  EXPECT_NE(noop.out.find("silver.interactions (up to date"), std::string::npos) << noop.out;
  EXPECT_NE(noop.out.find("no rules evaluated in this run"), std::string::npos);

  CliRun unknown = Carelake("dq report --project " + *dir_ + " --run no-such-run");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("'no-such-run'"), std::string::npos) << unknown.err;
  EXPECT_EQ(unknown.out, "");

  auto report = ledger_->LoadReport(std::string("no-such-run"), PiiMasker());
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
}

TEST_F(QualityReportTest, RunsListsNewestFirst) {
  const std::vector<std::string> ids = RunIds();
  CliRun csv = Carelake("runs --format csv --project " + *dir_);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::vector<std::string> lines;
  std::istringstream in(csv.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u) << csv.out;
  EXPECT_EQ(lines[0],
            "run_id,started_utc,status,duration_s,steps,rows_written,rows_quarantined,committed,"
            "failed_step,failed_rule,error");
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(lines[i + 1].rfind(ids[i] + ",", 0), 0u) << lines[i + 1];
    EXPECT_NE(lines[i + 1].find(",succeeded,"), std::string::npos);
  }
  EXPECT_NE(lines[2].find(",false,"), std::string::npos) << "run 2 committed nothing";

  CliRun limited = Carelake("runs --format json --limit 1 --project " + *dir_);
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  json j = json::parse(limited.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["run_id"], ids[0]);
  EXPECT_EQ(j[0]["failed_step"], nullptr);
  EXPECT_EQ(j[0]["rows_quarantined"].get<int64_t>(),
            Int("SELECT rows_quarantined FROM _system.runs WHERE run_id = '" + ids[0] + "'"));

  CliRun table = Carelake("runs --project " + *dir_);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_LT(table.out.find(ids[0]), table.out.find(ids[1]));
  EXPECT_LT(table.out.find(ids[1]), table.out.find(ids[2]));
}

// ---------------------------------------------------------------------------
// Without a pipeline run

TEST(RunsCommandTest, NoLedgerYet) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("quality_empty_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(fs::path(CARELAKE_SOURCE_DIR) / "examples" / "lumia" / "carelake.yaml", dir);
  fs::copy(fs::path(CARELAKE_SOURCE_DIR) / "examples" / "lumia" / "models", dir / "models");
  CliRun runs = Carelake("runs --project " + dir.string());
  EXPECT_EQ(runs.exit_code, 0);
  EXPECT_NE(runs.err.find("no runs yet: carelake run --project " + dir.string()), std::string::npos)
      << runs.err;
  CliRun report = Carelake("dq report --project " + dir.string());
  EXPECT_EQ(report.exit_code, 1);
  EXPECT_NE(report.err.find("no runs yet"), std::string::npos) << report.err;
  EXPECT_EQ(Carelake("dq report --project " + dir.string() + " --run abc").exit_code, 2);
  EXPECT_EQ(Carelake("runs --project " + (dir / "missing").string()).exit_code, 2);
  fs::remove_all(dir);
}

project::Project PiiProject() {
  project::Project p;
  project::SilverTable t;
  t.name = "patients";
  project::SilverColumn name;
  name.name = "patient_name";  // from PatientName, by SnakeCase
  name.pii = true;
  project::SilverColumn ssn;
  ssn.name = "national_id";
  ssn.from = "NID";
  ssn.pii = true;
  project::SilverColumn age;
  age.name = "patient_age";
  t.columns = {name, ssn, age};
  p.silver.push_back(t);
  return p;
}

TEST(PiiMaskerTest, MasksKeysByFromNameOrSnakeCase) {
  const PiiMasker m = PiiMasker::ForProject(PiiProject());
  EXPECT_TRUE(m.IsPiiKey("PatientName"));
  EXPECT_TRUE(m.IsPiiKey("patient_name"));
  EXPECT_TRUE(m.IsPiiKey("NID"));
  EXPECT_TRUE(m.IsPiiKey("national_id"));
  EXPECT_FALSE(m.IsPiiKey("PatientAge"));
  EXPECT_FALSE(m.IsPiiKey("nid_checked"));
  EXPECT_EQ(
      m.Mask(R"({"PatientName":"Ana","PatientAge":"41","NID":12345,"x":{"patient_name":"Li"}})"),
      R"({"PatientName":"***","PatientAge":"41","NID":"***","x":{"patient_name":"***"}})");
}

TEST(PiiMaskerTest, KeepsNullAndHidesWhatCannotBeParsed) {
  const PiiMasker m = PiiMasker::ForProject(PiiProject());
  EXPECT_EQ(m.Mask(R"({"PatientName":null,"rows":[{"NID":"1"}]})"),
            R"({"PatientName":null,"rows":[{"NID":"***"}]})");
  const std::string hidden = m.Mask(R"({"PatientName":"Ana", truncated)");
  EXPECT_EQ(hidden.find("Ana"), std::string::npos) << hidden;
  // A project without PII columns shows examples as stored.
  EXPECT_EQ(PiiMasker().Mask("not json"), "not json");
}

TEST(FormatUtcTest, Formats) {
  EXPECT_EQ(FormatUtc(0), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(FormatUtc(1700000000123), "2023-11-14 22:13:20 UTC");
}

}  // namespace
}  // namespace carelake::quality
