// Splitting a JSON file into its top-level records, without parsing them,
// so that one bad record can be set aside with its location while the
// others are kept. Used for files the fast reader rejects as a whole.
//
// Accepts an array document (`[ {...}, {...} ]`, also several one after
// another), or JSON values one after another (NDJSON, or pretty-printed
// objects). A record that is not valid JSON is still framed (its text is
// returned for the caller to validate); what cannot be framed — a document
// that ends inside a record, text after the closing bracket — becomes a
// record with `error` set.
#ifndef CARELAKE_INGEST_JSON_FRAMER_H_
#define CARELAKE_INGEST_JSON_FRAMER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace carelake::ingest {

struct JsonFrame {
  int64_t position = 0;  // 1-based record number in the file
  int64_t line = 0;      // 1-based line where the record starts
  int64_t offset = 0;    // byte offset where the record starts
  std::string_view text;
  std::string error;  // empty for a framed record
};

enum class JsonLayout { kDetect, kArray, kLines };

// Frames `data`. With kDetect, a document whose first non-blank character is
// `[` is an array document, anything else values one after another; kLines
// frames one record per line. The views point into `data`.
std::vector<JsonFrame> FrameJsonRecords(std::string_view data,
                                        JsonLayout layout = JsonLayout::kDetect);

// The offset of the first byte of `data` that is not part of valid UTF-8,
// or -1 if all of it is valid.
int64_t FindInvalidUtf8(std::string_view data);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_JSON_FRAMER_H_
