// A `carelake serve` child process for tests: started with posix_spawn, its
// ready line read from standard output, stopped with SIGTERM (or killed).
#ifndef CARELAKE_TESTS_CLI_DAEMON_PROCESS_H_
#define CARELAKE_TESTS_CLI_DAEMON_PROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace carelake::testing_cli {

// A `carelake serve` child with its standard output on a pipe.
struct Daemon {
  pid_t pid = -1;
  int out = -1;

  // `carelake serve <args>`; its standard error goes to `err_file` when
  // given (else it is the test's).
  bool Start(const std::string& args, const std::string& err_file = "") {
    int fds[2];
    if (::pipe(fds) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    if (!err_file.empty()) {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    const std::string bin = std::getenv("CARELAKE_BIN");
    std::vector<std::string> argv = {bin, "serve"};
    std::istringstream in(args);
    for (std::string a; in >> a;) argv.push_back(a);
    std::vector<char*> c_argv;
    for (std::string& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    const int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, c_argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out = fds[0];
    return rc == 0;
  }

  // The first line of its standard output, waiting up to `seconds`.
  std::string FirstLine(int seconds) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c;
      if (::read(out, &c, 1) != 1) break;
      if (c == '\n') return line;
      line += c;
    }
    return line;
  }

  // Its exit status after SIGTERM, or -1 if it did not exit within 30 s.
  int Terminate() {
    ::kill(pid, SIGTERM);
    return WaitExit(30);
  }

  // Its exit status once it exits, or -1 if it does not within `seconds`.
  int WaitExit(int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::usleep(50'000);
    }
    return -1;
  }

  ~Daemon() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (out >= 0) ::close(out);
  }
};

}  // namespace carelake::testing_cli

#endif  // CARELAKE_TESTS_CLI_DAEMON_PROCESS_H_
