// Backend: the extended-query messages (Parse, Bind, Describe, Execute,
// Close, Sync), as PostgreSQL 15 answers them.
#include <utility>

#include "carelake/pgwire/backend_internal.h"
#include "carelake/pgwire/pg_types.h"

namespace carelake::pgwire {
namespace {

Status ProtocolViolation(std::string message) { return InvalidArgument(std::move(message)); }

// Format codes of a Bind message: none (all text), one (for all) or one per
// item.
Result<std::vector<int16_t>> FormatCodes(FieldReader& r, size_t count, std::string_view what) {
  CARELAKE_ASSIGN_OR_RETURN(int16_t n, r.Int16());
  std::vector<int16_t> codes;
  for (int16_t i = 0; i < n; ++i) {
    CARELAKE_ASSIGN_OR_RETURN(int16_t code, r.Int16());
    if (code != 0 && code != 1) {
      return ProtocolViolation("unsupported format code: " + std::to_string(code));
    }
    codes.push_back(code);
  }
  if (n == 0) return std::vector<int16_t>(count, 0);
  if (n == 1) return std::vector<int16_t>(count, codes[0]);
  if (static_cast<size_t>(n) != count) {
    return ProtocolViolation("bind message has " + std::to_string(n) + " " + std::string(what) +
                             " formats but " + std::to_string(count) + " " + std::string(what) +
                             "s");
  }
  return codes;
}

}  // namespace

Status Backend::Parse(FieldReader& r) {
  CARELAKE_ASSIGN_OR_RETURN(std::string_view name, r.CString());
  CARELAKE_ASSIGN_OR_RETURN(std::string_view sql, r.CString());
  CARELAKE_ASSIGN_OR_RETURN(int16_t count, r.Int16());
  if (count < 0) return ProtocolViolation("invalid number of parameter types");
  std::vector<uint32_t> oids;
  for (int16_t i = 0; i < count; ++i) {
    CARELAKE_ASSIGN_OR_RETURN(int32_t type, r.Int32());
    oids.push_back(static_cast<uint32_t>(type));
  }
  CARELAKE_RETURN_IF_ERROR(r.ExpectEnd());
  if (!name.empty() && statements_.contains(std::string(name))) {
    pending_error_ =
        PgError::Error(sqlstate::kDuplicatePreparedStatement,
                       "prepared statement \"" + std::string(name) + "\" already exists");
    return Aborted("duplicate");
  }
  CARELAKE_ASSIGN_OR_RETURN(std::shared_ptr<Statement> stmt,
                            PrepareStatement(std::string(sql), std::move(oids)));
  if (tx_ == Transaction::kFailed && !IsTransactionEnd(*stmt)) return FailedTransaction();
  statements_[std::string(name)] = std::move(stmt);
  out_->Begin('1').End();
  return Status::Ok();
}

Status Backend::Bind(FieldReader& r) {
  CARELAKE_ASSIGN_OR_RETURN(std::string_view portal_name, r.CString());
  CARELAKE_ASSIGN_OR_RETURN(std::string_view stmt_name, r.CString());
  auto it = statements_.find(std::string(stmt_name));
  if (it == statements_.end()) {
    pending_error_ =
        PgError::Error(sqlstate::kInvalidSqlStatementName,
                       "prepared statement \"" + std::string(stmt_name) + "\" does not exist");
    return Aborted("missing");
  }
  auto portal = std::make_unique<Portal>();
  portal->stmt = it->second;
  const size_t nparams = portal->stmt->param_oids.size();
  CARELAKE_ASSIGN_OR_RETURN(portal->param_formats, FormatCodes(r, nparams, "parameter"));
  CARELAKE_ASSIGN_OR_RETURN(int16_t count, r.Int16());
  if (count < 0 || static_cast<size_t>(count) != nparams) {
    return ProtocolViolation("bind message supplies " + std::to_string(count) +
                             " parameters, but prepared statement \"" + std::string(stmt_name) +
                             "\" requires " + std::to_string(nparams));
  }
  for (int16_t i = 0; i < count; ++i) {
    CARELAKE_ASSIGN_OR_RETURN(int32_t len, r.Int32());
    if (len == -1) {
      portal->params.emplace_back();
      continue;
    }
    if (len < 0) return ProtocolViolation("invalid parameter length " + std::to_string(len));
    CARELAKE_ASSIGN_OR_RETURN(std::string_view bytes, r.Bytes(static_cast<size_t>(len)));
    portal->params.emplace_back(std::string(bytes));
  }
  CARELAKE_ASSIGN_OR_RETURN(portal->result_formats,
                            FormatCodes(r, portal->stmt->columns.size(), "result"));
  CARELAKE_RETURN_IF_ERROR(r.ExpectEnd());
  if (tx_ == Transaction::kFailed && !IsTransactionEnd(*portal->stmt)) return FailedTransaction();
  if (!portal_name.empty() && portals_.contains(std::string(portal_name))) {
    pending_error_ = PgError::Error(sqlstate::kDuplicateCursor,
                                    "portal \"" + std::string(portal_name) + "\" already exists");
    return Aborted("duplicate");
  }
  portals_[std::string(portal_name)] = std::move(portal);
  out_->Begin('2').End();
  return Status::Ok();
}

Status Backend::Describe(FieldReader& r) {
  CARELAKE_ASSIGN_OR_RETURN(uint8_t kind, r.Byte());
  CARELAKE_ASSIGN_OR_RETURN(std::string_view name, r.CString());
  CARELAKE_RETURN_IF_ERROR(r.ExpectEnd());
  if (kind == 'S') {
    auto it = statements_.find(std::string(name));
    if (it == statements_.end()) {
      pending_error_ =
          PgError::Error(sqlstate::kInvalidSqlStatementName,
                         "prepared statement \"" + std::string(name) + "\" does not exist");
      return Aborted("missing");
    }
    const Statement& s = *it->second;
    out_->Begin('t').Int16(static_cast<int16_t>(s.param_oids.size()));
    for (uint32_t type : s.param_oids) out_->Int32(static_cast<int32_t>(type));
    out_->End();
    if (s.returns_rows) {
      RowDescription(s.columns, std::vector<int16_t>(s.columns.size(), 0));
    } else {
      out_->Begin('n').End();
    }
    return Status::Ok();
  }
  if (kind != 'P') {
    return ProtocolViolation("invalid DESCRIBE message subtype " + std::to_string(kind));
  }
  auto it = portals_.find(std::string(name));
  if (it == portals_.end()) {
    pending_error_ = PgError::Error(sqlstate::kInvalidCursorName,
                                    "portal \"" + std::string(name) + "\" does not exist");
    return Aborted("missing");
  }
  const Portal& p = *it->second;
  if (p.stmt->returns_rows) {
    RowDescription(p.stmt->columns, p.result_formats);
  } else {
    out_->Begin('n').End();
  }
  return Status::Ok();
}

Status Backend::Execute(FieldReader& r) {
  CARELAKE_ASSIGN_OR_RETURN(std::string_view name, r.CString());
  CARELAKE_ASSIGN_OR_RETURN(int32_t max_rows, r.Int32());
  CARELAKE_RETURN_IF_ERROR(r.ExpectEnd());
  auto it = portals_.find(std::string(name));
  if (it == portals_.end()) {
    pending_error_ = PgError::Error(sqlstate::kInvalidCursorName,
                                    "portal \"" + std::string(name) + "\" does not exist");
    return Aborted("missing");
  }
  Portal& portal = *it->second;
  if (tx_ == Transaction::kFailed && !IsTransactionEnd(*portal.stmt)) return FailedTransaction();
  if (portal.done) {
    CommandComplete("SELECT 0");  // nothing left to fetch
    return Status::Ok();
  }
  Result<bool> finished = RunPortal(portal, max_rows < 0 ? 0 : max_rows, false);
  if (!finished.ok()) {
    error_sql_ = portal.stmt->sql;
    return finished.status();
  }
  if (*finished) portal.done = true;
  return Status::Ok();
}

Status Backend::Close(FieldReader& r) {
  CARELAKE_ASSIGN_OR_RETURN(uint8_t kind, r.Byte());
  CARELAKE_ASSIGN_OR_RETURN(std::string_view name, r.CString());
  CARELAKE_RETURN_IF_ERROR(r.ExpectEnd());
  if (kind == 'S') {
    statements_.erase(std::string(name));
  } else if (kind == 'P') {
    portals_.erase(std::string(name));
  } else {
    return ProtocolViolation("invalid CLOSE message subtype " + std::to_string(kind));
  }
  out_->Begin('3').End();
  return Status::Ok();
}

void Backend::Sync() {
  state_ = State::kIdle;
  if (tx_ == Transaction::kIdle) portals_.clear();  // the implicit transaction ends
  ReadyForQuery();
}

Status Backend::FailedTransaction() {
  pending_error_ = PgError::Error(sqlstate::kInFailedSqlTransaction,
                                  "current transaction is aborted, commands ignored until end "
                                  "of transaction block");
  return Aborted("failed transaction");
}

}  // namespace carelake::pgwire
