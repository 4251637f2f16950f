// `carelake infer --source NAME`: profiles the text columns of a source's
// bronze tables and writes a silver declaration to start from
// (infer/profile.h, doc/catalog.md).
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/cli/commands.h"
#include "carelake/cli/session.h"
#include "carelake/infer/lake_profile.h"
#include "carelake/infer/profile.h"
#include "carelake/project/project.h"

namespace carelake::cli {
namespace {

struct InferArgs {
  std::string project = ".";
  std::string lake;
  std::string source;
  std::string table;
  int64_t sample = 100000;
  std::string out;
};

int Fail(const Status& s, Io& io, int code = kExitFailed) {
  io.err << "Error: " << s.message() << "\n";
  return code;
}

int RunInfer(const InferArgs& args, Io& io) {
  if (args.sample < 1) return Fail(InvalidArgument("--sample must be at least 1"), io, kExitUsage);
  Result<project::Project> p = project::LoadProject(args.project, args.lake);
  if (!p.ok()) return Fail(p.status(), io, kExitUsage);
  Session s;
  if (Status st = s.Open(); !st.ok()) return Fail(st, io);
  auto tables = infer::SourceTables(*p, args.source, args.table, LocalFileSystem());
  if (!tables.ok()) return Fail(tables.status(), io, kExitUsage);
  std::vector<infer::TableProfile> profiles;
  for (const catalog::CatalogTable& t : *tables) {
    auto profile = infer::ProfileTable(t, args.source, args.sample, LocalFileSystem(), *s.conn);
    if (!profile.ok()) return Fail(profile.status().WithContext(t.Qualified()), io);
    io.err << t.Qualified() << ": " << profile->rows_sampled << " rows sampled, "
           << profile->columns.size() << " text columns profiled\n";
    profiles.push_back(std::move(*profile));
  }
  const std::string yaml = infer::SilverYaml(profiles);
  if (args.out.empty()) {
    io.out << yaml;
    return kExitOk;
  }
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  out << yaml;
  out.close();
  if (!out) return Fail(Internal("cannot write '" + args.out + "'"), io);
  io.err << "wrote " << args.out << "\n";
  return kExitOk;
}

}  // namespace

void RegisterInferCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<InferArgs>();
  CLI::App* cmd = app.add_subcommand(
      "infer",
      "Profile a source's text bronze tables and write a silver declaration to start from");
  cmd->add_option("--source", args->source, "the source whose bronze tables to profile")
      ->required();
  cmd->add_option("--table", args->table, "only this table of a database source");
  cmd->add_option("--project", args->project, "the project folder (holding carelake.yaml)")
      ->capture_default_str();
  cmd->add_option("--lake", args->lake, "the lake folder (default: the project's)");
  cmd->add_option("--sample", args->sample, "profile at most N rows of each table")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "write the YAML to FILE instead of standard output");
  cmd->callback([args, &io, &exit_code] { exit_code = RunInfer(*args, io); });
}

}  // namespace carelake::cli
