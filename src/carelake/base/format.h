// Small text formats for messages and reports.
#ifndef CARELAKE_BASE_FORMAT_H_
#define CARELAKE_BASE_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace carelake {

// 1234567 -> "1,234,567"; -1234 -> "-1,234".
std::string WithThousands(int64_t n);

// 1234 (milliseconds) -> "1.2 s".
std::string FormatSeconds(int64_t ms);

// `text` as a field of PostgreSQL COPY's text format: backslash escapes for
// backslash, newline, carriage return, tab, backspace, form feed, vertical
// tab and the `delimiter`. (NULL is "\N", written by the caller.)
void AppendCopyTextField(std::string_view text, char delimiter, std::string& out);

// A hexadecimal digit's value (0-15), or -1 for any other character.
int HexDigitValue(char c);

}  // namespace carelake

#endif  // CARELAKE_BASE_FORMAT_H_
