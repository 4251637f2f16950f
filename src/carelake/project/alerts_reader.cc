#include "carelake/project/alerts_reader.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "carelake/base/env_template.h"

namespace carelake::project {
namespace {

using yaml::CheckUnique;
using yaml::Choices;
using yaml::Entry;
using yaml::Expected;
using yaml::Item;
using yaml::MapValue;
using yaml::Optional;
using yaml::ReadBool;
using yaml::ReadChoice;
using yaml::ReadIdentifier;
using yaml::ReadItems;
using yaml::ReadList;
using yaml::ReadNonEmpty;
using yaml::ReadString;
using yaml::Required;
using yaml::Value;

const Choices<AlertEvent>& Events() {
  static const Choices<AlertEvent> kEvents = {{"run_failed", AlertEvent::kRunFailed},
                                              {"rule_failed", AlertEvent::kRuleFailed},
                                              {"source_stale", AlertEvent::kSourceStale},
                                              {"recovered", AlertEvent::kRecovered},
                                              {"reload_failed", AlertEvent::kReloadFailed}};
  return kEvents;
}

// A string whose `${NAME}` references are well formed.
Result<std::string> ReadTemplate(const Value& v, const std::string& expected) {
  CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadNonEmpty(v, expected));
  if (auto names = EnvTemplateNames(text); !names.ok()) {
    return yaml::Error(v, names.status().message());
  }
  return text;
}

// The name of an environment variable (not its value).
Result<std::string> ReadEnvName(const Value& v) {
  CARELAKE_ASSIGN_OR_RETURN(std::string name,
                            ReadNonEmpty(v, "the name of an environment variable"));
  auto names = EnvTemplateNames("${" + name + "}");
  if (!names.ok() || names->size() != 1 || (*names)[0] != name) {
    return Expected(v, "the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*)");
  }
  return name;
}

// A URL template whose scheme (before any reference) is one of `schemes`.
Result<std::string> ReadUrl(const Value& v, const std::vector<std::string>& schemes,
                            const std::string& example) {
  CARELAKE_ASSIGN_OR_RETURN(std::string url, ReadTemplate(v, "a URL such as " + example));
  for (const std::string& s : schemes) {
    if (url.rfind(s + "://", 0) == 0 && url.size() > s.size() + 3) return url;
  }
  return Expected(v, "a URL starting with " + yaml::Join(schemes, "://, ") + "://");
}

Result<WebhookTarget> ReadWebhook(const Value& v) {
  static const std::vector<std::string> kKeys = {"url", "headers", "template", "ca_file"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  WebhookTarget w;
  CARELAKE_RETURN_IF_ERROR(Required(
      m, "url",
      [](const Value& x) {
        return ReadUrl(x, {"https", "http"}, "https://hooks.example/x");
      },
      &w.url));
  if (const Value* headers = m.Find("headers")) {
    CARELAKE_ASSIGN_OR_RETURN(MapValue h, MapValue::Read(*headers, nullptr));
    for (const auto& [key, value] : h.entries()) {
      if (key.empty() || key.find_first_of(" :\r\n") != std::string::npos) {
        return Expected(value, "an HTTP header name");
      }
      CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadTemplate(value, "a header value"));
      if (text.find_first_of("\r\n") != std::string::npos) {
        return Expected(value, "a header value on one line");
      }
      w.headers.emplace_back(key, std::move(text));
    }
  }
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "template",
      [](const Value& x) { return ReadNonEmpty(x, "a body with {{field}} placeholders"); },
      &w.body_template));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "ca_file", [](const Value& x) { return ReadNonEmpty(x, "a file path"); }, &w.ca_file));
  return w;
}

Result<EmailTarget> ReadEmail(const Value& v) {
  static const std::vector<std::string> kKeys = {"smtp",         "starttls",     "from",   "to",
                                                 "username_env", "password_env", "ca_file"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  EmailTarget e;
  CARELAKE_RETURN_IF_ERROR(Required(
      m, "smtp",
      [](const Value& x) {
        return ReadUrl(x, {"smtp", "smtps"}, "smtp://mail.example:587");
      },
      &e.smtp));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "starttls", ReadBool, &e.starttls));
  if (e.starttls && e.smtp.rfind("smtps://", 0) == 0) {
    return Expected(m.Get("starttls"), "no starttls with smtps:// (already TLS)");
  }
  CARELAKE_RETURN_IF_ERROR(Required(
      m, "from", [](const Value& x) { return ReadTemplate(x, "a mail address"); }, &e.from));
  CARELAKE_ASSIGN_OR_RETURN(
      std::vector<Item> to,
      ReadItems(m.Get("to"), "a mail address or a list of them",
                [](const Value& x) { return ReadTemplate(x, "a mail address"); }));
  if (to.empty()) return Expected(m.Get("to"), "at least one address");
  e.to = yaml::Texts(to);
  CARELAKE_RETURN_IF_ERROR(Optional(m, "username_env", ReadEnvName, &e.username_env));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "password_env", ReadEnvName, &e.password_env));
  if (!e.password_env.empty() && e.username_env.empty()) {
    return Expected(m.Get("password_env"), "username_env as well (SMTP login needs both)");
  }
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "ca_file", [](const Value& x) { return ReadNonEmpty(x, "a file path"); }, &e.ca_file));
  return e;
}

Result<CommandTarget> ReadCommand(const Value& v) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items,
                            ReadList(v, "a program and its arguments, as a list"));
  CommandTarget c;
  for (const Value& item : items) {
    CARELAKE_ASSIGN_OR_RETURN(std::string arg, ReadTemplate(item, "an argument"));
    c.argv.push_back(std::move(arg));
  }
  if (c.argv.empty()) return Expected(v, "a program and its arguments");
  if (c.argv[0].find('/') == std::string::npos && c.argv[0].find("${") == std::string::npos) {
    return Expected(items[0], "a program path (absolute or relative to the project folder)");
  }
  return c;
}

Result<AlertTarget> ReadTarget(const Value& v) {
  static const std::vector<std::string> kKeys = {"name",  "on",      "webhook",
                                                 "email", "command", "repeat_every"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  AlertTarget t;
  t.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &t.name));
  if (const Value* on = m.Find("on")) {
    std::vector<std::string> names;
    for (const auto& [name, event] : Events()) names.push_back(name);
    CARELAKE_ASSIGN_OR_RETURN(
        std::vector<Item> items,
        ReadItems(*on, "an event or a list of them (" + yaml::Join(names) + ")",
                  [](const Value& x) -> Result<std::string> {
                    CARELAKE_ASSIGN_OR_RETURN(AlertEvent e, ReadChoice(x, Events()));
                    return ToString(e);
                  }));
    for (const Item& item : items) {
      for (const auto& [name, event] : Events()) {
        if (name == item.text && std::find(t.on.begin(), t.on.end(), event) == t.on.end()) {
          t.on.push_back(event);
        }
      }
    }
    if (t.on.empty()) return Expected(*on, "at least one event");
  } else {
    for (const auto& [name, event] : Events()) t.on.push_back(event);
  }
  int channels = 0;
  if (const Value* w = m.Find("webhook")) {
    CARELAKE_ASSIGN_OR_RETURN(t.channel, ReadWebhook(*w));
    ++channels;
  }
  if (const Value* e = m.Find("email")) {
    CARELAKE_ASSIGN_OR_RETURN(t.channel, ReadEmail(*e));
    ++channels;
  }
  if (const Value* c = m.Find("command")) {
    CARELAKE_ASSIGN_OR_RETURN(t.channel, ReadCommand(*c));
    ++channels;
  }
  if (channels != 1) {
    return Expected(v, "exactly one of webhook:, email: or command:",
                    " (got " + std::to_string(channels) + ")");
  }
  if (const Value* repeat = m.Find("repeat_every")) {
    CARELAKE_ASSIGN_OR_RETURN(t.repeat_every, yaml::ReadDuration(*repeat));
  }
  return t;
}

}  // namespace

Result<std::vector<AlertTarget>> ReadAlerts(const Value& section) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(section, "a list of alerts"));
  std::vector<AlertTarget> targets;
  std::map<std::string, int> names;
  for (const Value& item : items) {
    CARELAKE_ASSIGN_OR_RETURN(AlertTarget target, ReadTarget(item));
    CARELAKE_RETURN_IF_ERROR(CheckUnique(Entry(item, "name"), target.name, "alerts", names));
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace carelake::project
