// `carelake serve`: the long-running process of one project. Today it hosts
// the HTTP server (health, readiness and the run API); the scheduler of
// `jobs:`, alerts, streams and the pgwire server join it as services.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include "carelake/base/process_lock.h"
#include "carelake/cli/commands.h"
#include "carelake/cli/signal_stop.h"
#include "carelake/engine/database.h"
#include "carelake/ledger/json.h"
#include "carelake/project/project.h"
#include "carelake/serve/alert_service.h"
#include "carelake/serve/api.h"
#include "carelake/serve/daemon.h"
#include "carelake/serve/file_watcher.h"
#include "carelake/serve/http_service.h"
#include "carelake/serve/job_runner.h"
#include "carelake/serve/scheduler.h"

namespace carelake::cli {
namespace {

struct ServeArgs {
  std::string project;
  std::string lake;
  std::string http = "127.0.0.1:8080";
};

// "HOST:PORT", "[v6]:PORT", or "off" (nullopt host).
Status ParseListen(const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return InvalidArgument("--http: expected HOST:PORT (e.g. 127.0.0.1:8080) or off; got '" + text +
                           "'");
  }
  *host = text.substr(0, colon);
  if (host->size() > 1 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  try {
    size_t used = 0;
    *port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || *port < 0 || *port > 65535) throw std::out_of_range("");
  } catch (const std::exception&) {
    return InvalidArgument("--http: expected a port 0-65535 after ':'; got '" + text + "'");
  }
  if (host->empty())
    return InvalidArgument("--http: expected a host before ':'; got '" + text + "'");
  return Status::Ok();
}

int Serve(const ServeArgs& args, Io& io) {
  std::string host;
  int port = 0;
  const bool http_on = args.http != "off";
  if (http_on) {
    if (Status s = ParseListen(args.http, &host, &port); !s.ok()) {
      io.err << "Error: " << s.message() << "\n";
      return kExitUsage;
    }
  }
  // Before any thread starts, so that every thread inherits the mask.
  SignalStop signals;
  auto project = project::LoadProject(args.project, args.lake);
  if (!project.ok()) {
    io.err << "Error: " << project.status().message() << "\n";
    return kExitUsage;
  }
  // One daemon per project.
  const std::string lock_path = project->lake + "/_system/serve.lock";
  LockHolder holder;
  auto lock = ProcessLock::TryAcquire(lock_path, "carelake serve", &holder);
  if (!lock.ok()) {
    if (lock.status().code() == StatusCode::kUnavailable) {
      io.err << "Error: carelake serve is already running for project '" << project->name
             << "' (pid " << holder.pid << ", since " << ledger::FormatUtc(holder.since_ms)
             << ")\n";
      return kExitUsage;
    }
    io.err << "Error: " << lock.status().message() << "\n";
    return kExitFailed;
  }
  auto db = engine::Database::OpenInMemory();
  if (!db.ok()) {
    io.err << "Error: " << db.status().message() << "\n";
    return kExitFailed;
  }
  std::mutex log_mu;
  auto log = [&io, &log_mu](const std::string& line) {
    std::lock_guard<std::mutex> l(log_mu);
    io.err << ledger::FormatUtc(DefaultClock().WallMillis()) << " " << line << std::endl;
  };
  serve::Daemon daemon;
  auto alerts = std::make_shared<serve::AlertService>(*project, DefaultClock(),
                                                      serve::AlertServiceOptions{}, log);
  auto scheduler = std::make_shared<serve::Scheduler>(project->jobs, DefaultClock(),
                                                      serve::MakeJobRunner(*project, log),
                                                      serve::MakeLastRunLookup(*project), log);
  scheduler->OnRunEnded([alerts](const project::Job& job, const std::string& trigger,
                                 const serve::JobOutcome& outcome, bool retry_scheduled) {
    alerts->RunEnded(job, trigger, outcome, retry_scheduled);
  });
  daemon.Add(alerts);  // before the scheduler: its runs' ends are alerted
  daemon.Add(scheduler);
  daemon.Add(std::make_shared<serve::FileWatcher>(*project, **db, *scheduler, DefaultClock(),
                                                  std::chrono::seconds(1), log));
  std::shared_ptr<serve::HttpService> http;
  if (http_on) {
    http = std::make_shared<serve::HttpService>(host, port);
    serve::AddRoutes(*http, *project, daemon, *scheduler);
    daemon.Add(http);
  }
  if (Status s = daemon.Start(); !s.ok()) {
    io.err << "Error: " << s.message() << "\n";
    return kExitFailed;
  }
  log("serving project '" + project->name + "' (lake " + project->lake + ", " +
      std::to_string(project->jobs.size()) + " jobs)");

  // `carelake jobs` finds the daemon's address here.
  if (http) {
    if (Status s = lock->Update("carelake serve http=" + http->host() + ":" +
                                std::to_string(http->port()));
        !s.ok()) {
      log("warning: " + s.message());
    }
  }
  io.out << "ready http=" << (http ? http->host() + ":" + std::to_string(http->port()) : "off")
         << std::endl;
  // Until SIGINT or SIGTERM.
  std::mutex mu;
  std::condition_variable cv;
  std::stop_callback wake(signals.token(), [&] {
    { std::lock_guard<std::mutex> l(mu); }  // no wakeup lost between check and wait
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return signals.token().stop_requested(); });
  }
  log("stopping (signal " + std::to_string(signals.signal()) +
      "): no new runs; a running one is interrupted and recorded as cancelled");
  daemon.Stop();
  log("stopped");
  return kExitOk;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run the project's long-running process in the foreground: the scheduler of its\n"
      "jobs: and the HTTP server with /healthz, /readyz and the API (/api/runs, /api/jobs).\n"
      "Prints `ready http=HOST:PORT` once it accepts requests; SIGINT or SIGTERM stops it\n"
      "(exit 0). One per project.");
  cmd->add_option("--project", args->project, "the project folder (holding carelake.yaml)")
      ->required();
  cmd->add_option("--lake", args->lake, "the lake folder (default: the project's, lake/ in it)");
  cmd->add_option("--http", args->http,
                  "HOST:PORT to listen on (port 0: any free port), or off; binds loopback "
                  "unless told otherwise")
      ->capture_default_str();
  cmd->callback([args, &io, &exit_code] { exit_code = Serve(*args, io); });
}

}  // namespace carelake::cli
