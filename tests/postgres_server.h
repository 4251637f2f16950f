// PostgresServer: a throwaway PostgreSQL 15 server owned by a test, to compare
// carelake's answers with the real thing.
//
// Start() runs initdb (from /usr/lib/postgresql/15/bin, Debian's
// postgresql-15) into a fresh temporary directory and starts the server with
// pg_ctl, listening only on a Unix socket in that directory
// (listen_addresses=''), trust authentication, user "postgres", fsync off. The
// destructor stops it (immediate shutdown) and removes the directory.
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
  // The server, or nullptr with `why_not` saying why: the binaries are
  // missing (the caller skips) or starting failed (the caller fails; the
  // message includes the server's log).
  static std::unique_ptr<PostgresServer> Start(std::string& why_not, bool& binaries_missing);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A libpq connection string: "host=<dir> port=5432 user=postgres dbname=postgres".
  std::string ConnInfo() const;

 private:
  explicit PostgresServer(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  std::string run_as_;  // "runuser -u nobody -- " under root, else empty
};

}  // namespace carelake::testing

#endif  // CARELAKE_TESTS_POSTGRES_SERVER_H_
