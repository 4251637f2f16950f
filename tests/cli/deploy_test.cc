// Deployment: deploy/carelake@.service passes `systemd-analyze verify`
// (with the unit's binary path pointed at the one under test), and
// `carelake serve` tells systemd when it is ready and when it stops
// (sd_notify to NOTIFY_SOCKET, received here on a real datagram socket).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_project.h"
#include "daemon_process.h"

namespace {

namespace fs = std::filesystem;
using carelake::testing_cli::CliProjectTest;
using carelake::testing_cli::Daemon;

// Runs `command`; its exit status and everything it printed.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string Unit() {
  std::ifstream in(std::string(CARELAKE_SOURCE_DIR) + "/deploy/carelake@.service");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class DeployTest : public CliProjectTest {};

TEST_F(DeployTest, TheSystemdUnitVerifies) {
  if (Shell("command -v systemd-analyze").first != 0) {
    GTEST_SKIP() << "systemd-analyze is not installed (Debian package systemd)";
  }
  std::string unit = Unit();
  ASSERT_NE(unit.find("ExecStart=/usr/local/bin/carelake serve"), std::string::npos);
  EXPECT_NE(unit.find("Type=notify"), std::string::npos);
  EXPECT_NE(unit.find("User=carelake"), std::string::npos);
  EXPECT_NE(unit.find("EnvironmentFile="), std::string::npos);
  EXPECT_NE(unit.find("Restart=on-failure"), std::string::npos);
  EXPECT_NE(unit.find("ExecReload=/bin/kill -HUP $MAINPID"), std::string::npos);
  const std::string bin = std::getenv("CARELAKE_BIN");
  unit.replace(unit.find("/usr/local/bin/carelake"), 23, bin);
  const fs::path units = fs::path(dir_) / "units";
  fs::create_directories(units);
  std::ofstream(units / "carelake@.service") << unit;
  auto [status, output] =
      Shell("systemd-analyze verify " + (units / "carelake@clinic.service").string());
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "") << "systemd-analyze has remarks";

  // The check can fail: a misspelt key is reported.
  std::string broken = unit;
  broken.replace(broken.find("RestartSec="), 11, "RestartSecs=");
  std::ofstream(units / "carelake@.service") << broken;
  EXPECT_NE(Shell("systemd-analyze verify " + (units / "carelake@clinic.service").string())
                .second.find("Unknown key 'RestartSecs'"),
            std::string::npos);
}

TEST_F(DeployTest, ServeNotifiesSystemdWhenReadyAndWhenStopping) {
  const std::string socket_path = dir_ + "/notify.sock";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(socket_path.size(), sizeof(addr.sun_path));
  std::strcpy(addr.sun_path, socket_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto receive = [fd](int seconds) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, seconds * 1000) <= 0) return std::string();
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  };

  ::setenv("NOTIFY_SOCKET", socket_path.c_str(), 1);
  Daemon daemon;
  const bool started = daemon.Start("--project " + dir_ + " --http 127.0.0.1:0 --pg off");
  ::unsetenv("NOTIFY_SOCKET");
  ASSERT_TRUE(started);
  const std::string ready = daemon.FirstLine(30);
  ASSERT_EQ(ready.rfind("ready http=127.0.0.1:", 0), 0u) << ready;
  const std::string notice = receive(10);
  EXPECT_NE(notice.find("READY=1"), std::string::npos) << notice;
  // "ready http=H:P pg=off" → "http H:P, pg off"
  const std::string http = ready.substr(11, ready.find(' ', 11) - 11);
  EXPECT_NE(notice.find("STATUS=serving project clinic, http " + http + ", pg off"),
            std::string::npos)
      << notice;
  ::kill(daemon.pid, SIGTERM);
  EXPECT_NE(receive(30).find("STOPPING=1"), std::string::npos);
  EXPECT_EQ(daemon.WaitExit(30), 0);
  ::close(fd);
}

}  // namespace
