#include "postgres_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "free_port.h"

namespace carelake::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";
constexpr int kPortAttempts = 3;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::Start(std::string& why_not, bool& binaries_missing,
                                                      const Options& options) {
  binaries_missing = false;
  for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
    if (access((std::string(kBin) + "/" + tool).c_str(), X_OK) != 0) {
      binaries_missing = true;
      why_not = std::string("PostgreSQL 15 binaries not found in ") + kBin +
                " (Debian package postgresql-15; scripts/bootstrap.sh installs it)";
      return nullptr;
    }
  }
  char tmpl[] = "/tmp/carelake-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    why_not = "mkdtemp failed";
    return nullptr;
  }
  std::unique_ptr<PostgresServer> server(new PostgresServer(tmpl));
  const std::string& dir = server->dir_;
  if (geteuid() == 0) {
    const passwd* nobody = getpwnam("nobody");
    if (nobody == nullptr || chown(dir.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
      why_not = "running as root, and cannot hand " + dir + " to user nobody";
      return nullptr;
    }
    server->run_as_ = "runuser -u nobody -- ";
  }
  // The socket is trusted; TCP (only with Options::tcp) asks for a password.
  const std::string initdb = server->run_as_ + kBin + "/initdb -D " + dir +
                             "/data --auth-local=trust --auth-host=scram-sha-256 -U postgres" +
                             " --no-sync -E UTF8 --locale=C >" + dir + "/initdb.log 2>&1";
  if (std::system(initdb.c_str()) != 0) {
    why_not = "initdb failed:\n" + ReadFile(dir + "/initdb.log");
    return nullptr;
  }
  server->tcp_ = options.tcp;
  for (int attempt = 0;; ++attempt) {
    if (options.tcp) server->port_ = FreeLoopbackPort();
    if (server->StartServer(why_not)) break;
    // Another process may have taken the port between picking and binding it.
    if (!options.tcp || attempt + 1 == kPortAttempts) return nullptr;
  }
  if (options.tcp && !server->CreateReader(why_not)) return nullptr;
  return server;
}

bool PostgresServer::StartServer(std::string& why_not) {
  const std::string listen =
      tcp_ ? "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) : "-c listen_addresses=''";
  const std::string start = run_as_ + kBin + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
                            "/server.log -w -s -o \"-k " + dir_ + " " + listen +
                            " -c fsync=off -c TimeZone=UTC -c wal_level=logical\" start >" + dir_ +
                            "/pg_ctl.log 2>&1";
  if (std::system(start.c_str()) != 0) {
    why_not =
        "pg_ctl start failed:\n" + ReadFile(dir_ + "/pg_ctl.log") + ReadFile(dir_ + "/server.log");
    return false;
  }
  return true;
}

bool PostgresServer::CreateReader(std::string& why_not) {
  PGconn* pg = PQconnectdb(ConnInfo().c_str());
  bool ok = PQstatus(pg) == CONNECTION_OK;
  if (ok) {
    const std::string sql =
        std::string("CREATE ROLE reader LOGIN SUPERUSER PASSWORD '") + kReaderPassword + "'";
    PGresult* result = PQexec(pg, sql.c_str());
    ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
  }
  if (!ok) why_not = std::string("creating role reader: ") + PQerrorMessage(pg);
  PQfinish(pg);
  return ok;
}

void PostgresServer::Stop() {
  if (std::filesystem::exists(dir_ + "/data/postmaster.pid")) {
    const std::string stop =
        run_as_ + kBin + "/pg_ctl -D " + dir_ + "/data -w -s -m immediate stop >/dev/null 2>&1";
    (void)std::system(stop.c_str());
  }
}

PostgresServer::~PostgresServer() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PostgresServer::ConnInfo() const {
  return "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql://postgres@/" + database + "?host=" + dir_ + "&port=" + std::to_string(port_);
}

std::string PostgresServer::TcpUrl(const std::string& database) const {
  if (!tcp_) return "";
  return "postgresql://reader@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

}  // namespace carelake::testing
