// The slow path's reading of one JSON record (a frame of json_framer.h)
// into the members bronze keeps, or the reason it is quarantined.
#ifndef CARELAKE_INGEST_JSON_RECORDS_H_
#define CARELAKE_INGEST_JSON_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carelake::ingest {

// A top-level member of a record as bronze keeps it: strings decoded, JSON
// null as NULL, other scalars with their text, objects and arrays as compact
// JSON (strings re-escaped as DuckDB writes them, numbers as written), so
// that a value reads the same whichever path read its file.
struct Member {
  std::string key;
  std::optional<std::string> value;
};

// Validates one record with nlohmann/json's SAX parser and splits a valid
// object into `*members`. The syntax is strict RFC 8259, stricter than
// DuckDB's reader: trailing commas, NaN and Infinity are not valid JSON,
// and nor is a number beyond a double's range (1e400); nor is nesting
// deeper than 1000. Keys name bronze columns, so a record with an empty key
// or a key repeated (also ignoring case) is refused too.
//
// `offset` is where `text` starts in the file (for messages). Returns ""
// with `*members` filled, or the reason the record cannot go to bronze.
std::string ParseJsonRecord(std::string_view text, int64_t offset, std::vector<Member>* members);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_JSON_RECORDS_H_
