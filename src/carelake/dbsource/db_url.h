// DbUrl: a database server's address as the project file writes it,
// `mysql://user@host:port/database?key=value` (also `mariadb://`) or
// `postgresql://…` (also `postgres://`). PostgreSQL's are handed to libpq as
// they are (it parses URIs itself); the parse here serves MySQL's client,
// which takes its parameters one by one, and every message that names a
// server: Redacted() drops the password that a URL may carry.
#ifndef CARELAKE_DBSOURCE_DB_URL_H_
#define CARELAKE_DBSOURCE_DB_URL_H_

#include <map>
#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::dbsource {

enum class DbKind { kPostgres, kMySql };

struct DbUrl {
  DbKind kind = DbKind::kPostgres;
  std::string user;      // percent-decoded; may be empty
  std::string password;  // from `user:password@`, percent-decoded; better from the environment
  std::string host;      // empty: the client's default (a local socket)
  int port = 0;          // 0: the default (5432, 3306)
  std::string database;
  std::map<std::string, std::string> params;  // the query string, decoded

  // `scheme://user@host:port/database`, without the password and the
  // parameters: what messages and the catalog show.
  std::string Redacted() const;
};

// Parses `url`. Errors name what is wrong (never the password).
Result<DbUrl> ParseDbUrl(std::string_view url);

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_DB_URL_H_
