#include "carelake/infer/lake_profile.h"

#include <optional>

#include "carelake/delta/log.h"
#include "carelake/delta/scan.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/snapshot.h"
#include "carelake/delta/table.h"

namespace carelake::infer {
namespace {

bool HasLog(FileSystem& fs, const std::string& path) {
  auto listing = delta::DeltaLog(fs, path).List();
  return listing.ok() && (!listing->commits.empty() || !listing->checkpoints.empty());
}

}  // namespace

Result<std::vector<catalog::CatalogTable>> SourceTables(const project::Project& project,
                                                        const std::string& source,
                                                        const std::string& table, FileSystem& fs) {
  const std::string dir =
      JoinPath(catalog::LayerPath(project.lake, catalog::Layer::kBronze), source) + "/";
  std::vector<catalog::CatalogTable> out;
  bool declared = false;
  for (const catalog::CatalogTable& t : catalog::ProjectTables(project)) {
    if (t.layer != catalog::Layer::kBronze || t.path.rfind(dir, 0) != 0) continue;
    if (catalog::OwnerTable(t.Qualified()) != t.Qualified()) continue;  // a companion
    declared = true;
    if (!table.empty() && t.name != table && SilverNameOf(t.name, source) != table) continue;
    if (HasLog(fs, t.path)) out.push_back(t);
  }
  if (!declared) {
    return NotFound("the project has no source '" + source + "' with bronze tables under " + dir);
  }
  if (out.empty()) {
    return NotFound("source '" + source + "' has no bronze table" +
                    (table.empty() ? "" : " '" + table + "'") + " in the lake yet: run it first");
  }
  return out;
}

Result<TableProfile> ProfileTable(const catalog::CatalogTable& table, const std::string& source,
                                  int64_t sample, FileSystem& fs, engine::Connection& conn) {
  CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr snapshot,
                            delta::LoadSnapshot(delta::DeltaLog(fs, table.path), conn));
  CARELAKE_ASSIGN_OR_RETURN(std::string scan, delta::BuildScanSql(*snapshot, conn));
  TableProfile out;
  out.bronze = table.Qualified();
  out.silver_name = SilverNameOf(table.name, source);
  const delta::TableDetail detail = delta::DescribeSnapshot(*snapshot);
  if (detail.num_records) out.rows_total = *detail.num_records;
  std::vector<std::string> text;  // the text columns, profiled
  for (const delta::Field& f : snapshot->schema().fields) {
    if (f.name.empty() || f.name[0] == '_') continue;
    out.column_order.push_back(f.name);
    CARELAKE_ASSIGN_OR_RETURN(std::string type, delta::DuckDbTypeOf(f.type));
    if (type == "VARCHAR") {
      text.push_back(f.name);
    } else {
      out.typed[f.name] = type;
    }
  }
  if (text.empty()) return out;
  std::string select;
  for (const std::string& c : text) {
    select += (select.empty() ? "" : ", ") + delta::QuoteIdentifier(c);
  }
  CARELAKE_ASSIGN_OR_RETURN(
      engine::QueryResult result,
      conn.Query("SELECT " + select + " FROM (" + scan + ") AS t USING SAMPLE reservoir(" +
                 std::to_string(sample) + " ROWS) REPEATABLE (16)"));
  std::vector<std::vector<std::optional<std::string>>> values(text.size());
  while (true) {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<engine::DataChunk> chunk, result.Fetch());
    if (!chunk || chunk->size() == 0) break;
    for (size_t c = 0; c < text.size(); ++c) {
      engine::ColumnView col = chunk->column(c);
      for (size_t r = 0; r < chunk->size(); ++r) {
        values[c].push_back(col.IsNull(r) ? std::nullopt
                                          : std::optional<std::string>(col.GetString(r)));
      }
    }
    out.rows_sampled += static_cast<int64_t>(chunk->size());
  }
  for (size_t c = 0; c < text.size(); ++c) out.columns.push_back(ProfileColumn(text[c], values[c]));
  return out;
}

}  // namespace carelake::infer
