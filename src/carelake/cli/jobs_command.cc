// `carelake jobs`: the project's jobs and, when `carelake serve` runs for
// the project, their state from it (GET /api/jobs); `carelake jobs trigger
// NAME` queues a run in the daemon (POST /api/jobs/NAME/trigger). The
// daemon's address comes from its lock file (<lake>/_system/serve.lock).
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "carelake/base/clock.h"
#include "carelake/base/process_lock.h"
#include "carelake/cli/commands.h"
#include "carelake/ledger/json.h"
#include "carelake/project/project.h"
#include "carelake/schedule/cron.h"

namespace carelake::cli {
namespace {

using nlohmann::ordered_json;

struct JobsArgs {
  std::string project;
  std::string lake;
  bool json = false;
  std::string job;  // for `trigger`
};

struct DaemonAddress {
  int64_t pid = 0;
  std::string host;
  int port = 0;
};

// The running daemon of the project, from its lock; nullopt when none runs
// (or it serves no HTTP).
std::optional<DaemonAddress> FindDaemon(const project::Project& project) {
  std::optional<LockHolder> holder = ProcessLock::Holder(project.lake + "/_system/serve.lock");
  if (!holder) return std::nullopt;
  const std::string key = "http=";
  const size_t at = holder->what.find(key);
  if (at == std::string::npos) return std::nullopt;
  const std::string address = holder->what.substr(at + key.size());
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  DaemonAddress d;
  d.pid = holder->pid;
  d.host = address.substr(0, colon);
  try {
    d.port = std::stoi(address.substr(colon + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (d.host == "0.0.0.0") d.host = "127.0.0.1";
  if (d.host == "::") d.host = "::1";
  return d;
}

// The jobs as the project declares them (no daemon to ask).
ordered_json DeclaredJobs(const project::Project& project) {
  ordered_json out = ordered_json::array();
  const int64_t now = DefaultClock().WallMillis();
  for (const project::Job& j : project.jobs) {
    ordered_json next;
    if (!j.schedule.empty()) {
      auto cron = schedule::CronSchedule::Parse(j.schedule);
      auto zone = schedule::TimeZone::Find(j.timezone);
      if (cron.ok() && zone.ok()) next = ledger::FormatUtc(cron->NextAfter(now, *zone));
    }
    out.push_back({{"name", j.name}, {"next_fire_at", next}, {"queued", false}, {"last", nullptr}});
  }
  return out;
}

void PrintJobs(const ordered_json& jobs, Io& io) {
  if (jobs.empty()) {
    io.out << "no jobs (declare them under jobs: in carelake.yaml)\n";
    return;
  }
  for (const ordered_json& j : jobs) {
    io.out << j["name"].get<std::string>();
    if (!j["next_fire_at"].is_null()) io.out << "  next " << j["next_fire_at"].get<std::string>();
    if (j["queued"].get<bool>()) io.out << "  queued";
    if (j.contains("retry_at") && !j["retry_at"].is_null()) {
      io.out << "  retry at " << j["retry_at"].get<std::string>();
    }
    const ordered_json& last = j["last"];
    if (!last.is_null()) {
      io.out << "  last: " << (last["succeeded"].get<bool>() ? "succeeded" : "failed") << " ("
             << last["trigger"].get<std::string>() << ")";
      if (!last["run_id"].is_null()) io.out << " run " << last["run_id"].get<std::string>();
    }
    io.out << "\n";
  }
}

int ListJobs(const JobsArgs& args, Io& io) {
  auto project = project::LoadProject(args.project, args.lake);
  if (!project.ok()) {
    io.err << "Error: " << project.status().message() << "\n";
    return kExitUsage;
  }
  ordered_json jobs = DeclaredJobs(*project);
  if (std::optional<DaemonAddress> d = FindDaemon(*project)) {
    httplib::Client http(d->host, d->port);
    auto r = http.Get("/api/jobs");
    if (r && r->status == 200) {
      jobs = ordered_json::parse(r->body);
    } else {
      io.err << "warning: carelake serve (pid " << d->pid << ") did not answer on " << d->host
             << ":" << d->port << "; showing the declared jobs\n";
    }
  } else {
    io.err << "carelake serve is not running for project '" << project->name
           << "': jobs run only under it\n";
  }
  if (args.json) {
    io.out << jobs.dump(2) << "\n";
  } else {
    PrintJobs(jobs, io);
  }
  return kExitOk;
}

int TriggerJob(const JobsArgs& args, Io& io) {
  auto project = project::LoadProject(args.project, args.lake);
  if (!project.ok()) {
    io.err << "Error: " << project.status().message() << "\n";
    return kExitUsage;
  }
  std::optional<DaemonAddress> d = FindDaemon(*project);
  if (!d) {
    io.err << "Error: no carelake serve is running for project '" << project->name
           << "' (with HTTP); start it with `carelake serve --project " << args.project << "`\n";
    return kExitFailed;
  }
  httplib::Client http(d->host, d->port);
  auto r = http.Post("/api/jobs/" + args.job + "/trigger");
  if (!r) {
    io.err << "Error: carelake serve (pid " << d->pid << ") did not answer on " << d->host << ":"
           << d->port << "\n";
    return kExitFailed;
  }
  if (r->status == 404) {
    io.err << "Error: no job '" << args.job << "' in project '" << project->name << "'\n";
    return kExitFailed;
  }
  if (r->status != 202) {
    io.err << "Error: carelake serve answered " << r->status << ": " << r->body << "\n";
    return kExitFailed;
  }
  io.err << "queued job " << args.job << " in carelake serve (pid " << d->pid << ")\n";
  return kExitOk;
}

}  // namespace

void RegisterJobsCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<JobsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "jobs",
      "List the project's jobs: next fire time, queued, last outcome (from the running\n"
      "carelake serve, or as declared when it does not run).");
  cmd->add_option("--project", args->project, "the project folder (holding carelake.yaml)");
  cmd->add_option("--lake", args->lake, "the lake folder (default: the project's, lake/ in it)");
  cmd->add_flag("--json", args->json, "print JSON");
  CLI::App* trigger = cmd->add_subcommand("trigger", "Queue a run of job NAME in carelake serve.");
  trigger->add_option("NAME", args->job, "the job")->required();
  trigger->add_option("--project", args->project, "the project folder");
  trigger->add_option("--lake", args->lake, "the lake folder");
  cmd->callback([args, &io, &exit_code, trigger] {
    if (args->project.empty()) {
      io.err << "Error: --project is required\n";
      exit_code = kExitUsage;
      return;
    }
    exit_code = trigger->parsed() ? TriggerJob(*args, io) : ListJobs(*args, io);
  });
}

}  // namespace carelake::cli
