// MySqlClient against a real MariaDB with TLS: the `ssl-mode` and `ssl-ca`
// parameters of a source's mysql:// URL (certificates made by openssl).
#include "carelake/dbsource/mysql_client.h"

#include <gtest/gtest.h>

#include <string>

#include "../mariadb_server.h"

namespace carelake::dbsource {
namespace {

class MySqlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    bool missing = false;
    server_ = testing::MariaDbServer::Start(why, missing, {.tcp = true, .tls = true});
    if (missing) GTEST_SKIP() << why;
    ASSERT_NE(server_, nullptr) << why;
  }

  // The session's cipher: empty when the connection is not encrypted.
  std::string Cipher(MySqlClient& client) {
    auto rows = client.Query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty()) return "?";
    return (*rows)[0][1].value_or("");
  }

  std::string Url(const std::string& params) { return server_->TcpUrl("") + "?" + params; }

  std::unique_ptr<testing::MariaDbServer> server_;
};

TEST_F(MySqlClientTest, SslModesEncryptAndVerifyAsAsked) {
  const std::string password = testing::MariaDbServer::kReaderPassword;
  const testing::TestCertificates& certs = server_->certificates();

  auto required = MySqlClient::Connect(Url("ssl-mode=required"), password);
  ASSERT_TRUE(required.ok()) << required.status();
  EXPECT_NE(Cipher(**required), "");

  auto verified =
      MySqlClient::Connect(Url("ssl-mode=verify_identity&ssl-ca=" + certs.ca), password);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_NE(Cipher(**verified), "");

  auto disabled = MySqlClient::Connect(Url("ssl-mode=disabled"), password);
  ASSERT_TRUE(disabled.ok()) << disabled.status();
  EXPECT_EQ(Cipher(**disabled), "");

  // A CA that did not sign the server's certificate: refused, without the password.
  auto wrong = MySqlClient::Connect(Url("ssl-mode=verify_ca&ssl-ca=" + certs.other_ca), password);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message().find(password), std::string::npos) << wrong.status();

  auto unknown = MySqlClient::Connect(Url("ssl-mode=sometimes"), password);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("ssl-mode 'sometimes'"), std::string::npos)
      << unknown.status();
}

}  // namespace
}  // namespace carelake::dbsource
