#include "postgres_server.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace carelake::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::Start(std::string& why_not,
                                                      bool& binaries_missing) {
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
  const std::string initdb = server->run_as_ + kBin + "/initdb -D " + dir +
                             "/data -A trust -U postgres --no-sync -E UTF8 --locale=C >" + dir +
                             "/initdb.log 2>&1";
  if (std::system(initdb.c_str()) != 0) {
    why_not = "initdb failed:\n" + ReadFile(dir + "/initdb.log");
    return nullptr;
  }
  const std::string start = server->run_as_ + kBin + "/pg_ctl -D " + dir + "/data -l " + dir +
                            "/server.log -w -s -o \"-k " + dir +
                            " -c listen_addresses='' -c fsync=off -c TimeZone=UTC\" start >" + dir +
                            "/pg_ctl.log 2>&1";
  if (std::system(start.c_str()) != 0) {
    why_not =
        "pg_ctl start failed:\n" + ReadFile(dir + "/pg_ctl.log") + ReadFile(dir + "/server.log");
    return nullptr;
  }
  return server;
}

PostgresServer::~PostgresServer() {
  if (std::filesystem::exists(dir_ + "/data/postmaster.pid")) {
    const std::string stop =
        run_as_ + kBin + "/pg_ctl -D " + dir_ + "/data -w -s -m immediate stop >/dev/null 2>&1";
    (void)std::system(stop.c_str());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PostgresServer::ConnInfo() const {
  return "host=" + dir_ + " port=5432 user=postgres dbname=postgres";
}

}  // namespace carelake::testing
