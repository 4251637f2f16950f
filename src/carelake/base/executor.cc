#include "carelake/base/executor.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace carelake {

namespace {

// One ParallelFor call's shared state; workers hold it by shared_ptr, so a
// helper job that starts after the batch ended finds no task and returns.
struct Batch {
  explicit Batch(size_t n, const std::function<void(size_t)>& task) : n(n), task(task) {}

  // Runs tasks until none is left.
  void Drain() {
    for (size_t i = next++; i < n; i = next++) {
      task(i);
      std::lock_guard lock(mu);
      if (++done == n) finished.notify_all();
    }
  }

  const size_t n;
  const std::function<void(size_t)>& task;  // valid until done == n
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable finished;
  size_t done = 0;
};

}  // namespace

Executor::Executor(size_t threads) {
  threads = std::max<size_t>(1, threads);
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

Executor::~Executor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void Executor::Submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void Executor::WorkerLoop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

void Executor::ParallelFor(size_t n, size_t max_parallel, const std::function<void(size_t)>& task) {
  if (n == 0) return;
  size_t helpers = std::min(n, max_parallel == 0 ? size() + 1 : max_parallel) - 1;
  helpers = std::min(helpers, size());
  auto batch = std::make_shared<Batch>(n, task);
  for (size_t i = 0; i < helpers; ++i) {
    // A helper that starts late finds `next >= n` and never touches `task`.
    Submit([batch] { batch->Drain(); });
  }
  batch->Drain();
  std::unique_lock lock(batch->mu);
  batch->finished.wait(lock, [&] { return batch->done == n; });
}

Executor& DefaultExecutor() {
  static Executor executor(std::max(2u, std::thread::hardware_concurrency()));
  return executor;
}

}  // namespace carelake
