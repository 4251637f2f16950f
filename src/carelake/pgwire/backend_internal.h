// Backend's statements and portals, shared by its implementation files
// (backend.cc: simple query and running; backend_extended.cc: the
// extended-query messages; backend_commands.cc: session commands and COPY).
#ifndef CARELAKE_PGWIRE_BACKEND_INTERNAL_H_
#define CARELAKE_PGWIRE_BACKEND_INTERNAL_H_

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carelake/pgwire/backend.h"
#include "carelake/pgwire/value_codec.h"

namespace carelake::pgwire {

struct Backend::Statement {
  std::string sql;  // as the client sent it
  bool empty = false;
  std::optional<SessionCommand> command;
  std::optional<CopyCommand> copy;
  std::optional<engine::PreparedStatement> prepared;
  engine::StatementKind kind = engine::StatementKind::kSelect;
  std::vector<uint32_t> param_oids;
  std::vector<Column> columns;  // the rows it returns; empty: NoData
  bool returns_rows = false;
};

struct Backend::Portal {
  std::shared_ptr<Statement> stmt;
  std::vector<std::optional<std::string>> params;
  std::vector<int16_t> param_formats;   // one per parameter
  std::vector<int16_t> result_formats;  // one per column
  std::optional<engine::QueryResult> result;
  std::optional<engine::DataChunk> chunk;
  // Rows fetched ahead into memory because another statement had to run on
  // the connection while this portal was suspended (SettleSuspendedPortals).
  std::deque<engine::DataChunk> fetched;
  std::vector<FieldEncoder> encoders;
  size_t next_row = 0;
  int64_t rows_this_call = 0;  // rows sent by the latest Execute
  bool started = false;
  bool done = false;
};

// Whether an engine statement of `kind` returns rows (RowDescription).
bool ReturnsRows(engine::StatementKind kind);

inline bool IsTransactionEnd(const Backend::Statement& s) {
  return s.command && (s.command->kind == SessionCommand::Kind::kCommit ||
                       s.command->kind == SessionCommand::Kind::kRollback);
}

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_BACKEND_INTERNAL_H_
