#include "carelake/serve/pg_service.h"

#include <utility>

namespace carelake::serve {

PgService::PgService(pgwire::ServerOptions options, ProjectHolder& project, FileSystem& fs,
                     Logger log)
    : options_(std::move(options)), project_(project), fs_(fs), log_(std::move(log)) {
  options_.log = [log = log_](std::string_view level, std::string_view message) {
    const LogLevel l = level == "error"     ? LogLevel::kError
                       : level == "warning" ? LogLevel::kWarning
                                            : LogLevel::kInfo;
    log(Event("pg", std::string(message), l));
  };
  if (options_.tls_cert.empty() && options_.tls_key.empty() && options_.tls_dir.empty()) {
    options_.tls_dir = project_.Get()->lake + "/_system/pgwire";
  }
}

PgService::~PgService() { Stop(); }

Status PgService::Start() {
  CARELAKE_ASSIGN_OR_RETURN(server_, pgwire::Server::Start(
                                         options_, [this] { return project_.Get(); }, fs_));
  return Status::Ok();
}

void PgService::Stop() {
  if (server_) server_->Stop();
}

Health PgService::health() const {
  if (!server_) return Health{false, "not started"};
  return Health{true, "listening on " + options_.host + ":" + std::to_string(server_->port()) +
                          ", " + std::to_string(server_->sessions()) + " sessions"};
}

int PgService::port() const { return server_ ? server_->port() : 0; }

}  // namespace carelake::serve
