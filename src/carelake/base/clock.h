// Clock: the program's one source of "now", injected wherever time decides
// something (commit timestamps, retention cut-offs, ingest times, run
// durations, and later the scheduler), so that code is testable without
// sleeping.
//
// Two readings:
// - WallMillis(): milliseconds since the Unix epoch, for what is recorded
//   (Delta commitInfo.timestamp, _ingested_at, _system.runs.started_at);
// - MonotonicMillis(): milliseconds from an arbitrary origin that never goes
//   back, for what is measured (durations, timeouts); a wall clock stepped by
//   NTP must not make a step take -3 s.
//
// Production code takes a `const Clock&` (or a pointer that defaults to
// DefaultClock()); tests pass a FakeClock and move it by hand.
#ifndef CARELAKE_BASE_CLOCK_H_
#define CARELAKE_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace carelake {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t WallMillis() const = 0;
  virtual int64_t MonotonicMillis() const = 0;
};

// The machine's clocks (std::chrono::system_clock and steady_clock).
class SystemClock final : public Clock {
 public:
  int64_t WallMillis() const override;
  int64_t MonotonicMillis() const override;
};

// A clock that moves only when told to; both readings move together.
// Thread-safe: readers may run on other threads while a test advances it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t wall_ms = 1'700'000'000'000) : wall_ms_(wall_ms) {}

  int64_t WallMillis() const override { return wall_ms_.load(); }
  int64_t MonotonicMillis() const override { return monotonic_ms_.load(); }

  void Advance(int64_t ms) {
    wall_ms_ += ms;
    monotonic_ms_ += ms;
  }
  // Sets the wall clock only (as an NTP step would); monotonic time is kept.
  void SetWall(int64_t wall_ms) { wall_ms_ = wall_ms; }

 private:
  std::atomic<int64_t> wall_ms_;
  std::atomic<int64_t> monotonic_ms_{0};
};

// The process's system clock, for callers that were not given one.
const Clock& DefaultClock();

// `clock` if set, else DefaultClock(): for option structs holding a pointer.
inline const Clock& OrDefault(const Clock* clock) { return clock ? *clock : DefaultClock(); }

}  // namespace carelake

#endif  // CARELAKE_BASE_CLOCK_H_
