// Runs the real `carelake` binary as a user would: arguments, stdin, exit
// codes, stdout and stderr.
#ifndef CARELAKE_TESTS_CLI_CLI_RUNNER_H_
#define CARELAKE_TESTS_CLI_CLI_RUNNER_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace carelake::testing_cli {

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `carelake <args>` through the shell with `stdin_text` on stdin.
inline CliRun Carelake(const std::string& args, const std::string& stdin_text = "") {
  const char* bin = std::getenv("CARELAKE_BIN");
  EXPECT_NE(bin, nullptr) << "CARELAKE_BIN is not set (ctest sets it)";
  // Unique names: ctest runs tests in parallel processes.
  static int counter = 0;
  const std::string dir =
      ::testing::TempDir() + "/cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::string in = dir + "_in.txt", out = dir + "_out.txt", err = dir + "_err.txt";
  std::ofstream(in) << stdin_text;
  const std::string cmd = std::string(bin) + " " + args + " <" + in + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliRun run{WEXITSTATUS(status), ReadAll(out), ReadAll(err)};
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
  return run;
}

}  // namespace carelake::testing_cli

#endif  // CARELAKE_TESTS_CLI_CLI_RUNNER_H_
