// `carelake serve`: the long-running process of one project. Today it hosts
// the HTTP server (health, readiness and the run API); the scheduler of
// `jobs:`, alerts, streams and the pgwire server join it as services.
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <variant>
#include <vector>

#include "carelake/base/env_template.h"
#include "carelake/base/process_lock.h"
#include "carelake/cli/commands.h"
#include "carelake/cli/signal_stop.h"
#include "carelake/cli/systemd_notify.h"
#include "carelake/engine/database.h"
#include "carelake/ledger/json.h"
#include "carelake/project/project.h"
#include "carelake/serve/alert_service.h"
#include "carelake/serve/api.h"
#include "carelake/serve/cdc_consumer.h"
#include "carelake/serve/daemon.h"
#include "carelake/serve/file_watcher.h"
#include "carelake/serve/http_service.h"
#include "carelake/serve/job_runner.h"
#include "carelake/serve/pg_service.h"
#include "carelake/serve/reloader.h"
#include "carelake/serve/scheduler.h"
#include "carelake/version.h"

namespace carelake::cli {
namespace {

struct ServeArgs {
  std::string project;
  std::string lake;
  std::string http = "127.0.0.1:8080";
  std::string pg = "127.0.0.1:5433";
  std::string tls_cert;
  std::string tls_key;
  int pg_max_connections = 64;
  std::string pg_session_memory = "1GB";
  std::string log_format = "text";
};

// "HOST:PORT", "[v6]:PORT", or "off" (nullopt host).
Status ParseListen(const std::string& flag, const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return InvalidArgument(flag + ": expected HOST:PORT (e.g. 127.0.0.1:" +
                           (flag == "--pg" ? "5433" : "8080") + ") or off; got '" + text + "'");
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
    return InvalidArgument(flag + ": expected a port 0-65535 after ':'; got '" + text + "'");
  }
  if (host->empty())
    return InvalidArgument(flag + ": expected a host before ':'; got '" + text + "'");
  return Status::Ok();
}

// The daemon's services, in start order: alerts first (the scheduler reports
// to them), the scheduler, what triggers it (files, reloads), the change
// data capture consumer, then HTTP.
struct Services {
  serve::Daemon daemon;
  std::shared_ptr<serve::AlertService> alerts;
  std::shared_ptr<serve::Scheduler> scheduler;
  std::shared_ptr<serve::Reloader> reloader;
  std::shared_ptr<serve::CdcConsumer> cdc;
  std::shared_ptr<serve::HttpService> http;
  std::shared_ptr<serve::PgService> pg;
};

void Compose(Services& s, serve::ProjectHolder& project, const std::string& lake_override,
             engine::Database& db, const serve::Logger& log, const std::string& host, int port,
             bool http_on, const std::optional<pgwire::ServerOptions>& pg) {
  const std::shared_ptr<const project::Project> current = project.Get();
  s.alerts = std::make_shared<serve::AlertService>(project, DefaultClock(),
                                                   serve::AlertServiceOptions{}, log);
  s.scheduler = std::make_shared<serve::Scheduler>(current->jobs, DefaultClock(),
                                                   serve::MakeJobRunner(project, log),
                                                   serve::MakeLastRunLookup(project), log);
  s.scheduler->OnRunEnded([alerts = s.alerts](const project::Job& job, const std::string& trigger,
                                              const serve::JobOutcome& outcome,
                                              bool retry_scheduled) {
    alerts->RunEnded(job, trigger, outcome, retry_scheduled);
  });
  s.reloader = std::make_shared<serve::Reloader>(project, lake_override, *s.scheduler, *s.alerts,
                                                 std::chrono::seconds(1), log);
  s.daemon.Add(s.alerts);
  s.daemon.Add(s.scheduler);
  s.daemon.Add(std::make_shared<serve::FileWatcher>(project, db, *s.scheduler, DefaultClock(),
                                                    std::chrono::seconds(1), log));
  s.daemon.Add(s.reloader);
  // Polls the slots of the `cdc: {continuous: true}` sources (none: idle).
  s.cdc = std::make_shared<serve::CdcConsumer>(project, db, DefaultClock(), log);
  s.daemon.Add(s.cdc);
  if (http_on) {
    s.http = std::make_shared<serve::HttpService>(host, port);
    serve::AddRoutes(*s.http, project, s.daemon, *s.scheduler, s.cdc.get());
    s.daemon.Add(s.http);
  }
  if (pg) {
    s.pg = std::make_shared<serve::PgService>(*pg, project, LocalFileSystem(), log);
    s.daemon.Add(s.pg);
  }
}

// Warns about `${NAME}` references of alerts whose variable is not set now:
// those alerts would fail when sent.
void WarnUnsetVariables(const project::Project& project, const serve::Logger& log) {
  for (const project::AlertTarget& t : project.alerts) {
    std::vector<std::string> texts;
    if (const auto* w = std::get_if<project::WebhookTarget>(&t.channel)) {
      texts.push_back(w->url);
      for (const auto& [key, value] : w->headers) texts.push_back(value);
    } else if (const auto* e = std::get_if<project::EmailTarget>(&t.channel)) {
      texts = {e->smtp, e->from};
      texts.insert(texts.end(), e->to.begin(), e->to.end());
      for (const std::string& name : {e->username_env, e->password_env}) {
        if (!name.empty()) texts.push_back("${" + name + "}");
      }
    } else if (const auto* c = std::get_if<project::CommandTarget>(&t.channel)) {
      texts = c->argv;
    }
    for (const std::string& text : texts) {
      auto names = EnvTemplateNames(text);
      if (!names.ok()) continue;
      for (const std::string& name : *names) {
        if (ProcessEnv()(name) == nullptr) {
          log(serve::Event("warning",
                           "alert " + t.name + " (" + t.origin.ToString() +
                               "): environment variable " + name +
                               " is not set; its alerts will fail until it is",
                           serve::LogLevel::kWarning));
        }
      }
    }
  }
}

int Serve(const ServeArgs& args, Io& io) {
  std::string host;
  int port = 0;
  const bool http_on = args.http != "off";
  if (http_on) {
    if (Status s = ParseListen("--http", args.http, &host, &port); !s.ok()) {
      io.err << "Error: " << s.message() << "\n";
      return kExitUsage;
    }
  }
  std::optional<pgwire::ServerOptions> pg;
  if (args.pg != "off") {
    pg.emplace();
    if (Status s = ParseListen("--pg", args.pg, &pg->host, &pg->port); !s.ok()) {
      io.err << "Error: " << s.message() << "\n";
      return kExitUsage;
    }
    if (args.tls_cert.empty() != args.tls_key.empty()) {
      io.err << "Error: --tls-cert and --tls-key go together\n";
      return kExitUsage;
    }
    pg->tls_cert = args.tls_cert;
    pg->tls_key = args.tls_key;
    pg->max_connections = args.pg_max_connections;
    pg->session_memory_limit = args.pg_session_memory;
    pg->version_suffix = std::string(" (carelake ") + kVersion + ")";
  }
  if (args.log_format != "text" && args.log_format != "json") {
    io.err << "Error: --log-format: expected text or json; got '" << args.log_format << "'\n";
    return kExitUsage;
  }
  // A peer that hangs up (an HTTP client, a webhook, an alert command) is an
  // error to handle where it happens, never a reason for the daemon to die.
  std::signal(SIGPIPE, SIG_IGN);
  // Before any thread starts, so that every thread inherits the mask; SIGHUP
  // asks the reloader (once there is one) for a reload.
  std::atomic<serve::Reloader*> reloader{nullptr};
  SignalStop signals(nullptr, [&reloader] {
    if (serve::Reloader* r = reloader.load()) r->Request("SIGHUP");
  });
  auto loaded = project::LoadProject(args.project, args.lake);
  if (!loaded.ok()) {
    io.err << "Error: " << loaded.status().message() << "\n";
    return kExitUsage;
  }
  // One daemon per project.
  const std::string lock_path = loaded->lake + "/_system/serve.lock";
  LockHolder holder;
  auto lock = ProcessLock::TryAcquire(lock_path, "carelake serve", &holder);
  if (!lock.ok()) {
    if (lock.status().code() == StatusCode::kUnavailable) {
      io.err << "Error: carelake serve is already running for project '" << loaded->name
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
  serve::EventLog events(
      io.err,
      args.log_format == "json" ? serve::EventLog::Format::kJson : serve::EventLog::Format::kText,
      loaded->name, DefaultClock());
  const serve::Logger log = events.logger();
  serve::ProjectHolder project(std::move(*loaded));
  Services services;
  Compose(services, project, args.lake, **db, log, host, port, http_on, pg);
  WarnUnsetVariables(*project.Get(), log);
  if (Status s = services.daemon.Start(); !s.ok()) {
    io.err << "Error: " << s.message() << "\n";
    return kExitFailed;
  }
  reloader = services.reloader.get();
  const std::shared_ptr<const project::Project> current = project.Get();
  log(serve::Event("serving", "serving project '" + current->name + "' (lake " + current->lake +
                                  ", " + std::to_string(current->jobs.size()) + " jobs, " +
                                  std::to_string(current->alerts.size()) + " alerts)"));
  const std::string address =
      services.http ? services.http->host() + ":" + std::to_string(services.http->port()) : "off";
  // `carelake jobs` finds the daemon's address here.
  if (services.http) {
    if (Status s = lock->Update("carelake serve http=" + address); !s.ok()) {
      log(serve::Event("warning", s.message(), serve::LogLevel::kWarning));
    }
  }
  const std::string pg_address =
      services.pg ? services.pg->host() + ":" + std::to_string(services.pg->port()) : "off";
  io.out << "ready http=" << address << " pg=" << pg_address << std::endl;
  NotifyReady("serving project " + current->name + ", http " + address + ", pg " + pg_address);
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
  reloader = nullptr;
  NotifyStopping();
  log(serve::Event("stopping",
                   "stopping (signal " + std::to_string(signals.signal()) +
                       "): no new runs; a running one is interrupted and recorded as cancelled"));
  services.daemon.Stop();
  log(serve::Event("stopped", "stopped"));
  return kExitOk;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run the project's long-running process in the foreground: the scheduler of its\n"
      "jobs:, the HTTP server with /healthz, /readyz and the API, and the PostgreSQL-protocol\n"
      "SQL server (--pg). Prints `ready http=HOST:PORT pg=HOST:PORT` once it accepts\n"
      "requests; SIGINT or SIGTERM stops it (exit 0). One per project.");
  cmd->add_option("--project", args->project, "the project folder (holding carelake.yaml)")
      ->required();
  cmd->add_option("--lake", args->lake, "the lake folder (default: the project's, lake/ in it)");
  cmd->add_option("--http", args->http,
                  "HOST:PORT to listen on (port 0: any free port), or off; binds loopback "
                  "unless told otherwise")
      ->capture_default_str();
  cmd->add_option("--pg", args->pg,
                  "HOST:PORT of the PostgreSQL-protocol SQL server (port 0: any free port), or "
                  "off; users come from `carelake user add`")
      ->capture_default_str();
  cmd->add_option("--tls-cert", args->tls_cert,
                  "PEM certificate for --pg TLS (default: a self-signed one made on first start "
                  "in <lake>/_system/pgwire/)");
  cmd->add_option("--tls-key", args->tls_key, "PEM private key for --tls-cert");
  cmd->add_option("--pg-max-connections", args->pg_max_connections,
                  "SQL sessions at once; one more gets SQLSTATE 53300")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--pg-session-memory", args->pg_session_memory,
                  "memory limit of each SQL session's queries (DuckDB memory_limit)")
      ->capture_default_str();
  cmd->add_option("--log-format", args->log_format,
                  "text (for people) or json (one object per line, for log collectors)")
      ->capture_default_str();
  cmd->callback([args, &io, &exit_code] { exit_code = Serve(*args, io); });
}

}  // namespace carelake::cli
