// LoadProject: a carelake.yaml parses to the declared structs with their
// defaults; models/*.sql files become models; every mistake is reported with
// the file, the line, the key path and what was expected.
#include "carelake/project/project.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace carelake::project {
namespace {

namespace fs = std::filesystem;

class ProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("carelake_project_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` to `<project>/<relative>`, creating folders.
  void Write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  Project MustLoad(const std::string& yaml) {
    Write(kProjectFileName, yaml);
    Result<Project> project = LoadProject(dir_.string());
    EXPECT_TRUE(project.ok()) << project.status();
    return project.ok() ? *project : Project{};
  }

  // The message of the error LoadProject reports for `yaml`.
  std::string ErrorOf(const std::string& yaml) {
    Write(kProjectFileName, yaml);
    Result<Project> project = LoadProject(dir_.string());
    if (project.ok()) return "(loaded without error)";
    EXPECT_EQ(project.status().code(), StatusCode::kInvalidArgument) << project.status();
    return project.status().message();
  }

  fs::path dir_;
};

// Every key of the format, each set to something other than its default.
constexpr char kComplete[] = R"yaml(name: lumia
lake: data/lake
sources:
  - name: chatbot
    format: json
    path: landing/*.json
  - name: visits
    format: csv
    path: exports/**/visits-*.csv.gz
    table: clinic_visits
    compression: gzip
    encoding: latin-1
    csv:
      delimiter: ";"
      quote: "'"
      escape: "\\"
      header: false
silver:
  - name: interactions
    domain: care
    from: bronze.chatbot
    naming: as_is
    null_tokens: ["-", "none"]
    trim: false
    key: [interaction_id]
    latest_by: scheduled_at
    on_type_error: drop
    partition_by: month
    columns:
      - name: interaction_id
        from: id
        type: BIGINT
      - name: scheduled_at
        type: TIMESTAMPTZ
        format: ["%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]
      - name: month
        expr: "date_trunc('month', strptime(ScheduledDate, '%Y-%m-%dT%H:%M:%S'))"
        type: DATE
      - {name: budget, type: "DECIMAL(10,2)", format: "%f", pii: true}
    expectations:
      - name: scheduled_hour_24
        check: "src.\"ScheduledDate\" NOT LIKE '%T24:%'"
        action: fix
        fix:
          scheduled_at: "now()"
          month: "DATE '2024-01-01'"
        description: midnight is written as hour 24
      - {name: has_id, check: "interaction_id IS NOT NULL", action: quarantine}
  - name: visits
    from: silver.interactions
    key: visit_id
models:
  - name: lumia_monthly
    domain: gold_care
    sql: queries/monthly.sql
    materialized: incremental
    strategy: merge
    key: [month, wish]
    partition_by: [month]
    expectations:
      - {name: has_month, check: "month IS NOT NULL", action: fail}
      - {name: some_rows, check: "count > 0"}
)yaml";

TEST_F(ProjectTest, CompleteExampleParsesToTheDeclaredStructs) {
  Write("queries/monthly.sql", "SELECT 1 AS month, 'x' AS wish\n");
  const Project p = MustLoad(kComplete);
  EXPECT_EQ(p.name, "lumia");
  EXPECT_EQ(p.dir, dir_.string());
  EXPECT_EQ(p.lake, (dir_ / "data/lake").string());

  ASSERT_EQ(p.sources.size(), 2u);
  const Source& chatbot = p.sources[0];
  EXPECT_EQ(chatbot.name, "chatbot");
  EXPECT_EQ(chatbot.format, SourceFormat::kJson);
  EXPECT_EQ(chatbot.path, "landing/*.json");
  EXPECT_EQ(chatbot.table, "chatbot");
  EXPECT_EQ(chatbot.compression, Compression::kAuto);
  EXPECT_EQ(chatbot.encoding, Encoding::kUtf8);
  EXPECT_EQ(chatbot.origin.ToString(), "carelake.yaml:4");
  const Source& visits = p.sources[1];
  EXPECT_EQ(visits.format, SourceFormat::kCsv);
  EXPECT_EQ(visits.path, "exports/**/visits-*.csv.gz");
  EXPECT_EQ(visits.table, "clinic_visits");
  EXPECT_EQ(visits.compression, Compression::kGzip);
  EXPECT_EQ(visits.encoding, Encoding::kLatin1);
  EXPECT_EQ(visits.delimiter, ';');
  EXPECT_EQ(visits.quote, '\'');
  EXPECT_EQ(visits.escape, '\\');
  EXPECT_FALSE(visits.header);
  EXPECT_EQ(p.FindSourceByTable("clinic_visits"), &visits);
  EXPECT_EQ(p.FindSourceByTable("visits"), nullptr);

  ASSERT_EQ(p.silver.size(), 2u);
  const SilverTable& t = p.silver[0];
  EXPECT_EQ(t.name, "interactions");
  EXPECT_EQ(t.domain, "care");
  EXPECT_EQ(t.from, "bronze.chatbot");
  EXPECT_EQ(t.naming, Naming::kAsIs);
  EXPECT_EQ(t.null_tokens, (std::vector<std::string>{"-", "none"}));
  EXPECT_FALSE(t.trim);
  EXPECT_EQ(t.key, std::vector<std::string>{"interaction_id"});
  EXPECT_EQ(t.latest_by, "scheduled_at");
  EXPECT_EQ(t.on_type_error, ExpectationAction::kDrop);
  EXPECT_EQ(t.partition_by, std::vector<std::string>{"month"});
  EXPECT_EQ(t.origin.ToString(), "carelake.yaml:19");
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[0].name, "interaction_id");
  EXPECT_EQ(t.columns[0].from, "id");
  EXPECT_EQ(t.columns[0].type, "BIGINT");
  EXPECT_EQ(t.columns[0].origin.line, 30);
  EXPECT_EQ(t.columns[1].from, "");
  EXPECT_EQ(t.columns[1].formats,
            (std::vector<std::string>{"%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"}));
  EXPECT_EQ(t.columns[2].expr, "date_trunc('month', strptime(ScheduledDate, '%Y-%m-%dT%H:%M:%S'))");
  EXPECT_EQ(t.columns[3].type, "DECIMAL(10,2)");
  EXPECT_EQ(t.columns[3].formats, std::vector<std::string>{"%f"});
  EXPECT_TRUE(t.columns[3].pii);
  EXPECT_FALSE(t.columns[0].pii);
  ASSERT_EQ(t.expectations.size(), 2u);
  const Expectation& fix = t.expectations[0];
  EXPECT_EQ(fix.name, "scheduled_hour_24");
  EXPECT_EQ(fix.check, "src.\"ScheduledDate\" NOT LIKE '%T24:%'");
  EXPECT_EQ(fix.action, ExpectationAction::kFix);
  EXPECT_EQ(fix.fix, (std::vector<std::pair<std::string, std::string>>{
                         {"scheduled_at", "now()"}, {"month", "DATE '2024-01-01'"}}));
  EXPECT_EQ(fix.description, "midnight is written as hour 24");
  EXPECT_EQ(fix.origin.line, 41);
  EXPECT_EQ(t.expectations[1].action, ExpectationAction::kQuarantine);
  EXPECT_EQ(t.expectations[1].origin.line, 48);
  const SilverTable& v = p.silver[1];
  EXPECT_EQ(v.domain, "lumia");
  EXPECT_EQ(v.from, "silver.interactions");
  EXPECT_EQ(v.key, std::vector<std::string>{"visit_id"});
  EXPECT_EQ(p.FindSilver("visits"), &v);

  ASSERT_EQ(p.models.size(), 1u);
  const Model& m = p.models[0];
  EXPECT_EQ(m.name, "lumia_monthly");
  EXPECT_EQ(m.domain, "gold_care");
  EXPECT_EQ(m.sql_file, "queries/monthly.sql");
  EXPECT_EQ(m.sql, "SELECT 1 AS month, 'x' AS wish\n");
  EXPECT_EQ(m.materialized, Materialization::kIncremental);
  EXPECT_EQ(m.strategy, IncrementalStrategy::kMerge);
  EXPECT_EQ(m.key, (std::vector<std::string>{"month", "wish"}));
  EXPECT_EQ(m.partition_by, std::vector<std::string>{"month"});
  ASSERT_EQ(m.expectations.size(), 2u);
  EXPECT_EQ(m.expectations[0].action, ExpectationAction::kFail);
  EXPECT_EQ(m.expectations[1].action, ExpectationAction::kWarn);
  EXPECT_EQ(m.origin.ToString(), "carelake.yaml:53");
  EXPECT_EQ(p.FindModel("lumia_monthly"), &m);
  EXPECT_EQ(p.FindModel("nope"), nullptr);
}

// The example of doc/project-format.md.
constexpr char kLumia[] = R"yaml(name: lumia
sources:
  - name: chatbot
    format: json
    path: landing/*.json
silver:
  - name: interactions
    domain: lumia
    from: bronze.chatbot
    key: [interaction_id]
    latest_by: current_at
    columns:
      - {name: interaction_id, from: id, type: BIGINT}
      - {name: patient_wish, type: VARCHAR}
      - {name: specialty, type: VARCHAR}
      - {name: budget, type: "DECIMAL(10,2)"}
      - {name: patient_age, type: INTEGER}
      - {name: patient_name, type: VARCHAR, pii: true}
      - {name: current_at, from: CurrentDate, type: TIMESTAMPTZ, format: "%Y-%m-%dT%H:%M:%S"}
      - {name: scheduled_at, from: ScheduledDate, type: TIMESTAMPTZ, format: "%Y-%m-%dT%H:%M:%S"}
      - {name: feedback, type: BOOLEAN}
      - {name: professional_rating, type: INTEGER}
      - {name: overall_rating, type: INTEGER}
    expectations:
      - name: scheduled_hour_24
        description: the chatbot writes midnight as hour 24 of the previous day
        check: "src.\"ScheduledDate\" NOT LIKE '%T24:%'"
        action: fix
        fix:
          scheduled_at: "strptime(replace(src.\"ScheduledDate\", 'T24:', 'T00:'), '%Y-%m-%dT%H:%M:%S')::TIMESTAMPTZ + INTERVAL 1 DAY"
      - name: current_hour_24
        check: "src.\"CurrentDate\" NOT LIKE '%T24:%'"
        action: fix
        fix:
          current_at: "strptime(replace(src.\"CurrentDate\", 'T24:', 'T00:'), '%Y-%m-%dT%H:%M:%S')::TIMESTAMPTZ + INTERVAL 1 DAY"
      - {name: has_id, check: "interaction_id IS NOT NULL", action: quarantine}
      - {name: known_wish, check: "patient_wish IN ('Appointment', 'Feedback', 'Results')", action: quarantine}
      - {name: adult_age, check: "patient_age BETWEEN 18 AND 120", action: warn}
      - {name: ratings_only_with_feedback, check: "feedback OR (professional_rating IS NULL AND overall_rating IS NULL)", action: quarantine}
models:
  - name: lumia_monthly
    materialized: incremental
    strategy: merge
    key: [month, wish]
)yaml";

TEST_F(ProjectTest, DocumentedLumiaExampleLoads) {
  EXPECT_EQ(ErrorOf(kLumia),
            "carelake.yaml:41: models[0].sql: file 'models/lumia_monthly.sql' not found");
  Write("models/lumia_monthly.sql", "SELECT 1");
  const Project p = MustLoad(kLumia);
  ASSERT_EQ(p.silver.size(), 1u);
  const SilverTable& t = p.silver[0];
  EXPECT_EQ(t.columns.size(), 11u);
  EXPECT_EQ(t.columns[6].from, "CurrentDate");
  ASSERT_EQ(t.expectations.size(), 6u);
  EXPECT_EQ(t.expectations[0].check, "src.\"ScheduledDate\" NOT LIKE '%T24:%'");
  ASSERT_EQ(t.expectations[0].fix.size(), 1u);
  EXPECT_EQ(t.expectations[0].fix[0].first, "scheduled_at");
  EXPECT_EQ(t.expectations[0].fix[0].second,
            "strptime(replace(src.\"ScheduledDate\", 'T24:', 'T00:'), '%Y-%m-%dT%H:%M:%S')::"
            "TIMESTAMPTZ + INTERVAL 1 DAY");
  EXPECT_EQ(t.expectations[4].action, ExpectationAction::kWarn);
  ASSERT_EQ(p.models.size(), 1u);
  EXPECT_EQ(p.models[0].strategy, IncrementalStrategy::kMerge);
  EXPECT_EQ(p.models[0].key, (std::vector<std::string>{"month", "wish"}));
}

TEST_F(ProjectTest, OmittedKeysTakeTheirDefaults) {
  Write("models/daily.sql", "SELECT 1");
  const Project p = MustLoad(R"yaml(name: clinic
sources:
  - {name: visits, format: csv, path: "in/*.csv"}
silver:
  - {name: visits, from: bronze.visits}
models:
  - name: daily
)yaml");
  EXPECT_EQ(p.lake, (dir_ / "lake").string());
  const Source& s = p.sources.at(0);
  EXPECT_EQ(s.table, "visits");
  EXPECT_EQ(s.delimiter, ',');
  EXPECT_EQ(s.quote, '"');
  EXPECT_EQ(s.escape, '"');
  EXPECT_TRUE(s.header);
  const SilverTable& t = p.silver.at(0);
  EXPECT_EQ(t.domain, "clinic");
  EXPECT_EQ(t.naming, Naming::kSnakeCase);
  EXPECT_EQ(t.null_tokens, (std::vector<std::string>{"", "NULL", "N/A"}));
  EXPECT_TRUE(t.trim);
  EXPECT_TRUE(t.key.empty());
  EXPECT_TRUE(t.columns.empty());
  EXPECT_EQ(t.on_type_error, ExpectationAction::kQuarantine);
  const Model& m = p.models.at(0);
  EXPECT_EQ(m.domain, "clinic");
  EXPECT_EQ(m.sql_file, "models/daily.sql");
  EXPECT_EQ(m.sql, "SELECT 1");
  EXPECT_EQ(m.materialized, Materialization::kFull);
  EXPECT_EQ(m.strategy, IncrementalStrategy::kAppend);
}

TEST_F(ProjectTest, TabDelimiterIsWrittenThreeWays) {
  for (const char* delimiter : {"\"\\t\"", "'\\t'", "tab"}) {
    SCOPED_TRACE(delimiter);
    const Project p = MustLoad(std::string("name: x\nsources:\n  - name: s\n    format: csv\n"
                                           "    path: a.tsv\n    csv: {delimiter: ") +
                               delimiter + "}\n");
    ASSERT_EQ(p.sources.size(), 1u);
    EXPECT_EQ(p.sources[0].delimiter, '\t');
  }
}

TEST_F(ProjectTest, LakeIsAbsoluteAndTheArgumentOverridesIt) {
  Write(kProjectFileName, "name: x\nlake: ../shared_lake/\n");
  Result<Project> p = LoadProject(dir_.string() + "/./");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->dir, dir_.string());
  EXPECT_EQ(p->lake, (dir_.parent_path() / "shared_lake").string());

  p = LoadProject(dir_.string(), "elsewhere/lake");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->lake, (fs::current_path() / "elsewhere/lake").string());

  Write(kProjectFileName, "name: x\nlake: /var/lake\n");
  p = LoadProject(dir_.string());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->lake, "/var/lake");
}

TEST_F(ProjectTest, UnusedModelFilesBecomeFullModels) {
  Write("models/visits_by_day.sql", "SELECT day, count(*) FROM silver.visits GROUP BY day");
  Write("models/declared.sql", "SELECT 2");
  Write("models/a_first.sql", "SELECT 1");
  Write("models/notes.txt", "not a model");
  Write("models/.hidden.sql", "ignored");
  const Project p = MustLoad(R"yaml(name: clinic
models:
  - name: renamed
    sql: models/declared.sql
    domain: finance
)yaml");
  ASSERT_EQ(p.models.size(), 3u);
  EXPECT_EQ(p.models[0].name, "renamed");
  EXPECT_EQ(p.models[1].name, "a_first");
  const Model& m = p.models[2];
  EXPECT_EQ(m.name, "visits_by_day");
  EXPECT_EQ(m.domain, "clinic");
  EXPECT_EQ(m.sql_file, "models/visits_by_day.sql");
  EXPECT_EQ(m.sql, "SELECT day, count(*) FROM silver.visits GROUP BY day");
  EXPECT_EQ(m.materialized, Materialization::kFull);
  EXPECT_EQ(m.origin.file, "models/visits_by_day.sql");
  EXPECT_EQ(m.origin.ToString(), "models/visits_by_day.sql");
}

TEST_F(ProjectTest, ModelFilesMustBeNamedLikeModels) {
  Write("models/Visits-By-Day.sql", "SELECT 1");
  EXPECT_EQ(ErrorOf("name: clinic\n"),
            "models/Visits-By-Day.sql: the file name is the model name: expected an identifier "
            "([a-z_][a-z0-9_]*); got 'Visits-By-Day' (rename it to visits_by_day.sql)");
  fs::remove(dir_ / "models/Visits-By-Day.sql");
  Write("models/daily.sql", "SELECT 1");
  Write("models/other.sql", "SELECT 2");
  EXPECT_EQ(ErrorOf("name: clinic\nmodels:\n  - {name: daily, sql: models/other.sql}\n"),
            "models/daily.sql: the file name is the model name: expected a name not declared in "
            "carelake.yaml; got 'daily' (declared on carelake.yaml:3 with sql: models/other.sql)");
  Write("models/daily.sql", "  \n");
  EXPECT_EQ(ErrorOf("name: clinic\n"), "models/daily.sql: the model's SQL file is empty");
}

TEST_F(ProjectTest, MissingProjectFileIsNotFoundAndSuggestsInit) {
  Result<Project> p = LoadProject(dir_.string());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find((dir_ / "carelake.yaml").string()), std::string::npos)
      << p.status();
  EXPECT_NE(p.status().message().find("carelake init " + dir_.string()), std::string::npos)
      << p.status();
}

TEST(SnakeCaseTest, SplitsWordsAndLowersThem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"PatientAge", "patient_age"},
      {"ScheduledDate", "scheduled_date"},
      {"HTTPCode", "http_code"},
      {"id", "id"},
      {"Budget (R$)", "budget_r"},
      {"already_snake", "already_snake"},
      {"patient-name", "patient_name"},
      {"Patient Name", "patient_name"},
      {"ID", "id"},
      {"userID2", "user_id2"},
      {"2nd", "_2nd"},
      {"Top10Items", "top10_items"},
      {"  a -- b__c  ", "a_b_c"},
      {"_private", "private"},
      {"patientAge", "patient_age"},
      {"", ""},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(SnakeCase(in), out) << in;
}

TEST(ProjectNamesTest, ToStringSpellsTheFileWords) {
  EXPECT_EQ(ToString(ExpectationAction::kQuarantine), "quarantine");
  EXPECT_EQ(ToString(ExpectationAction::kFix), "fix");
  EXPECT_EQ(ToString(SourceFormat::kNdjson), "ndjson");
  EXPECT_EQ((Origin{"carelake.yaml", 14}).ToString(), "carelake.yaml:14");
  EXPECT_EQ((Origin{"models/x.sql", 0}).ToString(), "models/x.sql");
}

// --- errors: file:line: key path: expected ...; got ... ---------------------

constexpr char kHead[] = R"yaml(name: lumia
sources:
  - {name: chatbot, format: json, path: landing/*.json}
silver:
  - name: interactions
    from: bronze.chatbot
)yaml";  // silver[0] continues on line 7

TEST_F(ProjectTest, BadEnumValueNamesTheLineKeyAndChoices) {
  EXPECT_EQ(ErrorOf(std::string(kHead) + R"yaml(    columns:
      - {name: interaction_id, from: id, type: BIGINT}
      - {name: age, type: INTEGER}
    expectations:
      - {name: has_id, check: "interaction_id IS NOT NULL"}
      - {name: adult, check: "age >= 18"}
      - name: known_age
        action: ignore
        check: "age < 150"
)yaml"),
            "carelake.yaml:14: silver[0].expectations[2].action: expected one of warn, drop, "
            "quarantine, fail, fix; got 'ignore'");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    on_type_error: quarantien\n"),
            "carelake.yaml:7: silver[0].on_type_error: expected one of warn, drop, quarantine, "
            "fail; got 'quarantien' (did you mean 'quarantine'?)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    on_type_error: fix\n"),
            "carelake.yaml:7: silver[0].on_type_error: expected one of warn, drop, quarantine, "
            "fail; got 'fix'");
}

TEST_F(ProjectTest, UnknownKeysListTheAllowedOnesAndSuggestTheClosest) {
  EXPECT_EQ(ErrorOf("name: x\nsource:\n  - {name: a, path: b}\n"),
            "carelake.yaml:2: expected one of the keys name, lake, sources, silver, models, "
            "on_definition_change, jobs, alerts; got "
            "'source' (did you mean 'sources'?)");
  EXPECT_EQ(ErrorOf("name: x\nsources:\n  - name: a\n    fromat: csv\n"),
            "carelake.yaml:4: sources[0]: expected one of the keys name, format, path, table, "
            "compression, encoding, csv, freshness; got 'fromat' (did you mean 'format'?)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    colour: blue\n"),
            "carelake.yaml:7: silver[0]: expected one of the keys name, domain, from, naming, "
            "null_tokens, trim, key, latest_by, on_type_error, partition_by, columns, "
            "expectations, other_columns, on_definition_change; got 'colour'");
  EXPECT_EQ(ErrorOf("name: x\nname: y\n"),
            "carelake.yaml:2: name: expected each key once; got 'name' again (first on line 1)");
}

TEST_F(ProjectTest, WrongValueTypesNameTheExpectedType) {
  EXPECT_EQ(ErrorOf("name: 12\n"),
            "carelake.yaml:1: name: expected an identifier ([a-z_][a-z0-9_]*); got integer 12 "
            "(quote it to use it as text)");
  EXPECT_EQ(ErrorOf("name: Lumia Chatbot\n"),
            "carelake.yaml:1: name: expected an identifier ([a-z_][a-z0-9_]*); got 'Lumia "
            "Chatbot' (try 'lumia_chatbot')");
  EXPECT_EQ(ErrorOf("name: x\nsources:\n  - {name: a, path: true}\n"),
            "carelake.yaml:3: sources[0].path: expected a file glob such as landing/*.json; got "
            "boolean true (quote it to use it as text)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    trim: \"yes\"\n"),
            "carelake.yaml:7: silver[0].trim: expected true or false; got 'yes'");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    null_tokens: N/A\n"),
            "carelake.yaml:7: silver[0].null_tokens: expected a list of strings such as [\"\", "
            "\"N/A\"]; got 'N/A'");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    null_tokens: [\"\", NULL]\n"),
            "carelake.yaml:7: silver[0].null_tokens[1]: expected a string; got nothing (quote it: "
            "\"NULL\")");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    columns:\n      - {name: a, type: 12}\n"),
            "carelake.yaml:8: silver[0].columns[0].type: expected a DuckDB type name such as "
            "BIGINT; got integer 12 (quote it to use it as text)");
  EXPECT_EQ(ErrorOf("name: x\nsources: {name: a}\n"),
            "carelake.yaml:2: sources: expected a list of sources; got a map");
  EXPECT_EQ(ErrorOf(""),
            "carelake.yaml:1: expected a map with keys name, lake, sources, silver, models, "
            "on_definition_change, jobs, alerts; got "
            "nothing");
}

TEST_F(ProjectTest, MissingRequiredKeysPointAtTheirEntry) {
  EXPECT_EQ(ErrorOf("lake: x\n"),
            "carelake.yaml:1: name: expected an identifier ([a-z_][a-z0-9_]*); got nothing (the "
            "key is required)");
  EXPECT_EQ(ErrorOf("name: x\nsources:\n  - name: a\n  - format: csv\n"),
            "carelake.yaml:3: sources[0].path: expected a file glob such as landing/*.json; got "
            "nothing (the key is required)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    expectations:\n      - name: a\n"),
            "carelake.yaml:8: silver[0].expectations[0].check: expected an SQL expression; got "
            "nothing (the key is required)");
}

TEST_F(ProjectTest, SourceSettingsAreChecked) {
  EXPECT_EQ(ErrorOf("name: x\nsources:\n  - name: a\n    path: a.json\n    csv: {header: true}\n"),
            "carelake.yaml:5: sources[0].csv: expected no csv settings with format json; got a "
            "map (csv: applies to format: csv only)");
  EXPECT_EQ(ErrorOf("name: x\nsources:\n  - name: a\n    format: csv\n    path: a.csv\n"
                    "    csv:\n      delimiter: \"||\"\n"),
            "carelake.yaml:7: sources[0].csv.delimiter: expected one character (or \"\\t\" or "
            "tab for a tab); got '||'");
  EXPECT_EQ(
      ErrorOf("name: x\nsources:\n  - {name: a, path: a}\n  - {name: b, path: b, table: a}\n"),
      "carelake.yaml:4: sources[1].table: expected a name unique among the bronze tables of "
      "sources; got 'a' again (first on line 3)");
  EXPECT_EQ(ErrorOf("name: x\nsources:\n  - {name: a, path: a}\n  - {name: a, path: b}\n"),
            "carelake.yaml:4: sources[1].name: expected a name unique among sources; got 'a' "
            "again (first on line 3)");
  EXPECT_EQ(ErrorOf("name: x\nsources:\n  - {name: a, path: a, encoding: utf8}\n"),
            "carelake.yaml:3: sources[0].encoding: expected one of utf-8, latin-1; got 'utf8' "
            "(did you mean 'utf-8'?)");
}

TEST_F(ProjectTest, FixIsRequiredExactlyWithActionFix) {
  EXPECT_EQ(ErrorOf(std::string(kHead) + R"yaml(    expectations:
      - name: a
        check: "x > 0"
        fix: {x: "0"}
)yaml"),
            "carelake.yaml:10: silver[0].expectations[0].fix: expected no fix with action warn; "
            "got a map (fix: needs action: fix)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + R"yaml(    expectations:
      - name: a
        check: "x > 0"
        action: fix
)yaml"),
            "carelake.yaml:8: silver[0].expectations[0].fix: expected a map of column: SQL "
            "expression; got nothing (the key is required)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + R"yaml(    columns:
      - {name: scheduled_at, type: TIMESTAMP}
    expectations:
      - name: a
        check: "x > 0"
        action: fix
        fix:
          scheduled_at: "now()"
          sheduled: "now()"
)yaml"),
            "carelake.yaml:15: silver[0].expectations[0].fix.sheduled: expected fix columns "
            "declared in interactions.columns (scheduled_at); got 'sheduled'");
}

TEST_F(ProjectTest, ColumnsKeysAndReferencesAreChecked) {
  EXPECT_EQ(ErrorOf(std::string(kHead) + R"yaml(    key: [interaction_idd]
    columns:
      - {name: interaction_id, from: id, type: BIGINT}
)yaml"),
            "carelake.yaml:7: silver[0].key[0]: expected key columns declared in "
            "interactions.columns (interaction_id); got 'interaction_idd' (did you mean "
            "'interaction_id'?)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    columns:\n      - {name: a, from: b, expr: c}\n"),
            "carelake.yaml:8: silver[0].columns[0].expr: expected either from or expr; got 'c' and "
            "a from (they exclude each other)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    columns:\n      - {name: a}\n      - {name: a}\n"),
            "carelake.yaml:9: silver[0].columns[1].name: expected a name unique among the columns "
            "of interactions; got 'a' again (first on line 8)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "    latest_by: updated_at\n"),
            "carelake.yaml:7: silver[0].latest_by: expected a key to go with it; got "
            "'updated_at' without one (latest_by picks one row per key)");
  EXPECT_EQ(ErrorOf("name: x\nsources:\n  - {name: chatbot, path: a}\nsilver:\n"
                    "  - {name: t, from: bronze.chatbt}\n"),
            "carelake.yaml:5: silver[0].from: expected bronze.<a source's table> or "
            "silver.<another silver table> (one of bronze.chatbot, silver.t); got 'bronze.chatbt' "
            "(did you mean 'bronze.chatbot'?)");
  EXPECT_EQ(ErrorOf("name: x\nsilver:\n  - {name: t, from: silver.t}\n"),
            "carelake.yaml:3: silver[0].from: expected bronze.<a source's table> or "
            "silver.<another silver table>; got 'silver.t' (itself)");
  EXPECT_EQ(ErrorOf("name: x\nsilver:\n  - {name: a, from: silver.b}\n  - {name: b, from: "
                    "silver.a}\n"),
            "carelake.yaml:3: silver[0].from: expected tables that do not read each other in a "
            "cycle; got 'silver.b' (a <- b <- a)");
}

TEST_F(ProjectTest, ModelSettingsAreChecked) {
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: m, strategy: merge}\n"),
            "carelake.yaml:3: models[0].strategy: expected no strategy with materialized: full; "
            "got 'merge' (strategy applies to incremental models)");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: m, materialized: incremental, strategy: "
                    "merge}\n"),
            "carelake.yaml:3: models[0].key: expected the key columns of the merge; got nothing "
            "(the key is required)");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - name: m\n    expectations:\n"
                    "      - {name: e, check: \"true\", action: quarantine}\n"),
            "carelake.yaml:5: models[0].expectations[0].action: expected one of warn, fail; got "
            "'quarantine'");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - name: m\n"),
            "carelake.yaml:3: models[0].sql: file 'models/m.sql' not found");
  Write("models/m.sql", "");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - name: m\n    sql: models/m.sql\n"),
            "carelake.yaml:4: models[0].sql: file 'models/m.sql' is empty");
}

TEST_F(ProjectTest, DimensionsAndLookupsParseWithTheirDefaults) {
  Write("models/fact.sql", "SELECT 1 AS id, 1 AS patient_id, now() AS at\n");
  Project p = MustLoad(R"yaml(name: x
models:
  - name: dim_patient
    materialized: scd2
    from: silver.changes
    key: patient_id
    sequence_by: changed_at
    track_except: [note]
    delete_when: "op = 'D'"
    ignore_null_updates: true
  - name: dim_unit
    materialized: scd1
    from: gold.units
    key: [hospital, unit]
    sequence_by: "version::INTEGER"
  - {name: dates, materialized: date_dimension, start: "2024-01-01", end: "2024-12-31"}
  - {name: times, materialized: time_dimension}
  - name: fact
    materialized: incremental
    strategy: merge
    key: id
    lookups:
      - {dimension: dim_patient, on: patient_id, as_of: at}
      - {dimension: dim_patient, on: {patient_id: patient_id}, as: current_patient_sk}
)yaml");
  ASSERT_EQ(p.models.size(), 5u);
  const Model& d = p.models[0];
  EXPECT_TRUE(d.IsScd());
  EXPECT_EQ(d.scd.from, "silver.changes");
  EXPECT_EQ(d.sql, "SELECT * FROM new_rows(silver.changes)");
  EXPECT_EQ(d.key, std::vector<std::string>{"patient_id"});
  EXPECT_EQ(d.scd.surrogate_key, "patient_sk");
  EXPECT_TRUE(d.scd.unknown_member);
  EXPECT_TRUE(d.scd.ignore_null_updates);
  EXPECT_EQ(d.scd.track_except, std::vector<std::string>{"note"});
  EXPECT_EQ(p.models[1].materialized, Materialization::kScd1);
  EXPECT_EQ(p.models[1].key, (std::vector<std::string>{"hospital", "unit"}));
  EXPECT_EQ(p.models[2].date_start, "2024-01-01");
  EXPECT_TRUE(p.models[3].IsGenerated());
  ASSERT_EQ(p.models[4].lookups.size(), 2u);
  EXPECT_EQ(p.models[4].lookups[0].as, "patient_sk");
  EXPECT_EQ(p.models[4].lookups[0].surrogate_key, "patient_sk");
  EXPECT_EQ(p.models[4].lookups[1].as, "current_patient_sk");
  EXPECT_EQ(p.models[4].lookups[1].as_of, "");
}

TEST_F(ProjectTest, DimensionSettingsAreChecked) {
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: scd2, from: silver.a}\n"),
            "carelake.yaml:3: models[0].key: expected the natural key columns of the dimension; "
            "got nothing (the key is required)");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: scd2, from: silver.a, key: "
                    "id}\n"),
            "carelake.yaml:3: models[0].sequence_by: expected an SQL expression; got nothing (the "
            "key is required)");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: scd2, from: a, key: id, "
                    "sequence_by: t}\n"),
            "carelake.yaml:3: models[0].from: expected a table: bronze.<name>, silver.<name> or "
            "gold.<name>; got 'a'");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: scd2, from: silver.a, key: "
                    "id, sequence_by: t, track: [a], track_except: [b]}\n"),
            "carelake.yaml:3: models[0].track_except: expected either track or track_except; got "
            "a list and a track (they exclude each other)");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: scd1, from: silver.a, key: "
                    "id, sequence_by: t, surrogate_key: d_sk}\n"),
            "carelake.yaml:3: models[0].surrogate_key: expected no surrogate_key with "
            "materialized: scd1; got 'd_sk' (it applies to scd2)");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: full, sequence_by: t}\n"),
            "carelake.yaml:3: models[0].sequence_by: expected no sequence_by with materialized: "
            "full; got 't'");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: date_dimension, start: "
                    "\"2024-02-01\", end: \"2024-01-01\"}\n"),
            "carelake.yaml:3: models[0].end: expected a date on or after start 2024-02-01; got "
            "'2024-01-01'");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: date_dimension, start: "
                    "2024-13-01, end: \"2024-01-01\"}\n"),
            "carelake.yaml:3: models[0].start: expected a date YYYY-MM-DD; got '2024-13-01'");
  Write("models/f.sql", "SELECT 1 AS id\n");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: scd2, from: silver.a, key: "
                    "id, sequence_by: t}\n  - name: f\n    lookups:\n      - {dimension: dim, "
                    "on: id}\n"),
            "carelake.yaml:6: model 'f': lookup of 'dim': expected a model with materialized: "
            "scd2 (one of d)");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: scd2, from: silver.a, key: "
                    "[a, b], sequence_by: t}\n  - name: f\n    lookups:\n      - {dimension: d, "
                    "on: a}\n"),
            "carelake.yaml:6: model 'f': lookup of 'd': on: expected every key column of d (a, "
            "b)");
  EXPECT_EQ(ErrorOf("name: x\nmodels:\n  - {name: d, materialized: scd2, from: silver.a, key: "
                    "id, sequence_by: t}\n  - name: f\n    materialized: incremental\n"
                    "    lookups:\n      - {dimension: d, on: id}\n"),
            "carelake.yaml:6: models[1].lookups: expected no lookups with strategy: append; got a "
            "list (stored rows are looked up again when a dimension changes: use strategy: merge "
            "with a key)");
}

TEST_F(ProjectTest, YamlSyntaxErrorsCarryTheParserLine) {
  EXPECT_EQ(ErrorOf("name: x\nsources: [a, b\nsilver: []\n"),
            "carelake.yaml:3: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(ErrorOf("name: x\n---\nname: y\n"),
            "carelake.yaml:3: expected one YAML document; got 2");
}

constexpr char kJobsBase[] = R"yaml(name: billing
sources:
  - {name: fact, format: csv, path: "landing/FactTable*.csv"}
  - {name: dims, format: csv, path: "landing/Dim*.csv"}
silver:
  - name: charges
    from: bronze.fact
    columns:
      - {name: id, type: BIGINT}
)yaml";

TEST_F(ProjectTest, JobsParseToTheirStructs) {
  Write("models/monthly_billing.sql", "SELECT count(*) AS n FROM silver.charges\n");
  const Project p = MustLoad(std::string(kJobsBase) + R"yaml(jobs:
  - name: nightly
    select: ["+gold.monthly_billing"]
    schedule: "0 2 * * *"
    timezone: Europe/Lisbon
    catchup: none
  - name: billing_drop
    on_new_files: {sources: [fact, dims], min_files: 2, settle_seconds: 5}
    retries: {attempts: 3, backoff_seconds: 10}
    timeout: 30m
  - name: after_drop
    after: billing_drop
    select: charges+
)yaml");
  ASSERT_EQ(p.jobs.size(), 3u);
  const Job& nightly = p.jobs[0];
  EXPECT_EQ(nightly.name, "nightly");
  EXPECT_EQ(nightly.select, std::vector<std::string>{"+gold.monthly_billing"});
  EXPECT_EQ(nightly.schedule, "0 2 * * *");
  EXPECT_EQ(nightly.timezone, "Europe/Lisbon");
  EXPECT_EQ(nightly.catchup, Catchup::kNone);
  EXPECT_FALSE(nightly.on_new_files.has_value());
  EXPECT_EQ(nightly.retries.attempts, 1);
  const Job& drop = p.jobs[1];
  ASSERT_TRUE(drop.on_new_files.has_value());
  EXPECT_EQ(drop.on_new_files->sources, (std::vector<std::string>{"fact", "dims"}));
  EXPECT_EQ(drop.on_new_files->min_files, 2);
  EXPECT_EQ(drop.on_new_files->settle, std::chrono::seconds(5));
  EXPECT_EQ(drop.retries.attempts, 3);
  EXPECT_EQ(drop.retries.backoff, std::chrono::seconds(10));
  EXPECT_EQ(drop.timeout, std::chrono::minutes(30));
  EXPECT_EQ(drop.catchup, Catchup::kLatest);
  EXPECT_EQ(drop.timezone, "UTC");
  EXPECT_EQ(p.jobs[2].after, std::vector<std::string>{"billing_drop"});
  EXPECT_EQ(p.jobs[2].origin.line, 20);
}

TEST_F(ProjectTest, JobErrorsPointAtTheirLine) {
  Write("models/monthly_billing.sql", "SELECT count(*) AS n FROM silver.charges\n");
  const std::string base(kJobsBase);
  auto error = [&](const std::string& jobs) { return ErrorOf(base + "jobs:\n" + jobs); };
  auto expect = [&](const std::string& jobs, const std::string& part) {
    const std::string e = error(jobs);
    EXPECT_NE(e.find(part), std::string::npos) << e;
    EXPECT_EQ(e.rfind("carelake.yaml:1", 0), 0u) << e;  // a job's line (10 on)
  };
  expect("  - {name: a, schedule: \"0 25 * * *\"}\n", "hour: 25 is out of range 0-23");
  expect("  - {name: a, schedule: \"0 2 * * *\", timezone: Europe/Lisbn}\n",
         "an IANA time zone name");
  expect("  - {name: a, timezone: UTC}\n", "no timezone without a schedule");
  expect("  - {name: a, select: [gold.monthly_biling]}\n", "did you mean 'gold.monthly_billing'?");
  expect("  - {name: a, on_new_files: {sources: [facts]}}\n", "did you mean 'fact'?");
  expect("  - {name: a, after: b}\n", "'b' is not one");
  expect("  - {name: a, after: b}\n  - {name: b, after: a}\n", "a comes after itself through b");
  expect("  - {name: a}\n  - {name: a}\n", "expected a name unique among jobs; got 'a' again");
  expect("  - {name: a, timeout: 30}\n", "jobs[0].timeout");
  expect("  - {name: a, retries: {attempts: 0}}\n", "attempts");
  expect("  - {name: a, catchup: all}\n", "one of latest, none");
  expect("  - {name: a, shedule: \"0 2 * * *\"}\n", "did you mean 'schedule'?");
}

TEST_F(ProjectTest, AlertsAndFreshnessParseToTheirStructs) {
  const Project p = MustLoad(R"yaml(name: billing
sources:
  - name: events
    format: ndjson
    path: "landing/*.json"
    freshness: {warn_after: 2h}
alerts:
  - name: ops
    on: [run_failed, rule_failed, source_stale, recovered]
    webhook: {url: "https://hooks.example/x", headers: {Authorization: "${HOOK_TOKEN}"},
              template: '{"text": "{{summary}}"}'}
  - name: oncall_mail
    on: run_failed
    repeat_every: 30m
    email: {smtp: "smtp://mail.example:587", starttls: true, from: "carelake@example",
            to: ["oncall@example"], username_env: SMTP_USER, password_env: SMTP_PASSWORD}
  - name: log
    command: ["/usr/bin/logger", "-t", "carelake"]
)yaml");
  ASSERT_EQ(p.sources.size(), 1u);
  EXPECT_EQ(p.sources[0].warn_after, std::chrono::hours(2));
  ASSERT_EQ(p.alerts.size(), 3u);
  const AlertTarget& ops = p.alerts[0];
  EXPECT_EQ(ops.on.size(), 4u);
  EXPECT_EQ(ops.repeat_every, std::chrono::hours(1));
  const auto& hook = std::get<WebhookTarget>(ops.channel);
  EXPECT_EQ(hook.url, "https://hooks.example/x");
  ASSERT_EQ(hook.headers.size(), 1u);
  EXPECT_EQ(hook.headers[0].second, "${HOOK_TOKEN}");  // kept as written: read when sent
  EXPECT_EQ(hook.body_template, R"({"text": "{{summary}}"})");
  const AlertTarget& mail = p.alerts[1];
  EXPECT_EQ(mail.on, std::vector<AlertEvent>{AlertEvent::kRunFailed});
  EXPECT_TRUE(mail.Wants(AlertEvent::kRunFailed));
  EXPECT_FALSE(mail.Wants(AlertEvent::kRecovered));
  EXPECT_EQ(mail.repeat_every, std::chrono::minutes(30));
  const auto& email = std::get<EmailTarget>(mail.channel);
  EXPECT_TRUE(email.starttls);
  EXPECT_EQ(email.to, std::vector<std::string>{"oncall@example"});
  EXPECT_EQ(email.password_env, "SMTP_PASSWORD");
  const AlertTarget& log = p.alerts[2];
  EXPECT_EQ(log.on.size(), 5u);  // every event by default (reload_failed too)
  EXPECT_EQ(std::get<CommandTarget>(log.channel).argv,
            (std::vector<std::string>{"/usr/bin/logger", "-t", "carelake"}));
  EXPECT_EQ(log.origin.line, 17);
}

TEST_F(ProjectTest, AlertErrorsPointAtTheirLine) {
  const std::string base = "name: p\nalerts:\n";
  auto expect = [&](const std::string& alerts, const std::string& part) {
    const std::string e = ErrorOf(base + alerts);
    EXPECT_NE(e.find(part), std::string::npos) << e;
    EXPECT_EQ(e.rfind("carelake.yaml:3", 0), 0u) << e;
  };
  expect("  - {name: a, webhook: {url: \"ftp://x\"}}\n", "a URL starting with https://, http://");
  expect("  - {name: a, on: [run_faild], command: [/bin/true]}\n", "did you mean 'run_failed'?");
  expect("  - {name: a}\n", "exactly one of webhook:, email: or command:");
  expect("  - {name: a, command: [/bin/true], webhook: {url: \"http://x\"}}\n", "(got 2)");
  expect("  - {name: a, webhook: {url: \"http://x/${TOKEN\"}}\n", "does not close");
  expect("  - {name: a, webhook: {url: \"http://x\", headers: {A: \"${1X}\"}}}\n",
         "environment variable name");
  expect("  - {name: a, email: {smtp: \"smtp://m\", from: a@b, to: [], password_env: P}}\n",
         "at least one address");
  expect("  - {name: a, email: {smtp: \"smtp://m\", from: a@b, to: c@d, password_env: P}}\n",
         "username_env as well");
  expect(
      "  - {name: a, email: {smtp: \"smtp://m\", from: a@b, to: c@d, username_env: \"my user\"}}\n",
      "the name of an environment variable");
  expect("  - {name: a, command: [logger]}\n", "a program path");
  expect("  - {name: a, command: [/bin/true], repeat_every: 5}\n", "repeat_every");
  EXPECT_NE(
      ErrorOf(base + "  - {name: a, command: [/bin/true]}\n  - {name: a, command: [/bin/true]}\n")
          .find("carelake.yaml:4: alerts[1].name: expected a name unique among alerts"),
      std::string::npos);
  EXPECT_NE(ErrorOf("name: p\nsources:\n  - {name: s, path: x, freshness: {warn_after: 5}}\n")
                .find("sources[0].freshness.warn_after"),
            std::string::npos);
}

}  // namespace
}  // namespace carelake::project
