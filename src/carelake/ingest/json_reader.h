// Reading a JSON file (an array document, or records one after another:
// NDJSON or pretty-printed) into bronze rows and quarantined records, by
// one of two paths:
//   - the fast path: DuckDB's JSON reader reads the file as is, with the
//     columns a scan of the file found (json_scan.h); only for files the
//     scan finds fit, and no record is quarantined;
//   - the slow path: the file is framed into records (json_framer.h) and
//     each parsed on its own (json_records.h); good records are appended to
//     a temporary table, bad ones quarantined with their location.
// A record reads the same whichever path read its file.
#ifndef CARELAKE_INGEST_JSON_READER_H_
#define CARELAKE_INGEST_JSON_READER_H_

#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/temp_tables.h"
#include "carelake/ingest/connector.h"
#include "carelake/project/project.h"

namespace carelake::ingest {

// The fast path for `unit`, a file of `source`: its rows' SQL reads only the
// file (any_connection). An error means the file needs the slow path (the
// scan rules it out, it cannot be read, or — with `validate`, when DuckDB
// parses every record first — DuckDB rejects it); without `validate` a
// file whose syntax is wrong fails only when bronze is written (so the rows
// are not `validated`). Thread-safe: uses only `conn` (one thread at a
// time).
Result<UnitRows> ReadJsonFast(const Unit& unit, const project::Source& source,
                              engine::Connection& conn, bool validate);

// The slow path for `unit`, into temporary tables of `temps`. A file that
// cannot be decompressed is quarantined as a whole; IoError if it cannot be
// read (the run fails, a later one retries); InvalidArgument if a record
// has a key bronze reserves for lineage.
Result<UnitRows> ReadJsonSlow(const Unit& unit, const project::Source& source,
                              engine::TempTables& temps);

}  // namespace carelake::ingest

#endif  // CARELAKE_INGEST_JSON_READER_H_
