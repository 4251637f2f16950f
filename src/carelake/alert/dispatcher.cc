#include "carelake/alert/dispatcher.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace carelake::alert {
namespace {

bool Wants(const project::AlertTarget& t, Kind kind) {
  return t.Wants(kind) || (kind == Kind::kRuleFailed && t.Wants(Kind::kRunFailed));
}

// Failures a later attempt cannot fix: a bad template, an unset variable,
// a refused login, HTTP 4xx.
bool Final(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kFailedPrecondition;
}

}  // namespace

Dispatcher::Dispatcher(std::vector<project::AlertTarget> targets, ChannelFactory factory,
                       const Clock& clock, DispatcherOptions options,
                       std::function<void(const Delivery&)> on_delivery)
    : factory_(std::move(factory)),
      clock_(clock),
      options_(options),
      on_delivery_(std::move(on_delivery)) {
  Reload(std::move(targets));
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Reload(std::vector<project::AlertTarget> targets) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Target> next;
  for (project::AlertTarget& spec : targets) {
    Target t;
    for (Target& old : targets_) {
      if (old.spec.name == spec.name) t.throttle = std::move(old.throttle);
    }
    t.channel = factory_(spec);
    t.spec = std::move(spec);
    next.push_back(std::move(t));
  }
  targets_ = std::move(next);
}

void Dispatcher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void Dispatcher::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

size_t Dispatcher::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void Dispatcher::Raise(const Event& event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_.WallMillis();
    for (Target& t : targets_) {
      if (!Wants(t.spec, event.kind)) continue;
      std::optional<Event> admitted = t.throttle.Admit(event, now, t.spec.repeat_every);
      if (!admitted) continue;
      queue_.push_back(Pending{t.spec.name, t.channel, std::move(*admitted), 0,
                               std::chrono::steady_clock::now(), ""});
    }
  }
  wake_.notify_all();
}

void Dispatcher::Report(const Pending& p, bool sent) {
  if (!on_delivery_) return;
  Delivery d;
  d.target = p.target;
  d.channel = std::string(p.channel->kind());
  d.event = p.event;
  d.sent = sent;
  d.attempts = p.attempts;
  d.error = sent ? "" : p.last_error;
  d.time_ms = clock_.WallMillis();
  on_delivery_(d);
}

void Dispatcher::Attempt(Pending p, bool last_chance) {
  ++p.attempts;
  const Status status = p.channel->Send(p.event);
  if (status.ok()) {
    Report(p, true);
    return;
  }
  p.last_error = status.message();
  if (last_chance || Final(status) || p.attempts >= options_.attempts) {
    Report(p, false);
    return;
  }
  const double wait = static_cast<double>(options_.backoff.count()) * std::pow(2.0, p.attempts - 1);
  p.due = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(wait));
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(p));
}

void Dispatcher::Loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::unique_lock<std::mutex> lock(mu_);
    auto next = std::min_element(queue_.begin(), queue_.end(),
                                 [](const Pending& a, const Pending& b) { return a.due < b.due; });
    if (next == queue_.end()) {
      wake_.wait(lock, stop, [this] { return !queue_.empty(); });
      continue;
    }
    if (next->due > std::chrono::steady_clock::now()) {
      const auto due = next->due;
      wake_.wait_until(lock, stop, due, [] { return false; });
      continue;
    }
    Pending p = std::move(*next);
    queue_.erase(next);
    lock.unlock();
    Attempt(std::move(p), false);
  }
  // Stopping: one last attempt each, within the drain time; the rest are
  // reported as not delivered.
  const auto deadline = std::chrono::steady_clock::now() + options_.drain;
  while (true) {
    Pending p;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) break;
      p = std::move(queue_.front());
      queue_.pop_front();
    }
    if (std::chrono::steady_clock::now() < deadline) {
      Attempt(std::move(p), true);
    } else {
      if (p.last_error.empty()) p.last_error = "not delivered: the daemon stopped";
      Report(p, false);
    }
  }
}

}  // namespace carelake::alert
