// The Lumia system end to end (seed 000): generated chatbot documents run
// through examples/lumia, and every gold answer is compared with the same
// answer computed here, independently, from the raw JSON with nlohmann/json.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

#include "../cli/cli_runner.h"
#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/delta/table.h"
#include "carelake/generate/lumia.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// One interaction as the documented silver rules make it, computed from raw.
struct Interaction {
  int64_t id = 0;
  std::string wish, specialty, name;
  int64_t budget_cents = 0;
  int age = 0;
  bool feedback = false;
  std::optional<int> professional, overall;
  std::string scheduled_month;  // YYYY-MM-01 of the (hour-24 fixed) scheduled date
  int scheduled_hour = 0;
  std::string current_day;  // YYYY-MM-DD of the (fixed) interaction time
};

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// "2023-05-28T24:10:00": hour 24 is 00 of the next day (February 28th's
// next day is March 1st).
void FixedTime(const std::string& ts, std::string* day, std::string* month, int* hour) {
  int y = std::stoi(ts.substr(0, 4)), m = std::stoi(ts.substr(5, 2)),
      d = std::stoi(ts.substr(8, 2));
  int h = std::stoi(ts.substr(11, 2));
  if (h == 24) {
    h = 0;
    if (++d > DaysInMonth(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        ++y;
      }
    }
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
  *day = buf;
  std::snprintf(buf, sizeof(buf), "%04d-%02d-01", y, m);
  *month = buf;
  *hour = h;
}

int64_t Cents(const std::string& s) {
  size_t dot = s.find('.');
  int64_t whole = std::stoll(s.substr(0, dot));
  int64_t frac = 0;
  if (dot != std::string::npos) {
    std::string f = s.substr(dot + 1) + "00";
    frac = std::stoll(f.substr(0, 2));
  }
  return whole * 100 + frac;
}

std::vector<Interaction> ParseLanding(const fs::path& landing) {
  std::vector<Interaction> out;
  for (const auto& entry : fs::directory_iterator(landing)) {
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    json doc = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) continue;  // the truncated document (tested elsewhere)
    for (const json& r : doc) {
      Interaction i;
      i.id = std::stoll(r.at("id").get<std::string>());
      i.wish = r.at("PatientWish");
      i.specialty = r.at("Specialty");
      i.name = r.at("PatientName");
      i.budget_cents = Cents(r.at("Budget"));
      i.age = std::stoi(r.at("PatientAge").get<std::string>());
      i.feedback = r.at("Feedback") == "1";
      if (r.contains("ProfessionalRating")) {
        i.professional = std::stoi(r.at("ProfessionalRating").get<std::string>());
        i.overall = std::stoi(r.at("OverallRating").get<std::string>());
      }
      std::string unused_month;
      int unused_hour = 0;
      FixedTime(r.at("ScheduledDate"), &unused_month, &i.scheduled_month, &i.scheduled_hour);
      FixedTime(r.at("CurrentDate"), &i.current_day, &unused_month, &unused_hour);
      out.push_back(i);
    }
  }
  return out;
}

// Running mean/sum per group.
struct Agg {
  int64_t n = 0, feedback = 0, budget_cents = 0, age_sum = 0;
  int64_t prof_sum = 0, prof_n = 0, overall_sum = 0, overall_n = 0;
  std::set<std::string> names;
  void Add(const Interaction& i) {
    ++n;
    feedback += i.feedback;
    budget_cents += i.budget_cents;
    age_sum += i.age;
    if (i.professional) {
      prof_sum += *i.professional;
      ++prof_n;
    }
    if (i.overall) {
      overall_sum += *i.overall;
      ++overall_n;
    }
    names.insert(i.name);
  }
};

std::string AgeBand(int age) {
  if (age < 18) return "under 18";
  if (age < 30) return "18-29";
  if (age < 40) return "30-39";
  if (age < 50) return "40-49";
  if (age < 60) return "50-59";
  return "60+";
}

class LumiaPipelineTest : public delta::LakeTest {
 protected:
  void SetUp() override {
    LakeTest::SetUp();
    project_dir_ = dir_ / "lumia";
    fs::create_directories(project_dir_ / "models");
    const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "lumia";
    fs::copy_file(example / "carelake.yaml", project_dir_ / "carelake.yaml");
    for (const auto& e : fs::directory_iterator(example / "models")) {
      fs::copy_file(e.path(), project_dir_ / "models" / e.path().filename());
    }
  }

  generate::LumiaSummary Generate(int64_t records, uint64_t seed, int files, int64_t first_id,
                                  double dirt = 0) {
    generate::LumiaOptions o;
    o.out_dir = (project_dir_ / "landing").string();
    o.records = records;
    o.seed = seed;
    o.files = files;
    o.first_id = first_id;
    o.dirt = dirt;
    auto s = generate::GenerateLumia(o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : generate::LumiaSummary{};
  }

  project::Project Load() {
    auto p = project::LoadProject(project_dir_.string());
    EXPECT_TRUE(p.ok()) << p.status();
    return *p;
  }

  RunReport Run(const RunOptions& options = {}) {
    project::Project p = Load();
    auto r = RunProject(p, options, LocalFileSystem(), *conn_);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    auto views = catalog::RegisterViews(p, LocalFileSystem(), *conn_);
    EXPECT_TRUE(views.ok()) << views.status();
    return *r;
  }

  // Every landed record is in bronze and silver exactly once (`total` of
  // them), and gold answers as an independent computation does.
  void ExpectEveryRecordOnce(int64_t total) {
    EXPECT_EQ(Int("SELECT count(*) FROM bronze.chatbot"), total);
    EXPECT_EQ(Int("SELECT count(*) FROM (SELECT DISTINCT _source_file, _source_position FROM "
                  "bronze.chatbot)"),
              total);
    EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions"), total);
    EXPECT_EQ(Int("SELECT count(DISTINCT interaction_id) FROM silver.interactions"), total);
    // The incremental mart equals its full recomputation over silver.
    EXPECT_EQ(
        Difference("SELECT month, wish, interactions FROM gold.lumia_monthly",
                   "SELECT date_trunc('month', scheduled_at)::DATE, patient_wish, count(*) FROM "
                   "silver.interactions GROUP BY ALL"),
        0);
    ExpectGoldMatches(ParseLanding(project_dir_ / "landing"));
  }

  // `carelake run [flag] --project P` killed with SIGKILL after `delay_us`;
  // true when it was still running then.
  bool RunAndKill(const char* bin, const std::string& flag, int delay_us) {
    pid_t pid = fork();
    EXPECT_GE(pid, 0);
    if (pid == 0) {
      std::freopen("/dev/null", "w", stderr);
      if (flag.empty()) {
        execl(bin, bin, "run", "--project", project_dir_.c_str(), static_cast<char*>(nullptr));
      } else {
        execl(bin, bin, "run", flag.c_str(), "--project", project_dir_.c_str(),
              static_cast<char*>(nullptr));
      }
      _exit(127);
    }
    usleep(delay_us);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

  // Versions of every data table (not the ledger).
  std::map<std::string, int64_t> Versions() {
    std::map<std::string, int64_t> out;
    for (const catalog::CatalogTable& t : catalog::ProjectTables(Load())) {
      delta::DeltaTable table(LocalFileSystem(), t.path, *conn_);
      if (t.layer == catalog::Layer::kSystem || !table.Exists()) continue;
      out[t.Qualified()] = (*table.Load())->version();
    }
    return out;
  }

  double Dbl(const engine::Value& v) {
    if (v.is_null()) return NAN;
    return std::stod(v.ToString());
  }

  // Every gold answer equals the independent computation over `raw`.
  void ExpectGoldMatches(const std::vector<Interaction>& raw) {
    std::map<std::string, Agg> by_specialty_appt, by_specialty_all;
    std::map<std::pair<std::string, std::string>, int64_t> bands;
    std::map<int, int64_t> hours;
    std::map<std::pair<std::string, std::string>, Agg> monthly, daily;
    Agg all;
    for (const Interaction& i : raw) {
      by_specialty_all[i.specialty].Add(i);
      all.Add(i);
      monthly[{i.scheduled_month, i.wish}].Add(i);
      daily[{i.current_day, i.wish}].Add(i);
      if (i.wish == "Appointment") {
        by_specialty_appt[i.specialty].Add(i);
        ++bands[{i.specialty, AgeBand(i.age)}];
        ++hours[i.scheduled_hour];
      }
    }
    // Value moved and appointments by specialty.
    auto rows = Rows(
        "SELECT specialty, appointments, value_moved::VARCHAR, interactions FROM "
        "gold.revenue_by_specialty");
    ASSERT_EQ(rows.size(), by_specialty_all.size());
    for (const auto& r : rows) {
      const std::string s = r[0].GetString();
      EXPECT_EQ(r[1].GetInt64(), by_specialty_appt[s].n) << s;
      EXPECT_EQ(Cents(r[2].GetString()), by_specialty_appt[s].budget_cents) << s;
      EXPECT_EQ(r[3].GetInt64(), by_specialty_all[s].n) << s;
    }
    // Appointments by specialty and age band.
    rows = Rows(
        "SELECT specialty, age_band, appointments FROM gold.appointments_by_specialty_age_band");
    ASSERT_EQ(rows.size(), bands.size());
    for (const auto& r : rows) {
      EXPECT_EQ(r[2].GetInt64(), (bands[{r[0].GetString(), r[1].GetString()}]));
    }
    // The most sought-after hours: 0-23 only (hour 24 was fixed).
    rows = Rows("SELECT hour, appointments FROM gold.busiest_hours ORDER BY hour");
    ASSERT_EQ(rows.size(), hours.size());
    for (const auto& r : rows) EXPECT_EQ(r[1].GetInt64(), hours[static_cast<int>(r[0].GetInt64())]);
    EXPECT_EQ(Int("SELECT max(hour) FROM gold.busiest_hours"), 23);
    // Feedback rate and scores, overall and per specialty.
    rows = Rows(
        "SELECT specialty, interactions, with_feedback, feedback_rate, avg_professional_rating, "
        "avg_overall_rating FROM gold.feedback_summary");
    ASSERT_EQ(rows.size(), by_specialty_all.size() + 1);
    for (const auto& r : rows) {
      const std::string s = r[0].GetString();
      const Agg& a = s == "all" ? all : by_specialty_all[s];
      EXPECT_EQ(r[1].GetInt64(), a.n) << s;
      EXPECT_EQ(r[2].GetInt64(), a.feedback) << s;
      EXPECT_NEAR(Dbl(r[3]), static_cast<double>(a.feedback) / a.n, 1e-9) << s;
      EXPECT_NEAR(Dbl(r[4]), static_cast<double>(a.prof_sum) / a.prof_n, 1e-9) << s;
      EXPECT_NEAR(Dbl(r[5]), static_cast<double>(a.overall_sum) / a.overall_n, 1e-9) << s;
    }
    // gold.lumia_monthly: the seed's stored-procedure mart.
    rows = Rows(
        "SELECT month::VARCHAR, wish, interactions, feedback_rate, avg_professional_rating, "
        "avg_overall_rating, budget_total::VARCHAR, avg_age FROM gold.lumia_monthly");
    ASSERT_EQ(rows.size(), monthly.size());
    for (const auto& r : rows) {
      const Agg& a = monthly[{r[0].GetString(), r[1].GetString()}];
      const std::string at = r[0].GetString() + " " + r[1].GetString();
      EXPECT_EQ(r[2].GetInt64(), a.n) << at;
      EXPECT_NEAR(Dbl(r[3]), static_cast<double>(a.feedback) / a.n, 1e-9) << at;
      if (a.prof_n) {
        EXPECT_NEAR(Dbl(r[4]), static_cast<double>(a.prof_sum) / a.prof_n, 1e-9) << at;
      }
      if (a.overall_n) {
        EXPECT_NEAR(Dbl(r[5]), static_cast<double>(a.overall_sum) / a.overall_n, 1e-9) << at;
      }
      EXPECT_EQ(Cents(r[6].GetString()), a.budget_cents) << at;
      EXPECT_NEAR(Dbl(r[7]), static_cast<double>(a.age_sum) / a.n, 1e-9) << at;
    }
    EXPECT_EQ(Int("SELECT count(*) FROM gold.lumia_monthly WHERE day(month) <> 1"), 0);
    // Usage by wish over time.
    rows = Rows(
        "SELECT day::VARCHAR, wish, interactions, distinct_users FROM gold.usage_by_wish_daily");
    ASSERT_EQ(rows.size(), daily.size());
    for (const auto& r : rows) {
      const Agg& a = daily[{r[0].GetString(), r[1].GetString()}];
      EXPECT_EQ(r[2].GetInt64(), a.n);
      EXPECT_EQ(r[3].GetInt64(), static_cast<int64_t>(a.names.size()));
    }
  }

  fs::path project_dir_;
};

TEST_F(LumiaPipelineTest, GoldAnswersMatchAnIndependentComputationFromTheRawJson) {
  Generate(6000, 7, 3, 1);
  RunReport report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  std::vector<Interaction> raw = ParseLanding(project_dir_ / "landing");
  ASSERT_EQ(raw.size(), 6000u);
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.chatbot"), 6000);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions"), 6000);
  // Hour 24 occurs in the raw data, is fixed and flagged.
  const int64_t hour24 =
      Int("SELECT count(*) FROM bronze.chatbot WHERE \"ScheduledDate\" LIKE '%T24:%'");
  EXPECT_GT(hour24, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions WHERE list_contains(_dq_fixes, "
                "'scheduled_hour_24')"),
            hour24);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions s JOIN bronze.chatbot b ON "
                "s.interaction_id = b.id::BIGINT WHERE b.\"ScheduledDate\" LIKE '%T24:%' AND "
                "(hour(s.scheduled_at) <> 0 OR s.scheduled_at::DATE <> "
                "left(b.\"ScheduledDate\", 10)::DATE + 1)"),
            0);
  // Real types in silver.
  auto types = Rows(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
      "'silver' AND table_name = 'interactions' AND column_name IN ('budget', 'scheduled_at', "
      "'patient_age', 'feedback')");
  std::map<std::string, std::string> t;
  for (const auto& r : types) t[r[0].GetString()] = r[1].GetString();
  EXPECT_EQ(t["budget"], "DECIMAL(10,2)");
  EXPECT_EQ(t["scheduled_at"], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(t["patient_age"], "INTEGER");
  EXPECT_EQ(t["feedback"], "BOOLEAN");
  ExpectGoldMatches(raw);
}

TEST_F(LumiaPipelineTest, RerunsProcessOnlyNewFilesAndNothingWhenNothingIsNew) {
  Generate(3000, 1, 2, 1);
  ASSERT_TRUE(Run().succeeded);
  const auto before = Versions();
  // Nothing new: no data table gets a new version.
  RunReport again = Run();
  ASSERT_TRUE(again.succeeded) << again.error;
  EXPECT_FALSE(again.CommittedAnything());
  EXPECT_EQ(Versions(), before);
  // A new batch: only its file is ingested; the answers cover both batches.
  Generate(1500, 2, 1, 100001);
  RunReport third = Run();
  ASSERT_TRUE(third.succeeded) << third.error;
  ASSERT_EQ(third.files.size(), 1u);
  EXPECT_EQ(third.files[0].file, "landing/lumia-2-from-100001-0001-of-0001.json");
  EXPECT_EQ(third.files[0].records, 1500);
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.chatbot"), 4500);
  EXPECT_EQ(Int("SELECT count(*) FROM _system.files"), 3);
  for (const StepReport& s : third.steps) {
    if (s.name == "silver.interactions") {
      EXPECT_EQ(s.rows_read, 1500);
    }
  }
  ExpectGoldMatches(ParseLanding(project_dir_ / "landing"));
  // A re-delivered file under another name: de-duplicated by key, answers unchanged.
  fs::copy_file(project_dir_ / "landing" / "lumia-2-from-100001-0001-of-0001.json",
                project_dir_ / "landing" / "redelivered.json");
  RunReport fourth = Run();
  ASSERT_TRUE(fourth.succeeded) << fourth.error;
  EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions"), 4500);
  fs::remove(project_dir_ / "landing" / "redelivered.json");
  ExpectGoldMatches(ParseLanding(project_dir_ / "landing"));
  // An ingested file that changes is not read again, and the run says so.
  std::ofstream(project_dir_ / "landing" / "lumia-2-from-100001-0001-of-0001.json", std::ios::app)
      << "\n";
  RunReport changed = Run();
  ASSERT_TRUE(changed.succeeded) << changed.error;
  EXPECT_FALSE(changed.CommittedAnything());
  EXPECT_NE(changed.steps.at(0).message.find("changed after it was ingested"), std::string::npos)
      << changed.steps.at(0).message;
  // --full-refresh rebuilds to the same answers.
  RunOptions full;
  full.full_refresh = true;
  ASSERT_TRUE(Run(full).succeeded);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions"), 4500);
  ExpectGoldMatches(ParseLanding(project_dir_ / "landing"));
}

TEST_F(LumiaPipelineTest, DirtyInputIsQuarantinedAndEveryRowIsAccountedFor) {
  generate::LumiaSummary s = Generate(8000, 3, 2, 1, 0.03);
  ASSERT_GT(s.dirty_records, 0);
  RunReport report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  // Bronze: every complete record of the valid documents and of the
  // truncated one; the cut record is quarantined with its location.
  const int64_t complete = s.records + s.truncated_records - 1;
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.chatbot"), complete);
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.chatbot__quarantine"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM bronze.chatbot__quarantine WHERE _source_file LIKE "
                "'%truncated%' AND _source_line > 0 AND _reason LIKE '%truncated%'"),
            1);
  // Silver: in = kept + quarantined (+ dropped + deduplicated), per the
  // ledger and per the tables.
  const StepReport* silver = nullptr;
  for (const StepReport& st : report.steps) {
    if (st.name == "silver.interactions") silver = &st;
  }
  ASSERT_NE(silver, nullptr);
  EXPECT_EQ(silver->rows_read, complete);
  EXPECT_EQ(silver->rows_read, silver->rows_written + silver->rows_quarantined +
                                   silver->rows_dropped + silver->rows_deduplicated);
  EXPECT_GT(silver->rows_quarantined, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions") +
                Int("SELECT count(*) FROM silver.interactions__quarantine"),
            complete);
  // Quarantined rows carry the rules, reasons and bronze lineage.
  EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions__quarantine WHERE len(_dq_rules) = 0 "
                "OR _dq_reasons IS NULL OR _source_file IS NULL OR _source_position IS NULL"),
            0);
  // Every rule's failures in the ledger equal the rows that fail it in quarantine
  // (quarantine rules) or in silver (warn rules).
  for (const auto& r : Rows("SELECT rule, action, rows_failed FROM _system.expectations")) {
    const std::string rule = r[0].GetString(), action = r[1].GetString();
    if (action == "quarantine") {
      EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions__quarantine WHERE "
                    "list_contains(_dq_rules, '" +
                    rule + "')"),
                r[2].GetInt64())
          << rule;
    }
  }
  // Warned rows are kept, and counted.
  EXPECT_GT(silver->rows_warned, 0);
  EXPECT_EQ(
      Int("SELECT count(*) FROM silver.interactions WHERE NOT coalesce(patient_age BETWEEN 18 "
          "AND 120, false)"),
      silver->rows_warned);
}

TEST_F(LumiaPipelineTest, AFailExpectationStopsTheRunAndLeavesSilverAndGoldAsTheyWere) {
  Generate(2000, 4, 1, 1);
  ASSERT_TRUE(Run().succeeded);
  const auto before = Versions();
  // A new rule with action fail that new rows break.
  std::ifstream in(project_dir_ / "carelake.yaml");
  std::stringstream yaml;
  yaml << in.rdbuf();
  std::string text = yaml.str();
  const std::string anchor = "      - {name: has_id,";
  text.insert(
      text.find(anchor),
      "      - {name: no_geriatrics, check: \"specialty <> 'Geriatrics'\", action: fail}\n");
  std::ofstream(project_dir_ / "carelake.yaml") << text;
  Generate(500, 5, 1, 50001);
  // Through the CLI, as a scheduler would run it: exit 1, the failing step
  // and rule in the JSON summary.
  testing_cli::CliRun cli = testing_cli::Carelake("run --json --project " + project_dir_.string());
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  json summary = json::parse(cli.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << cli.out;
  EXPECT_EQ(summary["status"], "failed");
  EXPECT_EQ(summary["failed_step"], "silver.interactions");
  EXPECT_EQ(summary["failed_rule"], "no_geriatrics");
  // And the same through the library: nothing is committed again.
  RunReport report = Run();
  EXPECT_FALSE(report.succeeded);
  EXPECT_EQ(report.failed_step, "silver.interactions");
  EXPECT_EQ(report.failed_rule, "no_geriatrics");
  auto after = Versions();
  for (const auto& [table, version] : before) {
    if (table.rfind("bronze.", 0) == 0) continue;  // the raw landing is kept
    EXPECT_EQ(after[table], version) << table;
  }
  EXPECT_EQ(Int("SELECT count(*) FROM silver.interactions"), 2000);
  EXPECT_EQ(Int("SELECT count(*) FROM _system.runs WHERE status = 'failed' AND failed_rule = "
                "'no_geriatrics'"),
            2);
}

TEST(StepSelection, SelectorsPickTablesWithTheirUpstreamOrDownstream) {
  auto p = project::LoadProject(std::string(CARELAKE_SOURCE_DIR) + "/examples/lumia");
  ASSERT_TRUE(p.ok()) << p.status();
  auto db = engine::Database::OpenInMemory();
  ASSERT_TRUE(db.ok()) << db.status();
  auto conn = engine::Connection::Open(**db);
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto steps = PlanSteps(*p, *conn);
  ASSERT_TRUE(steps.ok()) << steps.status();
  auto names = [&](const std::vector<std::string>& sel) {
    auto s = SelectSteps(*steps, sel);
    EXPECT_TRUE(s.ok()) << s.status();
    std::vector<std::string> out;
    for (const Step& step : *s) out.push_back(step.name);
    return out;
  };
  EXPECT_EQ(names({"busiest_hours"}), std::vector<std::string>{"gold.busiest_hours"});
  EXPECT_EQ(
      names({"+gold.busiest_hours"}),
      (std::vector<std::string>{"bronze.chatbot", "silver.interactions", "gold.busiest_hours"}));
  auto down = names({"interactions+"});
  EXPECT_EQ(down.size(), 1u + p->models.size());
  EXPECT_EQ(down.front(), "silver.interactions");
  EXPECT_FALSE(SelectSteps(*steps, {"nope"}).ok());
}

// A run killed with SIGKILL at random points, then run again: no row lost,
// none duplicated, answers exact.
TEST_F(LumiaPipelineTest, KilledRunsRerunToExactlyOnce) {
  const char* bin = std::getenv("CARELAKE_BIN");
  ASSERT_NE(bin, nullptr);
  const int kills =
      std::getenv("CARELAKE_STRESS_KILLS") ? std::atoi(std::getenv("CARELAKE_STRESS_KILLS")) : 6;
  std::mt19937 rng(12345);
  int64_t first_id = 1;
  int killed_running = 0;
  for (int k = 0; k < kills; ++k) {
    Generate(20000, 100 + k, 2, first_id);
    first_id += 20000;
    killed_running +=
        RunAndKill(bin, "", std::uniform_int_distribution<int>(20'000, 1'500'000)(rng));
  }
  // Most kills must land while the run is working, or the test proves little.
  EXPECT_GE(killed_running, kills / 2);
  RunReport report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  const int64_t total = 20000LL * kills;
  ExpectEveryRecordOnce(total);
}

// `--full-refresh` rebuilds tables that have consumed every version of their
// inputs (the exactly-once guard once refused it), and a full refresh killed
// at random points, then a normal run, loses and duplicates nothing.
TEST_F(LumiaPipelineTest, FullRefreshRebuildsAndAKilledOneRerunsToExactlyOnce) {
  const char* bin = std::getenv("CARELAKE_BIN");
  ASSERT_NE(bin, nullptr);
  Generate(20000, 7, 2, 1);
  ASSERT_TRUE(Run().succeeded);
  const auto built = Versions();
  RunOptions monthly;
  monthly.select = {"lumia_monthly"};
  monthly.full_refresh = true;
  RunReport r = Run(monthly);
  ASSERT_TRUE(r.succeeded) << r.error;
  EXPECT_EQ(Versions()["gold.lumia_monthly"], built.at("gold.lumia_monthly") + 1);
  monthly.select = {"+lumia_monthly"};
  r = Run(monthly);
  ASSERT_TRUE(r.succeeded) << r.error;
  EXPECT_EQ(Versions()["silver.interactions"], built.at("silver.interactions") + 1);
  EXPECT_EQ(Versions()["gold.lumia_monthly"], built.at("gold.lumia_monthly") + 2);
  EXPECT_EQ(Versions()["bronze.chatbot"], built.at("bronze.chatbot"));
  std::mt19937 rng(777);
  int64_t first_id = 20001;
  for (int k = 0; k < 4; ++k) {
    Generate(5000, 200 + k, 1, first_id);
    first_id += 5000;
    RunAndKill(bin, "--full-refresh", std::uniform_int_distribution<int>(20'000, 900'000)(rng));
  }
  RunReport report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  const int64_t total = 20000 + 4 * 5000;
  ExpectEveryRecordOnce(total);
}

// Ctrl-C (SIGINT) or SIGTERM on `carelake run` at several points: it stops
// within 5 s with status 130 / 143, the run is recorded as cancelled with the
// step it stopped in, and the next run completes the work exactly once.
TEST_F(LumiaPipelineTest, SignalledRunsStopCleanlyAreRecordedAndRerunExactlyOnce) {
  const char* bin = std::getenv("CARELAKE_BIN");
  ASSERT_NE(bin, nullptr);
  std::mt19937 rng(4242);
  int64_t first_id = 1;
  int cancelled = 0;
  const int signals[] = {SIGINT, SIGTERM, SIGINT, SIGTERM, SIGINT};
  for (int k = 0; k < 5; ++k) {
    Generate(40000, 300 + k, 2, first_id);
    first_id += 40000;
    // The run's stderr comes through a pipe: its first line ("run of project
    // …") is written after `run` installed its signal handlers, so the signal
    // lands on a working run however slowly the binary starts (a loaded
    // machine, a sanitizer build).
    int err[2];
    ASSERT_EQ(::pipe(err), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::dup2(err[1], STDERR_FILENO);
      ::close(err[0]);
      ::close(err[1]);
      execl(bin, bin, "run", "--project", project_dir_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(err[1]);
    std::atomic<bool> started{false};
    std::thread drain([fd = err[0], &started] {  // reads until the run exits
      std::string seen;
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) {
        seen.append(buf, static_cast<size_t>(n));
        if (seen.find("run of project") != std::string::npos) started = true;
      }
      ::close(fd);
    });
    for (int i = 0; i < 6000 && !started; ++i) usleep(10'000);
    EXPECT_TRUE(started) << "the run did not start within 60 s";
    usleep(std::uniform_int_distribution<int>(100'000, 600'000)(rng));
    kill(pid, signals[k]);
    const auto signalled = std::chrono::steady_clock::now();
    int status = 0;
    waitpid(pid, &status, 0);
    drain.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of stopping cleanly";
    if (WEXITSTATUS(status) == 0) continue;  // the run had finished before the signal
    EXPECT_EQ(WEXITSTATUS(status), 128 + signals[k]);
#ifdef CARELAKE_SANITIZED
    EXPECT_LT(seconds, 20.0);  // ASan/UBSan slow every step several times over
#else
    EXPECT_LT(seconds, 5.0);
#endif
    ++cancelled;
  }
  EXPECT_GE(cancelled, 3) << "most signals must land while the run works";
  RunReport report = Run();
  ASSERT_TRUE(report.succeeded) << report.error;
  EXPECT_EQ(Int("SELECT count(*) FROM _system.runs WHERE status = 'cancelled' AND "
                "regexp_matches(failed_step, '^(bronze|silver|gold)\\.')"),
            cancelled);
  EXPECT_EQ(Int("SELECT count(*) FROM _system.steps WHERE status = 'cancelled'"),
            Int("SELECT count(*) FROM _system.runs r WHERE status = 'cancelled' AND EXISTS "
                "(SELECT 1 FROM _system.steps s WHERE s.run_id = r.run_id AND s.step = "
                "r.failed_step)"));
  ExpectEveryRecordOnce(40000 * 5);
}

}  // namespace
}  // namespace carelake::pipeline
