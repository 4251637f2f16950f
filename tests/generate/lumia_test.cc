// The Lumia generator: shaped like seed 000's output, deterministic, with
// dirt only when asked. Checked by parsing the written documents.
#include "carelake/generate/lumia.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace carelake::generate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class LumiaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("carelake_lumia_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  LumiaSummary Generate(const std::string& sub, int64_t records, uint64_t seed, int files,
                        double dirt = 0) {
    LumiaOptions options;
    options.out_dir = (dir_ / sub).string();
    options.records = records;
    options.seed = seed;
    options.files = files;
    options.dirt = dirt;
    auto summary = GenerateLumia(options);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : LumiaSummary{};
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Every record of the valid documents, in id order.
  static std::vector<json> Records(const LumiaSummary& s) {
    std::vector<json> out;
    for (const std::string& f : s.files) {
      if (f.find("truncated") != std::string::npos) continue;
      json doc = json::parse(Read(f));
      for (json& r : doc) out.push_back(std::move(r));
    }
    return out;
  }

  fs::path dir_;
};

TEST_F(LumiaTest, ShapedLikeTheSeedsGenerator) {
  LumiaSummary s = Generate("a", 5000, 7, 3);
  ASSERT_EQ(s.files.size(), 3u);
  EXPECT_EQ(s.records, 5000);
  std::vector<json> records = Records(s);
  ASSERT_EQ(records.size(), 5000u);
  const std::map<std::string, std::string> budget = {{"Neurology", "70"},
                                                     {"Cardiology", "84.50"},
                                                     {"Orthopedics", "50.30"},
                                                     {"Geriatrics", "90.20"},
                                                     {"Pediatrics", "80"}};
  std::set<std::string> ids, wishes, hours;
  int with_feedback = 0;
  for (const json& r : records) {
    ASSERT_TRUE(r.is_object());
    for (const auto& [key, value] : r.items()) {
      EXPECT_TRUE(value.is_string()) << key << " is not a string in " << r.dump();
    }
    ids.insert(r.at("id").get<std::string>());
    wishes.insert(r.at("PatientWish").get<std::string>());
    EXPECT_EQ(r.at("Budget"), budget.at(r.at("Specialty").get<std::string>()));
    const int age = std::stoi(r.at("PatientAge").get<std::string>());
    EXPECT_TRUE(age >= 18 && age <= 70) << age;
    EXPECT_EQ(r.at("PatientName").get<std::string>().size(), 3u);
    const std::string date = r.at("CurrentDate");
    ASSERT_EQ(date.size(), 19u) << date;
    EXPECT_EQ(r.at("ScheduledDate"), date);
    const int year = std::stoi(date.substr(0, 4)), month = std::stoi(date.substr(5, 2)),
              day = std::stoi(date.substr(8, 2)), hour = std::stoi(date.substr(11, 2));
    EXPECT_TRUE(year == 2022 || year == 2023);
    EXPECT_TRUE(month >= 1 && month <= 12);
    EXPECT_TRUE(day >= 1 && day <= 28);
    EXPECT_TRUE(hour >= 0 && hour <= 24);
    hours.insert(date.substr(11, 2));
    const std::string feedback = r.at("Feedback");
    ASSERT_TRUE(feedback == "0" || feedback == "1");
    EXPECT_EQ(r.contains("ProfessionalRating"), feedback == "1");
    EXPECT_EQ(r.contains("OverallRating"), feedback == "1");
    if (feedback == "1") {
      ++with_feedback;
      const int rating = std::stoi(r.at("OverallRating").get<std::string>());
      EXPECT_TRUE(rating >= 1 && rating <= 10);
    }
    EXPECT_EQ(r.size(), feedback == "1" ? 11u : 9u);
  }
  EXPECT_EQ(ids.size(), 5000u);
  EXPECT_TRUE(ids.count("1") && ids.count("5000"));
  EXPECT_EQ(wishes, (std::set<std::string>{"Appointment", "Feedback", "Results"}));
  EXPECT_TRUE(hours.count("24")) << "T24: must occur";
  EXPECT_EQ(hours.size(), 25u);
  EXPECT_GT(with_feedback, 2000);
  EXPECT_LT(with_feedback, 3000);
}

TEST_F(LumiaTest, DeterministicPerSeedAndIndependentOfFileCount) {
  LumiaSummary a = Generate("a", 3000, 11, 2), b = Generate("b", 3000, 11, 2),
               c = Generate("c", 3000, 12, 2), d = Generate("d", 3000, 11, 5);
  for (size_t i = 0; i < a.files.size(); ++i) EXPECT_EQ(Read(a.files[i]), Read(b.files[i]));
  EXPECT_NE(Read(a.files[0]), Read(c.files[0]));
  EXPECT_EQ(Records(a), Records(d));
}

// A record as the seed's generator writes it.
bool IsClean(const json& r) {
  static const std::map<std::string, std::string> kBudget = {{"Neurology", "70"},
                                                             {"Cardiology", "84.50"},
                                                             {"Orthopedics", "50.30"},
                                                             {"Geriatrics", "90.20"},
                                                             {"Pediatrics", "80"}};
  for (const char* k : {"id", "PatientWish", "Specialty", "Budget", "PatientAge", "PatientName",
                        "CurrentDate", "ScheduledDate", "Feedback"}) {
    if (!r.contains(k) || !r[k].is_string()) return false;
  }
  const std::string wish = r["PatientWish"], specialty = r["Specialty"], age = r["PatientAge"],
                    name = r["PatientName"], date = r["CurrentDate"], feedback = r["Feedback"];
  if (wish != "Appointment" && wish != "Feedback" && wish != "Results") return false;
  if (!kBudget.count(specialty) || r["Budget"] != kBudget.at(specialty)) return false;
  if (age.size() != 2 || age.find_first_not_of("0123456789") != std::string::npos) return false;
  if (name.size() != 3 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos) {
    return false;
  }
  if (date.size() != 19 || date[10] != 'T' || date.substr(5, 2) > "12" ||
      r["ScheduledDate"] != date) {
    return false;
  }
  if (feedback != "0" && feedback != "1") return false;
  return r.size() == (feedback == "1" ? 11u : 9u);
}

TEST_F(LumiaTest, DirtOnlyWhenAsked) {
  LumiaSummary clean = Generate("clean", 2000, 3, 1);
  EXPECT_EQ(clean.dirty_records, 0);
  for (const json& r : Records(clean)) EXPECT_TRUE(IsClean(r)) << r.dump();
  EXPECT_EQ(clean.files.size(), 1u);
  LumiaSummary dirty = Generate("dirty", 2000, 3, 1, 0.05);
  ASSERT_EQ(dirty.files.size(), 2u);
  EXPECT_GT(dirty.dirty_records, 50);
  EXPECT_LT(dirty.dirty_records, 150);
  // The dirty records: a field missing, or a value that is not a proper one.
  int unclean = 0;
  for (const json& r : Records(dirty)) unclean += !IsClean(r);
  EXPECT_EQ(unclean, dirty.dirty_records);
  // The truncated document is not JSON.
  EXPECT_NE(dirty.files[1].find("truncated"), std::string::npos);
  EXPECT_TRUE(json::parse(Read(dirty.files[1]), nullptr, false).is_discarded());
}

TEST_F(LumiaTest, BadOptionsAreRefused) {
  LumiaOptions options;
  options.out_dir = (dir_ / "x").string();
  options.files = 0;
  EXPECT_EQ(GenerateLumia(options).status().code(), StatusCode::kInvalidArgument);
  options.files = 1;
  options.dirt = 2;
  EXPECT_EQ(GenerateLumia(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace carelake::generate
