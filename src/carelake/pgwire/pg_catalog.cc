#include "carelake/pgwire/pg_catalog.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <set>
#include <vector>

#include "carelake/engine/appender.h"
#include "carelake/pgwire/pg_catalog_sql.h"
#include "carelake/pgwire/pg_types.h"
#include "carelake/pgwire/settings.h"
#include "carelake/pgwire/sql_tokens.h"
#include "carelake/pgwire/sql_translate.h"
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
    {"server_version", kPgVersion, "", "Preset Options", "Shows the server version.", "internal",
     "string"},
    {"server_version_num", kPgVersionNum, "", "Preset Options",
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

using Row = std::vector<engine::Value>;

engine::Value Int(int64_t v) { return engine::Value::BigInt(v); }
engine::Value Text(std::string_view v) { return engine::Value::Varchar(std::string(v)); }
engine::Value Bool(bool v) { return engine::Value::Boolean(v); }
engine::Value CharValue(char c) { return c == '\0' ? engine::Value() : Text(std::string(1, c)); }

// Appends `rows` to carelake_pg_catalog.`table` (the Appender: a long
// INSERT ... VALUES costs DuckDB far more to parse and bind).
Status AppendRows(engine::Connection& conn, std::string_view table, const std::vector<Row>& rows) {
  CARELAKE_ASSIGN_OR_RETURN(engine::Appender appender,
                            engine::Appender::Create(conn, table, "carelake_pg_catalog"));
  for (const Row& row : rows) {
    for (const engine::Value& v : row) {
      CARELAKE_RETURN_IF_ERROR(v.is_null() ? appender.AppendNull() : appender.Append(v));
    }
    CARELAKE_RETURN_IF_ERROR(appender.EndRow());
  }
  return appender.Close();
}

// carelake_type_rows (pg_type's columns that vary) from BuiltinTypes().
std::vector<Row> TypeRows(const std::map<std::string_view, uint32_t>& procs) {
  std::vector<Row> rows;
  for (const PgTypeInfo& t : BuiltinTypes()) {
    const bool preferred = t.oid == oid::kBool || t.oid == oid::kText || t.oid == oid::kFloat8 ||
                           t.oid == oid::kOid || t.oid == oid::kTimestampTz ||
                           t.oid == oid::kInterval;
    const int collation = t.oid == oid::kName ? 950 : (t.category == 'S' ? 100 : 0);
    rows.push_back({Int(t.oid), Text(t.name), Int(t.len), Bool(t.by_value), CharValue(t.type),
                    CharValue(t.category), Bool(preferred), CharValue(t.delimiter), Int(t.elem),
                    Int(t.array), Int(procs.at(t.input)), Int(procs.at(t.output)),
                    Int(procs.at(t.receive)), Int(procs.at(t.send)), CharValue(t.align),
                    CharValue(t.storage), Int(collation)});
  }
  return rows;
}

// carelake_proc_rows: the functions pg_type names.
std::vector<Row> ProcRows(const std::map<std::string_view, uint32_t>& procs) {
  std::vector<Row> rows;
  for (const auto& [name, proc_oid] : procs) rows.push_back({Int(proc_oid), Text(name)});
  return rows;
}

// DuckDB's spelling of each scalar type -> its PostgreSQL type (PgTypeFor).
std::vector<Row> TypeMapRows() {
  using engine::TypeId;
  constexpr TypeId kScalars[] = {
      TypeId::kBoolean,     TypeId::kTinyInt,     TypeId::kSmallInt,    TypeId::kInteger,
      TypeId::kBigInt,      TypeId::kUTinyInt,    TypeId::kUSmallInt,   TypeId::kUInteger,
      TypeId::kUBigInt,     TypeId::kHugeInt,     TypeId::kUHugeInt,    TypeId::kFloat,
      TypeId::kDouble,      TypeId::kVarchar,     TypeId::kBlob,        TypeId::kDate,
      TypeId::kTime,        TypeId::kTimeTz,      TypeId::kTimestamp,   TypeId::kTimestampS,
      TypeId::kTimestampMs, TypeId::kTimestampNs, TypeId::kTimestampTz, TypeId::kInterval,
      TypeId::kUuid,        TypeId::kBit,         TypeId::kBigNum};
  std::vector<Row> rows;
  for (TypeId id : kScalars) {
    const engine::LogicalType type = engine::LogicalType::Of(id);
    const PgColumnType pg = PgTypeFor(type);
    rows.push_back({Text(type.ToString()), Int(pg.oid), Int(pg.typmod)});
  }
  return rows;
}

// format_type()'s name of every type, with no typmod.
std::vector<Row> TypeNameRows() {
  std::vector<Row> rows;
  for (const PgTypeInfo& t : BuiltinTypes()) rows.push_back({Int(t.oid), Text(FormatType(t.oid))});
  return rows;
}

// The declared keys: a silver table's `key`, a model's `key` (a type 2
// dimension's is its surrogate key: the natural key repeats per version).
std::vector<Row> KeyRows(const project::Project& project) {
  std::vector<Row> rows;
  auto add = [&](std::string_view schema, const std::string& table,
                 const std::vector<std::string>& key) {
    for (size_t i = 0; i < key.size(); ++i) {
      rows.push_back({Text(schema), Text(table), Text(key[i]), Int(static_cast<int64_t>(i) + 1)});
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
  return rows;
}

std::vector<Row> LakeSchemaRows() {
  std::vector<Row> rows;
  for (size_t i = 0; i < kLakeSchemas.size(); ++i) {
    rows.push_back({Int(static_cast<int64_t>(i) + 1), Text(kLakeSchemas[i])});
  }
  return rows;
}

std::vector<Row> DescriptionRows() {
  const engine::Value null;
  return {{Text("bronze"), null, null, Text("Raw rows as ingested from the project's sources")},
          {Text("silver"), null, null, Text("Conformed, typed and de-duplicated tables")},
          {Text("gold"), null, null, Text("Models for analysis")},
          {Text("_system"), null, null, Text("carelake's run ledger")}};
}

// The catalogs clients name in '...'::regclass, with PostgreSQL's OIDs.
std::vector<Row> SystemRelationRows() {
  constexpr std::pair<int, std::string_view> kRelations[] = {
      {1213, "pg_tablespace"},  {1247, "pg_type"},          {1249, "pg_attribute"},
      {1255, "pg_proc"},        {1259, "pg_class"},         {1260, "pg_authid"},
      {1262, "pg_database"},    {2396, "pg_shdescription"}, {2601, "pg_am"},
      {2604, "pg_attrdef"},     {2606, "pg_constraint"},    {2608, "pg_depend"},
      {2609, "pg_description"}, {2610, "pg_index"},         {2611, "pg_inherits"},
      {2615, "pg_namespace"},   {2617, "pg_operator"},      {2618, "pg_rewrite"},
      {2620, "pg_trigger"},     {3079, "pg_extension"},     {3256, "pg_policy"},
      {3456, "pg_collation"},   {3501, "pg_enum"},          {3541, "pg_range"}};
  std::vector<Row> rows;
  for (const auto& [relation_oid, name] : kRelations)
    rows.push_back({Int(relation_oid), Text(name)});
  return rows;
}

std::vector<Row> SettingRows(const std::map<std::string, std::string>& boot) {
  std::vector<Row> rows;
  for (const SettingSpec& s : kSettings) {
    const std::string& value = boot.at(Lower(s.name));
    rows.push_back({Text(s.name), Text(value), Text(value),
                    s.unit.empty() ? engine::Value() : Text(s.unit), Text(s.category),
                    Text(s.short_desc), Text(s.context), Text(s.vartype), Text("default")});
  }
  return rows;
}

// Fills the static tables of pg_catalog_sql::Foundation().
Status FillStaticTables(engine::Connection& conn, const project::Project& project,
                        const PgSessionInfo& info, const std::map<std::string, std::string>& boot) {
  const std::map<std::string_view, uint32_t> procs = ProcOids();
  const std::string version = std::string("PostgreSQL ") + kPgVersion +
                              " on x86_64-pc-linux-gnu (carelake " + kVersion + ")";
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_type_rows", TypeRows(procs)));
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_proc_rows", ProcRows(procs)));
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_type_map", TypeMapRows()));
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_type_names", TypeNameRows()));
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_keys", KeyRows(project)));
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_session",
                                      {{Text(info.database), Text(info.user), Text(version)}}));
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_lake_schemas", LakeSchemaRows()));
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_descriptions", DescriptionRows()));
  CARELAKE_RETURN_IF_ERROR(AppendRows(conn, "carelake_system_relations", SystemRelationRows()));
  return AppendRows(conn, "carelake_settings", SettingRows(boot));
}

// The objects of the groups (see Translate), read from their CREATE
// statements: object name -> group (`carelake_information_schema` itself
// names its group), and each group's first object (schema, name).
struct GroupIndex {
  std::map<std::string, size_t, std::less<>> group_of;
  std::vector<std::pair<std::string, std::string>> first_object;
};

const GroupIndex& Index() {
  static const GroupIndex index = [] {
    GroupIndex ix;
    const std::regex create(
        R"(CREATE (?:MACRO|VIEW|TABLE|TYPE) (carelake_pg_catalog|carelake_information_schema)\.("[^"]+"|\w+))");
    const std::vector<pg_catalog_sql::Group>& groups = pg_catalog_sql::Groups();
    for (size_t g = 0; g < groups.size(); ++g) {
      const std::string sql(groups[g].sql);
      ix.first_object.emplace_back();
      for (auto it = std::sregex_iterator(sql.begin(), sql.end(), create);
           it != std::sregex_iterator(); ++it) {
        const std::string schema = (*it)[1].str();
        std::string name = (*it)[2].str();
        if (name.front() == '"') name = name.substr(1, name.size() - 2);
        if (ix.first_object[g].first.empty()) ix.first_object[g] = {schema, name};
        ix.group_of.emplace(schema == kInformationSchema ? schema : name, g);
      }
    }
    return ix;
  }();
  return index;
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
  // too, IF NOT EXISTS), so that the search_path can name them. One
  // transaction: DuckDB commits each statement of a script otherwise.
  std::string sql = "BEGIN;\n";
  for (std::string_view schema : kLakeSchemas) {
    sql += "CREATE SCHEMA IF NOT EXISTS " + std::string(schema) + ";\n";
  }
  sql += std::string(pg_catalog_sql::Groups()[0].sql) + "COMMIT;\n";
  catalog.installed_.assign(pg_catalog_sql::Groups().size(), false);
  catalog.installed_[0] = true;
  Status status = conn.Execute(sql);
  if (!status.ok()) {
    (void)conn.Execute("ROLLBACK");  // the script stopped inside its transaction
    return Internal("cannot install the PostgreSQL catalog: " + status.message());
  }
  status = FillStaticTables(conn, project, info, boot);
  if (!status.ok()) return Internal("cannot fill the PostgreSQL catalog: " + status.message());
  CARELAKE_RETURN_IF_ERROR(catalog.ApplySearchPath(kDefaultSearchPath));
  return catalog;
}

Result<std::string> PgCatalog::Translate(std::string_view pg_sql) {
  CARELAKE_ASSIGN_OR_RETURN(std::string sql, TranslateForDuckDb(pg_sql));
  CARELAKE_ASSIGN_OR_RETURN(std::vector<SqlToken> tokens, TokenizeSql(sql));
  const GroupIndex& index = Index();
  for (const SqlToken& t : tokens) {
    std::string name;
    if (t.kind == TokenKind::kIdent) name = Lower(t.text);
    if (t.kind == TokenKind::kQuotedIdent) name = t.text.substr(1, t.text.size() - 2);
    if (t.kind == TokenKind::kOperator) name = t.text;
    const auto it = name.empty() ? index.group_of.end() : index.group_of.find(name);
    if (it != index.group_of.end()) CARELAKE_RETURN_IF_ERROR(EnsureGroup(it->second));
  }
  return sql;
}

// Outside a transaction a group commits on its own; inside the client's it
// joins it (a view created in another connection would be invisible to
// that transaction), and is gone if the client rolls back: such groups stay
// pending until TransactionEnded says how the transaction ended.
Status PgCatalog::EnsureGroup(size_t index) {
  if (installed_[index]) return Status::Ok();
  const pg_catalog_sql::Group& group = pg_catalog_sql::Groups()[index];
  for (size_t dep : group.deps) CARELAKE_RETURN_IF_ERROR(EnsureGroup(dep));
  const bool own_transaction = !in_transaction_;
  Status status = own_transaction ? conn_->Execute("BEGIN") : Status::Ok();
  if (status.ok()) status = conn_->Execute(group.sql);
  if (own_transaction && status.ok()) status = conn_->Execute("COMMIT");
  if (own_transaction && !status.ok()) (void)conn_->Execute("ROLLBACK");
  if (!status.ok()) {
    return Internal("cannot create the PostgreSQL catalog's " + std::string(group.name) + ": " +
                    status.message());
  }
  installed_[index] = true;
  if (!own_transaction) pending_.push_back(index);
  return Status::Ok();
}

void PgCatalog::TransactionStarted() { in_transaction_ = true; }

void PgCatalog::TransactionEnded(bool committed) {
  in_transaction_ = false;
  if (!committed) {
    for (size_t g : pending_) installed_[g] = false;
  }
  pending_.clear();
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
