#include "carelake/dbsource/db_reader.h"

#include <fnmatch.h>

#include "carelake/base/status.h"

namespace carelake::dbsource {

Result<std::unique_ptr<SnapshotSession>> OpenPgSession(const ConnectOptions& options, DbUrl url);
Result<std::unique_ptr<SnapshotSession>> OpenMySqlSession(const ConnectOptions& options, DbUrl url);

bool TableFilter::Matches(const std::string& schema, const std::string& name) const {
  std::string qualified = schema + "." + name;
  auto any = [&](const std::vector<std::string>& globs) {
    for (const std::string& g : globs) {
      if (fnmatch(g.c_str(), name.c_str(), 0) == 0 ||
          fnmatch(g.c_str(), qualified.c_str(), 0) == 0) {
        return true;
      }
    }
    return false;
  };
  return any(include) && !any(exclude);
}

Status CheckNamedTables(const TableFilter& filter, const std::vector<SourceTable>& tables) {
  for (const std::string& name : filter.include) {
    if (name.find_first_of("*?[") != std::string::npos) continue;
    bool found = false;
    for (const SourceTable& t : tables) {
      found = found || t.name == name || t.schema + "." + t.name == name;
    }
    if (!found) {
      return Status(StatusCode::kNotFound,
                    "table '" + name + "' does not exist (or is not a base table the user sees)");
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<SnapshotSession>> SnapshotSession::Open(const ConnectOptions& options) {
  CARELAKE_ASSIGN_OR_RETURN(DbUrl url, ParseDbUrl(options.url));
  if (url.kind == DbKind::kPostgres) return OpenPgSession(options, std::move(url));
  return OpenMySqlSession(options, std::move(url));
}

}  // namespace carelake::dbsource
