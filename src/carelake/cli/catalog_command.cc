// `carelake catalog`: every table of a project's lake — columns, size, last
// commit and origin (catalog/lake_catalog.h), as text or JSON.
#include <memory>
#include <string>

#include "carelake/base/file_system.h"
#include "carelake/catalog/lake_catalog.h"
#include "carelake/cli/commands.h"
#include "carelake/cli/session.h"
#include "carelake/project/project.h"

namespace carelake::cli {
namespace {

struct CatalogArgs {
  std::string project = ".";
  std::string lake;
  bool json_output = false;
};

int RunCatalog(const CatalogArgs& args, Io& io) {
  Result<project::Project> p = project::LoadProject(args.project, args.lake);
  if (!p.ok()) {
    io.err << "Error: " << p.status().message() << "\n";
    return kExitUsage;
  }
  Session s;
  if (Status st = s.Open(); !st.ok()) {
    io.err << "Error: " << st.message() << "\n";
    return kExitFailed;
  }
  auto entries = catalog::ReadLakeCatalog(*p, LocalFileSystem(), *s.conn);
  if (!entries.ok()) {
    io.err << "Error: " << entries.status().message() << "\n";
    return kExitFailed;
  }
  io.out << (args.json_output ? catalog::CatalogJson(*p, *entries)
                              : catalog::CatalogText(*entries));
  return kExitOk;
}

}  // namespace

void RegisterCatalogCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<CatalogArgs>();
  CLI::App* cmd = app.add_subcommand(
      "catalog", "List every table of the lake: columns, PII, size, last commit, origin");
  cmd->add_option("--project", args->project, "the project folder (holding carelake.yaml)")
      ->capture_default_str();
  cmd->add_option("--lake", args->lake, "the lake folder (default: the project's)");
  cmd->add_flag("--json", args->json_output, "print JSON (doc/catalog.md)");
  cmd->callback([args, &io, &exit_code] { exit_code = RunCatalog(*args, io); });
}

}  // namespace carelake::cli
