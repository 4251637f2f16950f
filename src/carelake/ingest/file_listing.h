// The files of a file source as units (connector.h): the files its glob
// matches, with their size and modification time, under the application
// id `carelake.file:<path relative to the project>` (kFileAppPrefix).
#ifndef CARELAKE_INGEST_FILE_LISTING_H_
#define CARELAKE_INGEST_FILE_LISTING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/ingest/connector.h"
#include "carelake/project/project.h"

namespace carelake::ingest {

// The files matching `source.path` (relative to `project_dir` unless
// absolute), sorted by path, directories left out. A unit's name is its
// path relative to `project_dir`, or its absolute path if it lies outside;
// its location is the absolute path; its application version is
// FileAppVersion(size).
Result<std::vector<Unit>> ListFiles(const project::Source& source, const std::string& project_dir,
                                    FileSystem& fs, engine::Connection& conn);

// The application version a file's txn records: its size + 1, so that a
// later run can tell the file changed after it was ingested.
int64_t FileAppVersion(int64_t size_bytes);

// The size a file had when it was committed under `app_version`; unknown
// for version 1 (committed before sizes were recorded, or empty).
std::optional<int64_t> CommittedFileSize(int64_t app_version);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_FILE_LISTING_H_
