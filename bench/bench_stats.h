// Small statistics helpers the benchmarks share: timings are noisy, so they
// report medians and percentiles of several runs.
#ifndef CARELAKE_BENCH_BENCH_STATS_H_
#define CARELAKE_BENCH_BENCH_STATS_H_

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace carelake::bench {

inline double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The upper median of a non-empty sample.
inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Nearest-rank percentile of a non-empty sample, `p` in (0, 1].
inline double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

}  // namespace carelake::bench

#endif  // CARELAKE_BENCH_BENCH_STATS_H_
