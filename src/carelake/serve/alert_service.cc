#include "carelake/serve/alert_service.h"

#include <condition_variable>
#include <utility>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/ledger/reader.h"
#include "carelake/ledger/writer.h"
#include "carelake/serve/own_ledger.h"

namespace carelake::serve {

AlertService::AlertService(const ProjectHolder& project, const Clock& clock,
                           AlertServiceOptions options, Logger log)
    : project_(project),
      clock_(clock),
      options_(std::move(options)),
      log_(std::move(log)),
      tracker_(project.Get()->name) {
  const std::shared_ptr<const project::Project> current = project.Get();
  alert::ChannelFactory factory = options_.channels;
  if (!factory) {
    alert::ChannelOptions channel_options;
    channel_options.project_dir = current->dir;
    factory = [channel_options](const project::AlertTarget& target) {
      return alert::MakeChannel(target, channel_options);
    };
  }
  dispatcher_ = std::make_unique<alert::Dispatcher>(
      current->alerts, std::move(factory), clock, options_.delivery,
      [this](const alert::Delivery& d) { Record(d); });
}

AlertService::~AlertService() { Stop(); }

Status AlertService::Start() {
  started_ms_ = clock_.WallMillis();
  dispatcher_->Start();
  // Always: a reload may add sources with `freshness:`.
  {
    freshness_ = std::jthread([this](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any cv;
      while (!stop.stop_requested()) {
        if (Status s = CheckFreshness(); !s.ok() && log_) {
          log_(Event("warning", "alerts: freshness check failed: " + s.message(),
                     LogLevel::kWarning));
        }
        std::unique_lock<std::mutex> l(m);
        cv.wait_for(l, stop, options_.freshness_check, [] { return false; });
      }
    });
  }
  started_ = true;
  return Status::Ok();
}

void AlertService::Stop() {
  if (freshness_.joinable()) {
    freshness_.request_stop();
    freshness_.join();
  }
  dispatcher_->Stop();
  started_ = false;
}

Health AlertService::health() const {
  if (!started_) return {false, "not started"};
  return {true, std::to_string(project_.Get()->alerts.size()) + " targets, " +
                    std::to_string(dispatcher_->queued()) + " deliveries queued"};
}

void AlertService::RunEnded(const project::Job& job, const std::string& trigger,
                            const JobOutcome& outcome, bool retry_scheduled) {
  if (retry_scheduled) return;
  alert::RunEnd end;
  end.job = job.name;
  end.trigger = trigger;
  end.run_id = outcome.run_id;
  end.succeeded = outcome.succeeded;
  end.cancelled = outcome.cancelled;
  end.failed_step = outcome.failed_step;
  end.failed_rule = outcome.failed_rule;
  end.rows_checked = outcome.rows_checked;
  end.rows_failed = outcome.rows_failed;
  end.error = outcome.error;
  end.time_ms = clock_.WallMillis();
  std::vector<alert::Event> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    events = tracker_.RunEnded(end);
  }
  for (const alert::Event& e : events) dispatcher_->Raise(e);
}

Status AlertService::CheckFreshness() {
  const std::shared_ptr<const project::Project> project = project_.Get();
  bool any = false;
  for (const project::Source& s : project->sources) any |= s.warn_after.has_value();
  if (!any || project->alerts.empty()) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(OwnLedger ledger, OwnLedger::Open(*project));
  CARELAKE_ASSIGN_OR_RETURN(auto latest, ledger.reader().LatestDataBySource());
  const int64_t now = clock_.WallMillis();
  std::vector<alert::Event> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const project::Source& s : project->sources) {
      if (!s.warn_after) continue;
      auto it = latest.find(s.name);
      for (alert::Event& e : tracker_.SourceChecked(s.name, it == latest.end() ? 0 : it->second,
                                                    *s.warn_after, now, started_ms_)) {
        events.push_back(std::move(e));
      }
    }
  }
  for (const alert::Event& e : events) dispatcher_->Raise(e);
  return Status::Ok();
}

void AlertService::ReloadEnded(bool ok, const std::string& error) {
  if (ok) dispatcher_->Reload(project_.Get()->alerts);
  std::vector<alert::Event> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    events = tracker_.ReloadEnded(ok, error, clock_.WallMillis());
  }
  for (const alert::Event& e : events) dispatcher_->Raise(e);
}

void AlertService::Record(const alert::Delivery& d) {
  const std::string what = "alert " + d.target + " (" + d.channel + ") " +
                           project::ToString(d.event.kind) +
                           (d.event.job.empty() ? "" : " job " + d.event.job) +
                           (d.event.source.empty() ? "" : " source " + d.event.source);
  if (log_) {
    LogEvent e = Event(d.sent ? "alert_sent" : "alert_failed",
                       what + (d.sent ? ": sent"
                                      : ": not delivered after " + std::to_string(d.attempts) +
                                            " attempts: " + d.error),
                       d.sent ? LogLevel::kInfo : LogLevel::kError);
    e.job = d.event.job;
    e.run_id = d.event.run_id;
    e.Field("alert", d.target)
        .Field("channel", d.channel)
        .Field("alert_event", project::ToString(d.event.kind))
        .Field("attempts", static_cast<int64_t>(d.attempts));
    if (!d.sent) e.Field("error", d.error);
    log_(e);
  }
  ledger::AlertRecord r;
  r.sent_ms = d.time_ms;
  const std::shared_ptr<const project::Project> project = project_.Get();
  r.project = project->name;
  r.alert = d.target;
  r.channel = d.channel;
  r.event = project::ToString(d.event.kind);
  r.job = d.event.job;
  r.source = d.event.source;
  r.run_id = d.event.run_id;
  r.step = d.event.step;
  r.rule = d.event.rule;
  r.reminder = d.event.reminder;
  r.suppressed = d.event.suppressed;
  r.status = d.sent ? "sent" : "failed";
  r.attempts = d.attempts;
  r.error = d.error;
  Status status = [&]() -> Status {
    CARELAKE_ASSIGN_OR_RETURN(std::unique_ptr<engine::Database> db,
                              engine::Database::OpenInMemory());
    CARELAKE_ASSIGN_OR_RETURN(engine::Connection conn, engine::OpenLakeConnection(*db));
    ledger::Writer writer(LocalFileSystem(), project->lake, conn, &clock_);
    return writer.RecordAlert(r);
  }();
  if (!status.ok() && log_) {
    log_(Event("warning", what + ": not recorded in _system.alerts: " + status.message(),
               LogLevel::kWarning));
  }
}

}  // namespace carelake::serve
