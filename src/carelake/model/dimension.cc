#include "carelake/model/dimension.h"

#include <algorithm>
#include <functional>
#include <set>

#include "carelake/base/format.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/model/definition.h"
#include "carelake/model/gold.h"

namespace carelake::model {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;
using project::Materialization;

// Temporary tables of one step, dropped when it ends.
class Temps {
 public:
  explicit Temps(engine::Connection& conn) : conn_(conn) {}
  ~Temps() {
    for (const std::string& n : names_) (void)conn_.Execute("DROP TABLE IF EXISTS " + n);
  }
  Temps(const Temps&) = delete;
  Temps& operator=(const Temps&) = delete;

  Status Create(const std::string& name, const std::string& sql) {
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(name);
    CARELAKE_RETURN_IF_ERROR(conn_.Execute("DROP TABLE IF EXISTS " + name));
    return conn_.Execute("CREATE TEMP TABLE " + name + " AS " + sql);
  }

 private:
  engine::Connection& conn_;
  std::vector<std::string> names_;
};

// `format` applied to each column (its quoted name replaces every `$`),
// joined by `separator`.
std::string Each(const std::vector<std::string>& columns, const std::string& format,
                 const std::string& separator = ", ") {
  std::string out;
  for (const std::string& c : columns) {
    if (!out.empty()) out += separator;
    std::string item = format;
    for (size_t at = item.find('$'); at != std::string::npos;
         at = item.find('$', at + QuoteIdentifier(c).size())) {
      item.replace(at, 1, QuoteIdentifier(c));
    }
    out += item;
  }
  return out;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The deterministic order among change rows of one key and sequence: a
// delete first, then the greatest values compared as text (see
// doc/dimensions.md); `extra` breaks the remaining ties.
std::string TieOrder(const std::vector<std::string>& data, const std::string& extra) {
  std::string order = "_deleted DESC";
  if (!data.empty()) order += ", CAST(row(" + Each(data, "$") + ") AS VARCHAR) DESC NULLS LAST";
  if (!extra.empty()) order += ", " + extra;
  return order;
}

Result<ModelResult> RunGenerated(const ModelRequest& request, FileSystem& fs,
                                 engine::Connection& conn) {
  const project::Model& m = *request.model;
  ModelResult result;
  const bool date = m.materialized == Materialization::kDateDimension;
  const std::string app = date ? "carelake.generated:date:" + m.date_start + ".." + m.date_end
                               : std::string("carelake.generated:time:minute");
  delta::DeltaTable target(fs, request.target_path, conn);
  if (target.Exists() && !request.full_refresh) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, target.Load());
    if (s->app_versions().count(app) > 0) {
      result.message = "up to date (generated with the declared settings)";
      return result;
    }
  }
  std::string sql;
  if (date) {
    sql =
        "SELECT (year(d) * 10000 + month(d) * 100 + day(d))::INTEGER AS date_sk, d AS date, "
        "year(d)::INTEGER AS year, quarter(d)::INTEGER AS quarter, month(d)::INTEGER AS month, "
        "monthname(d) AS month_name, strftime(d, '%Y-%m') AS year_month, "
        "day(d)::INTEGER AS day_of_month, dayofyear(d)::INTEGER AS day_of_year, "
        "isodow(d)::INTEGER AS day_of_week, dayname(d) AS day_name, "
        "weekofyear(d)::INTEGER AS iso_week, isodow(d) >= 6 AS is_weekend "
        "FROM (SELECT range::DATE AS d FROM range(DATE " +
        QuoteLiteral(m.date_start) + ", DATE " + QuoteLiteral(m.date_end) +
        " + INTERVAL 1 DAY, INTERVAL 1 DAY)) "
        "UNION ALL BY NAME SELECT -1::INTEGER AS date_sk ORDER BY date_sk";
  } else {
    sql =
        "SELECT (h * 100 + mi)::INTEGER AS time_sk, lpad(h::VARCHAR, 2, '0') || ':' || "
        "lpad(mi::VARCHAR, 2, '0') AS time_of_day, "
        "h::INTEGER AS hour, mi::INTEGER AS minute, "
        "CASE WHEN h < 12 THEN 'AM' ELSE 'PM' END AS am_pm, "
        "CASE WHEN h < 6 THEN 'night' WHEN h < 12 THEN 'morning' WHEN h < 18 THEN 'afternoon' "
        "ELSE 'evening' END AS day_part "
        "FROM range(0, 24) AS hours(h), range(0, 60) AS minutes(mi) "
        "UNION ALL BY NAME SELECT -1::INTEGER AS time_sk ORDER BY time_sk";
  }
  delta::WriteOptions options;
  options.mode = delta::WriteMode::kOverwrite;
  options.txns = {{app, 1, std::nullopt}};
  options.recommit = request.full_refresh;
  options.properties[kDefinitionProperty] = request.definition;
  options.merge_schema = true;
  options.overwrite_schema = true;
  CARELAKE_ASSIGN_OR_RETURN(delta::OperationResult op, target.Write(sql, options));
  result.committed = op.committed;
  result.version = op.version;
  result.rows_written = op.metrics.rows_inserted;
  result.message = WithThousands(result.rows_written) + " rows generated";
  return result;
}

Result<ModelResult> RunScd(const ModelRequest& request, FileSystem& fs, engine::Connection& conn) {
  const project::Model& m = *request.model;
  const project::Scd& scd = m.scd;
  const bool type2 = m.materialized == Materialization::kScd2;
  const std::string qualified = "gold." + m.name;
  const std::string where = m.origin.ToString() + ": model '" + m.name + "'";
  ModelResult result;
  CARELAKE_ASSIGN_OR_RETURN(ModelInputs in, ResolveInputs(request, /*incremental=*/true, fs, conn));
  if (!in.changed) {
    result.message = "up to date (no new change rows)";
    return result;
  }
  result.reason = in.InputsReason();
  delta::DeltaTable target(fs, request.target_path, conn);
  delta::DeltaTable changes(fs, request.target_path + kChangesSuffix, conn);
  const bool rebuild = request.full_refresh || !target.Exists();
  if (!rebuild && !changes.Exists()) {
    return FailedPrecondition(qualified + kChangesSuffix + " (" + changes.path() +
                              ") is missing, so the history of " + qualified +
                              " cannot be updated; rebuild it with --full-refresh");
  }
  Temps temps(conn);
  // The model's SQL on a line of its own: errors point into its file.
  Status st = temps.Create("_scd_input", "\n" + in.sql);
  if (!st.ok()) {
    const std::string executed = "CREATE TEMP TABLE _scd_input AS \n" + in.sql;
    if (m.sql_file.empty()) return st.WithContext(where + " (its change rows)");
    return ModelSqlError(m, in, executed, executed.size() - in.sql.size(), st);
  }
  CARELAKE_ASSIGN_OR_RETURN(auto input_columns, DescribeColumns(conn, "_scd_input"));
  std::vector<std::string> names;
  for (const auto& [name, type] : input_columns) names.push_back(name);
  auto check_columns = [&](const std::vector<std::string>& list, const std::string& what) {
    for (const std::string& c : list) {
      if (Contains(names, c)) continue;
      std::string all;
      for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
      return InvalidArgument(where + ": " + what + " '" + c +
                             "' is not a column of its change rows (" + all + ")");
    }
    return Status::Ok();
  };
  CARELAKE_RETURN_IF_ERROR(check_columns(m.key, "key column"));
  CARELAKE_RETURN_IF_ERROR(check_columns(scd.track, "tracked column"));
  CARELAKE_RETURN_IF_ERROR(check_columns(scd.track_except, "track_except column"));
  CARELAKE_RETURN_IF_ERROR(check_columns(scd.except, "except column"));
  static const std::vector<std::string> kReserved = {"valid_from", "valid_to", "is_current",
                                                     "_sequence",  "_deleted", "_origin"};
  for (const std::string& n : names) {
    if (Contains(m.key, n) || Contains(scd.except, n)) continue;
    if (Contains(kReserved, n) || (type2 && n == scd.surrogate_key)) {
      return InvalidArgument(where + ": its change rows have a column '" + n +
                             "', a name the dimension uses itself; rename it or list it in except");
    }
  }
  // Data columns (kept in the dimension) and lineage columns (`_...`, kept
  // in the changes table only).
  std::vector<std::string> lineage;
  for (const std::string& n : names) {
    if (!Contains(m.key, n) && !n.empty() && n[0] == '_') lineage.push_back(n);
  }
  auto data_columns = [&](const std::vector<std::string>& all) {
    std::vector<std::string> out;
    for (const std::string& n : all) {
      if (Contains(m.key, n) || Contains(scd.except, n) || n.empty() || n[0] == '_') continue;
      if (Contains(kReserved, n)) continue;
      out.push_back(n);
    }
    return out;
  };
  const std::string keys = Each(m.key, "$");
  const std::string seq = "(" + scd.sequence_by + ")";
  const std::string key_present = Each(m.key, "$ IS NOT NULL", " AND ");

  // Implicit rules: a change row needs its key and its sequence.
  CARELAKE_ASSIGN_OR_RETURN(result.rows_read,
                            engine::QueryInt(conn, "SELECT count(*) FROM _scd_input"));
  for (const auto& [rule, check] : std::vector<std::pair<std::string, std::string>>{
           {"key_present", key_present}, {"sequence_present", seq + " IS NOT NULL"}}) {
    RuleResult r;
    r.table = qualified;
    r.rule = rule;
    r.action = project::ExpectationAction::kDrop;
    r.check = check;
    r.rows_checked = result.rows_read;
    const std::string failed = "NOT coalesce((" + check + "), false)";
    auto count = engine::QueryInt(conn, "SELECT count(*) FROM _scd_input WHERE " + failed);
    if (!count.ok()) return count.status().WithContext(where + ": sequence_by");
    r.rows_failed = *count;
    if (r.rows_failed > 0) {
      CARELAKE_ASSIGN_OR_RETURN(
          engine::QueryResult er,
          conn.Query("SELECT to_json(t)::VARCHAR FROM _scd_input t WHERE " + failed + " LIMIT 5"));
      CARELAKE_ASSIGN_OR_RETURN(auto rows, er.FetchAllRows());
      for (const auto& row : rows) r.examples.push_back(row[0].GetString());
    }
    result.rules.push_back(std::move(r));
  }

  // The new change rows, one per key and sequence.
  const std::vector<std::string> input_data = data_columns(names);
  const std::string deleted =
      scd.delete_when.empty() ? "false" : "coalesce((" + scd.delete_when + "), false)";
  std::string carried = keys + ", " + seq + " AS _sequence, " + deleted + " AS _deleted";
  if (!input_data.empty()) carried += ", " + Each(input_data, "$");
  if (!lineage.empty()) carried += ", " + Each(lineage, "$");
  // With ignore_null_updates a change row whose values are all NULL says
  // nothing: it is left out (it would otherwise start a key with nothing known).
  std::string says_something;
  if (scd.ignore_null_updates && !input_data.empty()) {
    says_something =
        " AND (" + deleted + " OR NOT (" + Each(input_data, "$ IS NULL", " AND ") + "))";
  }
  st = temps.Create(
      "_scd_new",
      "SELECT * FROM (SELECT " + carried + " FROM _scd_input WHERE " + key_present + " AND " + seq +
          " IS NOT NULL" + says_something + ") QUALIFY row_number() OVER (PARTITION BY " + keys +
          ", _sequence ORDER BY " +
          TieOrder(input_data,
                   lineage.empty() ? "" : "CAST(row(" + Each(lineage, "$") + ") AS VARCHAR) DESC") +
          ") = 1");
  if (!st.ok()) return st.WithContext(where + ": sequence_by / delete_when");
  CARELAKE_RETURN_IF_ERROR(temps.Create("_scd_keys", "SELECT DISTINCT " + keys + " FROM _scd_new"));
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_keys,
                            engine::QueryInt(conn, "SELECT count(*) FROM _scd_keys"));

  // Every change of those keys: the stored ones and the new ones; where both
  // have a key and sequence, the tie order picks one (the stored one when
  // they are equal).
  std::string events = "SELECT *, 1 AS _origin FROM _scd_new";
  if (!rebuild) {
    CARELAKE_ASSIGN_OR_RETURN(std::string scan, changes.ScanSql());
    std::string on;
    for (const std::string& k : m.key) {
      on +=
          (on.empty() ? "" : " AND ") + ("c." + QuoteIdentifier(k) + " = k." + QuoteIdentifier(k));
    }
    events = "SELECT c.*, 0 AS _origin FROM (" + scan + ") c SEMI JOIN _scd_keys k ON " + on +
             " UNION ALL BY NAME " + events;
  }
  CARELAKE_RETURN_IF_ERROR(temps.Create("_scd_all", events));
  CARELAKE_ASSIGN_OR_RETURN(auto event_columns, DescribeColumns(conn, "_scd_all"));
  std::vector<std::string> event_names;
  for (const auto& [name, type] : event_columns) event_names.push_back(name);
  const std::vector<std::string> data = data_columns(event_names);
  CARELAKE_RETURN_IF_ERROR(temps.Create(
      "_scd_events", "SELECT * FROM _scd_all QUALIFY row_number() OVER (PARTITION BY " + keys +
                         ", _sequence ORDER BY " + TieOrder(data, "_origin ASC") + ") = 1"));

  // The changes table takes the new changes that won.
  const std::string winners = "SELECT * EXCLUDE (_origin) FROM _scd_events WHERE _origin = 1";
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_new_changes,
                            engine::QueryInt(conn, "SELECT count(*) FROM (" + winners + ")"));
  if (rebuild) {
    delta::WriteOptions options;
    options.mode = delta::WriteMode::kOverwrite;
    options.merge_schema = true;
    options.overwrite_schema = true;
    auto w = changes.Write(winners, options);
    if (!w.ok()) return w.status().WithContext(qualified + kChangesSuffix);
  } else if (n_new_changes > 0) {
    delta::MergeOptions options;
    options.keys = m.key;
    options.keys.push_back("_sequence");
    options.merge_schema = true;
    auto w = changes.Merge(winners, options);
    if (!w.ok()) return w.status().WithContext(qualified + kChangesSuffix);
  }

  // NULLs filled from the key's previous change (ignore_null_updates), within
  // the stretch since its last delete.
  std::string filled = keys + ", _sequence, _deleted";
  for (const std::string& c : data) {
    filled += ", " + (scd.ignore_null_updates ? "last_value(" + QuoteIdentifier(c) +
                                                    " IGNORE NULLS) OVER w AS " + QuoteIdentifier(c)
                                              : QuoteIdentifier(c));
  }
  CARELAKE_RETURN_IF_ERROR(temps.Create(
      "_scd_filled",
      "SELECT " + filled + " FROM (SELECT *, coalesce(sum(_deleted::INTEGER) OVER (PARTITION BY " +
          keys +
          " ORDER BY _sequence ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS _segment "
          "FROM _scd_events) WINDOW w AS (PARTITION BY " +
          keys +
          ", _segment ORDER BY _sequence ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"));

  std::vector<std::string> tracked;
  if (!scd.track.empty()) {
    tracked = scd.track;
  } else {
    for (const std::string& c : data) {
      if (Contains(scd.track_except, c) || c == scd.sequence_by) continue;
      tracked.push_back(c);
    }
  }
  if (type2) {
    // A version starts at a change that is not a delete and follows nothing,
    // a delete, or a change with other tracked values.
    std::string starts = "lag(_sequence) OVER w IS NULL OR lag(_deleted) OVER w";
    for (const std::string& c : tracked) {
      starts += " OR lag(" + QuoteIdentifier(c) + ") OVER w IS DISTINCT FROM " + QuoteIdentifier(c);
    }
    CARELAKE_RETURN_IF_ERROR(temps.Create(
        "_scd_marked",
        "SELECT *, sum(_start::INTEGER) OVER (PARTITION BY " + keys +
            " ORDER BY _sequence ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS _version "
            "FROM (SELECT *, NOT _deleted AND (" +
            starts +
            ") AS _start FROM _scd_filled "
            "WINDOW w AS (PARTITION BY " +
            keys + " ORDER BY _sequence))"));
    std::string join, sk_parts;
    for (const std::string& k : m.key) {
      join += " AND s." + QuoteIdentifier(k) + " = l." + QuoteIdentifier(k);
      sk_parts += "CAST(s." + QuoteIdentifier(k) + " AS VARCHAR), ";
    }
    const std::string sk = "('0x' || substr(md5(concat_ws(chr(31), " + sk_parts +
                           "CAST(s.valid_from AS VARCHAR))), 1, 15))::BIGINT";
    st = temps.Create(
        "_scd_rows",
        "WITH bounds AS (SELECT " + keys +
            ", _version, min(_sequence) FILTER (WHERE _start) AS "
            "valid_from, min(_sequence) FILTER (WHERE _deleted) AS closed_at FROM _scd_marked "
            "WHERE "
            "_version > 0 GROUP BY " +
            keys +
            ", _version), "
            "spans AS (SELECT *, coalesce(closed_at, lead(valid_from) OVER (PARTITION BY " +
            keys +
            " ORDER BY _version)) AS valid_to FROM bounds), "
            "latest AS (SELECT * FROM _scd_marked WHERE _version > 0 AND NOT _deleted QUALIFY "
            "row_number() OVER (PARTITION BY " +
            keys +
            ", _version ORDER BY _sequence DESC) = 1) "
            "SELECT " +
            sk + " AS " + QuoteIdentifier(scd.surrogate_key) + ", " + Each(m.key, "s.$") +
            (data.empty() ? "" : ", " + Each(data, "l.$")) +
            ", s.valid_from, s.valid_to, s.valid_to IS NULL AS is_current FROM spans s JOIN latest "
            "l "
            "ON s._version = l._version" +
            join);
    if (!st.ok()) return st.WithContext(where);
  } else {
    st = temps.Create(
        "_scd_rows",
        "SELECT " + keys + (data.empty() ? "" : ", " + Each(data, "$")) +
            " FROM (SELECT * FROM _scd_filled QUALIFY row_number() OVER (PARTITION BY " + keys +
            " ORDER BY _sequence DESC) = 1) WHERE NOT _deleted");
    if (!st.ok()) return st.WithContext(where);
  }

  // The invariants, on the rows about to replace those keys' rows.
  std::vector<std::pair<std::string, std::string>> invariants;
  if (type2) {
    std::string on_events, on_rows;
    for (const std::string& k : m.key) {
      on_events += " AND e." + QuoteIdentifier(k) + " = r." + QuoteIdentifier(k);
      on_rows += " AND x." + QuoteIdentifier(k) + " = r." + QuoteIdentifier(k);
    }
    invariants = {
        {"keys with more than one current row",
         "SELECT " + keys + " FROM _scd_rows GROUP BY " + keys +
             " HAVING count(*) FILTER (WHERE is_current) > 1"},
        {"live keys without a current row, or deleted keys with one",
         "SELECT * FROM (SELECT " + keys +
             ", arg_max(_deleted, _sequence) AS gone FROM _scd_events GROUP BY " + keys +
             ") r WHERE gone = EXISTS (SELECT 1 FROM _scd_rows x WHERE x.is_current" + on_rows +
             ")"},
        {"versions with an empty or negative validity interval",
         "SELECT 1 FROM _scd_rows WHERE valid_to IS NOT NULL AND valid_to <= valid_from"},
        {"versions whose validity overlaps the next version of their key",
         "SELECT 1 FROM (SELECT *, lead(valid_from) OVER (PARTITION BY " + keys +
             " ORDER BY valid_from) AS next_from FROM _scd_rows) WHERE next_from IS NOT NULL AND "
             "(valid_to IS NULL OR valid_to > next_from)"},
        {"gaps between versions of a key that no delete explains",
         "SELECT 1 FROM (SELECT *, lead(valid_from) OVER (PARTITION BY " + keys +
             " ORDER BY valid_from) AS next_from FROM _scd_rows) r WHERE valid_to < next_from AND "
             "NOT EXISTS (SELECT 1 FROM _scd_events e WHERE e._deleted AND e._sequence = "
             "r.valid_to" +
             on_events + ")"},
    };
    std::string kept = "SELECT " + QuoteIdentifier(scd.surrogate_key) + " AS sk FROM _scd_rows";
    if (!rebuild) {
      CARELAKE_ASSIGN_OR_RETURN(std::string scan, target.ScanSql());
      std::string on;
      for (const std::string& k : m.key) {
        on += (on.empty() ? "" : " AND ") +
              ("d." + QuoteIdentifier(k) + " = k." + QuoteIdentifier(k));
      }
      kept += " UNION ALL SELECT d." + QuoteIdentifier(scd.surrogate_key) + " FROM (" + scan +
              ") d ANTI JOIN _scd_keys k ON " + on;
    }
    invariants.push_back({"surrogate keys that are not unique",
                          "SELECT sk FROM (" + kept + ") GROUP BY sk HAVING count(*) > 1"});
  } else {
    invariants.push_back(
        {"keys with more than one row",
         "SELECT " + keys + " FROM _scd_rows GROUP BY " + keys + " HAVING count(*) > 1"});
  }
  for (const auto& [what, sql] : invariants) {
    CARELAKE_ASSIGN_OR_RETURN(int64_t bad,
                              engine::QueryInt(conn, "SELECT count(*) FROM (" + sql + ")"));
    if (bad > 0) {
      return Internal(qualified + ": invariant violated: " + WithThousands(bad) + " " + what +
                      "; nothing was committed");
    }
  }
  CARELAKE_RETURN_IF_ERROR(CheckModelExpectations(m, "_scd_rows", conn, &result));
  if (!result.failed_rule.empty()) return result;

  delta::WriteOptions options;
  options.mode = delta::WriteMode::kOverwrite;
  options.merge_schema = true;
  options.overwrite_schema = rebuild;
  options.txns = in.Txns();
  options.recommit = rebuild;
  options.properties[kDefinitionProperty] = request.definition;
  std::string rows = "SELECT * FROM _scd_rows";
  std::string key_on;  // r.<key> = k.<key>
  for (const std::string& k : m.key) {
    key_on += (key_on.empty() ? "" : " AND ") +
              ("r." + QuoteIdentifier(k) + " = k." + QuoteIdentifier(k));
  }
  int64_t n_changed_keys = n_keys;
  if (rebuild) {
    if (type2 && scd.unknown_member) {
      rows += " UNION ALL BY NAME SELECT -1::BIGINT AS " + QuoteIdentifier(scd.surrogate_key) +
              ", false AS is_current";
    }
  } else {
    // Only the keys whose rows differ from the stored ones are rewritten (a
    // re-delivered snapshot changes nothing; facts are not looked up again).
    CARELAKE_ASSIGN_OR_RETURN(std::string scan, target.ScanSql());
    CARELAKE_RETURN_IF_ERROR(temps.Create(
        "_scd_stored", "SELECT r.* FROM (" + scan + ") r SEMI JOIN _scd_keys k ON " + key_on));
    CARELAKE_ASSIGN_OR_RETURN(auto row_columns, DescribeColumns(conn, "_scd_rows"));
    CARELAKE_ASSIGN_OR_RETURN(auto stored_columns, DescribeColumns(conn, "_scd_stored"));
    bool same_columns = row_columns.size() == stored_columns.size();
    std::vector<std::string> compared;
    for (size_t i = 0; i < row_columns.size(); ++i) {
      compared.push_back(row_columns[i].first);
      same_columns = same_columns && row_columns[i].first == stored_columns[i].first;
    }
    std::string changed_keys = "SELECT * FROM _scd_keys";
    if (same_columns) {
      const std::string cols = Each(compared, "$");
      changed_keys = "SELECT DISTINCT " + keys + " FROM ((SELECT " + cols +
                     " FROM _scd_rows EXCEPT ALL SELECT " + cols +
                     " FROM _scd_stored) UNION ALL (SELECT " + cols +
                     " FROM _scd_stored EXCEPT ALL SELECT " + cols + " FROM _scd_rows))";
    }
    CARELAKE_RETURN_IF_ERROR(temps.Create("_scd_changed_keys", changed_keys));
    CARELAKE_ASSIGN_OR_RETURN(n_changed_keys,
                              engine::QueryInt(conn, "SELECT count(*) FROM _scd_changed_keys"));
    rows = "SELECT r.* FROM _scd_rows r SEMI JOIN _scd_changed_keys k ON " + key_on;
    options.replace_where =
        m.key.size() == 1
            ? keys + " IN (SELECT " + keys + " FROM _scd_changed_keys)"
            : "row(" + keys + ") IN (SELECT row(" + keys + ") FROM _scd_changed_keys)";
  }
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_rows,
                            engine::QueryInt(conn, "SELECT count(*) FROM (" + rows + ")"));
  auto w = target.Write(rows, options);
  if (!w.ok()) return w.status().WithContext(qualified);
  result.committed = w->committed;
  result.version = w->version;
  result.rows_written = n_rows;
  result.message = WithThousands(result.rows_read) + " change rows, " +
                   WithThousands(n_new_changes) + " new changes of " + WithThousands(n_keys) +
                   " keys; " + WithThousands(n_changed_keys) + " keys changed, " +
                   WithThousands(n_rows) + (type2 ? " versions" : " rows") + " written for them";
  if (!w->committed) result.message = w->reason;
  return result;
}

}  // namespace

Result<ModelResult> RunDimension(const ModelRequest& request, FileSystem& fs,
                                 engine::Connection& conn) {
  if (request.model->IsGenerated()) return RunGenerated(request, fs, conn);
  return RunScd(request, fs, conn);
}

}  // namespace carelake::model
