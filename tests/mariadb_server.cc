#include "mariadb_server.h"

#include <fcntl.h>
#include <grp.h>
#include <mysql.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "free_port.h"

namespace carelake::testing {
namespace {

constexpr const char* kServer = "/usr/sbin/mariadbd";
constexpr const char* kInstallDb = "/usr/bin/mariadb-install-db";
constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr int kPortAttempts = 3;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A root connection through the socket, or nullptr (the error in `why_not`).
MYSQL* ConnectRoot(const std::string& socket, std::string& why_not) {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) {
    why_not = "mysql_init failed";
    return nullptr;
  }
  if (mysql_real_connect(mysql, nullptr, "root", "", nullptr, 0, socket.c_str(), 0) == nullptr) {
    why_not = mysql_error(mysql);
    mysql_close(mysql);
    return nullptr;
  }
  return mysql;
}

}  // namespace

std::unique_ptr<MariaDbServer> MariaDbServer::Start(std::string& why_not, bool& binaries_missing,
                                                    const Options& options) {
  binaries_missing = false;
  for (const char* tool : {kServer, kInstallDb}) {
    if (access(tool, X_OK) != 0) {
      binaries_missing = true;
      why_not = std::string("MariaDB server binary ") + tool +
                " not found (Debian package mariadb-server; scripts/bootstrap.sh installs it)";
      return nullptr;
    }
  }
  char tmpl[] = "/tmp/carelake-my-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    why_not = "mkdtemp failed";
    return nullptr;
  }
  std::unique_ptr<MariaDbServer> server(new MariaDbServer(tmpl));
  if (!server->Install(why_not)) return nullptr;
  if (options.tls) {
    const std::string certs = server->dir_ + "/certs";
    if (mkdir(certs.c_str(), 0755) != 0 ||
        !MakeTestCertificates(certs, server->dir_, server->certificates_, why_not)) {
      if (why_not.empty()) why_not = "cannot create " + certs;
      return nullptr;
    }
    server->tls_ = true;
  }
  for (int attempt = 0;; ++attempt) {
    server->port_ = options.tcp ? FreeLoopbackPort() : 0;
    if (server->Launch(why_not) && server->WaitReady(why_not)) break;
    server->Kill();
    // Another process may have taken the port between picking and binding it.
    if (!options.tcp || attempt + 1 == kPortAttempts) return nullptr;
  }
  if (!server->CreateUsers(why_not)) return nullptr;
  return server;
}

bool MariaDbServer::Install(std::string& why_not) {
  // Temporary files in the folder, not in /tmp: servers bootstrapping in
  // parallel would otherwise collide on /tmp/#sql-temptable-* names.
  std::string run_as;
  const std::string tmp = dir_ + "/tmp";
  if (mkdir(tmp.c_str(), 0700) != 0) {
    why_not = "cannot create " + tmp;
    return false;
  }
  if (geteuid() == 0) {
    const passwd* nobody = getpwnam("nobody");
    if (nobody == nullptr || chown(dir_.c_str(), nobody->pw_uid, nobody->pw_gid) != 0 ||
        chown(tmp.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
      why_not = "running as root, and cannot hand " + dir_ + " to user nobody";
      return false;
    }
    as_nobody_ = true;
    run_as = "runuser -u nobody -- ";
  }
  const std::string install = run_as + kInstallDb + " --no-defaults --datadir=" + dir_ +
                              "/data --auth-root-authentication-method=normal --skip-test-db" +
                              " --skip-name-resolve --tmpdir=" + tmp + " >" + dir_ +
                              "/install.log 2>&1";
  if (std::system(install.c_str()) != 0) {
    why_not = "mariadb-install-db failed:\n" + ReadFile(dir_ + "/install.log");
    return false;
  }
  return true;
}

bool MariaDbServer::Launch(std::string& why_not) {
  std::vector<std::string> args = {kServer,
                                   "--no-defaults",
                                   "--datadir=" + dir_ + "/data",
                                   "--socket=" + SocketPath(),
                                   "--pid-file=" + dir_ + "/mysqld.pid",
                                   "--log-error=" + dir_ + "/server.log",
                                   "--skip-name-resolve",
                                   "--skip-log-bin",
                                   "--skip-performance-schema",
                                   "--innodb-buffer-pool-size=16M",
                                   "--innodb-log-file-size=8M",
                                   "--innodb-flush-log-at-trx-commit=0",
                                   "--innodb-doublewrite=0",
                                   "--innodb-flush-method=nosync",
                                   "--character-set-server=utf8mb4",
                                   "--collation-server=utf8mb4_general_ci",
                                   "--default-time-zone=+00:00"};
  if (tls_) {
    args.push_back("--ssl-ca=" + certificates_.ca);
    args.push_back("--ssl-cert=" + certificates_.cert);
    args.push_back("--ssl-key=" + certificates_.key);
  }
  if (port_ != 0) {
    args.push_back("--bind-address=127.0.0.1");
    args.push_back("--port=" + std::to_string(port_));
  } else {
    args.push_back("--skip-networking");
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const passwd* nobody = as_nobody_ ? getpwnam("nobody") : nullptr;
  const std::string out = dir_ + "/stdout.log";
  pid_ = fork();
  if (pid_ < 0) {
    why_not = "fork failed";
    return false;
  }
  if (pid_ == 0) {  // the child: only async-signal-safe calls until exec
    const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    if (nobody != nullptr && (setgroups(0, nullptr) != 0 || setgid(nobody->pw_gid) != 0 ||
                              setuid(nobody->pw_uid) != 0)) {
      _exit(126);
    }
    execv(kServer, argv.data());
    _exit(127);
  }
  return true;
}

bool MariaDbServer::WaitReady(std::string& why_not) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      why_not = "mariadbd exited while starting:\n" + ReadFile(dir_ + "/stdout.log") +
                ReadFile(dir_ + "/server.log");
      return false;
    }
    std::string error;
    if (MYSQL* mysql = ConnectRoot(SocketPath(), error); mysql != nullptr) {
      mysql_close(mysql);
      return true;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      why_not = "mariadbd not ready after 60 s (" + error + "):\n" + ReadFile(dir_ + "/server.log");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool MariaDbServer::CreateUsers(std::string& why_not) {
  MYSQL* mysql = ConnectRoot(SocketPath(), why_not);
  if (mysql == nullptr) return false;
  for (const char* host : {"localhost", "127.0.0.1"}) {
    const std::string user = std::string("'reader'@'") + host + "'";
    for (const std::string& sql :
         {"CREATE USER " + user + " IDENTIFIED BY '" + kReaderPassword + "'",
          "GRANT ALL PRIVILEGES ON *.* TO " + user + " WITH GRANT OPTION"}) {
      if (mysql_query(mysql, sql.c_str()) != 0) {
        why_not = "creating user reader: " + std::string(mysql_error(mysql));
        mysql_close(mysql);
        return false;
      }
    }
  }
  mysql_close(mysql);
  return true;
}

void MariaDbServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

MariaDbServer::~MariaDbServer() {
  Kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string MariaDbServer::Url(const std::string& database) const {
  return "mysql://root@localhost/" + database + "?socket=" + SocketPath();
}

std::string MariaDbServer::TcpUrl(const std::string& database) const {
  if (port_ == 0) return "";
  return "mysql://reader@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

}  // namespace carelake::testing
