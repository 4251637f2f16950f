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

#include "carelake/base/env_template.h"
#include "carelake/base/process_lock.h"
#include "carelake/catalog/catalog.h"
#include "carelake/catalog/lake_catalog.h"
#include "carelake/dbsource/db_reader.h"
#include "carelake/dbsource/db_url.h"
#include "carelake/dbsource/pg_cdc.h"
#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/ingest/db_bronze.h"
#include "carelake/ingest/db_cdc.h"

namespace carelake::ingest {
namespace {

using dbsource::SourceColumn;
using dbsource::SourceTable;
using delta::QuoteIdentifier;
using delta::QuoteLiteral;

// The connection URL with its `${NAME}`s from the environment. A password
// that arrives that way is refused as one written in the file would be.
Result<std::string> ResolveConnection(const project::DatabaseSource& s) {
  auto url = ExpandEnvTemplate(s.connection);
  if (!url.ok()) return FailedPrecondition("source '" + s.name + "': " + url.status().message());
  auto parsed = dbsource::ParseDbUrl(*url);
  if (parsed.ok() && !parsed->password.empty()) {
    return FailedPrecondition("source '" + s.name +
                              "': the connection URL carries a password once the environment "
                              "is filled in; give it with password_env or password_file");
  }
  return *std::move(url);
}

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

// Where the table came from, as table properties the catalog shows.
}  // namespace

std::map<std::string, std::string> OriginProperties(const TableJob& job) {
  nlohmann::json types = nlohmann::json::object(), notes = nlohmann::json::object();
  for (const SourceColumn& c : job.table->columns) {
    types[c.name] = c.source_type;
    if (!c.note.empty()) notes[c.name] = c.note;
  }
  nlohmann::json key = job.table->key;
  return {{catalog::kOriginServerProperty, job.server},
          {catalog::kOriginTableProperty, job.table->schema + "." + job.table->name},
          {catalog::kOriginTypesProperty, types.dump()},
          {catalog::kOriginNotesProperty, notes.dump()},
          {catalog::kOriginKeyProperty, key.dump()}};
}

namespace {

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
  // A table under change data capture has its change columns from the start.
  const std::string cdc = job.cdc_lsn.empty() ? ""
                                              : ", CAST(NULL AS BIGINT) AS _lsn, "
                                                "CAST(NULL AS TIMESTAMPTZ) AS _commit_time";
  std::string sql = "WITH new_rows AS (SELECT *, " + lineage + ", false AS _deleted" + cdc +
                    " FROM (" + rows + ")) SELECT * FROM new_rows";
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
  SpoolFolder folder(req_.lake, req_.run_id + "-" + out.table, req_.spool_file_bytes);
  CARELAKE_ASSIGN_OR_RETURN(dbsource::TableDump dump,
                            reader_.Dump(*job.table, where, folder.spool()));
  out.rows = dump.rows;
  out.zero_dates = dump.zero_dates;
  out.notices = std::move(dump.notices);
  CARELAKE_ASSIGN_OR_RETURN(std::string sql, WriteSql(job, prior, folder.spool().files()));
  delta::WriteOptions options;
  options.mode = job.incremental ? delta::WriteMode::kAppend : delta::WriteMode::kOverwrite;
  options.merge_schema = true;
  options.types.timestamp_ntz = true;  // a server's timestamp without time zone stays one
  options.properties = OriginProperties(job);
  if (!job.cdc_lsn.empty()) options.properties[kCdcLsnProperty] = job.cdc_lsn;
  if (job.incremental) options.properties[kWatermarkProperty] = out.watermark;
  auto written = table.Write(sql, options);
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
    TableJob job{&t, LakeName(s, t), IncrementalFor(s, t), server, ""};
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

namespace {

// A source's tables listed in a session, and the session.
struct Listed {
  std::unique_ptr<dbsource::SnapshotSession> session;
  std::vector<SourceTable> tables;
};

Result<Listed> List(const project::DatabaseSource& s, const dbsource::ConnectOptions& options) {
  Listed out;
  CARELAKE_ASSIGN_OR_RETURN(out.session, dbsource::SnapshotSession::Open(options));
  dbsource::TableFilter filter{s.schemas, s.include, s.exclude};
  CARELAKE_ASSIGN_OR_RETURN(out.tables, out.session->ListTables(filter));
  CARELAKE_RETURN_IF_ERROR(dbsource::CheckNamedTables(filter, out.tables));
  return out;
}

// Reads every table of `listed` in its session's snapshot (`cdc_lsn`: the
// replication slot's start, recorded with each table).
Result<DatabaseIngestResult> LoadListed(const DatabaseIngestRequest& req, FileSystem& fs,
                                        engine::Connection& conn, Listed& listed,
                                        std::optional<uint64_t> cdc_lsn) {
  const project::DatabaseSource& s = *req.source;
  CARELAKE_ASSIGN_OR_RETURN(std::vector<TableJob> jobs,
                            PlanJobs(s, listed.tables, listed.session->url().Redacted()));
  if (cdc_lsn) {
    for (TableJob& j : jobs) j.cdc_lsn = dbsource::FormatLsn(*cdc_lsn);
  }
  DatabaseIngestResult result;
  result.server = listed.session->ServerVersion() + " at " + listed.session->url().Redacted();
  int n = std::max(1, std::min<int>(s.parallel, static_cast<int>(jobs.size())));
  CARELAKE_ASSIGN_OR_RETURN(auto readers, listed.session->OpenReaders(n));
  CARELAKE_ASSIGN_OR_RETURN(result.tables, LoadAll(req, fs, conn, readers, jobs));
  return result;
}

// A source under change data capture: the first run creates the slot and
// reads every table in its snapshot; later runs apply the changes since.
Result<DatabaseIngestResult> Capture(const DatabaseIngestRequest& req, FileSystem& fs,
                                     engine::Connection& conn,
                                     const dbsource::ConnectOptions& options) {
  const project::DatabaseSource& s = *req.source;
  CARELAKE_ASSIGN_OR_RETURN(auto feed,
                            dbsource::PgChangeFeed::Open(options, s.cdc->slot, s.cdc->publication));
  CARELAKE_ASSIGN_OR_RETURN(std::optional<uint64_t> position, feed->SlotPosition());
  CARELAKE_ASSIGN_OR_RETURN(Listed listed, List(s, options));
  if (position) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<TableJob> jobs,
                              PlanJobs(s, listed.tables, listed.session->url().Redacted()));
    DatabaseIngestResult result;
    result.server = listed.session->ServerVersion() + " at " + listed.session->url().Redacted();
    listed.session.reset();
    CARELAKE_ASSIGN_OR_RETURN(result.tables, ApplyChanges(req, fs, conn, *feed, jobs));
    result.retained_wal_bytes = feed->RetainedWalBytes().value_or(-1);
    return result;
  }
  if (!s.cdc->create) {
    return FailedPrecondition("replication slot " + s.cdc->slot +
                              " does not exist (cdc: create: false)");
  }
  CARELAKE_ASSIGN_OR_RETURN(dbsource::SlotStart start, feed->CreateSlot(listed.tables));
  dbsource::ConnectOptions in_slot = options;
  in_slot.snapshot = start.snapshot;
  CARELAKE_ASSIGN_OR_RETURN(Listed at_start, List(s, in_slot));
  auto result = LoadListed(req, fs, conn, at_start, start.consistent_lsn);
  feed->ReleaseSnapshot();
  return result;
}

}  // namespace

std::string CdcLockPath(const std::string& lake, const std::string& source) {
  return (std::filesystem::path(lake) / "_system" / ("cdc-" + source + ".lock")).string();
}

Result<DatabaseIngestResult> IngestDatabase(const DatabaseIngestRequest& req, FileSystem& fs,
                                            engine::Connection& conn) {
  const project::DatabaseSource& s = *req.source;
  auto in_source = [&](const Status& st) {
    return Status(st.code(), "source '" + s.name + "': " + st.message());
  };
  CARELAKE_ASSIGN_OR_RETURN(std::string password, ResolvePassword(s, req.project_dir));
  CARELAKE_ASSIGN_OR_RETURN(std::string url, ResolveConnection(s));
  const dbsource::ConnectOptions options{url, password, s.connect_timeout_s, ""};
  Result<DatabaseIngestResult> loaded = Status(StatusCode::kInternal, "not loaded");
  if (s.cdc) {
    auto lock = ProcessLock::Acquire(
        CdcLockPath(req.lake, s.name), "capture of source " + s.name + " (" + req.run_id + ")",
        req.stop, std::nullopt, nullptr, req.clock ? *req.clock : DefaultClock());
    loaded =
        lock.ok() ? Capture(req, fs, conn, options) : Result<DatabaseIngestResult>(lock.status());
  } else {
    auto listed = List(s, options);
    loaded = listed.ok() ? LoadListed(req, fs, conn, *listed, std::nullopt)
                         : Result<DatabaseIngestResult>(listed.status());
  }
  if (!loaded.ok()) return in_source(loaded.status());
  DatabaseIngestResult result = std::move(*loaded);
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
