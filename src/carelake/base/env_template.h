// Environment templates: text with `${NAME}` references that are read from
// the process environment when the text is used, e.g. a webhook header
// `Authorization: "Bearer ${HOOK_TOKEN}"` in carelake.yaml.
//
// Why at use time and not when the project is read: the expanded text is a
// secret. The project (and everything that prints it: errors, logs, the
// ledger) keeps the template; only the code that hands the value to a
// library expands it, and its errors name the variable, never its value.
//
// Syntax: `${NAME}` with NAME = [A-Za-z_][A-Za-z0-9_]*; `$$` is one `$`;
// any other `$` is kept as it is.
#ifndef CARELAKE_BASE_ENV_TEMPLATE_H_
#define CARELAKE_BASE_ENV_TEMPLATE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"

namespace carelake {

// Looks a variable up: nullptr when it is not set.
using EnvLookup = std::function<const char*(const std::string& name)>;

// The process environment (getenv).
const EnvLookup& ProcessEnv();

// The names `text` refers to, in order, without repeats; InvalidArgument
// for a `${` that does not close or holds something other than a name.
Result<std::vector<std::string>> EnvTemplateNames(std::string_view text);

// `text` with every reference replaced; InvalidArgument naming the variable
// ("environment variable HOOK_TOKEN is not set") for an unset one.
Result<std::string> ExpandEnvTemplate(std::string_view text, const EnvLookup& env = ProcessEnv());

}  // namespace carelake

#endif  // CARELAKE_BASE_ENV_TEMPLATE_H_
