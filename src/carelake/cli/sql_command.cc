#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "carelake/base/file_system.h"
#include "carelake/cli/commands.h"
#include "carelake/cli/result_printer.h"
#include "carelake/engine/query_result.h"
#include "carelake/project/project.h"
#include "carelake/query/session.h"

namespace carelake::cli {

namespace {

struct SqlArgs {
  std::string query;
  std::string file;
  std::string format;
  std::string database;
  std::string project;
  std::string lake;
  size_t max_rows = 10'000;
};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open SQL file '" + path + "'");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int RunSql(const SqlArgs& args, Io& io) {
  if (!args.query.empty() && !args.file.empty()) {
    io.err << "Error: give the query as an argument or with -f, not both\n";
    return kExitUsage;
  }
  PrintOptions print;
  print.max_table_rows = args.max_rows;
  if (args.format.empty()) {
    print.format = io.out_is_terminal ? OutputFormat::kTable : OutputFormat::kCsv;
  } else {
    Result<OutputFormat> format = ParseOutputFormat(args.format);
    if (!format.ok()) {
      io.err << "Error: " << format.status().message() << "\n";
      return kExitUsage;
    }
    print.format = *format;
  }

  std::string sql = args.query;
  if (!args.file.empty()) {
    Result<std::string> text = ReadFile(args.file);
    if (!text.ok()) {
      io.err << "Error: " << text.status().message() << "\n";
      return kExitUsage;
    }
    sql = std::move(*text);
  } else if (sql.empty()) {
    sql.assign(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
  }

  query::SessionOptions options;
  options.database = args.database;
  if (!args.project.empty()) {
    Result<project::Project> p = project::LoadProject(args.project, args.lake);
    if (!p.ok()) {
      io.err << "Error: " << p.status().message() << "\n";
      return kExitUsage;
    }
    options.project = std::move(*p);
  }
  auto session = query::Session::Open(options, LocalFileSystem());
  if (!session.ok()) {
    io.err << "Error: " << session.status().message() << "\n";
    return kExitFailed;
  }
  bool printed = false;
  Status status = (*session)->Execute(sql, [&](engine::QueryResult& result) {
    if (result.kind() == engine::ResultKind::kRows && printed &&
        print.format == OutputFormat::kTable) {
      io.out << "\n";
    }
    printed = printed || result.kind() == engine::ResultKind::kRows;
    return PrintResult(result, print, io.out);
  });
  io.out.flush();
  if (!status.ok()) {
    io.err << "Error: " << status.message() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void RegisterSqlCommand(CLI::App& app, Io& io, int& exit_code) {
  auto args = std::make_shared<SqlArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sql",
      "Run SQL and print the result.\n"
      "The SQL comes from QUERY, from -f FILE, or from standard input; several\n"
      "statements separated by ';' run in order and each result is printed.\n"
      "Delta tables are read with delta_scan('path' [, version => N | timestamp => 'TS']);\n"
      "with --project, every table of the project is a view layer.name (bronze.x,\n"
      "silver.x, gold.x, their x__quarantine tables) and the run ledger is _system.*.\n"
      "Timestamps with time zone are shown in UTC.");
  cmd->add_option("QUERY", args->query, "SQL to run");
  cmd->add_option("-f,--file", args->file, "read the SQL from FILE");
  cmd->add_option("--format", args->format,
                  "output format: table, csv or json (default: table on a terminal, csv "
                  "otherwise)");
  cmd->add_option("--max-rows", args->max_rows, "table format: show at most N rows (0 = all)")
      ->capture_default_str();
  cmd->add_option("--database", args->database,
                  "a DuckDB database file to open (default: a fresh in-memory database)");
  cmd->add_option("--project", args->project, "a project folder: its tables are views layer.name");
  cmd->add_option("--lake", args->lake, "with --project: the lake folder (default: the project's)");
  cmd->callback([args, &io, &exit_code] { exit_code = RunSql(*args, io); });
}

}  // namespace carelake::cli
