// `carelake run`: runs a project's pipeline, with a progress display on a
// terminal, plain log lines otherwise, and an optional JSON summary.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/format.h"
#include "carelake/cli/commands.h"
#include "carelake/cli/session.h"
#include "carelake/cli/signal_stop.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/ledger/json.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"
#include "carelake/quality/render.h"
#include "carelake/quality/report_loader.h"

namespace carelake::cli {
namespace {

using json = nlohmann::ordered_json;
using pipeline::StepReport;
using pipeline::StepStatus;

struct RunArgs {
  std::string project = ".";
  std::string lake;
  std::vector<std::string> select;
  bool full_refresh = false;
  bool dry_run = false;
  bool json = false;
  bool wait = false;
  std::string report_dir;  // --report: the run's data-quality report as HTML and JSON
};

// Writes the data-quality report of `run_id` to <dir>/<run_id>.html and
// .json; a message on io.err either way.
bool WriteRunReport(const project::Project& project, engine::Connection& conn,
                    const std::string& run_id, const std::string& dir, Io& io) {
  auto ledger = quality::ReportLoader::Open(project, LocalFileSystem(), conn);
  Result<quality::QualityReport> report =
      ledger.ok() ? ledger->LoadReport(run_id, quality::PiiMasker::ForProject(project))
                  : Result<quality::QualityReport>(ledger.status());
  if (!report.ok()) {
    io.err << "Error: the data-quality report of run " << run_id << ": "
           << report.status().message() << "\n";
    return false;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string base = (std::filesystem::path(dir) / run_id).string();
  for (const auto& [path, text] : {std::pair{base + ".html", quality::RenderHtml(*report)},
                                   std::pair{base + ".json", quality::RenderJson(*report)}}) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      io.err << "Error: cannot write the data-quality report to '" << path << "'\n";
      return false;
    }
  }
  io.err << "data-quality report: " << base << ".html, " << base << ".json\n";
  return true;
}

std::string Clock() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%H:%M:%SZ", &tm);
  return buf;
}

// "read 1,000 → kept 990 · quarantined 10 · fixed 3"
std::string Counts(const StepReport& s) {
  std::string out;
  auto add = [&](const char* label, int64_t n, bool always = false) {
    if (n == 0 && !always) return;
    out += (out.empty() ? "" : " · ") + std::string(label) + " " + WithThousands(n);
  };
  if (s.kind == pipeline::ToString(pipeline::StepKind::kIngest)) {
    add("files", s.files, true);
    add("records", s.rows_written, true);
  } else {
    add("read", s.rows_read, true);
    add("written", s.rows_written, true);
  }
  add("quarantined", s.rows_quarantined);
  add("dropped", s.rows_dropped);
  add("deduplicated", s.rows_deduplicated);
  add("fixed", s.rows_fixed);
  add("warned", s.rows_warned);
  return out;
}

// --dry-run: what would run and why; nothing is read but logs and folder
// listings, nothing is written.
int DryRun(const RunArgs& args, const project::Project& project, engine::Connection& conn, Io& io) {
  pipeline::RunOptions options;
  options.select = args.select;
  options.full_refresh = args.full_refresh;
  auto forecast = pipeline::ForecastRun(project, options, LocalFileSystem(), conn);
  if (!forecast.ok()) {
    io.err << "Error: " << forecast.status().message() << "\n";
    return kExitFailed;
  }
  bool failing = false;
  if (args.json) {
    json steps = json::array();
    for (const pipeline::StepForecast& f : *forecast) {
      json j = {{"step", f.name}, {"kind", pipeline::ToString(f.kind)}, {"runs", f.runs}};
      if (f.mode != model::BuildMode::kNone) j["mode"] = model::ToString(f.mode);
      j["reason"] = f.reason;
      if (!f.error.empty()) j["error"] = f.error;
      failing = failing || !f.error.empty();
      steps.push_back(std::move(j));
    }
    io.out << json({{"project", project.name}, {"dry_run", true}, {"steps", steps}}).dump(2)
           << "\n";
  } else {
    size_t width = 0;
    for (const pipeline::StepForecast& f : *forecast) width = std::max(width, f.name.size());
    int runs = 0;
    for (const pipeline::StepForecast& f : *forecast) {
      std::string name = f.name;
      name.resize(width, ' ');
      if (!f.error.empty()) {
        failing = true;
        io.out << "would fail  " << name << "  " << f.error << "\n";
      } else if (f.runs) {
        ++runs;
        io.out << "would run   " << name << "  " << model::ToString(f.mode) << ": " << f.reason
               << "\n";
      } else {
        io.out << "up to date  " << name << "  " << f.reason << "\n";
      }
    }
    const size_t fails = static_cast<size_t>(
        std::count_if(forecast->begin(), forecast->end(),
                      [](const pipeline::StepForecast& f) { return !f.error.empty(); }));
    io.err << "dry run: " << runs << " of " << forecast->size() << " steps would run"
           << (fails ? ", " + std::to_string(fails) + " would fail" : "")
           << "; nothing was written\n";
  }
  return failing ? kExitFailed : kExitOk;
}

int Run(const RunArgs& args, Io& io) {
  auto project = project::LoadProject(args.project, args.lake);
  if (!project.ok()) {
    io.err << "Error: " << project.status().message() << "\n";
    return kExitUsage;
  }
  // Before the database starts its threads: they inherit the blocked signals.
  SignalStop signals([&io](int signal) {
    io.err << "\n"
           << (signal == SIGINT ? "interrupt" : "terminate")
           << ": stopping at a safe point (the run is recorded as cancelled; again to quit "
              "at once)\n"
           << std::flush;
  });
  Session session;
  if (Status s = session.Open(); !s.ok()) {
    io.err << "Error: " << s.message() << "\n";
    return kExitFailed;
  }
  if (args.dry_run) return DryRun(args, *project, *session.conn, io);
  const bool live = isatty(STDERR_FILENO) != 0 && !args.json;
  pipeline::RunOptions options;
  options.select = args.select;
  options.full_refresh = args.full_refresh;
  options.stop = signals.token();
  options.wait_for_other_run = args.wait;
  size_t total = 0;
  if (auto steps = pipeline::PlanSteps(*project, *session.conn); steps.ok()) {
    auto chosen = pipeline::SelectSteps(*steps, args.select);
    if (!chosen.ok()) {  // a mistyped --select is bad usage, not a failed run
      io.err << "Error: " << chosen.status().message() << "\n";
      return kExitUsage;
    }
    total = chosen->size();
  }
  size_t index = 0;
  options.on_step = [&](const StepReport& s, bool done) {
    if (!done) {
      ++index;
      if (live) {
        io.err << "\r\033[K[" << index << "/" << total << "] " << s.name << " …" << std::flush;
      } else {
        io.err << Clock() << " start " << s.name << "\n";
      }
      return;
    }
    const char* mark = s.status == StepStatus::kFailed      ? "✗"
                       : s.status == StepStatus::kCommitted ? "✓"
                                                            : "·";
    std::string line = std::string(live ? mark : ledger::ToString(s.status).c_str()) + " " +
                       s.name + "  " + Counts(s) + "  (" + FormatSeconds(s.duration_ms) + ")";
    // "incremental: new data in bronze.x (version 3 -> 5)", then what happened
    // (said once when the two are the same, as for new files).
    const bool same =
        s.mode != model::BuildMode::kNone && !s.reason.empty() && s.message.rfind(s.reason, 0) == 0;
    if (s.mode != model::BuildMode::kNone) {
      line += "\n    " + model::ToString(s.mode) + (same ? "" : ": " + s.reason);
    }
    if (!s.message.empty()) line += (same ? ": " : "\n    ") + s.message;
    if (live) {
      io.err << "\r\033[K[" << index << "/" << total << "] " << line << "\n";
    } else {
      io.err << Clock() << " " << line << "\n";
    }
  };
  options.on_progress = [&](const std::string& line) {
    if (live) {
      io.err << "\r\033[K[" << index << "/" << total << "] " << line << std::flush;
    } else {
      io.err << Clock() << "   " << line << "\n";
    }
  };
  if (!args.json) {
    io.err << "run of project '" << project->name << "' (lake " << project->lake << ")"
           << (args.full_refresh ? ", full refresh" : "") << "\n";
  }
  auto report = pipeline::RunProject(*project, options, LocalFileSystem(), *session.conn);
  if (!report.ok()) {
    io.err << "Error: " << report.status().message() << "\n";
    return kExitFailed;
  }
  int64_t quarantined = 0;
  for (const StepReport& s : report->steps) quarantined += s.rows_quarantined;
  if (args.json) {
    json steps = json::array();
    for (const StepReport& s : report->steps) steps.push_back(ledger::ToJson(s));
    json rules = json::array();
    for (const auto& r : report->rules) {
      rules.push_back({{"table", r.table},
                       {"rule", r.rule},
                       {"action", project::ToString(r.action)},
                       {"rows_checked", r.rows_checked},
                       {"rows_failed", r.rows_failed}});
    }
    json summary = {{"run_id", report->run_id},
                    {"project", project->name},
                    {"status", report->succeeded   ? "succeeded"
                               : report->cancelled ? "cancelled"
                                                   : "failed"},
                    {"committed", report->CommittedAnything()},
                    {"duration_ms", report->duration_ms},
                    {"steps", steps},
                    {"expectations", rules}};
    if (!report->succeeded) {
      summary["failed_step"] = report->failed_step;
      if (!report->failed_rule.empty()) summary["failed_rule"] = report->failed_rule;
      summary["error"] = report->error;
    }
    io.out << summary.dump(2) << "\n";
  } else if (report->succeeded) {
    io.err << (report->CommittedAnything()
                   ? "run " + report->run_id + " succeeded"
                   : "nothing new: run " + report->run_id + " committed nothing")
           << " in " << FormatSeconds(report->duration_ms)
           << (quarantined
                   ? " — " + WithThousands(quarantined) +
                         " rows quarantined (carelake dq report --project " + args.project + ")"
                   : "")
           << "\n";
  } else if (report->cancelled) {
    io.err << "run " << report->run_id << " CANCELLED in " << report->failed_step
           << ": what earlier steps committed stays; the next run completes the work\n";
  } else {
    io.err << "run " << report->run_id << " FAILED";
    if (!report->failed_step.empty()) io.err << " at " << report->failed_step;
    if (!report->failed_rule.empty()) io.err << " (rule '" << report->failed_rule << "')";
    io.err << ": " << report->error << "\n";
  }
  bool reported = true;
  if (!args.report_dir.empty()) {
    reported = WriteRunReport(*project, *session.conn, report->run_id, args.report_dir, io);
  }
  if (report->cancelled) return signals.ExitStatus() != 0 ? signals.ExitStatus() : kExitFailed;
  return report->succeeded && reported ? kExitOk : kExitFailed;
}

}  // namespace

void RegisterRunCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run a project's pipeline: ingest new files into bronze, conform silver, build gold.\n"
      "Only what is new since the last run is processed; a run with nothing new commits\n"
      "nothing. Exit status 1 when a step or a `fail` expectation fails.");
  cmd->add_option("--project", args->project, "the project folder (holding carelake.yaml)")
      ->capture_default_str();
  cmd->add_option("--lake", args->lake, "the lake folder (default: the project's, lake/ in it)");
  cmd->add_option("-s,--select", args->select,
                  "run only these tables: NAME, NAME+ (and downstream), +NAME (and upstream)");
  cmd->add_flag("--full-refresh", args->full_refresh, "rebuild silver and gold from bronze");
  cmd->add_flag("--dry-run", args->dry_run,
                "list what would run and why (new files, new upstream versions, changed\n"
                "definitions), without running or writing anything");
  cmd->add_flag("--json", args->json, "print a JSON summary on standard output");
  cmd->add_flag("--wait", args->wait,
                "when another run of the project is in progress, wait for it to end (default: "
                "exit 1 naming it)");
  cmd->add_option("--report", args->report_dir,
                  "also write the run's data-quality report to DIR/<run id>.html and .json");
  cmd->callback([args, &io, &exit_code] { exit_code = Run(*args, io); });
}

}  // namespace carelake::cli
