#include "carelake/base/process_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>
#include <utility>

namespace carelake {
namespace {

// "pid=123 since=1700000000000 what=run 6f1c..." (one line).
std::string Serialize(const LockHolder& h) {
  return "pid=" + std::to_string(h.pid) + " since=" + std::to_string(h.since_ms) +
         " what=" + h.what + "\n";
}

std::optional<LockHolder> Parse(const std::string& text) {
  LockHolder h;
  std::istringstream in(text);
  std::string pid, since;
  if (!(in >> pid >> since) || pid.rfind("pid=", 0) != 0 || since.rfind("since=", 0) != 0) {
    return std::nullopt;
  }
  try {
    h.pid = std::stoll(pid.substr(4));
    h.since_ms = std::stoll(since.substr(6));
  } catch (...) {
    return std::nullopt;
  }
  std::string rest;
  std::getline(in, rest);
  if (rest.rfind(" what=", 0) == 0) h.what = rest.substr(6);
  return h;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[512];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof(buf), offset);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  return out;
}

Result<int> Open(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot open the lock file '" + path + "': " + std::strerror(errno));
  return fd;
}

Status Busy(const std::string& path, int fd, LockHolder* holder) {
  std::optional<LockHolder> h = Parse(ReadAll(fd));
  if (holder != nullptr) *holder = h.value_or(LockHolder{});
  return Unavailable("'" + path + "' is held by " +
                     (h ? "process " + std::to_string(h->pid) + " (" + h->what + ")"
                        : std::string("another process")));
}

}  // namespace

Result<ProcessLock> ProcessLock::TryAcquire(const std::string& path, const std::string& what,
                                            LockHolder* holder, const Clock& clock) {
  CARELAKE_ASSIGN_OR_RETURN(int fd, Open(path));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    Status status = err == EWOULDBLOCK
                        ? Busy(path, fd, holder)
                        : IoError("cannot lock '" + path + "': " + std::strerror(err));
    ::close(fd);
    return status;
  }
  ProcessLock lock(fd);
  CARELAKE_RETURN_IF_ERROR(lock.Update(what, clock).WithContext(path));
  return lock;
}

Status ProcessLock::Update(const std::string& what, const Clock& clock) {
  const std::string record =
      Serialize({static_cast<int64_t>(::getpid()), what, clock.WallMillis()});
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, record.data(), record.size(), 0) != static_cast<ssize_t>(record.size())) {
    return IoError(std::string("cannot write the lock file: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<ProcessLock> ProcessLock::Acquire(const std::string& path, const std::string& what,
                                         std::stop_token stop,
                                         std::optional<std::chrono::milliseconds> timeout,
                                         LockHolder* holder, const Clock& clock) {
  const auto deadline =
      timeout ? std::optional(std::chrono::steady_clock::now() + *timeout) : std::nullopt;
  for (;;) {
    Result<ProcessLock> lock = TryAcquire(path, what, holder, clock);
    if (lock.ok() || lock.status().code() != StatusCode::kUnavailable) return lock;
    if (stop.stop_requested()) return Cancelled("stopped while waiting for '" + path + "'");
    if (deadline && std::chrono::steady_clock::now() >= *deadline) return lock.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::optional<LockHolder> ProcessLock::Holder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<LockHolder> out;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    out = Parse(ReadAll(fd));
  } else {
    ::flock(fd, LOCK_UN);
  }
  ::close(fd);
  return out;
}

ProcessLock::ProcessLock(ProcessLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ProcessLock& ProcessLock::operator=(ProcessLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ProcessLock::~ProcessLock() { Release(); }

void ProcessLock::Release() {
  if (fd_ < 0) return;
  // The record goes first, so a reader never sees a free lock with a holder.
  if (::ftruncate(fd_, 0) != 0) {
    // Nothing to do: the lock is released below all the same.
  }
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace carelake
