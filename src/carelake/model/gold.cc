#include "carelake/model/gold.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"

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

Result<ModelResult> RunModel(const ModelRequest& request, FileSystem& fs,
                             engine::Connection& conn) {
  const project::Model& m = *request.model;
  const std::string qualified = "gold." + m.name;
  const bool incremental = m.materialized == project::Materialization::kIncremental;
  ModelResult result;
  delta::DeltaTable target(fs, request.target_path, conn);
  std::map<std::string, int64_t> consumed;
  if (target.Exists() && !request.full_refresh) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, target.Load());
    consumed = s->app_versions();
  }
  // The version of every referenced table now.
  std::vector<Reference> refs = ExtractReferences(m.sql);
  std::map<std::string, int64_t> current;
  for (const Reference& r : refs) {
    const std::string q = r.Qualified();
    if (current.count(q)) continue;
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
    current[q] = s->version();
  }
  bool changed = request.full_refresh || !target.Exists();
  for (const auto& [q, v] : current) {
    auto it = consumed.find(std::string(kUpstreamAppPrefix) + q);
    if (it == consumed.end() || it->second < v) changed = true;
  }
  if (!changed) {
    result.message = "up to date (no referenced table changed)";
    return result;
  }
  // new_rows(x): the rows x gained since this model last read it.
  std::string sql = m.sql;
  for (auto r = refs.rbegin(); r != refs.rend(); ++r) {
    if (!r->new_rows) continue;
    std::string replacement = r->Qualified();
    if (incremental) {
      auto it = consumed.find(std::string(kUpstreamAppPrefix) + r->Qualified());
      int64_t after = it == consumed.end() ? -1 : it->second;
      int64_t to = 0;
      bool only_appends = true;
      CARELAKE_ASSIGN_OR_RETURN(std::string added,
                                AddedRowsSql(request.upstream_paths.at(r->Qualified()), after, &to,
                                             &only_appends, fs, conn));
      replacement = "(" + added + ")";
    }
    sql.replace(r->begin, r->end - r->begin, replacement);
  }
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.pop_back();
  }
  CARELAKE_RETURN_IF_ERROR(conn.Execute(std::string("DROP TABLE IF EXISTS ") + kModelRows));
  Status st = conn.Execute(std::string("CREATE TEMP TABLE ") + kModelRows + " AS " + sql);
  if (!st.ok()) return st.WithContext(m.origin.file + ": model '" + m.name + "'");
  struct DropRows {
    engine::Connection& conn;
    ~DropRows() { (void)conn.Execute(std::string("DROP TABLE IF EXISTS ") + kModelRows); }
  } drop_rows{conn};
  CARELAKE_ASSIGN_OR_RETURN(
      result.rows_read, engine::QueryInt(conn, std::string("SELECT count(*) FROM ") + kModelRows));
  for (const project::Expectation& e : m.expectations) {
    RuleResult r;
    r.table = qualified;
    r.rule = e.name;
    r.action = e.action;
    r.check = e.check;
    r.rows_checked = result.rows_read;
    const std::string failed = "NOT coalesce((" + e.check + "), false)";
    auto count = engine::QueryInt(
        conn, std::string("SELECT count(*) FROM ") + kModelRows + " WHERE " + failed);
    if (!count.ok()) return count.status().WithContext(qualified + " expectation '" + e.name + "'");
    r.rows_failed = *count;
    if (r.rows_failed > 0) {
      CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult er,
                                conn.Query(std::string("SELECT to_json(t)::VARCHAR FROM ") +
                                           kModelRows + " t WHERE " + failed + " LIMIT 5"));
      CARELAKE_ASSIGN_OR_RETURN(auto rows, er.FetchAllRows());
      for (const auto& row : rows) r.examples.push_back(row[0].GetString());
      if (e.action == ExpectationAction::kFail && result.failed_rule.empty())
        result.failed_rule = e.name;
    }
    result.rules.push_back(std::move(r));
  }
  if (!result.failed_rule.empty()) {
    result.message = qualified + ": rule '" + result.failed_rule +
                     "' (action fail) failed; nothing was committed";
    return result;
  }
  std::vector<delta::Txn> txns;
  for (const auto& [q, v] : current)
    txns.push_back({std::string(kUpstreamAppPrefix) + q, v, std::nullopt});
  const std::string rows = std::string("SELECT * FROM ") + kModelRows;
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
