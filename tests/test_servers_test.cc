// The throwaway database servers of the tests (mariadb_server.h,
// postgres_server.h): they start, answer queries through their own client
// libraries over the socket and over loopback TCP with the reader's password,
// refuse a wrong password, and leave nothing behind.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <mysql.h>

#include <filesystem>
#include <optional>
#include <string>

#include "mariadb_server.h"
#include "postgres_server.h"

namespace carelake::testing {
namespace {

// The first value of `sql`'s answer, or nullopt with the error in `error`.
std::optional<std::string> MySqlValue(MYSQL* mysql, const std::string& sql, std::string& error) {
  if (mysql_query(mysql, sql.c_str()) != 0) {
    error = mysql_error(mysql);
    return std::nullopt;
  }
  MYSQL_RES* result = mysql_store_result(mysql);
  MYSQL_ROW row = result != nullptr ? mysql_fetch_row(result) : nullptr;
  std::optional<std::string> value;
  if (row != nullptr && row[0] != nullptr) value = row[0];
  if (result != nullptr) mysql_free_result(result);
  return value;
}

std::string PgValue(const std::string& conninfo, const std::string& sql, std::string& error) {
  PGconn* pg = PQconnectdb(conninfo.c_str());
  std::string value;
  if (PQstatus(pg) != CONNECTION_OK) {
    error = PQerrorMessage(pg);
  } else {
    PGresult* result = PQexec(pg, sql.c_str());
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
      value = PQgetvalue(result, 0, 0);
    } else {
      error = PQerrorMessage(pg);
    }
    PQclear(result);
  }
  PQfinish(pg);
  return value;
}

// Starts a server into `server`; skips the test when the binaries are missing.
#define START_OR_SKIP(server, Type, options)             \
  std::string why;                                       \
  bool missing = false;                                  \
  auto server = Type::Start(why, missing, options);      \
  if (server == nullptr && missing) GTEST_SKIP() << why; \
  ASSERT_NE(server, nullptr) << why

TEST(MariaDbServerTest, AnswersOverTheSocketAndRemovesItsFolderWhenDestroyed) {
  START_OR_SKIP(server, MariaDbServer, {.tcp = false});
  EXPECT_EQ(server->port(), 0);
  EXPECT_EQ(server->TcpUrl("db"), "");
  EXPECT_EQ(server->Url("db"), "mysql://root@localhost/db?socket=" + server->SocketPath());
  MYSQL* mysql = mysql_init(nullptr);
  ASSERT_NE(
      mysql_real_connect(mysql, nullptr, "root", "", nullptr, 0, server->SocketPath().c_str(), 0),
      nullptr)
      << mysql_error(mysql);
  std::string error;
  EXPECT_EQ(MySqlValue(mysql, "SELECT 6 * 7", error), "42") << error;
  EXPECT_EQ(MySqlValue(mysql, "SELECT @@time_zone", error), "+00:00") << error;
  EXPECT_EQ(MySqlValue(mysql, "SELECT @@skip_networking", error), "1") << error;
  EXPECT_EQ(MySqlValue(mysql, "SELECT @@character_set_server", error), "utf8mb4") << error;
  mysql_close(mysql);
  const std::string folder = std::filesystem::path(server->SocketPath()).parent_path();
  EXPECT_TRUE(std::filesystem::exists(folder));
  server.reset();
  EXPECT_FALSE(std::filesystem::exists(folder));
}

TEST(MariaDbServerTest, ReaderConnectsOverLoopbackTcpWithItsPasswordOnly) {
  START_OR_SKIP(server, MariaDbServer, {.tcp = true});
  ASSERT_GT(server->port(), 0);
  EXPECT_EQ(server->TcpUrl("clinic"),
            "mysql://reader@127.0.0.1:" + std::to_string(server->port()) + "/clinic");
  MYSQL* mysql = mysql_init(nullptr);
  ASSERT_NE(mysql_real_connect(mysql, "127.0.0.1", "reader", MariaDbServer::kReaderPassword,
                               nullptr, server->port(), nullptr, 0),
            nullptr)
      << mysql_error(mysql);
  std::string error;
  EXPECT_EQ(MySqlValue(mysql, "SELECT CURRENT_USER()", error), "reader@127.0.0.1") << error;
  EXPECT_EQ(MySqlValue(mysql, "SELECT @@port", error), std::to_string(server->port())) << error;
  // The reader holds every privilege: it can create and fill a database.
  ASSERT_EQ(mysql_query(mysql, "CREATE DATABASE clinic"), 0) << mysql_error(mysql);
  ASSERT_EQ(mysql_query(mysql, "CREATE TABLE clinic.t (v VARCHAR(10)) ENGINE=InnoDB"), 0)
      << mysql_error(mysql);
  ASSERT_EQ(mysql_query(mysql, "INSERT INTO clinic.t VALUES ('a'), ('b')"), 0);
  EXPECT_EQ(MySqlValue(mysql, "SELECT COUNT(*) FROM clinic.t", error), "2") << error;
  mysql_close(mysql);

  MYSQL* wrong = mysql_init(nullptr);
  EXPECT_EQ(mysql_real_connect(wrong, "127.0.0.1", "reader", "not-the-password", nullptr,
                               server->port(), nullptr, 0),
            nullptr);
  EXPECT_NE(std::string(mysql_error(wrong)).find("Access denied"), std::string::npos)
      << mysql_error(wrong);
  mysql_close(wrong);
}

TEST(PostgresServerTest, ReaderConnectsOverLoopbackTcpWithItsPasswordOnly) {
  START_OR_SKIP(server, PostgresServer, {.tcp = true});
  const int port = server->tcp_port();
  ASSERT_GT(port, 0);
  std::string error;
  // The socket stays trusted; its name follows the port.
  EXPECT_EQ(PgValue(server->ConnInfo(), "SELECT current_user", error), "postgres") << error;
  EXPECT_EQ(PgValue(server->Url("postgres"), "SELECT 6 * 7", error), "42") << error;
  const std::string tcp = server->TcpUrl("postgres");
  EXPECT_EQ(tcp, "postgresql://reader@127.0.0.1:" + std::to_string(port) + "/postgres");
  EXPECT_EQ(PgValue(tcp + "?password=" + PostgresServer::kReaderPassword,
                    "SELECT current_user || ' ' || host(inet_server_addr())", error),
            "reader 127.0.0.1")
      << error;
  error.clear();
  EXPECT_EQ(PgValue(tcp + "?password=wrong", "SELECT 1", error), "");
  EXPECT_NE(error.find("password authentication failed"), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(PgValue(tcp, "SELECT 1", error), "");  // no password at all
  EXPECT_NE(error, "");
}

TEST(PostgresServerTest, WithoutTcpListensOnTheSocketOnlyAsBefore) {
  START_OR_SKIP(server, PostgresServer, {.tcp = false});
  EXPECT_EQ(server->tcp_port(), 0);
  EXPECT_EQ(server->TcpUrl("postgres"), "");
  std::string error;
  EXPECT_EQ(PgValue(server->ConnInfo(), "SHOW listen_addresses", error), "") << error;
  EXPECT_EQ(error, "");
  EXPECT_EQ(PgValue(server->ConnInfo(), "SHOW port", error), "5432") << error;
}

}  // namespace
}  // namespace carelake::testing
