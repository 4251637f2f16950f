#include "carelake/ingest/file_source.h"

#include <atomic>
#include <optional>

#include "carelake/ingest/csv_reader.h"
#include "carelake/ingest/file_listing.h"
#include "carelake/ingest/json_reader.h"

namespace carelake::ingest {

Result<NewUnits> FileSource::ListNew(const std::map<std::string, int64_t>& committed) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Unit> files, ListFiles(source_, project_dir_, fs_, conn_));
  NewUnits out;
  for (Unit& f : files) {
    auto it = committed.find(f.app_id);
    if (it == committed.end()) {
      out.units.push_back(std::move(f));
      continue;
    }
    ++out.already_committed;
    const std::optional<int64_t> then = CommittedFileSize(it->second);
    if (then && *then != f.size_bytes) {
      out.warnings.push_back("file '" + f.name + "' changed after it was ingested (" +
                             std::to_string(*then) + " bytes then, " +
                             std::to_string(f.size_bytes) + " now); it is not read again");
    }
  }
  return out;
}

Result<std::vector<UnitRows>> FileSource::Read(const std::vector<const Unit*>& batch,
                                               const std::vector<engine::Connection*>& conns,
                                               bool validate, engine::TempTables& temps) {
  const bool csv = source_.format == project::SourceFormat::kCsv;
  std::vector<std::optional<UnitRows>> fast(batch.size());
  if (!csv) {
    // One task per connection; each reads files until none is left.
    std::atomic<size_t> next{0};
    executor_.ParallelFor(conns.size(), 0, [&](size_t k) {
      for (size_t i = next++; i < batch.size(); i = next++) {
        auto rows = ReadJsonFast(*batch[i], source_, *conns[k], validate);
        if (rows.ok()) fast[i] = std::move(*rows);
      }
    });
  }
  std::vector<UnitRows> out;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (fast[i]) {
      out.push_back(std::move(*fast[i]));
      continue;
    }
    auto rows =
        csv ? ReadCsvFile(*batch[i], source_, temps) : ReadJsonSlow(*batch[i], source_, temps);
    if (!rows.ok()) {
      return rows.status().WithContext("source '" + source_.name + "', file '" + batch[i]->name +
                                       "'");
    }
    out.push_back(std::move(*rows));
  }
  return out;
}

}  // namespace carelake::ingest
