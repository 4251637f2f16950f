#include "carelake/serve/reloader.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

namespace carelake::serve {

namespace fs = std::filesystem;

Reloader::Reloader(ProjectHolder& project, std::string lake, Scheduler& scheduler,
                   AlertService& alerts, std::chrono::milliseconds poll, Logger log)
    : project_(project),
      lake_(std::move(lake)),
      scheduler_(scheduler),
      alerts_(alerts),
      poll_(poll),
      log_(std::move(log)) {}

Reloader::~Reloader() { Stop(); }

std::string Reloader::Fingerprint() const {
  const fs::path dir = project_.Get()->dir;
  std::vector<std::string> parts;
  auto add = [&parts](const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return;
    const auto time = fs::last_write_time(path, ec);
    if (ec) return;
    parts.push_back(path.string() + ":" + std::to_string(size) + ":" +
                    std::to_string(time.time_since_epoch().count()));
  };
  add(dir / project::kProjectFileName);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir / "models", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec)) add(it->path());
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) out += p + "\n";
  return out;
}

Status Reloader::Reload(const std::string& why) {
  const std::shared_ptr<const project::Project> current = project_.Get();
  auto next = project::LoadProject(current->dir, lake_);
  Status status = next.ok() ? Status::Ok() : next.status();
  if (status.ok() && next->name != current->name) {
    status = InvalidArgument(std::string(project::kProjectFileName) + ": name: changed from '" +
                             current->name + "' to '" + next->name +
                             "': restart carelake serve to serve another project");
  }
  if (status.ok() && next->lake != current->lake) {
    status = InvalidArgument(std::string(project::kProjectFileName) +
                             ": lake: changed: restart carelake serve to use another lake");
  }
  if (status.ok()) {
    std::vector<project::Job> jobs = next->jobs;
    const size_t alerts = next->alerts.size();
    project_.Set(std::move(*next));
    status = scheduler_.Reload(std::move(jobs));
    if (status.ok()) {
      alerts_.ReloadEnded(true, "");
      if (log_) {
        log_(Event("reload", "reloaded the project (" + why +
                                 "): " + std::to_string(project_.Get()->jobs.size()) + " jobs, " +
                                 std::to_string(alerts) + " alerts"));
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = status.ok() ? "" : status.message();
  if (!status.ok()) {
    if (log_) {
      log_(Event("reload_failed",
                 "reload (" + why +
                     ") failed, the previous configuration keeps running: " + status.message(),
                 LogLevel::kError));
    }
    alerts_.ReloadEnded(false, status.message());
  }
  return status;
}

void Reloader::Request(const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    requested_ = why;
  }
  wake_.notify_all();
}

Status Reloader::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    fingerprint_ = Fingerprint();
    started_ = true;
  }
  thread_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::string why;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait_for(lock, stop, poll_, [this] { return !requested_.empty(); });
        if (stop.stop_requested()) break;
        why = std::move(requested_);
        requested_.clear();
      }
      const std::string now = Fingerprint();
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (why.empty() && now != fingerprint_) why = "the project files changed";
        fingerprint_ = now;
      }
      if (!why.empty()) (void)Reload(why);
    }
  });
  return Status::Ok();
}

void Reloader::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  started_ = false;
}

Health Reloader::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) return {false, "not started"};
  // A failed reload leaves the daemon serving its previous configuration:
  // healthy, with the error to read.
  return {true, last_error_.empty() ? "watching the project files"
                                    : "serving the previous configuration: " + last_error_};
}

}  // namespace carelake::serve
