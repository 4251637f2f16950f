#include "carelake/delta/log.h"

#include <cstdio>

namespace carelake::delta {

namespace {

std::string Pad20(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(v));
  return buf;
}

bool ParseDigits(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string CommitFileName(int64_t version) { return Pad20(version) + ".json"; }
std::string CheckpointFileName(int64_t version) { return Pad20(version) + ".checkpoint.parquet"; }

DeltaLog::DeltaLog(FileSystem& fs, std::string table_path)
    : fs_(fs), table_path_(std::move(table_path)) {
  while (table_path_.size() > 1 && table_path_.back() == '/') table_path_.pop_back();
}

std::string DeltaLog::log_path() const { return JoinPath(table_path_, "_delta_log"); }

Result<LogListing> DeltaLog::List() const {
  Result<std::vector<FileInfo>> entries = fs_.List(log_path());
  if (!entries.ok()) {
    if (entries.status().code() == StatusCode::kNotFound) {
      return NotFound("'" + table_path_ + "' is not a Delta table: it has no _delta_log folder");
    }
    return entries.status();
  }
  LogListing listing;
  // Multi-part checkpoint parts seen: version → (part count → part paths).
  std::map<int64_t, std::map<int64_t, std::map<int64_t, std::string>>> parts;
  for (FileInfo& e : *entries) {
    const std::string& name = e.name;
    if (name == "_last_checkpoint") {
      listing.has_last_checkpoint = true;
      continue;
    }
    if (name.size() < 21 || name[20] != '.' || e.is_directory) continue;
    int64_t version = 0;
    if (!ParseDigits(std::string_view(name).substr(0, 20), &version)) continue;
    const std::string rest = name.substr(21);
    const std::string path = JoinPath(log_path(), name);
    if (rest == "json") {
      listing.commits[version] = std::move(e);
    } else if (rest == "checkpoint.parquet") {
      listing.checkpoints[version] =
          CheckpointFiles{version, CheckpointFiles::Kind::kClassic, {path}, true};
    } else if (rest.rfind("checkpoint.", 0) == 0) {
      // checkpoint.<part>.<parts>.parquet or checkpoint.<uuid>.(json|parquet)
      const std::string tail = rest.substr(11);
      int64_t part = 0, count = 0;
      if (EndsWith(tail, ".parquet") && tail.size() == 10 + 1 + 10 + 8 &&
          ParseDigits(tail.substr(0, 10), &part) && ParseDigits(tail.substr(11, 10), &count)) {
        parts[version][count][part] = path;
      } else if (EndsWith(tail, ".json") || EndsWith(tail, ".parquet")) {
        listing.checkpoints[version] =
            CheckpointFiles{version, CheckpointFiles::Kind::kV2, {path}, true};
      }
    }
  }
  for (auto& [version, by_count] : parts) {
    for (auto& [count, by_part] : by_count) {
      CheckpointFiles cp{version, CheckpointFiles::Kind::kMultiPart, {}, true};
      for (int64_t p = 1; p <= count; ++p) {
        auto it = by_part.find(p);
        if (it == by_part.end()) {
          cp.complete = false;
          break;
        }
        cp.paths.push_back(it->second);
      }
      if (cp.complete && !listing.checkpoints.count(version)) listing.checkpoints[version] = cp;
    }
  }
  return listing;
}

Result<std::vector<Action>> DeltaLog::ReadCommit(int64_t version) const {
  const std::string path = JoinPath(log_path(), CommitFileName(version));
  CARELAKE_ASSIGN_OR_RETURN(std::string text, fs_.ReadFile(path));
  return ParseCommit(text, path);
}

Status DeltaLog::WriteCommit(int64_t version, const std::vector<Action>& actions) const {
  const std::string path = JoinPath(log_path(), CommitFileName(version));
  Status s = fs_.WriteFileIfAbsent(path, SerializeCommit(actions));
  if (s.code() == StatusCode::kAlreadyExists) {
    return Aborted("version " + std::to_string(version) + " of '" + table_path_ +
                   "' was committed by another writer");
  }
  return s;
}

std::optional<int64_t> DeltaLog::ReadLastCheckpointHint() const {
  Result<std::string> text = fs_.ReadFile(JoinPath(log_path(), "_last_checkpoint"));
  if (!text.ok()) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("version") ||
      !j["version"].is_number_integer()) {
    return std::nullopt;
  }
  return j["version"].get<int64_t>();
}

}  // namespace carelake::delta
