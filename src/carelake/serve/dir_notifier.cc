#include "carelake/serve/dir_notifier.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

namespace carelake::serve {

DirNotifier::DirNotifier() {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

DirNotifier::~DirNotifier() {
  if (fd_ >= 0) close(fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void DirNotifier::Watch(const std::set<std::string>& dirs) {
  if (fd_ < 0) return;
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (dirs.count(it->first) == 0) {
      inotify_rm_watch(fd_, it->second);
      it = watches_.erase(it);
    } else {
      ++it;
    }
  }
  for (const std::string& dir : dirs) {
    if (watches_.count(dir) != 0) continue;
    const int wd = inotify_add_watch(
        fd_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ONLYDIR);
    if (wd >= 0) watches_[dir] = wd;
  }
}

bool DirNotifier::Wait(std::chrono::milliseconds timeout, std::stop_token stop) {
  if (wake_fd_ < 0) {  // no eventfd: sleep in short steps
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::stop_callback wake(stop, [this] {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  });
  if (stop.stop_requested()) return false;
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {fd_, POLLIN, 0}};
  const int n = poll(fds, fd_ >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
  if (n <= 0) return false;
  uint64_t drained;
  (void)!read(wake_fd_, &drained, sizeof drained);
  bool changed = false;
  if (fd_ >= 0 && (fds[1].revents & POLLIN)) {
    alignas(inotify_event) char buffer[4096];
    while (read(fd_, buffer, sizeof buffer) > 0) changed = true;
  }
  return changed;
}

std::string GlobFolder(const std::string& base, const std::string& glob) {
  std::filesystem::path path(glob);
  std::filesystem::path folder =
      path.is_absolute() ? path.root_path() : std::filesystem::path(base);
  std::filesystem::path rest = path.relative_path();
  // All segments but the last (the file name), up to the first wildcard.
  std::vector<std::filesystem::path> parts(rest.begin(), rest.end());
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].string().find_first_of("*?[") != std::string::npos) break;
    folder /= parts[i];
  }
  return folder.lexically_normal().string();
}

}  // namespace carelake::serve
