// The bytes of a source file, plain or gzip-compressed, and how DuckDB's
// readers are told its compression.
#ifndef CARELAKE_INGEST_SOURCE_FILE_H_
#define CARELAKE_INGEST_SOURCE_FILE_H_

#include <functional>
#include <string>
#include <string_view>

#include "carelake/base/result.h"
#include "carelake/project/project.h"

namespace carelake::ingest {

// Reads a file in chunks, decompressing gzip (zlib reads plain files as
// is), until the end or until `chunk` returns false. IoError if the file
// cannot be opened or read (the run fails, a later one retries); Corruption
// if a gzip stream is corrupt or ends early: zlib's gzread reports an early
// end only through gzerror, and DuckDB's readers not at all (its CSV reader
// returns the rows before the cut), so gzip files are checked here.
Status ReadChunks(const std::string& path, const std::function<bool(std::string_view)>& chunk);

// A whole file (see ReadChunks).
Result<std::string> ReadAll(const std::string& path);

// IoError if `path` cannot be opened; with `gzip`, Corruption if it is a
// gzip file that is corrupt or truncated.
Status CheckReadable(const std::string& path, bool gzip);

// DuckDB's `compression` option for the source's files, quoted; its JSON
// reader calls "auto" "auto_detect", its CSV reader "auto".
std::string CompressionOption(const project::Source& source);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_SOURCE_FILE_H_
