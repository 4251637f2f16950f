// DirNotifier: a file written into a watched folder wakes Wait() at once;
// nothing happening lets it time out; a stop request ends it. GlobFolder
// finds the folder a source's glob is under.
#include "carelake/serve/dir_notifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace carelake::serve {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(DirNotifierTest, ALandedFileWakesTheWaitAndQuietTimesOut) {
  const fs::path dir = fs::temp_directory_path() / ("dir_notifier_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "landing");
  DirNotifier notifier;
  if (!notifier.active()) GTEST_SKIP() << "no inotify here";
  notifier.Watch({(dir / "landing").string(), (dir / "missing").string()});
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(notifier.Wait(100ms, {}));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 90ms);

  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    std::ofstream(dir / "landing" / "FactTable_20261204.csv") << "a,b\r\n1,2\r\n";
  });
  start = std::chrono::steady_clock::now();
  EXPECT_TRUE(notifier.Wait(10s, {}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  writer.join();
  while (notifier.Wait(200ms, {})) {  // the rest of the write's events
  }

  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
  });
  start = std::chrono::steady_clock::now();
  EXPECT_FALSE(notifier.Wait(10s, stop.get_token()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  stopper.join();
  fs::remove_all(dir);
}

TEST(GlobFolderTest, ThePathUpToTheFirstWildcard) {
  EXPECT_EQ(GlobFolder("/p", "landing/FactTable*.csv"), "/p/landing");
  EXPECT_EQ(GlobFolder("/p", "landing/**/x/*.json"), "/p/landing");
  EXPECT_EQ(GlobFolder("/p", "in/2026-*/day/*.csv"), "/p/in");
  EXPECT_EQ(GlobFolder("/p", "*.csv"), "/p");
  EXPECT_EQ(GlobFolder("/p", "/data/drops/*.csv"), "/data/drops");
  EXPECT_EQ(GlobFolder("/p", "./landing/../in/a.csv"), "/p/in");
}

}  // namespace
}  // namespace carelake::serve
