#include "carelake/base/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "carelake/base/clock.h"

namespace carelake {
namespace {

// Tracks how many tasks run at once, and the most ever seen.
struct Concurrency {
  std::atomic<int> now{0};
  std::atomic<int> most{0};
  void Enter() {
    const int n = ++now;
    int seen = most.load();
    while (n > seen && !most.compare_exchange_weak(seen, n)) {
    }
  }
  void Leave() { --now; }
};

TEST(ExecutorTest, RunsEveryTaskOnce) {
  Executor executor(3);
  std::vector<std::atomic<int>> runs(1000);
  executor.ParallelFor(runs.size(), 0, [&](size_t i) { ++runs[i]; });
  for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].load(), 1) << i;
  executor.ParallelFor(0, 0, [&](size_t) { ADD_FAILURE() << "no task to run"; });
}

TEST(ExecutorTest, BoundsTheTasksRunningAtOnce) {
  Executor executor(4);
  Concurrency c;
  executor.ParallelFor(40, 2, [&](size_t) {
    c.Enter();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    c.Leave();
  });
  EXPECT_LE(c.most.load(), 2);
  // Unbounded: the pool's workers plus the calling thread.
  Concurrency all;
  executor.ParallelFor(40, 0, [&](size_t) {
    all.Enter();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    all.Leave();
  });
  EXPECT_LE(all.most.load(), 5);
  EXPECT_GE(all.most.load(), 2);
}

TEST(ExecutorTest, TwoCallersShareThePoolInsteadOfMultiplyingThreads) {
  Executor executor(2);
  Concurrency c;
  auto work = [&] {
    executor.ParallelFor(30, 0, [&](size_t) {
      c.Enter();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      c.Leave();
    });
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  // Two workers and the two calling threads, never more.
  EXPECT_LE(c.most.load(), 4);
}

TEST(ExecutorTest, NestedBatchesFinishEvenWhenEveryWorkerIsBusy) {
  Executor executor(1);
  std::atomic<int> inner{0};
  executor.ParallelFor(4, 0, [&](size_t) { executor.ParallelFor(8, 0, [&](size_t) { ++inner; }); });
  EXPECT_EQ(inner.load(), 32);
}

TEST(ExecutorTest, SubmittedJobsRunBeforeTheExecutorGoes) {
  std::atomic<int> ran{0};
  {
    Executor executor(2);
    for (int i = 0; i < 50; ++i) executor.Submit([&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 50);
}

TEST(ClockTest, AFakeClockMovesOnlyWhenTold) {
  FakeClock clock(1'000);
  EXPECT_EQ(clock.WallMillis(), 1'000);
  EXPECT_EQ(clock.MonotonicMillis(), 0);
  clock.Advance(250);
  EXPECT_EQ(clock.WallMillis(), 1'250);
  EXPECT_EQ(clock.MonotonicMillis(), 250);
  // A wall-clock step (NTP) does not move monotonic time.
  clock.SetWall(500);
  EXPECT_EQ(clock.WallMillis(), 500);
  EXPECT_EQ(clock.MonotonicMillis(), 250);
}

TEST(ClockTest, TheSystemClockIsNow) {
  const int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t wall = DefaultClock().WallMillis();
  const int64_t m1 = DefaultClock().MonotonicMillis();
  const int64_t m2 = DefaultClock().MonotonicMillis();
  EXPECT_GE(wall, before);
  EXPECT_LE(wall, before + 5'000);
  EXPECT_GE(m2, m1);
}

}  // namespace
}  // namespace carelake
