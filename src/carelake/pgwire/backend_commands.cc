// Backend: the statements answered without the engine's rows — session
// commands (SET, SHOW, RESET, BEGIN, COMMIT, ROLLBACK, DISCARD,
// DEALLOCATE) and COPY ... TO STDOUT.
#include <utility>

#include "carelake/pgwire/backend_internal.h"

namespace carelake::pgwire {
namespace {

using Kind = SessionCommand::Kind;

const engine::LogicalType& TextType() {
  static const engine::LogicalType kText = engine::LogicalType::Of(engine::TypeId::kVarchar);
  return kText;
}

void TextRow(MessageWriter& out, const std::vector<std::string>& values) {
  out.Begin('D').Int16(static_cast<int16_t>(values.size()));
  for (const std::string& v : values) out.Int32(static_cast<int32_t>(v.size())).Bytes(v);
  out.End();
}

}  // namespace

Status Backend::RunCommand(const SessionCommand& c, bool describe_rows) {
  auto fail = [&](PgError e) {
    pending_error_ = std::move(e);
    return Aborted("session command");
  };
  switch (c.kind) {
    case Kind::kSet:
    case Kind::kReset: {
      std::optional<PgError> e = c.kind == Kind::kReset || c.to_default
                                     ? settings_.Reset(c.name)
                                     : settings_.Set(c.name, c.value);
      if (e) return fail(std::move(*e));
      if (on_setting) CARELAKE_RETURN_IF_ERROR(on_setting(c.name));
      break;
    }
    case Kind::kResetAll:
      settings_.ResetAll();
      if (on_setting) CARELAKE_RETURN_IF_ERROR(on_setting(""));
      break;
    case Kind::kShow: {
      std::string value;
      if (std::optional<PgError> e = settings_.Get(c.name, &value)) return fail(std::move(*e));
      if (describe_rows) RowDescription({{settings_.CanonicalName(c.name), TextType()}}, {0});
      TextRow(*out_, {value});
      break;
    }
    case Kind::kShowAll:
      if (describe_rows) {
        RowDescription({{"name", TextType()}, {"setting", TextType()}, {"description", TextType()}},
                       {0, 0, 0});
      }
      for (const auto& [name, value] : settings_.All()) TextRow(*out_, {name, value, ""});
      break;
    case Kind::kBegin:
      CARELAKE_RETURN_IF_ERROR(SettleSuspendedPortals(nullptr));
      if (tx_ != Transaction::kIdle) {
        SendNotice("there is already a transaction in progress");
        break;
      }
      CARELAKE_RETURN_IF_ERROR(session_->Refresh());
      CARELAKE_RETURN_IF_ERROR(session_->connection().Execute("BEGIN TRANSACTION"));
      session_->PinSnapshot(true);
      tx_ = Transaction::kBlock;
      if (on_transaction) on_transaction(true, false);
      break;
    case Kind::kCommit:
    case Kind::kRollback: {
      if (tx_ == Transaction::kIdle) {
        SendNotice("there is no transaction in progress");
        break;
      }
      CARELAKE_RETURN_IF_ERROR(SettleSuspendedPortals(nullptr));
      const bool commit = c.kind == Kind::kCommit && tx_ == Transaction::kBlock;
      Status ended = session_->connection().Execute(commit ? "COMMIT" : "ROLLBACK");
      session_->PinSnapshot(false);
      tx_ = Transaction::kIdle;
      if (on_transaction) on_transaction(false, commit && ended.ok());
      CARELAKE_RETURN_IF_ERROR(ended);
      CommandComplete(commit ? "COMMIT" : "ROLLBACK");
      SendParameterStatus();
      return Status::Ok();
    }
    case Kind::kDiscardAll:
      if (tx_ != Transaction::kIdle) {
        return fail(PgError::Error(sqlstate::kActiveSqlTransaction,
                                   "DISCARD ALL cannot run inside a transaction block"));
      }
      settings_.ResetAll();
      if (on_setting) CARELAKE_RETURN_IF_ERROR(on_setting(""));
      statements_.clear();
      CARELAKE_RETURN_IF_ERROR(DropTemporaryObjects());
      break;
    case Kind::kDeallocate:
      if (statements_.erase(c.name) == 0) {
        return fail(PgError::Error(sqlstate::kInvalidSqlStatementName,
                                   "prepared statement \"" + c.name + "\" does not exist"));
      }
      break;
    case Kind::kDeallocateAll:
      statements_.clear();
      break;
    case Kind::kNoOp:
      break;
  }
  CommandComplete(c.tag);
  SendParameterStatus();
  return Status::Ok();
}

// DISCARD ALL: the session's temporary tables and views go, as in
// PostgreSQL (a pooler hands the connection to someone else next).
Status Backend::DropTemporaryObjects() {
  CARELAKE_RETURN_IF_ERROR(SettleSuspendedPortals(nullptr));
  CARELAKE_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      session_->connection().Query(
          "SELECT 'VIEW', view_name FROM duckdb_views() WHERE temporary AND NOT internal "
          "UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary"));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  for (const auto& row : rows) {
    std::string name;
    for (char c : row[1].GetString()) name += c == '"' ? std::string("\"\"") : std::string(1, c);
    CARELAKE_RETURN_IF_ERROR(session_->connection().Execute("DROP " + row[0].GetString() +
                                                            " IF EXISTS temp.\"" + name + "\""));
  }
  return Status::Ok();
}

Status Backend::RunCopy(const CopyCommand& copy) {
  std::string sql = copy.query;
  if (translate) {
    CARELAKE_ASSIGN_OR_RETURN(sql, translate(sql));
  }
  CARELAKE_ASSIGN_OR_RETURN(engine::PreparedStatement prepared, session_->Prepare(sql));
  if (!ReturnsRows(prepared.kind())) return InvalidArgument("COPY needs a query that returns rows");
  timed_out_ = false;
  if (on_statement) on_statement(true);
  Result<engine::QueryResult> result = prepared.ExecuteStreaming();
  if (!result.ok()) {
    if (on_statement) on_statement(false);
    return result.status();
  }
  const size_t ncols = result->column_count();
  out_->Begin('H').Byte(0).Int16(static_cast<int16_t>(ncols));
  for (size_t i = 0; i < ncols; ++i) out_->Int16(0);
  out_->End();
  std::string line;
  if (copy.header) {
    for (size_t i = 0; i < ncols; ++i) {
      if (i > 0) line.push_back(copy.delimiter);
      AppendCopyField(copy, result->column_name(i), line);
    }
    line.push_back('\n');
    out_->Begin('d').Bytes(line).End();
  }
  const EncodeSettings encode{settings_.extra_float_digits(), settings_.time_zone()};
  std::vector<FieldEncoder> encoders;
  for (size_t i = 0; i < ncols; ++i) {
    encoders.push_back(FieldEncoder::For(result->column_type(i), Format::kText, encode));
  }
  int64_t rows = 0;
  Status status;
  std::string field;
  for (;;) {
    Result<std::optional<engine::DataChunk>> chunk = result->Fetch();
    if (!chunk.ok()) {
      status = chunk.status();
      break;
    }
    if (!*chunk) break;
    for (size_t row = 0; row < (*chunk)->size(); ++row) {
      line.clear();
      for (size_t c = 0; c < ncols; ++c) {
        if (c > 0) line.push_back(copy.delimiter);
        const engine::ColumnView column = (*chunk)->column(c);
        if (column.IsNull(row)) {
          line += copy.null_string;
          continue;
        }
        field.clear();
        encoders[c].Append(column, row, field);
        AppendCopyField(copy, std::string_view(field).substr(4), line);
      }
      line.push_back('\n');
      out_->Begin('d').Bytes(line).End();
      ++rows;
      if (out_->size() >= 256 * 1024) {
        status = flush_();
        if (!status.ok()) break;
      }
    }
    if (!status.ok()) break;
  }
  if (on_statement) on_statement(false);
  // An error after CopyOutResponse ends the copy with the ErrorResponse.
  CARELAKE_RETURN_IF_ERROR(status);
  out_->Begin('c').End();
  CommandComplete("COPY " + std::to_string(rows));
  return Status::Ok();
}

}  // namespace carelake::pgwire
