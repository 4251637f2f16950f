// DirNotifier: waits until a file is written into, moved into or deleted
// from one of a set of folders (Linux inotify), or a timeout passes, or a
// stop is requested. The file watcher uses it to look again soon after a
// file lands instead of only at its next poll; where inotify is missing or
// out of watches, Wait() simply sleeps and the polling alone works.
#ifndef CARELAKE_SERVE_DIR_NOTIFIER_H_
#define CARELAKE_SERVE_DIR_NOTIFIER_H_

#include <chrono>
#include <map>
#include <set>
#include <stop_token>
#include <string>

namespace carelake::serve {

class DirNotifier {
 public:
  DirNotifier();
  ~DirNotifier();
  DirNotifier(const DirNotifier&) = delete;
  DirNotifier& operator=(const DirNotifier&) = delete;

  // Whether inotify is in use.
  bool active() const { return fd_ >= 0; }
  // Watches exactly `dirs` from now on (folders that do not exist are
  // skipped, and tried again at the next call).
  void Watch(const std::set<std::string>& dirs);
  // Waits up to `timeout`; true when a watched folder changed.
  bool Wait(std::chrono::milliseconds timeout, std::stop_token stop);

 private:
  int fd_ = -1;
  int wake_fd_ = -1;                    // an eventfd a stop request writes
  std::map<std::string, int> watches_;  // folder -> watch descriptor
};

// The folder a glob's files are under: its path up to the first segment
// with a wildcard (`*`, `?`, `[`), relative to `base` when not absolute.
std::string GlobFolder(const std::string& base, const std::string& glob);

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_DIR_NOTIFIER_H_
