#include "carelake/model/silver.h"

#include <algorithm>
#include <functional>
#include <set>

#include "carelake/delta/scan.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/engine/temp_tables.h"
#include "carelake/model/definition.h"
#include "carelake/model/gold.h"

namespace carelake::model {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;
using project::ExpectationAction;

constexpr int kMaxExamples = 5;

// Outcome ranks: the strongest failing action wins.
int Rank(ExpectationAction a) {
  switch (a) {
    case ExpectationAction::kFail:
      return 4;
    case ExpectationAction::kQuarantine:
      return 3;
    case ExpectationAction::kDrop:
      return 2;
    case ExpectationAction::kWarn:
      return 1;
    case ExpectationAction::kFix:
      break;
  }
  return 0;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

bool IsTemporal(const std::string& type) {
  const std::string t = Upper(type);
  return t == "DATE" || t == "TIMESTAMP" || t == "TIMESTAMPTZ" || t == "DATETIME" ||
         t == "TIMESTAMP WITH TIME ZONE";
}

std::string Join(const std::vector<std::string>& items, const std::string& sep,
                 const std::function<std::string(const std::string&)>& f) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + f(s);
  return out;
}

std::string Identity(const std::string& s) { return s; }

// A rule evaluated per row (not a fix): a declared expectation or an
// implicit type rule.
struct Rule {
  std::string name;
  ExpectationAction action;
  std::string failed_sql;  // TRUE when the row fails
  std::string reason_sql;  // text explaining the failure
  std::string check;       // for reports
};

struct Plan {
  std::string judged_sql;  // SELECT over the increment, materialized as the judged rows
  std::vector<Rule> rules;
  std::vector<std::string> fix_rules;
  std::vector<std::string> columns;  // silver columns, in order
};

// The increment's columns, as the plan reads them.
struct Upstream {
  std::vector<std::string> columns;
  std::set<std::string> varchar_columns;

  bool Has(const std::string& column) const {
    return std::find(columns.begin(), columns.end(), column) != columns.end();
  }
  // The upstream column a silver column of that name reads: the same name,
  // else the first whose snake_case form it is; empty when none.
  std::string Find(const std::string& silver_name) const {
    for (const std::string& u : columns) {
      if (u == silver_name) return u;
    }
    for (const std::string& u : columns) {
      if (project::SnakeCase(u) == silver_name) return u;
    }
    return "";
  }
};

Result<Upstream> DescribeUpstream(const std::string& increment_sql, engine::Connection& conn) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult shape,
                            conn.Query("SELECT * FROM (" + increment_sql + ") LIMIT 0"));
  Upstream upstream;
  for (size_t i = 0; i < shape.column_count(); ++i) {
    upstream.columns.push_back(shape.column_name(i));
    if (shape.column_type(i).ToString() == "VARCHAR") {
      upstream.varchar_columns.insert(shape.column_name(i));
    }
  }
  return upstream;
}

// An upstream column's value as `src.<col>`, trimmed and with the null
// tokens made NULL when it is text.
std::string CleanValue(const project::SilverTable& t, const Upstream& upstream,
                       const std::string& col) {
  std::string tokens;
  for (const std::string& tok : t.null_tokens)
    tokens += (tokens.empty() ? "" : ", ") + QuoteLiteral(tok);
  std::string v = "src." + QuoteIdentifier(col);
  if (!upstream.varchar_columns.count(col)) return v;
  if (t.trim) v = "trim(" + v + ")";
  if (!tokens.empty()) v = "CASE WHEN " + v + " IN (" + tokens + ") THEN NULL ELSE " + v + " END";
  return v;
}

// The silver columns: the declared ones (plus, with other_columns: keep,
// every upstream column no declared column reads), or every upstream column
// but lineage.
std::vector<project::SilverColumn> SilverColumns(const project::SilverTable& t,
                                                 const Upstream& upstream) {
  std::vector<project::SilverColumn> columns = t.columns;
  if (columns.empty()) {
    for (const std::string& u : upstream.columns) {
      if (!u.empty() && u[0] == '_') continue;
      project::SilverColumn c;
      c.name = t.naming == project::Naming::kSnakeCase ? project::SnakeCase(u) : u;
      c.from = u;
      columns.push_back(c);
    }
  }
  if (!t.columns.empty() && t.other_columns == project::OtherColumns::kKeep) {
    // Upstream columns no declared column reads are kept as text, so a column
    // that appears later flows through without a change to the project.
    std::set<std::string> read, names;
    for (const project::SilverColumn& c : t.columns) {
      names.insert(c.name);
      if (c.expr.empty()) read.insert(c.from.empty() ? upstream.Find(c.name) : c.from);
    }
    for (const std::string& u : upstream.columns) {
      if (u.empty() || u[0] == '_' || read.count(u)) continue;
      project::SilverColumn c;
      c.name = t.naming == project::Naming::kSnakeCase ? project::SnakeCase(u) : u;
      c.from = u;
      if (!names.insert(c.name).second) continue;
      columns.push_back(c);
    }
  }
  return columns;
}

// The typed select list: each column converted to its type (`expr AS name,
// `), preceded for a non-text column by its raw value and type-error flag;
// adds the implicit `<column>_type` rule of each such column to `type_rules`.
Result<std::string> TypedSelect(const project::SilverTable& t, const Upstream& upstream,
                                const std::vector<project::SilverColumn>& columns,
                                std::vector<Rule>* type_rules) {
  std::string typed;
  for (const project::SilverColumn& c : columns) {
    std::string expr;
    if (!c.expr.empty()) {
      expr = "TRY_CAST((" + c.expr + ") AS " + c.type + ")";
    } else {
      std::string from = c.from.empty() ? upstream.Find(c.name) : c.from;
      if (from.empty() || !upstream.Has(from)) {
        return InvalidArgument(c.origin.ToString() + ": silver." + t.name + " column '" + c.name +
                               "': the upstream has no column '" + (from.empty() ? c.name : from) +
                               "' (it has: " + Join(upstream.columns, ", ", Identity) + ")");
      }
      const std::string v = CleanValue(t, upstream, from);
      if (!c.formats.empty() && IsTemporal(c.type)) {
        std::string parsed;
        for (const std::string& f : c.formats) {
          parsed +=
              (parsed.empty() ? "" : ", ") + ("try_strptime(" + v + ", " + QuoteLiteral(f) + ")");
        }
        expr = "TRY_CAST(coalesce(" + parsed + ") AS " + c.type + ")";
      } else if (Upper(c.type) == "VARCHAR") {
        expr = v;
      } else {
        expr = "TRY_CAST(" + v + " AS " + c.type + ")";
      }
      if (Upper(c.type) != "VARCHAR") {
        const std::string n = std::to_string(type_rules->size());
        Rule r;
        r.name = c.name + "_type";
        r.action = t.on_type_error;
        // A value that did not convert, unless a fix rule repaired it. (A fix
        // that makes a converted value NULL does not make it a type error.)
        r.failed_sql = "(__typeerr_" + n + " AND " + QuoteIdentifier(c.name) + " IS NULL)";
        r.reason_sql = "'" + r.name + ": ' || to_json(__raw_" + n +
                       ")::VARCHAR || ' is not a valid " + c.type + "'";
        r.check = c.name + " converts to " + c.type;
        typed += "CAST(" + v + " AS VARCHAR) AS __raw_" + n + ", ";
        typed += "(" + v + " IS NOT NULL AND " + expr + " IS NULL) AS __typeerr_" + n + ", ";
        type_rules->push_back(r);
      }
    }
    typed += expr + " AS " + QuoteIdentifier(c.name) + ", ";
  }
  return typed;
}

// The CTEs `fixed_<n>` applying each fix rule in turn to the rows of
// `*prev` (the name of the last one is left there); adds each fix rule's
// name to `fix_rules`.
std::string FixSteps(const project::SilverTable& t,
                     const std::vector<project::SilverColumn>& columns, std::string* prev,
                     std::vector<std::string>* fix_rules) {
  std::string sql;
  int step = 0;
  for (const project::Expectation& e : t.expectations) {
    if (e.action != ExpectationAction::kFix) continue;
    fix_rules->push_back(e.name);
    const std::string failed = "NOT coalesce((" + e.check + "), false)";
    std::string replace;
    for (const auto& [col, fix] : e.fix) {
      std::string type = "VARCHAR";
      for (const project::SilverColumn& c : columns) {
        if (c.name == col) type = c.type;
      }
      replace += (replace.empty() ? "" : ", ") +
                 ("CASE WHEN " + failed + " THEN TRY_CAST((" + fix + ") AS " + type + ") ELSE " +
                  QuoteIdentifier(col) + " END AS " + QuoteIdentifier(col));
    }
    replace += ", CASE WHEN " + failed + " THEN list_append(_dq_fixes, " + QuoteLiteral(e.name) +
               ") ELSE _dq_fixes END AS _dq_fixes";
    const std::string name = "fixed_" + std::to_string(++step);
    sql += ", " + name + " AS (SELECT * REPLACE (" + replace + ") FROM " + *prev + ")";
    *prev = name;
  }
  return sql;
}

// The declared expectations that are not fixes, as rules.
std::vector<Rule> DeclaredRules(const project::SilverTable& t) {
  std::vector<Rule> rules;
  for (const project::Expectation& e : t.expectations) {
    if (e.action == ExpectationAction::kFix) continue;
    Rule r;
    r.name = e.name;
    r.action = e.action;
    r.failed_sql = "NOT coalesce((" + e.check + "), false)";
    r.reason_sql = QuoteLiteral(e.name + ": " + (e.description.empty() ? e.check : e.description) +
                                " is not true");
    r.check = e.check;
    rules.push_back(r);
  }
  return rules;
}

// The CTEs `flagged` (a flag `__f_<i>` per rule) and `judged` (the outcome:
// the strongest failing action's rank; the failed rules and their reasons)
// over the rows of `prev`, and the final SELECT of the judged rows.
std::string JudgeSql(const std::vector<Rule>& rules, const std::string& prev) {
  std::string flags, names, reasons, outcome;
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    const std::string f = "__f_" + std::to_string(i);
    flags += r.failed_sql + " AS " + f + ", ";
    names +=
        (names.empty() ? "" : ", ") + ("CASE WHEN " + f + " THEN " + QuoteLiteral(r.name) + " END");
    reasons +=
        (reasons.empty() ? "" : ", ") + ("CASE WHEN " + f + " THEN " + r.reason_sql + " END");
  }
  for (int rank = 4; rank >= 1; --rank) {
    std::string any;
    for (size_t i = 0; i < rules.size(); ++i) {
      if (Rank(rules[i].action) == rank)
        any += (any.empty() ? "" : " OR ") + ("__f_" + std::to_string(i));
    }
    if (!any.empty()) outcome += " WHEN " + any + " THEN " + std::to_string(rank);
  }
  outcome = outcome.empty() ? "0" : "CASE" + outcome + " ELSE 0 END";
  std::string sql = ", flagged AS (SELECT *, " + flags + "0 AS __none FROM " + prev + ")";
  sql += ", judged AS (SELECT *, " + outcome + " AS __outcome, " +
         (names.empty() ? "[]::VARCHAR[]" : "list_filter([" + names + "], x -> x IS NOT NULL)") +
         " AS _dq_rules, " +
         (reasons.empty()
              ? "NULL::VARCHAR"
              : "array_to_string(list_filter([" + reasons + "], x -> x IS NOT NULL), '; ')") +
         " AS _dq_reasons FROM flagged)";
  sql +=
      " SELECT * EXCLUDE (src, __none), CASE WHEN __outcome > 0 OR len(_dq_fixes) > 0 THEN "
      "to_json(src)::VARCHAR END AS _source_record FROM judged";
  return sql;
}

// The plan of a silver step over the rows of `increment_sql`: the SQL that
// types, fixes and judges every row, and the rules it evaluates.
Result<Plan> BuildPlan(const project::SilverTable& t, const std::string& increment_sql,
                       engine::Connection& conn) {
  CARELAKE_ASSIGN_OR_RETURN(Upstream upstream, DescribeUpstream(increment_sql, conn));
  const std::vector<project::SilverColumn> columns = SilverColumns(t, upstream);
  Plan plan;
  for (const project::SilverColumn& c : columns) plan.columns.push_back(c.name);
  std::vector<Rule> type_rules;
  CARELAKE_ASSIGN_OR_RETURN(std::string typed, TypedSelect(t, upstream, columns, &type_rules));
  auto lineage = [&upstream](const char* name) {
    return upstream.Has(name) ? "src." + std::string(name) : std::string("NULL");
  };
  std::string sql = "WITH src AS (" + increment_sql + "), typed AS (SELECT " + typed +
                    lineage("_source_file") + "::VARCHAR AS _source_file, " +
                    lineage("_source_position") + "::BIGINT AS _source_position, " +
                    lineage("_ingested_at") +
                    "::TIMESTAMPTZ AS _ingested_at, []::VARCHAR[] AS _dq_fixes, src FROM src)";
  std::string prev = "typed";
  sql += FixSteps(t, columns, &prev, &plan.fix_rules);
  plan.rules = type_rules;
  for (Rule& r : DeclaredRules(t)) plan.rules.push_back(std::move(r));
  sql += JudgeSql(plan.rules, prev);
  plan.judged_sql = sql;
  return plan;
}

}  // namespace

Result<std::string> AddedRowsSql(const std::string& path, int64_t after, int64_t* to,
                                 bool* only_appends, FileSystem& fs, engine::Connection& conn) {
  delta::DeltaTable table(fs, path, conn);
  CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr latest, table.Load());
  *to = latest->version();
  *only_appends = true;
  if (after < 0) return delta::BuildScanSql(*latest, conn);
  CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr before, table.Load(after));
  std::set<std::string> old_files, new_files;
  for (const delta::AddFile& f : before->files()) old_files.insert(before->DataFilePath(f.path));
  for (const delta::AddFile& f : latest->files()) new_files.insert(latest->DataFilePath(f.path));
  for (const std::string& f : old_files) {
    if (!new_files.count(f)) *only_appends = false;
  }
  delta::ScanOptions options;
  options.file_filter = [&old_files, &latest](const delta::AddFile& f) {
    return !old_files.count(latest->DataFilePath(f.path));
  };
  return delta::BuildScanSql(*latest, conn, options);
}

namespace {

// One silver step's state, phase to phase. The judged rows live in a
// temporary table dropped when the build ends.
struct SilverBuild {
  SilverBuild(const SilverRequest& request, FileSystem& fs, engine::Connection& conn)
      : request(request),
        t(*request.table),
        app(std::string(kUpstreamAppPrefix) + request.upstream_name),
        qualified("silver." + t.name),
        conn(conn),
        target(fs, request.target_path, conn),
        quarantine(fs, request.quarantine_path, conn),
        temps(conn) {}

  const SilverRequest& request;
  const project::SilverTable& t;
  const std::string app;
  const std::string qualified;
  engine::Connection& conn;
  delta::DeltaTable target;
  delta::DeltaTable quarantine;
  engine::TempTables temps;
  Plan plan;
  std::string judged;  // the temporary table of the judged rows
  SilverResult result;
};

// The rows of the upstream the table has not consumed yet (sets
// upstream_from and upstream_to). FailedPrecondition when the upstream was
// rewritten and the table has no key to tell old rows from new ones.
Result<std::string> ReadIncrement(SilverBuild& b, FileSystem& fs) {
  const SilverRequest& request = b.request;
  if (!request.full_refresh && b.target.Exists()) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, b.target.Load());
    auto it = s->app_versions().find(b.app);
    if (it != s->app_versions().end()) b.result.upstream_from = it->second;
  }
  bool only_appends = true;
  CARELAKE_ASSIGN_OR_RETURN(std::string increment,
                            AddedRowsSql(request.upstream_path, b.result.upstream_from,
                                         &b.result.upstream_to, &only_appends, fs, b.conn));
  if (!only_appends && b.t.key.empty()) {
    return FailedPrecondition(request.upstream_name + " was changed other than by appends since " +
                              b.qualified + " last read it (version " +
                              std::to_string(b.result.upstream_from) +
                              "), and without a key silver cannot tell old rows from new ones; "
                              "run with --full-refresh");
  }
  return increment;
}

// Plans the step and materializes the judged rows of `increment`.
Status JudgeRows(SilverBuild& b, const std::string& increment) {
  CARELAKE_ASSIGN_OR_RETURN(b.plan, BuildPlan(b.t, increment, b.conn));
  auto judged = b.temps.Create("silver_judged", b.plan.judged_sql);
  if (!judged.ok())
    return judged.status().WithContext(b.qualified + ": evaluating columns and expectations");
  b.judged = *judged;
  return Status::Ok();
}

// A few source records of the judged rows matching `where`.
Result<std::vector<std::string>> Examples(SilverBuild& b, const std::string& where) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult er,
                            b.conn.Query("SELECT _source_record FROM " + b.judged + " WHERE " +
                                         where + " ORDER BY _source_file, _source_position LIMIT " +
                                         std::to_string(kMaxExamples)));
  CARELAKE_ASSIGN_OR_RETURN(auto erows, er.FetchAllRows());
  std::vector<std::string> out;
  for (const auto& e : erows) out.push_back(e[0].is_null() ? "" : e[0].GetString());
  return out;
}

// Counts the judged rows (in, dropped, quarantined, warned, fixed) into the
// account and adds a RuleResult per rule and per fix, with examples; sets
// failed_rule when a `fail` rule failed.
Status CountOutcomes(SilverBuild& b) {
  const Plan& plan = b.plan;
  SilverResult& result = b.result;
  std::string counts =
      "SELECT count(*), count(*) FILTER (__outcome = 2), count(*) FILTER "
      "(__outcome = 3), count(*) FILTER (__outcome = 1), count(*) FILTER "
      "(len(_dq_fixes) > 0 AND __outcome < 2)";
  for (size_t i = 0; i < plan.rules.size(); ++i)
    counts += ", count(*) FILTER (__f_" + std::to_string(i) + ")";
  for (const std::string& f : plan.fix_rules) {
    counts += ", count(*) FILTER (list_contains(_dq_fixes, " + QuoteLiteral(f) + "))";
  }
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult cr, b.conn.Query(counts + " FROM " + b.judged));
  CARELAKE_ASSIGN_OR_RETURN(auto crows, cr.FetchAllRows());
  const auto& row = crows[0];
  RowAccount& acc = result.account;
  acc.rows_in = engine::AsInt64(row[0]);
  acc.dropped = engine::AsInt64(row[1]);
  acc.quarantined = engine::AsInt64(row[2]);
  acc.warned = engine::AsInt64(row[3]);
  acc.fixed = engine::AsInt64(row[4]);
  for (size_t i = 0; i < plan.rules.size(); ++i) {
    RuleResult r;
    r.table = b.qualified;
    r.rule = plan.rules[i].name;
    r.action = plan.rules[i].action;
    r.check = plan.rules[i].check;
    r.rows_checked = acc.rows_in;
    r.rows_failed = engine::AsInt64(row[5 + i]);
    if (r.rows_failed > 0) {
      CARELAKE_ASSIGN_OR_RETURN(r.examples, Examples(b, "__f_" + std::to_string(i)));
    }
    if (r.action == ExpectationAction::kFail && r.rows_failed > 0 && result.failed_rule.empty()) {
      result.failed_rule = r.rule;
    }
    result.rules.push_back(std::move(r));
  }
  for (size_t i = 0; i < plan.fix_rules.size(); ++i) {
    RuleResult r;
    r.table = b.qualified;
    r.rule = plan.fix_rules[i];
    r.action = ExpectationAction::kFix;
    for (const project::Expectation& e : b.t.expectations) {
      if (e.name == r.rule) r.check = e.check;
    }
    r.rows_checked = acc.rows_in;
    r.rows_failed = engine::AsInt64(row[5 + plan.rules.size() + i]);
    if (r.rows_failed > 0) {
      CARELAKE_ASSIGN_OR_RETURN(
          r.examples, Examples(b, "list_contains(_dq_fixes, " + QuoteLiteral(r.rule) + ")"));
    }
    result.rules.push_back(std::move(r));
  }
  return Status::Ok();
}

// "silver.x: rule 'r' (action fail) failed for N of M rows; nothing was
// committed".
std::string FailedRuleMessage(const SilverBuild& b) {
  const SilverResult& result = b.result;
  int64_t n = 0;
  for (const RuleResult& r : result.rules) {
    if (r.rule == result.failed_rule) n = r.rows_failed;
  }
  return b.qualified + ": rule '" + result.failed_rule + "' (action fail) failed for " +
         std::to_string(n) + " of " + std::to_string(result.account.rows_in) +
         " rows; nothing was committed";
}

std::string QuotedColumns(const std::vector<std::string>& columns) {
  return Join(columns, ", ", [](const std::string& c) { return QuoteIdentifier(c); });
}

constexpr char kLineage[] = "_source_file, _source_position, _ingested_at";

std::string RunIdColumn(const SilverBuild& b) {
  return QuoteLiteral(b.request.run_id) + " AS _run_id";
}

std::vector<delta::Txn> UpstreamTxns(const SilverBuild& b) {
  return {{b.app, b.result.upstream_to, std::nullopt}};
}

// Commits the quarantined rows (the whole quarantine on a full refresh).
// Quarantine first: a rerun after a kill before the silver commit finds
// these rows already there (same application version) and skips them.
Status WriteQuarantine(SilverBuild& b) {
  const SilverRequest& request = b.request;
  if (b.result.account.quarantined <= 0 && !request.full_refresh) return Status::Ok();
  delta::WriteOptions options;
  options.txns = UpstreamTxns(b);
  options.recommit = request.full_refresh;
  options.mode = request.full_refresh ? delta::WriteMode::kOverwrite : delta::WriteMode::kAppend;
  options.merge_schema = true;
  options.overwrite_schema = request.full_refresh;
  auto w = b.quarantine.Write(
      "SELECT " + QuotedColumns(b.plan.columns) + ", _dq_rules, _dq_reasons, _dq_fixes, " +
          kLineage + ", _source_record, " + RunIdColumn(b) + ", now() AS _quarantined_at FROM " +
          b.judged + " WHERE __outcome = 3",
      options);
  if (!w.ok()) return w.status().WithContext(b.qualified + "__quarantine");
  return Status::Ok();
}

// `kept` without the rows that are older by latest_by than the stored row
// of their key.
Result<std::string> NotOlderThanStored(SilverBuild& b, const std::string& kept,
                                       const std::string& keys, const std::string& latest) {
  CARELAKE_ASSIGN_OR_RETURN(std::string stored, b.target.ScanSql());
  std::string on;
  for (const std::string& k : b.t.key) {
    on += " AND s." + QuoteIdentifier(k) + " = t." + QuoteIdentifier(k);
  }
  return "SELECT s.* FROM (" + kept + ") s WHERE NOT EXISTS (SELECT 1 FROM (SELECT " + keys + ", " +
         latest + " AS __latest FROM (" + stored + ")) t WHERE t.__latest > s.__latest" + on + ")";
}

// `kept` without the rows equal to the stored row of their key. A
// re-delivered duplicate changes nothing: it is counted as de-duplicated,
// and the stored row keeps its lineage.
Result<std::string> NotEqualToStored(SilverBuild& b, const std::string& kept) {
  CARELAKE_ASSIGN_OR_RETURN(std::string stored, b.target.ScanSql());
  CARELAKE_ASSIGN_OR_RETURN(auto stored_columns,
                            DescribeColumns(b.conn, "SELECT * FROM (" + stored + ")"));
  // A column the stored rows lack (it appeared in this run) is NULL there.
  std::string on, same_s, same_t, new_columns_null;
  for (const std::string& k : b.t.key) {
    on += " AND s." + QuoteIdentifier(k) + " = t." + QuoteIdentifier(k);
  }
  for (const std::string& c : b.plan.columns) {
    const bool stored_has = std::any_of(stored_columns.begin(), stored_columns.end(),
                                        [&c](const auto& sc) { return sc.first == c; });
    if (stored_has) {
      same_s += (same_s.empty() ? "" : ", ") + ("s." + QuoteIdentifier(c));
      same_t += (same_t.empty() ? "" : ", ") + ("t." + QuoteIdentifier(c));
    } else {
      new_columns_null += " AND s." + QuoteIdentifier(c) + " IS NULL";
    }
  }
  if (same_s.empty()) return kept;
  return "SELECT s.* FROM (" + kept + ") s WHERE NOT EXISTS (SELECT 1 FROM (" + stored +
         ") t WHERE row(" + same_t + ") IS NOT DISTINCT FROM row(" + same_s + ")" + on +
         new_columns_null + ")";
}

// The rows to keep: those not dropped or quarantined, one per key (the
// latest), not older than what is stored.
Result<std::string> KeptRowsSql(SilverBuild& b) {
  const project::SilverTable& t = b.t;
  const bool incremental = b.target.Exists() && !b.request.full_refresh;
  const std::string latest = t.latest_by.empty() ? "NULL" : "(" + t.latest_by + ")";
  std::string kept = "SELECT " + QuotedColumns(b.plan.columns) + ", _dq_fixes, " + kLineage + ", " +
                     RunIdColumn(b) + ", " + latest + " AS __latest FROM " + b.judged +
                     " WHERE __outcome < 2";
  if (!t.key.empty()) {
    const std::string keys = QuotedColumns(t.key);
    kept += " QUALIFY row_number() OVER (PARTITION BY " + keys +
            " ORDER BY __latest DESC NULLS LAST, _ingested_at DESC, _source_file DESC, "
            "_source_position DESC) = 1";
    if (!t.latest_by.empty() && incremental) {
      CARELAKE_ASSIGN_OR_RETURN(kept, NotOlderThanStored(b, kept, keys, latest));
    }
    if (incremental) {
      CARELAKE_ASSIGN_OR_RETURN(kept, NotEqualToStored(b, kept));
    }
  }
  return "SELECT * EXCLUDE (__latest) FROM (" + kept + ")";
}

// A write's error in terms of the table written.
Result<delta::OperationResult> InContext(Result<delta::OperationResult> written,
                                         const std::string& table) {
  if (!written.ok()) return written.status().WithContext(table);
  return written;
}

// Commits the kept rows: appended (overwritten on a full refresh) without a
// key or into a new table, else merged by key.
Result<delta::OperationResult> WriteKept(SilverBuild& b, const std::string& kept) {
  const SilverRequest& request = b.request;
  const project::SilverTable& t = b.t;
  if (t.key.empty() || !b.target.Exists() || request.full_refresh) {
    delta::WriteOptions options;
    options.txns = UpstreamTxns(b);
    options.recommit = request.full_refresh;
    options.properties[kDefinitionProperty] = request.definition;
    options.mode = request.full_refresh ? delta::WriteMode::kOverwrite : delta::WriteMode::kAppend;
    options.merge_schema = true;
    options.overwrite_schema = request.full_refresh;
    options.partition_by = t.partition_by;
    return InContext(b.target.Write(kept, options), b.qualified);
  }
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_kept,
                            engine::QueryInt(b.conn, "SELECT count(*) FROM (" + kept + ")"));
  if (n_kept == 0) {
    // Nothing to merge: still record what was read.
    delta::WriteOptions options;
    options.txns = UpstreamTxns(b);
    options.mode = delta::WriteMode::kAppend;
    options.properties[kDefinitionProperty] = request.definition;
    return InContext(b.target.Write(kept, options), b.qualified);
  }
  delta::MergeOptions options;
  options.keys = t.key;
  options.txns = UpstreamTxns(b);
  options.merge_schema = true;
  options.properties[kDefinitionProperty] = request.definition;
  return InContext(b.target.Merge(kept, options), b.qualified);
}

// Records the commit in the result and balances the account: the rows
// neither kept, dropped nor quarantined were de-duplicated.
Status Reconcile(SilverBuild& b, const delta::OperationResult& op) {
  SilverResult& result = b.result;
  RowAccount& acc = result.account;
  result.committed = op.committed;
  result.version = op.version;
  result.message = op.committed ? "" : op.reason;
  acc.kept = op.committed ? op.metrics.rows_inserted + op.metrics.rows_updated : 0;
  acc.deduplicated = acc.rows_in - acc.dropped - acc.quarantined - acc.kept;
  if (op.committed && acc.deduplicated < 0) {
    return Internal(b.qualified + ": rows do not reconcile: in " + std::to_string(acc.rows_in) +
                    ", kept " + std::to_string(acc.kept) + ", dropped " +
                    std::to_string(acc.dropped) + ", quarantined " +
                    std::to_string(acc.quarantined));
  }
  return Status::Ok();
}

Result<SilverResult> RunSilverBuild(const SilverRequest& request, FileSystem& fs,
                                    engine::Connection& conn) {
  SilverBuild b(request, fs, conn);
  CARELAKE_ASSIGN_OR_RETURN(std::string increment, ReadIncrement(b, fs));
  if (b.result.upstream_to <= b.result.upstream_from) {
    b.result.message = "nothing new in " + request.upstream_name + " (version " +
                       std::to_string(b.result.upstream_to) + ")";
    return std::move(b.result);
  }
  CARELAKE_RETURN_IF_ERROR(JudgeRows(b, increment));
  CARELAKE_RETURN_IF_ERROR(CountOutcomes(b));
  if (!b.result.failed_rule.empty()) {
    b.result.message = FailedRuleMessage(b);
    return std::move(b.result);
  }
  CARELAKE_RETURN_IF_ERROR(WriteQuarantine(b));
  CARELAKE_ASSIGN_OR_RETURN(std::string kept, KeptRowsSql(b));
  CARELAKE_ASSIGN_OR_RETURN(delta::OperationResult op, WriteKept(b, kept));
  CARELAKE_RETURN_IF_ERROR(Reconcile(b, op));
  return std::move(b.result);
}

}  // namespace

namespace {

// The definition now and what it means for this run: sets
// `request->full_refresh` and returns the reason when it forces a rebuild.
Result<std::string> PlanSilverBuild(SilverRequest* request, FileSystem& fs,
                                    engine::Connection& conn) {
  const project::SilverTable& t = *request->table;
  CARELAKE_ASSIGN_OR_RETURN(request->definition, SilverDefinition(t, conn));
  CARELAKE_ASSIGN_OR_RETURN(DefinitionCheck check,
                            CheckDefinition(request->target_path, request->definition, fs, conn));
  if (request->full_refresh) return std::string("full refresh asked for");
  if (!check.Exists()) return std::string("new table");
  if (!check.Changed()) return std::string();
  CARELAKE_ASSIGN_OR_RETURN(std::string reason, OnChangedDefinition(check, "silver." + t.name,
                                                                    request->on_definition_change));
  request->full_refresh = true;
  return reason;
}

std::string UpstreamReason(const std::string& upstream, int64_t from, int64_t to) {
  return "new data in " + upstream +
         (from < 0 ? " (version " + std::to_string(to) + ", not read before)"
                   : " (version " + std::to_string(from) + " -> " + std::to_string(to) + ")");
}

}  // namespace

Result<SilverResult> RunSilver(const SilverRequest& request, FileSystem& fs,
                               engine::Connection& conn) {
  SilverRequest req = request;
  const bool existed = delta::DeltaTable(fs, req.target_path, conn).Exists();
  CARELAKE_ASSIGN_OR_RETURN(std::string reason, PlanSilverBuild(&req, fs, conn));
  auto result = RunSilverBuild(req, fs, conn);
  if (!result.ok() || !result->committed) return result;
  result->mode = req.full_refresh || !existed ? BuildMode::kFull : BuildMode::kIncremental;
  result->reason = !reason.empty() ? reason
                                   : UpstreamReason(req.upstream_name, result->upstream_from,
                                                    result->upstream_to);
  return result;
}

Result<BuildForecast> ForecastSilver(const SilverRequest& request, FileSystem& fs,
                                     engine::Connection& conn) {
  SilverRequest req = request;
  BuildForecast f;
  CARELAKE_ASSIGN_OR_RETURN(std::string reason, PlanSilverBuild(&req, fs, conn));
  if (!reason.empty()) {
    f.runs = true;
    f.mode = req.full_refresh || reason == "new table" ? BuildMode::kFull : BuildMode::kIncremental;
    f.reason = reason;
    return f;
  }
  delta::DeltaTable target(fs, req.target_path, conn);
  delta::DeltaTable upstream(fs, req.upstream_path, conn);
  int64_t from = -1;
  CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, target.Load());
  auto it = s->app_versions().find(std::string(kUpstreamAppPrefix) + req.upstream_name);
  if (it != s->app_versions().end()) from = it->second;
  if (!upstream.Exists()) {
    f.reason = req.upstream_name + " has no data yet";
    return f;
  }
  CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr u, upstream.Load());
  if (u->version() <= from) {
    f.reason = "up to date";
    return f;
  }
  f.runs = true;
  f.mode = BuildMode::kIncremental;
  f.reason = UpstreamReason(req.upstream_name, from, u->version());
  return f;
}

}  // namespace carelake::model
