// PgClient against a real PostgreSQL 15: TLS as a source's `connection:`
// asks for it (libpq's sslmode/sslrootcert, certificates made here with the
// openssl command), and server notices collected rather than printed.
#include "carelake/dbsource/pg_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "../postgres_server.h"
#include "../test_certificates.h"

namespace carelake::dbsource {
namespace {

namespace fs = std::filesystem;

class PgClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    bool missing = false;
    server_ = testing::PostgresServer::Start(why, missing, {.tcp = true});
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(server_, nullptr) << why;
  }

  std::unique_ptr<testing::PostgresServer> server_;
};

TEST_F(PgClientTest, TlsVerifiesTheServerAgainstTheGivenCa) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl";
  const fs::path certs = fs::path(server_->dir()) / "certs";
  fs::create_directories(certs);
  testing::TestCertificates tls_files;
  std::string why;
  ASSERT_TRUE(testing::MakeTestCertificates(certs.string(), server_->dir(), tls_files, why)) << why;
  auto admin = PgClient::Connect(server_->Url("postgres"), "");
  ASSERT_TRUE(admin.ok()) << admin.status();
  // One statement each: ALTER SYSTEM cannot run in a transaction block.
  for (const std::string& sql :
       {"ALTER SYSTEM SET ssl_cert_file = '" + tls_files.cert + "'",
        "ALTER SYSTEM SET ssl_key_file = '" + tls_files.key + "'",
        std::string("ALTER SYSTEM SET ssl = on"), std::string("SELECT pg_reload_conf()")}) {
    Status done = (*admin)->Exec(sql);
    ASSERT_TRUE(done.ok()) << sql << ": " << done;
  }
  const std::string base =
      "postgresql://reader@localhost:" + std::to_string(server_->tcp_port()) + "/postgres";
  const std::string password = testing::PostgresServer::kReaderPassword;

  // verify-full with the right CA: an encrypted session.
  Result<std::unique_ptr<PgClient>> tls = Status(StatusCode::kInternal, "not tried");
  for (int i = 0; i < 50; ++i) {  // the reload is asynchronous
    tls = PgClient::Connect(base + "?sslmode=verify-full&sslrootcert=" + tls_files.ca, password);
    if (tls.ok()) break;
    ::usleep(100'000);
  }
  ASSERT_TRUE(tls.ok()) << tls.status();
  auto ssl = (*tls)->Query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_TRUE(ssl.ok()) << ssl.status();
  EXPECT_EQ((*ssl)[0][0], "t");

  // A CA that did not sign the server's certificate: refused, saying why.
  auto wrong =
      PgClient::Connect(base + "?sslmode=verify-full&sslrootcert=" + tls_files.other_ca, password);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("certificate"), std::string::npos) << wrong.status();
  EXPECT_EQ(wrong.status().message().find(password), std::string::npos);

  // verify-full checks the name too: the server's address under a name
  // that is not in its certificate.
  auto name = PgClient::Connect(
      "postgresql://reader@carelake.invalid:" + std::to_string(server_->tcp_port()) +
          "/postgres?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=" + tls_files.ca,
      password);
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.status().message().find("carelake.invalid"), std::string::npos) << name.status();

  // sslmode=disable is still possible (the server's pg_hba allows both).
  auto plain = PgClient::Connect(base + "?sslmode=disable", password);
  ASSERT_TRUE(plain.ok()) << plain.status();
  ssl = (*plain)->Query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_TRUE(ssl.ok());
  EXPECT_EQ((*ssl)[0][0], "f");
}

TEST_F(PgClientTest, ServerNoticesAreCollectedNotPrinted) {
  auto pg = PgClient::Connect(server_->Url("postgres"), "");
  ASSERT_TRUE(pg.ok()) << pg.status();
  ::testing::internal::CaptureStderr();
  Status done = (*pg)->Exec(
      "DO $$ BEGIN RAISE NOTICE 'first'; RAISE WARNING 'second'; "
      "FOR i IN 1..150 LOOP RAISE NOTICE 'n%', i; END LOOP; END $$");
  const std::string printed = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(done.ok()) << done;
  EXPECT_EQ(printed, "");
  std::vector<std::string> notices = (*pg)->TakeNotices();
  ASSERT_EQ(notices.size(), PgClient::kMaxNotices + 1);
  EXPECT_EQ(notices[0], "NOTICE: first");
  EXPECT_EQ(notices[1], "WARNING: second");
  EXPECT_EQ(notices[2], "NOTICE: n1");
  EXPECT_EQ(notices.back(), "(52 more notices not kept)");  // 152 sent, 100 kept
  EXPECT_TRUE((*pg)->TakeNotices().empty());
}

}  // namespace
}  // namespace carelake::dbsource
