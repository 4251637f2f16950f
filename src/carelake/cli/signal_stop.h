// SignalStop: SIGINT and SIGTERM as a stop request, for commands that must
// stop cleanly (record what they did) rather than die mid-way.
//
// While a SignalStop lives, SIGINT and SIGTERM are blocked in every thread
// created after it (construct it before opening the database, whose worker
// threads inherit the mask) and received by a watcher thread instead: the
// first one requests a stop through `token()` and calls `on_first`; a second
// one ends the process at once with the conventional status (130 for SIGINT,
// 143 for SIGTERM). With `on_hangup`, SIGHUP is watched by the same thread
// and calls it (a daemon reloads its configuration) instead of ending the
// process: one thread and one mask, so no thread is ever left with a watched
// signal unblocked. The destructor restores the signal mask.
#ifndef CARELAKE_CLI_SIGNAL_STOP_H_
#define CARELAKE_CLI_SIGNAL_STOP_H_

#include <atomic>
#include <functional>
#include <stop_token>
#include <thread>

namespace carelake::cli {

class SignalStop {
 public:
  explicit SignalStop(std::function<void(int signal)> on_first = nullptr,
                      std::function<void()> on_hangup = nullptr);
  ~SignalStop();
  SignalStop(const SignalStop&) = delete;
  SignalStop& operator=(const SignalStop&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  // The first signal received (SIGINT, SIGTERM), 0 when none.
  int signal() const { return signal_.load(); }
  // The exit status for that signal: 128 + its number (130, 143), or 0.
  int ExitStatus() const { return signal_ == 0 ? 0 : 128 + signal_; }

 private:
  std::stop_source source_;
  std::atomic<int> signal_{0};
  std::atomic<bool> done_{false};
  std::function<void(int)> on_first_;
  std::function<void()> on_hangup_;
  std::thread watcher_;
};

}  // namespace carelake::cli

#endif  // CARELAKE_CLI_SIGNAL_STOP_H_
