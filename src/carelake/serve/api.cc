#include "carelake/serve/api.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "carelake/base/file_system.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/ledger/json.h"
#include "carelake/ledger/reader.h"
#include "carelake/serve/own_ledger.h"

namespace carelake::serve {
namespace {

using nlohmann::ordered_json;

HttpResponse Json(int status, const ordered_json& body) {
  return {status, "application/json",
          body.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n"};
}

HttpResponse Error(int status, const std::string& message) {
  return Json(status, {{"error", message}});
}

bool OnLoopback(const HttpRequest& r) {
  return r.remote_addr == "127.0.0.1" || r.remote_addr == "::1" ||
         r.remote_addr.rfind("::ffff:127.", 0) == 0;
}

// A status from reading the ledger as an HTTP answer (messages name tables,
// never data).
HttpResponse Failure(const Status& s) {
  return Error(s.code() == StatusCode::kNotFound ? 404 : 500, s.message());
}

HttpResponse Runs(const HttpRequest& r, const project::Project& project) {
  size_t limit = 50;
  if (auto it = r.query.find("limit"); it != r.query.end()) {
    try {
      const long long n = std::stoll(it->second);
      if (n < 0) throw std::invalid_argument("negative");
      limit = static_cast<size_t>(n);
    } catch (const std::exception&) {
      return Error(400, "limit: expected a whole number >= 0 (0: all); got '" + it->second + "'");
    }
  }
  auto ledger = OwnLedger::Open(project);
  if (!ledger.ok()) return Failure(ledger.status());
  ledger::Reader* reader = &ledger->reader();
  auto runs = reader->Runs({.limit = limit});
  if (!runs.ok()) return Failure(runs.status());
  ordered_json out = ordered_json::array();
  for (const ledger::RunRecord& run : *runs) out.push_back(ledger::ToJson(run));
  return Json(200, out);
}

HttpResponse Run(const HttpRequest& r, const project::Project& project) {
  auto ledger = OwnLedger::Open(project);
  if (!ledger.ok()) return Failure(ledger.status());
  ledger::Reader* reader = &ledger->reader();
  const std::string& id = r.matches.at(0);
  auto run = reader->FindRun(id);
  if (!run.ok()) return Failure(run.status());
  if (!run->has_value()) return Error(404, "no run '" + id + "' in the run ledger");
  auto steps = reader->Steps(id);
  if (!steps.ok()) return Failure(steps.status());
  ordered_json list = ordered_json::array();
  for (const ledger::StepRecord& s : *steps) list.push_back(ledger::ToJson(s));
  return Json(200, {{"run", ledger::ToJson(**run)}, {"steps", list}});
}

ordered_json JobsJson(const Scheduler& scheduler) {
  ordered_json out = ordered_json::array();
  for (const Scheduler::JobState& j : scheduler.States()) {
    ordered_json last;
    if (j.last) {
      last = {{"run_id", j.last->run_id.empty() ? ordered_json() : ordered_json(j.last->run_id)},
              {"succeeded", j.last->succeeded},
              {"trigger", j.last_trigger},
              {"error", j.last->error.empty() ? ordered_json() : ordered_json(j.last->error)}};
    }
    out.push_back(
        {{"name", j.name},
         {"next_fire_at",
          j.next_fire_ms ? ordered_json(ledger::FormatUtc(*j.next_fire_ms)) : ordered_json()},
         {"queued", j.queued},
         {"retry_at",
          j.retry_at_ms ? ordered_json(ledger::FormatUtc(*j.retry_at_ms)) : ordered_json()},
         {"last", last}});
  }
  return out;
}

// A Prometheus label value: backslash, double quote and newline escaped.
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Seconds(int64_t ms) {
  return std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
}

void Family(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

// Step durations, the age of each source's newest data, alert deliveries.
Status MoreLedgerMetrics(const project::Project& project, ledger::Reader& reader,
                         std::string& out) {
  static const std::vector<int64_t> kBoundsMs = {100,    500,    1'000,  2'500,   5'000,
                                                 10'000, 30'000, 60'000, 300'000, 1'800'000};
  CARELAKE_ASSIGN_OR_RETURN(auto histograms, reader.StepDurations(kBoundsMs));
  Family(out, "carelake_step_duration_seconds", "histogram",
         "How long each pipeline step took, over all recorded runs.");
  for (const auto& h : histograms) {
    const std::string step = "step=\"" + Label(h.step) + "\"";
    for (size_t i = 0; i < kBoundsMs.size(); ++i) {
      out += "carelake_step_duration_seconds_bucket{" + step + ",le=\"" + Seconds(kBoundsMs[i]) +
             "\"} " + std::to_string(h.at_most[i]) + "\n";
    }
    out += "carelake_step_duration_seconds_bucket{" + step + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "carelake_step_duration_seconds_sum{" + step + "} " + Seconds(h.sum_ms) + "\n";
    out += "carelake_step_duration_seconds_count{" + step + "} " + std::to_string(h.count) + "\n";
  }
  CARELAKE_ASSIGN_OR_RETURN(auto latest, reader.LatestDataBySource());
  Family(out, "carelake_source_seconds_since_new_data", "gauge",
         "Seconds since each source last brought data (a file with records ingested).");
  const int64_t now = DefaultClock().WallMillis();
  for (const project::Source& s : project.sources) {
    auto it = latest.find(s.name);
    if (it == latest.end()) continue;
    out += "carelake_source_seconds_since_new_data{source=\"" + Label(s.name) + "\"} " +
           Seconds(std::max<int64_t>(now - it->second, 0)) + "\n";
  }
  CARELAKE_ASSIGN_OR_RETURN(auto alerts, reader.CountAlerts());
  Family(out, "carelake_alert_deliveries_total", "counter",
         "Alerts delivered (status sent) or given up on (failed), by alert and event.");
  for (const auto& a : alerts) {
    out += "carelake_alert_deliveries_total{alert=\"" + Label(a.alert) + "\",event=\"" +
           Label(a.event) + "\",status=\"" + Label(a.status) + "\"} " +
           std::to_string(a.deliveries) + "\n";
  }
  return Status::Ok();
}

}  // namespace

std::string CdcMetrics(const CdcConsumer& cdc) {
  std::string out;
  const std::vector<CdcSourceState> states = cdc.States();
  auto family = [&](const char* name, const char* type, const char* help, auto value) {
    Family(out, name, type, help);
    for (const CdcSourceState& s : states) {
      const std::string v = value(s);
      if (!v.empty()) out += std::string(name) + "{source=\"" + Label(s.source) + "\"} " + v + "\n";
    }
  };
  family(
      "carelake_cdc_up", "gauge", "1 when the source's last poll of its slot succeeded.",
      [](const CdcSourceState& s) { return std::string(s.polled && s.error.empty() ? "1" : "0"); });
  family("carelake_cdc_retained_wal_bytes", "gauge",
         "WAL the source's server keeps for its replication slot, in bytes.",
         [](const CdcSourceState& s) {
           return s.retained_wal_bytes < 0 ? std::string() : std::to_string(s.retained_wal_bytes);
         });
  family("carelake_cdc_changes_applied_total", "counter",
         "Change rows committed to bronze by the consumer since serve started.",
         [](const CdcSourceState& s) { return std::to_string(s.changes_applied); });
  family("carelake_cdc_last_commit_lsn", "gauge",
         "Commit LSN (as a number) of the last change committed to bronze.",
         [](const CdcSourceState& s) {
           return s.last_lsn ? std::to_string(s.last_lsn) : std::string();
         });
  family("carelake_cdc_lag_seconds", "gauge",
         "For the last change committed: its commit on the server to its bronze commit.",
         [](const CdcSourceState& s) { return s.lag_ms < 0 ? std::string() : Seconds(s.lag_ms); });
  family("carelake_cdc_errors_total", "counter",
         "Failed polls of the source's slot since serve started.",
         [](const CdcSourceState& s) { return std::to_string(s.errors); });
  return out;
}

namespace {

// The Prometheus text format (version 0.0.4).
HttpResponse Metrics(const project::Project& project, const Scheduler& scheduler,
                     const CdcConsumer* cdc) {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    Family(out, name, type, help);
  };
  int64_t queued = 0;
  const std::vector<Scheduler::JobState> jobs = scheduler.States();
  family("carelake_job_next_fire_timestamp_seconds", "gauge",
         "When each scheduled job fires next (Unix time).");
  for (const Scheduler::JobState& j : jobs) {
    queued += j.queued ? 1 : 0;
    if (j.next_fire_ms) {
      out += "carelake_job_next_fire_timestamp_seconds{job=\"" + Label(j.name) + "\"} " +
             Seconds(*j.next_fire_ms) + "\n";
    }
  }
  family("carelake_jobs_queued", "gauge", "Jobs waiting to run.");
  out += "carelake_jobs_queued " + std::to_string(queued) + "\n";

  auto ledger = OwnLedger::Open(project);
  if (!ledger.ok()) return Failure(ledger.status());
  ledger::Reader* reader = &ledger->reader();
  auto counts = reader->CountRunsByJob();
  if (!counts.ok()) return Failure(counts.status());
  family("carelake_runs_total", "counter",
         "Runs recorded in the ledger, by job (empty: carelake run) and status.");
  for (const auto& c : *counts) {
    out += "carelake_runs_total{job=\"" + Label(c.job) + "\",status=\"" + Label(c.status) + "\"} " +
           std::to_string(c.runs) + "\n";
  }
  family("carelake_job_last_success_timestamp_seconds", "gauge",
         "When each job's latest successful run started (Unix time).");
  for (const auto& c : *counts) {
    if (c.status == "succeeded" && c.last_started_ms) {
      out += "carelake_job_last_success_timestamp_seconds{job=\"" + Label(c.job) + "\"} " +
             Seconds(*c.last_started_ms) + "\n";
    }
  }
  auto totals = reader->TotalsByTable();
  if (!totals.ok()) return Failure(totals.status());
  family("carelake_rows_written_total", "counter", "Rows written per table, over all runs.");
  for (const auto& t : *totals) {
    out += "carelake_rows_written_total{table=\"" + Label(t.table) + "\"} " +
           std::to_string(t.rows_written) + "\n";
  }
  family("carelake_rows_quarantined_total", "counter",
         "Rows quarantined per table, over all runs.");
  for (const auto& t : *totals) {
    out += "carelake_rows_quarantined_total{table=\"" + Label(t.table) + "\"} " +
           std::to_string(t.rows_quarantined) + "\n";
  }
  if (Status s = MoreLedgerMetrics(project, *reader, out); !s.ok()) return Failure(s);
  if (cdc) out += CdcMetrics(*cdc);
  return {200, "text/plain; version=0.0.4; charset=utf-8", out};
}

}  // namespace

void AddRoutes(HttpService& http, const ProjectHolder& project, const Daemon& daemon,
               Scheduler& scheduler, const CdcConsumer* cdc) {
  http.Get("/healthz", [](const HttpRequest&) { return Json(200, {{"status", "ok"}}); });
  http.Get("/readyz", [&daemon](const HttpRequest&) {
    ordered_json services = ordered_json::object();
    for (const auto& [name, health] : daemon.HealthReport()) {
      services[name] = {{"ok", health.ok}, {"detail", health.detail}};
    }
    const bool ready = daemon.Ready();
    return Json(ready ? 200 : 503,
                {{"status", ready ? "ready" : "not ready"}, {"services", services}});
  });
  auto api = [](auto handler) {
    return [handler](const HttpRequest& r) {
      if (!OnLoopback(r)) {
        return Error(403, "the API answers only on loopback until authentication exists");
      }
      return handler(r);
    };
  };
  http.Get("/api/runs", api([&project](const HttpRequest& r) { return Runs(r, *project.Get()); }));
  http.Get(R"(/api/runs/([A-Za-z0-9-]+))",
           api([&project](const HttpRequest& r) { return Run(r, *project.Get()); }));
  http.Get("/metrics", [&project, &scheduler, cdc](const HttpRequest&) {
    return Metrics(*project.Get(), scheduler, cdc);
  });
  http.Get("/api/jobs",
           api([&scheduler](const HttpRequest&) { return Json(200, JobsJson(scheduler)); }));
  http.Post(R"(/api/jobs/([a-z_][a-z0-9_]*)/trigger)", api([&scheduler](const HttpRequest& r) {
              const std::string& job = r.matches.at(0);
              Status s = scheduler.Trigger(job, "http");
              if (!s.ok()) return Failure(s);
              return Json(202, {{"job", job}, {"queued", true}});
            }));
}

}  // namespace carelake::serve
