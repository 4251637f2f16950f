#include "carelake/serve/http_service.h"

#include <httplib.h>

#include <chrono>
#include <exception>
#include <thread>
#include <utility>

namespace carelake::serve {

struct HttpService::Impl {
  httplib::Server server;
};

namespace {

httplib::Server::Handler Wrap(HttpHandler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    HttpRequest r;
    r.method = req.method;
    r.path = req.path;
    for (size_t i = 1; i < req.matches.size(); ++i) r.matches.push_back(req.matches[i].str());
    for (const auto& [k, v] : req.params) r.query[k] = v;
    r.body = req.body;
    r.remote_addr = req.remote_addr;
    HttpResponse out;
    try {
      out = handler(r);
    } catch (const std::exception& e) {
      out = {500, "application/json", R"({"error": "internal error"})"};
    } catch (...) {
      out = {500, "application/json", R"({"error": "internal error"})"};
    }
    res.status = out.status;
    res.set_content(out.body, out.content_type);
  };
}

}  // namespace

HttpService::HttpService(std::string host, int port)
    : impl_(std::make_unique<Impl>()), host_(std::move(host)), port_(port) {
  impl_->server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(R"({"error": ")" + std::to_string(res.status) + R"("})", "application/json");
    }
  });
}

HttpService::~HttpService() { Stop(); }

void HttpService::Get(const std::string& pattern, HttpHandler handler) {
  impl_->server.Get(pattern, Wrap(std::move(handler)));
}

void HttpService::Post(const std::string& pattern, HttpHandler handler) {
  impl_->server.Post(pattern, Wrap(std::move(handler)));
}

Status HttpService::Start() {
  if (port_ == 0) {
    const int bound = impl_->server.bind_to_any_port(host_);
    if (bound <= 0) return Unavailable("cannot listen on " + host_ + " (any port)");
    port_ = bound;
  } else if (!impl_->server.bind_to_port(host_, port_)) {
    return Unavailable("cannot listen on " + host_ + ":" + std::to_string(port_) +
                       " (in use, or not an address of this machine)");
  }
  listening_ = true;
  thread_ = std::thread([this] {
    impl_->server.listen_after_bind();
    listening_ = false;
  });
  // Ready only once the server runs: httplib's stop() does nothing before
  // that, and a Stop() right after Start() (a SIGTERM as the daemon starts)
  // would then wait forever for the accept loop.
  while (!impl_->server.is_running() && listening_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!listening_) {
    thread_.join();
    return Unavailable("cannot serve on " + host_ + ":" + std::to_string(port_));
  }
  return Status::Ok();
}

void HttpService::Stop() {
  if (thread_.joinable()) {
    impl_->server.stop();
    thread_.join();
  }
  listening_ = false;
}

Health HttpService::health() const {
  if (!listening_) return {false, "not listening"};
  return {true, "listening on " + host_ + ":" + std::to_string(port_)};
}

}  // namespace carelake::serve
