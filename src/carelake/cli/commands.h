// The carelake sub-commands. Each Register* adds one sub-command to the
// CLI11 app; the command's run callback stores its exit code in `exit_code`.
//
// Exit codes: 0 the work succeeded, 1 the work failed, 2 bad usage or
// configuration.
#ifndef CARELAKE_CLI_COMMANDS_H_
#define CARELAKE_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <iosfwd>

namespace carelake::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// Where commands read and write; injected so tests can capture output.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool out_is_terminal;
};

void RegisterVersionCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterSqlCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterTableCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterGenerateCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterRunCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterRunsCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterDqCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterInitCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterServeCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterJobsCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterUserCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterCatalogCommand(CLI::App& app, Io& io, int& exit_code);
void RegisterInferCommand(CLI::App& app, Io& io, int& exit_code);

// Parses `argv` and runs the chosen sub-command; returns the exit code.
int RunCli(int argc, const char* const* argv, Io& io);

}  // namespace carelake::cli

#endif  // CARELAKE_CLI_COMMANDS_H_
