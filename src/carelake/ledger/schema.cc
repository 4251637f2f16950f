#include "carelake/ledger/schema.h"

#include "carelake/delta/schema.h"

namespace carelake::ledger {
namespace {

constexpr ColumnType kText = ColumnType::kVarchar;
constexpr ColumnType kInt = ColumnType::kBigInt;
constexpr ColumnType kBool = ColumnType::kBoolean;
constexpr ColumnType kTime = ColumnType::kTimestampTz;

bool Fits(const Cell& cell, ColumnType type) {
  switch (type) {
    case ColumnType::kVarchar:
      return std::holds_alternative<std::string>(cell);
    case ColumnType::kBigInt:
      return std::holds_alternative<int64_t>(cell);
    case ColumnType::kBoolean:
      return std::holds_alternative<bool>(cell);
    case ColumnType::kTimestampTz:
      return std::holds_alternative<Millis>(cell);
    case ColumnType::kVarcharList:
      return std::holds_alternative<std::vector<std::string>>(cell);
  }
  return false;
}

std::string Literal(const Cell& cell, ColumnType type) {
  const std::string cast = "::" + std::string(SqlType(type));
  if (std::holds_alternative<std::monostate>(cell)) return "NULL" + cast;
  if (const auto* v = std::get_if<int64_t>(&cell)) return std::to_string(*v) + cast;
  if (const auto* v = std::get_if<bool>(&cell)) return *v ? "true" : "false";
  if (const auto* v = std::get_if<std::string>(&cell)) return delta::QuoteLiteral(*v) + cast;
  if (const auto* v = std::get_if<Millis>(&cell)) {
    return "epoch_ms(" + std::to_string(v->value) + "::BIGINT)" + cast;
  }
  std::string list;
  for (const std::string& s : std::get<std::vector<std::string>>(cell)) {
    list += (list.empty() ? "" : ", ") + delta::QuoteLiteral(s);
  }
  return "[" + list + "]" + cast;
}

}  // namespace

std::string_view Name(LedgerTable table) {
  switch (table) {
    case LedgerTable::kRuns:
      return "runs";
    case LedgerTable::kFiles:
      return "files";
    case LedgerTable::kSteps:
      return "steps";
    case LedgerTable::kExpectations:
      return "expectations";
    case LedgerTable::kAlerts:
      return "alerts";
  }
  return "?";
}

std::string_view SqlType(ColumnType type) {
  switch (type) {
    case ColumnType::kVarchar:
      return "VARCHAR";
    case ColumnType::kBigInt:
      return "BIGINT";
    case ColumnType::kBoolean:
      return "BOOLEAN";
    case ColumnType::kTimestampTz:
      return "TIMESTAMPTZ";
    case ColumnType::kVarcharList:
      return "VARCHAR[]";
  }
  return "?";
}

const std::vector<Column>& Columns(LedgerTable table) {
  static const std::vector<Column> kRuns = {
      {"run_id", kText},      {"project", kText},     {"started_at", kTime},
      {"finished_at", kTime}, {"status", kText},      {"duration_ms", kInt},
      {"steps", kInt},        {"rows_written", kInt}, {"rows_quarantined", kInt},
      {"committed", kBool},   {"selection", kText},   {"full_refresh", kBool},
      {"failed_step", kText}, {"failed_rule", kText}, {"error", kText},
      {"job", kText},         {"trigger", kText}};
  static const std::vector<Column> kFiles = {
      {"run_id", kText},     {"source", kText},      {"file", kText},
      {"size_bytes", kInt},  {"modified_at", kTime}, {"records", kInt},
      {"quarantined", kInt}, {"first_error", kText}, {"ingested_at", kTime}};
  static const std::vector<Column> kSteps = {
      {"run_id", kText},          {"step", kText},        {"kind", kText},
      {"status", kText},          {"rows_read", kInt},    {"rows_written", kInt},
      {"rows_quarantined", kInt}, {"rows_dropped", kInt}, {"rows_deduplicated", kInt},
      {"rows_fixed", kInt},       {"rows_warned", kInt},  {"files", kInt},
      {"table_version", kInt},    {"started_at", kTime},  {"duration_ms", kInt},
      {"message", kText},         {"mode", kText},        {"reason", kText}};
  static const std::vector<Column> kExpectations = {
      {"run_id", kText},     {"table_name", kText},
      {"rule", kText},       {"action", kText},
      {"check_sql", kText},  {"rows_checked", kInt},
      {"rows_failed", kInt}, {"examples", ColumnType::kVarcharList}};
  // One row per alert sent or given up on (carelake serve).
  static const std::vector<Column> kAlerts = {
      {"sent_at", kTime}, {"project", kText}, {"alert", kText},    {"channel", kText},
      {"event", kText},   {"job", kText},     {"source", kText},   {"run_id", kText},
      {"step", kText},    {"rule", kText},    {"reminder", kBool}, {"suppressed", kInt},
      {"status", kText},  {"attempts", kInt}, {"error", kText}};
  switch (table) {
    case LedgerTable::kRuns:
      return kRuns;
    case LedgerTable::kAlerts:
      return kAlerts;
    case LedgerTable::kFiles:
      return kFiles;
    case LedgerTable::kSteps:
      return kSteps;
    case LedgerTable::kExpectations:
      return kExpectations;
  }
  return kRuns;
}

Row::Row(LedgerTable table)
    : table_(table), cells_(Columns(table).size()), set_(Columns(table).size(), false) {}

Row& Row::Set(std::string_view column, Cell value) {
  const std::vector<Column>& columns = Columns(table_);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name != column) continue;
    if (!std::holds_alternative<std::monostate>(value) && !Fits(value, columns[i].type)) {
      if (error_.empty()) {
        error_ = "_system." + std::string(Name(table_)) + "." + std::string(column) + " is " +
                 std::string(SqlType(columns[i].type)) + ": a value of another type was set";
      }
      return *this;
    }
    cells_[i] = std::move(value);
    set_[i] = true;
    return *this;
  }
  if (error_.empty()) {
    error_ =
        "_system." + std::string(Name(table_)) + " has no column '" + std::string(column) + "'";
  }
  return *this;
}

Row& Row::SetText(std::string_view column, const std::string& text) {
  return text.empty() ? Set(column, Cell()) : Set(column, Cell(text));
}

Row& Row::SetOptional(std::string_view column, const std::optional<int64_t>& value) {
  return value ? Set(column, Cell(*value)) : Set(column, Cell());
}

Status Row::status() const {
  if (!error_.empty()) return Internal(error_);
  const std::vector<Column>& columns = Columns(table_);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!set_[i]) {
      return Internal("_system." + std::string(Name(table_)) + "." + std::string(columns[i].name) +
                      " was not set");
    }
  }
  return Status::Ok();
}

std::string SqlTuple(const Row& row) {
  const std::vector<Column>& columns = Columns(row.table());
  std::string out = "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    out += (i ? ", " : "") + Literal(row.cells()[i], columns[i].type);
  }
  return out + ")";
}

}  // namespace carelake::ledger
