// MariaDbServer: a throwaway MariaDB server owned by a test, the twin of
// PostgresServer (postgres_server.h), to read from and compare with the real
// thing.
//
// Start() runs mariadb-install-db (Debian's mariadb-server, 10.11) into a
// fresh temporary directory and starts /usr/sbin/mariadbd on a Unix socket in
// that directory, with small InnoDB settings and no log flushing at commit
// (fast, not durable), UTC as the server's time zone, utf8mb4. With
// Options::tcp it also listens on 127.0.0.1 on a free port; otherwise
// networking is off. Users: `root` (no password; over the socket) and `reader`
// with password kReaderPassword (over the socket and over TCP from
// 127.0.0.1), holding every privilege so a test can also write with it; a test
// that wants a narrower user creates one. The destructor kills the server
// (like an immediate shutdown) and removes the directory.
//
// mariadbd refuses to run as root. Under root (CI) the directory is handed to
// the unprivileged user `nobody` and install and server run as nobody; the test
// itself stays root and connects through the socket.
#ifndef CARELAKE_TESTS_MARIADB_SERVER_H_
#define CARELAKE_TESTS_MARIADB_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "test_certificates.h"

namespace carelake::testing {

class MariaDbServer {
 public:
  struct Options {
    bool tcp = false;  // also listen on 127.0.0.1:<free port>
    bool tls = false;  // TLS with certificates made at start (certificates())
  };
  static constexpr const char* kReaderPassword = "reader-pw-7Q";

  // The server, or nullptr with `why_not` saying why: the binaries are
  // missing (the caller skips) or starting failed (the caller fails; the
  // message includes the server's log).
  static std::unique_ptr<MariaDbServer> Start(std::string& why_not, bool& binaries_missing,
                                              const Options& options);
  static std::unique_ptr<MariaDbServer> Start(std::string& why_not, bool& binaries_missing) {
    return Start(why_not, binaries_missing, Options{});
  }
  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  // The Unix socket: "<dir>/mysqld.sock".
  std::string SocketPath() const { return dir_ + "/mysqld.sock"; }
  // The TCP port on 127.0.0.1, 0 without Options::tcp.
  int port() const { return port_; }
  // "mysql://root@localhost/<database>?socket=<dir>/mysqld.sock".
  std::string Url(const std::string& database) const;
  // "mysql://reader@127.0.0.1:<port>/<database>" (password kReaderPassword);
  // empty without Options::tcp.
  std::string TcpUrl(const std::string& database) const;
  // With Options::tls: the CA, the server's certificate (for `localhost`)
  // and key, and a CA that signed nothing.
  const TestCertificates& certificates() const { return certificates_; }

 private:
  explicit MariaDbServer(std::string dir) : dir_(std::move(dir)) {}
  bool Install(std::string& why_not);
  bool Launch(std::string& why_not);
  bool WaitReady(std::string& why_not);
  bool CreateUsers(std::string& why_not);
  void Kill();

  std::string dir_;
  bool as_nobody_ = false;  // running as root: install and server run as nobody
  int port_ = 0;
  pid_t pid_ = -1;  // mariadbd, -1 when not running
  bool tls_ = false;
  TestCertificates certificates_;
};

}  // namespace carelake::testing

#endif  // CARELAKE_TESTS_MARIADB_SERVER_H_
