#include "carelake/serve/file_watcher.h"

#include <condition_variable>

#include "carelake/base/file_system.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/ingest/file_ingest.h"

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
  thread_ = std::jthread([this](std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    while (!stop.stop_requested()) {
      Poll();
      std::unique_lock<std::mutex> l(m);
      cv.wait_for(l, stop, poll_, [] { return false; });
    }
  });
  return Status::Ok();
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
