#include "carelake/alert/channel.h"

#include <variant>

namespace carelake::alert {

// In curl_channels.cc and command_channel.cc.
std::unique_ptr<Channel> MakeWebhookChannel(const project::AlertTarget& target,
                                            const ChannelOptions& options);
std::unique_ptr<Channel> MakeEmailChannel(const project::AlertTarget& target,
                                          const ChannelOptions& options);
std::unique_ptr<Channel> MakeCommandChannel(const project::AlertTarget& target,
                                            const ChannelOptions& options);

std::unique_ptr<Channel> MakeChannel(const project::AlertTarget& target,
                                     const ChannelOptions& options) {
  if (std::holds_alternative<project::WebhookTarget>(target.channel)) {
    return MakeWebhookChannel(target, options);
  }
  if (std::holds_alternative<project::EmailTarget>(target.channel)) {
    return MakeEmailChannel(target, options);
  }
  return MakeCommandChannel(target, options);
}

std::string UrlOrigin(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "(a URL)";
  const size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  std::string_view authority = url.substr(start, end - start);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  return std::string(url.substr(0, start)) + std::string(authority);
}

}  // namespace carelake::alert
