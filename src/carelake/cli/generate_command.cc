// `carelake generate ...`: synthetic source data for the example systems.
#include <chrono>
#include <memory>
#include <ostream>

#include "carelake/cli/commands.h"
#include "carelake/generate/lumia.h"

namespace carelake::cli {

namespace {

int RunLumia(const generate::LumiaOptions& options, Io& io) {
  const auto start = std::chrono::steady_clock::now();
  auto progress = [&io](int64_t n) {
    if (io.out_is_terminal) io.err << "\r" << n << " records" << std::flush;
  };
  auto summary = generate::GenerateLumia(options, progress);
  if (io.out_is_terminal) io.err << "\r";
  if (!summary.ok()) {
    io.err << "Error: " << summary.status().message() << "\n";
    return summary.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  io.out << "wrote " << summary->records << " Lumia records in " << summary->files.size()
         << " files to " << options.out_dir << " (" << summary->bytes / 1024 << " KiB, "
         << static_cast<int64_t>(seconds * 1000) << " ms)\n";
  if (options.dirt > 0) {
    io.out << "dirt: " << summary->dirty_records << " records with a missing or bad field, "
           << "1 truncated document holding " << summary->truncated_records << " records\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterGenerateCommand(CLI::App& app, Io& io, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("generate", "Write synthetic source data (no real patients)");
  cmd->require_subcommand(1);
  auto lumia = std::make_shared<generate::LumiaOptions>();
  CLI::App* l = cmd->add_subcommand(
      "lumia", "Lumia chatbot interactions as JSON array documents, shaped like seed 000's");
  l->add_option("--out", lumia->out_dir, "folder to write the documents into")->required();
  l->add_option("--records", lumia->records, "number of records")->capture_default_str();
  l->add_option("--seed", lumia->seed, "random seed: the same seed writes the same bytes")
      ->capture_default_str();
  l->add_option("--files", lumia->files, "number of documents to spread the records over")
      ->capture_default_str();
  l->add_option("--first-id", lumia->first_id, "the first record's id (ids count up from it)")
      ->capture_default_str();
  l->add_option("--dirt", lumia->dirt,
                "fraction of records with a missing or bad field; also writes one truncated "
                "document")
      ->capture_default_str();
  l->callback([lumia, &io, &exit_code] { exit_code = RunLumia(*lumia, io); });
}

}  // namespace carelake::cli
