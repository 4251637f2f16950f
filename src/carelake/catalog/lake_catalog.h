// LakeCatalog: what `carelake catalog` shows and `_system.tables` /
// `_system.columns` hold — every table of a project's lake with its columns
// (types, nullability, PII tags, descriptions), its size (rows, bytes, files),
// its last commit and where its rows come from (a file source's glob, a
// database source's server/database/schema/table, the upstream of a silver
// table, the model that builds a gold table).
//
// Facts about a table come from its Delta log (delta::DescribeSnapshot) and
// the project's declarations; nothing here opens a socket or reads data
// files. The JSON shape (CatalogJson) is documented in doc/catalog.md and
// kept stable: fields are only ever added.
#ifndef CARELAKE_CATALOG_LAKE_CATALOG_H_
#define CARELAKE_CATALOG_LAKE_CATALOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/catalog/catalog.h"
#include "carelake/delta/snapshot.h"
#include "carelake/engine/connection.h"
#include "carelake/project/project.h"

namespace carelake::catalog {

// Table properties a database source writes on its bronze tables
// (ingest/db_ingest.cc writes them with these names).
inline constexpr char kOriginServerProperty[] = "carelake.origin.server";  // redacted URL
inline constexpr char kOriginTableProperty[] = "carelake.origin.table";    // schema.table
inline constexpr char kOriginTypesProperty[] = "carelake.origin.types";    // JSON column -> type
inline constexpr char kOriginNotesProperty[] = "carelake.origin.notes";    // JSON column -> note
inline constexpr char kOriginKeyProperty[] = "carelake.origin.key";        // JSON key columns

struct CatalogColumn {
  std::string name;
  std::string type;  // as SQL sees it (DuckDB), e.g. "DECIMAL(10,2)"
  bool nullable = true;
  // PII: declared on a silver column (`pii: true`), and carried to the
  // bronze column it reads.
  bool pii = false;
  // Lineage of the value: "from bronze.visits.patient_id", "= <expr>", or,
  // for a database source, the server's type and any note on a lossy mapping.
  std::string description;
  std::string source_type;  // database source: the column's type on the server
  std::string note;         // database source: how the value was mapped, when lossy
};

enum class OriginKind { kFiles, kDatabase, kSilver, kModel, kSystem, kCompanion };
// "files", "database", "silver", "model", "system", "companion".
std::string ToString(OriginKind kind);

struct TableOrigin {
  OriginKind kind = OriginKind::kSystem;
  std::string source;  // kFiles, kDatabase: the source's name
  std::string glob;    // kFiles: the source's path glob
  std::string format;  // kFiles: csv, json, ndjson
  // kDatabase (from the bronze table's properties): the server's URL without
  // its password, the database (the URL's path), schema and table there,
  // and the table's key on the server.
  std::string server;
  std::string database;
  std::string schema;
  std::string table;
  std::vector<std::string> key;
  std::string from;      // kSilver: the upstream table, "bronze.visits"
  std::string model;     // kModel: the model's name
  std::string sql_file;  // kModel: its SQL file (empty for generated dimensions)
  std::string owner;     // kCompanion: the table it belongs to, "silver.visits"
  // One line for people: "files landing/*.csv (csv)", "mysql://…/clinic
  // clinic.patient", "silver from bronze.visits", "model models/x.sql".
  std::string Summary() const;
};

struct CatalogEntry {
  Layer layer = Layer::kBronze;
  std::string name;  // as in SQL, without the layer
  std::string path;  // the Delta table's folder
  bool exists = false;
  // When it exists:
  int64_t version = -1;
  int64_t last_commit_ms = 0;
  std::optional<int64_t> rows;  // when every file has statistics
  int64_t size_bytes = 0;
  int64_t files = 0;
  std::vector<CatalogColumn> columns;
  TableOrigin origin;
  std::string Qualified() const { return ToString(layer) + "." + name; }
};

// The entry of `table` from the project and `snapshot` (its latest version;
// null when the table does not exist yet).
CatalogEntry DescribeTable(const project::Project& project, const CatalogTable& table,
                           const delta::Snapshot* snapshot);

// Every table of the project (ProjectTables order), each read from its Delta
// log. A log that cannot be read fails the call naming the table.
Result<std::vector<CatalogEntry>> ReadLakeCatalog(const project::Project& project, FileSystem& fs,
                                                  engine::Connection& conn);

// The documented JSON (doc/catalog.md): {"project", "lake", "tables": [...]}.
std::string CatalogJson(const project::Project& project, const std::vector<CatalogEntry>& entries);

// The text of `carelake catalog`: one block per table.
std::string CatalogText(const std::vector<CatalogEntry>& entries);

// (Re)creates the views `_system.tables` and `_system.columns` in `conn`'s
// database, holding `entries` (columns in doc/catalog.md). The `_system`
// schema must exist.
Status InstallSystemViews(const std::vector<CatalogEntry>& entries, engine::Connection& conn);

}  // namespace carelake::catalog

#endif  // CARELAKE_CATALOG_LAKE_CATALOG_H_
