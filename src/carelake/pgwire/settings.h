// Settings: a session's run-time parameters as a PostgreSQL 15 client sees
// them (SET, SHOW, RESET, current_setting, the ParameterStatus messages).
//
// carelake keeps these itself instead of passing SET to DuckDB: the
// session's database has a locked configuration (query/session.h), and the
// parameters clients send (DateStyle, extra_float_digits, search_path...)
// are PostgreSQL's, not DuckDB's. Values are checked as PostgreSQL checks
// them where carelake honours them (extra_float_digits, statement_timeout,
// TimeZone, client_encoding, DateStyle, IntervalStyle, bytea_output); other
// known parameters are kept and shown; unknown names without a dot are
// refused (42704), names with a dot are custom options and kept; DuckDB's
// own settings that guard the file system are refused (42501).
#ifndef CARELAKE_PGWIRE_SETTINGS_H_
#define CARELAKE_PGWIRE_SETTINGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "carelake/pgwire/pg_error.h"

namespace carelake::pgwire {

// "15.10": what server_version starts with; server_version_num 150010.
inline constexpr char kPgVersion[] = "15.10";
inline constexpr char kPgVersionNum[] = "150010";

class Settings {
 public:
  // `user` is session_authorization; `version_suffix` follows kPgVersion in
  // server_version ("15.10 (carelake 0.6.0)").
  Settings(std::string user, std::string_view version_suffix);

  // SET name TO value (also used for startup packet parameters). The error,
  // if any, is what PostgreSQL would answer.
  std::optional<PgError> Set(std::string_view name, std::string_view value);
  std::optional<PgError> Reset(std::string_view name);
  void ResetAll();

  // The value of `name` (any case), or 42704 for an unknown parameter.
  std::optional<PgError> Get(std::string_view name, std::string* value) const;
  // The parameter's name as PostgreSQL spells it ("TimeZone"), or `name`.
  std::string CanonicalName(std::string_view name) const;
  // Every parameter and its value, ordered by name (SHOW ALL, pg_settings).
  std::vector<std::pair<std::string, std::string>> All() const;

  // The parameters sent as ParameterStatus at the start of a session.
  std::vector<std::pair<std::string, std::string>> Reported() const;
  // Reported parameters changed since the last call.
  std::vector<std::pair<std::string, std::string>> TakeChanged();

  // What the server honours.
  int extra_float_digits() const { return extra_float_digits_; }
  int64_t statement_timeout_ms() const { return statement_timeout_ms_; }
  const std::string& time_zone() const { return values_.at("timezone"); }
  const std::string& search_path() const { return values_.at("search_path"); }

 private:
  std::optional<PgError> Apply(const std::string& key, std::string_view value);
  std::map<std::string, std::string> values_;  // by lowercased name
  std::map<std::string, std::string> defaults_;
  std::vector<std::string> changed_;
  int extra_float_digits_ = 1;
  int64_t statement_timeout_ms_ = 0;
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_SETTINGS_H_
