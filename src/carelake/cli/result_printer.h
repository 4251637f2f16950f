// Prints query results as an aligned table, CSV or JSON.
#ifndef CARELAKE_CLI_RESULT_PRINTER_H_
#define CARELAKE_CLI_RESULT_PRINTER_H_

#include <cstddef>
#include <ostream>
#include <string_view>

#include "carelake/base/result.h"
#include "carelake/engine/query_result.h"

namespace carelake::cli {

enum class OutputFormat { kTable, kCsv, kJson };

// Parses "table", "csv" or "json".
Result<OutputFormat> ParseOutputFormat(std::string_view name);

struct PrintOptions {
  OutputFormat format = OutputFormat::kTable;
  // Table format only: rows shown at most (0 = all); the footer tells how
  // many were left out. CSV and JSON always print every row.
  size_t max_table_rows = 10'000;
};

// Consumes `result` (streaming it chunk by chunk) and writes it to `out`.
// Results that return no rows print nothing. Table format:
//
//    id | name
//   ----+-------
//     1 | Ana
//   (1 row)
//
// numbers right-aligned, NULL written as NULL. CSV: a header line, RFC 4180
// quoting, NULL as an empty field. JSON: an array of objects, numbers and
// booleans unquoted, NULL as null, everything else a string.
Status PrintResult(engine::QueryResult& result, const PrintOptions& options, std::ostream& out);

// Display width of UTF-8 text in a terminal cell grid (code points; East
// Asian wide characters count 2).
size_t DisplayWidth(std::string_view utf8);

}  // namespace carelake::cli

#endif  // CARELAKE_CLI_RESULT_PRINTER_H_
