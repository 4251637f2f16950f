#include "carelake/ingest/file_ingest.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "carelake/delta/schema.h"
#include "carelake/delta/table.h"
#include "carelake/delta/transaction.h"
#include "carelake/engine/appender.h"
#include "carelake/ingest/json_framer.h"

namespace carelake::ingest {
namespace {

using delta::QuoteIdentifier;
using delta::QuoteLiteral;
using project::SourceFormat;

// Raw text kept per quarantined record, at most.
constexpr size_t kMaxRawBytes = 1 << 20;

const char* const kLineageColumns[] = {"_run_id", "_source_file", "_source_position",
                                       "_ingested_at"};

struct Candidate {
  std::string abs_path;
  std::string rel_path;
  int64_t size = 0;
  int64_t modified_ms = 0;
};

// One file's contribution to a batch: a SELECT of its good rows (without
// lineage) and its quarantined records (a SELECT over the quarantine schema).
struct FilePlan {
  const Candidate* file = nullptr;
  std::string rows_sql;  // empty when no row is good
  std::vector<std::string> columns;
  int64_t records = 0;
  std::string quarantine_sql;  // empty when nothing is quarantined
  int64_t quarantined = 0;
  std::string first_error;
};

std::string AppId(const Candidate& c) { return std::string(kFileAppPrefix) + c.rel_path; }

// DuckDB's compression option; its JSON reader calls "auto" "auto_detect",
// its CSV reader "auto".
std::string CompressionOption(const project::Source& s) {
  switch (s.compression) {
    case project::Compression::kGzip:
      return "'gzip'";
    case project::Compression::kNone:
      return "'none'";
    case project::Compression::kAuto:
      break;
  }
  return s.format == SourceFormat::kCsv ? "'auto'" : "'auto_detect'";
}

// True for errors in the SQL carelake generated (a bug, not bad input).
bool IsStatementError(const Status& st) {
  for (const char* kind :
       {"Parser Error", "Binder Error", "Catalog Error", "Not implemented Error"}) {
    if (st.message().find(kind) != std::string::npos) return true;
  }
  return false;
}

std::string JsonFormatOption(const project::Source& s) {
  return s.format == SourceFormat::kNdjson ? "'newline_delimited'" : "'auto'";
}

// A quarantine row for a whole file or a record: (position, line, offset,
// reason, raw) as SQL over constants.
std::string QuarantineRowSql(const Candidate& c, const std::string& position,
                             const std::string& line, const std::string& offset,
                             const std::string& reason, const std::string& raw) {
  return "SELECT " + QuoteLiteral(c.rel_path) + " AS _source_file, " + position +
         "::BIGINT AS _source_position, " + line + "::BIGINT AS _source_line, " + offset +
         "::BIGINT AS _source_offset, " + reason + "::VARCHAR AS _reason, " + raw +
         "::VARCHAR AS _raw";
}

// Reads a whole file, decompressing gzip (zlib reads plain files as is).
Result<std::string> ReadAll(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return IoError("cannot open '" + path + "'");
  std::string out;
  char buf[1 << 16];
  while (true) {
    int n = gzread(f, buf, sizeof(buf));
    if (n < 0) {
      int errnum = 0;
      std::string msg = gzerror(f, &errnum);
      gzclose(f);
      return Corruption("cannot decompress '" + path + "': " + msg + " (after " +
                        std::to_string(out.size()) + " bytes)");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  gzclose(f);
  return out;
}

// Text that DuckDB accepts: invalid UTF-8 bytes become '?'; capped.
std::string Printable(std::string_view text) {
  std::string out(text.substr(0, kMaxRawBytes));
  while (true) {
    int64_t bad = FindInvalidUtf8(out);
    if (bad < 0) break;
    out[static_cast<size_t>(bad)] = '?';
  }
  return out;
}

class BatchIngester {
 public:
  BatchIngester(const IngestRequest& request, engine::Connection& conn, int64_t now_ms)
      : request_(request), source_(*request.source), conn_(conn), now_ms_(now_ms) {}

  // Plans one file (reading it if the fast path cannot).
  Result<FilePlan> Plan(const Candidate& c) {
    if (source_.format == SourceFormat::kCsv) return PlanCsv(c);
    auto fast = PlanJsonFast(c);
    if (fast.ok()) return fast;
    return PlanJsonSlow(c);
  }

 private:
  std::string Temp(const std::string& what) {
    return "_ingest_" + what + "_" + std::to_string(++temp_counter_);
  }

  // The fast path: DuckDB reads the file; any problem sends it to the slow path.
  Result<FilePlan> PlanJsonFast(const Candidate& c) {
    const std::string reader = "read_json_objects(" + QuoteLiteral(c.abs_path) +
                               ", format = " + JsonFormatOption(source_) +
                               ", compression = " + CompressionOption(source_) + ")";
    CARELAKE_ASSIGN_OR_RETURN(
        engine::QueryResult r,
        conn_.Query("SELECT json_type(json) = 'OBJECT' AS is_object, json_keys(json) AS k, "
                    "count(*) AS n FROM " +
                    reader + " GROUP BY ALL"));
    CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
    FilePlan plan;
    plan.file = &c;
    std::vector<std::string> keys;
    std::set<std::string> seen;
    for (const auto& row : rows) {
      if (row[0].is_null() || !row[0].GetBool()) {
        return InvalidArgument("a record is not a JSON object");
      }
      for (const engine::Value& k : row[1].children()) {
        if (seen.insert(k.GetString()).second) keys.push_back(k.GetString());
      }
      plan.records += engine::AsInt64(row[2]);
    }
    if (plan.records == 0) return plan;
    std::string columns;
    for (const std::string& k : keys) {
      columns += (columns.empty() ? "" : ", ") + QuoteLiteral(k) + ": 'VARCHAR'";
    }
    plan.columns = keys;
    plan.rows_sql = "SELECT *, row_number() OVER () AS _source_position FROM read_json(" +
                    QuoteLiteral(c.abs_path) + ", format = " + JsonFormatOption(source_) +
                    ", compression = " + CompressionOption(source_) + ", columns = {" + columns +
                    "})";
    return plan;
  }

  // The slow path: frame the records ourselves; keep the good ones, quarantine the rest.
  Result<FilePlan> PlanJsonSlow(const Candidate& c) {
    FilePlan plan;
    plan.file = &c;
    auto data = ReadAll(c.abs_path);
    if (!data.ok()) {
      plan.quarantined = 1;
      plan.first_error = data.status().message();
      plan.quarantine_sql =
          QuarantineRowSql(c, "NULL", "NULL", "NULL", QuoteLiteral(plan.first_error), "NULL");
      return plan;
    }
    std::vector<JsonFrame> frames = FrameJsonRecords(
        *data, source_.format == SourceFormat::kNdjson ? JsonLayout::kLines : JsonLayout::kDetect);
    const std::string table = Temp("frames");
    CARELAKE_RETURN_IF_ERROR(
        conn_.Execute("CREATE TEMP TABLE " + table +
                      " (pos BIGINT, line BIGINT, off BIGINT, text VARCHAR, error VARCHAR)"));
    temp_tables_.push_back(table);
    {
      CARELAKE_ASSIGN_OR_RETURN(engine::Appender app, engine::Appender::Create(conn_, table));
      for (const JsonFrame& f : frames) {
        std::string error = f.error;
        int64_t bad = error.empty() ? FindInvalidUtf8(f.text) : -1;
        if (bad >= 0) {
          error = "invalid UTF-8 at byte " + std::to_string(f.offset + bad) + " of the file";
        }
        CARELAKE_RETURN_IF_ERROR(app.Append(f.position));
        CARELAKE_RETURN_IF_ERROR(app.Append(f.line));
        CARELAKE_RETURN_IF_ERROR(app.Append(f.offset));
        CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(Printable(f.text))));
        if (error.empty()) {
          CARELAKE_RETURN_IF_ERROR(app.AppendNull());
        } else {
          CARELAKE_RETURN_IF_ERROR(app.Append(std::string_view(error)));
        }
        CARELAKE_RETURN_IF_ERROR(app.EndRow());
      }
      CARELAKE_RETURN_IF_ERROR(app.Close());
    }
    // Classify: the reason a record is bad, NULL for good ones.
    const std::string classified = Temp("classified");
    CARELAKE_RETURN_IF_ERROR(conn_.Execute(
        "CREATE TEMP TABLE " + classified +
        " AS SELECT pos, line, off, text, CASE WHEN error IS NOT NULL THEN error "
        "WHEN NOT json_valid(text) THEN 'not valid JSON' "
        "WHEN json_type(text::JSON) <> 'OBJECT' THEN 'a JSON ' || lower(json_type(text::JSON)) || "
        "', not an object' END AS reason FROM " +
        table));
    temp_tables_.push_back(classified);
    CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult keys_result,
                              conn_.Query("SELECT DISTINCT unnest(json_keys(text::JSON)) FROM " +
                                          classified + " WHERE reason IS NULL"));
    CARELAKE_ASSIGN_OR_RETURN(auto key_rows, keys_result.FetchAllRows());
    std::string select;
    for (const auto& row : key_rows) {
      const std::string& k = row[0].GetString();
      plan.columns.push_back(k);
      std::string path = "$.\"";
      for (char ch : k) {
        if (ch == '"' || ch == '\\') path += '\\';
        path += ch;
      }
      path += '"';
      select +=
          "json_extract_string(text, " + QuoteLiteral(path) + ") AS " + QuoteIdentifier(k) + ", ";
    }
    CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult counts,
                              conn_.Query("SELECT count(*) FILTER (reason IS NULL), count(*) "
                                          "FILTER (reason IS NOT NULL), min(pos) FILTER (reason "
                                          "IS NOT NULL) FROM " +
                                          classified));
    CARELAKE_ASSIGN_OR_RETURN(auto count_rows, counts.FetchAllRows());
    plan.records = engine::AsInt64(count_rows[0][0]);
    plan.quarantined = engine::AsInt64(count_rows[0][1]);
    if (plan.records > 0) {
      plan.rows_sql = "SELECT " + select + "pos AS _source_position FROM " + classified +
                      " WHERE reason IS NULL";
    }
    if (plan.quarantined > 0) {
      CARELAKE_ASSIGN_OR_RETURN(
          engine::QueryResult first,
          conn_.Query("SELECT 'record ' || pos || ' (line ' || line || ', byte ' || off || '): ' "
                      "|| reason FROM " +
                      classified + " WHERE reason IS NOT NULL ORDER BY pos LIMIT 1"));
      CARELAKE_ASSIGN_OR_RETURN(auto first_rows, first.FetchAllRows());
      plan.first_error = first_rows[0][0].GetString();
      plan.quarantine_sql =
          "SELECT " + QuoteLiteral(c.rel_path) +
          " AS _source_file, pos AS _source_position, line AS _source_line, off AS "
          "_source_offset, reason AS _reason, text AS _raw FROM " +
          classified + " WHERE reason IS NOT NULL";
    }
    return plan;
  }

  Result<FilePlan> PlanCsv(const Candidate& c) {
    FilePlan plan;
    plan.file = &c;
    const std::string scan = Temp("rejects_scan");
    const std::string rejects = Temp("rejects");
    const std::string rows = Temp("csv");
    auto ch = [](char x) { return QuoteLiteral(std::string(1, x)); };
    const std::string reader =
        "read_csv(" + QuoteLiteral(c.abs_path) +
        ", all_varchar = true, header = " + (source_.header ? "true" : "false") +
        ", delim = " + ch(source_.delimiter) + ", quote = " + ch(source_.quote) +
        ", escape = " + ch(source_.escape) + ", compression = " + CompressionOption(source_) +
        ", encoding = " +
        (source_.encoding == project::Encoding::kLatin1 ? "'latin-1'" : "'utf-8'") +
        ", strict_mode = true, null_padding = false, store_rejects = true, rejects_scan = " +
        QuoteLiteral(scan) + ", rejects_table = " + QuoteLiteral(rejects) + ")";
    Status st =
        conn_.Execute("CREATE TEMP TABLE " + rows +
                      " AS SELECT *, row_number() OVER () AS _source_position FROM " + reader);
    if (!st.ok() && IsStatementError(st)) return st;
    if (!st.ok()) {
      plan.quarantined = 1;
      plan.first_error = st.message();
      plan.quarantine_sql =
          QuarantineRowSql(c, "NULL", "NULL", "NULL", QuoteLiteral(plan.first_error), "NULL");
      return plan;
    }
    temp_tables_.push_back(rows);
    CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult cols,
                              conn_.Query("SELECT * FROM " + rows + " LIMIT 0"));
    for (size_t i = 0; i + 1 < cols.column_count(); ++i)
      plan.columns.push_back(cols.column_name(i));
    CARELAKE_ASSIGN_OR_RETURN(plan.records,
                              engine::QueryInt(conn_, "SELECT count(*) FROM " + rows));
    if (plan.records > 0) plan.rows_sql = "SELECT * FROM " + rows;
    // Rejected lines: one quarantine row per line (a line may fail several ways).
    const std::string bad = Temp("csv_bad");
    CARELAKE_RETURN_IF_ERROR(conn_.Execute(
        "CREATE TEMP TABLE " + bad + " AS " +
        QuarantineRowSql(c, "NULL", "line", "byte_position",
                         "string_agg(DISTINCT error_type || ': ' || error_message, '; ')",
                         "any_value(csv_line)") +
        " FROM " + QuoteIdentifier(rejects) + " GROUP BY line, byte_position"));
    temp_tables_.push_back(bad);
    (void)conn_.Execute("DROP TABLE IF EXISTS " + QuoteIdentifier(rejects) +
                        "; DROP TABLE IF EXISTS " + QuoteIdentifier(scan));
    CARELAKE_ASSIGN_OR_RETURN(plan.quarantined,
                              engine::QueryInt(conn_, "SELECT count(*) FROM " + bad));
    if (plan.quarantined > 0) {
      CARELAKE_ASSIGN_OR_RETURN(
          engine::QueryResult first,
          conn_.Query("SELECT 'line ' || _source_line || ': ' || _reason FROM " + bad +
                      " ORDER BY _source_line LIMIT 1"));
      CARELAKE_ASSIGN_OR_RETURN(auto first_rows, first.FetchAllRows());
      plan.first_error = first_rows[0][0].ToString();
      plan.quarantine_sql = "SELECT * FROM " + bad;
    }
    return plan;
  }

 public:
  // Drops the temporary tables of the plans.
  void DropTemps() {
    for (const std::string& t : temp_tables_) (void)conn_.Execute("DROP TABLE IF EXISTS " + t);
    temp_tables_.clear();
  }

  // The lineage columns as SQL for this batch.
  std::string Lineage(const Candidate& c) const {
    return QuoteLiteral(request_.run_id) + " AS _run_id, " + QuoteLiteral(c.rel_path) +
           " AS _source_file, _source_position, epoch_ms(" + std::to_string(now_ms_) +
           ")::TIMESTAMPTZ AS _ingested_at";
  }

 private:
  const IngestRequest& request_;
  const project::Source& source_;
  engine::Connection& conn_;
  int64_t now_ms_;
  int temp_counter_ = 0;
  std::vector<std::string> temp_tables_;
};

// The files matching the source's glob, sorted by path.
Result<std::vector<Candidate>> ListCandidates(const IngestRequest& request, FileSystem& fs,
                                              engine::Connection& conn) {
  const std::string pattern = std::filesystem::path(request.source->path).is_absolute()
                                  ? request.source->path
                                  : JoinPath(request.project_dir, request.source->path);
  CARELAKE_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      conn.Query("SELECT file FROM glob(" + QuoteLiteral(pattern) + ") ORDER BY file"));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  std::vector<Candidate> out;
  for (const auto& row : rows) {
    Candidate c;
    c.abs_path = row[0].GetString();
    c.rel_path =
        std::filesystem::path(c.abs_path).lexically_relative(request.project_dir).generic_string();
    if (c.rel_path.empty() || c.rel_path.rfind("..", 0) == 0) c.rel_path = c.abs_path;
    CARELAKE_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(c.abs_path));
    if (info.is_directory) continue;
    c.size = static_cast<int64_t>(info.size);
    c.modified_ms = info.modification_time_ms;
    out.push_back(std::move(c));
  }
  return out;
}

std::string WithCommas(int64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

}  // namespace

Result<IngestResult> IngestFiles(const IngestRequest& request, FileSystem& fs,
                                 engine::Connection& conn) {
  IngestResult result;
  delta::DeltaTable bronze(fs, request.bronze_path, conn);
  delta::DeltaTable quarantine(fs, request.quarantine_path, conn);
  std::map<std::string, int64_t> done, done_quarantine;
  if (bronze.Exists()) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, bronze.Load());
    done = s->app_versions();
    result.bronze_version = s->version();
  }
  if (quarantine.Exists()) {
    CARELAKE_ASSIGN_OR_RETURN(delta::SnapshotPtr s, quarantine.Load());
    done_quarantine = s->app_versions();
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Candidate> candidates, ListCandidates(request, fs, conn));
  std::vector<const Candidate*> todo;
  for (const Candidate& c : candidates) {
    if (done.count(AppId(c))) {
      ++result.files_already_ingested;
    } else {
      todo.push_back(&c);
    }
  }
  const std::string& name = request.source->name;
  size_t next = 0;
  while (next < todo.size()) {
    // One batch: up to max_batch_files files / max_batch_bytes bytes.
    std::vector<const Candidate*> batch;
    int64_t bytes = 0;
    while (next < todo.size() && batch.size() < request.max_batch_files &&
           (batch.empty() || bytes + todo[next]->size <= request.max_batch_bytes)) {
      bytes += todo[next]->size;
      batch.push_back(todo[next++]);
    }
    BatchIngester ingester(request, conn, delta::NowMillis());
    std::vector<FilePlan> plans;
    for (const Candidate* c : batch) {
      auto plan = ingester.Plan(*c);
      if (!plan.ok()) {
        ingester.DropTemps();
        return plan.status().WithContext("source '" + name + "', file '" + c->rel_path + "'");
      }
      plans.push_back(std::move(*plan));
    }
    // Quarantine first (files not yet quarantined), then bronze.
    std::string q_sql;
    std::vector<delta::Txn> q_txns;
    for (const FilePlan& p : plans) {
      if (p.quarantine_sql.empty() || done_quarantine.count(AppId(*p.file))) continue;
      q_sql += (q_sql.empty() ? "" : " UNION ALL ") +
               ("SELECT " + QuoteLiteral(request.run_id) + " AS _run_id, q.*, epoch_ms(" +
                std::to_string(delta::NowMillis()) + ")::TIMESTAMPTZ AS _ingested_at FROM (" +
                p.quarantine_sql + ") q");
      q_txns.push_back({AppId(*p.file), 1, std::nullopt});
    }
    if (!q_sql.empty()) {
      delta::WriteOptions options;
      options.txns = q_txns;
      auto written = quarantine.Write(q_sql, options);
      if (!written.ok()) {
        ingester.DropTemps();
        return written.status().WithContext("source '" + name + "': writing the quarantine");
      }
      if (written->committed) ++result.commits;
    }
    // Every file of the batch gets its txn, also those with no good row.
    std::set<std::string> all_columns;
    for (const FilePlan& p : plans) all_columns.insert(p.columns.begin(), p.columns.end());
    for (const char* lineage : kLineageColumns) {
      if (all_columns.count(lineage)) {
        ingester.DropTemps();
        return InvalidArgument("source '" + name + "': a source column is named '" + lineage +
                               "', which bronze reserves for lineage");
      }
    }
    std::string b_sql;
    std::vector<delta::Txn> b_txns;
    for (const FilePlan& p : plans) {
      b_txns.push_back({AppId(*p.file), 1, std::nullopt});
      if (p.rows_sql.empty()) continue;
      b_sql += (b_sql.empty() ? "" : " UNION ALL BY NAME ") +
               ("SELECT * EXCLUDE (_source_position), " + ingester.Lineage(*p.file) + " FROM (" +
                p.rows_sql + ")");
    }
    if (b_sql.empty()) {
      // Nothing readable: still record the files as ingested.
      b_sql =
          "SELECT NULL::VARCHAR AS _run_id, NULL::VARCHAR AS _source_file, NULL::BIGINT AS "
          "_source_position, NULL::TIMESTAMPTZ AS _ingested_at WHERE false";
    }
    delta::WriteOptions options;
    options.txns = b_txns;
    options.merge_schema = true;
    auto written = bronze.Write(b_sql, options);
    ingester.DropTemps();
    if (!written.ok()) {
      return written.status().WithContext("source '" + name + "': writing bronze");
    }
    if (written->committed) {
      ++result.commits;
      result.bronze_version = written->version;
    }
    for (const FilePlan& p : plans) {
      IngestedFile f;
      f.file = p.file->rel_path;
      f.size_bytes = p.file->size;
      f.modified_ms = p.file->modified_ms;
      f.records = p.records;
      f.quarantined = p.quarantined;
      f.first_error = p.first_error;
      result.rows_written += p.records;
      result.rows_quarantined += p.quarantined;
      result.files.push_back(std::move(f));
    }
    if (request.progress) {
      request.progress(name + ": " + std::to_string(result.files.size()) + "/" +
                       std::to_string(todo.size()) + " new files, " +
                       WithCommas(result.rows_written) + " records, " +
                       WithCommas(result.rows_quarantined) + " quarantined");
    }
  }
  return result;
}

}  // namespace carelake::ingest
