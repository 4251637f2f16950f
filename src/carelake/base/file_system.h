// FileSystem: the file operations the Delta log and the pipeline need, behind
// an interface so that tests can inject failures.
//
// Paths are plain local paths. Every implementation must be safe to call from
// several threads and processes at once.
#ifndef CARELAKE_BASE_FILE_SYSTEM_H_
#define CARELAKE_BASE_FILE_SYSTEM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"

namespace carelake {

struct FileInfo {
  std::string name;  // the entry's name inside its folder
  bool is_directory = false;
  uint64_t size = 0;
  int64_t modification_time_ms = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // NotFound if `path` is absent.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;

  // Creates `path` holding `data` if and only if no file of that name
  // exists: AlreadyExists otherwise, and the existing file is untouched.
  // Atomic and durable: once this returns OK the whole content is on disk,
  // and a concurrent reader or a crash never exposes a partial file.
  virtual Status WriteFileIfAbsent(const std::string& path, std::string_view data) = 0;

  // Creates or replaces `path` atomically (write aside, fsync, rename).
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data) = 0;

  // Entries of folder `dir` (unsorted). NotFound if `dir` is absent.
  virtual Result<std::vector<FileInfo>> List(const std::string& dir) = 0;

  // Stat of one path; NotFound if absent.
  virtual Result<FileInfo> Stat(const std::string& path) = 0;

  virtual bool Exists(const std::string& path) = 0;

  // Removes a file (NotFound if absent).
  virtual Status RemoveFile(const std::string& path) = 0;

  // Removes a folder if it is empty; OK and no-op if it is not empty.
  virtual Status RemoveEmptyDirectory(const std::string& path) = 0;

  // Creates `path` and its parents; OK if it exists.
  virtual Status CreateDirectories(const std::string& path) = 0;

  // Moves `from` to `to`, replacing `to` (same file system only).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
};

// The process-wide local file system.
FileSystem& LocalFileSystem();

// "a/b" + "c" → "a/b/c" (no doubled slash).
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace carelake

#endif  // CARELAKE_BASE_FILE_SYSTEM_H_
