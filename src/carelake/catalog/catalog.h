// Catalog: where a project's tables live, how SQL names them, and the views
// that let a DuckDB database query them by name.
//
// Lake layout: <lake>/bronze/<source>/<table>, <lake>/silver/<domain>/<table>,
// <lake>/gold/<domain>/<model>, <lake>/_system/<table>. SQL names are
// `layer.name`; a table's companions carry a suffix: `<table>__quarantine`
// (rows a rule or the reader set aside) and `<model>__changes` (an SCD2
// dimension's change log). The run ledger's tables are `_system.<name>`;
// their columns belong to the ledger component (ledger/schema.h).
//
// A view over a Delta table reads one version's files, so a long-lived
// database must refresh its views to see new commits: Catalog keeps the
// version (and snapshot) each view reads and Refresh() replaces the views of
// tables that have moved on, at the cost of one listing of each table's
// _delta_log folder. A query session refreshes before each statement.
#ifndef CARELAKE_CATALOG_CATALOG_H_
#define CARELAKE_CATALOG_CATALOG_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/catalog/layer.h"
#include "carelake/delta/snapshot.h"
#include "carelake/engine/connection.h"
#include "carelake/project/project.h"

namespace carelake::catalog {

inline constexpr char kQuarantineSuffix[] = "__quarantine";
inline constexpr char kChangesSuffix[] = "__changes";

// The run ledger's tables (their schema is ledger/schema.h; tests/ledger checks both
// name the same ones).
inline constexpr std::array<std::string_view, 5> kSystemTables = {"files", "steps", "expectations",
                                                                  "runs", "alerts"};

struct CatalogTable {
  Layer layer = Layer::kBronze;
  std::string name;  // as in SQL, e.g. "interactions__quarantine"
  std::string path;  // the Delta table's folder
  // "silver.interactions__quarantine".
  std::string Qualified() const { return ToString(layer) + "." + name; }
};

// <lake>/<layer>.
std::string LayerPath(const std::string& lake, Layer layer);
// <lake>/_system/<table>.
std::string SystemTablePath(const std::string& lake, std::string_view table);

// A database source's table (project::DatabaseSource): SQL name
// `<source>__<table>`, folder <lake>/bronze/<source>/<table>.
std::string DatabaseTableName(const std::string& source, const std::string& table);
std::string DatabaseTablePath(const std::string& lake, const std::string& source,
                              const std::string& table);

// The table a companion table belongs to: "silver.x__quarantine" and
// "gold.d__changes" -> "silver.x", "gold.d"; other names unchanged.
std::string OwnerTable(std::string qualified);

// Every table the project declares (whether it exists yet or not) — of a
// database source, those its silver tables read and those in the lake —, bronze,
// silver, gold then _system, each followed by its companions.
std::vector<CatalogTable> ProjectTables(const project::Project& project);

// Qualified name -> path, for every table of the project.
std::map<std::string, std::string> TablePaths(const project::Project& project);

// What one Refresh changed.
struct RefreshResult {
  std::vector<std::string> replaced;  // views created or moved to a newer version
  std::vector<std::string> dropped;   // tables that no longer exist
};

// The views of one project in one DuckDB database (views belong to the
// database, so use one Catalog per database). Not thread-safe.
class Catalog {
 public:
  // `fs` must outlive the Catalog.
  Catalog(const project::Project& project, FileSystem& fs);

  const std::vector<CatalogTable>& tables() const { return tables_; }
  // The table of a qualified name, nullptr when the project has none.
  const CatalogTable* Find(std::string_view qualified) const;

  // Brings the views of `conn`'s database up to the latest commit of every
  // table: creates the schemas on first use, (re)creates the view of each
  // table whose latest version differs from the one its view reads, drops
  // the views of tables that are gone. A table whose log cannot be read
  // fails the refresh naming it (its old view stays).
  Result<RefreshResult> Refresh(engine::Connection& conn);

  // Qualified names of the tables that have a view, in ProjectTables order.
  std::vector<std::string> Registered() const;
  // The version the table's view reads; nullopt when it has no view.
  std::optional<int64_t> ViewVersion(std::string_view qualified) const;
  // The snapshot the table's view reads; nullptr when it has no view.
  delta::SnapshotPtr Snapshot(std::string_view qualified) const;

 private:
  FileSystem* fs_;
  std::vector<CatalogTable> tables_;
  std::map<std::string, delta::SnapshotPtr, std::less<>> views_;  // qualified -> snapshot read
  bool schemas_created_ = false;
};

// A one-shot Catalog: creates the schemas and one view per existing table
// at its latest version, replacing views made before. Returns the qualified
// names registered.
Result<std::vector<std::string>> RegisterViews(const project::Project& project, FileSystem& fs,
                                               engine::Connection& conn);

}  // namespace carelake::catalog

#endif  // CARELAKE_CATALOG_CATALOG_H_
