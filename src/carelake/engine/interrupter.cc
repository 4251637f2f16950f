#include "carelake/engine/interrupter.h"

#include <chrono>
#include <condition_variable>

namespace carelake::engine {

Interrupter::Interrupter(std::vector<Connection*> conns, std::stop_token stop)
    : conns_(std::move(conns)) {
  if (!stop.stop_possible()) return;
  thread_ = std::jthread([this, stop](std::stop_token self) {
    std::mutex sleep_mu;
    std::condition_variable_any wake;
    while (!self.stop_requested()) {
      if (stop.stop_requested()) {
        for (Connection* c : conns_) c->Interrupt();
      }
      // Sleeps 50 ms, or less when this object goes.
      std::unique_lock lock(sleep_mu);
      wake.wait_for(lock, self, std::chrono::milliseconds(50), [] { return false; });
    }
  });
}

Interrupter::~Interrupter() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

}  // namespace carelake::engine
