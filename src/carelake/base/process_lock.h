// ProcessLock: one holder at a time across processes, through an advisory
// lock (flock) on a file — e.g. `<lake>/_system/run.lock` so that runs of a
// project never overlap, whoever starts them (`carelake run` from a shell,
// the daemon's scheduler).
//
// The kernel releases the lock when its holder exits, however it exits, so
// the lock of a dead process is never stale: the next taker simply gets it.
// The file also records who holds it (pid, what, since), for the message
// the next taker shows.
#ifndef CARELAKE_BASE_PROCESS_LOCK_H_
#define CARELAKE_BASE_PROCESS_LOCK_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>

#include "carelake/base/clock.h"
#include "carelake/base/result.h"

namespace carelake {

// Who holds a lock, as its holder recorded it.
struct LockHolder {
  int64_t pid = 0;
  std::string what;  // e.g. "run 6f1c...": what the holder is doing
  int64_t since_ms = 0;
};

class ProcessLock {
 public:
  // Takes the lock at `path` (created, with its folder, if absent) and
  // records `what` as this process's business. When another process (or
  // another ProcessLock of this one) holds it: Unavailable, and `*holder`
  // (when not null) says who, as far as it recorded it.
  static Result<ProcessLock> TryAcquire(const std::string& path, const std::string& what,
                                        LockHolder* holder = nullptr,
                                        const Clock& clock = DefaultClock());

  // Like TryAcquire, but waits for the holder to let go: Cancelled when
  // `stop` is requested first, Unavailable (naming the holder) after
  // `timeout` when one is given.
  static Result<ProcessLock> Acquire(const std::string& path, const std::string& what,
                                     std::stop_token stop,
                                     std::optional<std::chrono::milliseconds> timeout = {},
                                     LockHolder* holder = nullptr,
                                     const Clock& clock = DefaultClock());

  // The holder recorded in the file at `path`; nullopt when nobody holds the
  // lock (or the file is absent).
  static std::optional<LockHolder> Holder(const std::string& path);

  // Records `what` as this holder's business from now on (e.g. the address
  // a daemon listens on, known only after it started).
  Status Update(const std::string& what, const Clock& clock = DefaultClock());

  ProcessLock(ProcessLock&& other) noexcept;
  ProcessLock& operator=(ProcessLock&& other) noexcept;
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;
  // Releases the lock.
  ~ProcessLock();

 private:
  explicit ProcessLock(int fd) : fd_(fd) {}
  void Release();
  int fd_ = -1;
};

}  // namespace carelake

#endif  // CARELAKE_BASE_PROCESS_LOCK_H_
