// Small text formats for messages and reports.
#ifndef CARELAKE_BASE_FORMAT_H_
#define CARELAKE_BASE_FORMAT_H_

#include <cstdint>
#include <string>

namespace carelake {

// 1234567 -> "1,234,567"; -1234 -> "-1,234".
std::string WithThousands(int64_t n);

// 1234 (milliseconds) -> "1.2 s".
std::string FormatSeconds(int64_t ms);

}  // namespace carelake

#endif  // CARELAKE_BASE_FORMAT_H_
