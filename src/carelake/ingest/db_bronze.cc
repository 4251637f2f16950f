#include "carelake/ingest/db_bronze.h"

#include <filesystem>
#include <iterator>
#include <set>

#include "carelake/delta/schema.h"
#include "carelake/ingest/db_ingest.h"

namespace carelake::ingest {

using dbsource::SourceColumn;
using dbsource::SourceTable;
using delta::QuoteIdentifier;
using delta::QuoteLiteral;

namespace {

std::string MadeFolder(const std::string& lake, const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(lake) / "_system" / "spool" / name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // a failure shows when a file is created
  return dir.string();
}

}  // namespace

SpoolFolder::SpoolFolder(const std::string& lake, const std::string& name, int64_t roll_bytes)
    : dir_(MadeFolder(lake, name)), spool_(dir_, "part", roll_bytes) {}

SpoolFolder::~SpoolFolder() {
  spool_.Remove();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::vector<std::pair<std::string, std::string>>> Describe(engine::Connection& conn,
                                                                  const std::string& query) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult r, conn.Query("DESCRIBE " + query));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : rows) out.emplace_back(row[0].ToString(), row[1].ToString());
  return out;
}

Result<Prior> LoadPrior(delta::DeltaTable& table, engine::Connection& conn) {
  Prior prior;
  if (!table.Exists()) return prior;
  CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr snap, table.Load());
  prior.exists = true;
  prior.version = snap->version();
  prior.watermark = snap->Property(kWatermarkProperty, "");
  prior.cdc_lsn = snap->Property(kCdcLsnProperty, "");
  CARELAKE_ASSIGN_OR_RETURN(prior.scan_sql, table.ScanSql(prior.version));
  CARELAKE_ASSIGN_OR_RETURN(auto columns, Describe(conn, prior.scan_sql));
  std::set<std::string> lineage(std::begin(kDbLineage), std::end(kDbLineage));
  for (auto& c : columns) {
    if (!lineage.count(c.first)) prior.columns.push_back(std::move(c));
  }
  return prior;
}

// SELECT of the spooled rows, every column converted and named, plus the
// columns bronze has and the source dropped, as NULL.
std::string RowsSql(const SourceTable& t, const std::vector<std::string>& files,
                    const Prior& prior) {
  std::string select;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const SourceColumn& c = t.columns[i];
    std::string v = files.empty() ? "CAST(NULL AS " + c.csv_type + ")" : "c" + std::to_string(i);
    std::string expr = c.convert_sql.empty() ? v : c.convert_sql;
    if (size_t at = expr.find("{}"); at != std::string::npos) expr.replace(at, 2, v);
    select += (i ? ", " : "") + std::string("CAST(") + expr + " AS " + c.lake_type + ") AS " +
              QuoteIdentifier(c.name);
  }
  for (const auto& [name, type] : prior.columns) {
    bool kept = false;
    for (const SourceColumn& c : t.columns) kept = kept || delta::EqualsIgnoreCase(c.name, name);
    if (!kept) select += ", CAST(NULL AS " + type + ") AS " + QuoteIdentifier(name);
  }
  if (files.empty()) return "SELECT " + select + " WHERE false";
  std::string list, columns;
  for (const std::string& f : files) list += (list.empty() ? "" : ", ") + QuoteLiteral(f);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    columns += (i ? ", " : "") + QuoteLiteral("c" + std::to_string(i)) + ": " +
               QuoteLiteral(t.columns[i].csv_type);
  }
  return "SELECT " + select + " FROM read_csv([" + list + "], columns = {" + columns +
         "}, header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
         "allow_quoted_nulls = false, null_padding = false)";
}

// A column whose type changed: the table cannot take it.
Status CheckDrift(const std::string& table, const Prior& prior,
                  const std::vector<std::pair<std::string, std::string>>& now) {
  for (const auto& [name, type] : now) {
    for (const auto& [old_name, old_type] : prior.columns) {
      if (delta::EqualsIgnoreCase(name, old_name) && type != old_type) {
        return FailedPrecondition("table " + table + ", column " + name + ": the source's type " +
                                  type + " cannot be written into bronze's " + old_type +
                                  " (drop the bronze table or rename the column to take it)");
      }
    }
  }
  return Status::Ok();
}

}  // namespace carelake::ingest
