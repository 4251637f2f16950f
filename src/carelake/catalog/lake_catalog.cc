#include "carelake/catalog/lake_catalog.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "carelake/base/civil_time.h"
#include "carelake/delta/log.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"

namespace carelake::catalog {
namespace {

using nlohmann::json;

std::string ToString(project::Materialization m) {
  switch (m) {
    case project::Materialization::kFull:
      return "full";
    case project::Materialization::kIncremental:
      return "incremental";
    case project::Materialization::kScd1:
      return "scd1";
    case project::Materialization::kScd2:
      return "scd2";
    case project::Materialization::kDateDimension:
      return "date_dimension";
    case project::Materialization::kTimeDimension:
      return "time_dimension";
  }
  return "full";
}

// A JSON property of the table, or `fallback` when absent or not JSON.
json JsonProperty(const std::map<std::string, std::string>& props, const char* key, json fallback) {
  auto it = props.find(key);
  if (it == props.end()) return fallback;
  json j = json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() || j.type() != fallback.type() ? fallback : j;
}

// "mysql://reader@db1:3306/ikhospital?ssl=1" -> "ikhospital".
std::string DatabaseOfUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return "";
  std::string db = url.substr(slash + 1);
  return db.substr(0, db.find('?'));
}

// The origin a database source's bronze table records in its properties;
// nullopt when it records none.
std::optional<TableOrigin> DatabaseOrigin(const std::map<std::string, std::string>& props,
                                          const std::string& source) {
  auto table = props.find(kOriginTableProperty);
  if (table == props.end()) return std::nullopt;
  TableOrigin o;
  o.kind = OriginKind::kDatabase;
  o.source = source;
  auto server = props.find(kOriginServerProperty);
  if (server != props.end()) o.server = server->second;
  o.database = DatabaseOfUrl(o.server);
  size_t dot = table->second.find('.');
  o.schema = dot == std::string::npos ? "" : table->second.substr(0, dot);
  o.table = dot == std::string::npos ? table->second : table->second.substr(dot + 1);
  for (const json& k : JsonProperty(props, kOriginKeyProperty, json::array())) {
    if (k.is_string()) o.key.push_back(k.get<std::string>());
  }
  return o;
}

// The bronze folder's source name: <lake>/bronze/<source>/<table>.
std::string SourceOfPath(const project::Project& p, const std::string& path) {
  const std::string bronze = LayerPath(p.lake, Layer::kBronze) + "/";
  if (path.rfind(bronze, 0) != 0) return "";
  std::string rest = path.substr(bronze.size());
  return rest.substr(0, rest.find('/'));
}

TableOrigin DeclaredOrigin(const project::Project& p, const CatalogTable& t) {
  TableOrigin o;
  const std::string owner = OwnerTable(t.Qualified());
  if (owner != t.Qualified()) {
    o.kind = OriginKind::kCompanion;
    o.owner = owner;
    return o;
  }
  if (t.layer == Layer::kBronze) {
    if (const project::Source* s = p.FindSourceByTable(t.name)) {
      o.kind = OriginKind::kFiles;
      o.source = s->name;
      o.glob = s->path;
      o.format = project::ToString(s->format);
    } else {
      o.kind = OriginKind::kDatabase;  // until the table's properties say more
      o.source = SourceOfPath(p, t.path);
    }
  } else if (t.layer == Layer::kSilver) {
    o.kind = OriginKind::kSilver;
    if (const project::SilverTable* s = p.FindSilver(t.name)) o.from = s->from;
  } else if (t.layer == Layer::kGold) {
    o.kind = OriginKind::kModel;
    o.model = t.name;
    if (const project::Model* m = p.FindModel(t.name)) {
      o.sql_file = m->sql_file;
      o.format = ToString(m->materialized);
    }
  }
  return o;
}

// The silver column that reads bronze column `bronze` of `s`, if declared.
const project::SilverColumn* ReaderOf(const project::SilverTable& s, const std::string& bronze) {
  for (const project::SilverColumn& c : s.columns) {
    if (!c.expr.empty()) continue;
    if (c.from == bronze || (c.from.empty() && project::SnakeCase(bronze) == c.name)) return &c;
  }
  return nullptr;
}

// Declarations of the project about `column` of table `t`: PII and lineage.
void Annotate(const project::Project& p, const CatalogTable& t, CatalogColumn& column) {
  if (t.layer == Layer::kSilver) {
    const project::SilverTable* s = p.FindSilver(t.name);
    if (s == nullptr) return;
    for (const project::SilverColumn& c : s->columns) {
      if (c.name != column.name) continue;
      column.pii = c.pii;
      if (!c.expr.empty()) {
        column.description = "= " + c.expr;
      } else if (!c.from.empty()) {
        column.description = "from " + s->from + "." + c.from;
      } else {
        column.description = "from " + s->from + " (the column named like it)";
      }
    }
    return;
  }
  if (t.layer != Layer::kBronze) return;
  for (const project::SilverTable& s : p.silver) {
    if (s.from != t.Qualified()) continue;
    const project::SilverColumn* c = ReaderOf(s, column.name);
    if (c && c->pii) column.pii = true;
  }
}

std::vector<CatalogColumn> Columns(const project::Project& p, const CatalogTable& t,
                                   const delta::TableDetail& d) {
  const json types = JsonProperty(d.properties, kOriginTypesProperty, json::object());
  const json notes = JsonProperty(d.properties, kOriginNotesProperty, json::object());
  std::vector<CatalogColumn> out;
  for (const delta::Field& f : d.schema.fields) {
    CatalogColumn c;
    c.name = f.name;
    auto duck = delta::DuckDbTypeOf(f.type);
    c.type = duck.ok() ? *duck : delta::DeltaTypeName(f.type);
    c.nullable = f.nullable;
    if (types.contains(f.name) && types[f.name].is_string())
      c.source_type = types[f.name].get<std::string>();
    if (notes.contains(f.name) && notes[f.name].is_string())
      c.note = notes[f.name].get<std::string>();
    if (!c.source_type.empty()) c.description = "server type " + c.source_type;
    if (!c.note.empty()) c.description += (c.description.empty() ? "" : "; ") + c.note;
    Annotate(p, t, c);
    out.push_back(std::move(c));
  }
  return out;
}

std::string Millis(int64_t ms) { return FormatTimestamp(ms * 1000) + " UTC"; }

std::string Bytes(int64_t n) {
  char buf[32];
  if (n < 1024) return std::to_string(n) + " B";
  if (n < (1 << 20)) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", n / 1024.0);
  } else if (n < (1LL << 30)) {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", n / 1048576.0);
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f GiB", n / 1073741824.0);
  }
  return buf;
}

}  // namespace

std::string ToString(OriginKind kind) {
  switch (kind) {
    case OriginKind::kFiles:
      return "files";
    case OriginKind::kDatabase:
      return "database";
    case OriginKind::kSilver:
      return "silver";
    case OriginKind::kModel:
      return "model";
    case OriginKind::kSystem:
      return "system";
    case OriginKind::kCompanion:
      return "companion";
  }
  return "system";
}

std::string TableOrigin::Summary() const {
  switch (kind) {
    case OriginKind::kFiles:
      return "files " + glob + " (" + format + ", source " + source + ")";
    case OriginKind::kDatabase:
      if (table.empty()) return "database source " + source;
      return "database " + server + " table " + (schema.empty() ? "" : schema + ".") + table +
             " (source " + source + ")";
    case OriginKind::kSilver:
      return "conformed from " + from;
    case OriginKind::kModel:
      return "model " + model + (sql_file.empty() ? "" : " (" + sql_file + ")") +
             (format.empty() ? "" : ", " + format);
    case OriginKind::kSystem:
      return "run ledger";
    case OriginKind::kCompanion:
      return "companion of " + owner;
  }
  return "";
}

CatalogEntry DescribeTable(const project::Project& project, const CatalogTable& table,
                           const delta::Snapshot* snapshot) {
  CatalogEntry e;
  e.layer = table.layer;
  e.name = table.name;
  e.path = table.path;
  e.origin = DeclaredOrigin(project, table);
  if (snapshot == nullptr) return e;
  const delta::TableDetail d = delta::DescribeSnapshot(*snapshot);
  e.exists = true;
  e.version = d.version;
  e.last_commit_ms = d.timestamp_ms;
  e.rows = d.num_records;
  e.size_bytes = d.size_bytes;
  e.files = d.num_files;
  e.columns = Columns(project, table, d);
  if (table.layer == Layer::kBronze && e.origin.kind == OriginKind::kDatabase) {
    if (auto o = DatabaseOrigin(d.properties, e.origin.source)) e.origin = *o;
  }
  return e;
}

Result<std::vector<CatalogEntry>> ReadLakeCatalog(const project::Project& project, FileSystem& fs,
                                                  engine::Connection& conn) {
  std::vector<CatalogEntry> out;
  for (const CatalogTable& t : ProjectTables(project)) {
    delta::DeltaLog log(fs, t.path);
    auto listing = log.List();
    bool exists = listing.ok() && (!listing->commits.empty() || !listing->checkpoints.empty());
    if (!listing.ok() && listing.status().code() != StatusCode::kNotFound) {
      return listing.status().WithContext(t.Qualified());
    }
    if (!exists) {
      out.push_back(DescribeTable(project, t, nullptr));
      continue;
    }
    auto snapshot = delta::LoadSnapshot(log, conn);
    if (!snapshot.ok()) return snapshot.status().WithContext(t.Qualified());
    out.push_back(DescribeTable(project, t, snapshot->get()));
  }
  return out;
}

namespace {

json OriginJson(const TableOrigin& o) {
  json j = {{"kind", ToString(o.kind)}};
  auto put = [&j](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("source", o.source);
  put("glob", o.glob);
  put("server", o.server);
  put("database", o.database);
  put("schema", o.schema);
  put("table", o.table);
  if (o.kind == OriginKind::kDatabase && !o.key.empty()) j["key"] = o.key;
  put("from", o.from);
  put("model", o.model);
  put("sql_file", o.sql_file);
  put("owner", o.owner);
  if (o.kind == OriginKind::kFiles) put("format", o.format);
  if (o.kind == OriginKind::kModel) put("materialized", o.format);
  return j;
}

json EntryJson(const CatalogEntry& e) {
  json j = {{"name", e.Qualified()},
            {"layer", ToString(e.layer)},
            {"path", e.path},
            {"exists", e.exists},
            {"origin", OriginJson(e.origin)}};
  if (!e.exists) return j;
  j["version"] = e.version;
  j["last_commit"] = Millis(e.last_commit_ms);
  j["rows"] = e.rows ? json(*e.rows) : json(nullptr);
  j["size_bytes"] = e.size_bytes;
  j["files"] = e.files;
  json columns = json::array();
  for (const CatalogColumn& c : e.columns) {
    json col = {{"name", c.name},
                {"type", c.type},
                {"nullable", c.nullable},
                {"pii", c.pii},
                {"description", c.description}};
    if (!c.source_type.empty()) col["source_type"] = c.source_type;
    if (!c.note.empty()) col["note"] = c.note;
    columns.push_back(col);
  }
  j["columns"] = columns;
  return j;
}

}  // namespace

std::string CatalogJson(const project::Project& project, const std::vector<CatalogEntry>& entries) {
  json tables = json::array();
  for (const CatalogEntry& e : entries) tables.push_back(EntryJson(e));
  json out = {{"project", project.name}, {"lake", project.lake}, {"tables", tables}};
  return out.dump(2) + "\n";
}

std::string CatalogText(const std::vector<CatalogEntry>& entries) {
  std::ostringstream out;
  for (const CatalogEntry& e : entries) {
    out << e.Qualified() << "\n";
    out << "  from     " << e.origin.Summary() << "\n";
    out << "  path     " << e.path << "\n";
    if (!e.exists) {
      out << "  (not built yet)\n\n";
      continue;
    }
    out << "  version  " << e.version << " (" << Millis(e.last_commit_ms) << ")\n";
    out << "  size     " << (e.rows ? std::to_string(*e.rows) : std::string("?")) << " rows, "
        << Bytes(e.size_bytes) << " in " << e.files << (e.files == 1 ? " file" : " files") << "\n";
    out << "  columns\n";
    size_t width = 0;
    for (const CatalogColumn& c : e.columns) width = std::max(width, c.name.size());
    for (const CatalogColumn& c : e.columns) {
      out << "    " << c.name << std::string(width - c.name.size() + 2, ' ') << c.type
          << (c.nullable ? "" : " NOT NULL") << (c.pii ? "  [pii]" : "");
      if (!c.description.empty()) out << "  -- " << c.description;
      out << "\n";
    }
    out << "\n";
  }
  return out.str();
}

namespace {

std::string Lit(const std::string& s) { return delta::QuoteLiteral(s) + "::VARCHAR"; }
std::string LitOrNull(const std::string& s) { return s.empty() ? "NULL::VARCHAR" : Lit(s); }
std::string Int(std::optional<int64_t> v) {
  return v ? std::to_string(*v) + "::BIGINT" : "NULL::BIGINT";
}
std::string Bool(bool b) { return b ? "true" : "false"; }

constexpr char kTablesColumns[] =
    "table_name, layer, name, path, present, version, last_commit, row_count, size_bytes, "
    "file_count, column_count, origin_kind, origin, source, file_glob, server, database_name, "
    "schema_name, source_table, upstream, model";
constexpr char kColumnsColumns[] =
    "table_name, layer, name, ordinal, column_name, data_type, nullable, pii, description, "
    "source_type, note";

std::string TableRow(const CatalogEntry& e) {
  const TableOrigin& o = e.origin;
  const std::string commit =
      e.exists ? "make_timestamptz(" + std::to_string(e.last_commit_ms * 1000) + "::BIGINT)"
               : "NULL::TIMESTAMPTZ";
  return "(" + Lit(e.Qualified()) + ", " + Lit(ToString(e.layer)) + ", " + Lit(e.name) + ", " +
         Lit(e.path) + ", " + Bool(e.exists) + ", " +
         Int(e.exists ? std::optional<int64_t>(e.version) : std::nullopt) + ", " + commit + ", " +
         Int(e.rows) + ", " + Int(e.exists ? std::optional<int64_t>(e.size_bytes) : std::nullopt) +
         ", " + Int(e.exists ? std::optional<int64_t>(e.files) : std::nullopt) + ", " +
         Int(static_cast<int64_t>(e.columns.size())) + ", " + Lit(ToString(o.kind)) + ", " +
         Lit(o.Summary()) + ", " + LitOrNull(o.source) + ", " + LitOrNull(o.glob) + ", " +
         LitOrNull(o.server) + ", " + LitOrNull(o.database) + ", " + LitOrNull(o.schema) + ", " +
         LitOrNull(o.table) + ", " + LitOrNull(o.from) + ", " + LitOrNull(o.model) + ")";
}

std::string ColumnRow(const CatalogEntry& e, size_t i) {
  const CatalogColumn& c = e.columns[i];
  return "(" + Lit(e.Qualified()) + ", " + Lit(ToString(e.layer)) + ", " + Lit(e.name) + ", " +
         std::to_string(i + 1) + "::INTEGER, " + Lit(c.name) + ", " + Lit(c.type) + ", " +
         Bool(c.nullable) + ", " + Bool(c.pii) + ", " + LitOrNull(c.description) + ", " +
         LitOrNull(c.source_type) + ", " + LitOrNull(c.note) + ")";
}

// A view over `rows` (each "(v1, v2, ...)"), typed by `empty` when there are none.
std::string ViewSql(const std::string& name, const std::string& columns,
                    const std::vector<std::string>& rows, const std::string& empty) {
  std::string sql = "CREATE OR REPLACE VIEW _system." + name + " AS ";
  if (rows.empty()) return sql + "SELECT * FROM (SELECT " + empty + ") WHERE false";
  sql += "SELECT * FROM (VALUES ";
  for (size_t i = 0; i < rows.size(); ++i) sql += (i ? ", " : "") + rows[i];
  return sql + ") AS v(" + columns + ")";
}

}  // namespace

Status InstallSystemViews(const std::vector<CatalogEntry>& entries, engine::Connection& conn) {
  std::vector<std::string> tables, columns;
  for (const CatalogEntry& e : entries) {
    tables.push_back(TableRow(e));
    for (size_t i = 0; i < e.columns.size(); ++i) columns.push_back(ColumnRow(e, i));
  }
  const std::string empty_tables =
      "NULL::VARCHAR AS table_name, NULL::VARCHAR AS layer, NULL::VARCHAR AS name, NULL::VARCHAR "
      "AS path, NULL::BOOLEAN AS present, NULL::BIGINT AS version, NULL::TIMESTAMPTZ AS "
      "last_commit, NULL::BIGINT AS row_count, NULL::BIGINT AS size_bytes, NULL::BIGINT AS "
      "file_count, NULL::BIGINT AS column_count, NULL::VARCHAR AS origin_kind, NULL::VARCHAR AS "
      "origin, NULL::VARCHAR AS source, NULL::VARCHAR AS file_glob, NULL::VARCHAR AS server, "
      "NULL::VARCHAR AS database_name, NULL::VARCHAR AS schema_name, NULL::VARCHAR AS "
      "source_table, NULL::VARCHAR AS upstream, NULL::VARCHAR AS model";
  const std::string empty_columns =
      "NULL::VARCHAR AS table_name, NULL::VARCHAR AS layer, NULL::VARCHAR AS name, NULL::INTEGER "
      "AS ordinal, NULL::VARCHAR AS column_name, NULL::VARCHAR AS data_type, NULL::BOOLEAN AS "
      "nullable, NULL::BOOLEAN AS pii, NULL::VARCHAR AS description, NULL::VARCHAR AS "
      "source_type, NULL::VARCHAR AS note";
  CARELAKE_RETURN_IF_ERROR(conn.Execute(ViewSql("tables", kTablesColumns, tables, empty_tables)));
  return conn.Execute(ViewSql("columns", kColumnsColumns, columns, empty_columns));
}

}  // namespace carelake::catalog
