#include "carelake/ingest/file_ingest.h"

#include <algorithm>
#include <utility>

#include "carelake/base/format.h"
#include "carelake/engine/interrupter.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/engine/temp_tables.h"
#include "carelake/ingest/bronze_writer.h"
#include "carelake/ingest/connector.h"
#include "carelake/ingest/file_source.h"

namespace carelake::ingest {
namespace {

// Up to `wanted` - 1 more connections to `conn`'s database, to read units
// concurrently (DuckDB reads one JSON array document on one thread); fewer
// if they cannot be opened.
std::vector<engine::Connection> OpenMoreConnections(engine::Connection& conn, size_t wanted) {
  std::vector<engine::Connection> more;
  for (size_t i = 1; i < wanted; ++i) {
    auto c = engine::OpenLakeConnection(conn);
    if (!c.ok()) break;
    more.push_back(std::move(*c));
  }
  return more;
}

// The next batch of `units` from `*next` on: up to max_batch_files units and
// max_batch_bytes bytes, but at least one unit.
std::vector<const Unit*> NextBatch(const std::vector<Unit>& units, const IngestRequest& request,
                                   size_t* next) {
  std::vector<const Unit*> batch;
  int64_t bytes = 0;
  while (*next < units.size() && batch.size() < request.max_batch_files &&
         (batch.empty() || bytes + units[*next].size_bytes <= request.max_batch_bytes)) {
    bytes += units[*next].size_bytes;
    batch.push_back(&units[(*next)++]);
  }
  return batch;
}

// Reads `batch` and commits it, quarantine first. The first attempt trusts
// what the connector did not check; if bronze then cannot be written, the
// second attempt has the connector check every unit first (for files: DuckDB
// parses them, and those it rejects take the slow path). Returns the units
// as read and committed (their SQL no longer runs).
Result<std::vector<UnitRows>> IngestBatch(Connector& source, BronzeWriter& writer,
                                          const std::vector<const Unit*>& batch,
                                          const std::vector<engine::Connection*>& conns,
                                          const Clock& clock) {
  for (int attempt = 0;; ++attempt) {
    engine::TempTables temps(*conns[0]);  // dropped once the attempt is over
    const int64_t read_at_ms = clock.WallMillis();
    CARELAKE_ASSIGN_OR_RETURN(std::vector<UnitRows> rows,
                              source.Read(batch, conns, /*validate=*/attempt > 0, temps));
    CARELAKE_RETURN_IF_ERROR(writer.WriteQuarantine(rows));
    Status written = writer.WriteBronze(rows, conns, read_at_ms);
    const bool unchecked =
        std::any_of(rows.begin(), rows.end(), [](const UnitRows& r) { return !r.validated; });
    if (!written.ok() && attempt == 0 && unchecked) continue;
    CARELAKE_RETURN_IF_ERROR(written);
    return rows;
  }
}

// Adds the committed units of a batch to `result`.
void AddToResult(const std::vector<UnitRows>& rows, IngestResult& result) {
  for (const UnitRows& r : rows) {
    IngestedFile f;
    f.file = r.unit->name;
    f.size_bytes = r.unit->size_bytes;
    f.modified_ms = r.unit->modified_ms;
    f.records = r.records;
    f.quarantined = r.quarantined;
    f.first_error = r.first_error;
    result.rows_written += r.records;
    result.rows_quarantined += r.quarantined;
    result.files.push_back(std::move(f));
  }
}

// Leaves out the units modified within `min_age` of now; returns how many.
int64_t LeaveSettling(NewUnits& todo, std::chrono::milliseconds min_age, const Clock& clock) {
  if (min_age.count() <= 0) return 0;
  const int64_t newest = clock.WallMillis() - min_age.count();
  const auto settling = std::stable_partition(
      todo.units.begin(), todo.units.end(), [&](const Unit& u) { return u.modified_ms <= newest; });
  const int64_t n = static_cast<int64_t>(todo.units.end() - settling);
  todo.units.erase(settling, todo.units.end());
  return n;
}

}  // namespace

Result<IngestResult> IngestFiles(const IngestRequest& request, FileSystem& fs,
                                 engine::Connection& conn) {
  const std::string& name = request.source->name;
  const Clock& clock = OrDefault(request.clock);
  Executor& executor = OrDefault(request.executor);
  CARELAKE_ASSIGN_OR_RETURN(BronzeWriter writer,
                            BronzeWriter::Open(fs, request.bronze_path, request.quarantine_path,
                                               name, request.run_id, conn, clock, executor));
  FileSource source(*request.source, request.project_dir, fs, conn, executor);
  CARELAKE_ASSIGN_OR_RETURN(NewUnits todo, source.ListNew(writer.bronze_txns()));
  IngestResult result;
  result.files_already_ingested = todo.already_committed;
  result.warnings = std::move(todo.warnings);
  if (const int64_t settling = LeaveSettling(todo, request.min_file_age, clock); settling > 0) {
    result.warnings.push_back(std::to_string(settling) + " new files modified in the last " +
                              std::to_string(request.min_file_age.count() / 1000) +
                              " s are left for a later run (they may still be written)");
  }

  const size_t parallelism = request.parallelism > 0 ? request.parallelism : executor.size() + 1;
  std::vector<engine::Connection> more = OpenMoreConnections(
      conn, std::max<size_t>(1, std::min<size_t>(parallelism, todo.units.size())));
  std::vector<engine::Connection*> conns = {&conn};
  for (engine::Connection& c : more) conns.push_back(&c);
  // The caller interrupts `conn`; the connections opened here are ours to.
  engine::Interrupter interrupter(conns, request.stop);

  size_t next = 0;
  while (next < todo.units.size()) {
    if (request.stop.stop_requested()) {
      return Cancelled("ingest of source '" + name + "' stopped on request after " +
                       std::to_string(result.files.size()) + " of " +
                       std::to_string(todo.units.size()) + " new files");
    }
    const std::vector<const Unit*> batch = NextBatch(todo.units, request, &next);
    CARELAKE_ASSIGN_OR_RETURN(std::vector<UnitRows> rows,
                              IngestBatch(source, writer, batch, conns, clock));
    AddToResult(rows, result);
    if (request.progress) {
      request.progress(name + ": " + std::to_string(result.files.size()) + "/" +
                       std::to_string(todo.units.size()) + " new files, " +
                       WithThousands(result.rows_written) + " records, " +
                       WithThousands(result.rows_quarantined) + " quarantined");
    }
  }
  result.commits = writer.commits();
  result.bronze_version = writer.bronze_version();
  return result;
}

Result<PendingFiles> ListPendingFiles(const IngestRequest& request, FileSystem& fs,
                                      engine::Connection& conn) {
  CARELAKE_ASSIGN_OR_RETURN(CommittedTxns bronze,
                            LoadCommittedTxns(delta::DeltaTable(fs, request.bronze_path, conn)));
  FileSource source(*request.source, request.project_dir, fs, conn);
  CARELAKE_ASSIGN_OR_RETURN(NewUnits todo, source.ListNew(bronze.app_versions));
  PendingFiles pending;
  pending.settling = LeaveSettling(todo, request.min_file_age, OrDefault(request.clock));
  for (const Unit& u : todo.units) {
    pending.new_files.push_back(u.name);
    pending.new_bytes += u.size_bytes;
  }
  pending.already_ingested = todo.already_committed;
  return pending;
}

}  // namespace carelake::ingest
