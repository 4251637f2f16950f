// The daemon's HTTP routes:
//   GET /healthz         200 while the process serves
//   GET /readyz          200 when every service is started and healthy, 503
//                        otherwise; the body says each service's health
//   GET /metrics         Prometheus text: runs by job and status, last success
//                        per job, next fire times, queue depth, rows written
//                        and quarantined per table, and the change data
//                        capture gauges of each continuous source
//   GET /api/runs        the run history, newest first (?limit=N, default 50)
//   GET /api/runs/ID     {"run": ..., "steps": [...]}: one run and its steps
//   GET /api/jobs        each job: next fire time, queued, last outcome
//   POST /api/jobs/NAME/trigger   queues a run of the job (202; 404 unknown)
// Answers are JSON; runs and steps in the ledger's one JSON form
// (ledger/json.h). Until the [access] layer adds authentication, /api/
// answers only clients on loopback (403 otherwise).
#ifndef CARELAKE_SERVE_API_H_
#define CARELAKE_SERVE_API_H_

#include "carelake/serve/cdc_consumer.h"
#include "carelake/serve/daemon.h"
#include "carelake/serve/http_service.h"
#include "carelake/serve/project_holder.h"
#include "carelake/serve/scheduler.h"

namespace carelake::serve {

// `project`, `daemon`, `scheduler` and `cdc` (when given) must outlive the
// server. Each request reads the project current when it arrives.
void AddRoutes(HttpService& http, const ProjectHolder& project, const Daemon& daemon,
               Scheduler& scheduler, const CdcConsumer* cdc = nullptr);

// The change data capture families of /metrics (Prometheus text) for the
// consumer's sources.
std::string CdcMetrics(const CdcConsumer& cdc);

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_API_H_
