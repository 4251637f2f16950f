// The webhook and email channels, on libcurl (HTTP(S) and SMTP with
// STARTTLS or implicit TLS).
#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <utility>

#include "carelake/alert/channel.h"

namespace carelake::alert {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Easy {
  CURL* handle = curl_easy_init();
  curl_slist* headers = nullptr;
  curl_slist* recipients = nullptr;
  char error[CURL_ERROR_SIZE] = {0};
  ~Easy() {
    curl_slist_free_all(headers);
    curl_slist_free_all(recipients);
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

// Common settings: timeouts, no signals (threads), no redirects, TLS.
void Configure(Easy& easy, const std::string& url, const ChannelOptions& options,
               const std::string& ca_file) {
  CURL* h = easy.handle;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(options.timeout.count(), 5000)));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, easy.error);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  if (!ca_file.empty()) {
    const std::filesystem::path path =
        std::filesystem::path(options.project_dir) / std::filesystem::path(ca_file);
    curl_easy_setopt(h, CURLOPT_CAINFO, path.string().c_str());
  }
}

// The curl failure as a Status, without the URL (curl's own texts name at
// most the host).
Status CurlError(CURLcode code, const Easy& easy, const std::string& what) {
  std::string detail = easy.error[0] != '\0' ? easy.error : curl_easy_strerror(code);
  const StatusCode status = code == CURLE_OPERATION_TIMEDOUT || code == CURLE_COULDNT_CONNECT ||
                                    code == CURLE_COULDNT_RESOLVE_HOST
                                ? StatusCode::kUnavailable
                                : StatusCode::kIoError;
  return Status(status, what + ": " + detail);
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

class WebhookChannel : public Channel {
 public:
  WebhookChannel(std::string name, project::WebhookTarget target, ChannelOptions options)
      : name_(std::move(name)), target_(std::move(target)), options_(std::move(options)) {}

  std::string_view kind() const override { return "webhook"; }

  Status Send(const Event& event) override {
    GlobalInit();
    const std::string what = "webhook to " + UrlOrigin(target_.url);
    std::string body;
    if (target_.body_template.empty()) {
      body = ToJson(event, name_);
    } else {
      CARELAKE_ASSIGN_OR_RETURN(body, FillTemplate(target_.body_template, event, name_));
    }
    auto url = ExpandEnvTemplate(target_.url, options_.env);
    if (!url.ok()) return InvalidArgument(what + ": url: " + url.status().message());
    Easy easy;
    if (easy.handle == nullptr) return Internal(what + ": curl_easy_init failed");
    Configure(easy, *url, options_, target_.ca_file);
    bool content_type = false;
    for (const auto& [key, value] : target_.headers) {
      auto expanded = ExpandEnvTemplate(value, options_.env);
      if (!expanded.ok()) {
        return InvalidArgument(what + ": header " + key + ": " + expanded.status().message());
      }
      content_type |= (key.size() == 12 && strncasecmp(key.c_str(), "content-type", 12) == 0);
      easy.headers = curl_slist_append(easy.headers, (key + ": " + *expanded).c_str());
    }
    if (!content_type) {
      easy.headers = curl_slist_append(easy.headers, "Content-Type: application/json");
    }
    easy.headers = curl_slist_append(easy.headers, "User-Agent: carelake-alert/1");
    curl_easy_setopt(easy.handle, CURLOPT_HTTPHEADER, easy.headers);
    curl_easy_setopt(easy.handle, CURLOPT_POST, 1L);
    curl_easy_setopt(easy.handle, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(easy.handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(easy.handle, CURLOPT_WRITEFUNCTION, Discard);
    if (CURLcode code = curl_easy_perform(easy.handle); code != CURLE_OK) {
      return CurlError(code, easy, what);
    }
    long http = 0;
    curl_easy_getinfo(easy.handle, CURLINFO_RESPONSE_CODE, &http);
    if (http < 200 || http >= 300) {
      // 4xx other than 408/429 will not pass on a retry.
      const bool final = http >= 400 && http < 500 && http != 408 && http != 429;
      return Status(final ? StatusCode::kFailedPrecondition : StatusCode::kUnavailable,
                    what + ": HTTP " + std::to_string(http));
    }
    return Status::Ok();
  }

 private:
  std::string name_;
  project::WebhookTarget target_;
  ChannelOptions options_;
};

struct Upload {
  std::string data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// "Name <a@b>" or "a@b" -> "<a@b>" for the SMTP envelope.
std::string Envelope(const std::string& address) {
  const size_t open = address.find('<');
  if (open != std::string::npos && address.back() == '>') return address.substr(open);
  return "<" + address + ">";
}

// The header value on one line (no header injection from event text).
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

class EmailChannel : public Channel {
 public:
  EmailChannel(project::EmailTarget target, ChannelOptions options)
      : target_(std::move(target)), options_(std::move(options)) {}

  std::string_view kind() const override { return "email"; }

  Status Send(const Event& event) override {
    GlobalInit();
    const std::string what = "mail through " + UrlOrigin(target_.smtp);
    auto url = ExpandEnvTemplate(target_.smtp, options_.env);
    if (!url.ok()) return InvalidArgument(what + ": smtp: " + url.status().message());
    auto from = ExpandEnvTemplate(target_.from, options_.env);
    if (!from.ok()) return InvalidArgument(what + ": from: " + from.status().message());
    std::vector<std::string> to;
    for (const std::string& t : target_.to) {
      auto address = ExpandEnvTemplate(t, options_.env);
      if (!address.ok()) return InvalidArgument(what + ": to: " + address.status().message());
      to.push_back(*address);
    }
    Easy easy;
    if (easy.handle == nullptr) return Internal(what + ": curl_easy_init failed");
    Configure(easy, *url, options_, target_.ca_file);
    if (target_.starttls) curl_easy_setopt(easy.handle, CURLOPT_USE_SSL, CURLUSESSL_ALL);
    std::string user, password;
    if (!target_.username_env.empty()) {
      const char* u = options_.env(target_.username_env);
      if (u == nullptr) {
        return InvalidArgument(what + ": environment variable " + target_.username_env +
                               " is not set");
      }
      user = u;
      curl_easy_setopt(easy.handle, CURLOPT_USERNAME, user.c_str());
    }
    if (!target_.password_env.empty()) {
      const char* p = options_.env(target_.password_env);
      if (p == nullptr) {
        return InvalidArgument(what + ": environment variable " + target_.password_env +
                               " is not set");
      }
      password = p;
      curl_easy_setopt(easy.handle, CURLOPT_PASSWORD, password.c_str());
    }
    const std::string envelope_from = Envelope(*from);
    curl_easy_setopt(easy.handle, CURLOPT_MAIL_FROM, envelope_from.c_str());
    std::string to_header;
    for (const std::string& t : to) {
      easy.recipients = curl_slist_append(easy.recipients, Envelope(t).c_str());
      to_header += (to_header.empty() ? "" : ", ") + t;
    }
    curl_easy_setopt(easy.handle, CURLOPT_MAIL_RCPT, easy.recipients);
    Upload upload;
    upload.data = Message(event, *from, to_header);
    curl_easy_setopt(easy.handle, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(easy.handle, CURLOPT_READDATA, &upload);
    curl_easy_setopt(easy.handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy.handle, CURLOPT_INFILESIZE, static_cast<long>(upload.data.size()));
    if (CURLcode code = curl_easy_perform(easy.handle); code != CURLE_OK) {
      if (code == CURLE_LOGIN_DENIED) {
        return FailedPrecondition(what + ": the server refused the login");
      }
      return CurlError(code, easy, what);
    }
    return Status::Ok();
  }

 private:
  static std::string Message(const Event& event, const std::string& from, const std::string& to) {
    std::string body = MailBody(event);
    std::string crlf;
    for (char c : body) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    // RFC 5322: "Fri, 04 Dec 2026 05:00:00 +0000".
    const std::time_t seconds = static_cast<std::time_t>(event.time_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return "From: " + OneLine(from) + "\r\nTo: " + OneLine(to) +
           "\r\nSubject: " + OneLine(MailSubject(event)) +
           "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\nDate: " +
           std::string(date) + "\r\nX-Carelake-Event: " + project::ToString(event.kind) +
           "\r\n\r\n" + crlf;
  }

  project::EmailTarget target_;
  ChannelOptions options_;
};

}  // namespace

std::unique_ptr<Channel> MakeWebhookChannel(const project::AlertTarget& target,
                                            const ChannelOptions& options) {
  return std::make_unique<WebhookChannel>(
      target.name, std::get<project::WebhookTarget>(target.channel), options);
}

std::unique_ptr<Channel> MakeEmailChannel(const project::AlertTarget& target,
                                          const ChannelOptions& options) {
  return std::make_unique<EmailChannel>(std::get<project::EmailTarget>(target.channel), options);
}

}  // namespace carelake::alert
