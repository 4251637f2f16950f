// The run ledger's schema: the `_system.*` tables and their columns, in one
// place. The writer builds its rows from it and the reader reads columns by
// these names, so a column is added here and nowhere else;
// doc/data-quality.md describes each column for people.
//
// Rows (`Row`) are set and read by column name, never by position: a ledger
// written by an older carelake (without a later column) still reads, the
// missing column taking its default.
#ifndef CARELAKE_LEDGER_SCHEMA_H_
#define CARELAKE_LEDGER_SCHEMA_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "carelake/base/status.h"

namespace carelake::ledger {

// In the order a run writes them: its `runs` row when it starts, `files`
// while ingesting, then `steps`, `expectations` and its final `runs` row.
enum class LedgerTable { kRuns, kFiles, kSteps, kExpectations, kAlerts };
inline constexpr std::array<LedgerTable, 5> kLedgerTables = {
    LedgerTable::kRuns, LedgerTable::kFiles, LedgerTable::kSteps, LedgerTable::kExpectations,
    LedgerTable::kAlerts};

// "runs", "files", "steps", "expectations": `_system.<name>`, and the
// folder <lake>/_system/<name>.
std::string_view Name(LedgerTable table);

enum class ColumnType { kVarchar, kBigInt, kBoolean, kTimestampTz, kVarcharList };
// DuckDB's spelling: "VARCHAR", "BIGINT", "BOOLEAN", "TIMESTAMPTZ", "VARCHAR[]".
std::string_view SqlType(ColumnType type);

struct Column {
  std::string_view name;
  ColumnType type;
};

// The columns of `table`, in table order.
const std::vector<Column>& Columns(LedgerTable table);

// A timestamp cell: milliseconds since the Unix epoch.
struct Millis {
  int64_t value = 0;
  friend bool operator==(Millis a, Millis b) { return a.value == b.value; }
};

// One cell: SQL NULL (monostate) or a value of its column's type.
using Cell =
    std::variant<std::monostate, int64_t, bool, std::string, Millis, std::vector<std::string>>;

// A row of one ledger table, its cells set by column name. Setting a column
// the table does not have, or a value of the wrong type, is recorded and
// reported by status() (a bug in the caller, not in the data).
class Row {
 public:
  explicit Row(LedgerTable table);

  LedgerTable table() const { return table_; }

  Row& Set(std::string_view column, Cell value);
  // Empty text is NULL.
  Row& SetText(std::string_view column, const std::string& text);
  Row& SetOptional(std::string_view column, const std::optional<int64_t>& value);

  // Internal naming the first bad Set(), or a column never set.
  Status status() const;

  // The cells in column order (NULL where unset).
  const std::vector<Cell>& cells() const { return cells_; }

 private:
  LedgerTable table_;
  std::vector<Cell> cells_;
  std::vector<bool> set_;
  std::string error_;
};

// The row as a SQL tuple of typed literals in column order, e.g.
// `('r1'::VARCHAR, 3::BIGINT, NULL::VARCHAR, ...)`.
std::string SqlTuple(const Row& row);

}  // namespace carelake::ledger

#endif  // CARELAKE_LEDGER_SCHEMA_H_
