#include "carelake/ingest/db_ingest.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "carelake/catalog/catalog.h"
#include "carelake/dbsource/db_reader.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"

namespace carelake::ingest {
namespace {

using dbsource::SourceColumn;
using dbsource::SourceTable;
using delta::QuoteIdentifier;
using delta::QuoteLiteral;

constexpr const char* kDbLineage[] = {"_run_id", "_ingested_at", "_deleted"};

Result<std::string> ResolvePassword(const project::DatabaseSource& s, const std::string& dir) {
  if (!s.password_env.empty()) {
    const char* value = std::getenv(s.password_env.c_str());
    if (value == nullptr) {
      return FailedPrecondition("source '" + s.name + "': the environment variable " +
                                s.password_env + " (password_env) is not set");
    }
    return std::string(value);
  }
  if (s.password_file.empty()) return std::string();
  std::filesystem::path path = std::filesystem::path(dir) / s.password_file;
  std::ifstream in(path);
  if (!in) {
    return FailedPrecondition("source '" + s.name + "': cannot read password_file " +
                              path.string());
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// The table's name in the lake: its own, or `<schema>__<name>` for a
// PostgreSQL schema other than public.
std::string LakeName(const project::DatabaseSource& s, const SourceTable& t) {
  if (s.IsPostgres() && t.schema != "public") return t.schema + "__" + t.name;
  return t.name;
}

const project::IncrementalRead* IncrementalFor(const project::DatabaseSource& s,
                                               const SourceTable& t) {
  for (const std::string& key : {t.name, t.schema + "." + t.name}) {
    if (auto it = s.incremental.find(key); it != s.incremental.end()) return &it->second;
  }
  return nullptr;
}

// What the bronze table holds before this run.
struct Prior {
  bool exists = false;
  int64_t version = -1;
  std::string watermark;
  std::string scan_sql;
  std::vector<std::pair<std::string, std::string>> columns;  // name, DuckDB type (lineage excluded)
};

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

// The rows to read this run: all (snapshot, or a first incremental read),
// or those past the watermark.
std::string WhereSql(const project::IncrementalRead* inc, const Prior& prior,
                     dbsource::TableReader& reader, const SourceColumn& cursor, bool postgres) {
  if (inc == nullptr || prior.watermark.empty()) return "";
  std::string column = reader.QuoteName(inc->cursor);
  std::string mark = reader.QuoteText(prior.watermark);
  if (inc->by_key) return column + " > " + mark;
  if (inc->lookback.count() == 0) return column + " >= " + mark;
  std::string ms = std::to_string(inc->lookback.count());
  if (postgres) {
    return column + " >= CAST(" + mark + " AS " + cursor.source_type + ") - interval '" + ms +
           " milliseconds'";
  }
  return column + " >= " + mark + " - INTERVAL " + std::to_string(inc->lookback.count() * 1000) +
         " MICROSECOND";
}

struct TableJob {
  const SourceTable* table;
  std::string lake_name;
  const project::IncrementalRead* incremental;
  std::string server;  // the server's redacted URL
};

// Where the table came from, as table properties the catalog shows.
std::map<std::string, std::string> OriginProperties(const TableJob& job) {
  nlohmann::json types = nlohmann::json::object(), notes = nlohmann::json::object();
  for (const SourceColumn& c : job.table->columns) {
    types[c.name] = c.source_type;
    if (!c.note.empty()) notes[c.name] = c.note;
  }
  nlohmann::json key = job.table->key;
  return {{kOriginServerProperty, job.server},
          {kOriginTableProperty, job.table->schema + "." + job.table->name},
          {kSourceTypesProperty, types.dump()},
          {kSourceNotesProperty, notes.dump()},
          {kSourceKeyProperty, key.dump()}};
}

class TableLoader {
 public:
  TableLoader(const DatabaseIngestRequest& req, FileSystem& fs, engine::Connection& conn,
              dbsource::TableReader& reader)
      : req_(req), fs_(fs), conn_(conn), reader_(reader) {}

  TableIngest Load(const TableJob& job) {
    TableIngest out;
    out.table = catalog::DatabaseTableName(req_.source->name, job.lake_name);
    out.source_table = job.table->schema + "." + job.table->name;
    out.mode = job.incremental ? "incremental" : "snapshot";
    const int64_t start = clock().MonotonicMillis();
    Status s = LoadInto(job, out);
    if (!s.ok()) out.error = s.message();
    out.seconds = (clock().MonotonicMillis() - start) / 1000.0;
    return out;
  }

 private:
  const Clock& clock() const { return req_.clock ? *req_.clock : DefaultClock(); }
  std::string QuotedTable(const TableJob& job) const {
    return reader_.QuoteName(job.table->schema) + "." + reader_.QuoteName(job.table->name);
  }
  Status LoadInto(const TableJob& job, TableIngest& out);
  Result<const SourceColumn*> CursorColumn(const TableJob& job) const;
  Result<std::string> WriteSql(const TableJob& job, const Prior& prior,
                               const std::vector<std::string>& files);

  const DatabaseIngestRequest& req_;
  FileSystem& fs_;
  engine::Connection& conn_;
  dbsource::TableReader& reader_;
};

Result<const SourceColumn*> TableLoader::CursorColumn(const TableJob& job) const {
  if (job.incremental == nullptr) return static_cast<const SourceColumn*>(nullptr);
  for (const SourceColumn& c : job.table->columns) {
    if (c.name == job.incremental->cursor) return &c;
  }
  return InvalidArgument("incremental: table " + job.table->name + " has no column '" +
                         job.incremental->cursor + "' (" + job.incremental->origin.ToString() +
                         ")");
}

Result<std::string> TableLoader::WriteSql(const TableJob& job, const Prior& prior,
                                          const std::vector<std::string>& files) {
  std::string rows = RowsSql(*job.table, files, prior);
  CARELAKE_ASSIGN_OR_RETURN(auto now, Describe(conn_, rows));
  CARELAKE_RETURN_IF_ERROR(
      CheckDrift(catalog::DatabaseTableName(req_.source->name, job.lake_name), prior, now));
  const std::string lineage = QuoteLiteral(req_.run_id) + " AS _run_id, epoch_ms(" +
                              std::to_string(clock().WallMillis()) +
                              ")::TIMESTAMPTZ AS _ingested_at";
  std::string sql = "WITH new_rows AS (SELECT *, " + lineage + ", false AS _deleted FROM (" + rows +
                    ")) SELECT * FROM new_rows";
  const std::vector<std::string>& key = job.table->key;
  bool has_key = !key.empty();
  for (const std::string& k : key) {
    bool found = false;
    for (const auto& c : prior.columns) found = found || c.first == k;
    has_key = has_key && found;
  }
  if (job.incremental == nullptr && prior.exists && has_key) {
    std::string match;
    for (const std::string& k : key) {
      match += (match.empty() ? "" : " AND ") + std::string("n.") + QuoteIdentifier(k) +
               " IS NOT DISTINCT FROM p." + QuoteIdentifier(k);
    }
    sql += " UNION ALL BY NAME SELECT p.* EXCLUDE (_run_id, _ingested_at, _deleted), " + lineage +
           ", true AS _deleted FROM (" + prior.scan_sql +
           ") p WHERE NOT p._deleted AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE " + match + ")";
  }
  return sql;
}

Status TableLoader::LoadInto(const TableJob& job, TableIngest& out) {
  const bool postgres = req_.source->IsPostgres();
  CARELAKE_ASSIGN_OR_RETURN(const SourceColumn* cursor, CursorColumn(job));
  delta::DeltaTable table(
      fs_, catalog::DatabaseTablePath(req_.lake, req_.source->name, job.lake_name), conn_, clock());
  CARELAKE_ASSIGN_OR_RETURN(Prior prior, LoadPrior(table, conn_));
  std::string where =
      cursor ? WhereSql(job.incremental, prior, reader_, *cursor, postgres) : std::string();
  if (cursor != nullptr) {
    CARELAKE_ASSIGN_OR_RETURN(
        auto max, reader_.Scalar("SELECT max(" + reader_.QuoteName(cursor->name) + ") FROM " +
                                 QuotedTable(job)));
    out.watermark = max.value_or(prior.watermark);
  }
  std::filesystem::path dir =
      std::filesystem::path(req_.lake) / "_system" / "spool" / (req_.run_id + "-" + out.table);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  dbsource::CsvSpool spool(dir.string(), "part", req_.spool_file_bytes);
  auto cleanup = [&] {
    spool.Remove();
    std::filesystem::remove_all(dir, ec);
  };
  auto dump = reader_.Dump(*job.table, where, spool);
  if (!dump.ok()) {
    cleanup();
    return dump.status();
  }
  out.rows = dump->rows;
  out.zero_dates = dump->zero_dates;
  auto sql = WriteSql(job, prior, spool.files());
  if (!sql.ok()) {
    cleanup();
    return sql.status();
  }
  delta::WriteOptions options;
  options.mode = job.incremental ? delta::WriteMode::kAppend : delta::WriteMode::kOverwrite;
  options.merge_schema = true;
  options.types.timestamp_ntz = true;  // a server's timestamp without time zone stays one
  options.properties = OriginProperties(job);
  if (job.incremental) options.properties[kWatermarkProperty] = out.watermark;
  auto written = table.Write(*sql, options);
  cleanup();
  if (!written.ok()) return written.status();
  out.version = written->version;
  out.deleted = std::max<int64_t>(0, written->metrics.rows_inserted - out.rows);
  return Status::Ok();
}

Result<std::vector<TableJob>> PlanJobs(const project::DatabaseSource& s,
                                       const std::vector<SourceTable>& tables,
                                       const std::string& server) {
  std::vector<TableJob> jobs;
  std::map<std::string, std::string> seen;  // lake name -> source table
  for (const SourceTable& t : tables) {
    TableJob job{&t, LakeName(s, t), IncrementalFor(s, t), server};
    auto [it, fresh] = seen.emplace(job.lake_name, t.schema + "." + t.name);
    if (!fresh) {
      return InvalidArgument("source '" + s.name + "': tables " + it->second + " and " + t.schema +
                             "." + t.name + " would both land in bronze." +
                             catalog::DatabaseTableName(s.name, job.lake_name));
    }
    jobs.push_back(job);
  }
  for (const auto& [name, inc] : s.incremental) {
    bool found = false;
    for (const TableJob& j : jobs) found = found || j.incremental == &inc;
    if (!found) {
      return InvalidArgument(inc.origin.ToString() + ": source '" + s.name + "': incremental: '" +
                             name + "' is not one of the tables it reads");
    }
  }
  return jobs;
}

// Loads `jobs` on `readers`, one thread per reader, each with its own
// DuckDB connection.
Result<std::vector<TableIngest>> LoadAll(
    const DatabaseIngestRequest& req, FileSystem& fs, engine::Connection& conn,
    std::vector<std::unique_ptr<dbsource::TableReader>>& readers,
    const std::vector<TableJob>& jobs) {
  std::vector<TableIngest> results(jobs.size());
  std::vector<engine::Connection> conns;
  for (size_t i = 0; i < readers.size(); ++i) {
    CARELAKE_ASSIGN_OR_RETURN(engine::Connection c, conn.OpenAnother());
    CARELAKE_RETURN_IF_ERROR(c.Execute("SET TimeZone = 'UTC'"));
    conns.push_back(std::move(c));
  }
  std::atomic<size_t> next{0};
  std::mutex progress_mutex;
  auto work = [&](size_t r) {
    TableLoader loader(req, fs, conns[r], *readers[r]);
    for (size_t i = next++; i < jobs.size(); i = next++) {
      if (req.stop.stop_requested()) {
        results[i].table = catalog::DatabaseTableName(req.source->name, jobs[i].lake_name);
        results[i].error = "cancelled";
        continue;
      }
      results[i] = loader.Load(jobs[i]);
      if (req.progress) {
        std::lock_guard lock(progress_mutex);
        const TableIngest& t = results[i];
        req.progress(t.table + ": " +
                     (t.error.empty() ? std::to_string(t.rows) + " rows (" + t.mode + ")"
                                      : "failed: " + t.error));
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t r = 1; r < readers.size(); ++r) threads.emplace_back(work, r);
  work(0);
  for (std::thread& t : threads) t.join();
  return results;
}

}  // namespace

Result<DatabaseIngestResult> IngestDatabase(const DatabaseIngestRequest& req, FileSystem& fs,
                                            engine::Connection& conn) {
  const project::DatabaseSource& s = *req.source;
  auto in_source = [&](const Status& st) {
    return Status(st.code(), "source '" + s.name + "': " + st.message());
  };
  CARELAKE_ASSIGN_OR_RETURN(std::string password, ResolvePassword(s, req.project_dir));
  auto session = dbsource::SnapshotSession::Open({s.connection, password, s.connect_timeout_s});
  if (!session.ok()) return in_source(session.status());
  dbsource::TableFilter filter{s.schemas, s.include, s.exclude};
  auto tables = (*session)->ListTables(filter);
  if (!tables.ok()) return in_source(tables.status());
  if (Status st = dbsource::CheckNamedTables(filter, *tables); !st.ok()) return in_source(st);
  CARELAKE_ASSIGN_OR_RETURN(std::vector<TableJob> jobs,
                            PlanJobs(s, *tables, (*session)->url().Redacted()));
  DatabaseIngestResult result;
  result.server = (*session)->ServerVersion() + " at " + (*session)->url().Redacted();
  int n = std::max(1, std::min<int>(s.parallel, static_cast<int>(jobs.size())));
  auto readers = (*session)->OpenReaders(n);
  if (!readers.ok()) return in_source(readers.status());
  CARELAKE_ASSIGN_OR_RETURN(result.tables, LoadAll(req, fs, conn, *readers, jobs));
  std::string first_error;
  for (const TableIngest& t : result.tables) {
    if (t.error.empty()) continue;
    ++result.failed;
    if (first_error.empty()) first_error = t.table + " (" + t.source_table + "): " + t.error;
  }
  if (result.failed > 0 && s.on_error == project::OnSourceError::kFail) {
    return Status(StatusCode::kFailedPrecondition, "source '" + s.name +
                                                       "': " + std::to_string(result.failed) +
                                                       " tables failed; the first: " + first_error);
  }
  return result;
}
}  // namespace carelake::ingest
