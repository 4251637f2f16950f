#include "carelake/model/definition.h"

#include <nlohmann/json.hpp>

#include "carelake/delta/table.h"
#include "carelake/sql/statement.h"

namespace carelake::model {
namespace {

using json = nlohmann::json;

// The parsed form of an SQL expression; empty stays empty.
Result<std::string> Expr(engine::Connection& conn, const std::string& expr,
                         const std::string& what) {
  if (expr.empty()) return std::string();
  auto normalized = sql::NormalizeExpression(conn, expr);
  if (!normalized.ok()) return normalized.status().WithContext(what + " '" + expr + "'");
  return normalized;
}

Result<std::string> Md5(engine::Connection& conn, const json& definition) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult r,
                            conn.Query("SELECT md5($1::VARCHAR)", definition.dump()));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  if (rows.empty()) return Internal("md5 returned no row");
  return rows[0][0].GetString();
}

}  // namespace

Result<std::string> ModelDefinition(const project::Model& m, engine::Connection& conn) {
  json d;
  d["format"] = 1;
  d["materialized"] = static_cast<int>(m.materialized);
  if (m.materialized == project::Materialization::kIncremental) {
    d["strategy"] = static_cast<int>(m.strategy);
  }
  d["key"] = m.key;
  if (!m.sql.empty()) {
    CARELAKE_ASSIGN_OR_RETURN(sql::Statement s, sql::Parse(conn, m.sql));
    d["sql"] = s.normalized;
  }
  json lookups = json::array();
  for (const project::Lookup& l : m.lookups) {
    json on = json::array();
    for (const auto& [fact, dim] : l.on) on.push_back({fact, dim});
    CARELAKE_ASSIGN_OR_RETURN(std::string as_of, Expr(conn, l.as_of, "lookup as_of"));
    lookups.push_back({{"dimension", l.dimension}, {"on", on}, {"as_of", as_of}, {"as", l.as}});
  }
  d["lookups"] = lookups;
  if (m.IsScd()) {
    const project::Scd& s = m.scd;
    CARELAKE_ASSIGN_OR_RETURN(std::string sequence_by, Expr(conn, s.sequence_by, "sequence_by"));
    CARELAKE_ASSIGN_OR_RETURN(std::string delete_when, Expr(conn, s.delete_when, "delete_when"));
    d["scd"] = {{"from", s.from},
                {"sequence_by", sequence_by},
                {"track", s.track},
                {"track_except", s.track_except},
                {"except", s.except},
                {"delete_when", delete_when},
                {"ignore_null_updates", s.ignore_null_updates},
                {"surrogate_key", s.surrogate_key},
                {"unknown_member", s.unknown_member}};
  }
  if (m.IsGenerated()) d["dates"] = {m.date_start, m.date_end};
  return Md5(conn, d);
}

Result<std::string> SilverDefinition(const project::SilverTable& t, engine::Connection& conn) {
  json d;
  d["format"] = 1;
  d["from"] = t.from;
  d["naming"] = static_cast<int>(t.naming);
  json columns = json::array();
  for (const project::SilverColumn& c : t.columns) {
    CARELAKE_ASSIGN_OR_RETURN(std::string expr, Expr(conn, c.expr, "column " + c.name));
    columns.push_back({{"name", c.name},
                       {"from", c.from},
                       {"expr", expr},
                       {"type", c.type},
                       {"formats", c.formats}});
  }
  d["columns"] = columns;
  d["other_columns"] = static_cast<int>(t.other_columns);
  d["null_tokens"] = t.null_tokens;
  d["trim"] = t.trim;
  d["key"] = t.key;
  CARELAKE_ASSIGN_OR_RETURN(std::string latest_by, Expr(conn, t.latest_by, "latest_by"));
  d["latest_by"] = latest_by;
  d["on_type_error"] = static_cast<int>(t.on_type_error);
  json rules = json::array();
  for (const project::Expectation& e : t.expectations) {
    // warn and fail rules change no row: they flag rows, or stop the run.
    if (e.action == project::ExpectationAction::kWarn ||
        e.action == project::ExpectationAction::kFail) {
      continue;
    }
    CARELAKE_ASSIGN_OR_RETURN(std::string check, Expr(conn, e.check, "rule " + e.name));
    json fix = json::array();
    for (const auto& [column, expr] : e.fix) {
      CARELAKE_ASSIGN_OR_RETURN(std::string f, Expr(conn, expr, "fix of " + column));
      fix.push_back({column, f});
    }
    rules.push_back(
        {{"name", e.name}, {"check", check}, {"action", static_cast<int>(e.action)}, {"fix", fix}});
  }
  d["rules"] = rules;
  return Md5(conn, d);
}

Result<DefinitionCheck> CheckDefinition(const std::string& path, std::string fingerprint,
                                        FileSystem& fs, engine::Connection& conn) {
  DefinitionCheck check;
  check.fingerprint = std::move(fingerprint);
  delta::DeltaTable table(fs, path, conn);
  if (!table.Exists()) return check;
  CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, table.Load());
  check.version = s->version();
  check.stored = s->Property(kDefinitionProperty, "");
  return check;
}

Result<std::string> OnChangedDefinition(const DefinitionCheck& check, const std::string& qualified,
                                        project::OnDefinitionChange policy) {
  const std::string since =
      "definition of " + qualified + " changed since version " + std::to_string(check.version);
  if (policy == project::OnDefinitionChange::kRebuild) return since + "; rebuilt in full";
  return FailedPrecondition(since + "; run with --full-refresh --select " + qualified +
                            " (or declare on_definition_change: rebuild)");
}

}  // namespace carelake::model
