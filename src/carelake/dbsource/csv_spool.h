// CsvSpool: where a table's rows wait, as CSV files on local disk, between
// the server's stream and DuckDB's conversion to Parquet — memory stays
// bounded whatever the table's size. Files roll over at a row boundary
// after `roll_bytes`, so DuckDB can convert them in parallel. CSV as
// PostgreSQL's COPY writes it: NULL is an empty unquoted field, an empty
// string is "".
#ifndef CARELAKE_DBSOURCE_CSV_SPOOL_H_
#define CARELAKE_DBSOURCE_CSV_SPOOL_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::dbsource {

class CsvSpool {
 public:
  // Files `<dir>/<prefix>-<n>.csv`; `dir` must exist.
  CsvSpool(std::string dir, std::string prefix, int64_t roll_bytes = 256LL << 20)
      : dir_(std::move(dir)), prefix_(std::move(prefix)), roll_bytes_(roll_bytes) {}
  ~CsvSpool();
  CsvSpool(const CsvSpool&) = delete;
  CsvSpool& operator=(const CsvSpool&) = delete;

  // Appends whole rows (each ending in a newline).
  Status Write(std::string_view rows);
  // Flushes and closes the current file.
  Status Close();
  // Removes every file written.
  void Remove();

  const std::vector<std::string>& files() const { return files_; }
  int64_t bytes() const { return bytes_; }

 private:
  Status Open();
  std::string dir_;
  std::string prefix_;
  int64_t roll_bytes_;
  std::FILE* file_ = nullptr;
  int64_t file_bytes_ = 0;
  int64_t bytes_ = 0;
  std::vector<std::string> files_;
  std::unique_ptr<char[]> buffer_;
};

// Appends `value` to `out` as a quoted CSV field ("" doubling quotes).
void AppendQuoted(std::string& out, std::string_view value);

}  // namespace carelake::dbsource

#endif  // CARELAKE_DBSOURCE_CSV_SPOOL_H_
