// The executor of DatabaseSourceStep: a database source's tables into
// bronze (ingest/db_ingest.h), each table a line of the step's message.
#include <string>

#include "carelake/ingest/db_ingest.h"
#include "carelake/pipeline/step_executor.h"

namespace carelake::pipeline {
namespace {

std::string TableLine(const ingest::TableIngest& t) {
  if (!t.error.empty()) return t.table + " failed: " + t.error;
  std::string line = t.table + " " + std::to_string(t.rows) + " rows (" + t.mode + ")";
  if (t.deleted > 0) line += ", " + std::to_string(t.deleted) + " deleted keys";
  for (const auto& [column, n] : t.zero_dates) {
    line += ", " + std::to_string(n) + " zero dates in " + column + " read as NULL";
  }
  for (const std::string& notice : t.notices) line += "; the server said " + notice;
  return line;
}

}  // namespace

Status RunDatabaseSourceStep(const DatabaseSourceStep& spec, const Step&, StepContext& ctx,
                             StepReport& record, StepOutput& out) {
  out.keep_going = spec.source->on_error == project::OnSourceError::kContinue;
  ingest::DatabaseIngestRequest req;
  req.source = spec.source;
  req.project_dir = ctx.project.dir;
  req.lake = ctx.project.lake;
  req.run_id = ctx.run_id;
  req.clock = &ctx.clock;
  req.stop = ctx.options.stop;
  req.progress = ctx.options.on_progress;
  CARELAKE_ASSIGN_OR_RETURN(ingest::DatabaseIngestResult r,
                            ingest::IngestDatabase(req, ctx.fs, ctx.conn));
  int64_t landed = 0;
  std::string lines;
  for (const ingest::TableIngest& t : r.tables) {
    record.rows_read += t.rows;
    if (t.error.empty()) {
      ++landed;
      record.rows_written += t.rows;
    }
    lines += "; " + TableLine(t);
  }
  record.files = landed;
  record.status = landed > 0 ? StepStatus::kCommitted : StepStatus::kUpToDate;
  record.mode = landed > 0 ? model::BuildMode::kFull : model::BuildMode::kNone;
  record.reason = std::to_string(landed) + " tables read from " + r.server;
  record.message = std::to_string(landed) + " of " + std::to_string(r.tables.size()) +
                   " tables from " + r.server + lines;
  if (spec.source->cdc && spec.source->cdc->continuous) {
    record.message +=
        "; captured continuously under carelake serve (cdc_consumer): this step took the "
        "source's capture lock and applied the changes the consumer had not yet";
  }
  if (r.retained_wal_bytes >= 0) {
    record.message +=
        "; the replication slot retains " + std::to_string(r.retained_wal_bytes) + " bytes of WAL";
  }
  if (r.failed > 0) {
    return Status(StatusCode::kFailedPrecondition,
                  "source '" + spec.source->name + "': " + std::to_string(r.failed) + " of " +
                      std::to_string(r.tables.size()) + " tables failed" + lines);
  }
  return Status::Ok();
}

Result<model::BuildForecast> ForecastDatabaseSourceStep(const DatabaseSourceStep& spec, const Step&,
                                                        StepContext&) {
  model::BuildForecast f;
  f.runs = true;
  f.mode = model::BuildMode::kFull;
  f.reason = "reads the tables of " + spec.source->name + " (" + spec.source->connection + ")";
  return f;
}

}  // namespace carelake::pipeline
