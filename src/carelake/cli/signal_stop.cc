#include "carelake/cli/signal_stop.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <ctime>

namespace carelake::cli {
namespace {

sigset_t WatchedSignals(bool hangup) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (hangup) sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

SignalStop::SignalStop(std::function<void(int signal)> on_first, std::function<void()> on_hangup)
    : on_first_(std::move(on_first)), on_hangup_(std::move(on_hangup)) {
  const sigset_t set = WatchedSignals(on_hangup_ != nullptr);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::thread([this] {
    const sigset_t signals = WatchedSignals(on_hangup_ != nullptr);
    const timespec tick{0, 100'000'000};  // 100 ms: how soon the destructor is noticed
    while (!done_.load()) {
      const int received = sigtimedwait(&signals, nullptr, &tick);
      if (received <= 0) continue;
      if (received == SIGHUP) {
        on_hangup_();
        continue;
      }
      int expected = 0;
      if (!signal_.compare_exchange_strong(expected, received)) {
        _exit(128 + signal_.load());  // the second signal: at once
      }
      if (on_first_) on_first_(received);
      source_.request_stop();
    }
  });
}

SignalStop::~SignalStop() {
  done_ = true;
  watcher_.join();
  const sigset_t set = WatchedSignals(on_hangup_ != nullptr);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace carelake::cli
