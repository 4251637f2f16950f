#include "carelake/base/process_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace carelake {
namespace {

class ProcessLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("carelake_lock_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "_system" / "run.lock").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(ProcessLockTest, OneHolderAtATimeAndItSaysWho) {
  FakeClock clock(1'700'000'000'000);
  auto first = ProcessLock::TryAcquire(path_, "run a", nullptr, clock);
  ASSERT_TRUE(first.ok()) << first.status();
  LockHolder holder;
  auto second = ProcessLock::TryAcquire(path_, "run b", &holder);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(holder.pid, ::getpid());
  EXPECT_EQ(holder.what, "run a");
  EXPECT_EQ(holder.since_ms, 1'700'000'000'000);
  ASSERT_TRUE(ProcessLock::Holder(path_).has_value());
  EXPECT_EQ(ProcessLock::Holder(path_)->what, "run a");

  { ProcessLock released = std::move(*first); }
  EXPECT_FALSE(ProcessLock::Holder(path_).has_value());
  auto third = ProcessLock::TryAcquire(path_, "run c");
  EXPECT_TRUE(third.ok()) << third.status();
}

TEST_F(ProcessLockTest, TheLockOfADeadProcessIsFree) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = ProcessLock::TryAcquire(path_, "run dead");
    ::_exit(lock.ok() ? 0 : 1);  // exits holding it: no destructor runs
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto lock = ProcessLock::TryAcquire(path_, "run alive");
  EXPECT_TRUE(lock.ok()) << lock.status();
}

TEST_F(ProcessLockTest, AcquireWaitsForTheHolderOrAStopOrATimeout) {
  auto held = ProcessLock::TryAcquire(path_, "run a");
  ASSERT_TRUE(held.ok());
  auto timed_out = ProcessLock::Acquire(path_, "run b", {}, std::chrono::milliseconds(250));
  EXPECT_EQ(timed_out.status().code(), StatusCode::kUnavailable);

  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(ProcessLock::Acquire(path_, "run b", stop.get_token()).status().code(),
            StatusCode::kCancelled);

  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ProcessLock gone = std::move(*held);
  });
  auto waited = ProcessLock::Acquire(path_, "run b", {});
  release.join();
  ASSERT_TRUE(waited.ok()) << waited.status();
  EXPECT_EQ(ProcessLock::Holder(path_)->what, "run b");
}

}  // namespace
}  // namespace carelake
