#include "carelake/base/uuid.h"

#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <random>

namespace carelake {

std::string NewUuid() {
  static std::mutex mu;
  static std::mt19937_64 rng;
  static pid_t seeded_for = -1;
  uint64_t hi, lo;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (seeded_for != ::getpid()) {  // (re)seed in each process, also after fork()
      std::random_device rd;
      std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
      rng.seed(seq);
      seeded_for = ::getpid();
    }
    hi = rng();
    lo = rng();
  }
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 1
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace carelake
