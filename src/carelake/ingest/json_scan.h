// The per-file JSON shape scan, which decides whether DuckDB's JSON reader
// may read a file as is (the fast path) and with which columns.
//
// JSON numbers keep their text in bronze. DuckDB's JSON reader parses a
// number with a fraction or an exponent as a double and prints it back in
// the shortest form that reads back the same double: `1.50` becomes `1.5`,
// `1E+2` becomes `100.0`, `-0` becomes `0`, digits beyond a double's
// precision are lost. The fast path is therefore used only for files in
// which every number is printed back unchanged; the slow path
// (json_records.h) reads any other file and keeps the text.
#ifndef CARELAKE_INGEST_JSON_SCAN_H_
#define CARELAKE_INGEST_JSON_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::ingest {

// True if DuckDB prints the JSON token `t` (a number or a literal outside a
// string) back exactly: literals, integers other than `-0` (integers too big
// for 64 bits are kept as text), and decimals without an exponent with at
// most 15 significant digits (which a double keeps) in plain notation (at
// least 0.0001, below 10^15) and no trailing zero after the first decimal.
bool TokenKeepsItsText(std::string_view t);

// Streams a JSON text (an array of records, or records one after another)
// and learns, without parsing it, what the fast path needs: the records'
// keys, their number, and whether the file can be read by DuckDB as is —
// every record an object, no token outside strings that DuckDB would not
// print back unchanged (see TokenKeepsItsText), no key repeated in a
// record (also ignoring case) or written with escapes. It does not check
// the syntax: DuckDB's reader does, and a file it rejects goes to the slow
// path. Once fast() is false the rest of the text need not be fed.
class JsonShapeScanner {
 public:
  // The next bytes of the text; chunks may split it anywhere.
  void Feed(std::string_view chunk);
  // After the last chunk.
  void Finish() { EndToken(); }

  // The counts below are complete only while fast().
  bool fast() const { return fast_; }
  char first() const { return first_; }  // the first character after a BOM and blanks
  int64_t records() const { return records_; }
  // The records' keys, first spelling, in order of appearance.
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  static constexpr size_t kMaxToken = 64;
  void EndToken();
  void EndKey(std::string_view key);

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
  std::vector<std::string> keys_in_record_;  // column keys, once off the known sequence
  std::vector<std::string> record_keys_;     // this record's keys, once off the sequence
  size_t key_count_ = 0;
  std::vector<std::string> last_keys_;  // the previous record's keys
  bool same_as_last_ = true;            // this record's keys so far are last_keys_'s
  std::vector<std::string> keys_;
  std::map<std::string, std::string> key_spelling_;  // column key -> first spelling
};

// What the scan of a whole file found.
struct JsonShape {
  bool fast = false;  // DuckDB can read the file as is (if its syntax is right)
  char first = 0;     // the first character after a BOM and blanks
  int64_t records = 0;
  std::vector<std::string> keys;
};

// Scans the file at `path` (gzip or plain; see ReadChunks), stopping early
// once it cannot be fast. IoError or Corruption if it cannot be read.
Result<JsonShape> ScanJsonShape(const std::string& path);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_JSON_SCAN_H_
