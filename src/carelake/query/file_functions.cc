#include "carelake/query/file_functions.h"

#include <algorithm>
#include <array>

namespace carelake::query {
namespace {

// DuckDB 1.4's table and scalar functions over files, and those that run
// SQL text. Extensions are never loaded in such a session (INSTALL/LOAD are
// refused), but their names are listed too in case one is built in.
constexpr std::array<std::string_view, 40> kFileFunctions = {
    "read_csv",
    "read_csv_auto",
    "sniff_csv",
    "read_parquet",
    "parquet_scan",
    "parquet_metadata",
    "parquet_schema",
    "parquet_file_metadata",
    "parquet_kv_metadata",
    "parquet_bloom_probe",
    "read_json",
    "read_json_auto",
    "read_json_objects",
    "read_json_objects_auto",
    "read_ndjson",
    "read_ndjson_auto",
    "read_ndjson_objects",
    "read_text",
    "read_blob",
    "glob",
    "delta_scan",
    "iceberg_scan",
    "iceberg_metadata",
    "iceberg_snapshots",
    "read_xlsx",
    "st_read",
    "sqlite_scan",
    "sqlite_attach",
    "postgres_scan",
    "postgres_attach",
    "mysql_scan",
    "query",
    "query_table",
    "read_ndjson_objects_auto",
    "json_execute_serialized_sql",
    "checkpoint",
    "force_checkpoint",
    "export_database",
    "import_database",
    "copy_database",
};

}  // namespace

bool ReachesFiles(std::string_view name) {
  return std::find(kFileFunctions.begin(), kFileFunctions.end(), name) != kFileFunctions.end();
}

}  // namespace carelake::query
