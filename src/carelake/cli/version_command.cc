#include <ostream>

#include "carelake/cli/commands.h"
#include "carelake/engine/database.h"
#include "carelake/version.h"

namespace carelake::cli {

void RegisterVersionCommand(CLI::App& app, Io& io, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("version", "Print carelake's and DuckDB's versions");
  cmd->callback([&io, &exit_code] {
    io.out << "carelake " << kVersion << "\n";
    io.out << "DuckDB " << engine::DuckDbVersion() << "\n";
    exit_code = kExitOk;
  });
}

}  // namespace carelake::cli
