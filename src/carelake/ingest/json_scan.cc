#include "carelake/ingest/json_scan.h"

#include <algorithm>

#include "carelake/ingest/bronze_columns.h"
#include "carelake/ingest/source_file.h"

namespace carelake::ingest {

bool TokenKeepsItsText(std::string_view t) {
  if (t == "true" || t == "false" || t == "null") return true;
  std::string_view s = t;
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  const size_t dot = s.find('.');
  std::string_view ip = s.substr(0, dot);
  std::string_view fp = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return !d.empty() &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(ip)) return false;
  if (dot == std::string_view::npos) return t != "-0";
  if (!digits(fp)) return false;
  if (fp.back() == '0' && fp != "0") return false;
  if (ip != "0") return ip.size() + fp.size() <= 15;
  if (fp == "0") return true;
  const size_t zeros = fp.find_first_not_of('0');
  return zeros <= 3 && fp.size() - zeros <= 15;
}

// Streams a JSON text (an array of records, or records one after another)
// and learns, without parsing it, what the fast path needs: the records'

void JsonShapeScanner::Feed(std::string_view chunk) {
  size_t i = 0;
  const size_t n = chunk.size();
  for (; i < n && bom_seen_ >= 0 && bom_seen_ < 3; ++i, ++bom_seen_) {  // skip a BOM
    if (chunk[i] != "\xEF\xBB\xBF"[bom_seen_]) {
      bom_seen_ = -1;
      break;
    }
  }
  key_start_ = 0;  // a key that began in the previous chunk goes on here
  while (i < n && fast_) {
    if (in_string_) {
      // Strings are short: a plain loop beats a memchr call per string.
      const char* data = chunk.data();
      size_t e = i;
      while (e < n && data[e] != '"') ++e;
      const void* q = e < n ? data + e : nullptr;
      const size_t end = e;
      // The run of backslashes just before `end` decides whether it is escaped.
      size_t k = end;
      while (k > i && chunk[k - 1] == '\\') --k;
      const size_t run = (end - k) + (k == i ? backslashes_ : 0);
      if (q == nullptr) {
        if (in_key_) key_.append(chunk.substr(key_start_));
        backslashes_ = run;
        return;
      }
      backslashes_ = 0;
      i = end + 1;
      if (run % 2 != 0) {
        if (in_key_) fast_ = false;  // an escaped quote in a key
        continue;
      }
      in_string_ = false;
      if (in_key_) {
        // The key, without copying it when it lies within this chunk.
        std::string_view key = chunk.substr(key_start_, end - key_start_);
        if (!key_.empty()) {
          key_.append(key);
          key = key_;
        }
        if (key.find('\\') != std::string_view::npos) fast_ = false;  // an escaped key
        EndKey(key);
        key_.clear();
      }
      continue;
    }
    const char c = chunk[i++];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      EndToken();
      while (i < n &&
             (chunk[i] == ' ' || chunk[i] == '\t' || chunk[i] == '\n' || chunk[i] == '\r')) {
        ++i;
      }
      continue;
    }
    if (first_ == 0) {
      first_ = c;
      record_depth_ = c == '[' ? 1 : 0;
    }
    if (c == '"') {
      EndToken();
      in_string_ = true;
      in_key_ = expect_key_ && depth_ == record_depth_ + 1;
      expect_key_ = false;
      key_start_ = i;
      if (depth_ == record_depth_) fast_ = false;  // a record that is a string
      continue;
    }
    if (c == '{' || c == '[') {
      EndToken();
      if (depth_ == record_depth_ && !(c == '{')) fast_ = false;  // not an object
      if (depth_ == record_depth_) {
        key_count_ = 0;
        same_as_last_ = true;
      }
      ++depth_;
      expect_key_ = c == '{';
      continue;
    }
    if (c == '}' || c == ']') {
      EndToken();
      if (--depth_ == record_depth_ && c == '}') {
        ++records_;
        if (!same_as_last_) {
          last_keys_.swap(record_keys_);
        } else if (key_count_ < last_keys_.size()) {
          last_keys_.resize(key_count_);
        }
      }
      expect_key_ = false;
      continue;
    }
    if (c == ',' || c == ':') {
      EndToken();
      expect_key_ = c == ',' && depth_ == record_depth_ + 1;
      continue;
    }
    if (depth_ == record_depth_) fast_ = false;  // a record that is a number or literal
    if (token_.size() < kMaxToken) {
      token_.push_back(c);
    } else {
      fast_ = false;
    }
  }
}

void JsonShapeScanner::EndToken() {
  if (token_.empty()) return;
  if (!TokenKeepsItsText(token_)) fast_ = false;
  token_.clear();
}

void JsonShapeScanner::EndKey(std::string_view key) {
  in_key_ = false;
  // Records mostly repeat the keys of the one before, in the same order:
  // while they do, the checks below were already made.
  const size_t k = key_count_++;
  if (same_as_last_) {
    if (k < last_keys_.size() && last_keys_[k] == key) return;
    // The record leaves the known sequence here: check its keys so far.
    same_as_last_ = false;
    record_keys_.assign(last_keys_.begin(), last_keys_.begin() + static_cast<std::ptrdiff_t>(k));
    keys_in_record_.clear();
    for (const std::string& r : record_keys_) keys_in_record_.push_back(ColumnKey(r));
  }
  record_keys_.emplace_back(key);
  std::string lower = ColumnKey(std::string(key));
  if (key.empty() ||
      std::find(keys_in_record_.begin(), keys_in_record_.end(), lower) != keys_in_record_.end()) {
    fast_ = false;  // an empty or repeated key: the slow path sorts it out
    return;
  }
  keys_in_record_.push_back(lower);
  auto [it, inserted] = key_spelling_.emplace(lower, std::string(key));
  if (inserted) {
    keys_.emplace_back(key);
  } else if (it->second != key) {
    fast_ = false;  // keys that differ only in case
  }
}

Result<JsonShape> ScanJsonShape(const std::string& path) {
  JsonShapeScanner scanner;
  CARELAKE_RETURN_IF_ERROR(ReadChunks(path, [&](std::string_view chunk) {
    scanner.Feed(chunk);
    return scanner.fast();
  }));
  scanner.Finish();
  return JsonShape{scanner.fast(), scanner.first(), scanner.records(), scanner.keys()};
}

}  // namespace carelake::ingest
