// Rng: SplitMix64, the small, fast, well-mixed generator the synthetic data
// generators use (one stream per record or per run, so output depends only
// on the seed and the stream's index).
#ifndef CARELAKE_GENERATE_RNG_H_
#define CARELAKE_GENERATE_RNG_H_

#include <cstdint>

namespace carelake::generate {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_RNG_H_
