// Executor: a bounded pool of worker threads shared by everything in the
// process that works in parallel (reading files during ingest, the parallel
// parts of a Delta write, and later the scheduler's runs and the servers'
// queries), so that two runs in one process share the cores instead of
// each starting its own threads.
//
// Work is handed over as a batch of independent tasks (ParallelFor). The
// calling thread takes tasks of its own batch too, so a batch always
// finishes even when every worker is busy, and a task may itself start a
// batch (nesting cannot deadlock): the pool bounds the extra threads, never
// progress.
#ifndef CARELAKE_BASE_EXECUTOR_H_
#define CARELAKE_BASE_EXECUTOR_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace carelake {

class Executor {
 public:
  // Starts `threads` workers (at least one).
  explicit Executor(size_t threads);
  // Waits for the queued work to finish, then joins the workers.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  size_t size() const { return workers_.size(); }

  // Runs task(0) … task(n - 1), at most `max_parallel` at once (0: as many
  // as the pool allows), on the calling thread and idle workers; returns
  // when all have finished. Tasks must not throw.
  void ParallelFor(size_t n, size_t max_parallel, const std::function<void(size_t)>& task);

  // Queues `job` for a worker and returns at once.
  void Submit(std::function<void()> job);

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// The process's executor: one worker per core (at least two).
Executor& DefaultExecutor();

// `executor` if set, else DefaultExecutor(): for option structs.
inline Executor& OrDefault(Executor* executor) { return executor ? *executor : DefaultExecutor(); }

}  // namespace carelake

#endif  // CARELAKE_BASE_EXECUTOR_H_
