// The executor of FileSourceStep: new files of a source into bronze, each
// file recorded in `_system.files` (ingest/file_ingest.h).
#include <string>
#include <vector>

#include "carelake/catalog/catalog.h"
#include "carelake/pipeline/step_executor.h"

namespace carelake::pipeline {
namespace {

ingest::IngestRequest RequestFor(const FileSourceStep& spec, const Step& step,
                                 const StepContext& ctx) {
  ingest::IngestRequest req;
  req.source = spec.source;
  req.project_dir = ctx.project.dir;
  req.bronze_path = ctx.paths.at(step.name);
  req.quarantine_path = ctx.paths.at(step.name + catalog::kQuarantineSuffix);
  return req;
}

}  // namespace

Status RunFileSourceStep(const FileSourceStep& spec, const Step& step, StepContext& ctx,
                         StepReport& record, StepOutput& out) {
  ingest::IngestRequest req = RequestFor(spec, step, ctx);
  req.run_id = ctx.run_id;
  req.progress = ctx.options.on_progress;
  req.clock = &ctx.clock;
  req.executor = ctx.options.executor;
  req.stop = ctx.options.stop;
  req.min_file_age = ctx.options.min_file_age;
  CARELAKE_ASSIGN_OR_RETURN(ingest::IngestResult r, ingest::IngestFiles(req, ctx.fs, ctx.conn));
  record.files = static_cast<int64_t>(r.files.size());
  record.rows_read = r.rows_written + r.rows_quarantined;
  record.rows_written = r.rows_written;
  record.rows_quarantined = r.rows_quarantined;
  record.version = r.bronze_version;
  record.status = r.commits > 0 ? StepStatus::kCommitted : StepStatus::kUpToDate;
  if (r.commits > 0) {
    record.mode = model::BuildMode::kIncremental;
    record.reason = std::to_string(r.files.size()) + " new files";
  }
  record.message = r.files.empty() ? "no new files (" + std::to_string(r.files_already_ingested) +
                                         " already ingested)"
                                   : std::to_string(r.files.size()) + " new files";
  for (const std::string& w : r.warnings) record.message += "; " + w;
  std::vector<ledger::FileRecord> files;
  const int64_t now = ctx.clock.WallMillis();
  for (const ingest::IngestedFile& f : r.files) {
    files.push_back({ctx.run_id, spec.source->name, f.file, f.size_bytes, f.modified_ms, f.records,
                     f.quarantined, f.first_error, now});
    out.files.push_back(f);
    out.file_sources.push_back(spec.source->name);
  }
  return ctx.ledger->RecordFiles(files);
}

Result<model::BuildForecast> ForecastFileSourceStep(const FileSourceStep& spec, const Step& step,
                                                    StepContext& ctx) {
  CARELAKE_ASSIGN_OR_RETURN(
      ingest::PendingFiles r,
      ingest::ListPendingFiles(RequestFor(spec, step, ctx), ctx.fs, ctx.conn));
  model::BuildForecast f;
  f.runs = !r.new_files.empty();
  f.mode = f.runs ? model::BuildMode::kIncremental : model::BuildMode::kNone;
  f.reason = f.runs ? std::to_string(r.new_files.size()) + " new files (" +
                          std::to_string(r.new_bytes) + " bytes)"
                    : "no new files (" + std::to_string(r.already_ingested) + " already ingested)";
  return f;
}

}  // namespace carelake::pipeline
