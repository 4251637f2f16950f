// The command channel: runs a program with the alert JSON on its standard
// input (posix_spawn; no shell), waits for it up to the timeout, and fails
// on a non-zero exit with the first line of its standard error.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>
#include <vector>

#include "carelake/alert/channel.h"

extern char** environ;

namespace carelake::alert {
namespace {

class CommandChannel : public Channel {
 public:
  CommandChannel(std::string name, project::CommandTarget target, ChannelOptions options)
      : name_(std::move(name)), target_(std::move(target)), options_(std::move(options)) {}

  std::string_view kind() const override { return "command"; }

  Status Send(const Event& event) override {
    std::vector<std::string> argv;
    for (size_t i = 0; i < target_.argv.size(); ++i) {
      auto arg = ExpandEnvTemplate(target_.argv[i], options_.env);
      if (!arg.ok()) {
        return InvalidArgument(What() + ": argument " + std::to_string(i) + ": " +
                               arg.status().message());
      }
      argv.push_back(std::move(*arg));
    }
    std::filesystem::path program(argv[0]);
    if (program.is_relative()) program = std::filesystem::path(options_.project_dir) / program;
    argv[0] = program.string();
    return Run(argv, ToJson(event, name_));
  }

 private:
  std::string What() const { return "command " + target_.argv[0]; }

  Status Run(const std::vector<std::string>& args, const std::string& input) {
    int in[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0) return IoError(What() + ": pipe: " + std::strerror(errno));
    if (pipe2(err, O_CLOEXEC) != 0) {
      close(in[0]);
      close(in[1]);
      return IoError(What() + ": pipe: " + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);  // the daemon blocks SIGINT/SIGTERM in its threads
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> cargs;
    for (const std::string& a : args) cargs.push_back(const_cast<char*>(a.c_str()));
    cargs.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, cargs[0], &actions, &attr, cargs.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(in[0]);
    close(err[1]);
    if (spawned != 0) {
      close(in[1]);
      close(err[0]);
      return FailedPrecondition(What() + ": cannot start: " + std::strerror(spawned));
    }
    // Write the input (the program may not read it all) and collect stderr.
    // A write to a program that exited raises SIGPIPE on this thread: hold
    // it blocked and discard it, the exit status tells what happened.
    sigset_t pipe_signal, old_mask;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
    const std::string written = input + "\n";
    size_t offset = 0;
    std::string errors;
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    bool timed_out = false;
    int open_fds = 2;
    while (open_fds > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        break;
      }
      pollfd fds[2] = {{in[1], POLLOUT, 0}, {err[0], POLLIN, 0}};
      if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
      if (in[1] >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
        const ssize_t n = write(in[1], written.data() + offset, written.size() - offset);
        if (n > 0) offset += static_cast<size_t>(n);
        if (n < 0 || offset == written.size()) {
          close(in[1]);
          in[1] = -1;
          fds[0].fd = -1;
          --open_fds;
        }
      }
      if (err[0] >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
        char buffer[4096];
        const ssize_t n = read(err[0], buffer, sizeof buffer);
        if (n > 0) {
          if (errors.size() < 4096) errors.append(buffer, static_cast<size_t>(n));
        } else {
          close(err[0]);
          err[0] = -1;
          --open_fds;
        }
      }
      if (in[1] < 0 && err[0] < 0) break;
      if (in[1] < 0) fds[0].fd = -1;
    }
    if (in[1] >= 0) close(in[1]);
    if (err[0] >= 0) close(err[0]);
    const timespec no_wait{0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &no_wait) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    int status = 0;
    if (timed_out) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return Unavailable(What() + ": no exit within " +
                         std::to_string(options_.timeout.count() / 1000) + " s (killed)");
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
    std::string first = errors.substr(0, errors.find('\n'));
    if (first.size() > 200) first = first.substr(0, 200) + "...";
    const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    return IoError(What() + ": " + how + (first.empty() ? "" : ": " + first));
  }

  std::string name_;
  project::CommandTarget target_;
  ChannelOptions options_;
};

}  // namespace

std::unique_ptr<Channel> MakeCommandChannel(const project::AlertTarget& target,
                                            const ChannelOptions& options) {
  return std::make_unique<CommandChannel>(
      target.name, std::get<project::CommandTarget>(target.channel), options);
}

}  // namespace carelake::alert
