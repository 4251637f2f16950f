// A file source as a Connector: the files a project source's glob matches,
// JSON (array documents or NDJSON) or CSV, each file a unit committed once.
// A file that changed after it was committed is not read again (a warning
// says so).
#ifndef CARELAKE_INGEST_FILE_SOURCE_H_
#define CARELAKE_INGEST_FILE_SOURCE_H_

#include <map>
#include <string>
#include <vector>

#include "carelake/base/executor.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/ingest/connector.h"
#include "carelake/project/project.h"

namespace carelake::ingest {

class FileSource final : public Connector {
 public:
  // `source`, `fs`, `conn` and `executor` must outlive this object; globs
  // and unit names are relative to `project_dir`.
  FileSource(const project::Source& source, std::string project_dir, FileSystem& fs,
             engine::Connection& conn, Executor& executor = DefaultExecutor())
      : source_(source),
        project_dir_(std::move(project_dir)),
        fs_(fs),
        conn_(conn),
        executor_(executor) {}

  // The files whose application id bronze does not hold at all.
  Result<NewUnits> ListNew(const std::map<std::string, int64_t>& committed) override;

  // JSON files are first tried on the fast path (json_reader.h),
  // concurrently on the executor, one task per connection of `conns`; the others, and CSV
  // files, are read one after another on `temps.conn()`. Errors name the
  // source and the file.
  Result<std::vector<UnitRows>> Read(const std::vector<const Unit*>& batch,
                                     const std::vector<engine::Connection*>& conns, bool validate,
                                     engine::TempTables& temps) override;

 private:
  const project::Source& source_;
  const std::string project_dir_;
  FileSystem& fs_;
  engine::Connection& conn_;
  Executor& executor_;
};

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_FILE_SOURCE_H_
