// Service: one part of `carelake serve` that starts, stops and reports its
// health — the HTTP server today; the scheduler, stream consumers and the
// pgwire server next. The daemon (daemon.h) is their composition root.
#ifndef CARELAKE_SERVE_SERVICE_H_
#define CARELAKE_SERVE_SERVICE_H_

#include <string>
#include <string_view>

#include "carelake/base/status.h"

namespace carelake::serve {

struct Health {
  bool ok = false;
  std::string detail;  // why not ok, or what it is doing ("listening on 127.0.0.1:8080")
};

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  // Starts the service's work (its own threads); returns once it accepts
  // work, or with why it cannot.
  virtual Status Start() = 0;
  // Stops accepting work, lets running work end or interrupts it safely, and
  // returns when the service's threads are gone. Idempotent.
  virtual void Stop() = 0;
  virtual Health health() const = 0;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_SERVICE_H_
