#include "carelake/ledger/writer.h"

#include <algorithm>
#include <utility>

#include "carelake/catalog/catalog.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/engine/temp_tables.h"

namespace carelake::ledger {
namespace {

// Rows per INSERT statement: bounds the SQL text of one statement.
constexpr size_t kRowsPerStatement = 1000;

std::string ColumnList(LedgerTable table) {
  std::string out;
  for (const Column& c : Columns(table)) {
    out += (out.empty() ? "" : ", ") + delta::QuoteIdentifier(std::string(c.name));
  }
  return out;
}

std::string ValuesSql(const std::vector<Row>& rows, size_t begin, size_t end) {
  std::string sql = "VALUES ";
  for (size_t i = begin; i < end; ++i) sql += (i == begin ? "" : ", ") + SqlTuple(rows[i]);
  return sql;
}

std::string RunStatusText(const RunRecord& run) { return ToString(run.status); }

}  // namespace

Row ToRow(const RunRecord& run) {
  Row row(LedgerTable::kRuns);
  row.Set("run_id", run.run_id)
      .Set("project", run.project)
      .Set("started_at", Millis{run.started_ms})
      .Set("finished_at", run.finished_ms ? Cell(Millis{*run.finished_ms}) : Cell())
      .Set("status", RunStatusText(run))
      .Set("duration_ms", run.duration_ms)
      .Set("steps", run.steps)
      .Set("rows_written", run.rows_written)
      .Set("rows_quarantined", run.rows_quarantined)
      .Set("committed", run.committed)
      .SetText("selection", run.selection)
      .Set("full_refresh", run.full_refresh)
      .SetText("failed_step", run.failed_step)
      .SetText("failed_rule", run.failed_rule)
      .SetText("error", run.error)
      .SetText("job", run.job)
      .SetText("trigger", run.trigger);
  return row;
}

Row ToRow(const std::string& run_id, const StepRecord& step) {
  Row row(LedgerTable::kSteps);
  row.Set("run_id", run_id)
      .Set("step", step.name)
      .Set("kind", step.kind)
      .Set("status", ToString(step.status))
      .Set("rows_read", step.rows_read)
      .Set("rows_written", step.rows_written)
      .Set("rows_quarantined", step.rows_quarantined)
      .Set("rows_dropped", step.rows_dropped)
      .Set("rows_deduplicated", step.rows_deduplicated)
      .Set("rows_fixed", step.rows_fixed)
      .Set("rows_warned", step.rows_warned)
      .Set("files", step.files)
      .SetOptional("table_version", step.version)
      .Set("started_at", Millis{step.started_ms})
      .Set("duration_ms", step.duration_ms)
      .SetText("message", step.message)
      .SetText("mode", step.mode == model::BuildMode::kNone ? "" : model::ToString(step.mode))
      .SetText("reason", step.reason);
  return row;
}

Row ToRow(const ExpectationRecord& e) {
  Row row(LedgerTable::kExpectations);
  row.Set("run_id", e.run_id)
      .Set("table_name", e.table)
      .Set("rule", e.rule)
      .Set("action", e.action)
      .SetText("check_sql", e.check_sql)
      .Set("rows_checked", e.rows_checked)
      .Set("rows_failed", e.rows_failed)
      .Set("examples", e.examples);
  return row;
}

Row ToRow(const FileRecord& f) {
  Row row(LedgerTable::kFiles);
  row.Set("run_id", f.run_id)
      .Set("source", f.source)
      .Set("file", f.file)
      .Set("size_bytes", f.size_bytes)
      .Set("modified_at", Millis{f.modified_ms})
      .Set("records", f.records)
      .Set("quarantined", f.quarantined)
      .SetText("first_error", f.first_error)
      .Set("ingested_at", Millis{f.ingested_ms});
  return row;
}

Row ToRow(const AlertRecord& a) {
  Row row(LedgerTable::kAlerts);
  row.Set("sent_at", Millis{a.sent_ms})
      .Set("project", a.project)
      .Set("alert", a.alert)
      .Set("channel", a.channel)
      .Set("event", a.event)
      .SetText("job", a.job)
      .SetText("source", a.source)
      .SetText("run_id", a.run_id)
      .SetText("step", a.step)
      .SetText("rule", a.rule)
      .Set("reminder", a.reminder)
      .Set("suppressed", a.suppressed)
      .Set("status", a.status)
      .Set("attempts", a.attempts)
      .SetText("error", a.error);
  return row;
}

Writer::Writer(FileSystem& fs, std::string lake, engine::Connection& conn, const Clock* clock)
    : fs_(fs), lake_(std::move(lake)), conn_(conn), clock_(clock) {}

Status Writer::RecordRunStart(const RunRecord& run) {
  RunRecord started = run;
  started.status = RunStatus::kStarted;
  started.finished_ms.reset();
  return Append(LedgerTable::kRuns, {ToRow(started)});
}

Status Writer::RecordFiles(const std::vector<FileRecord>& files) {
  std::vector<Row> rows;
  for (const FileRecord& f : files) rows.push_back(ToRow(f));
  return Append(LedgerTable::kFiles, rows);
}

Status Writer::RecordSteps(const std::string& run_id, const std::vector<StepRecord>& steps) {
  std::vector<Row> rows;
  for (const StepRecord& s : steps) rows.push_back(ToRow(run_id, s));
  return Append(LedgerTable::kSteps, rows);
}

Status Writer::RecordExpectations(const std::vector<ExpectationRecord>& expectations) {
  std::vector<Row> rows;
  for (const ExpectationRecord& e : expectations) rows.push_back(ToRow(e));
  return Append(LedgerTable::kExpectations, rows);
}

Status Writer::RecordRunEnd(const RunRecord& run) {
  return Append(LedgerTable::kRuns, {ToRow(run)});
}

Status Writer::RecordAlert(const AlertRecord& alert) {
  return Append(LedgerTable::kAlerts, {ToRow(alert)});
}

Status Writer::Append(LedgerTable table, const std::vector<Row>& rows) {
  if (rows.empty()) return Status::Ok();
  const std::string name(Name(table));
  for (const Row& row : rows) {
    if (row.table() != table) return Internal("a row of another table given for _system." + name);
    CARELAKE_RETURN_IF_ERROR(row.status());
  }
  const std::string columns = ColumnList(table);
  // Few rows: one statement. More: gathered in a temporary table first, so
  // they are still one commit.
  engine::TempTables temps(conn_);
  std::string select;
  if (rows.size() <= kRowsPerStatement) {
    select = "SELECT * FROM (" + ValuesSql(rows, 0, rows.size()) + ") AS t(" + columns + ")";
  } else {
    const std::string temp = temps.NewName("ledger");
    std::string create = "CREATE TEMPORARY TABLE " + temp + " (";
    for (const Column& c : Columns(table)) {
      create += (create.back() == '(' ? "" : ", ") + delta::QuoteIdentifier(std::string(c.name)) +
                " " + std::string(SqlType(c.type));
    }
    CARELAKE_RETURN_IF_ERROR(conn_.Execute(create + ")"));
    temps.Keep(temp);
    for (size_t begin = 0; begin < rows.size(); begin += kRowsPerStatement) {
      const size_t end = std::min(rows.size(), begin + kRowsPerStatement);
      CARELAKE_RETURN_IF_ERROR(
          conn_.Execute("INSERT INTO " + temp + " " + ValuesSql(rows, begin, end)));
    }
    select = "SELECT * FROM " + temp;
  }
  delta::DeltaTable delta_table(fs_, catalog::SystemTablePath(lake_, name), conn_,
                                OrDefault(clock_));
  delta::WriteOptions options;
  options.merge_schema = true;
  options.properties["delta.appendOnly"] = "true";
  auto written = delta_table.Write(select, options);
  if (!written.ok()) return written.status().WithContext("writing the run ledger _system." + name);
  return Status::Ok();
}

}  // namespace carelake::ledger
