// The MHA generator: deterministic, dirt counted exactly as the files hold it,
// schema evolution from the middle batch, incremental runs that only add.
// Checked by parsing the written files independently of the generator.
#include "carelake/generate/mha.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "carelake/base/civil_time.h"

namespace carelake::generate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Line {
  int batch;  // index of the events file, in name order
  std::string text;
  json event;
};

class MhaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("carelake_mha_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  MhaSummary Generate(const std::string& sub, int64_t events, uint64_t seed, int batches,
                      double dirt) {
    MhaOptions options;
    options.out_dir = (dir_ / sub).string();
    options.events = events;
    options.seed = seed;
    options.batches = batches;
    options.dirt = dirt;
    auto summary = GenerateMha(options);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : MhaSummary{};
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Every file under `sub`, by relative path, with its content.
  std::map<std::string, std::string> Files(const std::string& sub) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_ / sub)) {
      if (e.is_regular_file()) out[fs::relative(e.path(), dir_ / sub).string()] = Read(e.path());
    }
    return out;
  }

  // The event lines of the given files (all events files when empty).
  static std::vector<Line> Lines(const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const std::string& p : paths) {
      if (p.find("/events/") != std::string::npos) files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    std::vector<Line> out;
    for (size_t b = 0; b < files.size(); ++b) {
      std::istringstream in(Read(files[b]));
      std::string text;
      while (std::getline(in, text)) {
        out.push_back({static_cast<int>(b), text, json::parse(text)});
      }
    }
    return out;
  }

  static int64_t Time(const json& e, const char* field = "event_time") {
    auto t = ParseTimestamp(e.at(field).get<std::string>());
    EXPECT_TRUE(t.ok()) << e.dump();
    return t.ok() ? *t / kMicrosPerSecond : 0;
  }

  static std::vector<std::vector<std::string>> Csv(const std::string& path) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(Read(path));
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> fields;
      std::stringstream ls(line);
      std::string f;
      while (std::getline(ls, f, ',')) fields.push_back(f);
      if (!line.empty() && line.back() == ',') fields.push_back("");
      rows.push_back(fields);
    }
    return rows;
  }

  fs::path dir_;
};

TEST_F(MhaTest, SameOptionsWriteTheSameBytes) {
  Generate("a", 3000, 7, 4, 0.05);
  Generate("b", 3000, 7, 4, 0.05);
  Generate("c", 3000, 8, 4, 0.05);
  EXPECT_EQ(Files("a"), Files("b"));
  EXPECT_NE(Files("a"), Files("c"));
}

TEST_F(MhaTest, DirtCountsMatchTheFiles) {
  const MhaSummary s = Generate("d", 6000, 3, 5, 0.1);
  const std::vector<Line> lines = Lines(s.files);
  ASSERT_EQ(static_cast<int64_t>(lines.size()), s.lines);
  const int64_t future_after = s.end_time + 300 * 86'400;
  std::map<std::string, std::string> first_text;  // event id -> line
  std::map<std::string, const json*> admissions;
  int64_t duplicates = 0, missing = 0, over_100 = 0, below_0 = 0, future = 0, before = 0,
          admitted = 0, discharged = 0;
  for (const Line& l : lines) {
    const json& e = l.event;
    const std::string id = e.at("event_id");
    if (first_text.count(id)) {
      ++duplicates;
      EXPECT_EQ(first_text[id], l.text) << "a duplicate repeats its event verbatim";
      continue;
    }
    first_text[id] = l.text;
    const bool admission = e.at("event_type") == "admission";
    admission ? ++admitted : ++discharged;
    const bool has_time = e.contains("event_time") && !e["event_time"].is_null();
    if (admission) admissions[id] = &e;
    if (!has_time) {
      EXPECT_TRUE(admission) << "only admissions lose their time";
      ++missing;
    }
    const int64_t age = e.at("age");
    over_100 += age > 100;
    below_0 += age < 0;
    if (has_time && Time(e) > future_after) ++future;
    // recorded_at is the true time: a future event_time is later than it,
    // and only the dirty kinds differ from it at all.
    if (has_time) {
      const bool is_future = Time(e) > future_after;
      EXPECT_EQ(Time(e) > Time(e, "recorded_at"), is_future) << l.text;
    }
    if (!admission && has_time && Time(e) <= future_after) {
      const json& a = *admissions.at(e.at("admission_event_id"));
      EXPECT_EQ(a.at("patient_id"), e.at("patient_id"));
      const bool admission_clean =
          a.contains("event_time") && !a["event_time"].is_null() && Time(a) <= future_after;
      if (admission_clean && Time(e) < Time(a)) ++before;
    }
  }
  EXPECT_EQ(admitted, s.admissions);
  EXPECT_EQ(discharged, s.discharges);
  EXPECT_EQ(duplicates, s.duplicate_events);
  EXPECT_EQ(missing, s.missing_admission_time);
  EXPECT_EQ(over_100, s.age_over_100);
  EXPECT_EQ(below_0, s.age_below_0);
  EXPECT_EQ(future, s.future_timestamps);
  EXPECT_EQ(before, s.discharge_before_admission);
  for (int64_t n : {duplicates, missing, over_100, below_0, future, before}) EXPECT_GT(n, 10);
  // Some duplicates land in a later batch than their original.
  std::map<std::string, int> batch_of;
  bool crosses = false;
  for (const Line& l : lines) {
    auto [it, fresh] = batch_of.emplace(l.event.at("event_id"), l.batch);
    if (!fresh && it->second != l.batch) crosses = true;
  }
  EXPECT_TRUE(crosses);
}

TEST_F(MhaTest, CleanDataIsConsistent) {
  const MhaSummary s = Generate("clean", 5000, 11, 4, 0);
  const std::vector<Line> lines = Lines(s.files);
  ASSERT_EQ(lines.size(), 5000u);
  std::map<std::string, int64_t> admission_time;  // event id -> time
  std::set<std::string> ids, open_patients;
  int64_t last_time = 0;
  for (const Line& l : lines) {
    const json& e = l.event;
    EXPECT_TRUE(ids.insert(e.at("event_id")).second) << "repeated id " << e.dump();
    ASSERT_TRUE(e.at("event_time").is_string()) << e.dump();
    EXPECT_EQ(e["event_time"].get<std::string>().back(), 'Z');
    const int64_t t = Time(e);
    EXPECT_GE(t, last_time) << "events come in time order";
    last_time = t;
    EXPECT_TRUE(e.at("age").is_number_integer());
    EXPECT_GE(e["age"].get<int>(), 0);
    EXPECT_LE(e["age"].get<int>(), 100);
    const std::string gender = e.at("gender");
    EXPECT_TRUE(gender == "F" || gender == "M" || gender == "X");
    const std::string hospital = e.at("hospital_id");
    EXPECT_TRUE(hospital.size() == 2 && hospital[0] == 'H' && hospital[1] >= '1' &&
                hospital[1] <= '7');
    if (e.at("event_type") == "admission") {
      EXPECT_FALSE(e.contains("admission_event_id"));
      admission_time[e["event_id"]] = t;
      EXPECT_TRUE(open_patients.insert(e.at("patient_id")).second);
    } else {
      ASSERT_EQ(e.at("event_type"), "discharge");
      ASSERT_TRUE(admission_time.count(e.at("admission_event_id"))) << "discharge first";
      EXPECT_GE(t, admission_time[e["admission_event_id"]]);
      EXPECT_EQ(open_patients.erase(e.at("patient_id")), 1u);
    }
  }
  EXPECT_EQ(s.admissions + s.discharges, 5000);
  EXPECT_EQ(static_cast<int64_t>(open_patients.size()), s.still_admitted);
  EXPECT_GT(s.still_admitted, 0);
  EXPECT_GT(s.discharges, 1000);
  EXPECT_EQ(s.missing_admission_time + s.age_over_100 + s.age_below_0 + s.duplicate_events +
                s.future_timestamps + s.discharge_before_admission,
            0);
}

TEST_F(MhaTest, NewAttributeFromTheMiddleBatchOn) {
  const MhaSummary first = Generate("evolve", 3000, 5, 6, 0);
  for (const Line& l : Lines(first.files)) {
    EXPECT_EQ(l.event.contains("insurance_type"), l.batch >= 3) << "batch " << l.batch;
  }
  // Once evolved, a later run carries it everywhere.
  const MhaSummary second = Generate("evolve", 1000, 5, 3, 0);
  for (const Line& l : Lines(second.files)) EXPECT_TRUE(l.event.contains("insurance_type"));
}

TEST_F(MhaTest, ASecondCallOnlyAddsFilesAndNewIds) {
  const MhaSummary first = Generate("inc", 2000, 9, 3, 0.05);
  const std::map<std::string, std::string> before = Files("inc");
  const MhaSummary second = Generate("inc", 2000, 9, 3, 0.05);
  EXPECT_EQ(second.run, 2);
  EXPECT_GT(second.start_time, first.end_time);
  const std::map<std::string, std::string> after = Files("inc");
  for (const auto& [name, content] : before) {
    if (name == ".mha-state.json") continue;
    ASSERT_TRUE(after.count(name)) << name;
    EXPECT_EQ(after.at(name), content) << name << " was overwritten";
  }
  // Everything the second run reports is new (the state file aside).
  EXPECT_EQ(after.size(), before.size() + second.files.size());
  std::set<std::string> first_ids, second_ids;
  for (const Line& l : Lines(first.files)) first_ids.insert(l.event.at("event_id"));
  for (const Line& l : Lines(second.files)) second_ids.insert(l.event.at("event_id"));
  for (const std::string& id : second_ids) EXPECT_FALSE(first_ids.count(id)) << id;
  EXPECT_EQ(second.first_event_id, first.last_event_id + 1);
  // A third run still continues: the same options into a fresh folder would
  // collide, the folder's state keeps it apart.
  const MhaSummary third = Generate("inc", 500, 9, 2, 0);
  EXPECT_EQ(third.first_event_id, second.last_event_id + 1);
}

TEST_F(MhaTest, PatientsLeftInHospitalAreDischargedByTheNextRun) {
  const MhaSummary first = Generate("stay", 3000, 21, 3, 0);
  ASSERT_GT(first.still_admitted, 0);
  const MhaSummary second = Generate("stay", 3000, 21, 3, 0);
  std::set<std::string> admissions_first, open;
  for (const Line& l : Lines(first.files)) {
    if (l.event.at("event_type") == "admission") admissions_first.insert(l.event.at("event_id"));
  }
  int64_t discharged_from_first = 0;
  for (const MhaSummary* s : {&first, &second}) {
    for (const Line& l : Lines(s->files)) {
      if (l.event.at("event_type") == "admission") {
        open.insert(l.event.at("event_id"));
      } else {
        const std::string admission = l.event.at("admission_event_id");
        EXPECT_EQ(open.erase(admission), 1u)
            << "a discharge of an unknown or closed stay: " << l.text;
        discharged_from_first += s == &second && admissions_first.count(admission) > 0;
      }
    }
  }
  EXPECT_EQ(discharged_from_first, first.still_admitted)
      << "every patient the first run left in hospital is discharged by the second";
  EXPECT_EQ(static_cast<int64_t>(open.size()), second.still_admitted);
}

TEST_F(MhaTest, CsvFilesHaveTheirHeaders) {
  const MhaSummary s = Generate("csv", 4000, 13, 4, 0.02);
  int ehr_files = 0, department_files = 0;
  std::map<std::string, std::set<std::string>> allergies_seen;  // patient -> versions
  for (const std::string& path : s.files) {
    if (path.find("/ehr/ehr-") != std::string::npos) {
      ++ehr_files;
      const auto rows = Csv(path);
      ASSERT_FALSE(rows.empty());
      EXPECT_EQ(rows[0], (std::vector<std::string>{"patient_id", "name", "birth_date", "gender",
                                                   "blood_type", "allergies"}));
      for (size_t r = 1; r < rows.size(); ++r) {
        ASSERT_EQ(rows[r].size(), 6u) << path << " row " << r;
        EXPECT_EQ(rows[r][0].size(), 8u);
        EXPECT_EQ(rows[r][0][0], 'P');
        EXPECT_TRUE(ParseDate(rows[r][2]).ok()) << rows[r][2];
        allergies_seen[rows[r][0]].insert(rows[r][5]);
      }
    } else if (path.find("/departments/departments-") != std::string::npos) {
      ++department_files;
      const auto rows = Csv(path);
      ASSERT_EQ(rows.size(), 50u);
      EXPECT_EQ(rows[0], (std::vector<std::string>{"hospital_id", "department", "capacity", "staff",
                                                   "effective_date"}));
      for (size_t r = 1; r < rows.size(); ++r) {
        ASSERT_EQ(rows[r].size(), 5u);
        EXPECT_GT(std::stoi(rows[r][2]), 0);
        EXPECT_GT(std::stoi(rows[r][3]), 0);
        EXPECT_TRUE(ParseDate(rows[r][4]).ok());
      }
    }
  }
  EXPECT_GT(ehr_files, 5);
  EXPECT_GE(department_files, 2);
  int changed = 0;
  for (const auto& [patient, versions] : allergies_seen) changed += versions.size() > 1;
  EXPECT_GT(changed, 0) << "some patient's attributes change between extracts";
}

TEST_F(MhaTest, BadOptionsAreRefused) {
  MhaOptions options;
  options.out_dir = (dir_ / "x").string();
  options.batches = 0;
  EXPECT_EQ(GenerateMha(options).status().code(), StatusCode::kInvalidArgument);
  options.batches = 2;
  options.dirt = 1.5;
  EXPECT_EQ(GenerateMha(options).status().code(), StatusCode::kInvalidArgument);
  options.dirt = 0;
  options.events = 0;
  EXPECT_EQ(GenerateMha(options).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MhaTest, EventsWithoutStateAreRefused) {
  Generate("lost", 200, 1, 2, 0);
  fs::remove(dir_ / "lost" / ".mha-state.json");
  MhaOptions options;
  options.out_dir = (dir_ / "lost").string();
  EXPECT_EQ(GenerateMha(options).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace carelake::generate
