// HttpService: the daemon's HTTP server (cpp-httplib) as a Service: routes
// registered before Start(), one listening thread pool, each handler behind
// one catch-all that turns an exception into a 500 without stopping the
// server. Binds the address it is given (loopback by default, in
// cli/serve_command.cc); port 0 picks a free port (see port()).
#ifndef CARELAKE_SERVE_HTTP_SERVICE_H_
#define CARELAKE_SERVE_HTTP_SERVICE_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "carelake/serve/service.h"

namespace carelake::serve {

struct HttpRequest {
  std::string method;
  std::string path;
  std::vector<std::string> matches;          // the route pattern's groups
  std::map<std::string, std::string> query;  // ?key=value
  std::string body;
  std::string remote_addr;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpService : public Service {
 public:
  HttpService(std::string host, int port);
  ~HttpService() override;

  // `pattern` is a regular expression matched against the whole path;
  // its groups are HttpRequest::matches.
  void Get(const std::string& pattern, HttpHandler handler);
  void Post(const std::string& pattern, HttpHandler handler);

  std::string_view name() const override { return "http"; }
  Status Start() override;
  void Stop() override;
  Health health() const override;

  const std::string& host() const { return host_; }
  // The bound port (after Start()).
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string host_;
  int port_;
  std::thread thread_;
  std::atomic<bool> listening_{false};
};

}  // namespace carelake::serve

#endif  // CARELAKE_SERVE_HTTP_SERVICE_H_
