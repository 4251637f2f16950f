// The daemon's JobRunner: a job's run is RunProject with the job's
// `select:`, recorded with the job and its trigger, waiting for a run in
// progress (runs never overlap), stopped through its stop token. Which
// failures are worth a retry comes from the run's failure code.
#ifndef CARELAKE_SERVE_JOB_RUNNER_H_
#define CARELAKE_SERVE_JOB_RUNNER_H_

#include <functional>
#include <optional>
#include <string>

#include "carelake/serve/event_log.h"
#include "carelake/serve/project_holder.h"
#include "carelake/serve/scheduler.h"

namespace carelake::serve {

// `project` must outlive the runner (each run reads the current one); `log` gets one line per run.
// Each run has its own in-memory database: DuckDB's views are database-wide, and the API reads the
// ledger at the same time.
JobRunner MakeJobRunner(const ProjectHolder& project, Logger log);

// `job`'s latest run, from the ledger; nullopt when none (or the ledger
// cannot say).
LastRunLookup MakeLastRunLookup(const ProjectHolder& project);

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_JOB_RUNNER_H_
