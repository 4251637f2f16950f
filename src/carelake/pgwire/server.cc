#include "carelake/pgwire/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "carelake/pgwire/backend.h"
#include "carelake/pgwire/connection.h"

namespace carelake::pgwire {
namespace {

// Logins in progress from one client address.
constexpr int kMaxLoginsPerAddress = 8;

std::string HostOf(const std::string& peer) { return peer.substr(0, peer.rfind(':')); }

std::string PeerName(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

Result<int> Listen(const std::string& host, int port, int* bound_port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    return InvalidArgument("cannot resolve --pg host \"" + host + "\": " + gai_strerror(rc));
  }
  int fd = -1;
  std::string error = "no address";
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    return Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " + error);
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = addr.ss_family == AF_INET6
                    ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                    : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return fd;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, std::function<std::shared_ptr<const project::Project>()> project,
    FileSystem& fs) {
  std::unique_ptr<Server> s(new Server(options));
  s->project_ = std::move(project);
  s->fs_ = &fs;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      return InvalidArgument("--tls-cert and --tls-key go together");
    }
    CARELAKE_ASSIGN_OR_RETURN(s->tls_, TlsContext::FromFiles(options.tls_cert, options.tls_key));
  } else if (!options.tls_dir.empty()) {
    CARELAKE_ASSIGN_OR_RETURN(s->tls_, TlsContext::SelfSigned(options.tls_dir));
  }
  s->mock_secret_.resize(32);
  RAND_bytes(reinterpret_cast<unsigned char*>(s->mock_secret_.data()), 32);
  CARELAKE_ASSIGN_OR_RETURN(s->listen_fd_, Listen(options.host, options.port, &s->port_));
  s->acceptor_ = std::thread([srv = s.get()] { srv->AcceptLoop(); });
  s->watchdog_ = std::jthread([srv = s.get()](std::stop_token stop) { srv->WatchdogLoop(stop); });
  return s;
}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [pid, running] : running_) running.backend->Shutdown();
  }
  {
    std::lock_guard<std::mutex> lock(clients_mu_);
    for (Client& c : clients_) ::shutdown(c.fd, SHUT_RDWR);
  }
  Reap(/*all=*/true);
  watchdog_.request_stop();
  watchdog_cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

void Server::Log(std::string_view level, std::string_view message) const {
  if (options_.log) options_.log(level, message);
}

void Server::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) {
      Reap(false);
      continue;
    }
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    // Until it has logged in, a client has authentication_timeout to say
    // anything: a silent one does not keep its thread.
    const timeval timeout{options_.authentication_timeout_seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ++connections_total_;
    Reap(false);
    {
      // Connections not yet admitted are bounded too: threads are not free.
      std::lock_guard<std::mutex> lock(clients_mu_);
      if (clients_.size() >= static_cast<size_t>(options_.max_connections) * 2 + 16) {
        Log("warning", PeerName(addr) + ": refused, too many connections in progress");
        ::close(fd);
        continue;
      }
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    const std::string peer = PeerName(addr);
    std::lock_guard<std::mutex> lock(clients_mu_);
    clients_.push_back(Client{fd, std::thread([this, fd, peer, done] {
                                try {
                                  RunConnection(*this, fd, peer);
                                } catch (const std::exception& e) {  // the edge's one catch-all
                                  Log("error", peer + ": " + e.what());
                                }
                                *done = true;
                              }),
                              done});
  }
}

void Server::Reap(bool all) {
  std::vector<Client> finished;
  {
    std::lock_guard<std::mutex> lock(clients_mu_);
    auto split = std::partition(clients_.begin(), clients_.end(),
                                [&](const Client& c) { return !all && !c.done->load(); });
    std::move(split, clients_.end(), std::back_inserter(finished));
    clients_.erase(split, clients_.end());
  }
  for (Client& c : finished) {
    c.thread.join();
    ::close(c.fd);
  }
}

bool Server::BeginLogin(int fd, const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  int& n = logins_[HostOf(peer)];
  if (n >= kMaxLoginsPerAddress) return false;
  ++n;
  login_deadlines_[fd] = std::chrono::steady_clock::now() +
                         std::chrono::seconds(options_.authentication_timeout_seconds);
  watchdog_cv_.notify_all();
  return true;
}

void Server::EndLogin(int fd, const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  login_deadlines_.erase(fd);
  auto it = logins_.find(HostOf(peer));
  if (it != logins_.end() && --it->second <= 0) logins_.erase(it);
}

bool Server::Admit() {
  size_t n = sessions_.load();
  while (n < static_cast<size_t>(options_.max_connections)) {
    if (sessions_.compare_exchange_weak(n, n + 1)) return true;
  }
  return false;
}

void Server::Release() { --sessions_; }

std::pair<int32_t, int32_t> Server::Register(Backend* backend) {
  int32_t secret = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&secret), sizeof(secret));
  std::lock_guard<std::mutex> lock(mu_);
  const int32_t pid = next_process_id_++;
  running_[pid] = Running{secret, backend};
  return {pid, secret};
}

void Server::Unregister(int32_t process_id) {
  std::lock_guard<std::mutex> lock(mu_);
  running_.erase(process_id);
}

void Server::Cancel(int32_t process_id, int32_t secret_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = running_.find(process_id);
  if (it == running_.end() || it->second.secret != secret_key) {
    Log("warning", "a cancel request did not match any session");
    return;
  }
  it->second.backend->Interrupt(false);
}

void Server::Arm(Backend* backend, int64_t ms) {
  std::lock_guard<std::mutex> lock(mu_);
  deadlines_[backend] = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  watchdog_cv_.notify_all();
}

void Server::Disarm(Backend* backend) {
  std::lock_guard<std::mutex> lock(mu_);
  deadlines_.erase(backend);
}

void Server::WatchdogLoop(std::stop_token stop) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    auto next = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    const auto now = std::chrono::steady_clock::now();
    for (auto it = login_deadlines_.begin(); it != login_deadlines_.end();) {
      if (it->second <= now) {
        ::shutdown(it->first, SHUT_RDWR);  // the login's reads and writes fail now
        it = login_deadlines_.erase(it);
      } else {
        next = std::min(next, it->second);
        ++it;
      }
    }
    for (auto it = deadlines_.begin(); it != deadlines_.end();) {
      if (it->second <= now) {
        it->first->Interrupt(/*timeout=*/true);
        it = deadlines_.erase(it);
      } else {
        next = std::min(next, it->second);
        ++it;
      }
    }
    watchdog_cv_.wait_until(lock, next);
  }
}

std::chrono::milliseconds Server::LoginFailed(const std::string& peer) {
  const std::string host = HostOf(peer);
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(failures_,
                [&](const auto& f) { return now - f.second.last > std::chrono::minutes(1); });
  Failures& f = failures_[host];
  if (now - f.last > std::chrono::minutes(1)) f.count = 0;
  f.last = now;
  ++f.count;
  // 0.1 s, 0.2 s, 0.4 s ... at most 5 s per attempt, per client address.
  const int64_t ms = std::min<int64_t>(100LL << std::min(f.count - 1, 6), 5000);
  return std::chrono::milliseconds(ms);
}

void Server::LoginSucceeded(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(HostOf(peer));
}

}  // namespace carelake::pgwire
