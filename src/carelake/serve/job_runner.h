// The daemon's JobRunner: a job's run is RunProject with the job's
// `select:`, recorded with the job and its trigger, waiting for a run in
// progress (runs never overlap), stopped through its stop token. Which
// failures are worth a retry comes from the run's failure code.
#ifndef CARELAKE_SERVE_JOB_RUNNER_H_
#define CARELAKE_SERVE_JOB_RUNNER_H_

#include <functional>
#include <optional>
#include <string>

#include "carelake/engine/database.h"
#include "carelake/project/project.h"
#include "carelake/serve/scheduler.h"

namespace carelake::serve {

// `project` and `db` must outlive the runner; `log` gets one line per run.
JobRunner MakeJobRunner(const project::Project& project, engine::Database& db,
                        std::function<void(const std::string&)> log);

// When `job` last started a run, from the ledger; nullopt when never (or
// the ledger cannot say).
LastRunLookup MakeLastRunLookup(const project::Project& project, engine::Database& db);

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_JOB_RUNNER_H_
