// Channel: sends one event to one alert target (project.h, AlertTarget) —
// a webhook (HTTP POST of the alert JSON), a mail (SMTP), or a command (the
// JSON on its standard input). One attempt per Send(); retries are the
// dispatcher's.
//
// Secrets: `${NAME}` references are expanded inside Send(), for the call
// that needs them. Errors name the target, the host (never a URL's path or
// query, where some services put their token) and what went wrong —
// never an expanded value.
#ifndef CARELAKE_ALERT_CHANNEL_H_
#define CARELAKE_ALERT_CHANNEL_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "carelake/alert/event.h"
#include "carelake/base/env_template.h"
#include "carelake/base/status.h"
#include "carelake/project/project.h"

namespace carelake::alert {

class Channel {
 public:
  virtual ~Channel() = default;
  // "webhook", "email" or "command".
  virtual std::string_view kind() const = 0;
  virtual Status Send(const Event& event) = 0;
};

struct ChannelOptions {
  std::string project_dir;  // relative command paths and CA files start here
  EnvLookup env = ProcessEnv();
  std::chrono::milliseconds timeout{10'000};  // one attempt, connection included
};

std::unique_ptr<Channel> MakeChannel(const project::AlertTarget& target,
                                     const ChannelOptions& options);

// "https://hooks.example:8443" of a URL: scheme and authority only (without
// user info), for messages.
std::string UrlOrigin(std::string_view url);

}  // namespace carelake::alert

#endif  // CARELAKE_ALERT_CHANNEL_H_
