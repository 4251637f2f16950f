#include "carelake/ingest/file_listing.h"

#include <filesystem>

#include "carelake/delta/schema.h"
#include "carelake/ingest/file_ingest.h"

namespace carelake::ingest {

Result<std::vector<Unit>> ListFiles(const project::Source& source, const std::string& project_dir,
                                    FileSystem& fs, engine::Connection& conn) {
  const std::string pattern = std::filesystem::path(source.path).is_absolute()
                                  ? source.path
                                  : JoinPath(project_dir, source.path);
  CARELAKE_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      conn.Query("SELECT file FROM glob(" + delta::QuoteLiteral(pattern) + ") ORDER BY file"));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  std::vector<Unit> out;
  for (const auto& row : rows) {
    Unit u;
    u.location = row[0].GetString();
    u.name = std::filesystem::path(u.location).lexically_relative(project_dir).generic_string();
    if (u.name.empty() || u.name.rfind("..", 0) == 0) u.name = u.location;
    CARELAKE_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(u.location));
    if (info.is_directory) continue;
    u.size_bytes = static_cast<int64_t>(info.size);
    u.modified_ms = info.modification_time_ms;
    u.app_id = std::string(kFileAppPrefix) + u.name;
    u.app_version = FileAppVersion(u.size_bytes);
    out.push_back(std::move(u));
  }
  return out;
}

int64_t FileAppVersion(int64_t size_bytes) { return size_bytes + 1; }

std::optional<int64_t> CommittedFileSize(int64_t app_version) {
  if (app_version == 1) return std::nullopt;
  return app_version - 1;
}

}  // namespace carelake::ingest
