#include "carelake/serve/file_watcher.h"

#include <algorithm>
#include <condition_variable>

#include "carelake/base/file_system.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/ingest/file_ingest.h"
#include "carelake/serve/dir_notifier.h"

namespace carelake::serve {

FileWatcher::FileWatcher(const ProjectHolder& project, engine::Database& db, Scheduler& scheduler,
                         const Clock& clock, std::chrono::milliseconds poll, Logger log)
    : project_(project),
      db_(db),
      scheduler_(scheduler),
      clock_(clock),
      poll_(poll),
      log_(std::move(log)) {}

FileWatcher::~FileWatcher() { Stop(); }

std::vector<std::string> FileWatcher::Poll() {
  std::vector<std::string> triggered;
  auto conn = engine::OpenLakeConnection(db_);
  if (!conn.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = conn.status().message();
    return triggered;
  }
  const std::shared_ptr<const project::Project> project = project_.Get();
  const std::map<std::string, std::string> paths = catalog::TablePaths(*project);
  std::string error;
  for (const project::Job& job : project->jobs) {
    if (!job.on_new_files) continue;
    std::set<std::string> settled;
    for (const std::string& name : job.on_new_files->sources) {
      const project::Source* source = nullptr;
      for (const project::Source& s : project->sources) {
        if (s.name == name) source = &s;
      }
      if (source == nullptr) continue;  // LoadProject checked the names
      ingest::IngestRequest req;
      req.source = source;
      req.project_dir = project->dir;
      req.bronze_path = paths.at("bronze." + source->table);
      req.quarantine_path = paths.at("bronze." + source->table + catalog::kQuarantineSuffix);
      req.clock = &clock_;
      req.min_file_age = job.on_new_files->settle;
      auto pending = ingest::ListPendingFiles(req, LocalFileSystem(), *conn);
      if (!pending.ok()) {
        error = "job " + job.name + ": " + pending.status().message();
        continue;
      }
      settled.insert(pending->new_files.begin(), pending->new_files.end());
    }
    std::set<std::string>& fired = fired_[job.name];
    if (settled.empty()) {
      fired.clear();
      continue;
    }
    bool unseen = false;
    for (const std::string& f : settled) unseen = unseen || !fired.count(f);
    if (!unseen || static_cast<int64_t>(settled.size()) < job.on_new_files->min_files) continue;
    if (scheduler_.Trigger(job.name, "new_files").ok()) {
      fired = settled;
      triggered.push_back(job.name);
      if (log_) {
        LogEvent e = Event("new_files", "job " + job.name + ": " + std::to_string(settled.size()) +
                                            " new files settled");
        e.job = job.name;
        log_(e.Field("files", static_cast<int64_t>(settled.size())));
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  error_ = error;
  return triggered;
}

Status FileWatcher::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
  }
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
  return Status::Ok();
}

// The folders the `on_new_files:` sources' globs are under, and the
// shortest settle time among those jobs.
static std::set<std::string> WatchedFolders(const project::Project& project,
                                            std::chrono::milliseconds* settle) {
  std::set<std::string> dirs;
  *settle = std::chrono::milliseconds::max();
  for (const project::Job& job : project.jobs) {
    if (!job.on_new_files) continue;
    *settle = std::min(*settle, job.on_new_files->settle);
    for (const project::Source& s : project.sources) {
      const auto& names = job.on_new_files->sources;
      if (std::find(names.begin(), names.end(), s.name) != names.end()) {
        dirs.insert(GlobFolder(project.dir, s.path));
      }
    }
  }
  return dirs;
}

void FileWatcher::Loop(std::stop_token stop) {
  DirNotifier notifier;
  // With inotify, a landed file wakes the watcher, which looks again once
  // the file can have settled; the poll is then only a fallback.
  const std::chrono::milliseconds idle = notifier.active() ? poll_ * 5 : poll_;
  while (!stop.stop_requested()) {
    Poll();
    std::chrono::milliseconds settle{0};
    notifier.Watch(WatchedFolders(*project_.Get(), &settle));
    if (settle == std::chrono::milliseconds::max()) settle = std::chrono::milliseconds(0);
    bool woken = false;  // a file landed: look again at `look_at`
    auto look_at = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
      const auto now = std::chrono::steady_clock::now();
      std::chrono::milliseconds wait = idle;
      if (woken) {
        if (look_at <= now) break;
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(look_at - now) +
                                  std::chrono::milliseconds(1));
      }
      if (notifier.Wait(wait, stop)) {
        if (!woken) {
          woken = true;
          look_at = std::chrono::steady_clock::now() + settle + std::chrono::milliseconds(20);
        }
        continue;
      }
      if (!woken) break;  // the idle poll is due
    }
  }
}

void FileWatcher::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  started_ = false;
}

Health FileWatcher::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) return {false, "not started"};
  if (!error_.empty()) return {false, error_};
  return {true, "watching"};
}

}  // namespace carelake::serve
