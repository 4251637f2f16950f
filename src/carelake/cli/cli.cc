#include "carelake/cli/commands.h"

namespace carelake::cli {

int RunCli(int argc, const char* const* argv, Io& io) {
  CLI::App app{"carelake — a self-hosted healthcare lakehouse", "carelake"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every sub-command");
  int exit_code = kExitOk;
  RegisterVersionCommand(app, io, exit_code);
  RegisterSqlCommand(app, io, exit_code);
  RegisterTableCommand(app, io, exit_code);
  RegisterGenerateCommand(app, io, exit_code);
  RegisterRunCommand(app, io, exit_code);
  RegisterRunsCommand(app, io, exit_code);
  RegisterDqCommand(app, io, exit_code);
  RegisterInitCommand(app, io, exit_code);
  RegisterServeCommand(app, io, exit_code);
  RegisterJobsCommand(app, io, exit_code);
  RegisterUserCommand(app, io, exit_code);
  RegisterCatalogCommand(app, io, exit_code);
  RegisterInferCommand(app, io, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::ParseError& e) {
    app.exit(e, io.out, io.err);
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace carelake::cli
