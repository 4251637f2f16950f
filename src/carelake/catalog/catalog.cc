#include "carelake/catalog/catalog.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "carelake/delta/log.h"
#include "carelake/delta/scan.h"
#include "carelake/delta/schema.h"

namespace carelake::catalog {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The latest version in the table's log; nullopt when there is no table.
Result<std::optional<int64_t>> LatestVersion(FileSystem& fs, const std::string& path) {
  auto listing = delta::DeltaLog(fs, path).List();
  if (!listing.ok()) {
    if (listing.status().code() == StatusCode::kNotFound) return std::optional<int64_t>();
    return listing.status();
  }
  std::optional<int64_t> latest;
  if (!listing->commits.empty()) latest = listing->commits.rbegin()->first;
  if (!listing->checkpoints.empty()) {
    latest = std::max(latest.value_or(0), listing->checkpoints.rbegin()->first);
  }
  return latest;
}

std::string ViewName(const CatalogTable& t) {
  return ToString(t.layer) + "." + delta::QuoteIdentifier(t.name);
}

// `_system.runs` holds a row when a run starts and one when it ends: its
// view shows the latest row of each run (the ended one when there is one).
std::string ViewSql(const CatalogTable& t, const std::string& scan_sql) {
  if (t.layer != Layer::kSystem || t.name != "runs") return scan_sql;
  return "SELECT * FROM (" + scan_sql +
         ") QUALIFY row_number() OVER (PARTITION BY run_id ORDER BY finished_at DESC NULLS "
         "LAST) = 1";
}

}  // namespace

std::string LayerPath(const std::string& lake, Layer layer) {
  return JoinPath(lake, ToString(layer));
}

std::string SystemTablePath(const std::string& lake, std::string_view table) {
  return JoinPath(LayerPath(lake, Layer::kSystem), std::string(table));
}

std::string OwnerTable(std::string qualified) {
  for (std::string_view suffix :
       {std::string_view(kQuarantineSuffix), std::string_view(kChangesSuffix)}) {
    if (EndsWith(qualified, suffix)) qualified.resize(qualified.size() - suffix.size());
  }
  return qualified;
}

std::string DatabaseTableName(const std::string& source, const std::string& table) {
  return source + "__" + table;
}

std::string DatabaseTablePath(const std::string& lake, const std::string& source,
                              const std::string& table) {
  return JoinPath(JoinPath(LayerPath(lake, Layer::kBronze), source), table);
}

namespace {

// A database source's tables: the folders of its bronze folder that hold a
// Delta table, and those silver tables read.
std::set<std::string> DatabaseTables(const project::Project& p, const project::DatabaseSource& s) {
  std::set<std::string> tables;
  const std::string prefix = "bronze." + s.name + "__";
  for (const project::SilverTable& t : p.silver) {
    if (t.from.rfind(prefix, 0) == 0) tables.insert(t.from.substr(prefix.size()));
  }
  std::error_code ec;
  const std::filesystem::path dir = JoinPath(LayerPath(p.lake, Layer::kBronze), s.name);
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (std::filesystem::is_directory(entry.path() / "_delta_log", ec)) {
      tables.insert(entry.path().filename().string());
    }
  }
  return tables;
}

}  // namespace

std::vector<CatalogTable> ProjectTables(const project::Project& p) {
  std::vector<CatalogTable> out;
  for (const project::DatabaseSource& s : p.database_sources) {
    for (const std::string& t : DatabaseTables(p, s)) {
      out.push_back(
          {Layer::kBronze, DatabaseTableName(s.name, t), DatabaseTablePath(p.lake, s.name, t)});
    }
  }
  for (const project::Source& s : p.sources) {
    const std::string dir = JoinPath(LayerPath(p.lake, Layer::kBronze), s.name);
    out.push_back({Layer::kBronze, s.table, JoinPath(dir, s.table)});
    out.push_back(
        {Layer::kBronze, s.table + kQuarantineSuffix, JoinPath(dir, s.table + kQuarantineSuffix)});
  }
  for (const project::SilverTable& t : p.silver) {
    const std::string dir = JoinPath(LayerPath(p.lake, Layer::kSilver), t.domain);
    out.push_back({Layer::kSilver, t.name, JoinPath(dir, t.name)});
    out.push_back(
        {Layer::kSilver, t.name + kQuarantineSuffix, JoinPath(dir, t.name + kQuarantineSuffix)});
  }
  for (const project::Model& m : p.models) {
    const std::string path = JoinPath(JoinPath(LayerPath(p.lake, Layer::kGold), m.domain), m.name);
    out.push_back({Layer::kGold, m.name, path});
    if (m.IsScd()) out.push_back({Layer::kGold, m.name + kChangesSuffix, path + kChangesSuffix});
  }
  for (std::string_view t : kSystemTables) {
    out.push_back({Layer::kSystem, std::string(t), SystemTablePath(p.lake, t)});
  }
  return out;
}

std::map<std::string, std::string> TablePaths(const project::Project& project) {
  std::map<std::string, std::string> out;
  for (const CatalogTable& t : ProjectTables(project)) out[t.Qualified()] = t.path;
  return out;
}

Catalog::Catalog(const project::Project& project, FileSystem& fs)
    : fs_(&fs), tables_(ProjectTables(project)) {}

const CatalogTable* Catalog::Find(std::string_view qualified) const {
  auto it = std::find_if(tables_.begin(), tables_.end(),
                         [&](const CatalogTable& t) { return t.Qualified() == qualified; });
  return it == tables_.end() ? nullptr : &*it;
}

Result<RefreshResult> Catalog::Refresh(engine::Connection& conn) {
  if (!schemas_created_) {
    std::string sql;
    for (Layer l : kLayers) sql += "CREATE SCHEMA IF NOT EXISTS " + ToString(l) + "; ";
    CARELAKE_RETURN_IF_ERROR(conn.Execute(sql));
    schemas_created_ = true;
  }
  RefreshResult result;
  for (const CatalogTable& t : tables_) {
    const std::string qualified = t.Qualified();
    auto latest = LatestVersion(*fs_, t.path);
    if (!latest.ok()) return latest.status().WithContext(qualified);
    auto view = views_.find(qualified);
    if (!latest->has_value()) {
      if (view != views_.end()) {
        CARELAKE_RETURN_IF_ERROR(conn.Execute("DROP VIEW IF EXISTS " + ViewName(t)));
        views_.erase(view);
        result.dropped.push_back(qualified);
      }
      continue;
    }
    if (view != views_.end() && view->second->version() == **latest) continue;
    auto snapshot = delta::LoadSnapshot(delta::DeltaLog(*fs_, t.path), conn);
    if (!snapshot.ok()) return snapshot.status().WithContext(qualified);
    auto sql = delta::BuildScanSql(**snapshot, conn);
    if (!sql.ok()) return sql.status().WithContext(qualified);
    CARELAKE_RETURN_IF_ERROR(
        conn.Execute("CREATE OR REPLACE VIEW " + ViewName(t) + " AS " + ViewSql(t, *sql)));
    views_[qualified] = *snapshot;
    result.replaced.push_back(qualified);
  }
  return result;
}

std::vector<std::string> Catalog::Registered() const {
  std::vector<std::string> out;
  for (const CatalogTable& t : tables_) {
    if (views_.count(t.Qualified())) out.push_back(t.Qualified());
  }
  return out;
}

std::optional<int64_t> Catalog::ViewVersion(std::string_view qualified) const {
  auto it = views_.find(qualified);
  if (it == views_.end()) return std::nullopt;
  return it->second->version();
}

delta::SnapshotPtr Catalog::Snapshot(std::string_view qualified) const {
  auto it = views_.find(qualified);
  return it == views_.end() ? nullptr : it->second;
}

Result<std::vector<std::string>> RegisterViews(const project::Project& project, FileSystem& fs,
                                               engine::Connection& conn) {
  Catalog catalog(project, fs);
  CARELAKE_RETURN_IF_ERROR(catalog.Refresh(conn).status());
  // Views an earlier Catalog made of tables that are gone.
  for (const CatalogTable& t : catalog.tables()) {
    if (catalog.ViewVersion(t.Qualified())) continue;
    CARELAKE_RETURN_IF_ERROR(conn.Execute("DROP VIEW IF EXISTS " + ViewName(t)));
  }
  return catalog.Registered();
}

}  // namespace carelake::catalog
