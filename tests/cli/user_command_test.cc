// `carelake user`: users are added, listed, re-passworded and removed; the
// store holds salted verifiers only, in a file only its owner can read; the
// password never comes from an argument and never shows in any output.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "carelake/auth/scram.h"
#include "cli_project.h"

namespace {

using carelake::testing_cli::CliProjectTest;
using carelake::testing_cli::CliRun;

class UserCommandTest : public CliProjectTest {
 protected:
  CliRun User(const std::string& args, const std::string& password = "") {
    if (password.empty()) {
      ::unsetenv("CARELAKE_PASSWORD");
    } else {
      ::setenv("CARELAKE_PASSWORD", password.c_str(), 1);
    }
    CliRun r = carelake::testing_cli::Carelake("user " + args + " --project " + dir_);
    ::unsetenv("CARELAKE_PASSWORD");
    return r;
  }
  std::string Store() {
    std::ifstream in(dir_ + "/lake/_system/users.json");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

TEST_F(UserCommandTest, AddListPasswdRemove) {
  CliRun added = User("add analyst --role reader", "pw-analyst-1");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.err.find("added user analyst (role reader)"), std::string::npos);
  ASSERT_EQ(User("add etl_bot", "pw-etl-bot-1").exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/lake/_system/users.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string store = Store();
  EXPECT_EQ(store.find("pw-analyst-1"), std::string::npos);
  EXPECT_NE(store.find("SCRAM-SHA-256$4096:"), std::string::npos);

  CliRun listed = User("list --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto users = nlohmann::json::parse(listed.out);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0]["name"], "analyst");
  EXPECT_EQ(users[1]["role"], "reader");  // the default role

  CliRun again = User("add analyst", "pw-analyst-2");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("user 'analyst' exists"), std::string::npos) << again.err;
  CliRun short_pw = User("add nurse", "short");
  EXPECT_EQ(short_pw.exit_code, 2);
  EXPECT_NE(short_pw.err.find("at least 8 characters"), std::string::npos) << short_pw.err;
  EXPECT_EQ(short_pw.err.find("short\n"), std::string::npos);

  // passwd: the stored verifier becomes the new password's.
  ASSERT_EQ(User("passwd analyst", "pw-analyst-2").exit_code, 0);
  const auto doc = nlohmann::json::parse(Store());
  auto verifier =
      carelake::auth::ScramVerifier::Parse(doc["users"][0]["verifier"].get<std::string>());
  ASSERT_TRUE(verifier.ok());
  EXPECT_EQ(carelake::auth::VerifierWithSalt("pw-analyst-2", verifier->salt, verifier->iterations)
                .stored_key,
            verifier->stored_key);
  EXPECT_EQ(User("passwd nobody", "pw-whatever").exit_code, 1);

  ASSERT_EQ(User("remove etl_bot").exit_code, 0);
  EXPECT_EQ(User("remove etl_bot").exit_code, 1);
  CliRun text = User("list");
  EXPECT_NE(text.out.find("analyst  role reader"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("etl_bot"), std::string::npos);
}

}  // namespace
