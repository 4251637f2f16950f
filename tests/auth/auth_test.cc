// SCRAM-SHA-256 against RFC 7677's example exchange (the server accepts the
// client's proof and signs exactly as the RFC says), verifiers in
// PostgreSQL's text form, and the user store: verifiers only, mode 0600,
// refused when others may read it, errors that never echo a password.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "carelake/auth/scram.h"
#include "carelake/auth/user_store.h"

namespace carelake::auth {
namespace {

namespace fs = std::filesystem;

TEST(ScramTest, TheRfc7677ExampleExchangeVerifies) {
  auto salt = Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  ASSERT_TRUE(salt.ok());
  const ScramVerifier v = VerifierWithSalt("pencil", *salt, 4096);
  const std::string auth_message =
      "n=user,r=rOprNGfwEbeRWgbNEkqO,"
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  auto proof = Base64Decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(VerifyClientProof(v, auth_message, *proof));
  EXPECT_EQ(Base64Encode(ServerSignature(v, auth_message)),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  // Another password, or another message, does not verify.
  EXPECT_FALSE(VerifyClientProof(VerifierWithSalt("pencil2", *salt, 4096), auth_message, *proof));
  EXPECT_FALSE(VerifyClientProof(v, auth_message + "x", *proof));
  EXPECT_FALSE(VerifyClientProof(v, auth_message, proof->substr(1)));
}

TEST(ScramTest, VerifiersRoundTripInPostgresTextAndAreSalted) {
  auto a = MakeVerifier("correct horse");
  auto b = MakeVerifier("correct horse");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->salt, b->salt);
  EXPECT_NE(a->stored_key, b->stored_key);
  const std::string text = a->ToString();
  EXPECT_EQ(text.rfind("SCRAM-SHA-256$4096:", 0), 0u) << text;
  EXPECT_EQ(text.find("correct horse"), std::string::npos);
  auto parsed = ScramVerifier::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->ToString(), text);
  EXPECT_EQ(parsed->stored_key, a->stored_key);
  EXPECT_FALSE(ScramVerifier::Parse("md5abc").ok());
  EXPECT_FALSE(ScramVerifier::Parse("SCRAM-SHA-256$x:AAAA$AAAA:AAAA").ok());
  EXPECT_FALSE(MakeVerifier("pw", 1000).ok()) << "fewer iterations than PostgreSQL's minimum";
}

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = fs::temp_directory_path() / ("auth_" + std::to_string(::getpid()));
    fs::remove_all(lake_);
  }
  void TearDown() override { fs::remove_all(lake_); }
  fs::path lake_;
};

TEST_F(UserStoreTest, StoresVerifiersOnlyInAPrivateFile) {
  const std::string path = UserStore::PathFor(lake_.string());
  auto store = UserStore::Load(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(store->users().empty());
  ASSERT_TRUE(store->Add("analyst", "reader", "s3cret-pass", 1000).ok());
  ASSERT_TRUE(store->Add("etl_bot", "writer", "another-pass", 2000).ok());
  EXPECT_EQ(store->Add("analyst", "reader", "s3cret-pass", 3000).code(),
            StatusCode::kAlreadyExists);
  const Status short_pw = store->Add("x", "reader", "short", 1);
  EXPECT_EQ(short_pw.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(short_pw.message().find("short"), std::string::npos) << "never echo a password";
  EXPECT_EQ(store->Add("Bad Name", "reader", "long-enough", 1).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(store->Save().ok());

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find("s3cret-pass"), std::string::npos);
  EXPECT_NE(text.str().find("SCRAM-SHA-256$4096:"), std::string::npos);

  auto again = UserStore::Load(path);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->users().size(), 2u);
  const User* analyst = again->Find("analyst");
  ASSERT_NE(analyst, nullptr);
  EXPECT_EQ(analyst->role, "reader");
  EXPECT_EQ(analyst->created_ms, 1000);
  // The stored verifier is the password's: recomputed with its salt it matches.
  EXPECT_EQ(VerifierWithSalt("s3cret-pass", analyst->verifier.salt, 4096).stored_key,
            analyst->verifier.stored_key);
  const std::string old_key = analyst->verifier.stored_key;
  ASSERT_TRUE(again->SetPassword("analyst", "new-password", 5000).ok());
  EXPECT_NE(again->Find("analyst")->verifier.stored_key, old_key);
  EXPECT_EQ(again->Find("analyst")->password_changed_ms, 5000);
  EXPECT_EQ(again->SetPassword("nobody", "new-password", 5000).code(), StatusCode::kNotFound);
  ASSERT_TRUE(again->Remove("etl_bot").ok());
  EXPECT_EQ(again->Remove("etl_bot").code(), StatusCode::kNotFound);
  ASSERT_TRUE(again->Save().ok());
  EXPECT_EQ(UserStore::Load(path)->users().size(), 1u);

  // A store others may read is refused.
  ::chmod(path.c_str(), 0644);
  auto open = UserStore::Load(path);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(open.status().message().find("mode 0644"), std::string::npos);
}

}  // namespace
}  // namespace carelake::auth
