// ProjectHolder: the daemon's current project. Services read it through
// Get() each time they start a piece of work (a run, a poll, a request) and
// keep that snapshot until the work ends, so a reload (SIGHUP, or
// carelake.yaml changed on disk) takes effect for the next piece of work
// and never changes one midway.
#ifndef CARELAKE_SERVE_PROJECT_HOLDER_H_
#define CARELAKE_SERVE_PROJECT_HOLDER_H_

#include <memory>
#include <mutex>
#include <utility>

#include "carelake/project/project.h"

namespace carelake::serve {

class ProjectHolder {
 public:
  explicit ProjectHolder(project::Project project)
      : current_(std::make_shared<const project::Project>(std::move(project))) {}

  std::shared_ptr<const project::Project> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  void Set(project::Project project) {
    auto next = std::make_shared<const project::Project>(std::move(project));
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const project::Project> current_;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_PROJECT_HOLDER_H_
