#include "carelake/dbsource/mysql_client.h"

#include <mysql.h>
#include <mysqld_error.h>

#include "carelake/base/status.h"
#include "carelake/dbsource/db_url.h"

namespace carelake::dbsource {
namespace {

struct ResultFree {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using MyResult = std::unique_ptr<MYSQL_RES, ResultFree>;

StatusCode CodeOf(unsigned error) {
  switch (error) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
      return StatusCode::kUnauthenticated;
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
      return StatusCode::kPermissionDenied;
    case ER_NO_SUCH_TABLE:
    case ER_BAD_DB_ERROR:
    case ER_BAD_FIELD_ERROR:
      return StatusCode::kNotFound;
    default:
      return error >= 2000 && error < 3000 ? StatusCode::kUnavailable  // client errors
                                           : StatusCode::kInvalidArgument;
  }
}

Status ApplyTls(MYSQL* mysql, const DbUrl& url) {
  auto mode_it = url.params.find("ssl-mode");
  std::string mode = mode_it == url.params.end() ? "preferred" : mode_it->second;
  for (char& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  my_bool yes = 1;
  if (mode == "disabled" || mode == "preferred") return Status::Ok();
  if (mode != "required" && mode != "verify_ca" && mode != "verify_identity") {
    return InvalidArgument("MySQL URL: ssl-mode '" + mode_it->second +
                           "' is not one of disabled, preferred, required, verify_ca, "
                           "verify_identity");
  }
  mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &yes);
  if (mode != "required") mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
  if (auto ca = url.params.find("ssl-ca"); ca != url.params.end()) {
    mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, ca->second.c_str());
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<MySqlClient>> MySqlClient::Connect(const std::string& url_text,
                                                          const std::string& password,
                                                          int connect_timeout_s) {
  CARELAKE_ASSIGN_OR_RETURN(DbUrl url, ParseDbUrl(url_text));
  if (url.kind != DbKind::kMySql) return InvalidArgument("not a mysql:// URL: " + url.Redacted());
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr)
    return Internal("MySQL: the client library could not allocate a connection");
  std::unique_ptr<MySqlClient> client(new MySqlClient(mysql));
  unsigned timeout = static_cast<unsigned>(connect_timeout_s);
  mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_optionsv(mysql, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
  if (Status s = ApplyTls(mysql, url); !s.ok()) return s;
  auto socket = url.params.find("socket");
  const std::string& pw = password.empty() ? url.password : password;
  if (!mysql_real_connect(
          mysql, url.host.empty() ? nullptr : url.host.c_str(), url.user.c_str(), pw.c_str(),
          url.database.empty() ? nullptr : url.database.c_str(), static_cast<unsigned>(url.port),
          socket == url.params.end() ? nullptr : socket->second.c_str(), CLIENT_MULTI_STATEMENTS)) {
    return client->Error("connecting to " + url.Redacted());
  }
  return client;
}

MySqlClient::~MySqlClient() { mysql_close(mysql_); }

Status MySqlClient::Error(std::string_view while_doing) const {
  unsigned error = mysql_errno(mysql_);
  std::string message = "MySQL: " + std::string(mysql_error(mysql_)) + " (error " +
                        std::to_string(error) + ", " + mysql_sqlstate(mysql_) + ")";
  if (!while_doing.empty()) message += " " + std::string(while_doing);
  return Status(CodeOf(error), message);
}

Status MySqlClient::Exec(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error("");
  for (;;) {
    MyResult result(mysql_store_result(mysql_));
    if (result == nullptr && mysql_field_count(mysql_) != 0) return Error("");
    int next = mysql_next_result(mysql_);
    if (next > 0) return Error("");
    if (next < 0) return Status::Ok();
  }
}

Result<Rows> MySqlClient::Query(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error("");
  MyResult result(mysql_store_result(mysql_));
  if (result == nullptr) {
    if (mysql_field_count(mysql_) != 0) return Error("");
    return Rows{};
  }
  Rows rows;
  unsigned columns = mysql_num_fields(result.get());
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    unsigned long* lengths = mysql_fetch_lengths(result.get());
    auto& out = rows.emplace_back(columns);
    for (unsigned c = 0; c < columns; ++c) {
      if (row[c] != nullptr) out[c].emplace(row[c], lengths[c]);
    }
  }
  while (mysql_next_result(mysql_) == 0) MyResult(mysql_store_result(mysql_));
  return rows;
}

Result<int64_t> MySqlClient::Stream(const std::string& sql,
                                    const std::function<Status(const RowView&)>& sink) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error("");
  MyResult result(mysql_use_result(mysql_));
  if (result == nullptr) {
    if (mysql_field_count(mysql_) != 0) return Error("");
    return int64_t{0};
  }
  unsigned columns = mysql_num_fields(result.get());
  int64_t rows = 0;
  Status sink_error;
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    ++rows;
    if (!sink_error.ok()) continue;  // drained: the connection must read the whole result
    sink_error = sink(RowView{row, mysql_fetch_lengths(result.get()), columns});
  }
  if (mysql_errno(mysql_) != 0) return Error("");
  if (!sink_error.ok()) return sink_error;
  return rows;
}

std::string MySqlClient::Quote(std::string_view text) {
  std::string out(text.size() * 2 + 3, '\0');
  out[0] = '\'';
  unsigned long n = mysql_real_escape_string(mysql_, out.data() + 1, text.data(), text.size());
  out.resize(n + 1);
  out += '\'';
  return out;
}

std::string MySqlClient::Identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

}  // namespace carelake::dbsource
