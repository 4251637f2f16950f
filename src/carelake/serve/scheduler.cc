#include "carelake/serve/scheduler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

namespace carelake::serve {

Scheduler::Scheduler(std::vector<project::Job> jobs, const Clock& clock, JobRunner runner,
                     LastRunLookup last_run, Logger log)
    : clock_(clock),
      runner_(std::move(runner)),
      last_run_(std::move(last_run)),
      log_(std::move(log)) {
  for (project::Job& j : jobs) {
    auto e = std::make_shared<Entry>();
    e->state.name = j.name;
    e->job = std::move(j);
    entries_.push_back(std::move(e));
  }
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Log(const LogEvent& event) const {
  if (log_) log_(event);
}

std::shared_ptr<Scheduler::Entry> Scheduler::Find(const std::string& name) {
  for (const std::shared_ptr<Entry>& e : entries_) {
    if (e->job.name == name) return e;
  }
  return nullptr;
}

Status Scheduler::ScheduleLocked(Entry& e, int64_t now, bool catchup) {
  e.cron.reset();
  e.zone.reset();
  e.state.next_fire_ms.reset();
  if (e.job.schedule.empty()) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(schedule::CronSchedule cron,
                            schedule::CronSchedule::Parse(e.job.schedule));
  CARELAKE_ASSIGN_OR_RETURN(schedule::TimeZone zone, schedule::TimeZone::Find(e.job.timezone));
  e.cron.emplace(std::move(cron));
  e.zone.emplace(std::move(zone));
  e.state.next_fire_ms = e.cron->NextAfter(now, *e.zone);
  if (!catchup || e.job.catchup != project::Catchup::kLatest || !last_run_) return Status::Ok();
  // A fire time between the last run and now was missed: run once.
  if (std::optional<LastRun> last = last_run_(e.job.name)) {
    if (e.cron->NextAfter(last->started_ms, *e.zone) <= now) QueueLocked(e, "catchup");
  }
  return Status::Ok();
}

Status Scheduler::Prepare() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_.WallMillis();
  for (const std::shared_ptr<Entry>& e : entries_) {
    CARELAKE_RETURN_IF_ERROR(ScheduleLocked(*e, now, /*catchup=*/true));
    if (!last_run_ || e->state.queued) continue;
    if (std::optional<LastRun> last = last_run_(e->job.name); last && last->interrupted) {
      QueueLocked(*e, "resume");
    }
  }
  return Status::Ok();
}

Status Scheduler::Reload(std::vector<project::Job> jobs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_.WallMillis();
    std::vector<std::shared_ptr<Entry>> next;
    for (project::Job& job : jobs) {
      std::shared_ptr<Entry> e = Find(job.name);
      if (e == nullptr) {
        e = std::make_shared<Entry>();
        e->state.name = job.name;
      }
      const bool rescheduled = e->job.schedule != job.schedule || e->job.timezone != job.timezone;
      e->job = std::move(job);
      if (rescheduled || !started_) CARELAKE_RETURN_IF_ERROR(ScheduleLocked(*e, now, false));
      next.push_back(std::move(e));
    }
    entries_ = std::move(next);
    // A job that is gone leaves the queue.
    std::erase_if(queue_, [this](const std::string& name) { return Find(name) == nullptr; });
  }
  wake_.notify_all();
  return Status::Ok();
}

Status Scheduler::Start() {
  CARELAKE_RETURN_IF_ERROR(Prepare());
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
  }
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
  return Status::Ok();
}

void Scheduler::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  started_ = false;
}

Health Scheduler::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) return {false, "not started"};
  return {true,
          std::to_string(entries_.size()) + " jobs, " + std::to_string(queue_.size()) + " queued"};
}

void Scheduler::QueueLocked(Entry& e, const std::string& trigger) {
  LogEvent fired =
      Event("trigger", "job " + e.job.name + ": " + trigger +
                           (e.state.queued ? " (joins the run already queued)" : " (queued)"));
  fired.job = e.job.name;
  Log(fired.Field("trigger", trigger).Field("coalesced", e.state.queued));
  if (e.state.queued) return;  // coalesces with the queued run
  e.state.queued = true;
  e.state.queued_trigger = trigger;
  queue_.push_back(e.job.name);
}

Status Scheduler::Trigger(const std::string& job, const std::string& trigger) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<Entry> e = Find(job);
    if (e == nullptr) return NotFound("no job '" + job + "' in the project");
    e->state.attempt = 0;
    QueueLocked(*e, trigger);
  }
  wake_.notify_all();
  return Status::Ok();
}

void Scheduler::FireDue() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_.WallMillis();
  for (const std::shared_ptr<Entry>& entry : entries_) {
    Entry& e = *entry;
    if (e.state.retry_at_ms && *e.state.retry_at_ms <= now) {
      e.state.retry_at_ms.reset();
      QueueLocked(e, "retry");
    }
    if (e.state.next_fire_ms && *e.state.next_fire_ms <= now) {
      // Several missed fire times are one run.
      e.state.next_fire_ms = e.cron->NextAfter(now, *e.zone);
      e.state.attempt = 0;
      QueueLocked(e, "schedule");
    }
  }
}

JobOutcome Scheduler::RunOne(const project::Job& job, const std::string& trigger,
                             std::stop_token outer) {
  std::stop_source stop;
  std::stop_callback forward(outer, [&] { stop.request_stop(); });
  std::jthread watchdog;
  if (job.timeout) {
    const auto timeout = *job.timeout;
    watchdog = std::jthread([&stop, timeout](std::stop_token done) {
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock<std::mutex> l(m);
      if (!cv.wait_for(l, done, timeout, [] { return false; })) stop.request_stop();
    });
  }
  LogEvent started = Event("run_started", "job " + job.name + ": run (" + trigger + ")");
  started.job = job.name;
  Log(started.Field("trigger", trigger));
  JobOutcome out = runner_(job, trigger, stop.get_token());
  const bool timed_out = stop.stop_requested() && !outer.stop_requested();
  if (watchdog.joinable()) {
    watchdog.request_stop();
    watchdog.join();
  }
  if (timed_out && !out.succeeded && out.error.find("timeout") == std::string::npos) {
    out.error = "stopped after its timeout; " + out.error;
  }
  return out;
}

std::vector<std::pair<std::string, JobOutcome>> Scheduler::RunQueued(std::stop_token stop) {
  std::vector<std::pair<std::string, JobOutcome>> runs;
  while (!stop.stop_requested()) {
    // The entry stays alive (and its job as it was) for this run, even if a
    // reload replaces or removes it meanwhile.
    std::shared_ptr<Entry> e;
    project::Job job;
    std::string trigger;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) break;
      e = Find(queue_.front());
      queue_.erase(queue_.begin());
      if (e == nullptr) continue;
      job = e->job;
      trigger = e->state.queued_trigger;
      e->state.queued = false;
      ++e->state.attempt;
    }
    JobOutcome out = RunOne(job, trigger, stop);
    runs.emplace_back(job.name, out);
    bool retry_scheduled = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      retry_scheduled = EndRunLocked(*e, trigger, out, stop);
    }
    if (on_run_ended_) on_run_ended_(job, trigger, out, retry_scheduled);
  }
  return runs;
}

bool Scheduler::EndRunLocked(Entry& e, const std::string& trigger, const JobOutcome& out,
                             std::stop_token stop) {
  e.state.last = out;
  e.state.last_trigger = trigger;
  if (out.succeeded) {
    e.state.attempt = 0;
    for (const std::shared_ptr<Entry>& next : entries_) {
      if (std::find(next->job.after.begin(), next->job.after.end(), e.job.name) !=
          next->job.after.end()) {
        next->state.attempt = 0;
        QueueLocked(*next, "after:" + e.job.name);
      }
    }
    return false;
  }
  if (!out.retryable || e.state.attempt >= e.job.retries.attempts || stop.stop_requested()) {
    e.state.attempt = 0;
    return false;
  }
  const double base =
      static_cast<double>(e.job.retries.backoff.count()) * std::pow(2.0, e.state.attempt - 1);
  const double jitter = std::uniform_real_distribution<double>(0.8, 1.2)(rng_);
  e.state.retry_at_ms = clock_.WallMillis() + static_cast<int64_t>(base * jitter);
  LogEvent retry = Event("retry",
                         "job " + e.job.name + ": failed (" + out.error + "); retry " +
                             std::to_string(e.state.attempt + 1) + " of " +
                             std::to_string(e.job.retries.attempts) + " in " +
                             std::to_string(static_cast<int64_t>(base * jitter) / 1000) + " s",
                         LogLevel::kWarning);
  retry.job = e.job.name;
  retry.run_id = out.run_id;
  Log(retry.Field("attempt", static_cast<int64_t>(e.state.attempt + 1))
          .Field("delay_ms", static_cast<int64_t>(base * jitter)));
  return true;
}

void Scheduler::Loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    FireDue();
    RunQueued(stop);
    std::unique_lock<std::mutex> lock(mu_);
    int64_t wait_ms = 1000;
    const int64_t now = clock_.WallMillis();
    for (const std::shared_ptr<Entry>& e : entries_) {
      for (const std::optional<int64_t>& at : {e->state.next_fire_ms, e->state.retry_at_ms}) {
        if (at) wait_ms = std::min(wait_ms, std::max<int64_t>(*at - now, 0));
      }
    }
    wake_.wait_for(lock, stop, std::chrono::milliseconds(wait_ms),
                   [this] { return !queue_.empty(); });
  }
}

std::vector<Scheduler::JobState> Scheduler::States() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobState> out;
  for (const std::shared_ptr<Entry>& e : entries_) out.push_back(e->state);
  return out;
}

}  // namespace carelake::serve
