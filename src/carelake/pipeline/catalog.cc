#include "carelake/pipeline/catalog.h"

#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/model/dimension.h"

namespace carelake::pipeline {

std::vector<CatalogTable> ProjectTables(const project::Project& p) {
  std::vector<CatalogTable> out;
  for (const project::Source& s : p.sources) {
    const std::string dir = JoinPath(JoinPath(p.lake, "bronze"), s.name);
    out.push_back({"bronze", s.table, JoinPath(dir, s.table)});
    out.push_back(
        {"bronze", s.table + kQuarantineSuffix, JoinPath(dir, s.table + kQuarantineSuffix)});
  }
  for (const project::SilverTable& t : p.silver) {
    const std::string dir = JoinPath(JoinPath(p.lake, "silver"), t.domain);
    out.push_back({"silver", t.name, JoinPath(dir, t.name)});
    out.push_back(
        {"silver", t.name + kQuarantineSuffix, JoinPath(dir, t.name + kQuarantineSuffix)});
  }
  for (const project::Model& m : p.models) {
    const std::string path = JoinPath(JoinPath(JoinPath(p.lake, "gold"), m.domain), m.name);
    out.push_back({"gold", m.name, path});
    if (m.IsScd())
      out.push_back({"gold", m.name + model::kChangesSuffix, path + model::kChangesSuffix});
  }
  for (const std::string& t : kSystemTables) {
    out.push_back({"_system", t, JoinPath(JoinPath(p.lake, "_system"), t)});
  }
  return out;
}

std::map<std::string, std::string> TablePaths(const project::Project& project) {
  std::map<std::string, std::string> out;
  for (const CatalogTable& t : ProjectTables(project)) out[t.Qualified()] = t.path;
  return out;
}

Result<std::vector<std::string>> RegisterViews(const project::Project& project, FileSystem& fs,
                                               engine::Connection& conn) {
  std::vector<std::string> registered;
  CARELAKE_RETURN_IF_ERROR(
      conn.Execute("CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS silver; "
                   "CREATE SCHEMA IF NOT EXISTS gold; CREATE SCHEMA IF NOT EXISTS _system"));
  for (const CatalogTable& t : ProjectTables(project)) {
    delta::DeltaTable table(fs, t.path, conn);
    const std::string view = t.layer + "." + delta::QuoteIdentifier(t.name);
    if (!table.Exists()) {
      CARELAKE_RETURN_IF_ERROR(conn.Execute("DROP VIEW IF EXISTS " + view));
      continue;
    }
    auto sql = table.ScanSql();
    if (!sql.ok()) return sql.status().WithContext(t.Qualified());
    CARELAKE_RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE VIEW " + view + " AS " + *sql));
    registered.push_back(t.Qualified());
  }
  return registered;
}

}  // namespace carelake::pipeline
