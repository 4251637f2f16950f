// Statements the protocol layer answers itself instead of the engine: they
// change or show the session's PostgreSQL settings (settings.h) or its
// transaction state, which DuckDB knows nothing about.
//
//   SET [SESSION | LOCAL] name { TO | = } value [, ...] | DEFAULT
//   SET TIME ZONE value | LOCAL | DEFAULT;  SET NAMES 'enc';  SET SCHEMA 'name'
//   SET SESSION CHARACTERISTICS AS TRANSACTION ...;  SET TRANSACTION ...
//   RESET name | ALL;  SHOW name | ALL | TIME ZONE | TRANSACTION ISOLATION LEVEL
//   BEGIN | START TRANSACTION [...];  COMMIT | END;  ROLLBACK | ABORT
//   DISCARD ALL | PLANS | SEQUENCES | TEMP;  DEALLOCATE [PREPARE] name | ALL
//   LISTEN / UNLISTEN / NOTIFY (accepted, nothing is ever notified)
#ifndef CARELAKE_PGWIRE_SESSION_COMMAND_H_
#define CARELAKE_PGWIRE_SESSION_COMMAND_H_

#include <optional>
#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::pgwire {

struct SessionCommand {
  enum class Kind {
    kSet,
    kReset,
    kResetAll,
    kShow,
    kShowAll,
    kBegin,
    kCommit,
    kRollback,
    kDiscardAll,
    kDeallocate,
    kDeallocateAll,
    kNoOp,  // accepted and ignored: SET TRANSACTION, LISTEN, DISCARD PLANS...
  };
  Kind kind = Kind::kNoOp;
  std::string name;   // the parameter (lowercased) or prepared statement
  std::string value;  // kSet: the value as PostgreSQL flattens it; empty for DEFAULT
  bool to_default = false;
  std::string tag;  // the CommandComplete tag: "SET", "BEGIN", "DISCARD ALL"...
};

// nullopt when `statement` (one statement) is for the engine.
// InvalidArgument (a syntax error) for a malformed session command.
Result<std::optional<SessionCommand>> ParseSessionCommand(std::string_view statement);

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_SESSION_COMMAND_H_
