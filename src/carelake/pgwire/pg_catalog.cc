#include "carelake/pgwire/pg_catalog.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <vector>

#include "carelake/pgwire/pg_catalog_sql.h"
#include "carelake/pgwire/pg_types.h"
#include "carelake/version.h"

namespace carelake::pgwire {
namespace {

// The lake's schemas in the default search_path's order.
constexpr std::array<std::string_view, 4> kLakeSchemas = {"gold", "silver", "bronze", "_system"};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string QuoteOrNull(std::string_view s) { return s.empty() ? "NULL" : Quote(s); }

std::string Char(char c) { return c == '\0' ? "NULL" : Quote(std::string(1, c)); }

// A setting as pg_settings shows it.
struct SettingSpec {
  std::string_view name;
  std::string_view boot;  // "" for ones filled from the session
  std::string_view unit;
  std::string_view category;
  std::string_view short_desc;
  std::string_view context;  // internal, user, superuser...
  std::string_view vartype;  // bool, integer, string, enum
};

// What clients SET, SHOW and read with current_setting().
constexpr SettingSpec kSettings[] = {
    {"application_name", "", "", "Reporting and Logging", "Sets the application name.", "user",
     "string"},
    {"bytea_output", "hex", "", "Client Connection Defaults", "Sets the output format for bytea.",
     "user", "enum"},
    {"client_encoding", "UTF8", "", "Client Connection Defaults",
     "Sets the client's character set encoding.", "user", "string"},
    {"client_min_messages", "notice", "", "Client Connection Defaults",
     "Sets the message levels that are sent to the client.", "user", "enum"},
    {"DateStyle", "ISO, MDY", "", "Client Connection Defaults",
     "Sets the display format for date and time values.", "user", "string"},
    {"default_transaction_isolation", "read committed", "", "Client Connection Defaults",
     "Sets the transaction isolation level of each new transaction.", "user", "enum"},
    {"default_transaction_read_only", "off", "", "Client Connection Defaults",
     "Sets the default read-only status of new transactions.", "user", "bool"},
    {"extra_float_digits", "1", "", "Client Connection Defaults",
     "Sets the number of digits displayed for floating-point values.", "user", "integer"},
    {"idle_in_transaction_session_timeout", "0", "ms", "Client Connection Defaults",
     "Sets the maximum allowed idle time between queries, when in a transaction.", "user",
     "integer"},
    {"integer_datetimes", "on", "", "Preset Options", "Shows whether datetimes are integer based.",
     "internal", "bool"},
    {"IntervalStyle", "postgres", "", "Client Connection Defaults",
     "Sets the display format for interval values.", "user", "enum"},
    {"is_superuser", "off", "", "Preset Options", "Shows whether the current user is a superuser.",
     "internal", "bool"},
    {"lc_collate", "C.UTF-8", "", "Preset Options", "Shows the collation order locale.", "internal",
     "string"},
    {"lc_ctype", "C.UTF-8", "", "Preset Options",
     "Shows the character classification and case conversion locale.", "internal", "string"},
    {"lc_messages", "C.UTF-8", "", "Client Connection Defaults",
     "Sets the language in which messages are displayed.", "superuser", "string"},
    {"lc_monetary", "C.UTF-8", "", "Client Connection Defaults",
     "Sets the locale for formatting monetary amounts.", "user", "string"},
    {"lc_numeric", "C.UTF-8", "", "Client Connection Defaults",
     "Sets the locale for formatting numbers.", "user", "string"},
    {"lc_time", "C.UTF-8", "", "Client Connection Defaults",
     "Sets the locale for formatting date and time values.", "user", "string"},
    {"lock_timeout", "0", "ms", "Client Connection Defaults",
     "Sets the maximum allowed duration of any wait for a lock.", "user", "integer"},
    {"max_connections", "100", "", "Connections and Authentication",
     "Sets the maximum number of concurrent connections.", "postmaster", "integer"},
    {"max_identifier_length", "63", "", "Preset Options", "Shows the maximum identifier length.",
     "internal", "integer"},
    {"search_path", kDefaultSearchPath, "", "Client Connection Defaults",
     "Sets the schema search order for names that are not schema-qualified.", "user", "string"},
    {"server_encoding", "UTF8", "", "Preset Options",
     "Shows the server (database) character set encoding.", "internal", "string"},
    {"server_version", kServerVersion, "", "Preset Options", "Shows the server version.",
     "internal", "string"},
    {"server_version_num", kServerVersionNum, "", "Preset Options",
     "Shows the server version as an integer.", "internal", "integer"},
    {"session_authorization", "", "", "Preset Options", "Sets the session user name.", "user",
     "string"},
    {"standard_conforming_strings", "on", "", "Compatibility Options",
     "Causes '...' strings to treat backslashes literally.", "user", "bool"},
    {"statement_timeout", "0", "ms", "Client Connection Defaults",
     "Sets the maximum allowed duration of any statement.", "user", "integer"},
    {"TimeZone", "UTC", "", "Client Connection Defaults",
     "Sets the time zone for displaying and interpreting time stamps.", "user", "string"},
    {"transaction_isolation", "read committed", "", "Client Connection Defaults",
     "Sets the current transaction's isolation level.", "user", "enum"},
    {"transaction_read_only", "off", "", "Client Connection Defaults",
     "Sets the current transaction's read-only status.", "user", "bool"},
};

// typname of each function pg_type names (typinput...) -> its pg_proc OID.
std::map<std::string_view, uint32_t> ProcOids() {
  std::set<std::string_view> names;
  for (const PgTypeInfo& t : BuiltinTypes()) names.insert({t.input, t.output, t.receive, t.send});
  std::map<std::string_view, uint32_t> oids;
  uint32_t next = 9000;  // below 16384, where PostgreSQL's built-in objects live
  for (std::string_view n : names) oids[n] = next++;
  return oids;
}

// pg_type's rows: the columns that vary come from BuiltinTypes() in one
// VALUES list, the rest are constants (a long VALUES list of every column
// costs DuckDB far more to parse and bind).
std::string TypeRows(const std::map<std::string_view, uint32_t>& procs) {
  std::string values;
  for (const PgTypeInfo& t : BuiltinTypes()) {
    const bool preferred = t.oid == oid::kBool || t.oid == oid::kText || t.oid == oid::kFloat8 ||
                           t.oid == oid::kOid || t.oid == oid::kTimestampTz ||
                           t.oid == oid::kInterval;
    const int collation = t.oid == oid::kName ? 950 : (t.category == 'S' ? 100 : 0);
    values += std::string(values.empty() ? "" : ", ") + "(" + std::to_string(t.oid) + ", " +
              Quote(t.name) + ", " + std::to_string(t.len) + ", " +
              (t.by_value ? "true" : "false") + ", " + Char(t.type) + ", " + Char(t.category) +
              ", " + (preferred ? "true" : "false") + ", " + Char(t.delimiter) + ", " +
              std::to_string(t.elem) + ", " + std::to_string(t.array) + ", " +
              std::to_string(procs.at(t.input)) + ", " + std::to_string(procs.at(t.output)) + ", " +
              std::to_string(procs.at(t.receive)) + ", " + std::to_string(procs.at(t.send)) + ", " +
              Char(t.align) + ", " + Char(t.storage) + ", " + std::to_string(collation) + ")";
  }
  return "INSERT INTO carelake_pg_catalog.pg_type SELECT oid, typname, 11, 10, typlen, typbyval, "
         "typtype, typcategory, typispreferred, true, typdelim, 0, 0, typelem, typarray, typinput, "
         "typoutput, typreceive, typsend, 0, 0, 0, typalign, typstorage, false, 0, -1, 0, "
         "typcollation, NULL, NULL, NULL FROM (VALUES " +
         values +
         ") v(oid, typname, typlen, typbyval, typtype, typcategory, typispreferred, typdelim, "
         "typelem, typarray, typinput, typoutput, typreceive, typsend, typalign, typstorage, "
         "typcollation);\n";
}

// pg_proc's rows: the functions pg_type names.
std::string ProcRows(const std::map<std::string_view, uint32_t>& procs) {
  std::string values;
  for (const auto& [name, proc_oid] : procs) {
    values += std::string(values.empty() ? "" : ", ") + "(" + std::to_string(proc_oid) + ", " +
              Quote(name) + ")";
  }
  return "INSERT INTO carelake_pg_catalog.pg_proc SELECT oid, proname, 11, 10, 12, 1, 0, 0, 0, "
         "'f', false, false, true, false, 'i', 's', 1, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, "
         "proname, NULL, NULL, NULL, NULL FROM (VALUES " +
         values + ") v(oid, proname);\n";
}

// DuckDB's spelling of each scalar type -> its PostgreSQL type (PgTypeFor),
// and format_type()'s name of every type.
std::string TypeMapRows() {
  using engine::TypeId;
  constexpr TypeId kScalars[] = {
      TypeId::kBoolean,     TypeId::kTinyInt,     TypeId::kSmallInt,    TypeId::kInteger,
      TypeId::kBigInt,      TypeId::kUTinyInt,    TypeId::kUSmallInt,   TypeId::kUInteger,
      TypeId::kUBigInt,     TypeId::kHugeInt,     TypeId::kUHugeInt,    TypeId::kFloat,
      TypeId::kDouble,      TypeId::kVarchar,     TypeId::kBlob,        TypeId::kDate,
      TypeId::kTime,        TypeId::kTimeTz,      TypeId::kTimestamp,   TypeId::kTimestampS,
      TypeId::kTimestampMs, TypeId::kTimestampNs, TypeId::kTimestampTz, TypeId::kInterval,
      TypeId::kUuid,        TypeId::kBit,         TypeId::kBigNum};
  std::string sql = "INSERT INTO carelake_pg_catalog.carelake_type_map VALUES ";
  bool first = true;
  for (TypeId id : kScalars) {
    const engine::LogicalType type = engine::LogicalType::Of(id);
    const PgColumnType pg = PgTypeFor(type);
    sql += std::string(first ? "" : ", ") + "(" + Quote(type.ToString()) + ", " +
           std::to_string(pg.oid) + ", " + std::to_string(pg.typmod) + ")";
    first = false;
  }
  sql += ";\nINSERT INTO carelake_pg_catalog.carelake_type_names VALUES ";
  first = true;
  for (const PgTypeInfo& t : BuiltinTypes()) {
    sql += std::string(first ? "" : ", ") + "(" + std::to_string(t.oid) + ", " +
           Quote(FormatType(t.oid)) + ")";
    first = false;
  }
  return sql + ";\n";
}

// The declared keys: a silver table's `key`, a model's `key` (a type 2
// dimension's is its surrogate key: the natural key repeats per version).
std::string KeyRows(const project::Project& project) {
  std::vector<std::string> rows;
  auto add = [&](std::string_view schema, const std::string& table,
                 const std::vector<std::string>& key) {
    for (size_t i = 0; i < key.size(); ++i) {
      rows.push_back("(" + Quote(schema) + ", " + Quote(table) + ", " + Quote(key[i]) + ", " +
                     std::to_string(i + 1) + ")");
    }
  };
  for (const project::SilverTable& t : project.silver) add("silver", t.name, t.key);
  for (const project::Model& m : project.models) {
    if (m.materialized == project::Materialization::kScd2) {
      if (!m.scd.surrogate_key.empty()) add("gold", m.name, {m.scd.surrogate_key});
    } else {
      add("gold", m.name, m.key);
    }
  }
  if (rows.empty()) return "";
  std::string sql = "INSERT INTO carelake_pg_catalog.carelake_keys VALUES ";
  for (size_t i = 0; i < rows.size(); ++i) sql += (i == 0 ? "" : ", ") + rows[i];
  return sql + ";\n";
}

std::string SessionRows(const PgSessionInfo& info) {
  const std::string version = std::string("PostgreSQL ") + kServerVersion +
                              " on x86_64-pc-linux-gnu (carelake " + kVersion + ")";
  std::string sql = "INSERT INTO carelake_pg_catalog.carelake_session VALUES (" +
                    Quote(info.database) + ", " + Quote(info.user) + ", " + Quote(version) + ");\n";
  sql += "INSERT INTO carelake_pg_catalog.carelake_lake_schemas VALUES ";
  for (size_t i = 0; i < kLakeSchemas.size(); ++i) {
    sql += (i == 0 ? "(" : ", (") + std::to_string(i + 1) + ", " + Quote(kLakeSchemas[i]) + ")";
  }
  sql +=
      ";\nINSERT INTO carelake_pg_catalog.carelake_descriptions VALUES "
      "('bronze', NULL, NULL, 'Raw rows as ingested from the project''s sources'), "
      "('silver', NULL, NULL, 'Conformed, typed and de-duplicated tables'), "
      "('gold', NULL, NULL, 'Models for analysis'), "
      "('_system', NULL, NULL, 'carelake''s run ledger');\n";
  sql +=
      "INSERT INTO carelake_pg_catalog.carelake_system_relations VALUES "
      "(1247, 'pg_type'), (1249, 'pg_attribute'), (1255, 'pg_proc'), (1259, 'pg_class'), "
      "(1260, 'pg_authid'), (1262, 'pg_database'), (2396, 'pg_shdescription'), "
      "(2601, 'pg_am'), (2604, 'pg_attrdef'), (2606, 'pg_constraint'), "
      "(2608, 'pg_depend'), (2609, 'pg_description'), (2610, 'pg_index'), "
      "(2611, 'pg_inherits'), (2615, 'pg_namespace'), (2617, 'pg_operator'), "
      "(2618, 'pg_rewrite'), (2620, 'pg_trigger'), (3079, 'pg_extension'), "
      "(3256, 'pg_policy'), (3456, 'pg_collation'), (3501, 'pg_enum'), (3541, 'pg_range'), "
      "(1213, 'pg_tablespace');\n";
  return sql;
}

std::string SettingRows(const std::map<std::string, std::string>& boot) {
  std::string sql = "INSERT INTO carelake_pg_catalog.carelake_settings VALUES ";
  bool first = true;
  for (const SettingSpec& s : kSettings) {
    const std::string value = boot.at(Lower(s.name));
    sql += std::string(first ? "(" : ", (") + Quote(s.name) + ", " + Quote(value) + ", " +
           Quote(value) + ", " + QuoteOrNull(s.unit) + ", " + Quote(s.category) + ", " +
           Quote(s.short_desc) + ", " + Quote(s.context) + ", " + Quote(s.vartype) + ", 'default')";
    first = false;
  }
  return sql + ";\n";
}

}  // namespace

Result<PgCatalog> PgCatalog::Install(engine::Connection& conn, const project::Project& project,
                                     const PgSessionInfo& info) {
  PgCatalog catalog(conn);
  std::map<std::string, std::string> boot;
  for (const SettingSpec& s : kSettings) {
    std::string value(s.boot);
    if (s.name == "application_name") value = info.application_name;
    if (s.name == "session_authorization") value = info.user;
    boot[Lower(s.name)] = value;
    catalog.settings_[Lower(s.name)] = Setting{std::string(s.name), value, value};
  }
  // The lake's schemas exist from the start (catalog::Catalog creates them
  // too, IF NOT EXISTS), so that the search_path can name them.
  // One transaction: DuckDB commits each statement of a script otherwise.
  std::string sql = "BEGIN;\n";
  for (std::string_view schema : kLakeSchemas) {
    sql += "CREATE SCHEMA IF NOT EXISTS " + std::string(schema) + ";\n";
  }
  for (std::string_view group :
       {pg_catalog_sql::Foundation(), pg_catalog_sql::Namespaces(), pg_catalog_sql::Relations(),
        pg_catalog_sql::Attributes(), pg_catalog_sql::Keys(), pg_catalog_sql::Descriptions(),
        pg_catalog_sql::ServerObjects(), pg_catalog_sql::EmptyCatalogs(),
        pg_catalog_sql::Functions(), pg_catalog_sql::RegFunctions(),
        pg_catalog_sql::InformationSchema()}) {
    sql += group;
  }
  const std::map<std::string_view, uint32_t> procs = ProcOids();
  sql += TypeRows(procs) + ProcRows(procs) + TypeMapRows() + KeyRows(project) + SessionRows(info) +
         SettingRows(boot) + "COMMIT;\n";
  Status status = conn.Execute(sql);
  if (!status.ok()) {
    (void)conn.Execute("ROLLBACK");
    return Internal("cannot install the PostgreSQL catalog: " + status.message());
  }
  CARELAKE_RETURN_IF_ERROR(catalog.ApplySearchPath(kDefaultSearchPath));
  return catalog;
}

Status PgCatalog::Set(std::string_view name, std::string_view value) {
  const std::string key = Lower(name);
  if (!settings_.contains(key)) {
    if (key.find('.') == std::string::npos) {
      return NotFound("unrecognized configuration parameter \"" + std::string(name) + "\"");
    }
    settings_[key] = Setting{std::string(name), "", ""};
    CARELAKE_RETURN_IF_ERROR(
        conn_
            ->Query("INSERT INTO carelake_pg_catalog.carelake_settings VALUES ($1, '', '', NULL, "
                    "'Customized Options', '', 'user', 'string', 'session')",
                    std::string_view(name))
            .status());
  }
  if (key == "timezone") {
    const std::string zone = Lower(value);
    if (zone != "utc" && zone != "etc/utc" && zone != "gmt" && zone != "z" && zone != "zulu") {
      return InvalidArgument("invalid value for parameter \"TimeZone\": \"" + std::string(value) +
                             "\" (carelake sessions run in UTC)");
    }
  }
  if (key == "search_path") CARELAKE_RETURN_IF_ERROR(ApplySearchPath(value));
  return Store(key, value);
}

std::optional<std::string> PgCatalog::Get(std::string_view name) const {
  const auto it = settings_.find(Lower(name));
  if (it == settings_.end()) return std::nullopt;
  return it->second.value;
}

Status PgCatalog::Reset(std::string_view name) {
  const auto it = settings_.find(Lower(name));
  if (it == settings_.end()) {
    return NotFound("unrecognized configuration parameter \"" + std::string(name) + "\"");
  }
  if (it->first == "search_path") CARELAKE_RETURN_IF_ERROR(ApplySearchPath(it->second.boot));
  return Store(it->first, it->second.boot);
}

Status PgCatalog::ResetAll() {
  for (const auto& [key, setting] : settings_) {
    if (setting.value != setting.boot) CARELAKE_RETURN_IF_ERROR(Reset(key));
  }
  return Status::Ok();
}

Status PgCatalog::Store(const std::string& key, std::string_view value) {
  Setting& setting = settings_.at(key);
  setting.value = std::string(value);
  return conn_
      ->Query(
          "UPDATE carelake_pg_catalog.carelake_settings SET setting = $1, "
          "source = CASE WHEN $1 = boot_val THEN 'default' ELSE 'session' END "
          "WHERE lower(name) = $2",
          std::string_view(value), std::string_view(key))
      .status();
}

// DuckDB's search_path: the emulation first, then the schemas of `value`
// that exist ("$user" and pg_catalog dropped, public is DuckDB's main).
Status PgCatalog::ApplySearchPath(std::string_view value) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult schemas,
                            conn_->Query("SELECT DISTINCT schema_name FROM duckdb_schemas() "
                                         "WHERE database_name NOT IN ('system', 'temp')"));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, schemas.FetchAllRows());
  std::set<std::string> existing;
  for (const auto& row : rows) existing.insert(row[0].ToString());
  std::string path = "carelake_pg_catalog";
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    std::string item(value.substr(start, end - start));
    item.erase(0, item.find_first_not_of(" \t\n"));
    item.erase(item.find_last_not_of(" \t\n") + 1);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
      item = item.substr(1, item.size() - 2);
    } else {
      item = Lower(item);
    }
    if (item == "public") item = "main";
    if (existing.contains(item) && item.find_first_of("',\"") == std::string::npos) {
      path += "," + item;
    }
    start = end + 1;
  }
  return conn_->Execute("SET search_path = '" + path + "'");
}

}  // namespace carelake::pgwire
