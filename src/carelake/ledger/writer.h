// Writer: records runs in the ledger — append-only Delta tables under
// <lake>/_system (schema.h), one commit per call.
//
// A run is recorded in this order (pipeline/runner.h): RecordRunStart
// before anything else, so a run that cannot be recorded does not start and
// a run whose process dies shows as `started`; RecordFiles while ingesting;
// then RecordSteps, RecordExpectations and RecordRunEnd.
#ifndef CARELAKE_LEDGER_WRITER_H_
#define CARELAKE_LEDGER_WRITER_H_

#include <string>
#include <vector>

#include "carelake/base/clock.h"
#include "carelake/base/file_system.h"
#include "carelake/base/status.h"
#include "carelake/engine/connection.h"
#include "carelake/ledger/records.h"
#include "carelake/ledger/schema.h"

namespace carelake::ledger {

// One row per record, built by column name from the schema.
Row ToRow(const RunRecord& run);
Row ToRow(const std::string& run_id, const StepRecord& step);
Row ToRow(const ExpectationRecord& expectation);
Row ToRow(const FileRecord& file);
Row ToRow(const AlertRecord& alert);

class Writer {
 public:
  // `fs`, `conn` (and `clock`) must outlive the writer. The clock stamps
  // the Delta commits (DefaultClock() when null).
  Writer(FileSystem& fs, std::string lake, engine::Connection& conn, const Clock* clock = nullptr);

  // The run's first row: `run` with status started and no finish time,
  // whatever `run.status` says.
  Status RecordRunStart(const RunRecord& run);
  Status RecordFiles(const std::vector<FileRecord>& files);
  Status RecordSteps(const std::string& run_id, const std::vector<StepRecord>& steps);
  Status RecordExpectations(const std::vector<ExpectationRecord>& expectations);
  // The run's final row.
  Status RecordRunEnd(const RunRecord& run);
  // Not part of a run: an alert delivery of the daemon.
  Status RecordAlert(const AlertRecord& alert);

  // Appends `rows` (all of `table`) in one commit; nothing for no rows.
  // Internal when a row is not complete (see Row::status()).
  Status Append(LedgerTable table, const std::vector<Row>& rows);

 private:
  FileSystem& fs_;
  std::string lake_;
  engine::Connection& conn_;
  const Clock* clock_;
};

}  // namespace carelake::ledger

#endif  // CARELAKE_LEDGER_WRITER_H_
