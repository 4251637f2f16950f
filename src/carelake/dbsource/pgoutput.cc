#include "carelake/dbsource/pgoutput.h"

#include <charconv>
#include <cstdio>

#include "carelake/base/status.h"

namespace carelake::dbsource {
namespace {

// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01).
constexpr int64_t kPgEpochUs = 946684800LL * 1000000;

// Reads big-endian fields and NUL-terminated strings of one message.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - at_; }

  uint64_t Int(int bytes) {
    if (remaining() < static_cast<size_t>(bytes)) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(data_[at_++]);
    return v;
  }
  std::string String() {
    size_t end = data_.find('\0', at_);
    if (end == std::string_view::npos) {
      ok_ = false;
      return "";
    }
    std::string s(data_.substr(at_, end - at_));
    at_ = end + 1;
    return s;
  }
  std::string_view Bytes(size_t n) {
    if (remaining() < n) {
      ok_ = false;
      return {};
    }
    std::string_view s = data_.substr(at_, n);
    at_ += n;
    return s;
  }

 private:
  std::string_view data_;
  size_t at_ = 0;
  bool ok_ = true;
};

Status Malformed(char type, const std::string& what) {
  return Status(StatusCode::kCorruption, std::string("pgoutput message '") + type + "': " + what);
}

// TupleData into `change`.
bool ReadTuple(Reader& r, RowChange& change) {
  const int n = static_cast<int>(r.Int(2));
  change.values.assign(n, std::nullopt);
  change.unchanged.assign(n, false);
  for (int i = 0; i < n && r.ok(); ++i) {
    char kind = static_cast<char>(r.Int(1));
    if (kind == 'n') continue;
    if (kind == 'u') {
      change.unchanged[i] = true;
      continue;
    }
    if (kind != 't' && kind != 'b') return false;
    uint32_t len = static_cast<uint32_t>(r.Int(4));
    change.values[i].emplace(r.Bytes(len));
  }
  return r.ok();
}

}  // namespace

Status PgOutputDecoder::Feed(std::string_view message, std::vector<RowChange>* committed) {
  if (message.empty()) return Malformed('?', "empty message");
  const char type = message[0];
  Reader r(message.substr(1));
  switch (type) {
    case 'B':
      final_lsn_ = r.Int(8);
      commit_time_us_ = static_cast<int64_t>(r.Int(8)) + kPgEpochUs;
      r.Int(4);  // xid
      in_transaction_ = true;
      pending_.clear();
      return r.ok() ? Status::Ok() : Malformed(type, "truncated");
    case 'C': {
      r.Int(1);  // flags
      const uint64_t commit_lsn = r.Int(8);
      if (!r.ok()) return Malformed(type, "truncated");
      for (RowChange& c : pending_) {
        c.commit_lsn = commit_lsn;
        c.commit_time_us = commit_time_us_;
        committed->push_back(std::move(c));
      }
      pending_.clear();
      in_transaction_ = false;
      return Status::Ok();
    }
    case 'R':
      return Relation(message.substr(1));
    case 'I':
    case 'U':
    case 'D':
    case 'T':
      if (!in_transaction_) return Malformed(type, "a change outside a transaction");
      return Change(type, message.substr(1));
    case 'Y':  // a type's name: not needed (columns are read as text)
    case 'O':  // origin
    case 'M':  // a logical decoding message
      return Status::Ok();
    default:
      return Malformed(type, "unknown message type");
  }
}

Status PgOutputDecoder::Relation(std::string_view body) {
  Reader r(body);
  PgRelation rel;
  rel.oid = static_cast<uint32_t>(r.Int(4));
  rel.schema = r.String();
  rel.name = r.String();
  r.Int(1);  // replica identity
  const int n = static_cast<int>(r.Int(2));
  for (int i = 0; i < n && r.ok(); ++i) {
    r.Int(1);  // flags: part of the key
    rel.columns.push_back(r.String());
    rel.type_oids.push_back(static_cast<uint32_t>(r.Int(4)));
    r.Int(4);  // typmod
  }
  if (!r.ok()) return Malformed('R', "truncated");
  relations_[rel.oid] = std::move(rel);
  return Status::Ok();
}

Status PgOutputDecoder::Change(char type, std::string_view body) {
  Reader r(body);
  if (type == 'T') {
    const uint32_t n = static_cast<uint32_t>(r.Int(4));
    r.Int(1);  // options
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      auto it = relations_.find(static_cast<uint32_t>(r.Int(4)));
      if (it == relations_.end()) return Malformed(type, "an unknown relation");
      pending_.push_back({ChangeKind::kTruncate, &it->second, {}, {}, 0, 0});
    }
    return r.ok() ? Status::Ok() : Malformed(type, "truncated");
  }
  auto it = relations_.find(static_cast<uint32_t>(r.Int(4)));
  if (!r.ok()) return Malformed(type, "truncated");
  if (it == relations_.end()) return Malformed(type, "a change for an unknown relation");
  RowChange change;
  change.kind =
      type == 'I' ? ChangeKind::kInsert : (type == 'U' ? ChangeKind::kUpdate : ChangeKind::kDelete);
  change.relation = &it->second;
  char tag = static_cast<char>(r.Int(1));
  if (type == 'U' && (tag == 'K' || tag == 'O')) {  // the old key or row: not needed
    RowChange old;
    if (!ReadTuple(r, old)) return Malformed(type, "truncated old tuple");
    tag = static_cast<char>(r.Int(1));
  }
  const char expected = type == 'D' ? 'K' : 'N';
  if (tag != expected && !(type == 'D' && tag == 'O')) {
    return Malformed(type, std::string("expected tuple tag '") + expected + "'");
  }
  if (!ReadTuple(r, change)) return Malformed(type, "truncated tuple");
  pending_.push_back(std::move(change));
  return Status::Ok();
}

std::optional<uint64_t> ParseLsn(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  uint32_t hi = 0, lo = 0;
  auto a = std::from_chars(text.data(), text.data() + slash, hi, 16);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), lo, 16);
  if (a.ec != std::errc() || b.ec != std::errc() || b.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

std::string FormatLsn(uint64_t lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(lsn >> 32),
                static_cast<unsigned>(lsn & 0xffffffffu));
  return buf;
}

std::optional<std::string> PgArrayToJson(std::string_view text, bool quoted) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  std::string out = "[";
  size_t i = 1;
  const size_t end = text.size() - 1;
  bool first = true;
  while (i < end) {
    std::string element;
    bool was_quoted = false;
    if (text[i] == '{') return std::nullopt;  // more than one dimension
    if (text[i] == '"') {
      was_quoted = true;
      for (++i; i < end && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < end) ++i;
        element += text[i];
      }
      ++i;  // the closing quote
    } else {
      for (; i < end && text[i] != ','; ++i) element += text[i];
    }
    out += first ? "" : ",";
    first = false;
    if (!was_quoted && element == "NULL") {
      out += "null";
    } else if (quoted) {
      out += '"';
      for (char c : element) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", c);
          out += esc;
          continue;
        }
        out += c;
      }
      out += '"';
    } else {
      out += element == "t" ? "true" : element == "f" ? "false" : element;
    }
    if (i < end && text[i] == ',') ++i;
  }
  return out + "]";
}

}  // namespace carelake::dbsource
