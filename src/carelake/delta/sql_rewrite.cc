#include "carelake/delta/sql_rewrite.h"

#include <cctype>
#include <optional>
#include <set>

#include "carelake/base/civil_time.h"
#include "carelake/delta/pruning.h"
#include "carelake/delta/scan.h"
#include "carelake/delta/snapshot.h"

namespace carelake::delta {

namespace {

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         (static_cast<unsigned char>(c) & 0x80);
}

class ArgParser {
 public:
  ArgParser(std::string_view sql, size_t pos) : sql_(sql), pos_(pos) {}
  size_t pos() const { return pos_; }

  void SkipSpace() {
    while (pos_ < sql_.size() && std::isspace(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < sql_.size() && sql_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Consume(std::string_view s) {
    SkipSpace();
    if (sql_.substr(pos_, s.size()) == s) {
      pos_ += s.size();
      return true;
    }
    return false;
  }
  Result<std::string> String() {
    SkipSpace();
    if (pos_ >= sql_.size() || sql_[pos_] != '\'') return Error("a string literal");
    std::string out;
    for (++pos_; pos_ < sql_.size(); ++pos_) {
      if (sql_[pos_] == '\'') {
        if (pos_ + 1 < sql_.size() && sql_[pos_ + 1] == '\'') {
          out += '\'';
          ++pos_;
          continue;
        }
        ++pos_;
        return out;
      }
      out += sql_[pos_];
    }
    return Error("the end of a string literal");
  }
  Result<std::string> Identifier() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < sql_.size() && IsIdentChar(sql_[pos_])) ++pos_;
    if (start == pos_) return Error("an argument name");
    std::string out(sql_.substr(start, pos_ - start));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  Result<int64_t> Integer() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < sql_.size() && std::isdigit(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
    if (start == pos_) return Error("a version number");
    return std::stoll(std::string(sql_.substr(start, pos_ - start)));
  }
  Status Error(const std::string& expected) const {
    return InvalidArgument("delta_scan: expected " + expected + " at offset " +
                           std::to_string(pos_) + " of the SQL");
  }

 private:
  std::string_view sql_;
  size_t pos_;
};

// Parses the arguments after "delta_scan(" at `start` and returns the scan
// subquery, reading only files the query's WHERE may need.
Result<std::string> ExpandOne(std::string_view sql, size_t start, ArgParser& p,
                              engine::Connection& conn, FileSystem& fs, const std::string& base_dir,
                              DeltaScanReport* report) {
  CARELAKE_ASSIGN_OR_RETURN(std::string path, p.String());
  if (!path.empty() && path[0] != '/' && !base_dir.empty()) path = JoinPath(base_dir, path);
  std::optional<int64_t> version;
  std::optional<std::string> timestamp;
  while (p.Consume(',')) {
    CARELAKE_ASSIGN_OR_RETURN(std::string name, p.Identifier());
    if (!p.Consume("=>") && !p.Consume(":=")) return p.Error("'=>' or ':=' after '" + name + "'");
    if (name == "version") {
      CARELAKE_ASSIGN_OR_RETURN(version, p.Integer());
    } else if (name == "timestamp") {
      CARELAKE_ASSIGN_OR_RETURN(timestamp, p.String());
    } else {
      return InvalidArgument("delta_scan: unknown argument '" + name +
                             "' (known: version, timestamp)");
    }
  }
  if (!p.Consume(')')) return p.Error("')' closing delta_scan(");
  if (version && timestamp) {
    return InvalidArgument("delta_scan: give version or timestamp, not both");
  }
  DeltaLog log(fs, path);
  if (timestamp) {
    auto micros = ParseTimestamp(*timestamp);
    if (!micros.ok()) {
      return InvalidArgument("delta_scan: timestamp '" + *timestamp +
                             "' is not a timestamp like '2026-01-31 12:00:00'");
    }
    // The whole millisecond counts: commits carry millisecond timestamps.
    CARELAKE_ASSIGN_OR_RETURN(version, VersionAtTimestamp(log, *micros / 1000));
  }
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, LoadSnapshot(log, conn, version));
  CARELAKE_RETURN_IF_ERROR(snapshot->CheckReadable());
  ScanOptions options;
  std::set<std::string> keep;
  if (auto where = WhereClauseOf(sql, start, p.pos())) {
    std::vector<SimplePredicate> predicates = SimplePredicates(*where, snapshot->schema());
    if (!predicates.empty()) {
      CARELAKE_ASSIGN_OR_RETURN(keep, FilesThatMayMatch(*snapshot, conn, predicates));
      options.file_filter = [&keep](const AddFile& f) { return keep.count(f.path) > 0; };
    }
  }
  if (report != nullptr) {
    report->scans.push_back({path, snapshot->version(), snapshot->files().size(),
                             options.file_filter ? keep.size() : snapshot->files().size()});
  }
  CARELAKE_ASSIGN_OR_RETURN(std::string scan, BuildScanSql(*snapshot, conn, options));
  return "(" + scan + ")";
}

}  // namespace

Result<std::string> ExpandDeltaScans(std::string_view sql, engine::Connection& conn, FileSystem& fs,
                                     const std::string& base_dir, DeltaScanReport* report) {
  static constexpr std::string_view kName = "delta_scan";
  std::string out;
  size_t i = 0, copied = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // literal or quoted identifier
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            ++i;
            continue;
          }
          break;
        }
      }
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
      continue;
    }
    if (IsIdentChar(c) && (i == 0 || (!IsIdentChar(sql[i - 1]) && sql[i - 1] != '.'))) {
      size_t end = i;
      while (end < sql.size() && IsIdentChar(sql[end])) ++end;
      std::string word(sql.substr(i, end - i));
      for (char& w : word) w = static_cast<char>(std::tolower(static_cast<unsigned char>(w)));
      if (word == kName) {
        ArgParser p(sql, end);
        if (p.Consume('(')) {
          CARELAKE_ASSIGN_OR_RETURN(std::string scan,
                                    ExpandOne(sql, i, p, conn, fs, base_dir, report));
          out.append(sql.substr(copied, i - copied));
          out += scan;
          i = copied = p.pos();
          continue;
        }
      }
      i = end;
      continue;
    }
    ++i;
  }
  out.append(sql.substr(copied));
  return out;
}

}  // namespace carelake::delta
