#include "carelake/ingest/file_ingest.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/delta/transaction.h"
#include "carelake/engine/appender.h"
#include "carelake/ingest/json_framer.h"

namespace carelake::ingest {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;
using project::SourceFormat;

// Raw text kept per quarantined record, at most.
constexpr size_t kMaxRawBytes = 1 << 20;

const char* const kLineageColumns[] = {"_run_id", "_source_file", "_source_position",
                                       "_ingested_at"};

struct Candidate {
  std::string abs_path;
  std::string rel_path;
  int64_t size = 0;
  int64_t modified_ms = 0;
};

// One file's contribution to a batch: a SELECT of its good rows (without
// lineage) and its quarantined records (a SELECT over the quarantine schema).
struct FilePlan {
  const Candidate* file = nullptr;
  std::string rows_sql;  // empty when no row is good
  std::vector<std::string> columns;
  int64_t records = 0;
  std::string quarantine_sql;  // empty when nothing is quarantined
  int64_t quarantined = 0;
  std::string first_error;
};

std::string AppId(const Candidate& c) { return std::string(kFileAppPrefix) + c.rel_path; }

// DuckDB's compression option; its JSON reader calls "auto" "auto_detect",
// its CSV reader "auto".
std::string CompressionOption(const project::Source& s) {
  switch (s.compression) {
    case project::Compression::kGzip:
      return "'gzip'";
    case project::Compression::kNone:
      return "'none'";
    case project::Compression::kAuto:
      break;
  }
  return s.format == SourceFormat::kCsv ? "'auto'" : "'auto_detect'";
}

// True for errors in the SQL carelake generated (a bug, not bad input).
bool IsStatementError(const Status& st) {
  for (const char* kind :
       {"Parser Error", "Binder Error", "Catalog Error", "Not implemented Error"}) {
    if (st.message().find(kind) != std::string::npos) return true;
  }
  return false;
}

// A quarantine row for a whole file or a record: (position, line, offset,
// reason, raw) as SQL over constants.
std::string QuarantineRowSql(const Candidate& c, const std::string& position,
                             const std::string& line, const std::string& offset,
                             const std::string& reason, const std::string& raw) {
  return "SELECT " + QuoteLiteral(c.rel_path) + " AS _source_file, " + position +
         "::BIGINT AS _source_position, " + line + "::BIGINT AS _source_line, " + offset +
         "::BIGINT AS _source_offset, " + reason + "::VARCHAR AS _reason, " + raw +
         "::VARCHAR AS _raw";
}

// Reads a file in chunks, decompressing gzip (zlib reads plain files as
// is), until the end or until `chunk` returns false. A gzip stream that is
// corrupt or ends early is Corruption: zlib's gzread reports an early end
// only through gzerror, and DuckDB's readers not at all (its CSV reader
// returns the rows before the cut), so gzip files are checked here.
Status ReadChunks(const std::string& path, const std::function<bool(std::string_view)>& chunk) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return IoError("cannot open '" + path + "'");
  gzbuffer(f, 1 << 17);
  std::string buf(1 << 20, '\0');
  int64_t total = 0;
  Status status;
  while (true) {
    const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    int errnum = Z_OK;
    const char* msg = gzerror(f, &errnum);
    if (errnum == Z_ERRNO) {
      status = IoError("cannot read '" + path + "': " + msg);
      break;
    }
    if (n < 0 || (n == 0 && errnum != Z_OK)) {
      status = Corruption(
          "cannot decompress '" + path + "': " +
          (errnum == Z_BUF_ERROR ? "the gzip stream ends early (truncated)" : std::string(msg)) +
          " after " + std::to_string(total) + " bytes");
      break;
    }
    if (n == 0 || !chunk(std::string_view(buf.data(), static_cast<size_t>(n)))) break;
    total += n;
  }
  gzclose(f);
  return status;
}

// Reads a whole file (see ReadChunks).
Result<std::string> ReadAll(const std::string& path) {
  std::string out;
  CARELAKE_RETURN_IF_ERROR(ReadChunks(path, [&](std::string_view chunk) {
    out.append(chunk);
    return true;
  }));
  return out;
}

// IoError if `path` cannot be opened; with `gzip`, Corruption if it is a
// gzip file that is corrupt or truncated.
Status CheckReadable(const std::string& path, bool gzip) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return IoError("cannot open '" + path + "'");
  const bool plain = gzdirect(f) == 1;  // looks at the first bytes
  gzclose(f);
  if (plain || !gzip) return Status();
  return ReadChunks(path, [](std::string_view) { return true; });
}

// Text that DuckDB accepts: invalid UTF-8 bytes become '?'; capped.
std::string Printable(std::string_view text) {
  std::string out(text.substr(0, kMaxRawBytes));
  while (true) {
    int64_t bad = FindInvalidUtf8(out);
    if (bad < 0) break;
    out[static_cast<size_t>(bad)] = '?';
  }
  return out;
}

// ---------------------------------------------------------------------------
// JSON numbers keep their text.
//
// DuckDB's JSON reader parses a number with a fraction or an exponent as a
// double and prints it back in the shortest form that reads back the same
// double: `1.50` becomes `1.5`, `1E+2` becomes `100.0`, `-0` becomes `0`,
// digits beyond a double's precision are lost. The fast path is therefore
// used only for files in which every number is printed back unchanged; the
// slow path reads any other file with RecordParser, which keeps the text.

// True if DuckDB prints the JSON token `t` (a number or a literal outside a
// string) back exactly: literals, integers other than `-0` (integers too big
// for 64 bits are kept as text), and decimals without an exponent with at
// most 15 significant digits (which a double keeps) in plain notation (at
// least 0.0001, below 10^15) and no trailing zero after the first decimal.
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

// Streams a JSON text, noting whether a token outside strings would not be
// printed back unchanged (see TokenKeepsItsText) and the first character.
class NumberTextScanner {
 public:
  void Feed(std::string_view chunk) {
    size_t i = 0;
    const size_t n = chunk.size();
    for (; i < n && bom_seen_ >= 0 && bom_seen_ < 3; ++i, ++bom_seen_) {  // skip a BOM
      if (chunk[i] != "\xEF\xBB\xBF"[bom_seen_]) {
        bom_seen_ = -1;
        break;
      }
    }
    while (i < n && !changes_text_) {
      if (in_string_) {
        const void* q = std::memchr(chunk.data() + i, '"', n - i);
        const size_t end =
            q == nullptr ? n : static_cast<size_t>(static_cast<const char*>(q) - chunk.data());
        // The run of backslashes just before `end` decides whether it is escaped.
        size_t k = end;
        while (k > i && chunk[k - 1] == '\\') --k;
        const size_t run = (end - k) + (k == i ? backslashes_ : 0);
        if (q == nullptr) {
          backslashes_ = run;
          return;
        }
        backslashes_ = 0;
        i = end + 1;
        if (run % 2 == 0) in_string_ = false;
        continue;
      }
      const char c = chunk[i++];
      if (c == '"') {
        EndToken();
        in_string_ = true;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' ||
                 c == '{' || c == '}' || c == '[' || c == ']') {
        EndToken();
        if (first_ == 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r') first_ = c;
      } else {
        if (first_ == 0) first_ = c;
        if (token_.size() < kMaxToken)
          token_.push_back(c);
        else
          changes_text_ = true;
      }
    }
  }
  void Finish() { EndToken(); }

  bool changes_text() const { return changes_text_; }
  char first() const { return first_; }

 private:
  static constexpr size_t kMaxToken = 64;
  void EndToken() {
    if (token_.empty()) return;
    if (!TokenKeepsItsText(token_)) changes_text_ = true;
    token_.clear();
  }

  int bom_seen_ = 0;  // bytes of a leading BOM seen so far; -1: there is none
  bool in_string_ = false;
  size_t backslashes_ = 0;  // inside a string, at the end of the last chunk
  std::string token_;
  bool changes_text_ = false;
  char first_ = 0;
};

struct JsonPrescan {
  bool changes_text = false;  // a number would not keep its text in DuckDB
  char first = 0;             // the first character after a BOM and blanks
};

Result<JsonPrescan> PrescanJson(const std::string& path) {
  NumberTextScanner scanner;
  CARELAKE_RETURN_IF_ERROR(ReadChunks(path, [&](std::string_view chunk) {
    scanner.Feed(chunk);
    return !scanner.changes_text();
  }));
  scanner.Finish();
  return JsonPrescan{scanner.changes_text(), scanner.first()};
}

// ---------------------------------------------------------------------------
// The slow path's reading of one record.

// A top-level member of a record as bronze keeps it: strings decoded, JSON
// null as NULL, other scalars with their text, objects and arrays as compact
// JSON (strings re-escaped as DuckDB writes them, numbers as written), so
// that a value reads the same whichever path read its file.
struct Member {
  std::string key;
  std::optional<std::string> value;
};

// Validates one record (RFC 8259 plus what DuckDB's reader also accepts:
// trailing commas, NaN and Infinity) and splits a valid object into members.
class RecordParser {
 public:
  // `offset` is where `text` starts in the file (for messages). Returns ""
  // with `members` filled, or the reason the record cannot go to bronze.
  std::string Parse(std::string_view text, int64_t offset, std::vector<Member>* members) {
    s_ = text;
    i_ = 0;
    error_.clear();
    members->clear();
    SkipWs();
    const char kind = i_ < s_.size() ? s_[i_] : '\0';
    bool ok = kind == '{' ? TopObject(members) : Value(0, nullptr);
    if (ok) {
      SkipWs();
      if (i_ < s_.size()) ok = Fail("unexpected text after the value");
    }
    if (!ok) {
      members->clear();
      return "not valid JSON: " + error_ + " at byte " +
             std::to_string(offset + static_cast<int64_t>(i_)) + " of the file";
    }
    if (kind != '{') {
      members->clear();
      const char* what = kind == '[' ? "an array" : kind == '"' ? "a string" : "a number";
      if (kind == 't' || kind == 'f') what = "a boolean";
      if (kind == 'n') what = "null";
      return std::string("a JSON value that is ") + what + ", not an object";
    }
    // Keys name bronze columns, which are case-insensitive.
    std::unordered_map<std::string, const std::string*> seen;
    for (const Member& m : *members) {
      if (m.key.empty()) return "an empty key (bronze columns need a name)";
      auto [it, inserted] = seen.emplace(Lower(m.key), &m.key);
      if (inserted) continue;
      if (*it->second == m.key) return "the key '" + m.key + "' appears twice";
      return "the keys '" + *it->second + "' and '" + m.key +
             "' differ only in case (bronze columns are case-insensitive)";
    }
    return "";
  }

  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

 private:
  static constexpr int kMaxDepth = 1000;

  bool Fail(std::string what) {
    if (error_.empty()) error_ = std::move(what);
    return false;
  }
  void SkipWs() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool Eat(char c) {
    SkipWs();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  // The record's own object: members with their values as bronze keeps them.
  bool TopObject(std::vector<Member>* members) {
    ++i_;  // '{'
    if (Eat('}')) return true;
    while (true) {
      SkipWs();
      Member m;
      if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a key");
      if (!String(&m.key, nullptr)) return false;
      if (!Eat(':')) return Fail("expected ':' after a key");
      SkipWs();
      if (i_ >= s_.size()) return Fail("expected a value");
      const char c = s_[i_];
      if (c == '"') {
        std::string v;
        if (!String(&v, nullptr)) return false;
        m.value = std::move(v);
      } else if (c == '{' || c == '[') {
        std::string v;
        if (!Value(1, &v)) return false;
        m.value = std::move(v);
      } else {
        const size_t start = i_;
        if (!Value(1, nullptr)) return false;
        std::string_view token = s_.substr(start, i_ - start);
        if (token != "null") m.value = std::string(token);
      }
      members->push_back(std::move(m));
      if (Eat('}')) return true;
      if (!Eat(',')) return Fail("expected ',' or '}'");
      if (Eat('}')) return true;  // a trailing comma
    }
  }

  // Any value; appends its compact text to `out` unless it is null.
  bool Value(int depth, std::string* out) {
    SkipWs();
    if (i_ >= s_.size()) return Fail("expected a value");
    if (depth > kMaxDepth) return Fail("nested more than " + std::to_string(kMaxDepth) + " deep");
    const char c = s_[i_];
    if (c == '"') return String(nullptr, out);
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      if (out) out->push_back(c);
      if (Eat(close)) {
        if (out) out->push_back(close);
        return true;
      }
      while (true) {
        SkipWs();
        if (c == '{') {
          if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a key");
          if (!String(nullptr, out)) return false;
          if (!Eat(':')) return Fail("expected ':' after a key");
          if (out) out->push_back(':');
        }
        if (!Value(depth + 1, out)) return false;
        if (Eat(close)) break;
        if (!Eat(',')) return Fail(std::string("expected ',' or '") + close + "'");
        if (Eat(close)) break;  // a trailing comma
        if (out) out->push_back(',');
      }
      if (out) out->push_back(close);
      return true;
    }
    const size_t start = i_;
    while (i_ < s_.size() && !std::strchr(" \t\r\n,:[]{}\"", s_[i_])) ++i_;
    std::string_view token = s_.substr(start, i_ - start);
    if (token.empty()) return Fail(std::string("unexpected '") + c + "'");
    if (!IsScalar(token)) {
      i_ = start;
      return Fail("'" + std::string(token.substr(0, 40)) + "' is not a JSON value");
    }
    if (out) out->append(token);
    return true;
  }

  static bool IsScalar(std::string_view t) {
    if (t == "true" || t == "false" || t == "null") return true;
    std::string_view s = t;
    if (s.front() == '-') s.remove_prefix(1);
    const std::string lower = Lower(std::string(s));
    if (lower == "nan" || lower == "inf" || lower == "infinity") return true;
    size_t i = 0;
    auto digits = [&] {
      const size_t from = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      return i > from;
    };
    if (i < s.size() && s[i] == '0') {
      ++i;
    } else if (!digits()) {
      return false;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!digits()) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (!digits()) return false;
    }
    return i == s.size();
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool Hex4(uint32_t* cp) {
    if (i_ + 4 > s_.size()) return Fail("a \\u escape needs four hex digits");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const int h = Hex(s_[i_ + static_cast<size_t>(k)]);
      if (h < 0) return Fail("a \\u escape needs four hex digits");
      v = v * 16 + static_cast<uint32_t>(h);
    }
    i_ += 4;
    *cp = v;
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  // `cp` as DuckDB's JSON writer escapes it inside a string.
  static void AppendEscaped(uint32_t cp, std::string* out) {
    static const char kHex[] = "0123456789ABCDEF";
    switch (cp) {
      case '"':
        out->append("\\\"");
        return;
      case '\\':
        out->append("\\\\");
        return;
      case '\b':
        out->append("\\b");
        return;
      case '\f':
        out->append("\\f");
        return;
      case '\n':
        out->append("\\n");
        return;
      case '\r':
        out->append("\\r");
        return;
      case '\t':
        out->append("\\t");
        return;
      default:
        break;
    }
    if (cp < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[cp >> 4]);
      out->push_back(kHex[cp & 0xF]);
      return;
    }
    AppendUtf8(cp, out);
  }

  // A string at `i_`: its decoded text to `decoded`, its re-escaped JSON
  // (quotes included) to `json`; either may be null.
  bool String(std::string* decoded, std::string* json) {
    ++i_;  // opening quote
    if (json) json->push_back('"');
    while (true) {
      size_t run = i_;
      while (run < s_.size() && s_[run] != '"' && s_[run] != '\\' &&
             static_cast<unsigned char>(s_[run]) >= 0x20) {
        ++run;
      }
      if (decoded) decoded->append(s_.substr(i_, run - i_));
      if (json) json->append(s_.substr(i_, run - i_));
      i_ = run;
      if (i_ >= s_.size()) return Fail("a string is not closed");
      const char c = s_[i_];
      if (c == '"') {
        ++i_;
        if (json) json->push_back('"');
        return true;
      }
      if (c != '\\') return Fail("a control character in a string (must be escaped)");
      if (++i_ >= s_.size()) return Fail("a string is not closed");
      uint32_t cp = 0;
      const char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          cp = static_cast<uint32_t>(e);
          break;
        case 'b':
          cp = '\b';
          break;
        case 'f':
          cp = '\f';
          break;
        case 'n':
          cp = '\n';
          break;
        case 'r':
          cp = '\r';
          break;
        case 't':
          cp = '\t';
          break;
        case 'u': {
          if (!Hex4(&cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("a lone low surrogate in a \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (i_ + 2 > s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') {
              return Fail("a high surrogate without its low surrogate");
            }
            i_ += 2;
            if (!Hex4(&low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) {
              return Fail("a high surrogate without its low surrogate");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          break;
        }
        default:
          --i_;
          return Fail(std::string("an unknown escape '\\") + e + "'");
      }
      if (decoded) AppendUtf8(cp, decoded);
      if (json) AppendEscaped(cp, json);
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

// The columns bronze reserves for lineage; a source column may not use them.
Status CheckNoLineageColumn(const std::string& source, const std::vector<std::string>& columns) {
  for (const std::string& c : columns) {
    for (const char* lineage : kLineageColumns) {
      if (delta::EqualsIgnoreCase(c, lineage)) {
        return InvalidArgument("source '" + source + "': a source column is named '" + c +
                               "', which bronze reserves for lineage");
      }
    }
  }
  return Status();
}

// ---------------------------------------------------------------------------
// CSV records DuckDB rejected, located in the file.

// Where a rejected record is: DuckDB's rejects table gives the record's
// number (counting the header and blank lines, not the line breaks inside
// quoted fields) and a byte position near its start (one past it, except
// after a blank line or a "\r\n"); the record starts just after the last
// line break before that position.
struct CsvLocation {
  int64_t line = 0;    // 1-based line of the file
  int64_t offset = 0;  // byte offset in the file
  std::string raw;     // the record's text
};

// `text` is the file's text as DuckDB parsed it (decompressed, and converted
// to UTF-8 from `latin1`); `positions` ascending is fastest, any order works.
std::vector<CsvLocation> LocateCsvRecords(std::string_view text, bool latin1, char quote,
                                          char escape, const std::vector<int64_t>& positions) {
  std::vector<CsvLocation> out;
  size_t counted = 0;  // text[0, counted) holds `line - 1` line breaks and `continuation` bytes
  int64_t line = 1;
  int64_t continuation = 0;
  for (int64_t p : positions) {
    size_t pos = std::min(static_cast<size_t>(std::max<int64_t>(p, 0)), text.size());
    size_t start = pos;
    while (start > 0 && text[start - 1] != '\n') --start;
    if (start < counted) {  // out of order: count from the start again
      counted = 0;
      line = 1;
      continuation = 0;
    }
    for (; counted < start; ++counted) {
      line += text[counted] == '\n';
      continuation += (static_cast<unsigned char>(text[counted]) & 0xC0) == 0x80;
    }
    // The record runs to the first line break outside quotes.
    size_t end = start;
    bool quoted = false;
    while (end < text.size()) {
      const char c = text[end];
      if (quoted) {
        if (c == escape && escape != quote && end + 1 < text.size()) {
          end += 2;
          continue;
        }
        if (c == quote) {
          if (escape == quote && end + 1 < text.size() && text[end + 1] == quote) {
            end += 2;
            continue;
          }
          quoted = false;
        }
      } else if (c == quote) {
        quoted = true;
      } else if (c == '\n') {
        break;
      }
      ++end;
    }
    if (end > start && text[end - 1] == '\r') --end;
    CsvLocation loc;
    loc.line = line;
    loc.offset = static_cast<int64_t>(start) - (latin1 ? continuation : 0);
    loc.raw = Printable(text.substr(start, end - start));
    out.push_back(std::move(loc));
  }
  return out;
}

std::string Latin1ToUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

class BatchIngester {
 public:
  BatchIngester(const IngestRequest& request, engine::Connection& conn, int64_t now_ms)
      : request_(request), source_(*request.source), conn_(conn), now_ms_(now_ms) {}

  // Plans one file (reading it if the fast path cannot).
  Result<FilePlan> Plan(const Candidate& c) {
    if (source_.format == SourceFormat::kCsv) return PlanCsv(c);
    auto fast = PlanJsonFast(c);
    if (fast.ok()) return fast;
    return PlanJsonSlow(c);
  }

 private:
  std::string Temp(const std::string& what) {
    return "_ingest_" + what + "_" + std::to_string(++temp_counter_);
  }

  // The fast path: DuckDB reads the file; any problem sends it to the slow path.
  Result<FilePlan> PlanJsonFast(const Candidate& c) {
    CARELAKE_ASSIGN_OR_RETURN(JsonPrescan pre, PrescanJson(c.abs_path));
    if (pre.changes_text) return NotSupported("a number would not keep its text");
    // An array document is read as one also after a byte order mark, which
    // DuckDB's detection does not look past.
    const std::string format = source_.format == SourceFormat::kNdjson ? "'newline_delimited'"
                               : pre.first == '['                      ? "'array'"
                                                                       : "'auto'";
    const std::string reader = "read_json_objects(" + QuoteLiteral(c.abs_path) +
                               ", format = " + format +
                               ", compression = " + CompressionOption(source_) + ")";
    CARELAKE_ASSIGN_OR_RETURN(
        engine::QueryResult r,
        conn_.Query("SELECT json_type(json) = 'OBJECT' AS is_object, json_keys(json) AS k, "
                    "count(*) AS n FROM " +
                    reader + " GROUP BY ALL"));
    CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
    FilePlan plan;
    plan.file = &c;
    std::vector<std::string> keys;
    std::map<std::string, std::string> seen;  // lower case -> key
    for (const auto& row : rows) {
      if (row[0].is_null() || !row[0].GetBool()) {
        return InvalidArgument("a record is not a JSON object");
      }
      std::set<std::string> in_record;
      for (const engine::Value& v : row[1].children()) {
        // DuckDB's reader fails on these (after the quarantine commit):
        // the slow path sorts them out record by record.
        const std::string& k = v.GetString();
        const std::string lower = RecordParser::Lower(k);
        if (k.empty() || !in_record.insert(lower).second) {
          return InvalidArgument("an empty or repeated key");
        }
        auto [it, inserted] = seen.emplace(lower, k);
        if (inserted) {
          keys.push_back(k);
        } else if (it->second != k) {
          return InvalidArgument("keys that differ only in case");
        }
      }
      plan.records += engine::AsInt64(row[2]);
    }
    CARELAKE_RETURN_IF_ERROR(CheckNoLineageColumn(source_.name, keys));
    if (plan.records == 0) return plan;
    if (keys.empty()) {  // every record is `{}`: rows with lineage only
      plan.rows_sql = "SELECT row_number() OVER () AS _source_position FROM " + reader;
      return plan;
    }
    std::string columns;
    for (const std::string& k : keys) {
      columns += (columns.empty() ? "" : ", ") + QuoteLiteral(k) + ": 'VARCHAR'";
    }
    plan.columns = keys;
    plan.rows_sql = "SELECT *, row_number() OVER () AS _source_position FROM read_json(" +
                    QuoteLiteral(c.abs_path) + ", format = " + format +
                    ", compression = " + CompressionOption(source_) + ", columns = {" + columns +
                    "})";
    return plan;
  }

  // The slow path: frame the records ourselves; keep the good ones, quarantine the rest.
  Result<FilePlan> PlanJsonSlow(const Candidate& c) {
    FilePlan plan;
    plan.file = &c;
    auto data = ReadAll(c.abs_path);
    // A file that cannot be read is not bad data: the run fails, a later one retries.
    if (data.status().code() == StatusCode::kIoError) return data.status();
    if (!data.ok()) {
      plan.quarantined = 1;
      plan.first_error = data.status().message();
      plan.quarantine_sql =
          QuarantineRowSql(c, "NULL", "NULL", "NULL", QuoteLiteral(plan.first_error), "NULL");
      return plan;
    }
    const std::vector<JsonFrame> frames = FrameJsonRecords(
        *data, source_.format == SourceFormat::kNdjson ? JsonLayout::kLines : JsonLayout::kDetect);
    // Good records as (column, value) pairs; columns in order of appearance,
    // matched case-insensitively as bronze matches them.
    struct Good {
      int64_t position;
      std::vector<std::pair<size_t, std::optional<std::string>>> values;
    };
    struct Bad {
      const JsonFrame* frame;
      std::string reason;
    };
    std::vector<Good> good;
    std::vector<Bad> bad;
    std::unordered_map<std::string, size_t> column_index;  // lower case -> column
    RecordParser parser;
    std::vector<Member> members;
    for (const JsonFrame& f : frames) {
      std::string reason = f.error;
      if (reason.empty()) {
        const int64_t invalid = FindInvalidUtf8(f.text);
        if (invalid >= 0) {
          reason = "invalid UTF-8 at byte " + std::to_string(f.offset + invalid) + " of the file";
        }
      }
      if (reason.empty()) reason = parser.Parse(f.text, f.offset, &members);
      if (!reason.empty()) {
        bad.push_back({&f, std::move(reason)});
        continue;
      }
      Good g{f.position, {}};
      for (Member& m : members) {
        auto [it, inserted] = column_index.emplace(RecordParser::Lower(m.key), plan.columns.size());
        if (inserted) plan.columns.push_back(m.key);
        g.values.emplace_back(it->second, std::move(m.value));
      }
      good.push_back(std::move(g));
    }
    CARELAKE_RETURN_IF_ERROR(CheckNoLineageColumn(source_.name, plan.columns));
    plan.records = static_cast<int64_t>(good.size());
    plan.quarantined = static_cast<int64_t>(bad.size());
    if (!good.empty()) {
      const std::string table = Temp("json");
      std::string ddl = "CREATE TEMP TABLE " + table + " (";
      for (const std::string& col : plan.columns) ddl += QuoteIdentifier(col) + " VARCHAR, ";
      CARELAKE_RETURN_IF_ERROR(conn_.Execute(ddl + "_source_position BIGINT)"));
      temp_tables_.push_back(table);
      CARELAKE_ASSIGN_OR_RETURN(engine::Appender app, engine::Appender::Create(conn_, table));
      std::vector<const std::optional<std::string>*> row(plan.columns.size());
      for (const Good& g : good) {
        std::fill(row.begin(), row.end(), nullptr);
        for (const auto& [col, value] : g.values) row[col] = &value;
        for (const std::optional<std::string>* v : row) {
          if (v == nullptr || !v->has_value()) {
            CARELAKE_RETURN_IF_ERROR(app.AppendNull());
          } else {
            CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(**v)));
          }
        }
        CARELAKE_RETURN_IF_ERROR(app.Append(g.position));
        CARELAKE_RETURN_IF_ERROR(app.EndRow());
      }
      CARELAKE_RETURN_IF_ERROR(app.Close());
      plan.rows_sql = "SELECT * FROM " + table;
    }
    if (!bad.empty()) {
      const std::string table = Temp("json_bad");
      CARELAKE_RETURN_IF_ERROR(CreateQuarantineTemp(table));
      CARELAKE_ASSIGN_OR_RETURN(engine::Appender app, engine::Appender::Create(conn_, table));
      for (const Bad& b : bad) {
        const JsonFrame& f = *b.frame;
        // A frame with no text (the file ends before the array's `]`) is
        // about the file, not a record.
        const bool record = !f.text.empty();
        CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(c.rel_path)));
        CARELAKE_RETURN_IF_ERROR(record ? app.Append(f.position) : app.AppendNull());
        CARELAKE_RETURN_IF_ERROR(app.Append(f.line));
        CARELAKE_RETURN_IF_ERROR(app.Append(f.offset));
        CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(b.reason)));
        CARELAKE_RETURN_IF_ERROR(record ? app.Append(std::string_view(Printable(f.text)))
                                        : app.AppendNull());
        CARELAKE_RETURN_IF_ERROR(app.EndRow());
      }
      CARELAKE_RETURN_IF_ERROR(app.Close());
      const JsonFrame& first = *bad.front().frame;
      plan.first_error =
          (first.text.empty() ? "" : "record " + std::to_string(first.position) + " ") + "(line " +
          std::to_string(first.line) + ", byte " + std::to_string(first.offset) +
          "): " + bad.front().reason;
      plan.quarantine_sql = "SELECT * FROM " + table;
    }
    return plan;
  }

  Status CreateQuarantineTemp(const std::string& table) {
    CARELAKE_RETURN_IF_ERROR(conn_.Execute(
        "CREATE TEMP TABLE " + table +
        " (_source_file VARCHAR, _source_position BIGINT, _source_line BIGINT, _source_offset "
        "BIGINT, _reason VARCHAR, _raw VARCHAR)"));
    temp_tables_.push_back(table);
    return Status();
  }

  Result<FilePlan> PlanCsv(const Candidate& c) {
    FilePlan plan;
    plan.file = &c;
    const std::string scan = Temp("rejects_scan");
    const std::string rejects = Temp("rejects");
    const std::string rows = Temp("csv");
    const bool latin1 = source_.encoding == project::Encoding::kLatin1;
    auto ch = [](char x) { return QuoteLiteral(std::string(1, x)); };
    const std::string reader =
        "read_csv(" + QuoteLiteral(c.abs_path) +
        ", all_varchar = true, header = " + (source_.header ? "true" : "false") +
        ", delim = " + ch(source_.delimiter) + ", quote = " + ch(source_.quote) +
        ", escape = " + ch(source_.escape) + ", compression = " + CompressionOption(source_) +
        ", encoding = " + (latin1 ? "'latin-1'" : "'utf-8'") +
        ", strict_mode = true, null_padding = false, store_rejects = true, rejects_scan = " +
        QuoteLiteral(scan) + ", rejects_table = " + QuoteLiteral(rejects) + ")";
    // DuckDB appends to an existing rejects table: never let one outlive its file.
    const std::string drop_rejects = "DROP TABLE IF EXISTS " + QuoteIdentifier(rejects) +
                                     "; DROP TABLE IF EXISTS " + QuoteIdentifier(scan);
    (void)conn_.Execute(drop_rejects);
    Status st = CheckReadable(c.abs_path, source_.compression != project::Compression::kNone);
    // A file that cannot be read is not bad data: the run fails, a later one retries.
    if (st.code() == StatusCode::kIoError) return st;
    if (st.ok()) {
      st = conn_.Execute("CREATE TEMP TABLE " + rows +
                         " AS SELECT *, row_number() OVER () AS _source_position FROM " + reader);
    }
    if (!st.ok()) {
      (void)conn_.Execute(drop_rejects);
      if (IsStatementError(st)) return st;
      plan.quarantined = 1;
      plan.first_error = st.message();
      plan.quarantine_sql =
          QuarantineRowSql(c, "NULL", "NULL", "NULL", QuoteLiteral(plan.first_error), "NULL");
      return plan;
    }
    temp_tables_.push_back(rows);
    CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult cols,
                              conn_.Query("SELECT * FROM " + rows + " LIMIT 0"));
    for (size_t i = 0; i + 1 < cols.column_count(); ++i)
      plan.columns.push_back(cols.column_name(i));
    CARELAKE_RETURN_IF_ERROR(CheckNoLineageColumn(source_.name, plan.columns));
    CARELAKE_ASSIGN_OR_RETURN(plan.records,
                              engine::QueryInt(conn_, "SELECT count(*) FROM " + rows));
    if (plan.records > 0) plan.rows_sql = "SELECT * FROM " + rows;
    // Rejected records: one quarantine row per record (a record may fail
    // several ways, each a row of the rejects table).
    auto rejected = conn_.Query(
        "SELECT min(line_byte_position), string_agg(DISTINCT error_type || ': ' || "
        "error_message, '; ' ORDER BY error_type || ': ' || error_message), any_value(csv_line), "
        "line FROM " +
        QuoteIdentifier(rejects) + " GROUP BY line ORDER BY min(line_byte_position), line");
    (void)conn_.Execute(drop_rejects);
    if (!rejected.ok()) return rejected.status();
    CARELAKE_ASSIGN_OR_RETURN(auto bad_rows, rejected->FetchAllRows());
    if (bad_rows.empty()) return plan;
    std::vector<int64_t> positions;
    for (const auto& row : bad_rows) {
      positions.push_back(row[0].is_null() ? 0 : engine::AsInt64(row[0]));
    }
    // DuckDB's positions are in the text it parsed: decompressed, in UTF-8.
    std::vector<CsvLocation> where;
    if (auto text = ReadAll(c.abs_path); text.ok()) {
      where = LocateCsvRecords(latin1 ? Latin1ToUtf8(*text) : *text, latin1, source_.quote,
                               source_.escape, positions);
    }
    const std::string table = Temp("csv_bad");
    CARELAKE_RETURN_IF_ERROR(CreateQuarantineTemp(table));
    CARELAKE_ASSIGN_OR_RETURN(engine::Appender app, engine::Appender::Create(conn_, table));
    for (size_t i = 0; i < bad_rows.size(); ++i) {
      const auto& row = bad_rows[i];
      const std::string reason = row[1].is_null() ? "rejected" : row[1].GetString();
      CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(c.rel_path)));
      CARELAKE_RETURN_IF_ERROR(app.AppendNull());  // positions count the records that parsed
      if (i < where.size()) {
        CARELAKE_RETURN_IF_ERROR(app.Append(where[i].line));
        CARELAKE_RETURN_IF_ERROR(app.Append(where[i].offset));
      } else {  // the file could not be read again: DuckDB's numbers
        CARELAKE_RETURN_IF_ERROR(app.Append(engine::AsInt64(row[3])));
        CARELAKE_RETURN_IF_ERROR(app.Append(positions[i]));
      }
      CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(reason)));
      if (i < where.size()) {
        CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(where[i].raw)));
      } else if (row[2].is_null()) {
        CARELAKE_RETURN_IF_ERROR(app.AppendNull());
      } else {
        CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(Printable(row[2].GetString()))));
      }
      CARELAKE_RETURN_IF_ERROR(app.EndRow());
      if (i == 0) {
        plan.first_error =
            "line " + std::to_string(i < where.size() ? where[i].line : engine::AsInt64(row[3])) +
            ": " + reason;
      }
    }
    CARELAKE_RETURN_IF_ERROR(app.Close());
    plan.quarantined = static_cast<int64_t>(bad_rows.size());
    plan.quarantine_sql = "SELECT * FROM " + table;
    return plan;
  }

 public:
  // Drops the temporary tables of the plans.
  void DropTemps() {
    for (const std::string& t : temp_tables_) (void)conn_.Execute("DROP TABLE IF EXISTS " + t);
    temp_tables_.clear();
  }

  // The lineage columns as SQL for this batch.
  std::string Lineage(const Candidate& c) const {
    return QuoteLiteral(request_.run_id) + " AS _run_id, " + QuoteLiteral(c.rel_path) +
           " AS _source_file, _source_position, epoch_ms(" + std::to_string(now_ms_) +
           ")::TIMESTAMPTZ AS _ingested_at";
  }

 private:
  const IngestRequest& request_;
  const project::Source& source_;
  engine::Connection& conn_;
  int64_t now_ms_;
  int temp_counter_ = 0;
  std::vector<std::string> temp_tables_;
};

// The files matching the source's glob, sorted by path.
Result<std::vector<Candidate>> ListCandidates(const IngestRequest& request, FileSystem& fs,
                                              engine::Connection& conn) {
  const std::string pattern = std::filesystem::path(request.source->path).is_absolute()
                                  ? request.source->path
                                  : JoinPath(request.project_dir, request.source->path);
  CARELAKE_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      conn.Query("SELECT file FROM glob(" + QuoteLiteral(pattern) + ") ORDER BY file"));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  std::vector<Candidate> out;
  for (const auto& row : rows) {
    Candidate c;
    c.abs_path = row[0].GetString();
    c.rel_path =
        std::filesystem::path(c.abs_path).lexically_relative(request.project_dir).generic_string();
    if (c.rel_path.empty() || c.rel_path.rfind("..", 0) == 0) c.rel_path = c.abs_path;
    CARELAKE_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(c.abs_path));
    if (info.is_directory) continue;
    c.size = static_cast<int64_t>(info.size);
    c.modified_ms = info.modification_time_ms;
    out.push_back(std::move(c));
  }
  return out;
}

std::string WithCommas(int64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    const size_t left = digits.size() - i;
    if (i > 0 && left % 3 == 0 && digits[i - 1] != '-') s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

}  // namespace

Result<IngestResult> IngestFiles(const IngestRequest& request, FileSystem& fs,
                                 engine::Connection& conn) {
  IngestResult result;
  delta::DeltaTable bronze(fs, request.bronze_path, conn);
  delta::DeltaTable quarantine(fs, request.quarantine_path, conn);
  std::map<std::string, int64_t> done, done_quarantine;
  if (bronze.Exists()) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, bronze.Load());
    done = s->app_versions();
    result.bronze_version = s->version();
  }
  if (quarantine.Exists()) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, quarantine.Load());
    done_quarantine = s->app_versions();
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Candidate> candidates, ListCandidates(request, fs, conn));
  std::vector<const Candidate*> todo;
  for (const Candidate& c : candidates) {
    if (done.count(AppId(c))) {
      ++result.files_already_ingested;
    } else {
      todo.push_back(&c);
    }
  }
  const std::string& name = request.source->name;
  size_t next = 0;
  while (next < todo.size()) {
    // One batch: up to max_batch_files files / max_batch_bytes bytes.
    std::vector<const Candidate*> batch;
    int64_t bytes = 0;
    while (next < todo.size() && batch.size() < request.max_batch_files &&
           (batch.empty() || bytes + todo[next]->size <= request.max_batch_bytes)) {
      bytes += todo[next]->size;
      batch.push_back(todo[next++]);
    }
    BatchIngester ingester(request, conn, delta::NowMillis());
    std::vector<FilePlan> plans;
    for (const Candidate* c : batch) {
      auto plan = ingester.Plan(*c);
      if (!plan.ok()) {
        ingester.DropTemps();
        return plan.status().WithContext("source '" + name + "', file '" + c->rel_path + "'");
      }
      plans.push_back(std::move(*plan));
    }
    // Quarantine first (files not yet quarantined), then bronze.
    std::string q_sql;
    std::vector<delta::Txn> q_txns;
    for (const FilePlan& p : plans) {
      if (p.quarantine_sql.empty() || done_quarantine.count(AppId(*p.file))) continue;
      q_sql += (q_sql.empty() ? "" : " UNION ALL ") +
               ("SELECT " + QuoteLiteral(request.run_id) + " AS _run_id, q.*, epoch_ms(" +
                std::to_string(delta::NowMillis()) + ")::TIMESTAMPTZ AS _ingested_at FROM (" +
                p.quarantine_sql + ") q");
      q_txns.push_back({AppId(*p.file), 1, std::nullopt});
    }
    if (!q_sql.empty()) {
      delta::WriteOptions options;
      options.txns = q_txns;
      auto written = quarantine.Write(q_sql, options);
      if (!written.ok()) {
        ingester.DropTemps();
        return written.status().WithContext("source '" + name + "': writing the quarantine");
      }
      if (written->committed) ++result.commits;
    }
    // Every file of the batch gets its txn, also those with no good row.
    std::string b_sql;
    std::vector<delta::Txn> b_txns;
    for (const FilePlan& p : plans) {
      b_txns.push_back({AppId(*p.file), 1, std::nullopt});
      if (p.rows_sql.empty()) continue;
      b_sql += (b_sql.empty() ? "" : " UNION ALL BY NAME ") +
               ("SELECT * EXCLUDE (_source_position), " + ingester.Lineage(*p.file) + " FROM (" +
                p.rows_sql + ")");
    }
    if (b_sql.empty()) {
      // Nothing readable: still record the files as ingested.
      b_sql =
          "SELECT NULL::VARCHAR AS _run_id, NULL::VARCHAR AS _source_file, NULL::BIGINT AS "
          "_source_position, NULL::TIMESTAMPTZ AS _ingested_at WHERE false";
    }
    delta::WriteOptions options;
    options.txns = b_txns;
    options.merge_schema = true;
    auto written = bronze.Write(b_sql, options);
    ingester.DropTemps();
    if (!written.ok()) {
      return written.status().WithContext("source '" + name + "': writing bronze");
    }
    if (written->committed) {
      ++result.commits;
      result.bronze_version = written->version;
    }
    for (const FilePlan& p : plans) {
      IngestedFile f;
      f.file = p.file->rel_path;
      f.size_bytes = p.file->size;
      f.modified_ms = p.file->modified_ms;
      f.records = p.records;
      f.quarantined = p.quarantined;
      f.first_error = p.first_error;
      result.rows_written += p.records;
      result.rows_quarantined += p.quarantined;
      result.files.push_back(std::move(f));
    }
    if (request.progress) {
      request.progress(name + ": " + std::to_string(result.files.size()) + "/" +
                       std::to_string(todo.size()) + " new files, " +
                       WithCommas(result.rows_written) + " records, " +
                       WithCommas(result.rows_quarantined) + " quarantined");
    }
  }
  return result;
}

}  // namespace carelake::ingest
