#include "carelake/dbsource/db_url.h"

#include <charconv>

#include "carelake/base/format.h"
#include "carelake/base/status.h"

namespace carelake::dbsource {
namespace {

Result<std::string> Decode(std::string_view part, std::string_view what) {
  std::string out;
  out.reserve(part.size());
  for (size_t i = 0; i < part.size(); ++i) {
    if (part[i] != '%') {
      out += part[i];
      continue;
    }
    int hi = i + 2 < part.size() ? HexDigitValue(part[i + 1]) : -1;
    int lo = i + 2 < part.size() ? HexDigitValue(part[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return InvalidArgument("database URL: a '%' in the " + std::string(what) +
                             " is not followed by two hex digits");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<DbKind> KindOf(std::string_view scheme) {
  if (scheme == "postgresql" || scheme == "postgres") return DbKind::kPostgres;
  if (scheme == "mysql" || scheme == "mariadb") return DbKind::kMySql;
  return InvalidArgument("database URL: unknown scheme '" + std::string(scheme) +
                         "' (expected postgresql://, postgres://, mysql:// or mariadb://)");
}

Status ParseUserInfo(std::string_view info, DbUrl& url) {
  size_t colon = info.find(':');
  CARELAKE_ASSIGN_OR_RETURN(url.user, Decode(info.substr(0, colon), "user name"));
  if (colon != std::string_view::npos) {
    CARELAKE_ASSIGN_OR_RETURN(url.password, Decode(info.substr(colon + 1), "password"));
  }
  return Status::Ok();
}

Status ParseHostPort(std::string_view hostport, DbUrl& url) {
  size_t colon = hostport.rfind(':');
  if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:port
    size_t close = hostport.find(']');
    if (close == std::string_view::npos)
      return InvalidArgument("database URL: unclosed '[' in the host");
    colon = hostport.find(':', close);
  }
  std::string_view host = hostport.substr(0, colon);
  CARELAKE_ASSIGN_OR_RETURN(url.host, Decode(host, "host"));
  if (colon == std::string_view::npos) return Status::Ok();
  std::string_view port = hostport.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
  if (ec != std::errc() || end != port.data() + port.size() || url.port <= 0 || url.port > 65535) {
    return InvalidArgument("database URL: port '" + std::string(port) +
                           "' is not a number from 1 to 65535");
  }
  return Status::Ok();
}

Status ParseParams(std::string_view query, DbUrl& url) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument("database URL: parameter '" + std::string(pair) + "' has no '=value'");
    }
    CARELAKE_ASSIGN_OR_RETURN(std::string key, Decode(pair.substr(0, eq), "parameters"));
    CARELAKE_ASSIGN_OR_RETURN(url.params[key], Decode(pair.substr(eq + 1), "parameters"));
  }
  return Status::Ok();
}

}  // namespace

std::string DbUrl::Redacted() const {
  std::string out = kind == DbKind::kPostgres ? "postgresql://" : "mysql://";
  if (!user.empty()) out += user + "@";
  out += host;
  if (port != 0) out += ":" + std::to_string(port);
  out += "/" + database;
  return out;
}

Result<DbUrl> ParseDbUrl(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return InvalidArgument("database URL: expected scheme://[user@]host[:port]/database");
  }
  DbUrl url;
  CARELAKE_ASSIGN_OR_RETURN(url.kind, KindOf(text.substr(0, sep)));
  std::string_view rest = text.substr(sep + 3);
  size_t q = rest.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  rest = rest.substr(0, q);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    CARELAKE_ASSIGN_OR_RETURN(url.database, Decode(rest.substr(slash + 1), "database name"));
  }
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    if (Status s = ParseUserInfo(authority.substr(0, at), url); !s.ok()) return s;
    authority = authority.substr(at + 1);
  }
  if (Status s = ParseHostPort(authority, url); !s.ok()) return s;
  if (Status s = ParseParams(query, url); !s.ok()) return s;
  return url;
}

}  // namespace carelake::dbsource
