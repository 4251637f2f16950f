// Catalog: where a project's tables live and how SQL names them.
//
// Lake layout: <lake>/bronze/<source>/<table>, <lake>/silver/<domain>/<table>,
// <lake>/gold/<domain>/<model>, <lake>/_system/<table>. SQL names are
// `layer.name`; quarantines are `<layer>.<table>__quarantine`.
#ifndef CARELAKE_PIPELINE_CATALOG_H_
#define CARELAKE_PIPELINE_CATALOG_H_

#include <map>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/project/project.h"

namespace carelake::pipeline {

inline constexpr char kQuarantineSuffix[] = "__quarantine";
inline const std::vector<std::string> kSystemTables = {"runs", "steps", "expectations", "files"};

struct CatalogTable {
  std::string layer;  // bronze, silver, gold, _system
  std::string name;   // as in SQL, e.g. "interactions__quarantine"
  std::string path;   // the Delta table's folder
  std::string Qualified() const { return layer + "." + name; }
};

// Every table the project declares (whether it exists yet or not).
std::vector<CatalogTable> ProjectTables(const project::Project& project);

// Qualified name -> path, for every table of the project.
std::map<std::string, std::string> TablePaths(const project::Project& project);

// Creates the schemas and one view per existing table, reading its latest
// version; replaces views made before. Returns the qualified names registered.
Result<std::vector<std::string>> RegisterViews(const project::Project& project, FileSystem& fs,
                                               engine::Connection& conn);

}  // namespace carelake::pipeline

#endif  // CARELAKE_PIPELINE_CATALOG_H_
