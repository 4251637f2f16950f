#include "carelake/model/gold.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/engine/temp_tables.h"
#include "carelake/model/definition.h"
#include "carelake/model/dimension.h"
#include "carelake/model/silver.h"
#include "carelake/sql/statement.h"

namespace carelake::model {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;
using project::ExpectationAction;

bool IsLayer(const std::string& schema) {
  std::string lower = schema;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower == "bronze" || lower == "silver" || lower == "gold" || lower == "_system";
}

std::string LayerName(const sql::TableRef& r) {
  std::string layer = r.schema;
  std::transform(layer.begin(), layer.end(), layer.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return layer + "." + r.name;
}

}  // namespace

Result<ParsedModel> ParseModel(const project::Model& m, engine::Connection& conn) {
  ParsedModel parsed;
  if (!m.sql.empty()) {
    sql::SyntaxError error;
    auto statement = sql::Parse(conn, m.sql, &error);
    if (!statement.ok()) {
      if (statement.status().code() != StatusCode::kInvalidArgument) return statement.status();
      const std::string file = m.sql_file.empty() ? m.origin.ToString() : m.sql_file;
      return InvalidArgument(sql::PointAt(file, m.sql, error.offset, error.message));
    }
    parsed.refs = std::move(statement->tables);
    parsed.normalized = std::move(statement->normalized);
  }
  auto add = [&parsed](const std::string& q) {
    if (std::find(parsed.inputs.begin(), parsed.inputs.end(), q) == parsed.inputs.end())
      parsed.inputs.push_back(q);
  };
  for (const sql::TableRef& r : parsed.refs) {
    if (r.catalog.empty() && IsLayer(r.schema)) add(LayerName(r));
  }
  for (const project::Lookup& l : m.lookups) add("gold." + l.dimension);
  return parsed;
}

size_t ModelInputs::ModelOffset(size_t offset) const {
  int64_t shift = 0;
  for (const Edit& e : edits) {
    if (offset < e.sql_begin) break;
    if (offset < e.sql_end) return e.begin;
    shift = static_cast<int64_t>(e.end) - static_cast<int64_t>(e.sql_end);
  }
  return static_cast<size_t>(static_cast<int64_t>(offset) + shift);
}

Status ModelSqlError(const project::Model& m, const ModelInputs& in, const std::string& executed,
                     size_t sql_begin, const Status& error) {
  const std::string file = m.sql_file.empty() ? m.origin.ToString() : m.sql_file;
  const std::string message = sql::WithoutErrorContext(error.message());
  const size_t at = sql::ErrorOffset(error.message(), executed);
  if (at == std::string::npos || at < sql_begin || m.sql.empty()) {
    return Status(error.code(), file + ": model '" + m.name + "': " + message);
  }
  return Status(error.code(), sql::PointAt(file, m.sql, in.ModelOffset(at - sql_begin), message));
}

std::vector<delta::Txn> ModelInputs::Txns() const {
  std::vector<delta::Txn> txns;
  for (const auto& [q, v] : current)
    txns.push_back({std::string(kUpstreamAppPrefix) + q, v, std::nullopt});
  return txns;
}

Result<ModelInputs> ResolveInputs(const ModelRequest& request, bool incremental, FileSystem& fs,
                                  engine::Connection& conn) {
  const project::Model& m = *request.model;
  ModelInputs in;
  delta::DeltaTable target(fs, request.target_path, conn);
  const bool exists = target.Exists();
  if (exists && !request.full_refresh) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, target.Load());
    in.consumed = s->app_versions();
  }
  CARELAKE_ASSIGN_OR_RETURN(ParsedModel parsed, ParseModel(m, conn));
  // The version of every input now.
  for (const std::string& q : parsed.inputs) {
    auto path = request.upstream_paths.find(q);
    if (path == request.upstream_paths.end()) {
      return InvalidArgument(m.origin.ToString() + ": model '" + m.name + "' refers to '" + q +
                             "', which the project does not declare");
    }
    delta::DeltaTable upstream(fs, path->second, conn);
    if (!upstream.Exists()) {
      return FailedPrecondition("model '" + m.name + "' reads " + q +
                                ", which has no data yet (run its upstream steps first)");
    }
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, upstream.Load());
    in.current[q] = s->version();
  }
  in.changed = request.full_refresh || !exists;
  for (const auto& [q, v] : in.current) {
    auto it = in.consumed.find(std::string(kUpstreamAppPrefix) + q);
    if (it == in.consumed.end() || it->second < v) {
      in.changed = true;
      in.changed_inputs.push_back(q);
    }
  }
  // new_rows(x): the rows x gained since this model last read it. The edits
  // go from the end so that earlier offsets stay valid.
  in.sql = m.sql;
  std::vector<const sql::TableRef*> calls;
  for (const sql::TableRef& r : parsed.refs) {
    if (r.new_rows) calls.push_back(&r);
  }
  std::sort(calls.begin(), calls.end(),
            [](const sql::TableRef* a, const sql::TableRef* b) { return a->begin > b->begin; });
  for (const sql::TableRef* r : calls) {
    if (r->end <= r->begin) {
      return Internal(m.sql_file + ": the parser gave no position for new_rows(" + r->Qualified() +
                      ")");
    }
    const std::string q = LayerName(*r);
    std::string replacement = q;
    if (incremental) {
      auto it = in.consumed.find(std::string(kUpstreamAppPrefix) + q);
      int64_t after = it == in.consumed.end() ? -1 : it->second;
      int64_t to = 0;
      bool only_appends = true;
      CARELAKE_ASSIGN_OR_RETURN(std::string added, AddedRowsSql(request.upstream_paths.at(q), after,
                                                                &to, &only_appends, fs, conn));
      replacement = "(" + added + ")";
      if (!only_appends && after >= 0) in.rewritten_inputs.push_back(q);
    }
    in.sql.replace(r->begin, r->end - r->begin, replacement);
    const int64_t shift =
        static_cast<int64_t>(replacement.size()) - static_cast<int64_t>(r->end - r->begin);
    for (ModelInputs::Edit& e : in.edits) {  // later edits move
      e.sql_begin += shift;
      e.sql_end += shift;
    }
    in.edits.insert(in.edits.begin(), {r->begin, r->end, r->begin, r->begin + replacement.size()});
  }
  while (!in.sql.empty() &&
         (std::isspace(static_cast<unsigned char>(in.sql.back())) || in.sql.back() == ';')) {
    in.sql.pop_back();
  }
  return in;
}

Status CheckModelExpectations(const project::Model& m, const std::string& rows_table,
                              engine::Connection& conn, ModelResult* result) {
  const std::string qualified = "gold." + m.name;
  CARELAKE_ASSIGN_OR_RETURN(int64_t rows,
                            engine::QueryInt(conn, "SELECT count(*) FROM " + rows_table));
  for (const project::Expectation& e : m.expectations) {
    RuleResult r;
    r.table = qualified;
    r.rule = e.name;
    r.action = e.action;
    r.check = e.check;
    r.rows_checked = rows;
    const std::string failed = "NOT coalesce((" + e.check + "), false)";
    auto count = engine::QueryInt(conn, "SELECT count(*) FROM " + rows_table + " WHERE " + failed);
    if (!count.ok()) return count.status().WithContext(qualified + " expectation '" + e.name + "'");
    r.rows_failed = *count;
    if (r.rows_failed > 0) {
      CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult er,
                                conn.Query("SELECT to_json(t)::VARCHAR FROM " + rows_table +
                                           " t WHERE " + failed + " LIMIT 5"));
      CARELAKE_ASSIGN_OR_RETURN(auto examples, er.FetchAllRows());
      for (const auto& row : examples) r.examples.push_back(row[0].GetString());
      if (e.action == ExpectationAction::kFail && result->failed_rule.empty())
        result->failed_rule = e.name;
    }
    result->rules.push_back(std::move(r));
  }
  if (!result->failed_rule.empty()) {
    result->message = qualified + ": rule '" + result->failed_rule +
                      "' (action fail) failed; nothing was committed";
  }
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> DescribeColumns(engine::Connection& conn,
                                                                         const std::string& query) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult r, conn.Query("DESCRIBE " + query));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : rows) out.emplace_back(row[0].GetString(), row[1].GetString());
  return out;
}

namespace {

// Key columns as `_lk_k<i>` of a lookup's dimension.
std::string DimKeys(const project::Lookup& l) {
  std::string out;
  for (size_t k = 0; k < l.on.size(); ++k) {
    out += QuoteIdentifier(l.on[k].second) + " AS _lk_k" + std::to_string(k) + ", ";
  }
  return out;
}

// `prefix._lk_k<i> = m.<fact column>` for every key column.
std::string KeyMatch(const project::Lookup& l, const std::string& prefix, const std::string& fact) {
  std::string out;
  for (size_t k = 0; k < l.on.size(); ++k) {
    out += (out.empty() ? "" : " AND ") + prefix + "._lk_k" + std::to_string(k) + " = " + fact +
           "." + QuoteIdentifier(l.on[k].first);
  }
  return out;
}

// The surrogate-key lookups of one model step. Intermediate tables live in
// `scratch`, dropped when the lookups are done; the looked-up rows in
// `out`, the caller's.
struct LookupPass {
  LookupPass(const ModelRequest& request, const ModelInputs& in, engine::TempTables& out)
      : request(request), m(*request.model), in(in), conn(out.conn()), out(out), scratch(conn) {}

  const ModelRequest& request;
  const project::Model& m;
  const ModelInputs& in;
  engine::Connection& conn;
  engine::TempTables& out;
  engine::TempTables scratch;
};

// The condition on a stored row `f` that the natural key of one of its
// lookups changed in the dimension since the model last read it: the keys
// whose versions differ between the dimension then and now, each lookup's
// in a temporary table. Empty when no looked-up dimension changed.
Result<std::string> ChangedKeysCondition(LookupPass& p, FileSystem& fs) {
  std::string changed;
  for (size_t i = 0; i < p.m.lookups.size(); ++i) {
    const project::Lookup& l = p.m.lookups[i];
    const std::string q = "gold." + l.dimension;
    auto it = p.in.consumed.find(std::string(kUpstreamAppPrefix) + q);
    const int64_t after = it == p.in.consumed.end() ? -1 : it->second;
    if (p.in.current.at(q) <= after) continue;
    delta::DeltaTable dim(fs, p.request.upstream_paths.at(q), p.conn);
    CARELAKE_ASSIGN_OR_RETURN(std::string now, dim.ScanSql());
    std::string then = "SELECT * FROM (" + now + ") WHERE false";
    if (after >= 0) {
      CARELAKE_ASSIGN_OR_RETURN(then, dim.ScanSql(after));
    }
    const std::string cols =
        DimKeys(l) + QuoteIdentifier(l.surrogate_key) + " AS _lk_sk, valid_from, valid_to";
    CARELAKE_ASSIGN_OR_RETURN(
        std::string name,
        p.scratch.Create("lk_changed",
                         "SELECT DISTINCT * EXCLUDE (_lk_sk, valid_from, valid_to) FROM ((SELECT " +
                             cols + " FROM (" + now + ") EXCEPT SELECT " + cols + " FROM (" + then +
                             ")) UNION ALL (SELECT " + cols + " FROM (" + then +
                             ") EXCEPT SELECT " + cols + " FROM (" + now +
                             "))) WHERE _lk_k0 IS NOT NULL"));
    changed += (changed.empty() ? "" : " OR ") + std::string("EXISTS (SELECT 1 FROM ") + name +
               " c WHERE " + KeyMatch(l, "c", "f") + ")";
  }
  return changed;
}

// The stored rows to look up again.
struct Relookups {
  std::string table;  // the new rows and those stored rows; empty when there are none
  int64_t rows = 0;   // how many stored rows
};

// The stored rows meeting `changed` that this run does not bring anew,
// without their looked-up keys, marked `__relooked` and added to the rows of
// `rows_table`.
Result<Relookups> GatherRelookups(LookupPass& p, const std::string& rows_table,
                                  const std::string& changed) {
  const project::Model& m = p.m;
  CARELAKE_ASSIGN_OR_RETURN(auto stored,
                            DescribeColumns(p.conn, "gold." + QuoteIdentifier(m.name)));
  std::string exclude;
  for (const project::Lookup& l : m.lookups) {
    for (const auto& [name, type] : stored) {
      if (name == l.as) exclude += (exclude.empty() ? "" : ", ") + QuoteIdentifier(name);
    }
  }
  std::string is_new;
  for (const std::string& k : m.key) {
    is_new += (is_new.empty() ? "" : " AND ") +
              ("n." + QuoteIdentifier(k) + " = f." + QuoteIdentifier(k));
  }
  CARELAKE_ASSIGN_OR_RETURN(
      std::string again,
      p.scratch.Create("lk_again", "SELECT f.*" +
                                       (exclude.empty() ? "" : " EXCLUDE (" + exclude + ")") +
                                       " FROM gold." + QuoteIdentifier(m.name) + " f WHERE (" +
                                       changed + ") AND NOT EXISTS (SELECT 1 FROM " + rows_table +
                                       " n WHERE " + is_new + ")"));
  Relookups r;
  CARELAKE_ASSIGN_OR_RETURN(r.rows, engine::QueryInt(p.conn, "SELECT count(*) FROM " + again));
  if (r.rows > 0) {
    CARELAKE_ASSIGN_OR_RETURN(
        r.table, p.scratch.Create("lk_source", "SELECT * FROM " + rows_table +
                                                   " UNION ALL BY NAME SELECT *, true AS "
                                                   "__relooked FROM " +
                                                   again));
  }
  return r;
}

// Adds lookup `l`'s surrogate key, as column `l.as`, to the rows of
// `source`, into a new temporary table of `into`: the version in effect at
// `as_of` (the key's first version before it, the latest for a NULL time),
// or the current one; -1 for a key the dimension does not know.
Result<std::string> ApplyLookup(LookupPass& p, const project::Lookup& l, const std::string& source,
                                engine::TempTables& into) {
  const std::string d = "gold." + QuoteIdentifier(l.dimension);
  CARELAKE_ASSIGN_OR_RETURN(auto dim_columns, DescribeColumns(p.conn, d));
  std::string from_type;
  for (const auto& [name, type] : dim_columns) {
    if (name == "valid_from") from_type = type;
  }
  if (from_type.empty()) {
    return FailedPrecondition(l.origin.ToString() + ": lookup of " + d +
                              ": the dimension has no valid_from column");
  }
  const std::string sk = QuoteIdentifier(l.surrogate_key);
  const std::string versions = "(SELECT " + DimKeys(l) + "valid_from AS _lk_from, " + sk +
                               " AS _lk_sk FROM " + d + " WHERE " + sk + " <> -1)";
  std::string key_group;
  for (size_t k = 0; k < l.on.size(); ++k) key_group += "_lk_k" + std::to_string(k) + ", ";
  const std::string ends = "(SELECT " + key_group +
                           "arg_min(_lk_sk, _lk_from) AS _lk_first, arg_max(_lk_sk, _lk_from) "
                           "AS _lk_last FROM " +
                           versions + " GROUP BY ALL)";
  std::string value;
  std::string join;
  if (l.as_of.empty()) {
    value = "e._lk_last";
  } else {
    const std::string as_of = "CAST((" + l.as_of + ") AS " + from_type + ")";
    value =
        "CASE WHEN " + as_of + " IS NULL THEN e._lk_last ELSE coalesce(a._lk_sk, e._lk_first) END";
    join = " ASOF LEFT JOIN " + versions + " a ON " + KeyMatch(l, "a", "m") + " AND " + as_of +
           " >= a._lk_from";
  }
  auto next = into.Create("lk_rows", "SELECT m.*, coalesce(" + value + ", -1)::BIGINT AS " +
                                         QuoteIdentifier(l.as) + " FROM " + source + " m" + join +
                                         " LEFT JOIN " + ends + " e ON " + KeyMatch(l, "e", "m"));
  if (!next.ok()) return next.status().WithContext(l.origin.ToString() + ": lookup of " + d);
  return next;
}

// Of the looked-up rows of `all`, the new ones and the stored ones whose
// looked-up keys changed (a new version usually changes no stored row's
// key), into a new temporary table of `p.out`.
Result<std::string> KeepChangedRelookups(LookupPass& p, const std::string& all) {
  const project::Model& m = p.m;
  CARELAKE_ASSIGN_OR_RETURN(auto stored,
                            DescribeColumns(p.conn, "gold." + QuoteIdentifier(m.name)));
  std::string same;
  for (const std::string& k : m.key) {
    same += " AND f." + QuoteIdentifier(k) + " = o." + QuoteIdentifier(k);
  }
  bool comparable = true;
  for (const project::Lookup& l : m.lookups) {
    comparable = comparable && std::any_of(stored.begin(), stored.end(),
                                           [&l](const auto& c) { return c.first == l.as; });
    same += " AND f." + QuoteIdentifier(l.as) + " IS NOT DISTINCT FROM o." + QuoteIdentifier(l.as);
  }
  std::string keep = "SELECT * EXCLUDE (__relooked) FROM " + all + " o";
  if (comparable) {
    keep += " WHERE o.__relooked IS NULL OR NOT EXISTS (SELECT 1 FROM gold." +
            QuoteIdentifier(m.name) + " f WHERE true" + same + ")";
  }
  return p.out.Create("lk_rows", keep);
}

// The rows of `rows_table` with each lookup's surrogate key.
struct LookedUp {
  std::string table;  // a temporary table of the caller's TempTables
  // Stored rows of an incremental merge model looked up again and written.
  int64_t relooked = 0;
};

// Adds each lookup's surrogate key to the rows of `rows_table`, into a new
// temporary table of `temps`. For an incremental merge model, the stored
// rows whose natural key changed in a looked-up dimension since the model
// last ran (a key that arrived late, a history re-split by a late change)
// are looked up again and merged with the new rows.
Result<LookedUp> LookupSurrogateKeys(const ModelRequest& request, const ModelInputs& in,
                                     const std::string& rows_table, engine::TempTables& temps,
                                     FileSystem& fs) {
  LookupPass p(request, in, temps);
  const project::Model& m = p.m;
  delta::DeltaTable target(fs, request.target_path, p.conn);
  const bool relookup = m.materialized == project::Materialization::kIncremental &&
                        m.strategy == project::IncrementalStrategy::kMerge && target.Exists() &&
                        !request.full_refresh;
  std::string source = rows_table;
  int64_t relooked = 0;
  if (relookup) {
    CARELAKE_ASSIGN_OR_RETURN(std::string changed, ChangedKeysCondition(p, fs));
    if (!changed.empty()) {
      CARELAKE_ASSIGN_OR_RETURN(Relookups again, GatherRelookups(p, rows_table, changed));
      relooked = again.rows;
      if (relooked > 0) source = again.table;
    }
  }
  CARELAKE_ASSIGN_OR_RETURN(int64_t expected,
                            engine::QueryInt(p.conn, "SELECT count(*) FROM " + source));
  for (size_t i = 0; i < m.lookups.size(); ++i) {
    const bool last = i + 1 == m.lookups.size() && relooked == 0;
    CARELAKE_ASSIGN_OR_RETURN(source,
                              ApplyLookup(p, m.lookups[i], source, last ? p.out : p.scratch));
  }
  CARELAKE_ASSIGN_OR_RETURN(int64_t got,
                            engine::QueryInt(p.conn, "SELECT count(*) FROM " + source));
  if (got != expected) {
    return Internal("lookups of model '" + m.name + "' turned " + std::to_string(expected) +
                    " rows into " + std::to_string(got));
  }
  LookedUp looked_up{source, relooked};
  if (relooked > 0) {
    CARELAKE_ASSIGN_OR_RETURN(looked_up.table, KeepChangedRelookups(p, source));
    CARELAKE_ASSIGN_OR_RETURN(int64_t written,
                              engine::QueryInt(p.conn, "SELECT count(*) FROM " + looked_up.table));
    CARELAKE_ASSIGN_OR_RETURN(int64_t fresh,
                              engine::QueryInt(p.conn, "SELECT count(*) FROM " + rows_table));
    looked_up.relooked = written - fresh;
  }
  return looked_up;
}

// Why an incremental append model must be rebuilt instead: an input read
// through new_rows(x) was rewritten (a MERGE, a full refresh) since the model
// read it, so its "new" rows would repeat rows the model already holds.
std::string AppendRebuildReason(const ModelRequest& request, const ModelInputs& in) {
  const project::Model& m = *request.model;
  if (m.materialized != project::Materialization::kIncremental ||
      m.strategy != project::IncrementalStrategy::kAppend || request.full_refresh ||
      in.rewritten_inputs.empty()) {
    return "";
  }
  std::string names;
  for (const std::string& q : in.rewritten_inputs) names += (names.empty() ? "" : ", ") + q;
  return names +
         " rewritten (not only appended to) since last read: rebuilt in full, as an "
         "append of its new rows would repeat rows";
}

// Commits the model's rows (those of `rows_table`): merged by key into an
// incremental merge model's table, appended to an incremental append
// model's, else overwriting the table.
Status WriteModelRows(const ModelRequest& request, const ModelInputs& in,
                      const std::string& rows_table, delta::DeltaTable& target,
                      ModelResult* result) {
  const project::Model& m = *request.model;
  const bool incremental = m.materialized == project::Materialization::kIncremental;
  const std::vector<delta::Txn> txns = in.Txns();
  const std::string rows = "SELECT * FROM " + rows_table;
  std::optional<Result<delta::OperationResult>> written;
  if (incremental && m.strategy == project::IncrementalStrategy::kMerge && target.Exists() &&
      !request.full_refresh) {
    delta::MergeOptions options;
    options.keys = m.key;
    options.txns = txns;
    options.merge_schema = true;
    options.properties[kDefinitionProperty] = request.definition;
    written = target.Merge(rows, options);
  } else {
    delta::WriteOptions options;
    options.txns = txns;
    options.recommit = request.full_refresh;
    options.properties[kDefinitionProperty] = request.definition;
    options.mode = incremental && !request.full_refresh && target.Exists()
                       ? delta::WriteMode::kAppend
                       : delta::WriteMode::kOverwrite;
    options.merge_schema = true;
    options.overwrite_schema = true;  // applies to overwrites: the model is its query
    options.partition_by = m.partition_by;
    written = target.Write(rows, options);
  }
  if (!written->ok()) return written->status().WithContext("gold." + m.name);
  const delta::OperationResult& op = **written;
  result->committed = op.committed;
  result->version = op.version;
  result->rows_written = op.metrics.rows_inserted + op.metrics.rows_updated;
  if (!op.committed) result->message = op.reason;
  return Status::Ok();
}

Result<ModelResult> RunSqlModel(const ModelRequest& request, FileSystem& fs,
                                engine::Connection& conn) {
  const project::Model& m = *request.model;
  const bool incremental = m.materialized == project::Materialization::kIncremental;
  ModelResult result;
  delta::DeltaTable target(fs, request.target_path, conn);
  CARELAKE_ASSIGN_OR_RETURN(ModelInputs in, ResolveInputs(request, incremental, fs, conn));
  if (!in.changed) {
    result.message = "up to date (no referenced table changed)";
    return result;
  }
  if (const std::string why = AppendRebuildReason(request, in); !why.empty()) {
    ModelRequest full = request;
    full.full_refresh = true;
    auto rebuilt = RunSqlModel(full, fs, conn);
    if (rebuilt.ok() && rebuilt->committed) {
      rebuilt->reason = why;
      rebuilt->mode = BuildMode::kFull;
    }
    return rebuilt;
  }
  result.reason = in.InputsReason();
  engine::TempTables temps(conn);
  // The model's SQL starts a line of its own, so DuckDB's error positions
  // map back to the model's file.
  const std::string model_rows = temps.NewName("model_rows");
  const std::string create = "CREATE TEMP TABLE " + model_rows + " AS\n";
  Status st = conn.Execute(create + in.sql);
  if (!st.ok()) return ModelSqlError(m, in, create + in.sql, create.size(), st);
  temps.Keep(model_rows);
  CARELAKE_ASSIGN_OR_RETURN(result.rows_read,
                            engine::QueryInt(conn, "SELECT count(*) FROM " + model_rows));
  std::string rows_table = model_rows;
  if (!m.lookups.empty()) {
    CARELAKE_ASSIGN_OR_RETURN(LookedUp looked_up,
                              LookupSurrogateKeys(request, in, model_rows, temps, fs));
    result.rows_relooked_up = looked_up.relooked;
    rows_table = looked_up.table;
  }
  CARELAKE_RETURN_IF_ERROR(CheckModelExpectations(m, rows_table, conn, &result));
  if (!result.failed_rule.empty()) return result;
  CARELAKE_RETURN_IF_ERROR(WriteModelRows(request, in, rows_table, target, &result));
  return result;
}

}  // namespace

std::string ModelInputs::InputsReason() const {
  std::string out;
  for (const std::string& q : changed_inputs) {
    auto it = consumed.find(std::string(kUpstreamAppPrefix) + q);
    out +=
        (out.empty() ? "" : ", ") + q +
        (it == consumed.end() ? " (version " + std::to_string(current.at(q)) + ", not read before)"
                              : " (version " + std::to_string(it->second) + " -> " +
                                    std::to_string(current.at(q)) + ")");
  }
  return out.empty() ? out : "new data in " + out;
}

Result<ModelBuild> PlanModelBuild(const ModelRequest& request, FileSystem& fs,
                                  engine::Connection& conn) {
  const project::Model& m = *request.model;
  ModelBuild build;
  CARELAKE_ASSIGN_OR_RETURN(build.definition, ModelDefinition(m, conn));
  CARELAKE_ASSIGN_OR_RETURN(DefinitionCheck check,
                            CheckDefinition(request.target_path, build.definition, fs, conn));
  if (request.full_refresh) {
    build.full_refresh = true;
    build.reason = "full refresh asked for";
  } else if (!check.Exists()) {
    build.reason = "new table";
  } else if (m.materialized == project::Materialization::kFull || m.IsGenerated()) {
    if (check.stored.empty()) {
      build.full_refresh = true;
      build.reason = "no definition recorded yet (built by an older carelake)";
    } else if (check.Changed()) {
      build.full_refresh = true;
      build.reason = "definition changed since version " + std::to_string(check.version);
    }
  } else if (check.Changed()) {
    CARELAKE_ASSIGN_OR_RETURN(
        build.reason, OnChangedDefinition(check, "gold." + m.name, request.on_definition_change));
    build.full_refresh = true;
  }
  return build;
}

Result<BuildForecast> ForecastModel(const ModelRequest& request, FileSystem& fs,
                                    engine::Connection& conn) {
  const project::Model& m = *request.model;
  BuildForecast f;
  CARELAKE_ASSIGN_OR_RETURN(ModelBuild build, PlanModelBuild(request, fs, conn));
  const bool full = build.full_refresh || m.materialized == project::Materialization::kFull ||
                    m.IsGenerated() || !delta::DeltaTable(fs, request.target_path, conn).Exists();
  if (!build.reason.empty()) {
    f.runs = true;
    f.mode = full ? BuildMode::kFull : BuildMode::kIncremental;
    f.reason = build.reason;
    return f;
  }
  if (m.IsGenerated()) return f;  // generated with the declared settings
  ModelRequest req = request;
  req.full_refresh = build.full_refresh;
  CARELAKE_ASSIGN_OR_RETURN(ModelInputs in, ResolveInputs(req, /*incremental=*/!full, fs, conn));
  if (!in.changed) {
    f.reason = "up to date";
    return f;
  }
  f.runs = true;
  if (const std::string why = AppendRebuildReason(req, in); !why.empty()) {
    f.mode = BuildMode::kFull;
    f.reason = why;
    return f;
  }
  f.mode = full ? BuildMode::kFull : BuildMode::kIncremental;
  f.reason = in.InputsReason();
  return f;
}

Result<ModelResult> RunModel(const ModelRequest& request, FileSystem& fs,
                             engine::Connection& conn) {
  const project::Model& m = *request.model;
  const bool existed = delta::DeltaTable(fs, request.target_path, conn).Exists();
  CARELAKE_ASSIGN_OR_RETURN(ModelBuild build, PlanModelBuild(request, fs, conn));
  ModelRequest req = request;
  req.full_refresh = build.full_refresh;
  req.definition = build.definition;
  auto result =
      m.IsScd() || m.IsGenerated() ? RunDimension(req, fs, conn) : RunSqlModel(req, fs, conn);
  if (!result.ok()) return result;
  if (result->committed) {
    const bool full = req.full_refresh || !existed || result->mode == BuildMode::kFull ||
                      m.materialized == project::Materialization::kFull || m.IsGenerated();
    result->mode = full ? BuildMode::kFull : BuildMode::kIncremental;
    if (!build.reason.empty()) result->reason = build.reason;
  }
  return result;
}

}  // namespace carelake::model
