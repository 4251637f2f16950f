// Daemon: the services of one `carelake serve` process, started in order
// and stopped in reverse; ready when every service is started and healthy.
#ifndef CARELAKE_SERVE_DAEMON_H_
#define CARELAKE_SERVE_DAEMON_H_

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "carelake/serve/service.h"

namespace carelake::serve {

class Daemon {
 public:
  // Services start in the order they are added.
  void Add(std::shared_ptr<Service> service) { services_.push_back(std::move(service)); }

  // Starts every service; on a failure, stops those already started and
  // returns the error naming the service.
  Status Start();
  // Stops the started services in reverse order. Idempotent.
  void Stop();

  // Started, and every service healthy.
  bool Ready() const;
  // Each service's name and health, in start order.
  std::vector<std::pair<std::string, Health>> HealthReport() const;

 private:
  std::vector<std::shared_ptr<Service>> services_;
  mutable std::mutex mu_;
  size_t started_ = 0;
  bool running_ = false;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_DAEMON_H_
