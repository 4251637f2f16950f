#include "carelake/ingest/quarantine_record.h"

#include "carelake/delta/schema.h"
#include "carelake/ingest/json_framer.h"

namespace carelake::ingest {

std::string Printable(std::string_view text) {
  std::string out(text.substr(0, kMaxRawBytes));
  while (true) {
    int64_t bad = FindInvalidUtf8(out);
    if (bad < 0) break;
    out[static_cast<size_t>(bad)] = '?';
  }
  return out;
}

UnitRows QuarantinedWhole(const Unit& unit, const std::string& reason) {
  UnitRows rows;
  rows.unit = &unit;
  rows.quarantined = 1;
  rows.first_error = reason;
  rows.quarantine_sql = "SELECT " + delta::QuoteLiteral(unit.name) +
                        " AS _source_file, NULL::BIGINT AS _source_position, NULL::BIGINT AS "
                        "_source_line, NULL::BIGINT AS _source_offset, " +
                        delta::QuoteLiteral(reason) + "::VARCHAR AS _reason, NULL::VARCHAR AS _raw";
  return rows;
}

Status CreateQuarantineTable(engine::TempTables& temps, const std::string& table) {
  CARELAKE_RETURN_IF_ERROR(temps.conn().Execute(
      "CREATE TEMP TABLE " + table +
      " (_source_file VARCHAR, _source_position BIGINT, _source_line BIGINT, _source_offset "
      "BIGINT, _reason VARCHAR, _raw VARCHAR)"));
  temps.Keep(table);
  return Status();
}

}  // namespace carelake::ingest
