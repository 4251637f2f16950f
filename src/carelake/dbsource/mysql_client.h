// MySqlClient: one connection to a MySQL 8 or MariaDB 10+ server through
// MariaDB's client library (Debian's libmariadb), for the database sources
// (reading tables) and the seed generators (writing them). Errors carry the
// server's message and error code and never the password.
#ifndef CARELAKE_DBSOURCE_MYSQL_CLIENT_H_
#define CARELAKE_DBSOURCE_MYSQL_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/dbsource/pg_client.h"  // Rows

struct st_mysql;

namespace carelake::dbsource {

// One row of a streamed result: `values[i]` is null for NULL, else
// `lengths[i]` bytes (binary-safe). Valid only during the callback.
struct RowView {
  const char* const* values;
  const unsigned long* lengths;
  unsigned columns;
};

class MySqlClient {
 public:
  // Connects to `url`: mysql://user[:password]@host[:port]/database with
  // optional parameters `socket=/path`, `ssl-mode=disabled|preferred|
  // required|verify_ca|verify_identity`, `ssl-ca=/path`. `password`, when
  // not empty, overrides one in the URL. The session uses utf8mb4 and time
  // zone '+00:00' (TIMESTAMP columns read as UTC).
  static Result<std::unique_ptr<MySqlClient>> Connect(const std::string& url,
                                                      const std::string& password,
                                                      int connect_timeout_s = 10);
  ~MySqlClient();
  MySqlClient(const MySqlClient&) = delete;
  MySqlClient& operator=(const MySqlClient&) = delete;

  // Runs `sql`, one or several statements separated by ';'.
  Status Exec(const std::string& sql);
  // Runs `sql` (one statement) and returns its rows as text.
  Result<Rows> Query(const std::string& sql);
  // Runs `sql` and hands each row to `sink` as it arrives from the server
  // (an unbuffered result: memory stays bounded). Returns the rows read. An
  // error of `sink` stops the read and is returned.
  Result<int64_t> Stream(const std::string& sql, const std::function<Status(const RowView&)>& sink);

  // A string literal quoted for this server's character set.
  std::string Quote(std::string_view text);
  // `name` in backquotes.
  static std::string Identifier(std::string_view name);

 private:
  explicit MySqlClient(st_mysql* mysql) : mysql_(mysql) {}
  Status Error(std::string_view while_doing) const;
  st_mysql* mysql_;
};

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_MYSQL_CLIENT_H_
