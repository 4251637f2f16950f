// FileWatcher: starts the jobs that declare `on_new_files:` when at least
// `min_files` new files of their sources have settled (not modified for
// `settle_seconds`). "New" is what no bronze commit has ingested yet (the
// exactly-once bookkeeping, ingest::ListPendingFiles), so a restart neither
// misses nor repeats a file. A job is triggered again only when a file it
// was not triggered for has settled. The folders of the sources' globs are
// watched with inotify (dir_notifier.h): a file landing there is looked at
// as soon as it can have settled; polling (every `poll`, every 5 `poll`
// with inotify) catches what inotify cannot see (other folders of a `**`
// glob, network file systems).
#ifndef CARELAKE_SERVE_FILE_WATCHER_H_
#define CARELAKE_SERVE_FILE_WATCHER_H_

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/engine/database.h"
#include "carelake/serve/event_log.h"
#include "carelake/serve/project_holder.h"
#include "carelake/serve/scheduler.h"
#include "carelake/serve/service.h"

namespace carelake::serve {

class FileWatcher : public Service {
 public:
  // All must outlive the watcher.
  FileWatcher(const ProjectHolder& project, engine::Database& db, Scheduler& scheduler,
              const Clock& clock, std::chrono::milliseconds poll = std::chrono::seconds(1),
              Logger log = nullptr);
  ~FileWatcher() override;

  std::string_view name() const override { return "file_watcher"; }
  Status Start() override;
  void Stop() override;
  Health health() const override;

  // One look: triggers the jobs whose condition holds; returns their names.
  std::vector<std::string> Poll();

 private:
  void Loop(std::stop_token stop);

  const ProjectHolder& project_;
  engine::Database& db_;
  Scheduler& scheduler_;
  const Clock& clock_;
  std::chrono::milliseconds poll_;
  Logger log_;
  std::map<std::string, std::set<std::string>> fired_;  // job -> files it was triggered for
  mutable std::mutex mu_;
  std::string error_;  // the last poll's error, if any
  std::jthread thread_;
  bool started_ = false;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_FILE_WATCHER_H_
