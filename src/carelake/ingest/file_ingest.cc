#include "carelake/ingest/file_ingest.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "carelake/base/format.h"
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
  // `rows_sql` reads only the file (no temporary table of the planning
  // connection), so it may run on any connection.
  bool any_connection = false;
};

std::string AppId(const Candidate& c) { return std::string(kFileAppPrefix) + c.rel_path; }

// The application version a file's txn records: its size + 1, so that a
// later run can tell the file changed after it was ingested.
int64_t AppVersion(const Candidate& c) { return c.size + 1; }

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
  // A plain file is read as is: zlib would copy every byte once more.
  if (FILE* plain = std::fopen(path.c_str(), "rb"); plain != nullptr) {
    std::string buf(1 << 20, '\0');
    size_t n = std::fread(buf.data(), 1, buf.size(), plain);
    const bool gzip = n >= 2 && static_cast<unsigned char>(buf[0]) == 0x1f &&
                      static_cast<unsigned char>(buf[1]) == 0x8b;
    if (!gzip) {
      Status status;
      while (n > 0 && chunk(std::string_view(buf.data(), n))) {
        n = std::fread(buf.data(), 1, buf.size(), plain);
      }
      if (std::ferror(plain)) status = IoError("cannot read '" + path + "'");
      std::fclose(plain);
      return status;
    }
    std::fclose(plain);
  }
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

// Streams a JSON text (an array of records, or records one after another)
// and learns, without parsing it, what the fast path needs: the records'
// keys, their number, and whether the file can be read by DuckDB as is —
// every record an object, no token outside strings that DuckDB would not
// print back unchanged (see TokenKeepsItsText), no key repeated in a
// record (also ignoring case) or written with escapes. It does not check
// the syntax: DuckDB's reader does, and a file it rejects goes to the slow
// path.
class JsonShapeScanner {
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
  void Finish() { EndToken(); }

  static std::string Lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  bool fast() const { return fast_; }
  char first() const { return first_; }
  int64_t records() const { return records_; }
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  static constexpr size_t kMaxToken = 64;
  void EndToken() {
    if (token_.empty()) return;
    if (!TokenKeepsItsText(token_)) fast_ = false;
    token_.clear();
  }
  void EndKey(std::string_view key) {
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
      for (const std::string& r : record_keys_) keys_in_record_.push_back(Lower(r));
    }
    record_keys_.emplace_back(key);
    std::string lower = Lower(std::string(key));
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

  int bom_seen_ = 0;  // bytes of a leading BOM seen so far; -1: there is none
  bool fast_ = true;
  bool in_string_ = false;
  bool in_key_ = false;
  bool expect_key_ = false;
  size_t backslashes_ = 0;  // inside a string, at the end of the last chunk
  int depth_ = 0;
  int record_depth_ = 0;
  char first_ = 0;
  int64_t records_ = 0;
  std::string token_;
  std::string key_;                          // a key split across chunks, so far
  size_t key_start_ = 0;                     // where the current key's text starts in the chunk
  std::vector<std::string> keys_in_record_;  // lower case, once off the known sequence
  std::vector<std::string> record_keys_;     // this record's keys, once off the sequence
  size_t key_count_ = 0;
  std::vector<std::string> last_keys_;  // the previous record's keys
  bool same_as_last_ = true;            // this record's keys so far are last_keys_'s
  std::vector<std::string> keys_;
  std::map<std::string, std::string> key_spelling_;  // lower case -> first spelling
};

struct JsonShape {
  bool fast = false;  // DuckDB can read the file as is (if its syntax is right)
  char first = 0;     // the first character after a BOM and blanks
  int64_t records = 0;
  std::vector<std::string> keys;
};

Result<JsonShape> ScanJsonShape(const std::string& path) {
  JsonShapeScanner scanner;
  CARELAKE_RETURN_IF_ERROR(ReadChunks(path, [&](std::string_view chunk) {
    scanner.Feed(chunk);
    return scanner.fast();
  }));
  scanner.Finish();
  return JsonShape{scanner.fast(), scanner.first(), scanner.records(), scanner.keys()};
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

// Validates one record with nlohmann/json's SAX parser and splits a valid
// object into members. The syntax is strict RFC 8259, stricter than
// DuckDB's reader: trailing commas, NaN and Infinity are not valid JSON,
// and nor is a number beyond a double's range (1e400).
class RecordParser {
 public:
  // `offset` is where `text` starts in the file (for messages). Returns ""
  // with `members` filled, or the reason the record cannot go to bronze.
  std::string Parse(std::string_view text, int64_t offset, std::vector<Member>* members) {
    members->clear();
    Handler handler(text, members);
    if (!nlohmann::json::sax_parse(handler.Begin(), handler.End(), &handler,
                                   nlohmann::json::input_format_t::json, /*strict=*/true)) {
      members->clear();
      return "not valid JSON: " + handler.error() + " at byte " +
             std::to_string(offset + static_cast<int64_t>(handler.error_at())) + " of the file";
    }
    if (handler.not_object() != nullptr) {
      members->clear();
      return std::string("a JSON value that is ") + handler.not_object() + ", not an object";
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
  // Bytes of the text nlohmann quotes in a message that are kept (its end).
  static constexpr size_t kMaxQuoted = 40;

  // Walks a record's text for nlohmann's lexer, noting in `*read` how far
  // it has read. The lexer reads one byte at a time and sees that a number
  // ended only when it reads the byte after it.
  class Reader {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    Reader(const char* at, const char** read) : at_(at), read_(read) {}
    reference operator*() const { return *at_; }
    Reader& operator++() {
      *read_ = ++at_;
      return *this;
    }
    Reader operator++(int) {
      Reader before = *this;
      ++*this;
      return before;
    }
    bool operator==(const Reader& other) const { return at_ == other.at_; }

   private:
    const char* at_;
    const char** read_;
  };

  // Turns the SAX events of one record into members. Objects and arrays in
  // a member's value are written back as compact JSON as they are read.
  class Handler final : public nlohmann::json_sax<nlohmann::json> {
   public:
    // `text` and `*members` must outlive the handler.
    Handler(std::string_view text, std::vector<Member>* members)
        : text_(text), members_(members), read_(text.data()) {}

    Reader Begin() { return Reader(text_.data(), &read_); }
    Reader End() { return Reader(text_.data() + text_.size(), &read_); }
    // After a failed parse: why, and the byte of the text it failed at.
    const std::string& error() const { return error_; }
    size_t error_at() const { return error_at_; }
    // What the record is ("an array", "null", ...) if not an object.
    const char* not_object() const { return not_object_; }

    bool null() override { return Scalar("null", std::nullopt); }
    bool boolean(bool b) override { return Scalar("a boolean", b ? "true" : "false"); }
    bool number_integer(number_integer_t v) override {
      // An integer's text is its value printed, except for `-0`.
      return Scalar("a number", v == 0 && NegativeZero() ? "-0" : std::to_string(v));
    }
    bool number_unsigned(number_unsigned_t v) override {
      return Scalar("a number", std::to_string(v));
    }
    bool number_float(number_float_t, const string_t& text) override {
      return Scalar("a number", text);
    }
    bool string(string_t& s) override {
      switch (Where()) {
        case Place::kRecord:
          not_object_ = "a string";
          break;
        case Place::kMember:
          members_->back().value = std::move(s);
          break;
        case Place::kNested:
          Append(Escaped(s));
          break;
        case Place::kSkipped:
          break;
      }
      return true;
    }
    bool binary(binary_t&) override { return true; }  // not in JSON text
    bool start_object(std::size_t) override { return Open('{'); }
    bool key(string_t& k) override {
      switch (Where()) {
        case Place::kMember:
          members_->push_back({std::move(k), std::nullopt});
          break;
        case Place::kNested:
          Append(Escaped(k));
          nested_.push_back(':');
          comma_ = false;
          break;
        default:
          break;
      }
      return true;
    }
    bool end_object() override { return Close('}'); }
    bool start_array(std::size_t) override { return Open('['); }
    bool end_array() override { return Close(']'); }
    bool parse_error(std::size_t position, const std::string& last_token,
                     const nlohmann::json::exception& ex) override {
      // `position` counts the bytes read, the one in error included.
      return Fail(Message(ex.what(), last_token), position > 0 ? position - 1 : 0);
    }

   private:
    // Where the next value goes: it is the record; a member's value; part
    // of one; or inside a record that is not an object (only validated).
    enum class Place { kRecord, kMember, kNested, kSkipped };
    Place Where() const {
      if (depth_ == 0) return Place::kRecord;
      if (not_object_ != nullptr) return Place::kSkipped;
      return depth_ == 1 ? Place::kMember : Place::kNested;
    }

    // A value other than a string; `text` is empty for null.
    bool Scalar(const char* what, std::optional<std::string> text) {
      switch (Where()) {
        case Place::kRecord:
          not_object_ = what;
          break;
        case Place::kMember:
          members_->back().value = std::move(text);
          break;
        case Place::kNested:
          Append(text.value_or("null"));
          break;
        case Place::kSkipped:
          break;
      }
      return true;
    }

    bool Open(char bracket) {
      if (depth_ == kMaxDepth) {
        return Fail("nested more than " + std::to_string(kMaxDepth) + " deep", Read() - 1);
      }
      switch (Where()) {
        case Place::kRecord:
          if (bracket == '[') not_object_ = "an array";
          break;
        case Place::kMember:
          nested_.assign(1, bracket);
          break;
        case Place::kNested:
          Append(std::string_view(&bracket, 1));
          break;
        case Place::kSkipped:
          break;
      }
      ++depth_;
      comma_ = false;
      return true;
    }

    bool Close(char bracket) {
      --depth_;
      const Place place = Where();
      if (place == Place::kMember || place == Place::kNested) nested_.push_back(bracket);
      if (place == Place::kMember) members_->back().value = std::move(nested_);
      comma_ = true;
      return true;
    }

    // Appends a value (or a key, or an opening bracket) to `nested_`.
    void Append(std::string_view json) {
      if (comma_) nested_.push_back(',');
      nested_.append(json);
      comma_ = true;
    }

    bool Fail(std::string why, size_t at) {
      error_ = std::move(why);
      error_at_ = at;
      return false;
    }

    // Bytes of the text that nlohmann's lexer has read.
    size_t Read() const { return static_cast<size_t>(read_ - text_.data()); }

    // nlohmann reads `-0` as the integer 0. Called for a 0, the lexer has
    // read the number and the byte after it.
    bool NegativeZero() const {
      const size_t read = Read();
      return read >= 3 && text_[read - 2] == '0' && text_[read - 3] == '-';
    }

    // `s` as a JSON string as DuckDB writes it: nlohmann's escaping, with
    // the hex digits of \u escapes (control characters) in upper case.
    static std::string Escaped(const std::string& s) {
      std::string json = nlohmann::json(s).dump();
      for (size_t i = 0; i + 1 < json.size(); ++i) {
        if (json[i] != '\\' || json[++i] != 'u') continue;
        for (size_t k = i + 1; k <= i + 4 && k < json.size(); ++k) {
          json[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(json[k])));
        }
      }
      return json;
    }

    // nlohmann's message without its "[json.exception.parse_error.101]
    // parse error at line 1, column 9: " (the caller gives the byte in the
    // file), the text it last read cut to its end.
    static std::string Message(std::string what, const std::string& last_token) {
      if (what.starts_with('[')) {
        const size_t end = what.find("] ");
        if (end != std::string::npos) what.erase(0, end + 2);
      }
      if (what.starts_with("parse error")) {
        const size_t end = what.find(": ");
        if (end != std::string::npos) what.erase(0, end + 2);
      }
      const size_t at = last_token.size() > kMaxQuoted ? what.find(last_token) : std::string::npos;
      if (at != std::string::npos) {
        size_t cut = last_token.size() - kMaxQuoted;
        while (cut < last_token.size() &&
               (static_cast<unsigned char>(last_token[cut]) & 0xC0) == 0x80) {
          ++cut;  // not inside a UTF-8 sequence
        }
        what.replace(at, last_token.size(), "..." + last_token.substr(cut));
      }
      return what;
    }

    std::string_view text_;
    std::vector<Member>* members_;
    const char* read_;  // set by the Reader
    int depth_ = 0;     // objects and arrays open
    const char* not_object_ = nullptr;
    std::string nested_;  // the compact JSON of the member value being read
    bool comma_ = false;  // `nested_` needs a ',' before the next value
    std::string error_;
    size_t error_at_ = 0;
  };
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
  // Plans the files of a batch. JSON files are first tried on the fast path
  // concurrently, one thread per connection of `conns` (which includes this
  // ingester's own); the others are planned here, one after another.
  Result<std::vector<FilePlan>> PlanAll(const std::vector<const Candidate*>& batch,
                                        const std::vector<engine::Connection*>& conns,
                                        bool validate) {
    std::vector<std::optional<FilePlan>> fast(batch.size());
    if (source_.format != SourceFormat::kCsv) {
      std::atomic<size_t> next{0};
      std::vector<std::thread> threads;
      for (engine::Connection* c : conns) {
        threads.emplace_back([&, c] {
          for (size_t i = next++; i < batch.size(); i = next++) {
            auto plan = PlanJsonFast(*batch[i], *c, validate);
            if (plan.ok()) fast[i] = std::move(*plan);
          }
        });
      }
      for (std::thread& t : threads) t.join();
    }
    std::vector<FilePlan> plans;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (fast[i]) {
        plans.push_back(std::move(*fast[i]));
        continue;
      }
      auto plan =
          source_.format == SourceFormat::kCsv ? PlanCsv(*batch[i]) : PlanJsonSlow(*batch[i]);
      if (!plan.ok()) {
        return plan.status().WithContext("source '" + source_.name + "', file '" +
                                         batch[i]->rel_path + "'");
      }
      plans.push_back(std::move(*plan));
    }
    return plans;
  }

 private:
  std::string Temp(const std::string& what) {
    return "_ingest_" + what + "_" + std::to_string(++temp_counter_);
  }

  // The fast path: DuckDB reads the file as is, with the keys our scan of
  // the file found; anything the scan rules out sends it to the slow path.
  // With `validate`, DuckDB also parses every record first (a file whose
  // syntax is wrong then goes to the slow path here, not when bronze is
  // written). Thread-safe: uses only `conn` (one thread at a time).
  Result<FilePlan> PlanJsonFast(const Candidate& c, engine::Connection& conn, bool validate) const {
    CARELAKE_ASSIGN_OR_RETURN(JsonShape shape, ScanJsonShape(c.abs_path));
    if (!shape.fast) return NotSupported("the file needs the slow path");
    // An array document is read as one also after a byte order mark, which
    // DuckDB's detection does not look past.
    const std::string format = source_.format == SourceFormat::kNdjson ? "'newline_delimited'"
                               : shape.first == '['                    ? "'array'"
                                                                       : "'auto'";
    const std::string options =
        ", format = " + format + ", compression = " + CompressionOption(source_);
    FilePlan plan;
    plan.file = &c;
    plan.any_connection = true;
    plan.records = shape.records;
    if (validate) {
      CARELAKE_ASSIGN_OR_RETURN(
          int64_t objects,
          engine::QueryInt(conn, "SELECT count(*) FROM read_json_objects(" +
                                     QuoteLiteral(c.abs_path) + options +
                                     ") WHERE json_type(json) = 'OBJECT' AND json_keys(json) "
                                     "IS NOT NULL"));
      if (objects != shape.records) return InvalidArgument("records the scan did not see");
    }
    CARELAKE_RETURN_IF_ERROR(CheckNoLineageColumn(source_.name, shape.keys));
    if (plan.records == 0) return plan;
    if (shape.keys.empty()) {  // every record is `{}`: rows with lineage only
      plan.rows_sql = "SELECT row_number() OVER () AS _source_position FROM read_json_objects(" +
                      QuoteLiteral(c.abs_path) + options + ")";
      return plan;
    }
    std::string columns;
    for (const std::string& k : shape.keys) {
      columns += (columns.empty() ? "" : ", ") + QuoteLiteral(k) + ": 'VARCHAR'";
    }
    plan.columns = shape.keys;
    plan.rows_sql = "SELECT *, row_number() OVER () AS _source_position FROM read_json(" +
                    QuoteLiteral(c.abs_path) + options + ", columns = {" + columns + "})";
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
    auto it = done.find(AppId(c));
    if (it == done.end()) {
      todo.push_back(&c);
      continue;
    }
    ++result.files_already_ingested;
    // Version 1: ingested before sizes were recorded.
    if (it->second != 1 && it->second != AppVersion(c)) {
      result.warnings.push_back("file '" + c.rel_path + "' changed after it was ingested (" +
                                std::to_string(it->second - 1) + " bytes then, " +
                                std::to_string(c.size) + " now); it is not read again");
    }
  }
  const std::string& name = request.source->name;
  // More connections to read files concurrently (DuckDB reads one JSON
  // array document on one thread).
  std::vector<engine::Connection> extra;
  const size_t parallelism =
      std::max<size_t>(1, std::min<size_t>(request.parallelism, todo.size()));
  for (size_t i = 1; i < parallelism; ++i) {
    auto c = conn.OpenAnother();
    if (!c.ok()) break;
    if (!c->Execute("SET TimeZone = 'UTC'").ok()) break;
    extra.push_back(std::move(*c));
  }
  std::vector<engine::Connection*> conns = {&conn};
  for (engine::Connection& c : extra) conns.push_back(&c);
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
    // The first attempt trusts the scan of each file; if DuckDB then rejects
    // a file while bronze is written, the second attempt has DuckDB parse
    // every file first, and those it rejects take the slow path.
    std::vector<FilePlan> plans;
    for (int attempt = 0;; ++attempt) {
      BatchIngester ingester(request, conn, delta::NowMillis());
      auto planned = ingester.PlanAll(batch, conns, /*validate=*/attempt > 0);
      if (!planned.ok()) {
        ingester.DropTemps();
        return planned.status();
      }
      plans = std::move(*planned);
      // Quarantine first (files not yet quarantined), then bronze.
      std::string q_sql;
      std::vector<delta::Txn> q_txns;
      for (const FilePlan& p : plans) {
        if (p.quarantine_sql.empty() || done_quarantine.count(AppId(*p.file))) continue;
        q_sql += (q_sql.empty() ? "" : " UNION ALL ") +
                 ("SELECT " + QuoteLiteral(request.run_id) + " AS _run_id, q.*, epoch_ms(" +
                  std::to_string(delta::NowMillis()) + ")::TIMESTAMPTZ AS _ingested_at FROM (" +
                  p.quarantine_sql + ") q");
        q_txns.push_back({AppId(*p.file), AppVersion(*p.file), std::nullopt});
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
        for (const delta::Txn& t : q_txns) done_quarantine[t.app_id] = t.version;
      }
      // Every file of the batch gets its txn, also those with no good row.
      // All files' rows take the batch's columns (the union of their keys,
      // first spelling wins; keys differing only in case are one column), so
      // that groups of files can be written concurrently into one commit.
      std::vector<delta::Txn> b_txns;
      std::vector<std::string> batch_columns;
      std::map<std::string, size_t> column_index;  // lower case -> position
      for (const FilePlan& p : plans) {
        b_txns.push_back({AppId(*p.file), AppVersion(*p.file), std::nullopt});
        for (const std::string& c : p.columns) {
          if (column_index.emplace(RecordParser::Lower(c), batch_columns.size()).second) {
            batch_columns.push_back(c);
          }
        }
      }
      // Group 0 runs on `conn` and takes the files planned with temporary
      // tables; the others are spread over all groups.
      std::vector<std::string> groups(conns.size());
      size_t round_robin = 0;
      for (const FilePlan& p : plans) {
        if (p.rows_sql.empty()) continue;
        std::vector<std::string> select(batch_columns.size());
        for (const std::string& c : p.columns) {
          select[column_index.at(RecordParser::Lower(c))] = QuoteIdentifier(c);
        }
        std::string cols;
        for (size_t i = 0; i < batch_columns.size(); ++i) {
          cols += (select[i].empty() ? "NULL::VARCHAR" : "CAST(" + select[i] + " AS VARCHAR)") +
                  " AS " + QuoteIdentifier(batch_columns[i]) + ", ";
        }
        std::string& g = groups[p.any_connection ? round_robin++ % groups.size() : 0];
        g += (g.empty() ? "" : " UNION ALL ") +
             ("SELECT " + cols + ingester.Lineage(*p.file) + " FROM (" + p.rows_sql + ")");
      }
      delta::WriteOptions options;
      options.txns = b_txns;
      options.merge_schema = true;
      std::string b_sql;
      for (size_t i = 0; i < groups.size(); ++i) {
        if (groups[i].empty()) continue;
        if (b_sql.empty()) {
          b_sql = groups[i];
        } else {
          options.parallel_parts.push_back({groups[i], conns[i]});
        }
      }
      if (b_sql.empty()) {
        // No row: still record the files as ingested, and give bronze the
        // columns they name (a CSV header with no rows under it).
        for (const std::string& c : batch_columns) {
          b_sql += "NULL::VARCHAR AS " + QuoteIdentifier(c) + ", ";
        }
        b_sql = "SELECT " + b_sql +
                "NULL::VARCHAR AS _run_id, NULL::VARCHAR AS _source_file, NULL::BIGINT AS "
                "_source_position, NULL::TIMESTAMPTZ AS _ingested_at WHERE false";
      }
      auto written = bronze.Write(b_sql, options);
      ingester.DropTemps();
      const bool trusted_scan = std::any_of(plans.begin(), plans.end(),
                                            [](const FilePlan& p) { return p.any_connection; });
      if (!written.ok() && attempt == 0 && trusted_scan) continue;
      if (!written.ok()) {
        return written.status().WithContext("source '" + name + "': writing bronze");
      }
      if (written->committed) {
        ++result.commits;
        result.bronze_version = written->version;
      }
      break;
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
                       WithThousands(result.rows_written) + " records, " +
                       WithThousands(result.rows_quarantined) + " quarantined");
    }
  }
  return result;
}

}  // namespace carelake::ingest

namespace carelake::ingest {

Result<PendingFiles> ListPendingFiles(const IngestRequest& request, FileSystem& fs,
                                      engine::Connection& conn) {
  PendingFiles pending;
  std::map<std::string, int64_t> done;
  delta::DeltaTable bronze(fs, request.bronze_path, conn);
  if (bronze.Exists()) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, bronze.Load());
    done = s->app_versions();
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Candidate> candidates, ListCandidates(request, fs, conn));
  for (const Candidate& c : candidates) {
    auto it = done.find(AppId(c));
    if (it == done.end()) {
      pending.new_files.push_back(c.rel_path);
      pending.new_bytes += c.size;
    } else {
      ++pending.already_ingested;
    }
  }
  return pending;
}

}  // namespace carelake::ingest
