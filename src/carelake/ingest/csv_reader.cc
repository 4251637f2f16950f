#include "carelake/ingest/csv_reader.h"

#include <algorithm>

#include "carelake/delta/schema.h"
#include "carelake/engine/appender.h"
#include "carelake/ingest/bronze_columns.h"
#include "carelake/ingest/latin1.h"
#include "carelake/ingest/quarantine_record.h"
#include "carelake/ingest/source_file.h"

namespace carelake::ingest {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;

// True for errors in the SQL carelake generated (a bug, not bad input).
bool IsStatementError(const Status& st) {
  for (const char* kind :
       {"Parser Error", "Binder Error", "Catalog Error", "Not implemented Error"}) {
    if (st.message().find(kind) != std::string::npos) return true;
  }
  return false;
}

// True for errors about what was read: DuckDB's parse, conversion and
// invalid input errors (engine/internal.cc), and a corrupt compressed file.
bool IsAboutTheInput(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
    case StatusCode::kNotSupported:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kCorruption:  // a truncated or corrupt gzip stream
      return true;
    default:
      return false;
  }
}

// DuckDB's read_csv of the file, which keeps the records it rejects in the
// tables named `scan` and `rejects`.
std::string ReaderSql(const Unit& unit, const project::Source& source, const std::string& scan,
                      const std::string& rejects) {
  const bool latin1 = source.encoding == project::Encoding::kLatin1;
  auto ch = [](char x) { return QuoteLiteral(std::string(1, x)); };
  return "read_csv(" + QuoteLiteral(unit.location) +
         ", all_varchar = true, header = " + (source.header ? "true" : "false") +
         ", delim = " + ch(source.delimiter) + ", quote = " + ch(source.quote) +
         ", escape = " + ch(source.escape) + ", compression = " + CompressionOption(source) +
         ", encoding = " + (latin1 ? "'latin-1'" : "'utf-8'") +
         ", strict_mode = true, null_padding = false, store_rejects = true, rejects_scan = " +
         QuoteLiteral(scan) + ", rejects_table = " + QuoteLiteral(rejects) + ")";
}

// Quarantines the records DuckDB rejected (in the table `rejects`) into
// `rows`: one quarantine row per record (a record may fail several ways,
// each a row of the rejects table). Runs `drop_rejects` once it has read
// them.
Status QuarantineRejects(const Unit& unit, const project::Source& source,
                         const std::string& rejects, const std::string& drop_rejects,
                         engine::TempTables& temps, UnitRows& rows) {
  engine::Connection& conn = temps.conn();
  auto rejected = conn.Query(
      "SELECT min(line_byte_position), string_agg(DISTINCT error_type || ': ' || "
      "error_message, '; ' ORDER BY error_type || ': ' || error_message), any_value(csv_line), "
      "line FROM " +
      QuoteIdentifier(rejects) + " GROUP BY line ORDER BY min(line_byte_position), line");
  (void)conn.Execute(drop_rejects);
  if (!rejected.ok()) return rejected.status();
  CARELAKE_ASSIGN_OR_RETURN(auto bad_rows, rejected->FetchAllRows());
  if (bad_rows.empty()) return Status();
  std::vector<int64_t> positions;
  for (const auto& row : bad_rows) {
    positions.push_back(row[0].is_null() ? 0 : engine::AsInt64(row[0]));
  }
  // DuckDB's positions are in the text it parsed: decompressed, in UTF-8.
  const bool latin1 = source.encoding == project::Encoding::kLatin1;
  std::vector<CsvLocation> where;
  if (auto text = ReadAll(unit.location); text.ok()) {
    where = LocateCsvRecords(latin1 ? Latin1ToUtf8(*text) : *text, latin1, source.quote,
                             source.escape, positions);
  }
  const std::string table = temps.NewName("csv_bad");
  CARELAKE_RETURN_IF_ERROR(CreateQuarantineTable(temps, table));
  CARELAKE_ASSIGN_OR_RETURN(engine::Appender app, engine::Appender::Create(conn, table));
  for (size_t i = 0; i < bad_rows.size(); ++i) {
    const auto& row = bad_rows[i];
    const std::string reason = row[1].is_null() ? "rejected" : row[1].GetString();
    CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(unit.name)));
    CARELAKE_RETURN_IF_ERROR(app.AppendNull());  // positions count the records that parsed
    if (i < where.size()) {
      CARELAKE_RETURN_IF_ERROR(app.Append(where[i].line));
      CARELAKE_RETURN_IF_ERROR(app.Append(where[i].offset));
    } else {  // the file could not be read again: DuckDB's numbers
      CARELAKE_RETURN_IF_ERROR(app.Append(engine::AsInt64(row[3])));
      CARELAKE_RETURN_IF_ERROR(app.Append(positions[i]));
    }
    CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(reason)));
    if (i < where.size()) {
      CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(where[i].raw)));
    } else if (row[2].is_null()) {
      CARELAKE_RETURN_IF_ERROR(app.AppendNull());
    } else {
      CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(Printable(row[2].GetString()))));
    }
    CARELAKE_RETURN_IF_ERROR(app.EndRow());
    if (i == 0) {
      rows.first_error =
          "line " + std::to_string(i < where.size() ? where[i].line : engine::AsInt64(row[3])) +
          ": " + reason;
    }
  }
  CARELAKE_RETURN_IF_ERROR(app.Close());
  rows.quarantined = static_cast<int64_t>(bad_rows.size());
  rows.quarantine_sql = "SELECT * FROM " + table;
  return Status();
}

}  // namespace

Result<UnitRows> ReadCsvFile(const Unit& unit, const project::Source& source,
                             engine::TempTables& temps) {
  engine::Connection& conn = temps.conn();
  UnitRows rows;
  rows.unit = &unit;
  const std::string scan = temps.NewName("rejects_scan");
  const std::string rejects = temps.NewName("rejects");
  const std::string table = temps.NewName("csv");
  // DuckDB appends to an existing rejects table: never let one outlive its file.
  const std::string drop_rejects = "DROP TABLE IF EXISTS " + QuoteIdentifier(rejects) +
                                   "; DROP TABLE IF EXISTS " + QuoteIdentifier(scan);
  (void)conn.Execute(drop_rejects);
  Status st = CheckReadable(unit.location, source.compression != project::Compression::kNone);
  // A file that cannot be read is not bad data: the run fails, a later one retries.
  if (st.code() == StatusCode::kIoError) return st;
  if (st.ok()) {
    st = conn.Execute("CREATE TEMP TABLE " + table +
                      " AS SELECT *, row_number() OVER () AS _source_position FROM " +
                      ReaderSql(unit, source, scan, rejects));
  }
  if (!st.ok()) {
    (void)conn.Execute(drop_rejects);
    // Only an error about the file's contents quarantines it. A stop
    // request (DuckDB interrupt), memory, I/O or an internal error is not the
    // file's fault: the run fails or stops and a later one reads the file.
    if (IsStatementError(st) || !IsAboutTheInput(st)) return st;
    return QuarantinedWhole(unit, st.message());
  }
  temps.Keep(table);
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult cols,
                            conn.Query("SELECT * FROM " + table + " LIMIT 0"));
  for (size_t i = 0; i + 1 < cols.column_count(); ++i) rows.columns.push_back(cols.column_name(i));
  CARELAKE_RETURN_IF_ERROR(CheckNoLineageColumn(source.name, rows.columns));
  CARELAKE_ASSIGN_OR_RETURN(rows.records, engine::QueryInt(conn, "SELECT count(*) FROM " + table));
  if (rows.records > 0) rows.rows_sql = "SELECT * FROM " + table;
  CARELAKE_RETURN_IF_ERROR(QuarantineRejects(unit, source, rejects, drop_rejects, temps, rows));
  return rows;
}

std::vector<CsvLocation> LocateCsvRecords(std::string_view text, bool latin1, char quote,
                                          char escape, const std::vector<int64_t>& positions) {
  std::vector<CsvLocation> out;
  size_t counted = 0;  // text[0, counted) holds `line - 1` line breaks and `continuation` bytes
  int64_t line = 1;
  int64_t continuation = 0;
  for (int64_t p : positions) {
    size_t pos = std::min(static_cast<size_t>(std::max<int64_t>(p, 0)), text.size());
    size_t start = pos;
    while (start > 0 && text[start - 1] != '\n') --start;
    if (start < counted) {  // out of order: count from the start again
      counted = 0;
      line = 1;
      continuation = 0;
    }
    for (; counted < start; ++counted) {
      line += text[counted] == '\n';
      continuation += (static_cast<unsigned char>(text[counted]) & 0xC0) == 0x80;
    }
    // The record runs to the first line break outside quotes.
    size_t end = start;
    bool quoted = false;
    while (end < text.size()) {
      const char c = text[end];
      if (quoted) {
        if (c == escape && escape != quote && end + 1 < text.size()) {
          end += 2;
          continue;
        }
        if (c == quote) {
          if (escape == quote && end + 1 < text.size() && text[end + 1] == quote) {
            end += 2;
            continue;
          }
          quoted = false;
        }
      } else if (c == quote) {
        quoted = true;
      } else if (c == '\n') {
        break;
      }
      ++end;
    }
    if (end > start && text[end - 1] == '\r') --end;
    CsvLocation loc;
    loc.line = line;
    loc.offset = static_cast<int64_t>(start) - (latin1 ? continuation : 0);
    loc.raw = Printable(text.substr(start, end - start));
    out.push_back(std::move(loc));
  }
  return out;
}

}  // namespace carelake::ingest
