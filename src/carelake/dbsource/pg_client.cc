#include "carelake/dbsource/pg_client.h"

#include <libpq-fe.h>

#include <memory>

#include "carelake/base/status.h"

namespace carelake::dbsource {
namespace {

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultFree>;

std::string Trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

StatusCode CodeOf(std::string_view sqlstate) {
  if (sqlstate == "42501") return StatusCode::kPermissionDenied;
  if (sqlstate == "42P01" || sqlstate == "3F000" || sqlstate == "42703") {
    return StatusCode::kNotFound;
  }
  if (sqlstate == "57014") return StatusCode::kCancelled;
  if (sqlstate.substr(0, 2) == "08" || sqlstate.substr(0, 2) == "57") {
    return StatusCode::kUnavailable;
  }
  return StatusCode::kInvalidArgument;
}

// The error of `result` (or of the connection when there is none), with
// its SQLSTATE.
Status ErrorOf(PGconn* conn, const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = Trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  if (message.empty()) message = Trimmed(PQerrorMessage(conn));
  if (state == nullptr) return Status(StatusCode::kUnavailable, "PostgreSQL: " + message);
  return Status(CodeOf(state), "PostgreSQL: " + message + " (SQLSTATE " + state + ")");
}

bool Succeeded(const PGresult* r) {
  ExecStatusType s = PQresultStatus(r);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
}

// Reads the results that follow a COPY's data until the server is done.
Status FinishResults(PGconn* conn) {
  Status first;
  while (PGresult* raw = PQgetResult(conn)) {
    PgResult r(raw);
    if (!Succeeded(r.get()) && first.ok()) first = ErrorOf(conn, r.get());
  }
  return first;
}

}  // namespace

Result<std::unique_ptr<PgClient>> PgClient::Connect(const std::string& url,
                                                    const std::string& password,
                                                    int connect_timeout_s) {
  std::string timeout = std::to_string(connect_timeout_s);
  // Entries before `dbname` are overridden by the URL's own; `password`
  // after it overrides the URL's.
  std::vector<const char*> keys = {"connect_timeout", "application_name", "dbname"};
  std::vector<const char*> values = {timeout.c_str(), "carelake", url.c_str()};
  if (!password.empty()) {
    keys.push_back("password");
    values.push_back(password.c_str());
  }
  keys.push_back("options");
  values.push_back(
      "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=iso_8601 -c extra_float_digits=3");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr) return Internal("PostgreSQL: libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status error(StatusCode::kUnavailable, "PostgreSQL: " + Trimmed(PQerrorMessage(conn)));
    PQfinish(conn);
    return error;
  }
  std::unique_ptr<PgClient> client(new PgClient(conn));
  PQsetNoticeReceiver(conn, &PgClient::ReceiveNotice, client.get());
  return client;
}

void PgClient::ReceiveNotice(void* self, const PGresult* notice) {
  auto* client = static_cast<PgClient*>(self);
  if (client->notices_.size() >= kMaxNotices) {
    ++client->dropped_notices_;
    return;
  }
  const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY);
  const char* message = PQresultErrorField(notice, PG_DIAG_MESSAGE_PRIMARY);
  client->notices_.push_back(std::string(severity ? severity : "NOTICE") + ": " +
                             (message ? message : ""));
}

std::vector<std::string> PgClient::TakeNotices() {
  std::vector<std::string> out = std::move(notices_);
  notices_.clear();
  if (dropped_notices_ > 0) {
    out.push_back("(" + std::to_string(dropped_notices_) + " more notices not kept)");
    dropped_notices_ = 0;
  }
  return out;
}

PgClient::~PgClient() { PQfinish(conn_); }

Status PgClient::Exec(const std::string& sql) {
  if (!PQsendQuery(conn_, sql.c_str())) return ErrorOf(conn_, nullptr);
  Status first;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (!Succeeded(r.get()) && first.ok()) first = ErrorOf(conn_, r.get());
  }
  return first;
}

Result<Rows> PgClient::Query(const std::string& sql) {
  PgResult r(PQexec(conn_, sql.c_str()));
  if (r == nullptr || !Succeeded(r.get())) return ErrorOf(conn_, r.get());
  Rows rows(PQntuples(r.get()));
  int columns = PQnfields(r.get());
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].resize(columns);
    for (int c = 0; c < columns; ++c) {
      if (!PQgetisnull(r.get(), i, c)) {
        rows[i][c].emplace(PQgetvalue(r.get(), i, c), PQgetlength(r.get(), i, c));
      }
    }
  }
  return rows;
}

Status PgClient::CopyIn(const std::string& sql, std::string_view data) {
  PgResult r(PQexec(conn_, sql.c_str()));
  if (r == nullptr || PQresultStatus(r.get()) != PGRES_COPY_IN) return ErrorOf(conn_, r.get());
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    std::string_view part = data.substr(at, kChunk);
    if (PQputCopyData(conn_, part.data(), static_cast<int>(part.size())) != 1) {
      return ErrorOf(conn_, nullptr);
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) return ErrorOf(conn_, nullptr);
  return FinishResults(conn_);
}

Result<int64_t> PgClient::CopyOut(const std::string& sql,
                                  const std::function<Status(std::string_view)>& sink) {
  PgResult r(PQexec(conn_, sql.c_str()));
  if (r == nullptr || PQresultStatus(r.get()) != PGRES_COPY_OUT) return ErrorOf(conn_, r.get());
  int64_t rows = 0;
  Status sink_error;
  for (;;) {
    char* buffer = nullptr;
    int n = PQgetCopyData(conn_, &buffer, /*async=*/0);
    if (n < 0) break;  // -1: done; -2: error, reported by the result below
    std::unique_ptr<char, decltype(&PQfreemem)> owned(buffer, &PQfreemem);
    ++rows;
    if (sink_error.ok()) sink_error = sink(std::string_view(buffer, n));
    if (!sink_error.ok()) {
      // Stop the server's copy; the rest of the stream is drained unread.
      if (PGcancel* cancel = PQgetCancel(conn_)) {
        char err[256];
        PQcancel(cancel, err, sizeof err);
        PQfreeCancel(cancel);
      }
    }
  }
  Status finished = FinishResults(conn_);
  if (!sink_error.ok()) return sink_error;
  if (!finished.ok()) return finished;
  return rows;
}

std::string PgClient::Literal(std::string_view text) const {
  std::unique_ptr<char, decltype(&PQfreemem)> q(PQescapeLiteral(conn_, text.data(), text.size()),
                                                &PQfreemem);
  return q ? std::string(q.get()) : std::string("NULL");
}

std::string PgClient::Identifier(std::string_view name) const {
  std::unique_ptr<char, decltype(&PQfreemem)> q(PQescapeIdentifier(conn_, name.data(), name.size()),
                                                &PQfreemem);
  return q ? std::string(q.get()) : std::string("\"\"");
}

int PgClient::server_version() const { return PQserverVersion(conn_); }

}  // namespace carelake::dbsource
