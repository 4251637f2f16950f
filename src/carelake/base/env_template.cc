#include "carelake/base/env_template.h"

#include <algorithm>
#include <cstdlib>

namespace carelake {
namespace {

bool NameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool NameChar(char c) { return NameStart(c) || (c >= '0' && c <= '9'); }

// Walks `text`: `literal` gets runs of plain text, `reference` each name.
Status Walk(std::string_view text, const std::function<void(std::string_view)>& literal,
            const std::function<Status(const std::string&)>& reference) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, dollar - i));
    if (dollar + 1 < text.size() && text[dollar + 1] == '$') {
      literal("$");
      i = dollar + 2;
      continue;
    }
    if (dollar + 1 >= text.size() || text[dollar + 1] != '{') {
      literal("$");
      i = dollar + 1;
      continue;
    }
    const size_t close = text.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("'${' at offset " + std::to_string(dollar) +
                             " does not close with '}' (write $$ for a literal $)");
    }
    const std::string name(text.substr(dollar + 2, close - dollar - 2));
    if (name.empty() || !NameStart(name[0]) || !std::all_of(name.begin(), name.end(), NameChar)) {
      return InvalidArgument("'${" + name + "}' at offset " + std::to_string(dollar) +
                             ": expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }
    CARELAKE_RETURN_IF_ERROR(reference(name));
    i = close + 1;
  }
  return Status::Ok();
}

}  // namespace

const EnvLookup& ProcessEnv() {
  static const EnvLookup kEnv = [](const std::string& name) { return std::getenv(name.c_str()); };
  return kEnv;
}

Result<std::vector<std::string>> EnvTemplateNames(std::string_view text) {
  std::vector<std::string> names;
  CARELAKE_RETURN_IF_ERROR(Walk(
      text, [](std::string_view) {},
      [&](const std::string& name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
        return Status::Ok();
      }));
  return names;
}

Result<std::string> ExpandEnvTemplate(std::string_view text, const EnvLookup& env) {
  std::string out;
  CARELAKE_RETURN_IF_ERROR(Walk(
      text, [&](std::string_view part) { out += part; },
      [&](const std::string& name) {
        const char* value = env(name);
        if (value == nullptr) {
          return InvalidArgument("environment variable " + name + " is not set");
        }
        out += value;
        return Status::Ok();
      }));
  return out;
}

}  // namespace carelake
