// `carelake runs` (the run history) and `carelake dq report` (the
// data-quality report of one run), both read from the project's run ledger.
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "carelake/base/file_system.h"
#include "carelake/cli/commands.h"
#include "carelake/cli/result_printer.h"
#include "carelake/cli/session.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/project/project.h"
#include "carelake/quality/render.h"
#include "carelake/quality/report_loader.h"

namespace carelake::cli {
namespace {

struct RunsArgs {
  std::string project = ".";
  std::string lake;
  size_t limit = 20;
  std::string format = "table";
};

struct DqReportArgs {
  std::string project = ".";
  std::string lake;
  std::string run;
  std::string html;
  std::string format = "table";
};

// An engine session on a project's ledger (the ledger, declared last, goes
// first).
struct LedgerSession {
  project::Project project;
  Session engine;
  std::optional<quality::ReportLoader> ledger;
};

// Opens the project and its ledger; on failure reports it on io.err and
// sets `exit_code` (2 for a bad project, 1 otherwise).
std::unique_ptr<LedgerSession> OpenLedger(const std::string& dir, const std::string& lake, Io& io,
                                          int& exit_code) {
  auto session = std::make_unique<LedgerSession>();
  Result<project::Project> p = project::LoadProject(dir, lake);
  if (!p.ok()) {
    io.err << "Error: " << p.status().message() << "\n";
    exit_code = kExitUsage;
    return nullptr;
  }
  session->project = std::move(*p);
  exit_code = kExitFailed;
  if (Status s = session->engine.Open(); !s.ok()) {
    io.err << "Error: " << s.message() << "\n";
    return nullptr;
  }
  auto ledger =
      quality::ReportLoader::Open(session->project, LocalFileSystem(), *session->engine.conn);
  if (!ledger.ok()) {
    io.err << "Error: " << ledger.status().message() << "\n";
    return nullptr;
  }
  session->ledger.emplace(std::move(*ledger));
  exit_code = kExitOk;
  return session;
}

int Runs(const RunsArgs& args, Io& io) {
  Result<OutputFormat> format = ParseOutputFormat(args.format);
  if (!format.ok()) {
    io.err << "Error: " << format.status().message() << "\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::unique_ptr<LedgerSession> session = OpenLedger(args.project, args.lake, io, exit_code);
  if (session == nullptr) return exit_code;
  if (!session->ledger->has_runs()) {
    if (*format == OutputFormat::kJson) io.out << "[]\n";
    io.err << "no runs yet: carelake run --project " << args.project << "\n";
    return kExitOk;
  }
  const bool table = *format == OutputFormat::kTable;
  auto result =
      session->engine.conn->Query(ledger::Reader::RunHistorySql(args.limit, /*blank_nulls=*/table));
  if (!result.ok()) {
    io.err << "Error: reading the run ledger: " << result.status().message() << "\n";
    return kExitFailed;
  }
  PrintOptions print;
  print.format = *format;
  print.max_table_rows = 0;
  if (Status s = PrintResult(*result, print, io.out); !s.ok()) {
    io.err << "Error: " << s.message() << "\n";
    return kExitFailed;
  }
  io.out.flush();
  if (table && args.limit > 0) {
    auto total = session->ledger->CountRuns();
    if (total.ok() && *total > static_cast<int64_t>(args.limit)) {
      io.err << "(the " << args.limit << " newest of " << *total
             << " runs; --limit 0 shows them all)\n";
    }
  }
  return kExitOk;
}

int DqReport(const DqReportArgs& args, Io& io) {
  if (args.format != "table" && args.format != "json") {
    io.err << "Error: --format: expected table or json, got '" << args.format << "'\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::unique_ptr<LedgerSession> session = OpenLedger(args.project, args.lake, io, exit_code);
  if (session == nullptr) return exit_code;
  std::optional<std::string> run_id;
  if (!args.run.empty()) run_id = args.run;
  const quality::PiiMasker masker = quality::PiiMasker::ForProject(session->project);
  Result<quality::QualityReport> report = session->ledger->LoadReport(run_id, masker);
  if (!report.ok()) {
    if (report.status().code() != StatusCode::kNotFound) {
      io.err << "Error: " << report.status().message() << "\n";
      return kExitFailed;
    }
    if (run_id) {
      io.err << "Error: unknown run '" << *run_id << "' (carelake runs --project " << args.project
             << " lists the runs)\n";
      return kExitUsage;
    }
    io.err << "Error: " << report.status().message() << ": carelake run --project " << args.project
           << "\n";
    return kExitFailed;
  }
  if (!args.html.empty()) {
    std::ofstream out(args.html, std::ios::binary | std::ios::trunc);
    out << quality::RenderHtml(*report);
    out.close();
    if (!out) {
      io.err << "Error: cannot write the HTML report to '" << args.html << "'\n";
      return kExitFailed;
    }
  }
  io.out << (args.format == "json" ? quality::RenderJson(*report) : quality::RenderText(*report));
  io.out.flush();
  if (!args.html.empty()) io.err << "wrote the HTML report to " << args.html << "\n";
  return kExitOk;
}

}  // namespace

void RegisterRunsCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<RunsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "runs",
      "List a project's runs from its run ledger, newest first: when each started (UTC),\n"
      "its status and duration, rows written and quarantined, whether it committed\n"
      "anything, and where a failed run stopped.");
  cmd->add_option("--project", args->project, "the project folder (holding carelake.yaml)")
      ->capture_default_str();
  cmd->add_option("--lake", args->lake, "the lake folder (default: the project's)");
  cmd->add_option("--limit", args->limit, "show the N newest runs (0 = all)")
      ->capture_default_str();
  cmd->add_option("--format", args->format, "output format: table, csv or json")
      ->capture_default_str();
  cmd->callback([args, &io, &exit_code] { exit_code = Runs(*args, io); });
}

void RegisterDqCommand(CLI::App& app, Io& io, int& exit_code) {
  CLI::App* dq = app.add_subcommand("dq", "Data-quality reports from the run ledger");
  dq->require_subcommand(1);
  auto args = std::make_shared<DqReportArgs>();
  CLI::App* cmd = dq->add_subcommand(
      "report",
      "The data-quality report of one run (default: the latest run with expectation\n"
      "results): per table the row account and every rule's checked and failing rows,\n"
      "bronze quarantines per source, and failing example rows with PII values masked.\n"
      "Exit status 0 when the report was produced, even if rules failed.");
  cmd->add_option("--project", args->project, "the project folder (holding carelake.yaml)")
      ->capture_default_str();
  cmd->add_option("--lake", args->lake, "the lake folder (default: the project's)");
  cmd->add_option("--run", args->run, "the run id (see carelake runs)");
  cmd->add_option("--html", args->html,
                  "also write a self-contained HTML report (with trends) to FILE");
  cmd->add_option("--format", args->format, "output format: table or json")->capture_default_str();
  cmd->callback([args, &io, &exit_code] { exit_code = DqReport(*args, io); });
}

}  // namespace carelake::cli
