// The alert channels against real receivers: a webhook to a local HTTP
// server, mail to a local SMTP server (aiosmtpd; plain, and STARTTLS with
// a login), and a command that gets the JSON on its standard input.
// Secrets come from the environment lookup and never show in errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../receivers.h"
#include "carelake/alert/channel.h"
#include "carelake/alert/tracker.h"

namespace carelake::alert {
namespace {

namespace fs = std::filesystem;
using carelake::testing::HttpReceiver;
using carelake::testing::SmtpReceiver;

EnvLookup Env(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const std::string& name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

Event RuleFailed() {
  Tracker tracker("billing");
  RunEnd r;
  r.job = "nightly";
  r.run_id = "run-7";
  r.failed_step = "silver.fact";
  r.failed_rule = "gross_non_negative";
  r.rows_checked = 120;
  r.rows_failed = 3;
  r.error = "rule gross_non_negative failed";
  r.time_ms = 1'764'800'000'000;
  return tracker.RunEnded(r)[0];
}

class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("carelake-alert-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ChannelOptions Options(std::map<std::string, std::string> env = {}) {
    ChannelOptions o;
    o.project_dir = dir_.string();
    o.env = Env(std::move(env));
    o.timeout = std::chrono::seconds(10);
    return o;
  }
  std::string Script() const {
    return std::string(CARELAKE_TEST_SOURCE_DIR) + "/alert/smtp_receiver.py";
  }

  fs::path dir_;
};

TEST_F(ChannelTest, WebhookPostsTheAlertJsonWithHeadersFromTheEnvironment) {
  HttpReceiver receiver;
  project::AlertTarget target;
  target.name = "ops";
  target.channel = project::WebhookTarget{
      receiver.url("/hooks/${HOOK_PATH}"), {{"Authorization", "Bearer ${HOOK_TOKEN}"}}, "", ""};
  auto channel = MakeChannel(target, Options({{"HOOK_TOKEN", "s3cret"}, {"HOOK_PATH", "abc"}}));
  ASSERT_EQ(channel->kind(), "webhook");
  ASSERT_TRUE(channel->Send(RuleFailed()).ok());
  auto got = receiver.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/hooks/abc");
  EXPECT_EQ(got[0].headers.find("Authorization")->second, "Bearer s3cret");
  EXPECT_EQ(got[0].headers.find("Content-Type")->second, "application/json");
  const auto body = nlohmann::json::parse(got[0].body);
  EXPECT_EQ(body["event"], "rule_failed");
  EXPECT_EQ(body["alert"], "ops");
  EXPECT_EQ(body["rule"], "gross_non_negative");
  EXPECT_EQ(body["run_id"], "run-7");
}

TEST_F(ChannelTest, WebhookTemplateShapesTheBody) {
  HttpReceiver receiver;
  project::AlertTarget target;
  target.name = "slack";
  target.channel = project::WebhookTarget{receiver.url(), {}, R"({"text": "{{summary}}"})", ""};
  ASSERT_TRUE(MakeChannel(target, Options())->Send(RuleFailed()).ok());
  auto got = receiver.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  const auto body = nlohmann::json::parse(got[0].body);
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body["text"], Summary(RuleFailed()));
}

TEST_F(ChannelTest, WebhookErrorsSayWhetherARetryMayHelpAndHideSecrets) {
  HttpReceiver receiver;
  project::AlertTarget target;
  target.name = "ops";
  target.channel = project::WebhookTarget{
      receiver.url("/x/${HOOK_PATH}"), {{"Authorization", "${HOOK_TOKEN}"}}, "", ""};
  auto channel = MakeChannel(target, Options({{"HOOK_TOKEN", "s3cret"}, {"HOOK_PATH", "p4th"}}));
  receiver.set_status(503);
  Status unavailable = channel->Send(RuleFailed());
  EXPECT_EQ(unavailable.code(), StatusCode::kUnavailable);
  EXPECT_NE(unavailable.message().find("HTTP 503"), std::string::npos);
  receiver.set_status(404);
  Status refused = channel->Send(RuleFailed());
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  for (const Status& s : {unavailable, refused}) {
    EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(receiver.port())), std::string::npos)
        << s.message();
    EXPECT_EQ(s.message().find("s3cret"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("p4th"), std::string::npos) << s.message();
  }
  // Nobody listening.
  project::AlertTarget dead = target;
  std::get<project::WebhookTarget>(dead.channel).url = "http://127.0.0.1:1/x";
  Status down = MakeChannel(dead, Options({{"HOOK_TOKEN", "s3cret"}}))->Send(RuleFailed());
  EXPECT_EQ(down.code(), StatusCode::kUnavailable) << down.message();
  // An unset variable names the variable.
  Status unset = MakeChannel(target, Options({{"HOOK_PATH", "p4th"}}))->Send(RuleFailed());
  EXPECT_EQ(unset.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unset.message().find("environment variable HOOK_TOKEN is not set"), std::string::npos)
      << unset.message();
}

TEST_F(ChannelTest, MailGoesThroughARealSmtpServer) {
  SmtpReceiver smtp(Script(), (dir_ / "mail").string());
  ASSERT_GT(smtp.port(), 0) << "aiosmtpd did not start (Debian python3-aiosmtpd)";
  project::AlertTarget target;
  target.name = "oncall";
  target.channel = project::EmailTarget{"smtp://127.0.0.1:" + std::to_string(smtp.port()),
                                        false,
                                        "carelake@example.org",
                                        {"oncall@example.org", "Ops <ops@example.org>"},
                                        "",
                                        "",
                                        ""};
  ASSERT_TRUE(MakeChannel(target, Options())->Send(RuleFailed()).ok());
  auto mails = smtp.WaitFor(1);
  ASSERT_EQ(mails.size(), 1u);
  const std::string& mail = mails[0];
  EXPECT_NE(mail.find("Subject: [carelake] billing: rule_failed job nightly"), std::string::npos)
      << mail;
  EXPECT_NE(mail.find("To: oncall@example.org, Ops <ops@example.org>"), std::string::npos);
  EXPECT_NE(mail.find("Rule: gross_non_negative"), std::string::npos);
  EXPECT_NE(mail.find("Rows failed: 3 of 120"), std::string::npos);
  EXPECT_NE(mail.find("Date: Wed, 03 Dec 2025 22:13:20 +0000"), std::string::npos);
  std::ifstream env_file(dir_ / "mail" / "1.env");
  const auto envelope = nlohmann::json::parse(env_file);
  EXPECT_EQ(envelope["to"].size(), 2u);
}

TEST_F(ChannelTest, MailWithStarttlsAndALoginFromTheEnvironment) {
  const fs::path cert = dir_ / "cert.pem", key = dir_ / "key.pem";
  const std::string openssl =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
      "subjectAltName=IP:127.0.0.1 -keyout " +
      key.string() + " -out " + cert.string() + " 2>/dev/null";
  ASSERT_EQ(std::system(openssl.c_str()), 0);
  SmtpReceiver smtp(Script(), (dir_ / "mail").string(),
                    {"--cert", cert.string(), "--key", key.string(), "--user", "alerts",
                     "--password", "pw-from-env"});
  ASSERT_GT(smtp.port(), 0);
  project::AlertTarget target;
  target.name = "oncall";
  target.channel = project::EmailTarget{"smtp://127.0.0.1:" + std::to_string(smtp.port()),
                                        true,
                                        "carelake@example.org",
                                        {"oncall@example.org"},
                                        "SMTP_USER",
                                        "SMTP_PASSWORD",
                                        cert.string()};
  auto ok =
      MakeChannel(target, Options({{"SMTP_USER", "alerts"}, {"SMTP_PASSWORD", "pw-from-env"}}))
          ->Send(RuleFailed());
  ASSERT_TRUE(ok.ok()) << ok.message();
  auto mails = smtp.WaitFor(1);
  ASSERT_EQ(mails.size(), 1u);
  std::ifstream env_file(dir_ / "mail" / "1.env");
  EXPECT_TRUE(nlohmann::json::parse(env_file)["tls"].get<bool>());
  // A wrong password is refused, not retried, and not shown.
  Status refused =
      MakeChannel(target, Options({{"SMTP_USER", "alerts"}, {"SMTP_PASSWORD", "wrong-pw"}}))
          ->Send(RuleFailed());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition)
      << static_cast<int>(refused.code()) << " " << refused.message();
  EXPECT_EQ(refused.message().find("wrong-pw"), std::string::npos);
  // Without the CA the server's certificate is not trusted.
  std::get<project::EmailTarget>(target.channel).ca_file = "";
  Status untrusted =
      MakeChannel(target, Options({{"SMTP_USER", "alerts"}, {"SMTP_PASSWORD", "pw-from-env"}}))
          ->Send(RuleFailed());
  EXPECT_FALSE(untrusted.ok());
  EXPECT_EQ(smtp.WaitFor(2, std::chrono::milliseconds(300)).size(), 1u);
}

TEST_F(ChannelTest, CommandGetsTheJsonOnStdinAndFailsOnANonZeroExit) {
  const fs::path script = dir_ / "hook.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\ncat > \"$1\"\n[ -z \"$FAIL\" ] || { echo \"it broke: $FAIL\" >&2; exit 3; "
           "}\n";
  }
  fs::permissions(script, fs::perms::owner_all);
  project::AlertTarget target;
  target.name = "log";
  target.channel = project::CommandTarget{{"./hook.sh", (dir_ / "${OUT}").string()}};
  auto channel = MakeChannel(target, Options({{"OUT", "alert.json"}}));
  ASSERT_EQ(channel->kind(), "command");
  ASSERT_TRUE(channel->Send(RuleFailed()).ok());
  std::ifstream in(dir_ / "alert.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["event"], "rule_failed");
  EXPECT_EQ(j["alert"], "log");

  ::setenv("FAIL", "yes", 1);
  Status failed = channel->Send(RuleFailed());
  ::unsetenv("FAIL");
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_NE(failed.message().find("exit status 3: it broke: yes"), std::string::npos)
      << failed.message();

  project::AlertTarget missing = target;
  std::get<project::CommandTarget>(missing.channel).argv = {"/nonexistent/notify"};
  Status not_started = MakeChannel(missing, Options())->Send(RuleFailed());
  EXPECT_EQ(not_started.code(), StatusCode::kFailedPrecondition) << not_started.message();
}

TEST_F(ChannelTest, ACommandThatHangsIsKilledAtTheTimeout) {
  project::AlertTarget target;
  target.name = "slow";
  target.channel = project::CommandTarget{{"/bin/sleep", "30"}};
  ChannelOptions options = Options();
  options.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  Status s = MakeChannel(target, options)->Send(RuleFailed());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(UrlOriginTest, KeepsSchemeAndHostOnly) {
  EXPECT_EQ(UrlOrigin("https://user:pw@hooks.example:8443/services/T0/B1?x=1"),
            "https://hooks.example:8443");
  EXPECT_EQ(UrlOrigin("smtp://mail.example"), "smtp://mail.example");
}

}  // namespace
}  // namespace carelake::alert
