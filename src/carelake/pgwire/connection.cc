#include "carelake/pgwire/connection.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "carelake/auth/user_store.h"
#include "carelake/pgwire/backend.h"
#include "carelake/pgwire/pg_catalog.h"
#include "carelake/pgwire/pg_error.h"
#include "carelake/pgwire/scram_exchange.h"
#include "carelake/pgwire/server.h"
#include "carelake/pgwire/startup.h"
#include "carelake/query/session.h"

namespace carelake::pgwire {
namespace {

// Largest message a client may send once logged in (a query, a Bind).
constexpr size_t kMaxMessage = 256u << 20;
// Before login: SASL messages are small.
constexpr size_t kMaxAuthMessage = 10000;

// The startup packet's `options`: "-c name=value" and "--name=value" words
// (a backslash escapes a space), as libpq's PGOPTIONS sends them.
bool ParseOptions(const std::string& text, std::vector<std::pair<std::string, std::string>>* out) {
  std::vector<std::string> words(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      words.back().push_back(text[++i]);
    } else if (text[i] == ' ') {
      if (!words.back().empty()) words.emplace_back();
    } else {
      words.back().push_back(text[i]);
    }
  }
  if (words.back().empty()) words.pop_back();
  for (size_t i = 0; i < words.size(); ++i) {
    std::string assignment;
    if (words[i] == "-c" && i + 1 < words.size()) {
      assignment = words[++i];
    } else if (words[i].starts_with("-c")) {
      assignment = words[i].substr(2);
    } else if (words[i].starts_with("--")) {
      assignment = words[i].substr(2);
    } else {
      return false;
    }
    const size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    std::string name = assignment.substr(0, eq);
    for (char& c : name) c = c == '-' ? '_' : c;
    out->emplace_back(name, assignment.substr(eq + 1));
  }
  return true;
}

// Copies `name` ("": every parameter) from the server's settings to the
// catalog; parameters the catalog does not model are left out.
Status MirrorSettings(const Settings& settings, const std::string& name, PgCatalog& catalog) {
  for (const auto& [key, value] : settings.All()) {
    if (!name.empty() && key != settings.CanonicalName(name)) continue;
    Status s = catalog.Set(key, value);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }
  return Status::Ok();
}

class ConnectionRun {
 public:
  ConnectionRun(Server& server, int fd, std::string peer)
      : server_(server), socket_(fd), fd_(fd), peer_(std::move(peer)), reader_(&socket_) {}

  void Run() {
    // Until the login ends, at most a few per client address, and a deadline
    // for the whole of it (the watchdog shuts the socket when it passes).
    if (!server_.BeginLogin(fd_, peer_)) {
      server_.Log("warning", peer_ + ": refused, too many logins in progress from this address");
      return;
    }
    struct Login {
      ConnectionRun& run;
      ~Login() {
        if (!run.logged_in_) run.server_.EndLogin(run.fd_, run.peer_);
      }
    } login{*this};
    std::optional<StartupPacket> startup = Negotiate();
    if (startup) Serve(*startup);
  }

 private:
  Stream& stream() { return tls_ ? *tls_ : socket_; }

  bool Send() {
    if (out_.empty()) return true;
    Status s = stream().Write(out_.data());
    out_.Clear();
    return s.ok();
  }

  void Fatal(const char* code, std::string message) {
    PgError e = PgError::Fatal(code, std::move(message));
    out_.Begin('E').Byte('S').CString(e.severity).Byte('V').CString(e.severity);
    out_.Byte('C').CString(e.code).Byte('M').CString(e.message).Byte(0).End();
    Send();
  }

  // Up to the StartupMessage; nullopt when the connection ends here.
  std::optional<StartupPacket> Negotiate() {
    for (;;) {
      Result<Message> m = reader_.ReadStartup(kMaxStartupPacket);
      if (!m.ok()) {
        if (m.status().code() == StatusCode::kInvalidArgument) {
          server_.Log("warning", peer_ + ": " + m.status().message());
        }
        return std::nullopt;
      }
      Result<StartupPacket> p = ParseStartupPacket(m->body);
      if (!p.ok()) {
        Fatal(p.status().code() == StatusCode::kFailedPrecondition ? sqlstate::kFeatureNotSupported
                                                                   : sqlstate::kProtocolViolation,
              p.status().message());
        return std::nullopt;
      }
      switch (p->kind) {
        case StartupPacket::Kind::kSslRequest:
          if (!StartTls()) return std::nullopt;
          continue;
        case StartupPacket::Kind::kGssEncRequest:
          if (!stream().Write("N").ok()) return std::nullopt;
          continue;
        case StartupPacket::Kind::kCancelRequest:
          server_.Cancel(p->process_id, p->secret_key);
          return std::nullopt;
        case StartupPacket::Kind::kStartup:
          return std::move(*p);
      }
    }
  }

  bool StartTls() {
    if (tls_ || server_.tls() == nullptr) return stream().Write("N").ok();
    if (!socket_.Write("S").ok()) return false;
    if (reader_.buffered() > 0) {  // bytes sent before the handshake: a downgrade attempt
      server_.Log("warning", peer_ + ": unencrypted data after SSL request");
      return false;
    }
    Result<std::unique_ptr<Stream>> tls = server_.tls()->Accept(fd_);
    if (!tls.ok()) {
      server_.Log("warning", peer_ + ": " + tls.status().message());
      return false;
    }
    tls_ = std::move(*tls);
    reader_.set_stream(tls_.get());
    return true;
  }

  // SASL: true when the user proved the password.
  bool Authenticate(const std::string& user) {
    std::optional<auth::ScramVerifier> verifier;
    const std::shared_ptr<const project::Project> project = server_.project();
    Result<auth::UserStore> users = auth::UserStore::Load(auth::UserStore::PathFor(project->lake));
    if (!users.ok()) {
      server_.Log("error", "cannot read the users: " + users.status().message());
    } else if (const auth::User* u = users->Find(user); u != nullptr) {
      verifier = u->verifier;
    }
    ScramExchange scram(verifier, user, server_.mock_secret(),
                        tls_ ? server_.tls()->end_point_hash() : "");
    out_.Begin('R').Int32(10);
    for (const std::string& m : scram.Mechanisms()) out_.CString(m);
    out_.Byte(0).End();
    if (!Send()) return false;
    Result<Message> first = reader_.Read(kMaxAuthMessage);
    if (!first.ok() || first->type != 'p') return ProtocolError(first, "SASLInitialResponse");
    FieldReader r(first->body, "SASLInitialResponse");
    Result<std::string_view> mechanism = r.CString();
    Result<int32_t> len = mechanism.ok() ? r.Int32() : Result<int32_t>(mechanism.status());
    Result<std::string_view> data = len.ok() && *len >= 0
                                        ? r.Bytes(static_cast<size_t>(*len))
                                        : Result<std::string_view>(InvalidArgument("no SASL data"));
    Result<std::string> server_first =
        data.ok() ? scram.Start(*mechanism, *data) : Result<std::string>(data.status());
    if (!server_first.ok()) {
      Fatal(sqlstate::kProtocolViolation, server_first.status().message());
      return false;
    }
    out_.Begin('R').Int32(11).Bytes(*server_first).End();
    if (!Send()) return false;
    Result<Message> final_msg = reader_.Read(kMaxAuthMessage);
    if (!final_msg.ok() || final_msg->type != 'p') return ProtocolError(final_msg, "SASLResponse");
    Result<std::string> server_final = scram.Finish(final_msg->body);
    if (!server_final.ok()) {
      if (server_final.status().code() == StatusCode::kPermissionDenied) {
        std::this_thread::sleep_for(server_.LoginFailed(peer_));
        server_.Log("warning",
                    peer_ + ": password authentication failed for user \"" + user + "\"");
        Fatal(sqlstate::kInvalidPassword,
              "password authentication failed for user \"" + user + "\"");
      } else {
        Fatal(sqlstate::kProtocolViolation, server_final.status().message());
      }
      return false;
    }
    server_.LoginSucceeded(peer_);
    out_.Begin('R').Int32(12).Bytes(*server_final).End();
    out_.Begin('R').Int32(0).End();
    return true;
  }

  bool ProtocolError(const Result<Message>& m, std::string_view expected) {
    if (m.ok()) {
      Fatal(sqlstate::kProtocolViolation, "expected " + std::string(expected) +
                                              ", got message type " +
                                              std::to_string(static_cast<unsigned char>(m->type)));
    }
    return false;
  }

  void Serve(const StartupPacket& startup) {
    const std::string user = startup.parameters.at("user");
    auto db = startup.parameters.find("database");
    const std::string database =
        db != startup.parameters.end() && !db->second.empty() ? db->second : user;
    if (!Authenticate(user)) return;
    const std::shared_ptr<const project::Project> project = server_.project();
    if (database != project->name) {
      Fatal(sqlstate::kInvalidCatalogName, "database \"" + database + "\" does not exist");
      return;
    }
    // Logged in: a session slot (only now, so that clients who cannot log
    // in cannot take them), and reads wait as long as the client likes.
    server_.EndLogin(fd_, peer_);
    logged_in_ = true;
    const timeval no_timeout{0, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &no_timeout, sizeof(no_timeout));
    if (!server_.Admit()) {
      Fatal(sqlstate::kTooManyConnections, "sorry, too many clients already");
      return;
    }
    struct Slot {
      Server& server;
      ~Slot() { server.Release(); }
    } slot{server_};
    Settings settings(user, server_.options().version_suffix);
    std::vector<std::pair<std::string, std::string>> assignments;
    for (const auto& [name, value] : startup.parameters) {
      if (name == "user" || name == "database" || name == "replication") continue;
      if (name == "options") {
        if (!ParseOptions(value, &assignments)) {
          Fatal(sqlstate::kProtocolViolation,
                "invalid command-line argument for server process: " + value);
          return;
        }
        continue;
      }
      assignments.emplace_back(name, value);
    }
    for (const auto& [name, value] : assignments) {
      if (std::optional<PgError> e = settings.Set(name, value)) {
        Fatal(e->code.c_str(), e->message);
        return;
      }
    }
    if (!startup.unknown_protocol_options.empty() || (startup.protocol & 0xffff) != 0) {
      out_.Begin('v')
          .Int32(kProtocol30)
          .Int32(static_cast<int32_t>(startup.unknown_protocol_options.size()));
      for (const std::string& o : startup.unknown_protocol_options) out_.CString(o);
      out_.End();
    }
    query::SessionOptions options;
    options.project = *project;
    options.untrusted = true;
    options.allow_session_objects = true;
    options.catalog_only = true;
    options.database_config = {{"memory_limit", server_.options().session_memory_limit},
                               {"threads", std::to_string(server_.options().session_threads)}};
    Result<std::unique_ptr<query::Session>> session = query::Session::Open(options, server_.fs());
    if (!session.ok()) {
      server_.Log("error", "cannot open a session: " + session.status().message());
      Fatal(sqlstate::kInternalError, "cannot open a session: " + session.status().message());
      return;
    }
    Result<PgCatalog> catalog =
        PgCatalog::Install((*session)->connection(), *project,
                           PgSessionInfo{database, user,
                                         startup.parameters.contains("application_name")
                                             ? startup.parameters.at("application_name")
                                             : ""});
    if (!catalog.ok()) {
      server_.Log("error", "cannot install the catalog: " + catalog.status().message());
      Fatal(sqlstate::kInternalError, "cannot open a session: " + catalog.status().message());
      return;
    }
    Backend backend(std::move(*session), std::move(settings), &out_,
                    [this] { return Send() ? Status::Ok() : Unavailable("the client went away"); });
    backend.on_statement = [this, &backend](bool running) {
      const int64_t ms = backend.settings().statement_timeout_ms();
      if (running && ms > 0) {
        server_.Arm(&backend, ms);
      } else if (!running) {
        server_.Disarm(&backend);
      }
    };
    backend.translate = [&catalog](const std::string& sql) { return catalog->Translate(sql); };
    backend.on_transaction = [&catalog](bool begin, bool committed) {
      if (begin) {
        catalog->TransactionStarted();
      } else {
        catalog->TransactionEnded(committed);
      }
    };
    // The server's Settings decide; the catalog mirrors them for
    // current_setting(), pg_settings and DuckDB's search_path.
    backend.on_setting = [&catalog, &backend](const std::string& name) {
      return MirrorSettings(backend.settings(), name, *catalog);
    };
    if (Status s = MirrorSettings(backend.settings(), "", *catalog); !s.ok()) {
      Fatal(sqlstate::kInternalError, "cannot open a session: " + s.message());
      return;
    }
    const auto [pid, secret] = server_.Register(&backend);
    // Whatever happens below (an exception included), the server forgets the
    // Backend before it goes.
    struct Registration {
      Server& server;
      Backend* backend;
      int32_t pid;
      ~Registration() {
        server.Disarm(backend);
        server.Unregister(pid);
      }
    } registration{server_, &backend, pid};
    server_.Log("info", peer_ + ": " + user + " connected" + (tls_ ? " (TLS)" : ""));
    backend.Greet(pid, secret);
    Loop(backend);
    server_.Log("info", peer_ + ": " + user + " disconnected");
  }

  void Loop(Backend& backend) {
    if (!Send()) return;
    while (backend.state() != Backend::State::kClosed) {
      Result<Message> m = reader_.Read(kMaxMessage);
      if (!m.ok()) {
        if (m.status().code() == StatusCode::kInvalidArgument) {
          Fatal(sqlstate::kProtocolViolation, m.status().message());
        }
        return;
      }
      backend.Handle(*m);
      const char t = m->type;
      if (t == 'Q' || t == 'S' || t == 'H' || backend.state() == Backend::State::kClosed ||
          out_.size() >= 64 * 1024) {
        if (!Send()) return;
      }
    }
  }

  Server& server_;
  SocketStream socket_;
  int fd_;
  std::string peer_;
  std::unique_ptr<Stream> tls_;
  MessageReader reader_;
  MessageWriter out_;
  bool logged_in_ = false;
};

}  // namespace

void RunConnection(Server& server, int fd, const std::string& peer) {
  ConnectionRun(server, fd, peer).Run();
  // The client sees the end now; the descriptor is closed when the server
  // reaps this thread.
  ::shutdown(fd, SHUT_RDWR);
}

}  // namespace carelake::pgwire
