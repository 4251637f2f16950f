#include "carelake/model/dimension.h"

#include <algorithm>
#include <functional>
#include <set>

#include "carelake/base/format.h"
#include "carelake/catalog/catalog.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/engine/temp_tables.h"
#include "carelake/model/definition.h"
#include "carelake/model/gold.h"

namespace carelake::model {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;
using project::Materialization;

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

// Columns the dimension and its changes table use themselves.
const std::vector<std::string>& ReservedColumns() {
  static const std::vector<std::string> kReserved = {"valid_from", "valid_to", "is_current",
                                                     "_sequence",  "_deleted", "_origin"};
  return kReserved;
}

// One type 1 or 2 dimension step's state, phase to phase. Its temporary
// tables are dropped when it ends.
struct ScdBuild {
  ScdBuild(const ModelRequest& request, FileSystem& fs, engine::Connection& conn)
      : request(request),
        m(*request.model),
        scd(m.scd),
        type2(m.materialized == Materialization::kScd2),
        qualified("gold." + m.name),
        where(m.origin.ToString() + ": model '" + m.name + "'"),
        keys(Each(m.key, "$")),
        conn(conn),
        target(fs, request.target_path, conn),
        changes(fs, request.target_path + catalog::kChangesSuffix, conn),
        temps(conn) {}

  // The data columns of `all` (kept in the dimension): neither key, except,
  // lineage (`_...`) nor reserved.
  std::vector<std::string> DataColumns(const std::vector<std::string>& all) const {
    std::vector<std::string> out;
    for (const std::string& n : all) {
      if (Contains(m.key, n) || Contains(scd.except, n) || n.empty() || n[0] == '_') continue;
      if (Contains(ReservedColumns(), n)) continue;
      out.push_back(n);
    }
    return out;
  }
  // `<prefix>.<key> = <other>.<key>` for every key column, joined by AND.
  std::string KeyOn(const std::string& prefix, const std::string& other) const {
    std::string on;
    for (const std::string& k : m.key) {
      on += (on.empty() ? "" : " AND ") +
            (prefix + "." + QuoteIdentifier(k) + " = " + other + "." + QuoteIdentifier(k));
    }
    return on;
  }

  const ModelRequest& request;
  const project::Model& m;
  const project::Scd& scd;
  const bool type2;
  const std::string qualified;
  const std::string where;  // "<origin>: model 'x'", for errors
  const std::string keys;   // the quoted key columns, comma-separated
  engine::Connection& conn;
  delta::DeltaTable target;
  delta::DeltaTable changes;
  engine::TempTables temps;
  bool rebuild = false;  // the dimension and its changes are written anew
  ModelInputs in;

  std::vector<std::string> input_columns;  // of the change rows
  std::vector<std::string> lineage;        // their `_...` columns but keys
  std::vector<std::string> data;           // data columns of every change of the keys
  // Temporary tables.
  std::string input;     // the change rows
  std::string new_rows;  // the new changes, one per key and sequence
  std::string touched;   // the keys of the new changes
  std::string events;    // every change of those keys, one per key and sequence
  std::string filled;    // events with NULLs filled (ignore_null_updates)
  std::string rows;      // the dimension's rows of those keys
  int64_t n_keys = 0;
  int64_t n_new_changes = 0;
  ModelResult result;
};

// Materializes the change rows (the model's SQL; errors point into its
// file) and checks their columns against the model's settings.
Status LoadChangeRows(ScdBuild& b) {
  const project::Model& m = b.m;
  const project::Scd& scd = b.scd;
  // The model's SQL on a line of its own: errors point into its file.
  b.input = b.temps.NewName("scd_input");
  const std::string executed = "CREATE TEMP TABLE " + b.input + " AS \n" + b.in.sql;
  Status st = b.conn.Execute(executed);
  if (!st.ok()) {
    if (m.sql_file.empty()) return st.WithContext(b.where + " (its change rows)");
    return ModelSqlError(m, b.in, executed, executed.size() - b.in.sql.size(), st);
  }
  b.temps.Keep(b.input);
  CARELAKE_ASSIGN_OR_RETURN(auto input_columns, DescribeColumns(b.conn, b.input));
  const std::vector<std::string>& names = b.input_columns;
  for (const auto& [name, type] : input_columns) b.input_columns.push_back(name);
  auto check_columns = [&](const std::vector<std::string>& list, const std::string& what) {
    for (const std::string& c : list) {
      if (Contains(names, c)) continue;
      std::string all;
      for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
      return InvalidArgument(b.where + ": " + what + " '" + c +
                             "' is not a column of its change rows (" + all + ")");
    }
    return Status::Ok();
  };
  CARELAKE_RETURN_IF_ERROR(check_columns(m.key, "key column"));
  CARELAKE_RETURN_IF_ERROR(check_columns(scd.track, "tracked column"));
  CARELAKE_RETURN_IF_ERROR(check_columns(scd.track_except, "track_except column"));
  CARELAKE_RETURN_IF_ERROR(check_columns(scd.except, "except column"));
  for (const std::string& n : names) {
    if (Contains(m.key, n) || Contains(scd.except, n)) continue;
    if (Contains(ReservedColumns(), n) || (b.type2 && n == scd.surrogate_key)) {
      return InvalidArgument(b.where + ": its change rows have a column '" + n +
                             "', a name the dimension uses itself; rename it or list it in except");
    }
  }
  // Lineage columns (`_...`) are kept in the changes table only.
  for (const std::string& n : names) {
    if (!Contains(m.key, n) && !n.empty() && n[0] == '_') b.lineage.push_back(n);
  }
  return Status::Ok();
}

std::string SequenceSql(const ScdBuild& b) { return "(" + b.scd.sequence_by + ")"; }
std::string KeyPresentSql(const ScdBuild& b) { return Each(b.m.key, "$ IS NOT NULL", " AND "); }

// The implicit rules: a change row needs its key and its sequence (rows
// without are dropped). Counts the change rows into rows_read.
Status CheckImplicitRules(ScdBuild& b) {
  ModelResult& result = b.result;
  CARELAKE_ASSIGN_OR_RETURN(result.rows_read,
                            engine::QueryInt(b.conn, "SELECT count(*) FROM " + b.input));
  for (const auto& [rule, check] : std::vector<std::pair<std::string, std::string>>{
           {"key_present", KeyPresentSql(b)},
           {"sequence_present", SequenceSql(b) + " IS NOT NULL"}}) {
    RuleResult r;
    r.table = b.qualified;
    r.rule = rule;
    r.action = project::ExpectationAction::kDrop;
    r.check = check;
    r.rows_checked = result.rows_read;
    const std::string failed = "NOT coalesce((" + check + "), false)";
    auto count = engine::QueryInt(b.conn, "SELECT count(*) FROM " + b.input + " WHERE " + failed);
    if (!count.ok()) return count.status().WithContext(b.where + ": sequence_by");
    r.rows_failed = *count;
    if (r.rows_failed > 0) {
      CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult er,
                                b.conn.Query("SELECT to_json(t)::VARCHAR FROM " + b.input +
                                             " t WHERE " + failed + " LIMIT 5"));
      CARELAKE_ASSIGN_OR_RETURN(auto rows, er.FetchAllRows());
      for (const auto& row : rows) r.examples.push_back(row[0].GetString());
    }
    result.rules.push_back(std::move(r));
  }
  return Status::Ok();
}

// The new change rows, one per key and sequence (the tie order picks), and
// the keys they touch.
Status SelectNewChanges(ScdBuild& b) {
  const project::Scd& scd = b.scd;
  const std::vector<std::string> input_data = b.DataColumns(b.input_columns);
  const std::string deleted =
      scd.delete_when.empty() ? "false" : "coalesce((" + scd.delete_when + "), false)";
  std::string carried =
      b.keys + ", " + SequenceSql(b) + " AS _sequence, " + deleted + " AS _deleted";
  if (!input_data.empty()) carried += ", " + Each(input_data, "$");
  if (!b.lineage.empty()) carried += ", " + Each(b.lineage, "$");
  // With ignore_null_updates a change row whose values are all NULL says
  // nothing: it is left out (it would otherwise start a key with nothing known).
  std::string says_something;
  if (scd.ignore_null_updates && !input_data.empty()) {
    says_something =
        " AND (" + deleted + " OR NOT (" + Each(input_data, "$ IS NULL", " AND ") + "))";
  }
  auto new_rows = b.temps.Create(
      "scd_new",
      "SELECT * FROM (SELECT " + carried + " FROM " + b.input + " WHERE " + KeyPresentSql(b) +
          " AND " + SequenceSql(b) + " IS NOT NULL" + says_something +
          ") QUALIFY row_number() OVER (PARTITION BY " + b.keys + ", _sequence ORDER BY " +
          TieOrder(input_data, b.lineage.empty()
                                   ? ""
                                   : "CAST(row(" + Each(b.lineage, "$") + ") AS VARCHAR) DESC") +
          ") = 1");
  if (!new_rows.ok()) return new_rows.status().WithContext(b.where + ": sequence_by / delete_when");
  b.new_rows = *new_rows;
  CARELAKE_ASSIGN_OR_RETURN(
      b.touched, b.temps.Create("scd_keys", "SELECT DISTINCT " + b.keys + " FROM " + b.new_rows));
  CARELAKE_ASSIGN_OR_RETURN(b.n_keys,
                            engine::QueryInt(b.conn, "SELECT count(*) FROM " + b.touched));
  return Status::Ok();
}

// Every change of the touched keys: the stored ones and the new ones; where
// both have a key and sequence, the tie order picks one (the stored one
// when they are equal).
Status GatherEvents(ScdBuild& b) {
  std::string events = "SELECT *, 1 AS _origin FROM " + b.new_rows;
  if (!b.rebuild) {
    CARELAKE_ASSIGN_OR_RETURN(std::string scan, b.changes.ScanSql());
    events = "SELECT c.*, 0 AS _origin FROM (" + scan + ") c SEMI JOIN " + b.touched + " k ON " +
             b.KeyOn("c", "k") + " UNION ALL BY NAME " + events;
  }
  CARELAKE_ASSIGN_OR_RETURN(std::string all, b.temps.Create("scd_all", events));
  CARELAKE_ASSIGN_OR_RETURN(auto event_columns, DescribeColumns(b.conn, all));
  std::vector<std::string> event_names;
  for (const auto& [name, type] : event_columns) event_names.push_back(name);
  b.data = b.DataColumns(event_names);
  CARELAKE_ASSIGN_OR_RETURN(
      b.events,
      b.temps.Create("scd_events",
                     "SELECT * FROM " + all + " QUALIFY row_number() OVER (PARTITION BY " + b.keys +
                         ", _sequence ORDER BY " + TieOrder(b.data, "_origin ASC") + ") = 1"));
  return Status::Ok();
}

// The changes table takes the new changes that won (all of them, anew, on
// a rebuild).
Status WriteChanges(ScdBuild& b) {
  const std::string winners = "SELECT * EXCLUDE (_origin) FROM " + b.events + " WHERE _origin = 1";
  CARELAKE_ASSIGN_OR_RETURN(b.n_new_changes,
                            engine::QueryInt(b.conn, "SELECT count(*) FROM (" + winners + ")"));
  if (b.rebuild) {
    delta::WriteOptions options;
    options.mode = delta::WriteMode::kOverwrite;
    options.merge_schema = true;
    options.overwrite_schema = true;
    auto w = b.changes.Write(winners, options);
    if (!w.ok()) return w.status().WithContext(b.qualified + catalog::kChangesSuffix);
  } else if (b.n_new_changes > 0) {
    delta::MergeOptions options;
    options.keys = b.m.key;
    options.keys.push_back("_sequence");
    options.merge_schema = true;
    auto w = b.changes.Merge(winners, options);
    if (!w.ok()) return w.status().WithContext(b.qualified + catalog::kChangesSuffix);
  }
  return Status::Ok();
}

// NULLs filled from the key's previous change (ignore_null_updates), within
// the stretch since its last delete.
Status FillNulls(ScdBuild& b) {
  std::string filled = b.keys + ", _sequence, _deleted";
  for (const std::string& c : b.data) {
    filled +=
        ", " + (b.scd.ignore_null_updates ? "last_value(" + QuoteIdentifier(c) +
                                                " IGNORE NULLS) OVER w AS " + QuoteIdentifier(c)
                                          : QuoteIdentifier(c));
  }
  CARELAKE_ASSIGN_OR_RETURN(
      b.filled,
      b.temps.Create(
          "scd_filled",
          "SELECT " + filled +
              " FROM (SELECT *, coalesce(sum(_deleted::INTEGER) OVER (PARTITION BY " + b.keys +
              " ORDER BY _sequence ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS "
              "_segment FROM " +
              b.events + ") WINDOW w AS (PARTITION BY " + b.keys +
              ", _segment ORDER BY _sequence ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"));
  return Status::Ok();
}

// The tracked columns: `track`, or every data column but `track_except`
// and the sequence.
std::vector<std::string> TrackedColumns(const ScdBuild& b) {
  if (!b.scd.track.empty()) return b.scd.track;
  std::vector<std::string> tracked;
  for (const std::string& c : b.data) {
    if (Contains(b.scd.track_except, c) || c == b.scd.sequence_by) continue;
    tracked.push_back(c);
  }
  return tracked;
}

// Type 2: the versions of the touched keys. A version starts at a change
// that is not a delete and follows nothing, a delete, or a change with other
// tracked values; it is valid until the next version starts or a delete
// closes the key, and holds the values of its latest change.
Status BuildVersions(ScdBuild& b) {
  const std::string& keys = b.keys;
  std::string starts = "lag(_sequence) OVER w IS NULL OR lag(_deleted) OVER w";
  for (const std::string& c : TrackedColumns(b)) {
    starts += " OR lag(" + QuoteIdentifier(c) + ") OVER w IS DISTINCT FROM " + QuoteIdentifier(c);
  }
  CARELAKE_ASSIGN_OR_RETURN(
      std::string marked,
      b.temps.Create("scd_marked",
                     "SELECT *, sum(_start::INTEGER) OVER (PARTITION BY " + keys +
                         " ORDER BY _sequence ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
                         "AS _version FROM (SELECT *, NOT _deleted AND (" +
                         starts + ") AS _start FROM " + b.filled + " WINDOW w AS (PARTITION BY " +
                         keys + " ORDER BY _sequence))"));
  std::string join, sk_parts;
  for (const std::string& k : b.m.key) {
    join += " AND s." + QuoteIdentifier(k) + " = l." + QuoteIdentifier(k);
    sk_parts += "CAST(s." + QuoteIdentifier(k) + " AS VARCHAR), ";
  }
  const std::string sk = "('0x' || substr(md5(concat_ws(chr(31), " + sk_parts +
                         "CAST(s.valid_from AS VARCHAR))), 1, 15))::BIGINT";
  auto rows = b.temps.Create(
      "scd_rows",
      "WITH bounds AS (SELECT " + keys +
          ", _version, min(_sequence) FILTER (WHERE _start) AS valid_from, min(_sequence) FILTER "
          "(WHERE _deleted) AS closed_at FROM " +
          marked + " WHERE _version > 0 GROUP BY " + keys +
          ", _version), spans AS (SELECT *, coalesce(closed_at, lead(valid_from) OVER "
          "(PARTITION BY " +
          keys + " ORDER BY _version)) AS valid_to FROM bounds), latest AS (SELECT * FROM " +
          marked + " WHERE _version > 0 AND NOT _deleted QUALIFY row_number() OVER (PARTITION BY " +
          keys + ", _version ORDER BY _sequence DESC) = 1) SELECT " + sk + " AS " +
          QuoteIdentifier(b.scd.surrogate_key) + ", " + Each(b.m.key, "s.$") +
          (b.data.empty() ? "" : ", " + Each(b.data, "l.$")) +
          ", s.valid_from, s.valid_to, s.valid_to IS NULL AS is_current FROM spans s JOIN latest "
          "l ON s._version = l._version" +
          join);
  if (!rows.ok()) return rows.status().WithContext(b.where);
  b.rows = *rows;
  return Status::Ok();
}

// Type 1: each live touched key's latest values.
Status BuildLatestRows(ScdBuild& b) {
  auto rows = b.temps.Create("scd_rows", "SELECT " + b.keys +
                                             (b.data.empty() ? "" : ", " + Each(b.data, "$")) +
                                             " FROM (SELECT * FROM " + b.filled +
                                             " QUALIFY row_number() OVER (PARTITION BY " + b.keys +
                                             " ORDER BY _sequence DESC) = 1) WHERE NOT _deleted");
  if (!rows.ok()) return rows.status().WithContext(b.where);
  b.rows = *rows;
  return Status::Ok();
}

// The invariants, on the rows about to replace the touched keys' rows: an
// Internal error (nothing committed) naming what was violated.
Status CheckInvariants(ScdBuild& b) {
  const std::string& keys = b.keys;
  const std::string& rows = b.rows;
  std::vector<std::pair<std::string, std::string>> invariants;
  if (b.type2) {
    std::string on_events, on_rows;
    for (const std::string& k : b.m.key) {
      on_events += " AND e." + QuoteIdentifier(k) + " = r." + QuoteIdentifier(k);
      on_rows += " AND x." + QuoteIdentifier(k) + " = r." + QuoteIdentifier(k);
    }
    invariants = {
        {"keys with more than one current row",
         "SELECT " + keys + " FROM " + rows + " GROUP BY " + keys +
             " HAVING count(*) FILTER (WHERE is_current) > 1"},
        {"live keys without a current row, or deleted keys with one",
         "SELECT * FROM (SELECT " + keys + ", arg_max(_deleted, _sequence) AS gone FROM " +
             b.events + " GROUP BY " + keys + ") r WHERE gone = EXISTS (SELECT 1 FROM " + rows +
             " x WHERE x.is_current" + on_rows + ")"},
        {"versions with an empty or negative validity interval",
         "SELECT 1 FROM " + rows + " WHERE valid_to IS NOT NULL AND valid_to <= valid_from"},
        {"versions whose validity overlaps the next version of their key",
         "SELECT 1 FROM (SELECT *, lead(valid_from) OVER (PARTITION BY " + keys +
             " ORDER BY valid_from) AS next_from FROM " + rows +
             ") WHERE next_from IS NOT NULL AND (valid_to IS NULL OR valid_to > next_from)"},
        {"gaps between versions of a key that no delete explains",
         "SELECT 1 FROM (SELECT *, lead(valid_from) OVER (PARTITION BY " + keys +
             " ORDER BY valid_from) AS next_from FROM " + rows +
             ") r WHERE valid_to < next_from AND NOT EXISTS (SELECT 1 FROM " + b.events +
             " e WHERE e._deleted AND e._sequence = r.valid_to" + on_events + ")"},
    };
    const std::string sk = QuoteIdentifier(b.scd.surrogate_key);
    std::string kept = "SELECT " + sk + " AS sk FROM " + rows;
    if (!b.rebuild) {
      CARELAKE_ASSIGN_OR_RETURN(std::string scan, b.target.ScanSql());
      kept += " UNION ALL SELECT d." + sk + " FROM (" + scan + ") d ANTI JOIN " + b.touched +
              " k ON " + b.KeyOn("d", "k");
    }
    invariants.push_back({"surrogate keys that are not unique",
                          "SELECT sk FROM (" + kept + ") GROUP BY sk HAVING count(*) > 1"});
  } else {
    invariants.push_back(
        {"keys with more than one row",
         "SELECT " + keys + " FROM " + rows + " GROUP BY " + keys + " HAVING count(*) > 1"});
  }
  for (const auto& [what, sql] : invariants) {
    CARELAKE_ASSIGN_OR_RETURN(int64_t bad,
                              engine::QueryInt(b.conn, "SELECT count(*) FROM (" + sql + ")"));
    if (bad > 0) {
      return Internal(b.qualified + ": invariant violated: " + WithThousands(bad) + " " + what +
                      "; nothing was committed");
    }
  }
  return Status::Ok();
}

// The touched keys whose rows differ from the stored ones (all of them when
// the columns differ), in a temporary table whose name is returned.
Result<std::string> ChangedKeys(ScdBuild& b) {
  CARELAKE_ASSIGN_OR_RETURN(std::string scan, b.target.ScanSql());
  CARELAKE_ASSIGN_OR_RETURN(
      std::string stored,
      b.temps.Create("scd_stored", "SELECT r.* FROM (" + scan + ") r SEMI JOIN " + b.touched +
                                       " k ON " + b.KeyOn("r", "k")));
  CARELAKE_ASSIGN_OR_RETURN(auto row_columns, DescribeColumns(b.conn, b.rows));
  CARELAKE_ASSIGN_OR_RETURN(auto stored_columns, DescribeColumns(b.conn, stored));
  bool same_columns = row_columns.size() == stored_columns.size();
  std::vector<std::string> compared;
  for (size_t i = 0; i < row_columns.size(); ++i) {
    compared.push_back(row_columns[i].first);
    same_columns = same_columns && row_columns[i].first == stored_columns[i].first;
  }
  std::string changed_keys = "SELECT * FROM " + b.touched;
  if (same_columns) {
    const std::string cols = Each(compared, "$");
    changed_keys = "SELECT DISTINCT " + b.keys + " FROM ((SELECT " + cols + " FROM " + b.rows +
                   " EXCEPT ALL SELECT " + cols + " FROM " + stored + ") UNION ALL (SELECT " +
                   cols + " FROM " + stored + " EXCEPT ALL SELECT " + cols + " FROM " + b.rows +
                   "))";
  }
  return b.temps.Create("scd_changed_keys", changed_keys);
}

// Commits the rows: the whole dimension on a rebuild (with the unknown
// member), else only the rows of the keys whose rows changed (a
// re-delivered snapshot changes nothing; facts are not looked up again).
Status WriteDimension(ScdBuild& b) {
  delta::WriteOptions options;
  options.mode = delta::WriteMode::kOverwrite;
  options.merge_schema = true;
  options.overwrite_schema = b.rebuild;
  options.txns = b.in.Txns();
  options.recommit = b.rebuild;
  options.properties[kDefinitionProperty] = b.request.definition;
  std::string rows = "SELECT * FROM " + b.rows;
  int64_t n_changed_keys = b.n_keys;
  if (b.rebuild) {
    if (b.type2 && b.scd.unknown_member) {
      rows += " UNION ALL BY NAME SELECT -1::BIGINT AS " + QuoteIdentifier(b.scd.surrogate_key) +
              ", false AS is_current";
    }
  } else {
    CARELAKE_ASSIGN_OR_RETURN(std::string changed_keys, ChangedKeys(b));
    CARELAKE_ASSIGN_OR_RETURN(n_changed_keys,
                              engine::QueryInt(b.conn, "SELECT count(*) FROM " + changed_keys));
    rows =
        "SELECT r.* FROM " + b.rows + " r SEMI JOIN " + changed_keys + " k ON " + b.KeyOn("r", "k");
    options.replace_where =
        b.m.key.size() == 1
            ? b.keys + " IN (SELECT " + b.keys + " FROM " + changed_keys + ")"
            : "row(" + b.keys + ") IN (SELECT row(" + b.keys + ") FROM " + changed_keys + ")";
  }
  CARELAKE_ASSIGN_OR_RETURN(int64_t n_rows,
                            engine::QueryInt(b.conn, "SELECT count(*) FROM (" + rows + ")"));
  auto w = b.target.Write(rows, options);
  if (!w.ok()) return w.status().WithContext(b.qualified);
  ModelResult& result = b.result;
  result.committed = w->committed;
  result.version = w->version;
  result.rows_written = n_rows;
  result.message = WithThousands(result.rows_read) + " change rows, " +
                   WithThousands(b.n_new_changes) + " new changes of " + WithThousands(b.n_keys) +
                   " keys; " + WithThousands(n_changed_keys) + " keys changed, " +
                   WithThousands(n_rows) + (b.type2 ? " versions" : " rows") + " written for them";
  if (!w->committed) result.message = w->reason;
  return Status::Ok();
}

Result<ModelResult> RunScd(const ModelRequest& request, FileSystem& fs, engine::Connection& conn) {
  ScdBuild b(request, fs, conn);
  CARELAKE_ASSIGN_OR_RETURN(b.in, ResolveInputs(request, /*incremental=*/true, fs, conn));
  if (!b.in.changed) {
    b.result.message = "up to date (no new change rows)";
    return std::move(b.result);
  }
  b.result.reason = b.in.InputsReason();
  b.rebuild = request.full_refresh || !b.target.Exists();
  if (!b.rebuild && !b.changes.Exists()) {
    return FailedPrecondition(b.qualified + catalog::kChangesSuffix + " (" + b.changes.path() +
                              ") is missing, so the history of " + b.qualified +
                              " cannot be updated; rebuild it with --full-refresh");
  }
  CARELAKE_RETURN_IF_ERROR(LoadChangeRows(b));
  CARELAKE_RETURN_IF_ERROR(CheckImplicitRules(b));
  CARELAKE_RETURN_IF_ERROR(SelectNewChanges(b));
  CARELAKE_RETURN_IF_ERROR(GatherEvents(b));
  CARELAKE_RETURN_IF_ERROR(WriteChanges(b));
  CARELAKE_RETURN_IF_ERROR(FillNulls(b));
  CARELAKE_RETURN_IF_ERROR(b.type2 ? BuildVersions(b) : BuildLatestRows(b));
  CARELAKE_RETURN_IF_ERROR(CheckInvariants(b));
  CARELAKE_RETURN_IF_ERROR(CheckModelExpectations(b.m, b.rows, conn, &b.result));
  if (!b.result.failed_rule.empty()) return std::move(b.result);
  CARELAKE_RETURN_IF_ERROR(WriteDimension(b));
  return std::move(b.result);
}

}  // namespace

Result<ModelResult> RunDimension(const ModelRequest& request, FileSystem& fs,
                                 engine::Connection& conn) {
  if (request.model->IsGenerated()) return RunGenerated(request, fs, conn);
  return RunScd(request, fs, conn);
}

}  // namespace carelake::model
