#include "carelake/project/db_sources_reader.h"

#include <string>
#include <utility>
#include <vector>

#include "carelake/base/env_template.h"
#include "carelake/project/shared_readers.h"

namespace carelake::project {
namespace {

using yaml::Choices;
using yaml::Expected;
using yaml::MapValue;
using yaml::Optional;
using yaml::ReadChoice;
using yaml::ReadInteger;
using yaml::ReadItems;
using yaml::ReadNonEmpty;
using yaml::Required;
using yaml::Texts;
using yaml::Value;

Result<std::string> ReadConnection(const Value& v) {
  const std::string expected = "a database URL: postgresql://user@host:port/db or mysql://…";
  CARELAKE_ASSIGN_OR_RETURN(std::string url, ReadNonEmpty(v, expected));
  const bool known = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0 ||
                     url.rfind("mysql://", 0) == 0 || url.rfind("mariadb://", 0) == 0;
  if (!known) return Expected(v, expected);
  // `${NAME}`s are filled in when the source connects; their form is checked now.
  if (auto names = EnvTemplateNames(url); !names.ok()) {
    return yaml::Error(v, names.status().message());
  }
  size_t scheme = url.find("://") + 3;
  size_t at = url.find('@', scheme);
  size_t slash = url.find('/', scheme);
  if (at != std::string::npos && (slash == std::string::npos || at < slash) &&
      url.substr(scheme, at - scheme).find(':') != std::string::npos) {
    // Not Expected(): it would repeat the value, password and all.
    return yaml::Error(v,
                       "expected a URL without a password (put it in the environment: "
                       "password_env, or a file: password_file)");
  }
  return url;
}

Result<std::vector<std::string>> ReadGlobs(const Value& v) {
  auto read = [](const Value& x) { return ReadNonEmpty(x, "a table name or glob"); };
  CARELAKE_ASSIGN_OR_RETURN(auto items,
                            ReadItems(v, "a table name or glob, or a list of them", read));
  return Texts(items);
}

// `tables:`: "*", a list of names/globs, or {include: …, exclude: …}.
Status ReadTables(const Value& v, DatabaseSource& source) {
  if (!v.node.IsMap()) {
    CARELAKE_ASSIGN_OR_RETURN(source.include, ReadGlobs(v));
    return Status::Ok();
  }
  static const std::vector<std::string> kKeys = {"include", "exclude"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "include", ReadGlobs, &source.include));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "exclude", ReadGlobs, &source.exclude));
  return Status::Ok();
}

Result<IncrementalRead> ReadIncrementalTable(const Value& v) {
  static const std::vector<std::string> kKeys = {"cursor", "lookback", "key"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  IncrementalRead read;
  read.origin = v.origin();
  auto column = [](const Value& x) { return ReadNonEmpty(x, "a column name"); };
  const bool has_cursor = m.Find("cursor") != nullptr;
  if (has_cursor == (m.Find("key") != nullptr)) {
    return Expected(v,
                    "either cursor: <a column that grows with changes> or key: <an increasing "
                    "key column>");
  }
  if (has_cursor) {
    CARELAKE_RETURN_IF_ERROR(Required(m, "cursor", column, &read.cursor));
    CARELAKE_RETURN_IF_ERROR(Optional(m, "lookback", yaml::ReadDuration, &read.lookback));
  } else {
    if (const Value* lb = m.Find("lookback")) {
      return Expected(*lb, "no lookback with key:", " (an increasing key has no late rows)");
    }
    CARELAKE_RETURN_IF_ERROR(Required(m, "key", column, &read.cursor));
    read.by_key = true;
  }
  return read;
}

Status ReadIncremental(const Value& v, DatabaseSource& source) {
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, nullptr));
  for (const auto& [table, spec] : m.entries()) {
    CARELAKE_ASSIGN_OR_RETURN(source.incremental[table], ReadIncrementalTable(spec));
  }
  return Status::Ok();
}

Status ReadOptions(const MapValue& m, DatabaseSource& source) {
  static const Choices<OnSourceError> kOnError = {{"continue", OnSourceError::kContinue},
                                                  {"fail", OnSourceError::kFail}};
  auto env = [](const Value& x) { return ReadNonEmpty(x, "an environment variable's name"); };
  auto file = [](const Value& x) { return ReadNonEmpty(x, "a file path"); };
  CARELAKE_RETURN_IF_ERROR(Optional(m, "password_env", env, &source.password_env));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "password_file", file, &source.password_file));
  if (!source.password_env.empty() && !source.password_file.empty()) {
    return Expected(m.Get("password_file"), "password_env or password_file, not both");
  }
  auto read_int = [](int64_t lo, int64_t hi) {
    return [lo, hi](const Value& x) -> Result<int> {
      CARELAKE_ASSIGN_OR_RETURN(int64_t n, ReadInteger(x, lo, hi));
      return static_cast<int>(n);
    };
  };
  CARELAKE_RETURN_IF_ERROR(Optional(m, "parallel", read_int(1, 64), &source.parallel));
  CARELAKE_RETURN_IF_ERROR(
      Optional(m, "connect_timeout", read_int(1, 3600), &source.connect_timeout_s));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "on_error", [](const Value& x) { return ReadChoice(x, kOnError); }, &source.on_error));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "freshness", ReadFreshness, &source.warn_after));
  return Status::Ok();
}

// `cdc: true` or `cdc: {slot: NAME, publication: NAME, create: BOOL,
// continuous: BOOL, poll: DURATION}`.
Status ReadCdc(const Value& v, DatabaseSource& source) {
  if (!source.IsPostgres()) {
    return Expected(v, "no cdc for a MySQL source",
                    " (MySQL binlog capture is not supported: doc/sources.md)");
  }
  if (!source.incremental.empty()) {
    return Expected(v, "cdc or incremental:, not both", " (cdc captures every change)");
  }
  CdcOptions cdc;
  cdc.slot = cdc.publication = "carelake_" + source.name;
  if (!v.node.IsMap()) {
    CARELAKE_ASSIGN_OR_RETURN(bool on, yaml::ReadBool(v));
    if (on) source.cdc = cdc;
    return Status::Ok();
  }
  static const std::vector<std::string> kKeys = {"slot", "publication", "create", "continuous",
                                                 "poll"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "slot", yaml::ReadIdentifier, &cdc.slot));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "publication", yaml::ReadIdentifier, &cdc.publication));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "create", yaml::ReadBool, &cdc.create));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "continuous", yaml::ReadBool, &cdc.continuous));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "poll", yaml::ReadDuration, &cdc.poll));
  if (cdc.poll.count() < 10 || cdc.poll.count() > 3'600'000) {
    return Expected(m.Get("poll"), "a poll interval from 10ms to 1h");
  }
  source.cdc = cdc;
  return Status::Ok();
}

}  // namespace

bool IsDatabaseSource(const Value& v) { return v.node.IsMap() && v.node["connection"]; }

Result<DatabaseSource> ReadDatabaseSource(const Value& v) {
  static const std::vector<std::string> kKeys = {
      "name",     "connection",      "password_env", "password_file", "schemas",   "tables",
      "parallel", "connect_timeout", "on_error",     "incremental",   "freshness", "cdc"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  DatabaseSource source;
  source.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", yaml::ReadIdentifier, &source.name));
  if (source.name.find("__") != std::string::npos) {
    return Expected(m.Get("name"), "a name without '__'",
                    " (bronze tables are named <source>__<table>)");
  }
  CARELAKE_RETURN_IF_ERROR(Required(m, "connection", ReadConnection, &source.connection));
  if (const Value* schemas = m.Find("schemas")) {
    if (!source.IsPostgres())
      return Expected(*schemas, "no schemas for a MySQL source", " (the URL names the database)");
    auto read = [](const Value& x) { return ReadNonEmpty(x, "a schema name"); };
    CARELAKE_ASSIGN_OR_RETURN(auto items, ReadItems(*schemas, "a list of schema names", read));
    source.schemas = Texts(items);
  }
  if (const Value* tables = m.Find("tables")) CARELAKE_RETURN_IF_ERROR(ReadTables(*tables, source));
  if (const Value* inc = m.Find("incremental")) {
    CARELAKE_RETURN_IF_ERROR(ReadIncremental(*inc, source));
  }
  CARELAKE_RETURN_IF_ERROR(ReadOptions(m, source));
  if (const Value* cdc = m.Find("cdc")) CARELAKE_RETURN_IF_ERROR(ReadCdc(*cdc, source));
  return source;
}

}  // namespace carelake::project
