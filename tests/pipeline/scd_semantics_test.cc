// The SCD semantics suite: data-in / rows-out scripts (tests/pipeline/scd/*.scd).
//
// A script declares a dimension (`options:`, the model's keys in YAML) and a
// series of batches. Each `batch:` is a CSV file landed in the project and
// followed by a run (source -> silver.changes -> gold.dim); each `expect:`
// lists the dimension's rows (any of its columns; an empty field is NULL) in
// any order. After every run of a type 2 dimension the invariants are
// checked independently here: at most one current row per key and exactly
// one per live key, current rows and only they are open-ended, validity
// intervals non-empty and neither overlapping nor leaving a gap that no
// delete explains, surrogate keys unique, the unknown member present.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/catalog/catalog.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {
namespace {

namespace fs = std::filesystem;

struct Step {
  enum Kind { kBatch, kExpect } kind;
  std::vector<std::string> lines;  // CSV: header first
  int line = 0;                    // in the script
};

struct Script {
  std::string name;
  std::string options;  // YAML lines, indented by two
  std::vector<Step> steps;
};

Script ReadScript(const fs::path& path) {
  Script s;
  s.name = path.stem().string();
  std::ifstream in(path);
  std::string line;
  int number = 0;
  enum { kNone, kOptions, kRows } section = kNone;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    if (line == "options:") {
      section = kOptions;
    } else if (line == "batch:" || line == "expect:") {
      s.steps.push_back({line == "batch:" ? Step::kBatch : Step::kExpect, {}, number});
      section = kRows;
    } else if (section == kOptions) {
      s.options += "  " + line + "\n";
    } else if (section == kRows) {
      s.steps.back().lines.push_back(line);
    } else {
      ADD_FAILURE() << path << ":" << number << ": unexpected line " << line;
    }
  }
  return s;
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

std::vector<fs::path> Scripts() {
  std::vector<fs::path> out;
  for (const auto& e :
       fs::directory_iterator(fs::path(CARELAKE_SOURCE_DIR) / "tests/pipeline/scd")) {
    if (e.path().extension() == ".scd") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ScdSemanticsTest : public delta::LakeTest, public ::testing::WithParamInterface<fs::path> {
 protected:
  void WriteProject(const Script& s) {
    fs::create_directories(dir_ / "landing");
    std::ofstream(dir_ / "carelake.yaml")
        << "name: scd\n"
           "sources:\n"
           "  - {name: changes, format: csv, path: landing/*.csv}\n"
           "silver:\n"
           "  - {name: changes, from: bronze.changes}\n"
           "models:\n"
           "  - name: dim\n"
           "    from: silver.changes\n"
        << s.options;
  }

  void Run(const std::string& where) {
    auto p = project::LoadProject(dir_.string());
    ASSERT_TRUE(p.ok()) << where << ": " << p.status();
    auto r = RunProject(*p, {}, LocalFileSystem(), *conn_);
    ASSERT_TRUE(r.ok()) << where << ": " << r.status();
    ASSERT_TRUE(r->succeeded) << where << ": " << r->error;
    ASSERT_TRUE(catalog::RegisterViews(*p, LocalFileSystem(), *conn_).ok());
  }

  // The dimension's rows (without the unknown member), `columns` as text
  // joined by commas, sorted.
  std::vector<std::string> Actual(const std::vector<std::string>& columns) {
    std::string select;
    for (const std::string& c : columns) {
      select +=
          (select.empty() ? "" : " || ',' || ") + ("coalesce(CAST(\"" + c + "\" AS VARCHAR), '')");
    }
    std::vector<std::string> out;
    for (const auto& row : Rows("SELECT " + select + " FROM gold.dim WHERE id IS NOT NULL")) {
      out.push_back(row[0].GetString());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void CheckInvariants(const std::string& where) {
    const std::string versions =
        "(SELECT *, lead(valid_from) OVER (PARTITION BY id ORDER BY valid_from) AS next_from "
        "FROM gold.dim WHERE id IS NOT NULL)";
    EXPECT_EQ(Int("SELECT count(*) FROM (SELECT id FROM gold.dim WHERE is_current GROUP BY id "
                  "HAVING count(*) > 1)"),
              0)
        << where << ": a key with more than one current row";
    EXPECT_EQ(Int("SELECT count(*) FROM gold.dim WHERE id IS NOT NULL AND is_current <> "
                  "(valid_to IS NULL)"),
              0)
        << where << ": is_current disagrees with valid_to";
    EXPECT_EQ(Int("SELECT count(*) FROM gold.dim WHERE valid_to <= valid_from"), 0)
        << where << ": an empty validity interval";
    EXPECT_EQ(Int("SELECT count(*) FROM " + versions +
                  " WHERE next_from IS NOT NULL AND (valid_to IS NULL OR valid_to > next_from)"),
              0)
        << where << ": overlapping versions";
    // A key is live when its latest change is not a delete: exactly then it
    // has a current row.
    EXPECT_EQ(Int("SELECT count(*) FROM (SELECT id, arg_max(_deleted, _sequence) AS gone FROM "
                  "gold.dim__changes GROUP BY id) c WHERE gone = EXISTS (SELECT 1 FROM gold.dim d "
                  "WHERE d.id = c.id AND d.is_current)"),
              0)
        << where << ": a live key without a current row, or a deleted one with one";
    EXPECT_EQ(Int("SELECT count(*) FROM " + versions +
                  " v WHERE valid_to < next_from AND NOT EXISTS (SELECT 1 FROM gold.dim__changes "
                  "c WHERE c.id = v.id AND c._deleted AND c._sequence = v.valid_to)"),
              0)
        << where << ": a gap no delete explains";
    EXPECT_EQ(Int("SELECT count(*) - count(DISTINCT dim_sk) FROM gold.dim"), 0)
        << where << ": duplicate surrogate keys";
    EXPECT_EQ(Int("SELECT count(*) FROM gold.dim WHERE dim_sk = -1 AND id IS NULL"), 1)
        << where << ": the unknown member";
  }
};

TEST_P(ScdSemanticsTest, RowsAfterEachBatch) {
  const Script s = ReadScript(GetParam());
  ASSERT_FALSE(s.steps.empty());
  WriteProject(s);
  const bool type2 = s.options.find("materialized: scd2") != std::string::npos;
  int batch = 0;
  for (const Step& step : s.steps) {
    const std::string where = GetParam().filename().string() + ":" + std::to_string(step.line);
    ASSERT_FALSE(step.lines.empty()) << where;
    if (step.kind == Step::kBatch) {
      std::ofstream out(dir_ / "landing" / ("batch-" + std::to_string(++batch) + ".csv"));
      for (const std::string& l : step.lines) out << l << "\n";
      out.close();
      Run(where);
      if (type2) CheckInvariants(where);
      continue;
    }
    std::vector<std::string> expected(step.lines.begin() + 1, step.lines.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Actual(Split(step.lines[0])), expected) << where;
  }
}

INSTANTIATE_TEST_SUITE_P(Scripts, ScdSemanticsTest, ::testing::ValuesIn(Scripts()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return info.param.stem().string();
                         });

}  // namespace
}  // namespace carelake::pipeline
