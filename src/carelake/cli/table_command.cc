// `carelake table ...`: writing and maintaining Delta tables.
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/civil_time.h"
#include "carelake/base/file_system.h"
#include "carelake/cli/commands.h"
#include "carelake/cli/session.h"
#include "carelake/delta/sql_rewrite.h"
#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace carelake::cli {

namespace {

using nlohmann::json;

struct TableArgs {
  std::string path;
  std::string query;
  std::string file;
  std::string mode = "append";
  std::vector<std::string> partition_by;
  std::vector<std::string> keys;
  std::vector<std::string> properties;
  std::string replace_where;
  std::string predicate;
  std::string delete_when;
  bool merge_schema = false;
  bool timestamp_ntz = false;
  int64_t target_file_size = delta::kDefaultTargetFileSize;
  std::vector<std::string> cluster_by;
  std::string txn_app;
  int64_t txn_version = -1;
  std::optional<int64_t> version;
  size_t limit = 0;
  bool json_output = false;
  std::optional<double> retain_hours;
  bool force = false;
  bool dry_run = false;
};

std::string Bytes(int64_t n) {
  char buf[32];
  if (n < 1024) return std::to_string(n) + " B";
  if (n < (1 << 20)) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", n / 1024.0);
  } else if (n < (1LL << 30)) {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", n / 1048576.0);
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f GiB", n / 1073741824.0);
  }
  return buf;
}

std::string Millis(int64_t ms) { return FormatTimestamp(ms * 1000) + " UTC"; }

// An engine for one command: in-memory DuckDB, a connection in UTC.

// The query from --query or -f, with delta_scan() expanded.
Result<std::string> QueryText(const TableArgs& args, engine::Connection& conn) {
  std::string sql = args.query;
  if (!args.file.empty()) {
    std::ifstream in(args.file, std::ios::binary);
    if (!in) return NotFound("cannot open SQL file '" + args.file + "'");
    sql.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.pop_back();
  }
  if (sql.empty()) return InvalidArgument("give the rows as --query SQL or -f FILE");
  return delta::ExpandDeltaScans(sql, conn, LocalFileSystem());
}

void PrintOutcome(const delta::OperationResult& r, Io& io) {
  if (!r.committed) {
    io.out << "nothing committed (table at version " << r.version << "): " << r.reason << "\n";
    return;
  }
  const delta::OperationMetrics& m = r.metrics;
  io.out << "committed version " << r.version << ": " << m.rows_inserted << " rows inserted";
  if (m.rows_updated) io.out << ", " << m.rows_updated << " updated";
  if (m.rows_deleted) io.out << ", " << m.rows_deleted << " deleted";
  if (m.rows_copied) io.out << ", " << m.rows_copied << " rewritten unchanged";
  io.out << "; " << m.files_added << " files added (" << Bytes(m.bytes_added) << "), "
         << m.files_removed << " removed";
  if (r.commit.attempts > 1) io.out << "; committed on attempt " << r.commit.attempts;
  if (r.commit.checkpoint) io.out << "; checkpoint written";
  io.out << "\n";
  for (const std::string& w : r.commit.warnings) io.err << "warning: " << w << "\n";
}

int Fail(const Status& s, Io& io) {
  io.err << "Error: " << s.message() << "\n";
  return kExitFailed;
}

// --txn-app and --txn-version come together or not at all.
bool TxnArgsValid(const TableArgs& args, Io& io) {
  if (args.txn_app.empty() == (args.txn_version < 0)) return true;
  io.err << "Error: give --txn-app and --txn-version together\n";
  return false;
}

std::vector<delta::Txn> TxnsOf(const TableArgs& args) {
  if (args.txn_app.empty()) return {};
  return {delta::Txn{args.txn_app, args.txn_version, std::nullopt}};
}

int RunWrite(const TableArgs& args, Io& io) {
  if (args.mode != "append" && args.mode != "overwrite") {
    io.err << "Error: --mode must be append or overwrite, not '" << args.mode << "'\n";
    return kExitUsage;
  }
  if (!args.replace_where.empty() && args.mode != "overwrite") {
    io.err << "Error: --replace-where needs --mode overwrite\n";
    return kExitUsage;
  }
  if (!TxnArgsValid(args, io)) return kExitUsage;
  delta::WriteOptions options;
  options.mode = args.mode == "append" ? delta::WriteMode::kAppend : delta::WriteMode::kOverwrite;
  if (!args.replace_where.empty()) options.replace_where = args.replace_where;
  options.partition_by = args.partition_by;
  options.merge_schema = args.merge_schema;
  options.types.timestamp_ntz = args.timestamp_ntz;
  options.target_file_size = args.target_file_size;
  options.txns = TxnsOf(args);
  for (const std::string& p : args.properties) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      io.err << "Error: --property takes KEY=VALUE, not '" << p << "'\n";
      return kExitUsage;
    }
    options.properties[p.substr(0, eq)] = p.substr(eq + 1);
  }
  Session s;
  if (Status st = s.Open(); !st.ok()) return Fail(st, io);
  Result<std::string> sql = QueryText(args, *s.conn);
  if (!sql.ok()) return Fail(sql.status(), io);
  delta::DeltaTable table(LocalFileSystem(), args.path, *s.conn);
  auto r = table.Write(*sql, options);
  if (!r.ok()) return Fail(r.status(), io);
  PrintOutcome(*r, io);
  return kExitOk;
}

int RunMerge(const TableArgs& args, Io& io) {
  if (!TxnArgsValid(args, io)) return kExitUsage;
  delta::MergeOptions options;
  options.keys = args.keys;
  if (!args.delete_when.empty()) options.delete_when = args.delete_when;
  options.merge_schema = args.merge_schema;
  options.target_file_size = args.target_file_size;
  options.txns = TxnsOf(args);
  Session s;
  if (Status st = s.Open(); !st.ok()) return Fail(st, io);
  Result<std::string> sql = QueryText(args, *s.conn);
  if (!sql.ok()) return Fail(sql.status(), io);
  delta::DeltaTable table(LocalFileSystem(), args.path, *s.conn);
  auto r = table.Merge(*sql, options);
  if (!r.ok()) return Fail(r.status(), io);
  PrintOutcome(*r, io);
  return kExitOk;
}

int RunDelete(const TableArgs& args, Io& io) {
  Session s;
  if (Status st = s.Open(); !st.ok()) return Fail(st, io);
  delta::DeltaTable table(LocalFileSystem(), args.path, *s.conn);
  auto r = table.Delete(args.predicate, args.target_file_size);
  if (!r.ok()) return Fail(r.status(), io);
  PrintOutcome(*r, io);
  return kExitOk;
}

int RunHistory(const TableArgs& args, Io& io) {
  Session s;
  if (Status st = s.Open(); !st.ok()) return Fail(st, io);
  delta::DeltaTable table(LocalFileSystem(), args.path, *s.conn);
  auto history = table.History(args.limit == 0 ? std::nullopt : std::optional<size_t>(args.limit));
  if (!history.ok()) return Fail(history.status(), io);
  if (args.json_output) {
    json out = json::array();
    for (const auto& e : *history) {
      json j = {{"version", e.version},       {"timestamp", Millis(e.timestamp_ms)},
                {"operation", e.operation},   {"parameters", e.parameters},
                {"metrics", e.metrics},       {"isBlindAppend", e.blind_append},
                {"engineInfo", e.engine_info}};
      if (e.read_version) j["readVersion"] = *e.read_version;
      out.push_back(j);
    }
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& e : *history) {
    io.out << "version " << e.version << "  " << Millis(e.timestamp_ms) << "  " << e.operation;
    if (e.parameters.is_object() && !e.parameters.empty()) io.out << "  " << e.parameters.dump();
    io.out << "\n";
    if (e.metrics.is_object() && !e.metrics.empty()) io.out << "    " << e.metrics.dump() << "\n";
  }
  return kExitOk;
}

int RunDescribe(const TableArgs& args, Io& io) {
  Session s;
  if (Status st = s.Open(); !st.ok()) return Fail(st, io);
  delta::DeltaTable table(LocalFileSystem(), args.path, *s.conn);
  auto d = table.Describe(args.version);
  if (!d.ok()) return Fail(d.status(), io);
  json columns = json::array();
  for (const auto& f : d->schema.fields) {
    columns.push_back(
        {{"name", f.name}, {"type", delta::DeltaTypeName(f.type)}, {"nullable", f.nullable}});
  }
  json out = {{"path", args.path},
              {"version", d->version},
              {"lastModified", Millis(d->timestamp_ms)},
              {"id", d->id},
              {"minReaderVersion", d->protocol.min_reader_version},
              {"minWriterVersion", d->protocol.min_writer_version},
              {"partitionColumns", d->partition_columns},
              {"properties", d->properties},
              {"numFiles", d->num_files},
              {"sizeInBytes", d->size_bytes},
              {"columns", columns}};
  if (d->num_records) out["numRecords"] = *d->num_records;
  if (args.json_output) {
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  io.out << "table      " << args.path << "\n"
         << "version    " << d->version << " (" << Millis(d->timestamp_ms) << ")\n"
         << "protocol   reader " << d->protocol.min_reader_version << ", writer "
         << d->protocol.min_writer_version << "\n"
         << "files      " << d->num_files << " (" << Bytes(d->size_bytes) << ")\n";
  if (d->num_records) io.out << "rows       " << *d->num_records << "\n";
  if (!d->partition_columns.empty()) {
    io.out << "partitions " << json(d->partition_columns).dump() << "\n";
  }
  for (const auto& [k, v] : d->properties) io.out << "property   " << k << " = " << v << "\n";
  io.out << "columns\n";
  for (const auto& f : d->schema.fields) {
    io.out << "  " << f.name << "  " << delta::DeltaTypeName(f.type)
           << (f.nullable ? "" : " NOT NULL") << "\n";
  }
  return kExitOk;
}

int RunOptimize(const TableArgs& args, Io& io) {
  Session s;
  if (Status st = s.Open(); !st.ok()) return Fail(st, io);
  delta::DeltaTable table(LocalFileSystem(), args.path, *s.conn);
  delta::OptimizeOptions options;
  options.target_file_size = args.target_file_size;
  options.cluster_by = args.cluster_by;
  auto r = table.Optimize(options);
  if (!r.ok()) return Fail(r.status(), io);
  if (r->committed) {
    io.out << "committed version " << r->version << ": "
           << (options.cluster_by.empty() ? "compacted " : "clustered ") << r->metrics.files_removed
           << " files (" << Bytes(r->metrics.bytes_removed) << ") into " << r->metrics.files_added
           << " (" << Bytes(r->metrics.bytes_added) << ")\n";
  } else {
    io.out << "nothing to compact: " << r->reason << "\n";
  }
  return kExitOk;
}

int RunVacuum(const TableArgs& args, Io& io) {
  Session s;
  if (Status st = s.Open(); !st.ok()) return Fail(st, io);
  delta::DeltaTable table(LocalFileSystem(), args.path, *s.conn);
  delta::VacuumOptions options;
  if (args.retain_hours) {
    if (*args.retain_hours < 0) {
      io.err << "Error: --retain-hours must not be negative\n";
      return kExitUsage;
    }
    options.retention_ms = static_cast<int64_t>(*args.retain_hours * 3'600'000);
  }
  options.allow_short_retention = args.force;
  options.dry_run = args.dry_run;
  auto r = table.Vacuum(options);
  if (!r.ok()) return Fail(r.status(), io);
  for (const std::string& p : r->deleted)
    io.out << (args.dry_run ? "would delete " : "deleted ") << p << "\n";
  io.out << (args.dry_run ? "would delete " : "deleted ") << r->files_deleted << " files ("
         << Bytes(r->bytes_deleted) << "), retention " << r->retention_ms / 3'600'000.0
         << " hours\n";
  return kExitOk;
}

CLI::App* PathCommand(CLI::App* parent, const std::string& name, const std::string& help,
                      TableArgs& args) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("PATH", args.path, "the table's folder")->required();
  return cmd;
}

void AddQueryOptions(CLI::App* cmd, TableArgs& args) {
  cmd->add_option("-q,--query", args.query, "SQL giving the rows (delta_scan() allowed)");
  cmd->add_option("-f,--file", args.file, "read the SQL from FILE");
  cmd->add_flag("--merge-schema", args.merge_schema, "add columns the table lacks to its schema");
  cmd->add_option("--target-file-size", args.target_file_size, "data files roll at about BYTES")
      ->capture_default_str();
  cmd->add_option("--txn-app", args.txn_app,
                  "exactly-once: application id committed with the data");
  cmd->add_option("--txn-version", args.txn_version,
                  "exactly-once: skip the write if the table has this version of --txn-app");
}

}  // namespace

void RegisterTableCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<TableArgs>();
  CLI::App* table = app.add_subcommand("table", "Write, inspect and maintain Delta tables");
  table->require_subcommand(1);

  CLI::App* write =
      PathCommand(table, "write", "Append or overwrite rows (creates the table)", *args);
  AddQueryOptions(write, *args);
  write->add_option("--mode", args->mode, "append or overwrite")->capture_default_str();
  write->add_option("--partition-by", args->partition_by, "partition columns of a new table")
      ->delimiter(',');
  write->add_option("--replace-where", args->replace_where,
                    "with --mode overwrite: replace only rows matching this SQL predicate");
  write->add_flag("--timestamp-ntz", args->timestamp_ntz,
                  "store TIMESTAMP columns as timestamp_ntz (protocol 3/7) instead of UTC "
                  "timestamps");
  write->add_option("--property", args->properties, "table property KEY=VALUE of a new table");
  write->callback([args, &io, &exit_code] { exit_code = RunWrite(*args, io); });

  CLI::App* merge = PathCommand(table, "merge", "Upsert rows by key (copy-on-write)", *args);
  AddQueryOptions(merge, *args);
  merge->add_option("--key", args->keys, "key columns")->delimiter(',')->required();
  merge->add_option("--delete-when", args->delete_when,
                    "matched rows for which this SQL predicate over the source row holds are "
                    "deleted");
  merge->callback([args, &io, &exit_code] { exit_code = RunMerge(*args, io); });

  CLI::App* del = PathCommand(table, "delete", "Delete the rows matching a predicate", *args);
  del->add_option("--where", args->predicate, "SQL predicate over the table's columns")->required();
  del->callback([args, &io, &exit_code] { exit_code = RunDelete(*args, io); });

  CLI::App* history =
      PathCommand(table, "history", "List the table's commits, newest first", *args);
  history->add_option("--limit", args->limit, "show at most N commits (0 = all)");
  history->add_flag("--json", args->json_output, "print JSON");
  history->callback([args, &io, &exit_code] { exit_code = RunHistory(*args, io); });

  CLI::App* describe = PathCommand(table, "describe", "Show schema, size and properties", *args);
  describe->add_option("--version", args->version, "describe this version (default: latest)");
  describe->add_flag("--json", args->json_output, "print JSON");
  describe->callback([args, &io, &exit_code] { exit_code = RunDescribe(*args, io); });

  CLI::App* optimize =
      PathCommand(table, "optimize", "Compact small files (or cluster them: --cluster-by)", *args);
  optimize->add_option("--target-file-size", args->target_file_size, "BYTES per compacted file")
      ->capture_default_str();
  optimize
      ->add_option("--cluster-by", args->cluster_by,
                   "rewrite every partition's files sorted by these columns (comma-separated), "
                   "so a query on a range of the first skips most files")
      ->delimiter(',');
  optimize->callback([args, &io, &exit_code] { exit_code = RunOptimize(*args, io); });

  CLI::App* vacuum =
      PathCommand(table, "vacuum",
                  "Delete files no retained version needs, and leftovers of failed writes", *args);
  vacuum->add_option("--retain-hours", args->retain_hours,
                     "keep files removed less than H hours ago (default: the table's "
                     "delta.deletedFileRetentionDuration, 7 days)");
  vacuum->add_flag("--force", args->force,
                   "allow a retention shorter than the table's (unsafe with concurrent readers "
                   "of old versions or writers)");
  vacuum->add_flag("--dry-run", args->dry_run, "list what would be deleted");
  vacuum->callback([args, &io, &exit_code] { exit_code = RunVacuum(*args, io); });
}

}  // namespace carelake::cli
