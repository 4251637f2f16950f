// ConfinedFileSystem: a FileSystem that reaches only paths below given root
// folders, read-only — for work done on behalf of SQL that is not ours (a
// `delta_scan('path')` in a BI tool's query reads the Delta log through our
// code, outside DuckDB's own `allowed_directories`).
//
// Paths are compared after making them absolute and lexically normal
// (`a/../b` is `b`); symbolic links are not followed, as DuckDB's
// allowed_directories does not follow them either.
#ifndef CARELAKE_BASE_CONFINED_FILE_SYSTEM_H_
#define CARELAKE_BASE_CONFINED_FILE_SYSTEM_H_

#include <string>
#include <vector>

#include "carelake/base/file_system.h"

namespace carelake {

class ConfinedFileSystem : public FileSystem {
 public:
  // `base` must outlive this object.
  ConfinedFileSystem(FileSystem& base, const std::vector<std::string>& roots);

  // True when `path` is a root or below one.
  bool Allows(const std::string& path) const;

  // Reads below the roots; PermissionDenied naming the path elsewhere.
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::vector<FileInfo>> List(const std::string& dir) override;
  Result<FileInfo> Stat(const std::string& path) override;
  bool Exists(const std::string& path) override;
  // Writes: PermissionDenied everywhere.
  Status WriteFileIfAbsent(const std::string& path, std::string_view data) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveEmptyDirectory(const std::string& path) override;
  Status CreateDirectories(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;

 private:
  Status Refuse(const std::string& path) const;

  FileSystem& base_;
  std::vector<std::string> roots_;  // absolute, normal, without a trailing '/'
};

}  // namespace carelake

#endif  // CARELAKE_BASE_CONFINED_FILE_SYSTEM_H_
