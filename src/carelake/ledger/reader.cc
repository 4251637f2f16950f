#include "carelake/ledger/reader.h"

#include <map>
#include <utility>

#include "carelake/catalog/catalog.h"
#include "carelake/delta/schema.h"

namespace carelake::ledger {
namespace {

using engine::Value;

// One result row read by column name; a column the ledger does not have
// (written by an older carelake) reads as NULL.
class Fields {
 public:
  Fields(const std::map<std::string, size_t>& index, const std::vector<Value>& row)
      : index_(index), row_(row) {}

  const Value* Get(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end() || row_[it->second].is_null()) return nullptr;
    return &row_[it->second];
  }
  int64_t Int(const std::string& name) const {
    const Value* v = Get(name);
    return v ? engine::AsInt64(*v) : 0;
  }
  std::optional<int64_t> OptInt(const std::string& name) const {
    const Value* v = Get(name);
    return v ? std::optional<int64_t>(engine::AsInt64(*v)) : std::nullopt;
  }
  std::string Text(const std::string& name) const {
    const Value* v = Get(name);
    if (!v) return "";
    return v->type().id == engine::TypeId::kVarchar ? v->GetString() : v->ToString();
  }
  bool Bool(const std::string& name) const {
    const Value* v = Get(name);
    return v && v->type().id == engine::TypeId::kBoolean && v->GetBool();
  }
  std::optional<int64_t> OptMillis(const std::string& name) const {
    const Value* v = Get(name);
    if (!v) return std::nullopt;
    if (v->type().id == engine::TypeId::kTimestampTz) return v->GetTimestampTz().micros / 1000;
    if (v->type().id == engine::TypeId::kTimestamp) return v->GetTimestamp().micros / 1000;
    return engine::AsInt64(*v);
  }
  int64_t Millis(const std::string& name) const { return OptMillis(name).value_or(0); }
  std::vector<std::string> Texts(const std::string& name) const {
    std::vector<std::string> out;
    const Value* v = Get(name);
    if (!v || !v->type().IsNested()) return out;
    for (const Value& child : v->children()) {
      if (!child.is_null()) out.push_back(child.GetString());
    }
    return out;
  }

 private:
  const std::map<std::string, size_t>& index_;
  const std::vector<Value>& row_;
};

// Runs `sql` and calls `each` with every row.
template <typename Each, typename... Params>
Status ForEachRow(engine::Connection& conn, const std::string& sql, Each each, Params&&... params) {
  auto result = conn.Query(sql, std::forward<Params>(params)...);
  if (!result.ok()) return result.status().WithContext("reading the run ledger");
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < result->column_count(); ++i) index[result->column_name(i)] = i;
  CARELAKE_ASSIGN_OR_RETURN(auto rows, result->FetchAllRows());
  for (const auto& row : rows) each(Fields(index, row));
  return Status::Ok();
}

RunRecord ToRun(const Fields& f) {
  RunRecord r;
  r.run_id = f.Text("run_id");
  r.project = f.Text("project");
  r.started_ms = f.Millis("started_at");
  r.finished_ms = f.OptMillis("finished_at");
  // A status this version does not know reads as failed: it did not succeed.
  r.status = ParseRunStatus(f.Text("status")).value_or(RunStatus::kFailed);
  r.duration_ms = f.Int("duration_ms");
  r.steps = f.Int("steps");
  r.rows_written = f.Int("rows_written");
  r.rows_quarantined = f.Int("rows_quarantined");
  r.committed = f.Bool("committed");
  r.selection = f.Text("selection");
  r.full_refresh = f.Bool("full_refresh");
  r.failed_step = f.Text("failed_step");
  r.failed_rule = f.Text("failed_rule");
  r.error = f.Text("error");
  r.job = f.Text("job");
  r.trigger = f.Text("trigger");
  return r;
}

StepRecord ToStep(const Fields& f) {
  StepRecord s;
  s.name = f.Text("step");
  s.kind = f.Text("kind");
  s.status = ParseStepStatus(f.Text("status")).value_or(StepStatus::kFailed);
  s.rows_read = f.Int("rows_read");
  s.rows_written = f.Int("rows_written");
  s.rows_quarantined = f.Int("rows_quarantined");
  s.rows_dropped = f.Int("rows_dropped");
  s.rows_deduplicated = f.Int("rows_deduplicated");
  s.rows_fixed = f.Int("rows_fixed");
  s.rows_warned = f.Int("rows_warned");
  s.files = f.Int("files");
  s.version = f.OptInt("table_version");
  s.started_ms = f.Millis("started_at");
  s.duration_ms = f.Int("duration_ms");
  s.message = f.Text("message");
  const std::string mode = f.Text("mode");
  s.mode = mode == "full"          ? model::BuildMode::kFull
           : mode == "incremental" ? model::BuildMode::kIncremental
                                   : model::BuildMode::kNone;
  s.reason = f.Text("reason");
  return s;
}

std::string InList(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ", ") + delta::QuoteLiteral(v);
  return out;
}

}  // namespace

Result<Reader> Reader::Open(const project::Project& project, FileSystem& fs,
                            engine::Connection& conn) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<std::string> views,
                            catalog::RegisterViews(project, fs, conn));
  std::set<LedgerTable> tables;
  for (LedgerTable t : kLedgerTables) {
    const std::string view = "_system." + std::string(Name(t));
    for (const std::string& v : views) {
      if (v == view) tables.insert(t);
    }
  }
  return Reader(conn, std::move(tables));
}

Result<int64_t> Reader::CountRuns() {
  if (!has_runs()) return 0;
  return engine::QueryInt(*conn_, "SELECT count(*) FROM _system.runs");
}

Result<int64_t> Reader::CountRunsStartedAfter(int64_t started_ms) {
  if (!has_runs()) return 0;
  return engine::QueryInt(*conn_, "SELECT count(*) FROM _system.runs WHERE started_at > epoch_ms(" +
                                      std::to_string(started_ms) + "::BIGINT)");
}

Result<std::optional<RunRecord>> Reader::FindRun(const std::string& run_id) {
  std::optional<RunRecord> run;
  if (!has_runs()) return run;
  CARELAKE_RETURN_IF_ERROR(ForEachRow(
      *conn_, "SELECT * FROM _system.runs WHERE run_id = $1",
      [&](const Fields& f) { run = ToRun(f); }, run_id));
  return run;
}

Result<std::vector<RunRecord>> Reader::Runs(const RunQuery& query) {
  std::vector<RunRecord> runs;
  if (!has_runs() || (query.with_expectations && !Has(LedgerTable::kExpectations))) return runs;
  std::string where;
  auto add = [&](const std::string& condition) {
    where += (where.empty() ? " WHERE " : " AND ") + condition;
  };
  if (query.with_expectations) add("run_id IN (SELECT run_id FROM _system.expectations)");
  if (!query.job.empty()) add("job = " + delta::QuoteLiteral(query.job));
  if (query.started_at_most_ms) {
    add("started_at <= epoch_ms(" + std::to_string(*query.started_at_most_ms) + "::BIGINT)");
  }
  std::string sql = "SELECT * FROM _system.runs" + where + " ORDER BY started_at DESC, run_id DESC";
  if (query.limit > 0) sql += " LIMIT " + std::to_string(query.limit);
  CARELAKE_RETURN_IF_ERROR(
      ForEachRow(*conn_, sql, [&](const Fields& f) { runs.push_back(ToRun(f)); }));
  return runs;
}

Result<std::vector<StepRecord>> Reader::Steps(const std::string& run_id) {
  std::vector<StepRecord> steps;
  if (!Has(LedgerTable::kSteps)) return steps;
  CARELAKE_RETURN_IF_ERROR(ForEachRow(
      *conn_, "SELECT * FROM _system.steps WHERE run_id = $1 ORDER BY started_at, step",
      [&](const Fields& f) { steps.push_back(ToStep(f)); }, run_id));
  return steps;
}

Result<std::vector<ExpectationRecord>> Reader::Expectations(
    const std::vector<std::string>& run_ids) {
  std::vector<ExpectationRecord> out;
  if (!Has(LedgerTable::kExpectations) || run_ids.empty()) return out;
  CARELAKE_RETURN_IF_ERROR(ForEachRow(
      *conn_, "SELECT * FROM _system.expectations WHERE run_id IN (" + InList(run_ids) + ")",
      [&](const Fields& f) {
        ExpectationRecord e;
        e.run_id = f.Text("run_id");
        e.table = f.Text("table_name");
        e.rule = f.Text("rule");
        e.action = f.Text("action");
        e.check_sql = f.Text("check_sql");
        e.rows_checked = f.Int("rows_checked");
        e.rows_failed = f.Int("rows_failed");
        e.examples = f.Texts("examples");
        out.push_back(std::move(e));
      }));
  return out;
}

Result<std::vector<FileRecord>> Reader::Files(const std::string& run_id) {
  std::vector<FileRecord> out;
  if (!Has(LedgerTable::kFiles)) return out;
  CARELAKE_RETURN_IF_ERROR(ForEachRow(
      *conn_, "SELECT * FROM _system.files WHERE run_id = $1 ORDER BY source, file",
      [&](const Fields& f) {
        FileRecord r;
        r.run_id = f.Text("run_id");
        r.source = f.Text("source");
        r.file = f.Text("file");
        r.size_bytes = f.Int("size_bytes");
        r.modified_ms = f.Millis("modified_at");
        r.records = f.Int("records");
        r.quarantined = f.Int("quarantined");
        r.first_error = f.Text("first_error");
        r.ingested_ms = f.Millis("ingested_at");
        out.push_back(std::move(r));
      },
      run_id));
  return out;
}

Result<std::vector<Reader::RunCount>> Reader::CountRunsByJob() {
  std::vector<RunCount> out;
  if (!has_runs()) return out;
  // `job` exists in ledgers written since it was added; older ones have
  // only job-less runs.
  CARELAKE_ASSIGN_OR_RETURN(
      int64_t has_job,
      engine::QueryInt(*conn_,
                       "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                       "'_system' AND table_name = 'runs' AND column_name = 'job'"));
  const std::string job = has_job > 0 ? "coalesce(job, '')" : "''";
  CARELAKE_RETURN_IF_ERROR(
      ForEachRow(*conn_,
                 "SELECT " + job +
                     " AS job, status, count(*) AS runs, max(started_at) AS last_started "
                     "FROM _system.runs GROUP BY ALL ORDER BY ALL",
                 [&](const Fields& f) {
                   out.push_back({f.Text("job"), f.Text("status"), f.Int("runs"),
                                  f.OptMillis("last_started")});
                 }));
  return out;
}

Result<std::vector<Reader::TableTotals>> Reader::TotalsByTable() {
  std::vector<TableTotals> out;
  if (!Has(LedgerTable::kSteps)) return out;
  CARELAKE_RETURN_IF_ERROR(ForEachRow(
      *conn_,
      "SELECT step, sum(rows_written)::BIGINT AS rows_written, sum(rows_quarantined)::BIGINT AS "
      "rows_quarantined FROM _system.steps GROUP BY step ORDER BY step",
      [&](const Fields& f) {
        out.push_back({f.Text("step"), f.Int("rows_written"), f.Int("rows_quarantined")});
      }));
  return out;
}

Result<std::vector<Reader::DurationHistogram>> Reader::StepDurations(
    const std::vector<int64_t>& bounds_ms) {
  std::vector<DurationHistogram> out;
  if (!Has(LedgerTable::kSteps)) return out;
  std::string sql = "SELECT step, count(*) AS n, sum(duration_ms)::BIGINT AS total";
  for (size_t i = 0; i < bounds_ms.size(); ++i) {
    sql += ", count(*) FILTER (WHERE duration_ms <= " + std::to_string(bounds_ms[i]) + ") AS b" +
           std::to_string(i);
  }
  sql += " FROM _system.steps GROUP BY step ORDER BY step";
  CARELAKE_RETURN_IF_ERROR(ForEachRow(*conn_, sql, [&](const Fields& f) {
    DurationHistogram h;
    h.step = f.Text("step");
    h.count = f.Int("n");
    h.sum_ms = f.Int("total");
    for (size_t i = 0; i < bounds_ms.size(); ++i)
      h.at_most.push_back(f.Int("b" + std::to_string(i)));
    out.push_back(std::move(h));
  }));
  return out;
}

Result<std::map<std::string, int64_t>> Reader::LatestDataBySource() {
  std::map<std::string, int64_t> out;
  if (!Has(LedgerTable::kFiles)) return out;
  CARELAKE_RETURN_IF_ERROR(ForEachRow(
      *conn_,
      "SELECT source, max(ingested_at) AS latest FROM _system.files WHERE records > 0 OR "
      "quarantined > 0 GROUP BY source",
      [&](const Fields& f) { out[f.Text("source")] = f.Millis("latest"); }));
  return out;
}

Result<std::vector<Reader::AlertCount>> Reader::CountAlerts() {
  std::vector<AlertCount> out;
  if (!Has(LedgerTable::kAlerts)) return out;
  CARELAKE_RETURN_IF_ERROR(ForEachRow(
      *conn_,
      "SELECT alert, event, status, count(*) AS deliveries FROM _system.alerts GROUP BY ALL "
      "ORDER BY ALL",
      [&](const Fields& f) {
        out.push_back({f.Text("alert"), f.Text("event"), f.Text("status"), f.Int("deliveries")});
      }));
  return out;
}

std::string Reader::RunHistorySql(size_t limit, bool blank_nulls) {
  auto text = [&](const char* column) {
    return blank_nulls ? std::string("coalesce(") + column + ", '') AS " + column
                       : std::string(column);
  };
  std::string sql =
      "SELECT run_id, strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS "
      "started_utc, status, round(duration_ms / 1000.0, 1)::DECIMAL(18,1) AS duration_s, steps, "
      "rows_written, rows_quarantined, committed, " +
      text("failed_step") + ", " + text("failed_rule") + ", " + text("error") +
      " FROM _system.runs ORDER BY started_at DESC, run_id DESC";
  if (limit > 0) sql += " LIMIT " + std::to_string(limit);
  return sql;
}

}  // namespace carelake::ledger
