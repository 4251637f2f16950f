// Server: the PostgreSQL-wire-protocol server of `carelake serve --pg`.
//
// One thread accepts on the listening socket; each client gets a thread
// that runs its Connection (connection.h). The server owns what sessions
// share: the TLS context, the registry of running sessions (BackendKeyData
// → session) that a CancelRequest from another connection interrupts, the
// watchdog that interrupts statements past their statement_timeout, the
// connection limit (53300 past it), and the failed-login throttle.
//
// Clients never block the server or each other: a slow client only holds
// its own thread; a runaway statement is interrupted by its timeout or a
// cancel; every session has its own DuckDB database with its own memory
// limit, so one session's query cannot starve another's.
#ifndef CARELAKE_PGWIRE_SERVER_H_
#define CARELAKE_PGWIRE_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/pgwire/tls.h"
#include "carelake/project/project.h"

namespace carelake::pgwire {

class Backend;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 5433;  // 0: any free port (tests)
  int max_connections = 64;
  // How long a client may take to log in (PostgreSQL's
  // authentication_timeout); each read before that waits at most this long.
  int authentication_timeout_seconds = 60;
  // PEM files; both empty: a self-signed pair in `tls_dir` (made on first
  // start).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_dir;
  // Per session: DuckDB's memory_limit and threads.
  std::string session_memory_limit = "1GB";
  int session_threads = 2;
  // Where log lines go (level "info", "warning", "error"); never a secret.
  std::function<void(std::string_view level, std::string_view message)> log;
  // "(carelake 0.6.0)": after the PostgreSQL version in server_version.
  std::string version_suffix;
};

class Server {
 public:
  // Binds and starts accepting. `project` gives the project a new session
  // serves (the current one after a reload).
  static Result<std::unique_ptr<Server>> Start(
      const ServerOptions& options,
      std::function<std::shared_ptr<const project::Project>()> project, FileSystem& fs);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Stops accepting, closes every client connection (interrupting running
  // statements) and joins the threads. Idempotent.
  void Stop();

  int port() const { return port_; }
  const std::string& host() const { return options_.host; }
  size_t sessions() const { return sessions_.load(); }
  uint64_t connections_total() const { return connections_total_.load(); }

  // For connections (connection.cc).
  const ServerOptions& options() const { return options_; }
  const TlsContext* tls() const { return tls_.get(); }
  std::shared_ptr<const project::Project> project() const { return project_(); }
  FileSystem& fs() const { return *fs_; }
  const std::string& mock_secret() const { return mock_secret_; }
  void Log(std::string_view level, std::string_view message) const;

  // A login starts on `fd` from `peer`: false when that address has
  // kMaxLoginsPerAddress logins in progress. Until EndLogin, the watchdog
  // shuts `fd` down when authentication_timeout has passed.
  bool BeginLogin(int fd, const std::string& peer);
  void EndLogin(int fd, const std::string& peer);
  // A session slot (after login); false when max_connections sessions run.
  bool Admit();
  void Release();
  // Registers a running session for CancelRequest; returns its key.
  std::pair<int32_t, int32_t> Register(Backend* backend);
  void Unregister(int32_t process_id);
  // A CancelRequest: interrupts the session's statement if the key matches.
  void Cancel(int32_t process_id, int32_t secret_key);
  // statement_timeout: interrupts `backend` after `ms` unless disarmed.
  void Arm(Backend* backend, int64_t ms);
  void Disarm(Backend* backend);
  // Failed logins from `peer`: how long to wait before answering this one.
  std::chrono::milliseconds LoginFailed(const std::string& peer);
  void LoginSucceeded(const std::string& peer);

 private:
  explicit Server(ServerOptions options) : options_(std::move(options)) {}
  void AcceptLoop();
  void WatchdogLoop(std::stop_token stop);
  void Reap(bool all);

  ServerOptions options_;
  std::function<std::shared_ptr<const project::Project>()> project_;
  FileSystem* fs_ = nullptr;
  std::unique_ptr<TlsContext> tls_;
  std::string mock_secret_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::jthread watchdog_;

  struct Client {
    int fd;
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex clients_mu_;
  std::vector<Client> clients_;

  std::atomic<size_t> sessions_{0};
  std::atomic<uint64_t> connections_total_{0};
  mutable std::mutex mu_;  // guards what follows
  std::condition_variable watchdog_cv_;
  struct Running {
    int32_t secret;
    Backend* backend;
  };
  std::map<int32_t, Running> running_;
  int32_t next_process_id_ = 1000;
  std::map<Backend*, std::chrono::steady_clock::time_point> deadlines_;
  std::map<int, std::chrono::steady_clock::time_point> login_deadlines_;  // by fd
  std::map<std::string, int> logins_;  // in progress, by client address
  struct Failures {
    int count = 0;
    std::chrono::steady_clock::time_point last;
  };
  std::map<std::string, Failures> failures_;
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_SERVER_H_
