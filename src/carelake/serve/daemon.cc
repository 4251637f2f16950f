#include "carelake/serve/daemon.h"

namespace carelake::serve {

Status Daemon::Start() {
  for (const std::shared_ptr<Service>& s : services_) {
    if (Status status = s->Start(); !status.ok()) {
      Stop();
      return status.WithContext("starting " + std::string(s->name()));
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++started_;
  }
  std::lock_guard<std::mutex> lock(mu_);
  running_ = true;
  return Status::Ok();
}

void Daemon::Stop() {
  size_t started;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
    started = started_;
    started_ = 0;
  }
  for (size_t i = started; i > 0; --i) services_[i - 1]->Stop();
}

bool Daemon::Ready() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return false;
  }
  for (const std::shared_ptr<Service>& s : services_) {
    if (!s->health().ok) return false;
  }
  return true;
}

std::vector<std::pair<std::string, Health>> Daemon::HealthReport() const {
  std::vector<std::pair<std::string, Health>> out;
  for (const std::shared_ptr<Service>& s : services_) {
    out.emplace_back(std::string(s->name()), s->health());
  }
  return out;
}

}  // namespace carelake::serve
