// Records that cannot go to bronze, as readers hand them to the bronze
// quarantine table: one row each of
//   _source_file VARCHAR      the unit's name
//   _source_position BIGINT   1-based record number (NULL: the whole unit,
//                             or a CSV record, whose positions count the
//                             records that parsed)
//   _source_line BIGINT       1-based line where the record starts
//   _source_offset BIGINT     byte offset where it starts
//   _reason VARCHAR           why it was set aside
//   _raw VARCHAR              its text, made printable (Printable)
// to which the BronzeWriter adds `_run_id` (first) and `_ingested_at` (last).
#ifndef CARELAKE_INGEST_QUARANTINE_RECORD_H_
#define CARELAKE_INGEST_QUARANTINE_RECORD_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "carelake/base/status.h"
#include "carelake/engine/temp_tables.h"
#include "carelake/ingest/connector.h"

namespace carelake::ingest {

// Raw text kept per quarantined record, at most.
inline constexpr size_t kMaxRawBytes = 1 << 20;

// Text that DuckDB accepts: invalid UTF-8 bytes become '?'; capped at
// kMaxRawBytes.
std::string Printable(std::string_view text);

// `unit` quarantined as a whole (it cannot be read at all) for `reason`:
// one row with only the file and the reason; no row goes to bronze.
UnitRows QuarantinedWhole(const Unit& unit, const std::string& reason);

// Creates `table`, a temporary table with the quarantine columns, on
// `temps.conn()`, kept in `temps`.
Status CreateQuarantineTable(engine::TempTables& temps, const std::string& table);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_QUARANTINE_RECORD_H_
