// The DuckDB functions that read, list or write files (or run SQL given as
// text, which could call them): what a catalog-only session
// (SessionOptions::catalog_only) may not call, whatever their arguments.
#ifndef CARELAKE_QUERY_FILE_FUNCTIONS_H_
#define CARELAKE_QUERY_FILE_FUNCTIONS_H_

#include <string_view>

namespace carelake::query {

// `name` lowercased, without schema.
bool ReachesFiles(std::string_view name);

}  // namespace carelake::query

#endif  // CARELAKE_QUERY_FILE_FUNCTIONS_H_
