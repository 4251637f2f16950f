// Must: a benchmark's answer to a failed setup step — say what failed and
// exit 1 (a benchmark that cannot set itself up has nothing to measure).
#ifndef CARELAKE_BENCH_MUST_H_
#define CARELAKE_BENCH_MUST_H_

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "carelake/base/result.h"

namespace carelake::bench {

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().message().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

inline void Must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

}  // namespace carelake::bench

#endif  // CARELAKE_BENCH_MUST_H_
