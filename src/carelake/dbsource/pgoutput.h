// PgOutputDecoder: PostgreSQL's logical replication messages (the
// `pgoutput` plugin, protocol version 1) into row changes, for change data
// capture. Socket-free: the messages come from
// pg_logical_slot_peek_binary_changes (pg_cdc.h) or a test. The message
// formats are PostgreSQL's ("Logical Replication Message Formats").
#ifndef CARELAKE_DBSOURCE_PGOUTPUT_H_
#define CARELAKE_DBSOURCE_PGOUTPUT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::dbsource {

struct PgRelation {
  uint32_t oid = 0;
  std::string schema;
  std::string name;
  std::vector<std::string> columns;
  std::vector<uint32_t> type_oids;
};

enum class ChangeKind { kInsert, kUpdate, kDelete, kTruncate };

// One row change of a committed transaction. Values are PostgreSQL's text
// output (nullopt: NULL). `unchanged[i]`: the value was not sent (an
// unchanged TOASTed value of an update; it is then nullopt).
struct RowChange {
  ChangeKind kind = ChangeKind::kInsert;
  const PgRelation* relation = nullptr;            // owned by the decoder
  std::vector<std::optional<std::string>> values;  // a delete: the key (or old row)
  std::vector<bool> unchanged;
  uint64_t commit_lsn = 0;     // the transaction's commit LSN: changes apply in its order
  int64_t commit_time_us = 0;  // microseconds since the Unix epoch
};

class PgOutputDecoder {
 public:
  // Decodes one message. Changes are held until their transaction's Commit,
  // then appended to `committed` in order. Errors say which message and
  // what was wrong (truncated, unknown type, a change for an unknown
  // relation).
  Status Feed(std::string_view message, std::vector<RowChange>* committed);

  // Whether a transaction has begun and not committed.
  bool in_transaction() const { return in_transaction_; }

 private:
  Status Relation(std::string_view body);
  Status Change(char type, std::string_view body);

  std::map<uint32_t, PgRelation> relations_;
  std::vector<RowChange> pending_;
  bool in_transaction_ = false;
  uint64_t final_lsn_ = 0;
  int64_t commit_time_us_ = 0;
};

// "16/B374D848" -> the LSN as a number; nullopt when malformed.
std::optional<uint64_t> ParseLsn(std::string_view text);
std::string FormatLsn(uint64_t lsn);

// PostgreSQL's text of a one-dimensional array ({1,"a b",NULL}) as JSON
// ([1,"a b",null]): elements are numbers, booleans or strings as `quoted`
// says. nullopt for what is not such an array.
std::optional<std::string> PgArrayToJson(std::string_view text, bool quoted);

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_PGOUTPUT_H_
