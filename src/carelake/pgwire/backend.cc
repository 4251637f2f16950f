#include "carelake/pgwire/backend.h"

#include <utility>

#include "carelake/pgwire/backend_internal.h"
#include "carelake/pgwire/pg_types.h"
#include "carelake/sql/lexer.h"

namespace carelake::pgwire {

using sql::IsBlank;
using sql::LeadingWords;
using sql::SplitStatements;

namespace {

constexpr size_t kFlushAt = 256 * 1024;

}  // namespace

bool ReturnsRows(engine::StatementKind kind) {
  switch (kind) {
    case engine::StatementKind::kSelect:
    case engine::StatementKind::kExplain:
    case engine::StatementKind::kPragma:
    case engine::StatementKind::kCall:
    case engine::StatementKind::kOther:
      return true;
    default:
      return false;
  }
}

namespace {

// The CommandComplete tag of an engine statement that ran.
std::string TagFor(const Backend::Statement& s, int64_t rows) {
  using engine::StatementKind;
  switch (s.kind) {
    case StatementKind::kInsert:
      return "INSERT 0 " + std::to_string(rows);
    case StatementKind::kUpdate:
      return "UPDATE " + std::to_string(rows);
    case StatementKind::kDelete:
      return "DELETE " + std::to_string(rows);
    case StatementKind::kCreate:
    case StatementKind::kCreateFunction:
    case StatementKind::kDrop:
    case StatementKind::kAlter: {
      // "CREATE TABLE", "DROP VIEW": the verb and the kind of object.
      std::vector<std::string> words = LeadingWords(s.sql, 6);
      std::string tag;
      for (const std::string& w : words) {
        if (w == "or" || w == "replace" || w == "temp" || w == "temporary" || w == "unique" ||
            w == "if" || w == "not" || w == "exists" || w == "local" || w == "global") {
          continue;
        }
        for (char c : w)
          tag.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        if (tag.find(' ') != std::string::npos) break;
        tag.push_back(' ');
      }
      while (!tag.empty() && tag.back() == ' ') tag.pop_back();
      return tag;
    }
    case StatementKind::kExplain:
      return "EXPLAIN";
    default:
      return "SELECT " + std::to_string(rows);
  }
}

}  // namespace

Backend::Backend(std::unique_ptr<query::Session> session, Settings settings, MessageWriter* out,
                 std::function<Status()> flush)
    : session_(std::move(session)),
      settings_(std::move(settings)),
      out_(out),
      flush_(std::move(flush)) {}

Backend::~Backend() {
  portals_.clear();  // results before the statements and the session
  statements_.clear();
}

void Backend::Greet(int32_t process_id, int32_t secret_key) {
  for (const auto& [name, value] : settings_.Reported()) {
    out_->Begin('S').CString(name).CString(value).End();
  }
  (void)settings_.TakeChanged();
  out_->Begin('K').Int32(process_id).Int32(secret_key).End();
  ReadyForQuery();
}

void Backend::Handle(const Message& m) {
  if (state_ == State::kClosed) return;
  if (state_ == State::kSkipToSync) {
    if (m.type == 'S') Sync();
    if (m.type == 'X') state_ = State::kClosed;
    return;
  }
  FieldReader r(m.body, std::string(1, m.type));
  Status status;
  switch (m.type) {
    case 'Q': {
      auto sql = r.CString();
      if (!sql.ok() || !r.ExpectEnd().ok()) {
        status = sql.ok() ? r.ExpectEnd() : sql.status();
        break;
      }
      SimpleQuery(std::string(*sql));
      return;
    }
    case 'P':
      status = Parse(r);
      break;
    case 'B':
      status = Bind(r);
      break;
    case 'D':
      status = Describe(r);
      break;
    case 'E':
      status = Execute(r);
      break;
    case 'C':
      status = Close(r);
      break;
    case 'H':
      (void)flush_();
      return;
    case 'S':
      Sync();
      return;
    case 'X':
      state_ = State::kClosed;
      return;
    case 'd':
    case 'c':
    case 'f':
      return;  // copy messages outside COPY FROM STDIN are ignored, as PostgreSQL does
    case 'F':
      status = NotSupported("the function call protocol is not supported");
      break;
    default:
      SendError(PgError::Fatal(
          sqlstate::kProtocolViolation,
          "invalid frontend message type " + std::to_string(static_cast<unsigned char>(m.type))));
      state_ = State::kClosed;
      return;
  }
  if (m.type != 'Q') state_ = State::kExtended;
  if (!status.ok()) {
    SendError(ErrorFor(status, ""));
    if (tx_ == Transaction::kBlock) tx_ = Transaction::kFailed;
    state_ = State::kSkipToSync;
  }
}

void Backend::Interrupt(bool timeout) {
  if (timeout) timed_out_ = true;
  session_->Interrupt();
}

void Backend::Shutdown() {
  shutting_down_ = true;
  session_->Interrupt();
}

PgError Backend::ErrorFor(const Status& status, const std::string& sql) {
  if (pending_error_) {
    PgError e = std::move(*pending_error_);
    pending_error_.reset();
    return e;
  }
  PgError e = FromStatus(status, sql.empty() ? error_sql_ : sql);
  error_sql_.clear();
  if (e.code == sqlstate::kQueryCanceled && timed_out_) {
    e.message = "canceling statement due to statement timeout";
  }
  if (status.code() == StatusCode::kPermissionDenied &&
      e.code == sqlstate::kInsufficientPrivilege &&
      status.message().find("read-only") != std::string::npos) {
    e.code = sqlstate::kReadOnlySqlTransaction;
  }
  return e;
}

void Backend::SimpleQuery(const std::string& sql) {
  if (IsBlank(sql)) {
    out_->Begin('I').End();
    ReadyForQuery();
    return;
  }
  portals_.erase("");
  for (const std::string& text : SplitStatements(sql)) {
    Result<std::shared_ptr<Statement>> stmt = PrepareStatement(text, {});
    if (stmt.ok() && tx_ == Transaction::kFailed && !IsTransactionEnd(**stmt)) {
      stmt = FailedTransaction();
    }
    Status status = stmt.status();
    if (stmt.ok()) {
      Portal portal;
      portal.stmt = *stmt;
      portal.result_formats.assign((*stmt)->columns.size(), 0);
      status = RunPortal(portal, 0, /*describe_rows=*/true).status();
    }
    if (!status.ok()) {
      SendError(ErrorFor(status, text));
      if (tx_ == Transaction::kBlock) tx_ = Transaction::kFailed;
      break;
    }
  }
  ReadyForQuery();
}

Result<std::shared_ptr<Backend::Statement>> Backend::PrepareStatement(
    const std::string& sql, std::vector<uint32_t> param_oids) {
  auto s = std::make_shared<Statement>();
  s->sql = sql;
  s->param_oids = std::move(param_oids);
  if (IsBlank(sql)) {
    s->empty = true;
    return s;
  }
  CARELAKE_ASSIGN_OR_RETURN(s->command, ParseSessionCommand(sql));
  if (s->command) {
    if (s->command->kind == SessionCommand::Kind::kShow ||
        s->command->kind == SessionCommand::Kind::kShowAll) {
      s->returns_rows = true;
      const engine::LogicalType text = engine::LogicalType::Of(engine::TypeId::kVarchar);
      if (s->command->kind == SessionCommand::Kind::kShow) {
        s->columns.push_back({settings_.CanonicalName(s->command->name), text});
      } else {
        s->columns = {{"name", text}, {"setting", text}, {"description", text}};
      }
    }
    return s;
  }
  CARELAKE_RETURN_IF_ERROR(SettleSuspendedPortals(nullptr));
  CARELAKE_ASSIGN_OR_RETURN(s->copy, ParseCopyCommand(sql));
  std::string engine_sql = s->copy ? s->copy->query : sql;
  if (translate) {
    CARELAKE_ASSIGN_OR_RETURN(engine_sql, translate(engine_sql));
  }
  // Binding (and the catalog refresh before it) counts as the statement's
  // time: statement_timeout and a cancel reach it too.
  timed_out_ = false;
  if (on_statement) on_statement(true);
  Result<engine::PreparedStatement> prepared_or = session_->Prepare(engine_sql);
  if (on_statement) on_statement(false);
  fresh_ = true;
  if (!prepared_or.ok()) return RefuseLakeWrite(sql, prepared_or.status());
  engine::PreparedStatement prepared = std::move(*prepared_or);
  s->kind = prepared.kind();
  s->returns_rows = !s->copy && ReturnsRows(s->kind);
  if (s->returns_rows) {
    // PostgreSQL's own limit; it also keeps the Int16 column counts of
    // RowDescription and DataRow true.
    if (prepared.column_count() > 1664) {
      pending_error_ = PgError::Error("54011", "target lists can have at most 1664 entries");
      return Aborted("too many columns");
    }
    for (size_t i = 0; i < prepared.column_count(); ++i) {
      s->columns.push_back({prepared.column_name(i), prepared.column_type(i)});
    }
  }
  s->param_oids.resize(prepared.parameter_count(), 0);
  for (size_t i = 0; i < s->param_oids.size(); ++i) {
    if (s->param_oids[i] != 0) continue;
    const engine::LogicalType type = prepared.parameter_type(i + 1);
    s->param_oids[i] = type.id == engine::TypeId::kInvalid || type.id == engine::TypeId::kSqlNull
                           ? oid::kText
                           : PgTypeFor(type).oid;
  }
  s->prepared.emplace(std::move(prepared));
  return s;
}

Status Backend::SettleSuspendedPortals(const Portal* keep) {
  for (auto& [name, portal] : portals_) {
    if (portal.get() == keep || !portal->result || portal->done) continue;
    for (;;) {
      Result<std::optional<engine::DataChunk>> next = portal->result->Fetch();
      if (!next.ok()) return next.status();
      if (!*next) break;
      portal->fetched.push_back(std::move(**next));
    }
  }
  return Status::Ok();
}

Status Backend::RefuseLakeWrite(const std::string& sql, Status status) const {
  // The lake's tables are views in the session: DuckDB's binder refuses to
  // write them ("... is not an table"); say it as PostgreSQL says a write in
  // a read-only transaction.
  const std::vector<std::string> words = LeadingWords(sql, 1);
  if (words.empty()) return status;
  const std::string& verb = words[0];
  if ((verb == "insert" || verb == "update" || verb == "delete" || verb == "merge" ||
       verb == "truncate") &&
      (status.message().find("is not an table") != std::string::npos ||
       status.message().find("is not a table") != std::string::npos ||
       status.message().find("view") != std::string::npos)) {
    std::string upper;
    for (char c : verb)
      upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return PermissionDenied("cannot execute " + upper +
                            " in a read-only transaction: the lake's tables are written by "
                            "pipelines only");
  }
  return status;
}

Result<bool> Backend::RunPortal(Portal& portal, int64_t max_rows, bool describe_rows) {
  Statement& s = *portal.stmt;
  if (s.empty) {
    out_->Begin('I').End();
    return true;
  }
  if (s.command) {
    CARELAKE_RETURN_IF_ERROR(RunCommand(*s.command, describe_rows));
    return true;
  }
  if (s.copy) {
    CARELAKE_RETURN_IF_ERROR(RunCopy(*s.copy));
    return true;
  }
  if (!portal.started) {
    CARELAKE_RETURN_IF_ERROR(StartEngineStatement(portal));
    if (describe_rows && s.returns_rows) RowDescription(s.columns, portal.result_formats);
  }
  if (!s.returns_rows) {
    const int64_t changed = portal.result->kind() == engine::ResultKind::kRowsChanged
                                ? portal.result->rows_changed()
                                : 0;
    portal.done = true;
    portal.result.reset();
    CommandComplete(TagFor(s, changed));
    return true;
  }
  bool suspended = false;
  Status sent = SendRows(portal, max_rows, &suspended);
  if (!sent.ok()) {
    portal.chunk.reset();  // chunks before their result
    portal.fetched.clear();
    portal.result.reset();
    portal.done = true;
    return sent;
  }
  if (suspended) {
    out_->Begin('s').End();
    return false;
  }
  // Like PostgreSQL, the tag counts the rows this Execute sent.
  CommandComplete(TagFor(s, portal.rows_this_call));
  return true;
}

Status Backend::StartEngineStatement(Portal& portal) {
  Statement& s = *portal.stmt;
  if (shutting_down_) {
    pending_error_ = PgError::Fatal(sqlstate::kAdminShutdown,
                                    "terminating connection due to administrator command");
    return Cancelled("shutting down");
  }
  CARELAKE_RETURN_IF_ERROR(SettleSuspendedPortals(&portal));
  portal.started = true;
  timed_out_ = false;
  // One snapshot per statement: a Parse in this same batch has just moved
  // the views to the latest commits.
  if (!fresh_) CARELAKE_RETURN_IF_ERROR(session_->Refresh());
  for (size_t i = 0; i < portal.params.size(); ++i) {
    CARELAKE_ASSIGN_OR_RETURN(
        engine::Value v,
        DecodeParameter(s.param_oids[i], portal.param_formats[i], portal.params[i]));
    CARELAKE_RETURN_IF_ERROR(s.prepared->Bind(i + 1, v));
  }
  if (on_statement) on_statement(true);
  Result<engine::QueryResult> result = s.prepared->ExecuteStreaming();
  if (on_statement) on_statement(false);
  CARELAKE_RETURN_IF_ERROR(result.status());
  portal.result.emplace(std::move(*result));
  const EncodeSettings encode{settings_.extra_float_digits(), settings_.time_zone()};
  for (size_t i = 0; i < s.columns.size(); ++i) {
    portal.encoders.push_back(
        FieldEncoder::For(s.columns[i].type,
                          portal.result_formats[i] == 1 ? Format::kBinary : Format::kText, encode));
  }
  return Status::Ok();
}

Status Backend::SendRows(Portal& portal, int64_t max_rows, bool* suspended) {
  *suspended = false;
  int64_t& sent = portal.rows_this_call;
  sent = 0;
  if (on_statement) on_statement(true);
  Status status;
  while (!portal.done) {
    if (max_rows > 0 && sent == max_rows) {
      *suspended = true;
      break;
    }
    if (!portal.chunk || portal.next_row >= portal.chunk->size()) {
      if (!portal.fetched.empty()) {
        portal.chunk = std::move(portal.fetched.front());
        portal.fetched.pop_front();
        portal.next_row = 0;
        continue;
      }
      Result<std::optional<engine::DataChunk>> next = portal.result->Fetch();
      if (!next.ok()) {
        status = next.status();
        break;
      }
      portal.chunk = std::move(*next);
      portal.next_row = 0;
      if (!portal.chunk) {
        portal.done = true;
        break;
      }
      continue;
    }
    const engine::DataChunk& chunk = *portal.chunk;
    out_->Begin('D').Int16(static_cast<int16_t>(chunk.column_count()));
    for (size_t c = 0; c < chunk.column_count(); ++c) {
      portal.encoders[c].Append(chunk.column(c), portal.next_row, out_->buffer());
    }
    out_->End();
    ++portal.next_row;
    ++sent;
    if (out_->size() >= kFlushAt) {
      status = flush_();
      if (!status.ok()) break;
    }
  }
  if (on_statement) on_statement(false);
  if (portal.done) portal.result.reset();
  return status;
}

void Backend::RowDescription(const std::vector<Column>& columns,
                             const std::vector<int16_t>& formats) {
  out_->Begin('T').Int16(static_cast<int16_t>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) {
    const PgColumnType t = PgTypeFor(columns[i].type);
    out_->CString(columns[i].name)
        .Int32(0)
        .Int16(0)
        .Int32(static_cast<int32_t>(t.oid))
        .Int16(t.len)
        .Int32(t.typmod)
        .Int16(i < formats.size() ? formats[i] : 0);
  }
  out_->End();
}

void Backend::CommandComplete(const std::string& tag) { out_->Begin('C').CString(tag).End(); }

void Backend::ReadyForQuery() {
  fresh_ = false;
  if (state_ == State::kClosed) return;  // after a FATAL error nothing follows
  const char status = tx_ == Transaction::kIdle ? 'I' : tx_ == Transaction::kBlock ? 'T' : 'E';
  out_->Begin('Z').Byte(static_cast<uint8_t>(status)).End();
}

void Backend::SendError(const PgError& error) {
  out_->Begin(error.severity == "ERROR" || error.severity == "FATAL" ? 'E' : 'N');
  out_->Byte('S').CString(error.severity).Byte('V').CString(error.severity);
  out_->Byte('C').CString(error.code).Byte('M').CString(error.message);
  if (!error.detail.empty()) out_->Byte('D').CString(error.detail);
  if (!error.hint.empty()) out_->Byte('H').CString(error.hint);
  if (error.position > 0) out_->Byte('P').CString(std::to_string(error.position));
  out_->Byte(0).End();
  if (error.severity == "FATAL") state_ = State::kClosed;  // the connection ends after it
}

void Backend::SendNotice(const std::string& message) {
  PgError notice = PgError::Error(sqlstate::kSuccessfulCompletion, message);
  notice.severity = "WARNING";
  SendError(notice);
}

void Backend::SendParameterStatus() {
  for (const auto& [name, value] : settings_.TakeChanged()) {
    out_->Begin('S').CString(name).CString(value).End();
  }
}

}  // namespace carelake::pgwire
