// Reading a CSV file into bronze rows and quarantined records.
//
// DuckDB's CSV reader reads the file (every column as text, the source's
// header, delimiter, quote, escape, compression and encoding, strict mode)
// and sets aside the records it rejects; those are quarantined one row per
// record, located in the file by LocateCsvRecords. A file it cannot read at
// all (a corrupt gzip stream, anything else DuckDB's reader refuses as a
// whole) is quarantined as a whole.
#ifndef CARELAKE_INGEST_CSV_READER_H_
#define CARELAKE_INGEST_CSV_READER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/engine/temp_tables.h"
#include "carelake/ingest/connector.h"
#include "carelake/project/project.h"

namespace carelake::ingest {

// Reads the CSV file `unit` of `source` into temporary tables of `temps`.
// IoError if the file cannot be read (the run fails, a later one retries);
// DuckDB's errors about the SQL written here are returned too (a bug, not
// bad input).
Result<UnitRows> ReadCsvFile(const Unit& unit, const project::Source& source,
                             engine::TempTables& temps);

// Where a rejected record is: DuckDB's rejects table gives the record's
// number (counting the header and blank lines, not the line breaks inside
// quoted fields) and a byte position near its start (one past it, except
// after a blank line or a "\r\n"); the record starts just after the last
// line break before that position.
struct CsvLocation {
  int64_t line = 0;    // 1-based line of the file
  int64_t offset = 0;  // byte offset in the file
  std::string raw;     // the record's text, made printable
};

// One location per entry of `positions`, in their order. `text` is the
// file's text as DuckDB parsed it (decompressed, and converted to UTF-8 from
// `latin1`; offsets are then given in the Latin-1 file's bytes); records
// run to the first line break outside `quote`s. `positions` ascending is
// fastest, any order works.
std::vector<CsvLocation> LocateCsvRecords(std::string_view text, bool latin1, char quote,
                                          char escape, const std::vector<int64_t>& positions);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_CSV_READER_H_
