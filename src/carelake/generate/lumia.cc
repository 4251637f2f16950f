#include "carelake/generate/lumia.h"

#include <cstdio>
#include <cstring>

#include "carelake/base/file_system.h"
#include "carelake/generate/rng.h"

namespace carelake::generate {

namespace {

constexpr const char* kWishes[] = {"Appointment", "Feedback", "Results"};
constexpr struct {
  const char* name;
  const char* budget;
} kSpecialties[] = {{"Neurology", "70"},
                    {"Cardiology", "84.50"},
                    {"Orthopedics", "50.30"},
                    {"Geriatrics", "90.20"},
                    {"Pediatrics", "80"}};
constexpr const char* kFields[] = {"id",          "PatientWish",   "Specialty",
                                   "Budget",      "PatientAge",    "PatientName",
                                   "CurrentDate", "ScheduledDate", "Feedback"};
constexpr const char* kBadValues[] = {"forty", "", "N/A", "-", "2023-13-45T99:99:99", "null"};

void Append2(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

// One record as the seed writes it: "\n{\n    \"id\": \"1\",\n ... \n}".
// Returns true if it was made dirty.
bool AppendRecord(std::string& out, int64_t index, uint64_t seed, double dirt, int64_t first_id) {
  Rng rng(seed * 0x2545F4914F6CDD1DULL ^
          (static_cast<uint64_t>(index) + 1) * 0x9E3779B97F4A7C15ULL);
  std::string value[9];
  value[0] = std::to_string(first_id + index);
  value[1] = kWishes[rng.Between(0, 2)];
  const auto& specialty = kSpecialties[rng.Between(0, 4)];
  value[2] = specialty.name;
  value[3] = specialty.budget;
  value[4] = std::to_string(rng.Between(18, 70));
  value[5].resize(3);
  for (char& c : value[5]) c = static_cast<char>('a' + rng.Between(0, 25));
  const int feedback = rng.Between(0, 1);
  std::string date = std::to_string(rng.Between(2022, 2023)) + "-";
  Append2(date, rng.Between(1, 12));
  date += '-';
  Append2(date, rng.Between(1, 28));
  date += 'T';
  Append2(date, rng.Between(0, 24));
  date += ':';
  Append2(date, rng.Between(0, 59));
  date += ':';
  Append2(date, rng.Between(0, 59));
  value[6] = date;
  value[7] = date;  // the seed schedules at the moment of the interaction
  value[8] = feedback ? "1" : "0";
  int professional = 0, overall = 0;
  if (feedback) {
    professional = rng.Between(1, 10);
    overall = rng.Between(1, 10);
  }
  int missing = -1, garbled = -1;
  const bool dirty = dirt > 0 && rng.Unit() < dirt;
  if (dirty) {
    // Never the id: dirty records stay traceable.
    if (rng.Between(0, 1) == 0) {
      missing = rng.Between(1, 8);
    } else {
      garbled = rng.Between(3, 8);
      value[garbled] = kBadValues[rng.Between(0, 5)];
    }
  }
  out += "\n{";
  bool first = true;
  for (int f = 0; f < 9; ++f) {
    if (f == missing) continue;
    out += first ? "\n    \"" : ",\n    \"";
    first = false;
    out += kFields[f];
    out += "\": \"";
    out += value[f];
    out += '"';
  }
  if (feedback) {
    out += ",\n    \"ProfessionalRating\": \"" + std::to_string(professional) +
           "\",\n    \"OverallRating\": \"" + std::to_string(overall) + "\"";
  }
  out += "\n}";
  return dirty;
}

// "42", or "42-from-1001" when ids do not start at 1: batches with other
// first ids get other file names.
std::string Stem(const LumiaOptions& options) {
  std::string stem = std::to_string(options.seed);
  if (options.first_id != 1) stem += "-from-" + std::to_string(options.first_id);
  return stem;
}

}  // namespace

Result<LumiaSummary> GenerateLumia(const LumiaOptions& options,
                                   const std::function<void(int64_t)>& progress) {
  if (options.records < 0) return InvalidArgument("--records must not be negative");
  if (options.files < 1) return InvalidArgument("--files must be at least 1");
  if (options.dirt < 0 || options.dirt > 1)
    return InvalidArgument("--dirt must be between 0 and 1");
  if (options.out_dir.empty()) return InvalidArgument("give the output folder (--out DIR)");
  FileSystem& fs = LocalFileSystem();
  CARELAKE_RETURN_IF_ERROR(fs.CreateDirectories(options.out_dir));
  LumiaSummary summary;
  char name[96];
  int64_t written = 0;
  for (int part = 0; part < options.files; ++part) {
    const int64_t begin = options.records * part / options.files;
    const int64_t end = options.records * (part + 1) / options.files;
    std::snprintf(name, sizeof(name), "lumia-%s-%04d-of-%04d.json", Stem(options).c_str(), part + 1,
                  options.files);
    std::string doc = "[";
    doc.reserve(static_cast<size_t>(end - begin) * 300 + 8);
    for (int64_t i = begin; i < end; ++i) {
      summary.dirty_records += AppendRecord(doc, i, options.seed, options.dirt, options.first_id);
      if (i + 1 < end) doc += ',';
      if (progress && (++written % 100'000) == 0) progress(written);
    }
    doc += "\n]";
    const std::string path = JoinPath(options.out_dir, name);
    CARELAKE_RETURN_IF_ERROR(fs.WriteFileAtomic(path, doc));
    summary.files.push_back(path);
    summary.bytes += doc.size();
    summary.records += end - begin;
  }
  if (options.dirt > 0) {
    // A document cut off mid-record, as an interrupted export leaves it.
    std::string doc = "[";
    const int64_t n = 10;
    for (int64_t i = 0; i < n; ++i) {
      AppendRecord(doc, options.records + i, options.seed, 0.0, options.first_id);
      doc += ',';
    }
    doc.resize(doc.size() - 40);
    std::snprintf(name, sizeof(name), "lumia-%s-truncated.json", Stem(options).c_str());
    const std::string path = JoinPath(options.out_dir, name);
    CARELAKE_RETURN_IF_ERROR(fs.WriteFileAtomic(path, doc));
    summary.files.push_back(path);
    summary.bytes += doc.size();
    summary.truncated_records = n;
  }
  if (progress) progress(summary.records);
  return summary;
}

}  // namespace carelake::generate
