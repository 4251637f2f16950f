#include "carelake/model/gold.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/model/dimension.h"

namespace carelake::model {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;
using project::ExpectationAction;

constexpr char kModelRows[] = "_model_rows";

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::vector<Reference> ExtractReferences(const std::string& sql) {
  static const std::set<std::string> kLayers = {"bronze", "silver", "gold", "_system"};
  std::vector<Reference> refs;
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (c == '\'') {  // string literal ('' escapes)
      for (++i; i < n; ++i) {
        if (sql[i] == '\'') {
          if (i + 1 < n && sql[i + 1] == '\'') {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string::npos ? n : end + 2;
      continue;
    }
    if (!IsIdentStart(c) || (i > 0 && (IsIdent(sql[i - 1]) || sql[i - 1] == '.'))) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < n && IsIdent(sql[i])) ++i;
    const std::string word = Lower(sql.substr(start, i - start));
    if (!kLayers.count(word) || i + 1 >= n || sql[i] != '.' || !IsIdentStart(sql[i + 1])) continue;
    size_t name_start = i + 1;
    size_t j = name_start;
    while (j < n && IsIdent(sql[j])) ++j;
    Reference r;
    r.layer = word;
    r.name = sql.substr(name_start, j - name_start);
    r.begin = start;
    r.end = j;
    // Inside new_rows( ... )?
    size_t b = start;
    while (b > 0 && std::isspace(static_cast<unsigned char>(sql[b - 1]))) --b;
    size_t a = j;
    while (a < n && std::isspace(static_cast<unsigned char>(sql[a]))) ++a;
    if (b > 0 && sql[b - 1] == '(' && a < n && sql[a] == ')') {
      size_t w = b - 1;
      while (w > 0 && std::isspace(static_cast<unsigned char>(sql[w - 1]))) --w;
      size_t ws = w;
      while (ws > 0 && IsIdent(sql[ws - 1])) --ws;
      if (Lower(sql.substr(ws, w - ws)) == "new_rows") {
        r.new_rows = true;
        r.begin = ws;
        r.end = a + 1;
      }
    }
    i = j;
    refs.push_back(std::move(r));
  }
  return refs;
}

std::vector<std::string> ModelInputNames(const project::Model& model) {
  std::vector<std::string> names;
  for (const Reference& r : ExtractReferences(model.sql)) {
    if (std::find(names.begin(), names.end(), r.Qualified()) == names.end())
      names.push_back(r.Qualified());
  }
  for (const project::Lookup& l : model.lookups) {
    const std::string q = "gold." + l.dimension;
    if (std::find(names.begin(), names.end(), q) == names.end()) names.push_back(q);
  }
  return names;
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
  // The version of every input now.
  for (const std::string& q : ModelInputNames(m)) {
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
    if (it == in.consumed.end() || it->second < v) in.changed = true;
  }
  // new_rows(x): the rows x gained since this model last read it.
  std::vector<Reference> refs = ExtractReferences(m.sql);
  in.sql = m.sql;
  for (auto r = refs.rbegin(); r != refs.rend(); ++r) {
    if (!r->new_rows) continue;
    std::string replacement = r->Qualified();
    if (incremental) {
      auto it = in.consumed.find(std::string(kUpstreamAppPrefix) + r->Qualified());
      int64_t after = it == in.consumed.end() ? -1 : it->second;
      int64_t to = 0;
      bool only_appends = true;
      CARELAKE_ASSIGN_OR_RETURN(std::string added,
                                AddedRowsSql(request.upstream_paths.at(r->Qualified()), after, &to,
                                             &only_appends, fs, conn));
      replacement = "(" + added + ")";
    }
    in.sql.replace(r->begin, r->end - r->begin, replacement);
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

constexpr char kLookedUpRows[] = "_model_looked_up";

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

// Adds each lookup's surrogate key to the rows of `rows_table`, into the new
// temporary table `out`. For an incremental merge model, the stored rows
// whose natural key changed in a looked-up dimension since the model last
// ran (a key that arrived late, a history re-split by a late change) are
// looked up again and merged with the new rows; returns how many.
Result<int64_t> LookupSurrogateKeys(const ModelRequest& request, const ModelInputs& in,
                                    const std::string& rows_table, const std::string& out,
                                    FileSystem& fs, engine::Connection& conn) {
  const project::Model& m = *request.model;
  delta::DeltaTable target(fs, request.target_path, conn);
  const bool relookup = m.materialized == project::Materialization::kIncremental &&
                        m.strategy == project::IncrementalStrategy::kMerge && target.Exists() &&
                        !request.full_refresh;
  std::vector<std::string> temps;
  struct DropTemps {
    engine::Connection& conn;
    std::vector<std::string>& names;
    ~DropTemps() {
      for (const std::string& n : names) (void)conn.Execute("DROP TABLE IF EXISTS " + n);
    }
  } drop_temps{conn, temps};
  auto temp = [&](const std::string& name, const std::string& sql) -> Status {
    temps.push_back(name);
    CARELAKE_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + name));
    return conn.Execute("CREATE TEMP TABLE " + name + " AS " + sql);
  };
  std::string source = rows_table;
  int64_t relooked = 0;
  if (relookup) {
    std::string changed;  // condition on a stored row `f`
    for (size_t i = 0; i < m.lookups.size(); ++i) {
      const project::Lookup& l = m.lookups[i];
      const std::string q = "gold." + l.dimension;
      auto it = in.consumed.find(std::string(kUpstreamAppPrefix) + q);
      const int64_t after = it == in.consumed.end() ? -1 : it->second;
      if (in.current.at(q) <= after) continue;
      // The keys whose versions differ between the dimension the model last
      // read and the dimension now.
      delta::DeltaTable dim(fs, request.upstream_paths.at(q), conn);
      CARELAKE_ASSIGN_OR_RETURN(std::string now, dim.ScanSql());
      std::string then = "SELECT * FROM (" + now + ") WHERE false";
      if (after >= 0) {
        CARELAKE_ASSIGN_OR_RETURN(then, dim.ScanSql(after));
      }
      const std::string cols =
          DimKeys(l) + QuoteIdentifier(l.surrogate_key) + " AS _lk_sk, valid_from, valid_to";
      const std::string name = "_lk_changed" + std::to_string(i);
      CARELAKE_RETURN_IF_ERROR(
          temp(name, "SELECT DISTINCT * EXCLUDE (_lk_sk, valid_from, valid_to) FROM ((SELECT " +
                         cols + " FROM (" + now + ") EXCEPT SELECT " + cols + " FROM (" + then +
                         ")) UNION ALL (SELECT " + cols + " FROM (" + then + ") EXCEPT SELECT " +
                         cols + " FROM (" + now + "))) WHERE _lk_k0 IS NOT NULL"));
      changed += (changed.empty() ? "" : " OR ") + std::string("EXISTS (SELECT 1 FROM ") + name +
                 " c WHERE " + KeyMatch(l, "c", "f") + ")";
    }
    if (!changed.empty()) {
      CARELAKE_ASSIGN_OR_RETURN(auto stored,
                                DescribeColumns(conn, "gold." + QuoteIdentifier(m.name)));
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
      CARELAKE_RETURN_IF_ERROR(
          temp("_lk_again", "SELECT f.*" + (exclude.empty() ? "" : " EXCLUDE (" + exclude + ")") +
                                " FROM gold." + QuoteIdentifier(m.name) + " f WHERE (" + changed +
                                ") AND NOT EXISTS (SELECT 1 FROM " + rows_table + " n WHERE " +
                                is_new + ")"));
      CARELAKE_ASSIGN_OR_RETURN(relooked, engine::QueryInt(conn, "SELECT count(*) FROM _lk_again"));
      if (relooked > 0) {
        CARELAKE_RETURN_IF_ERROR(temp(
            "_lk_source", "SELECT * FROM " + rows_table +
                              " UNION ALL BY NAME SELECT *, true AS __relooked FROM _lk_again"));
        source = "_lk_source";
      }
    }
  }
  CARELAKE_ASSIGN_OR_RETURN(int64_t expected,
                            engine::QueryInt(conn, "SELECT count(*) FROM " + source));
  for (size_t i = 0; i < m.lookups.size(); ++i) {
    const project::Lookup& l = m.lookups[i];
    const std::string d = "gold." + QuoteIdentifier(l.dimension);
    CARELAKE_ASSIGN_OR_RETURN(auto dim_columns, DescribeColumns(conn, d));
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
      value = "CASE WHEN " + as_of +
              " IS NULL THEN e._lk_last ELSE coalesce(a._lk_sk, e._lk_first) END";
      join = " ASOF LEFT JOIN " + versions + " a ON " + KeyMatch(l, "a", "m") + " AND " + as_of +
             " >= a._lk_from";
    }
    const std::string last = relooked > 0 ? "_lk_all" : out;
    const std::string next = i + 1 == m.lookups.size() ? last : "_lk_step" + std::to_string(i);
    const std::string sql = "SELECT m.*, coalesce(" + value + ", -1)::BIGINT AS " +
                            QuoteIdentifier(l.as) + " FROM " + source + " m" + join +
                            " LEFT JOIN " + ends + " e ON " + KeyMatch(l, "e", "m");
    if (next == out) {
      // The caller drops `out`.
      CARELAKE_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + out));
      Status st = conn.Execute("CREATE TEMP TABLE " + out + " AS " + sql);
      if (!st.ok()) return st.WithContext(l.origin.ToString() + ": lookup of " + d);
    } else {
      Status st = temp(next, sql);
      if (!st.ok()) return st.WithContext(l.origin.ToString() + ": lookup of " + d);
    }
    source = next;
  }
  CARELAKE_ASSIGN_OR_RETURN(int64_t got, engine::QueryInt(conn, "SELECT count(*) FROM " + source));
  if (got != expected) {
    return Internal("lookups of model '" + m.name + "' turned " + std::to_string(expected) +
                    " rows into " + std::to_string(got));
  }
  if (relooked > 0) {
    // Of the stored rows looked up again, only those whose keys changed are
    // written (a new version usually changes no stored row's key).
    CARELAKE_ASSIGN_OR_RETURN(auto stored,
                              DescribeColumns(conn, "gold." + QuoteIdentifier(m.name)));
    std::string same;
    for (const std::string& k : m.key) {
      same += " AND f." + QuoteIdentifier(k) + " = o." + QuoteIdentifier(k);
    }
    bool comparable = true;
    for (const project::Lookup& l : m.lookups) {
      comparable = comparable && std::any_of(stored.begin(), stored.end(),
                                             [&l](const auto& c) { return c.first == l.as; });
      same +=
          " AND f." + QuoteIdentifier(l.as) + " IS NOT DISTINCT FROM o." + QuoteIdentifier(l.as);
    }
    std::string keep = "SELECT * EXCLUDE (__relooked) FROM _lk_all o";
    if (comparable) {
      keep += " WHERE o.__relooked IS NULL OR NOT EXISTS (SELECT 1 FROM gold." +
              QuoteIdentifier(m.name) + " f WHERE true" + same + ")";
    }
    CARELAKE_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + out));
    CARELAKE_RETURN_IF_ERROR(conn.Execute("CREATE TEMP TABLE " + out + " AS " + keep));
    CARELAKE_ASSIGN_OR_RETURN(int64_t written,
                              engine::QueryInt(conn, "SELECT count(*) FROM " + out));
    CARELAKE_ASSIGN_OR_RETURN(int64_t fresh,
                              engine::QueryInt(conn, "SELECT count(*) FROM " + rows_table));
    relooked = written - fresh;
  }
  return relooked;
}

}  // namespace

Result<ModelResult> RunModel(const ModelRequest& request, FileSystem& fs,
                             engine::Connection& conn) {
  const project::Model& m = *request.model;
  if (m.IsScd() || m.IsGenerated()) return RunDimension(request, fs, conn);
  const std::string qualified = "gold." + m.name;
  const bool incremental = m.materialized == project::Materialization::kIncremental;
  ModelResult result;
  delta::DeltaTable target(fs, request.target_path, conn);
  CARELAKE_ASSIGN_OR_RETURN(ModelInputs in, ResolveInputs(request, incremental, fs, conn));
  if (!in.changed) {
    result.message = "up to date (no referenced table changed)";
    return result;
  }
  CARELAKE_RETURN_IF_ERROR(conn.Execute(std::string("DROP TABLE IF EXISTS ") + kModelRows));
  Status st = conn.Execute(std::string("CREATE TEMP TABLE ") + kModelRows + " AS " + in.sql);
  if (!st.ok()) return st.WithContext(m.origin.file + ": model '" + m.name + "'");
  struct DropRows {
    engine::Connection& conn;
    ~DropRows() { (void)conn.Execute(std::string("DROP TABLE IF EXISTS ") + kModelRows); }
  } drop_rows{conn};
  CARELAKE_ASSIGN_OR_RETURN(
      result.rows_read, engine::QueryInt(conn, std::string("SELECT count(*) FROM ") + kModelRows));
  std::string rows_table = kModelRows;
  if (!m.lookups.empty()) {
    CARELAKE_ASSIGN_OR_RETURN(
        int64_t relooked, LookupSurrogateKeys(request, in, kModelRows, kLookedUpRows, fs, conn));
    result.rows_relooked_up = relooked;
    rows_table = kLookedUpRows;
  }
  struct DropLookedUp {
    engine::Connection& conn;
    ~DropLookedUp() { (void)conn.Execute(std::string("DROP TABLE IF EXISTS ") + kLookedUpRows); }
  } drop_looked_up{conn};
  CARELAKE_RETURN_IF_ERROR(CheckModelExpectations(m, rows_table, conn, &result));
  if (!result.failed_rule.empty()) return result;
  const std::vector<delta::Txn> txns = in.Txns();
  const std::string rows = "SELECT * FROM " + rows_table;
  std::optional<Result<delta::OperationResult>> written;
  if (incremental && m.strategy == project::IncrementalStrategy::kMerge && target.Exists() &&
      !request.full_refresh) {
    delta::MergeOptions options;
    options.keys = m.key;
    options.txns = txns;
    options.merge_schema = true;
    written = target.Merge(rows, options);
  } else {
    delta::WriteOptions options;
    options.txns = txns;
    options.mode = incremental && !request.full_refresh && target.Exists()
                       ? delta::WriteMode::kAppend
                       : delta::WriteMode::kOverwrite;
    options.merge_schema = true;
    options.partition_by = m.partition_by;
    written = target.Write(rows, options);
  }
  if (!written->ok()) return written->status().WithContext(qualified);
  const delta::OperationResult& op = **written;
  result.committed = op.committed;
  result.version = op.version;
  result.rows_written = op.metrics.rows_inserted + op.metrics.rows_updated;
  if (!op.committed) result.message = op.reason;
  return result;
}

}  // namespace carelake::model
