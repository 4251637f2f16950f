#include "carelake/base/confined_file_system.h"

#include <filesystem>

namespace carelake {
namespace {

std::string Normal(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  if (ec) p = path;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Status ReadOnly(const std::string& path) {
  return PermissionDenied("'" + path + "' cannot be written: this session is read-only");
}

}  // namespace

ConfinedFileSystem::ConfinedFileSystem(FileSystem& base, const std::vector<std::string>& roots)
    : base_(base) {
  for (const std::string& r : roots) roots_.push_back(Normal(r));
}

bool ConfinedFileSystem::Allows(const std::string& path) const {
  const std::string p = Normal(path);
  for (const std::string& root : roots_) {
    if (p == root || (p.size() > root.size() && p.compare(0, root.size(), root) == 0 &&
                      (root == "/" || p[root.size()] == '/'))) {
      return true;
    }
  }
  return false;
}

Status ConfinedFileSystem::Refuse(const std::string& path) const {
  return PermissionDenied("'" + path + "' is outside the folders this session may read");
}

Result<std::string> ConfinedFileSystem::ReadFile(const std::string& path) {
  if (!Allows(path)) return Refuse(path);
  return base_.ReadFile(path);
}

Result<std::vector<FileInfo>> ConfinedFileSystem::List(const std::string& dir) {
  if (!Allows(dir)) return Refuse(dir);
  return base_.List(dir);
}

Result<FileInfo> ConfinedFileSystem::Stat(const std::string& path) {
  if (!Allows(path)) return Refuse(path);
  return base_.Stat(path);
}

bool ConfinedFileSystem::Exists(const std::string& path) {
  return Allows(path) && base_.Exists(path);
}

Status ConfinedFileSystem::WriteFileIfAbsent(const std::string& path, std::string_view) {
  return ReadOnly(path);
}
Status ConfinedFileSystem::WriteFileAtomic(const std::string& path, std::string_view) {
  return ReadOnly(path);
}
Status ConfinedFileSystem::RemoveFile(const std::string& path) { return ReadOnly(path); }
Status ConfinedFileSystem::RemoveEmptyDirectory(const std::string& path) { return ReadOnly(path); }
Status ConfinedFileSystem::CreateDirectories(const std::string& path) { return ReadOnly(path); }
Status ConfinedFileSystem::Rename(const std::string&, const std::string& to) {
  return ReadOnly(to);
}

}  // namespace carelake
