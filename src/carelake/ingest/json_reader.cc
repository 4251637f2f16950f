#include "carelake/ingest/json_reader.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "carelake/delta/schema.h"
#include "carelake/engine/appender.h"
#include "carelake/ingest/bronze_columns.h"
#include "carelake/ingest/json_framer.h"
#include "carelake/ingest/json_records.h"
#include "carelake/ingest/json_scan.h"
#include "carelake/ingest/quarantine_record.h"
#include "carelake/ingest/source_file.h"

namespace carelake::ingest {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;
using project::SourceFormat;

// A good record as (column, value) pairs, columns as indexes into the
// file's columns.
struct GoodRecord {
  int64_t position;
  std::vector<std::pair<size_t, std::optional<std::string>>> values;
};

struct BadRecord {
  const JsonFrame* frame;
  std::string reason;
};

// The frames of a file parsed: the good records, the bad ones, and the
// columns of the good ones in order of appearance (matched by ColumnKey as
// bronze matches them, first spelling kept).
struct SortedRecords {
  std::vector<GoodRecord> good;
  std::vector<BadRecord> bad;
  std::vector<std::string> columns;
};

SortedRecords SortRecords(const std::vector<JsonFrame>& frames) {
  SortedRecords out;
  std::unordered_map<std::string, size_t> column_index;  // column key -> column
  std::vector<Member> members;
  for (const JsonFrame& f : frames) {
    std::string reason = f.error;
    if (reason.empty()) {
      const int64_t invalid = FindInvalidUtf8(f.text);
      if (invalid >= 0) {
        reason = "invalid UTF-8 at byte " + std::to_string(f.offset + invalid) + " of the file";
      }
    }
    if (reason.empty()) reason = ParseJsonRecord(f.text, f.offset, &members);
    if (!reason.empty()) {
      out.bad.push_back({&f, std::move(reason)});
      continue;
    }
    GoodRecord g{f.position, {}};
    for (Member& m : members) {
      auto [it, inserted] = column_index.emplace(ColumnKey(m.key), out.columns.size());
      if (inserted) out.columns.push_back(m.key);
      g.values.emplace_back(it->second, std::move(m.value));
    }
    out.good.push_back(std::move(g));
  }
  return out;
}

// Appends the good records to a new temporary table of `temps` with
// `columns` and `_source_position`; returns its name.
Result<std::string> AppendGoodRecords(const std::vector<GoodRecord>& good,
                                      const std::vector<std::string>& columns,
                                      engine::TempTables& temps) {
  const std::string table = temps.NewName("json");
  std::string ddl = "CREATE TEMP TABLE " + table + " (";
  for (const std::string& col : columns) ddl += QuoteIdentifier(col) + " VARCHAR, ";
  CARELAKE_RETURN_IF_ERROR(temps.conn().Execute(ddl + "_source_position BIGINT)"));
  temps.Keep(table);
  CARELAKE_ASSIGN_OR_RETURN(engine::Appender app, engine::Appender::Create(temps.conn(), table));
  std::vector<const std::optional<std::string>*> row(columns.size());
  for (const GoodRecord& g : good) {
    std::fill(row.begin(), row.end(), nullptr);
    for (const auto& [col, value] : g.values) row[col] = &value;
    for (const std::optional<std::string>* v : row) {
      if (v == nullptr || !v->has_value()) {
        CARELAKE_RETURN_IF_ERROR(app.AppendNull());
      } else {
        CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(**v)));
      }
    }
    CARELAKE_RETURN_IF_ERROR(app.Append(g.position));
    CARELAKE_RETURN_IF_ERROR(app.EndRow());
  }
  CARELAKE_RETURN_IF_ERROR(app.Close());
  return table;
}

// Appends the bad records of `unit` to a new temporary quarantine table of
// `temps`; returns its name.
Result<std::string> AppendBadRecords(const std::vector<BadRecord>& bad, const Unit& unit,
                                     engine::TempTables& temps) {
  const std::string table = temps.NewName("json_bad");
  CARELAKE_RETURN_IF_ERROR(CreateQuarantineTable(temps, table));
  CARELAKE_ASSIGN_OR_RETURN(engine::Appender app, engine::Appender::Create(temps.conn(), table));
  for (const BadRecord& b : bad) {
    const JsonFrame& f = *b.frame;
    // A frame with no text (the file ends before the array's `]`) is
    // about the file, not a record.
    const bool record = !f.text.empty();
    CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(unit.name)));
    CARELAKE_RETURN_IF_ERROR(record ? app.Append(f.position) : app.AppendNull());
    CARELAKE_RETURN_IF_ERROR(app.Append(f.line));
    CARELAKE_RETURN_IF_ERROR(app.Append(f.offset));
    CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(b.reason)));
    CARELAKE_RETURN_IF_ERROR(record ? app.Append(std::string_view(Printable(f.text)))
                                    : app.AppendNull());
    CARELAKE_RETURN_IF_ERROR(app.EndRow());
  }
  CARELAKE_RETURN_IF_ERROR(app.Close());
  return table;
}

}  // namespace

Result<UnitRows> ReadJsonFast(const Unit& unit, const project::Source& source,
                              engine::Connection& conn, bool validate) {
  CARELAKE_ASSIGN_OR_RETURN(JsonShape shape, ScanJsonShape(unit.location));
  if (!shape.fast) return NotSupported("the file needs the slow path");
  // An array document is read as one also after a byte order mark, which
  // DuckDB's detection does not look past.
  const std::string format = source.format == SourceFormat::kNdjson ? "'newline_delimited'"
                             : shape.first == '['                   ? "'array'"
                                                                    : "'auto'";
  const std::string options =
      ", format = " + format + ", compression = " + CompressionOption(source);
  UnitRows rows;
  rows.unit = &unit;
  rows.any_connection = true;
  rows.validated = validate;
  rows.records = shape.records;
  if (validate) {
    CARELAKE_ASSIGN_OR_RETURN(
        int64_t objects,
        engine::QueryInt(conn, "SELECT count(*) FROM read_json_objects(" +
                                   QuoteLiteral(unit.location) + options +
                                   ") WHERE json_type(json) = 'OBJECT' AND json_keys(json) "
                                   "IS NOT NULL"));
    if (objects != shape.records) return InvalidArgument("records the scan did not see");
  }
  CARELAKE_RETURN_IF_ERROR(CheckNoLineageColumn(source.name, shape.keys));
  if (rows.records == 0) return rows;
  if (shape.keys.empty()) {  // every record is `{}`: rows with lineage only
    rows.rows_sql = "SELECT row_number() OVER () AS _source_position FROM read_json_objects(" +
                    QuoteLiteral(unit.location) + options + ")";
    return rows;
  }
  std::string columns;
  for (const std::string& k : shape.keys) {
    columns += (columns.empty() ? "" : ", ") + QuoteLiteral(k) + ": 'VARCHAR'";
  }
  rows.columns = shape.keys;
  rows.rows_sql = "SELECT *, row_number() OVER () AS _source_position FROM read_json(" +
                  QuoteLiteral(unit.location) + options + ", columns = {" + columns + "})";
  return rows;
}

Result<UnitRows> ReadJsonSlow(const Unit& unit, const project::Source& source,
                              engine::TempTables& temps) {
  auto data = ReadAll(unit.location);
  // A file that cannot be read is not bad data: the run fails, a later one retries.
  if (data.status().code() == StatusCode::kIoError) return data.status();
  if (!data.ok()) return QuarantinedWhole(unit, data.status().message());
  const std::vector<JsonFrame> frames = FrameJsonRecords(
      *data, source.format == SourceFormat::kNdjson ? JsonLayout::kLines : JsonLayout::kDetect);
  SortedRecords sorted = SortRecords(frames);
  CARELAKE_RETURN_IF_ERROR(CheckNoLineageColumn(source.name, sorted.columns));
  UnitRows rows;
  rows.unit = &unit;
  rows.columns = std::move(sorted.columns);
  rows.records = static_cast<int64_t>(sorted.good.size());
  rows.quarantined = static_cast<int64_t>(sorted.bad.size());
  if (!sorted.good.empty()) {
    CARELAKE_ASSIGN_OR_RETURN(std::string table,
                              AppendGoodRecords(sorted.good, rows.columns, temps));
    rows.rows_sql = "SELECT * FROM " + table;
  }
  if (!sorted.bad.empty()) {
    CARELAKE_ASSIGN_OR_RETURN(std::string table, AppendBadRecords(sorted.bad, unit, temps));
    const BadRecord& first = sorted.bad.front();
    const JsonFrame& f = *first.frame;
    rows.first_error = (f.text.empty() ? "" : "record " + std::to_string(f.position) + " ") +
                       "(line " + std::to_string(f.line) + ", byte " + std::to_string(f.offset) +
                       "): " + first.reason;
    rows.quarantine_sql = "SELECT * FROM " + table;
  }
  return rows;
}

}  // namespace carelake::ingest
