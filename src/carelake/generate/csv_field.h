// CSV text the generators write: a field quoted only when it must be (it
// holds a comma, a quote or a line break), quotes doubled (RFC 4180).
#ifndef CARELAKE_GENERATE_CSV_FIELD_H_
#define CARELAKE_GENERATE_CSV_FIELD_H_

#include <string>
#include <string_view>

namespace carelake::generate {

inline void AppendCsvField(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_CSV_FIELD_H_
