// `carelake generate ...`: synthetic source data for the example systems.
#include <chrono>
#include <iomanip>
#include <memory>
#include <ostream>

#include "carelake/cli/commands.h"
#include "carelake/generate/lumia.h"
#include "carelake/generate/mha.h"

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

int RunMha(const generate::MhaOptions& options, Io& io) {
  const auto start = std::chrono::steady_clock::now();
  auto summary = generate::GenerateMha(options);
  if (!summary.ok()) {
    io.err << "Error: " << summary.status().message() << "\n";
    return summary.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const generate::MhaSummary& s = *summary;
  io.out << "wrote MHA run " << s.run << ": " << s.files.size() << " files to " << options.out_dir
         << " (" << s.bytes / 1024 << " KiB, " << static_cast<int64_t>(seconds * 1000) << " ms)\n";
  io.out << "events: " << s.lines << " lines in " << options.batches << " batches (" << s.admissions
         << " admissions, " << s.discharges << " discharges, " << s.still_admitted
         << " still admitted), event ids EV" << std::setfill('0') << std::setw(9)
         << s.first_event_id << "..EV" << std::setw(9) << s.last_event_id << std::setfill(' ')
         << "\n";
  io.out << "dirt: " << s.missing_admission_time << " missing admission time, " << s.age_over_100
         << " age over 100, " << s.age_below_0 << " age below 0, " << s.duplicate_events
         << " duplicate events, " << s.future_timestamps << " future timestamps, "
         << s.discharge_before_admission << " discharges before admission\n";
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

  auto mha = std::make_shared<generate::MhaOptions>();
  CLI::App* m = cmd->add_subcommand(
      "mha",
      "MHA hospital admission/discharge events (NDJSON micro-batches), daily EHR extracts and "
      "department metadata, shaped like seed 004's; a second call into the same folder "
      "continues where the last one stopped");
  m->add_option("--out", mha->out_dir, "folder to write into")->required();
  m->add_option("--events", mha->events, "number of events (duplicates come on top)")
      ->capture_default_str();
  m->add_option("--seed", mha->seed, "random seed: the same seed writes the same bytes")
      ->capture_default_str();
  m->add_option("--batches", mha->batches, "number of event files (micro-batches)")
      ->capture_default_str();
  m->add_option("--dirt", mha->dirt,
                "fraction of events made dirty (missing admission time, age over 100 or below "
                "0, duplicate, future timestamp, discharge before admission)")
      ->capture_default_str();
  m->callback([mha, &io, &exit_code] { exit_code = RunMha(*mha, io); });
}

}  // namespace carelake::cli
