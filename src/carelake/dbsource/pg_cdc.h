// PgChangeFeed: change data capture from PostgreSQL through logical
// replication with the `pgoutput` plugin: a publication of the source's
// tables and a logical replication slot (created on request), changes read
// in commit order with pg_logical_slot_peek_binary_changes (not consumed
// until Advance, so a reader that dies before its commit reads them again),
// the slot advanced once the changes are committed in bronze.
//
// The slot is created over a replication connection with an exported
// snapshot (CREATE_REPLICATION_SLOT … (SNAPSHOT 'export')): a snapshot read
// of the tables in that snapshot plus the changes after the slot's
// consistent point is every row exactly once.
//
// The server needs wal_level=logical; the user needs the REPLICATION
// attribute (and ownership of the tables to create the publication).
#ifndef CARELAKE_DBSOURCE_PG_CDC_H_
#define CARELAKE_DBSOURCE_PG_CDC_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/dbsource/db_reader.h"
#include "carelake/dbsource/pg_client.h"
#include "carelake/dbsource/pgoutput.h"

namespace carelake::dbsource {

struct SlotStart {
  uint64_t consistent_lsn = 0;  // changes after it are the slot's
  std::string snapshot;         // import with ConnectOptions::snapshot while the feed lives
};

struct ChangeBatch {
  std::vector<RowChange> changes;  // whole transactions, in commit order
  uint64_t last_lsn = 0;           // where to Advance the slot after them (0: nothing read)
  bool more = false;               // the limit was reached: more changes wait
};

class PgChangeFeed {
 public:
  static Result<std::unique_ptr<PgChangeFeed>> Open(const ConnectOptions& options, std::string slot,
                                                    std::string publication);

  // The slot's confirmed position; nullopt when there is no such slot.
  Result<std::optional<uint64_t>> SlotPosition();
  // Creates the publication for `tables` when it does not exist (else adds
  // the tables it lacks) and the slot, exporting a snapshot that stays
  // valid until the next call on this feed.
  Result<SlotStart> CreateSlot(const std::vector<SourceTable>& tables);
  // Ends the replication connection that holds the exported snapshot.
  void ReleaseSnapshot() { replication_.reset(); }
  // The committed changes after the slot's position, at most about
  // `max_changes` (whole transactions).
  Result<ChangeBatch> Peek(int64_t max_changes);
  // Confirms everything up to `lsn`: the server may recycle its WAL.
  Status Advance(uint64_t lsn);
  // WAL the server keeps for the slot, in bytes (a metric).
  Result<int64_t> RetainedWalBytes();

 private:
  PgChangeFeed(ConnectOptions options, std::string slot, std::string publication,
               std::unique_ptr<PgClient> client)
      : options_(std::move(options)),
        slot_(std::move(slot)),
        publication_(std::move(publication)),
        client_(std::move(client)) {}
  Status EnsurePublication(const std::vector<SourceTable>& tables);

  ConnectOptions options_;
  std::string slot_;
  std::string publication_;
  std::unique_ptr<PgClient> client_;
  std::unique_ptr<PgClient> replication_;
  PgOutputDecoder decoder_;
};

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_PG_CDC_H_
