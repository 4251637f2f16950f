// FreeLoopbackPort: a TCP port on 127.0.0.1 that nothing listens on right now,
// for the throwaway database servers of the tests (postgres_server.h,
// mariadb_server.h). The kernel picks it (bind to port 0); another process may
// take it before the server binds, so a server that fails to start on it is
// retried on a new one by its caller.
#ifndef CARELAKE_TESTS_FREE_PORT_H_
#define CARELAKE_TESTS_FREE_PORT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace carelake::testing {

// The port, or 0 when no socket could be bound.
inline int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace carelake::testing

#endif  // CARELAKE_TESTS_FREE_PORT_H_
