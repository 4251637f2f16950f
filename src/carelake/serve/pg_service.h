// PgService: the PostgreSQL-wire-protocol server (pgwire/server.h) as one of
// the daemon's services. New sessions serve the project's current
// configuration (a reload reaches the next connection); sessions already
// open keep theirs until they end.
#ifndef CARELAKE_SERVE_PG_SERVICE_H_
#define CARELAKE_SERVE_PG_SERVICE_H_

#include <memory>
#include <string>

#include "carelake/base/file_system.h"
#include "carelake/pgwire/server.h"
#include "carelake/serve/event_log.h"
#include "carelake/serve/project_holder.h"
#include "carelake/serve/service.h"

namespace carelake::serve {

class PgService : public Service {
 public:
  // `options.log` is set to `log`; the self-signed certificate (when no
  // --tls-cert/--tls-key) goes to <lake>/_system/pgwire/.
  PgService(pgwire::ServerOptions options, ProjectHolder& project, FileSystem& fs, Logger log);
  ~PgService() override;

  std::string_view name() const override { return "pgwire"; }
  Status Start() override;
  void Stop() override;
  Health health() const override;

  // After Start().
  int port() const;
  const std::string& host() const { return options_.host; }

 private:
  pgwire::ServerOptions options_;
  ProjectHolder& project_;
  FileSystem& fs_;
  Logger log_;
  std::unique_ptr<pgwire::Server> server_;
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_PG_SERVICE_H_
