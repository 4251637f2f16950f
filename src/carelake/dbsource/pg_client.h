// PgClient: one connection to a PostgreSQL server through libpq (Debian's
// libpq), for the database sources (reading tables) and the seed
// generators (writing them). Errors carry the server's message and SQLSTATE
// and never the password.
#ifndef CARELAKE_DBSOURCE_PG_CLIENT_H_
#define CARELAKE_DBSOURCE_PG_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"

struct pg_conn;
struct pg_result;

namespace carelake::dbsource {

// Rows of a query, each value as the server's text (nullopt: NULL).
using Rows = std::vector<std::vector<std::optional<std::string>>>;

class PgClient {
 public:
  // Connects to `url`, a libpq URI (postgresql://…) or key=value string;
  // `password`, when not empty, overrides one in `url`. The session runs
  // with TimeZone UTC, DateStyle ISO and IntervalStyle iso_8601 so that
  // values read as text have one spelling.
  static Result<std::unique_ptr<PgClient>> Connect(const std::string& url,
                                                   const std::string& password,
                                                   int connect_timeout_s = 10);
  ~PgClient();
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  // Runs `sql`, any number of statements (the simple query protocol).
  Status Exec(const std::string& sql);
  // Runs `sql` and returns the rows of its last statement.
  Result<Rows> Query(const std::string& sql);
  // Runs `sql`, a `COPY … FROM STDIN`, sending `data` in COPY's format.
  Status CopyIn(const std::string& sql, std::string_view data);
  // Runs `sql`, a `COPY … TO STDOUT`, handing each row's data to `sink` as
  // it arrives (memory stays bounded). Returns the rows copied. An error of
  // `sink` stops the copy and is returned.
  Result<int64_t> CopyOut(const std::string& sql,
                          const std::function<Status(std::string_view)>& sink);

  // A string literal / an identifier quoted for this server.
  std::string Literal(std::string_view text) const;
  std::string Identifier(std::string_view name) const;
  // E.g. 150004 for 15.4.
  int server_version() const;

  // The server's notices and warnings since the last call ("WARNING: …"),
  // oldest first; libpq would print them on stderr. At most kMaxNotices are
  // kept (the latest are dropped and counted in a last line).
  std::vector<std::string> TakeNotices();
  static constexpr size_t kMaxNotices = 100;

 private:
  explicit PgClient(pg_conn* conn) : conn_(conn) {}
  static void ReceiveNotice(void* self, const pg_result* notice);

  pg_conn* conn_;
  std::vector<std::string> notices_;
  int64_t dropped_notices_ = 0;
};

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_PG_CLIENT_H_
