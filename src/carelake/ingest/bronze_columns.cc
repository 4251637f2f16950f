#include "carelake/ingest/bronze_columns.h"

#include <cctype>

#include "carelake/delta/schema.h"

namespace carelake::ingest {

std::string ColumnKey(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

Status CheckNoLineageColumn(const std::string& source, const std::vector<std::string>& columns) {
  for (const std::string& c : columns) {
    for (const char* lineage : kLineageColumns) {
      if (delta::EqualsIgnoreCase(c, lineage)) {
        return InvalidArgument("source '" + source + "': a source column is named '" + c +
                               "', which bronze reserves for lineage");
      }
    }
  }
  return Status();
}

std::string LineageSql(const std::string& run_id, const std::string& source_file,
                       int64_t ingested_at_ms) {
  return delta::QuoteLiteral(run_id) + " AS _run_id, " + delta::QuoteLiteral(source_file) +
         " AS _source_file, _source_position, epoch_ms(" + std::to_string(ingested_at_ms) +
         ")::TIMESTAMPTZ AS _ingested_at";
}

}  // namespace carelake::ingest
