// Interrupter: wires a stop request (std::stop_token) to DuckDB's interrupt.
//
// While it lives, a stop request interrupts (within 50 ms) the query running on each of
// its connections (which then fails with Cancelled), and again every 50 ms
// until the object goes: an interrupt that lands between two queries of a
// step would otherwise be lost, and the next query would run to its end.
// The work itself notices the request at its next safe point
// (`stop.stop_requested()`, or a query failing with Cancelled) and returns
// Cancelled without committing.
#ifndef CARELAKE_ENGINE_INTERRUPTER_H_
#define CARELAKE_ENGINE_INTERRUPTER_H_

#include <stop_token>
#include <thread>
#include <vector>

#include "carelake/engine/connection.h"

namespace carelake::engine {

class Interrupter {
 public:
  // Does nothing (no thread) if `stop` can never be requested. The
  // connections must outlive this object.
  Interrupter(std::vector<Connection*> conns, std::stop_token stop);
  Interrupter(Connection& conn, std::stop_token stop)
      : Interrupter(std::vector<Connection*>{&conn}, std::move(stop)) {}
  // Stops interrupting (joins the thread).
  ~Interrupter();
  Interrupter(const Interrupter&) = delete;
  Interrupter& operator=(const Interrupter&) = delete;

 private:
  std::vector<Connection*> conns_;
  std::jthread thread_;
};

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_INTERRUPTER_H_
