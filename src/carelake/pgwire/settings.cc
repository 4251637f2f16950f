#include "carelake/pgwire/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

namespace carelake::pgwire {
namespace {

struct Spec {
  const char* name;   // as PostgreSQL spells it
  const char* value;  // default; "" for those set by the constructor
  bool reported;      // GUC_REPORT: sent as ParameterStatus
  bool read_only;
};

constexpr Spec kSpecs[] = {
    {"application_name", "", true, false},
    {"bytea_output", "hex", false, false},
    {"client_encoding", "UTF8", true, false},
    {"client_min_messages", "notice", false, false},
    {"DateStyle", "ISO, MDY", true, false},
    {"default_transaction_isolation", "read committed", false, false},
    {"default_transaction_read_only", "off", true, false},
    {"extra_float_digits", "1", false, false},
    {"idle_in_transaction_session_timeout", "0", false, false},
    {"in_hot_standby", "off", true, true},
    {"integer_datetimes", "on", true, true},
    {"IntervalStyle", "postgres", true, false},
    {"is_superuser", "off", true, true},
    {"lc_collate", "C.UTF-8", false, true},
    {"lc_ctype", "C.UTF-8", false, true},
    {"lc_messages", "C.UTF-8", false, false},
    {"lc_monetary", "C.UTF-8", false, false},
    {"lc_numeric", "C.UTF-8", false, false},
    {"lc_time", "C.UTF-8", false, false},
    {"lock_timeout", "0", false, false},
    {"max_identifier_length", "63", false, true},
    {"max_index_keys", "32", false, true},
    {"row_security", "on", false, false},
    {"search_path", "gold, silver, bronze, _system", false, false},
    {"server_encoding", "UTF8", true, true},
    {"server_version", "", true, true},
    {"server_version_num", kPgVersionNum, false, true},
    {"session_authorization", "", true, true},
    {"standard_conforming_strings", "on", true, false},
    {"statement_timeout", "0", false, false},
    {"synchronous_commit", "on", false, false},
    {"TimeZone", "UTC", true, false},
    {"timezone_abbreviations", "Default", false, false},
    {"transaction_isolation", "read committed", false, false},
    {"transaction_read_only", "off", false, false},
    {"work_mem", "4MB", false, false},
    {"xmloption", "content", false, false},
};

// DuckDB settings that reach the file system or undo the lock-down.
constexpr std::string_view kGuarded[] = {
    "enable_external_access",
    "allowed_directories",
    "allowed_paths",
    "lock_configuration",
    "allow_community_extensions",
    "allow_unsigned_extensions",
    "autoinstall_known_extensions",
    "autoload_known_extensions",
    "extension_directory",
    "temp_directory",
    "home_directory",
    "custom_extension_repository",
    "memory_limit",
    "max_memory",
    "threads",
    "worker_threads",
    "enable_http_metadata_cache",
    "secret_directory",
    "allow_persistent_secrets",
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const Spec* FindSpec(std::string_view key) {
  for (const Spec& s : kSpecs) {
    if (Lower(s.name) == key) return &s;
  }
  return nullptr;
}

PgError BadValue(std::string_view name, std::string_view value) {
  return PgError::Error(
      sqlstate::kInvalidParameterValue,
      "invalid value for parameter \"" + std::string(name) + "\": \"" + std::string(value) + "\"");
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A duration in milliseconds: "5000", "5s", "100ms", "2min", "1h".
std::optional<int64_t> ParseMillis(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && (std::isdigit(static_cast<unsigned char>(s[digits])) != 0)) {
    ++digits;
  }
  std::optional<int64_t> n = ParseInt(s.substr(0, digits));
  if (!n) return std::nullopt;
  std::string unit = Lower(s.substr(digits));
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  if (unit.empty() || unit == "ms") return *n;
  if (unit == "s") return *n * 1000;
  if (unit == "min") return *n * 60000;
  if (unit == "h") return *n * 3600000;
  if (unit == "d") return *n * 86400000;
  return std::nullopt;
}

bool IsTimeZone(std::string_view tz) {
  const std::string lower = Lower(tz);
  if (lower == "utc" || lower == "gmt" || lower == "z" || lower == "zulu" || lower == "etc/utc" ||
      lower == "universal") {
    return true;
  }
  if (tz.empty() || tz.find("..") != std::string_view::npos || tz.front() == '/') return false;
  std::error_code ec;
  return std::filesystem::is_regular_file("/usr/share/zoneinfo/" + std::string(tz), ec);
}

}  // namespace

Settings::Settings(std::string user, std::string_view version_suffix) {
  for (const Spec& s : kSpecs) defaults_[Lower(s.name)] = s.value;
  defaults_["server_version"] = std::string(kPgVersion) + std::string(version_suffix);
  defaults_["session_authorization"] = std::move(user);
  values_ = defaults_;
}

std::optional<PgError> Settings::Apply(const std::string& key, std::string_view value) {
  const Spec* spec = FindSpec(key);
  const std::string name = spec != nullptr ? spec->name : key;
  if (key == "extra_float_digits") {
    std::optional<int64_t> v = ParseInt(value);
    if (!v || *v < -15 || *v > 3) return BadValue(name, value);
    extra_float_digits_ = static_cast<int>(*v);
  } else if (key == "statement_timeout") {
    std::optional<int64_t> v = ParseMillis(value);
    if (!v || *v < 0) return BadValue(name, value);
    statement_timeout_ms_ = *v;
  } else if (key == "client_encoding") {
    const std::string lower = Lower(value);
    if (lower != "utf8" && lower != "utf-8" && lower != "unicode") {
      PgError e = PgError::Error(sqlstate::kFeatureNotSupported,
                                 "carelake speaks UTF8 only; client_encoding \"" +
                                     std::string(value) + "\" is not supported");
      return e;
    }
    value = "UTF8";
  } else if (key == "datestyle") {
    const std::string lower = Lower(value);
    if (lower.find("iso") == std::string::npos && lower != "mdy") {
      return PgError::Error(sqlstate::kFeatureNotSupported,
                            "only DateStyle ISO is supported, not \"" + std::string(value) + "\"");
    }
    value = "ISO, MDY";
  } else if (key == "intervalstyle") {
    if (Lower(value) != "postgres") {
      return PgError::Error(sqlstate::kFeatureNotSupported,
                            "only IntervalStyle postgres is supported");
    }
  } else if (key == "bytea_output") {
    if (Lower(value) != "hex") {
      return PgError::Error(sqlstate::kFeatureNotSupported, "only bytea_output hex is supported");
    }
  } else if (key == "timezone") {
    if (!IsTimeZone(value)) {
      return BadValue(name, value);
    }
  }
  std::string& slot = values_[key];
  if (slot != value) {
    slot = std::string(value);
    if (spec != nullptr && spec->reported) changed_.push_back(key);
  }
  return std::nullopt;
}

std::optional<PgError> Settings::Set(std::string_view name, std::string_view value) {
  const std::string key = Lower(name);
  for (std::string_view guarded : kGuarded) {
    if (key == guarded) {
      return PgError::Error(sqlstate::kInsufficientPrivilege,
                            "permission denied to set parameter \"" + key + "\"");
    }
  }
  const Spec* spec = FindSpec(key);
  if (spec == nullptr && key.find('.') == std::string::npos) {
    return PgError::Error(sqlstate::kUndefinedObject,
                          "unrecognized configuration parameter \"" + key + "\"");
  }
  if (spec != nullptr && spec->read_only) {
    if (values_[key] == value) return std::nullopt;
    return PgError::Error("55P02", "parameter \"" + key + "\" cannot be changed");
  }
  return Apply(key, value);
}

std::optional<PgError> Settings::Reset(std::string_view name) {
  const std::string key = Lower(name);
  auto it = defaults_.find(key);
  if (it == defaults_.end()) {
    if (key.find('.') != std::string::npos) {
      values_.erase(key);
      return std::nullopt;
    }
    return PgError::Error(sqlstate::kUndefinedObject,
                          "unrecognized configuration parameter \"" + key + "\"");
  }
  return Apply(key, it->second);
}

void Settings::ResetAll() {
  for (const auto& [key, value] : defaults_) {
    const Spec* spec = FindSpec(key);
    if (spec != nullptr && !spec->read_only) (void)Apply(key, value);
  }
  std::erase_if(values_, [&](const auto& kv) { return !defaults_.contains(kv.first); });
}

std::optional<PgError> Settings::Get(std::string_view name, std::string* value) const {
  auto it = values_.find(Lower(name));
  if (it == values_.end()) {
    return PgError::Error(sqlstate::kUndefinedObject,
                          "unrecognized configuration parameter \"" + Lower(name) + "\"");
  }
  *value = it->second;
  return std::nullopt;
}

std::string Settings::CanonicalName(std::string_view name) const {
  const Spec* spec = FindSpec(Lower(name));
  return spec != nullptr ? spec->name : Lower(name);
}

std::vector<std::pair<std::string, std::string>> Settings::All() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : values_) out.emplace_back(CanonicalName(key), value);
  return out;
}

std::vector<std::pair<std::string, std::string>> Settings::Reported() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Spec& s : kSpecs) {
    if (s.reported) out.emplace_back(s.name, values_.at(Lower(s.name)));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Settings::TakeChanged() {
  std::vector<std::pair<std::string, std::string>> out;
  std::sort(changed_.begin(), changed_.end());
  changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
  for (const std::string& key : changed_) out.emplace_back(CanonicalName(key), values_.at(key));
  changed_.clear();
  return out;
}

}  // namespace carelake::pgwire
