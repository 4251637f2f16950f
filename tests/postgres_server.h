// PostgresServer: a throwaway PostgreSQL 15 server owned by a test, to compare
// carelake's answers with the real thing.
//
// Start() runs initdb (from /usr/lib/postgresql/15/bin, Debian's
// postgresql-15) into a fresh temporary directory and starts the server with
// pg_ctl, listening only on a Unix socket in that directory
// (listen_addresses=''), trust authentication, user "postgres", fsync off,
// wal_level=logical (change data capture tests need it). The
// destructor stops it (immediate shutdown) and removes the directory.
//
// With Options::tcp it also listens on 127.0.0.1 on a free port, where
// connections authenticate with a password (scram-sha-256), and has a
// superuser `reader` with password kReaderPassword for them; the socket stays
// trusted.
//
// initdb and postgres refuse to run as root. Under root (CI) the directory is
// handed to the unprivileged user `nobody` and both run through
// `runuser -u nobody --`; the test itself stays root and connects through the
// socket (root passes the directory's permission checks).
#ifndef CARELAKE_TESTS_POSTGRES_SERVER_H_
#define CARELAKE_TESTS_POSTGRES_SERVER_H_

#include <memory>
#include <string>

namespace carelake::testing {

class PostgresServer {
 public:
  struct Options {
    bool tcp = false;  // also listen on 127.0.0.1:<free port>, password auth
  };
  static constexpr const char* kReaderPassword = "reader-pw-7Q";

  // The server, or nullptr with `why_not` saying why: the binaries are
  // missing (the caller skips) or starting failed (the caller fails; the
  // message includes the server's log).
  static std::unique_ptr<PostgresServer> Start(std::string& why_not, bool& binaries_missing,
                                               const Options& options);
  static std::unique_ptr<PostgresServer> Start(std::string& why_not, bool& binaries_missing) {
    return Start(why_not, binaries_missing, Options{});
  }
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A libpq connection string: "host=<dir> port=5432 user=postgres dbname=postgres"
  // (with Options::tcp the port is the TCP port, which also names the socket).
  std::string ConnInfo() const;
  // The same as a libpq URI: "postgresql://postgres@/<database>?host=<dir>&port=5432".
  std::string Url(const std::string& database) const;
  // "postgresql://reader@127.0.0.1:<port>/<database>" (password
  // kReaderPassword); empty without Options::tcp.
  std::string TcpUrl(const std::string& database) const;
  // The TCP port on 127.0.0.1, 0 without Options::tcp.
  int tcp_port() const { return tcp_ ? port_ : 0; }
  // The server's folder (its socket; the data directory is `dir()/data`).
  const std::string& dir() const { return dir_; }

  // Stops the server (immediate shutdown, as a crash would) and starts it
  // again on the same data, socket and port: tests of a server that goes away.
  void Stop();
  bool Restart(std::string& why_not) { return StartServer(why_not); }

 private:
  explicit PostgresServer(std::string dir) : dir_(std::move(dir)) {}
  bool StartServer(std::string& why_not);
  bool CreateReader(std::string& why_not);

  std::string dir_;
  std::string run_as_;  // "runuser -u nobody -- " under root, else empty
  bool tcp_ = false;
  int port_ = 5432;
};

}  // namespace carelake::testing

#endif  // CARELAKE_TESTS_POSTGRES_SERVER_H_
