// The daemon starts services in order, stops them in reverse, rolls back
// when one cannot start, and is ready only when all are healthy.
#include "carelake/serve/daemon.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace carelake::serve {
namespace {

class FakeService : public Service {
 public:
  FakeService(std::string name, std::vector<std::string>& log, bool fail = false)
      : name_(std::move(name)), log_(log), fail_(fail) {}
  std::string_view name() const override { return name_; }
  Status Start() override {
    log_.push_back("start " + name_);
    if (fail_) return Unavailable("port in use");
    running_ = true;
    return Status::Ok();
  }
  void Stop() override {
    if (running_) log_.push_back("stop " + name_);
    running_ = false;
  }
  Health health() const override { return {running_ && healthy, running_ ? "up" : "down"}; }
  bool healthy = true;

 private:
  std::string name_;
  std::vector<std::string>& log_;
  bool fail_;
  bool running_ = false;
};

TEST(DaemonTest, StartsInOrderStopsInReverse) {
  std::vector<std::string> log;
  Daemon d;
  auto a = std::make_shared<FakeService>("a", log);
  auto b = std::make_shared<FakeService>("b", log);
  d.Add(a);
  d.Add(b);
  EXPECT_FALSE(d.Ready());
  ASSERT_TRUE(d.Start().ok());
  EXPECT_TRUE(d.Ready());
  b->healthy = false;
  EXPECT_FALSE(d.Ready());
  EXPECT_EQ(d.HealthReport()[1].first, "b");
  d.Stop();
  d.Stop();  // idempotent
  EXPECT_EQ(log, (std::vector<std::string>{"start a", "start b", "stop b", "stop a"}));
  EXPECT_FALSE(d.Ready());
}

TEST(DaemonTest, AServiceThatCannotStartStopsTheOthers) {
  std::vector<std::string> log;
  Daemon d;
  d.Add(std::make_shared<FakeService>("a", log));
  d.Add(std::make_shared<FakeService>("http", log, /*fail=*/true));
  d.Add(std::make_shared<FakeService>("c", log));
  Status s = d.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("starting http"), std::string::npos) << s;
  EXPECT_EQ(log, (std::vector<std::string>{"start a", "start http", "stop a"}));
  EXPECT_FALSE(d.Ready());
}

}  // namespace
}  // namespace carelake::serve
