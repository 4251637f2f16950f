// Real receivers for alert tests: an HTTP server (cpp-httplib) that records
// the requests it gets, and an SMTP server (aiosmtpd, tests/alert/
// smtp_receiver.py) that writes each mail to a folder. Both listen on
// 127.0.0.1 at a free port and are owned (started, stopped) by the test.
#ifndef CARELAKE_TESTS_RECEIVERS_H_
#define CARELAKE_TESTS_RECEIVERS_H_

#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace carelake::testing {

struct ReceivedRequest {
  std::string path;
  std::string body;
  httplib::Headers headers;
};

// Answers POST /* with `status` (settable) and records every request.
class HttpReceiver {
 public:
  HttpReceiver() {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back({req.path, req.body, req.headers});
      res.status = status_;
      res.set_content("ok", "text/plain");
      cv_.notify_all();
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~HttpReceiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void set_status(int status) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
  }
  // Waits until at least `n` requests arrived (or `timeout` passed).
  std::vector<ReceivedRequest> WaitFor(
      size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
    return requests_;
  }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedRequest> requests_;
  int status_ = 200;
};

// A child process with its standard input and output on pipes.
class Child {
 public:
  bool Start(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> c_argv;
    for (const std::string& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
    c_argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, c_argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
    return rc == 0;
  }
  // A line of its standard output, waiting up to `timeout`.
  std::string ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c;
      if (::read(out_, &c, 1) != 1) break;
      if (c == '\n') return line;
      line += c;
    }
    return line;
  }
  ~Child() {
    if (in_ >= 0) ::close(in_);  // the receiver exits when its input closes
    if (out_ >= 0) ::close(out_);
    if (pid_ <= 0) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
};

// aiosmtpd on a free port, saving mails under `dir` as <n>.eml.
class SmtpReceiver {
 public:
  // `extra`: --cert FILE --key FILE (STARTTLS required), --user U --password P.
  SmtpReceiver(const std::string& script, const std::string& dir,
               const std::vector<std::string>& extra = {})
      : dir_(dir) {
    std::filesystem::create_directories(dir);
    std::vector<std::string> argv = {"/usr/bin/python3", script, dir};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (!child_.Start(argv)) return;
    const std::string line = child_.ReadLine();
    if (line.rfind("ready ", 0) == 0) port_ = std::stoi(line.substr(6));
  }
  int port() const { return port_; }  // 0: it did not start
  // The mails received so far, waiting until there are `n` (or `timeout`).
  std::vector<std::string> WaitFor(size_t n,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<std::string> mails;
    while (true) {
      mails.clear();
      for (size_t i = 1;; ++i) {
        std::ifstream in(dir_ + "/" + std::to_string(i) + ".eml", std::ios::binary);
        if (!in) break;
        std::stringstream text;
        text << in.rdbuf();
        mails.push_back(text.str());
      }
      if (mails.size() >= n || std::chrono::steady_clock::now() > deadline) return mails;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

 private:
  std::string dir_;
  Child child_;
  int port_ = 0;
};

}  // namespace carelake::testing

#endif  // CARELAKE_TESTS_RECEIVERS_H_
