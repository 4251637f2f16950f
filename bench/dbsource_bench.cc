// Database sources (doc/sources.md) measured side by side with the floor, in
// one run, on a PostgreSQL 15 table of ROWS rows (default 10M; a throwaway
// server, tests/postgres_server.h):
//
//  1. Snapshot into bronze (IngestDatabase: COPY TO STDOUT -> CSV spool ->
//     DuckDB -> Delta) against the floor: the server writes the same SELECT
//     to a CSV file (COPY … TO 'file') and DuckDB turns it into one Parquet
//     file (read_csv with the column types given). Goal: >= 0.8 of the
//     floor's rows/s. Peak RSS of the process after our snapshot (it runs
//     first, so the floor's memory is not in it). Goal: < 1 GiB.
//  2. Incremental run after 1% of the rows changed (cursor updated_at, which
//     is indexed, as a cursor column of an operational table would be)
//     against the snapshot's time. Goal: <= 5%.
//  3. The same snapshot from MariaDB (a throwaway server,
//     tests/mariadb_server.h) against its floor: `mariadb --batch` writes the
//     SELECT to a file (tab-separated) and DuckDB turns it into Parquet.
//     Goal: >= 0.8.
//
// Usage: dbsource_bench [ROWS=10000000]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_stats.h"
#include "carelake/base/file_system.h"
#include "carelake/dbsource/mysql_client.h"
#include "carelake/dbsource/pg_client.h"
#include "carelake/engine/database.h"
#include "carelake/ingest/db_ingest.h"
#include "mariadb_server.h"
#include "must.h"
#include "postgres_server.h"

namespace {

namespace fs = std::filesystem;
using carelake::bench::Must;
using carelake::bench::Seconds;
using Clock = std::chrono::steady_clock;

constexpr char kColumns[] =
    "{'id': 'BIGINT', 'patient_id': 'INTEGER', 'code': 'VARCHAR', 'amount': 'DECIMAL(12,2)', "
    "'updated_at': 'TIMESTAMPTZ', 'visit_date': 'DATE', 'note': 'VARCHAR'}";

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void Fill(carelake::dbsource::PgClient& pg, long rows) {
  Must(pg.Exec("CREATE TABLE visits (id bigint PRIMARY KEY, patient_id int, code text, "
               "amount numeric(12,2), updated_at timestamptz NOT NULL, visit_date date, note text);"
               "INSERT INTO visits SELECT g, g % 50000, 'C' || (g % 977), (g % 100000) / 100.0, "
               "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', "
               "date '2024-01-01' + (g % 365), CASE WHEN g % 7 = 0 THEN NULL ELSE "
               "'note, \"quoted\" ' || g END FROM generate_series(1, " +
               std::to_string(rows) + ") g; CREATE INDEX ON visits (updated_at); ANALYZE visits"),
       "filling the table");
}

// The floor: the server's COPY to a file, then DuckDB's CSV -> Parquet.
double Floor(carelake::dbsource::PgClient& pg, const std::string& server_dir,
             const std::string& out_dir) {
  const std::string csv = server_dir + "/floor.csv";
  auto start = Clock::now();
  Must(pg.Exec("COPY (SELECT * FROM visits) TO '" + csv + "' (FORMAT csv)"), "floor COPY");
  auto db = Must(carelake::engine::Database::OpenInMemory(), "duckdb");
  auto conn = Must(carelake::engine::Connection::Open(*db), "duckdb connection");
  Must(conn.Execute("SET TimeZone = 'UTC'"), "time zone");
  Must(
      conn.Execute(
          "COPY (SELECT * FROM read_csv('" + csv + "', columns = " + kColumns +
          ", header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"')) TO '" +
          out_dir + "/floor.parquet' (FORMAT parquet)"),
      "floor read_csv -> Parquet");
  double seconds = Seconds(start);
  fs::remove(csv);
  return seconds;
}

// MariaDB: our snapshot, then the floor (mariadb --batch > file, DuckDB
// read_csv -> Parquet). Prints both.
void MariaDb(long rows, const fs::path& dir) {
  std::string why;
  bool missing = false;
  auto server = carelake::testing::MariaDbServer::Start(why, missing);
  if (server == nullptr) {
    std::printf("\n3. MariaDB: skipped (%s)\n", why.c_str());
    return;
  }
  auto my = Must(carelake::dbsource::MySqlClient::Connect(server->Url(""), ""), "connect");
  auto fill_start = Clock::now();
  Must(my->Exec("CREATE DATABASE bench; CREATE TABLE bench.visits (id BIGINT PRIMARY KEY, "
                "patient_id INT, code VARCHAR(10), amount DECIMAL(12,2), updated_at DATETIME NOT "
                "NULL, visit_date DATE, note TEXT); INSERT INTO bench.visits SELECT seq, seq % "
                "50000, CONCAT('C', seq % 977), (seq % 100000) / 100.0, TIMESTAMP '2024-01-01 "
                "00:00:00' + INTERVAL seq SECOND, DATE '2024-01-01' + INTERVAL (seq % 365) DAY, "
                "IF(seq % 7 = 0, NULL, CONCAT('note, \"quoted\" ', seq)) FROM bench.seq_1_to_" +
                std::to_string(rows)),
       "filling the MariaDB table");
  std::printf("\n3. MariaDB: %ld rows filled in %.1f s\n", rows, Seconds(fill_start));
  carelake::project::DatabaseSource source;
  source.name = "my";
  source.connection = server->Url("bench");
  auto db = Must(carelake::engine::Database::OpenInMemory(), "duckdb");
  auto conn = Must(carelake::engine::Connection::Open(*db), "duckdb connection");
  Must(conn.Execute("SET TimeZone = 'UTC'"), "time zone");
  carelake::ingest::DatabaseIngestRequest req;
  req.source = &source;
  req.project_dir = dir.string();
  req.lake = (dir / "lake-my").string();
  req.run_id = "bench-my";
  auto start = Clock::now();
  auto r =
      Must(carelake::ingest::IngestDatabase(req, carelake::LocalFileSystem(), conn), "snapshot");
  const double ours = Seconds(start);
  if (r.failed) std::fprintf(stderr, "MariaDB snapshot failed: %s\n", r.tables[0].error.c_str());
  const std::string tsv = (dir / "floor.tsv").string();
  start = Clock::now();
  const std::string cmd =
      "mariadb --batch --quick --skip-column-names --socket=" + server->SocketPath() +
      " -u root -e 'SELECT * FROM bench.visits' > " + tsv;
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "mariadb --batch failed\n");
  Must(conn.Execute("COPY (SELECT * FROM read_csv('" + tsv +
                    "', columns = {'id': 'BIGINT', 'patient_id': 'INTEGER', 'code': 'VARCHAR', "
                    "'amount': 'DECIMAL(12,2)', 'updated_at': 'TIMESTAMP', 'visit_date': 'DATE', "
                    "'note': 'VARCHAR'}, delim = '\t', quote = '', escape = '', header = false, "
                    "nullstr = 'NULL', auto_detect = false)) TO '" +
                    (dir / "floor-my.parquet").string() + "' (FORMAT parquet)"),
       "MariaDB floor read_csv -> Parquet");
  const double floor = Seconds(start);
  std::printf("   carelake:  %.2f s  %.0f rows/s\n", ours, rows / ours);
  std::printf(
      "   floor:     %.2f s  %.0f rows/s  (mariadb --batch > file + DuckDB read_csv -> "
      "Parquet)\n",
      floor, rows / floor);
  std::printf("   ratio:     %.2f of the floor's rows/s (goal >= 0.8)\n", floor / ours);
}

}  // namespace

int main(int argc, char** argv) {
  const long rows = argc > 1 ? std::atol(argv[1]) : 10'000'000;
  std::string why;
  bool missing = false;
  auto server = carelake::testing::PostgresServer::Start(why, missing);
  if (server == nullptr) {
    std::fprintf(stderr, "PostgreSQL 15: %s\n", why.c_str());
    return missing ? 0 : 1;
  }
  std::string info = server->ConnInfo();
  const std::string server_dir = info.substr(5, info.find(' ') - 5);
  const std::string url = "postgresql://postgres@/postgres?host=" + server_dir + "&port=5432";
  auto pg = Must(carelake::dbsource::PgClient::Connect(url, ""), "connect");
  std::printf("dbsource_bench: %ld rows in PostgreSQL 15 …\n", rows);
  auto fill_start = Clock::now();
  Fill(*pg, rows);
  std::printf("  filled in %.1f s\n", Seconds(fill_start));

  const fs::path dir =
      fs::temp_directory_path() / ("carelake-dbsource-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  carelake::project::DatabaseSource source;
  source.name = "pg";
  source.connection = url;
  source.incremental["visits"] = {"updated_at", std::chrono::milliseconds(0), false, {}};

  auto db = Must(carelake::engine::Database::OpenInMemory(), "duckdb");
  auto conn = Must(carelake::engine::Connection::Open(*db), "duckdb connection");
  Must(conn.Execute("SET TimeZone = 'UTC'"), "time zone");
  carelake::ingest::DatabaseIngestRequest req;
  req.source = &source;
  req.project_dir = dir.string();
  req.lake = (dir / "lake").string();
  req.run_id = "bench-1";

  auto start = Clock::now();
  auto first =
      Must(carelake::ingest::IngestDatabase(req, carelake::LocalFileSystem(), conn), "snapshot");
  const double snapshot = Seconds(start);
  const double rss = PeakRssMiB();
  if (first.failed) std::fprintf(stderr, "snapshot failed: %s\n", first.tables[0].error.c_str());
  const double floor = Floor(*pg, server_dir, dir.string());

  // 1% of the rows change after the snapshot: their cursor moves past the
  // watermark.
  Must(pg->Exec("UPDATE visits SET updated_at = timestamptz '2025-01-01 00:00:00+00' + id * "
                "interval '1 millisecond' WHERE id % 100 = 0"),
       "changing 1%");
  req.run_id = "bench-2";
  start = Clock::now();
  auto second =
      Must(carelake::ingest::IngestDatabase(req, carelake::LocalFileSystem(), conn), "incremental");
  const double incremental = Seconds(start);
  // The server's own share: the same rows, written by COPY to nowhere.
  start = Clock::now();
  Must(pg->Exec("COPY (SELECT * FROM visits WHERE updated_at >= '" + first.tables[0].watermark +
                "') TO '/dev/null'"),
       "the incremental's rows, server side");
  const double server_share = Seconds(start);

  std::printf("\n1. snapshot of %ld rows into bronze\n", rows);
  std::printf("   carelake:  %.2f s  %.0f rows/s  peak RSS %.0f MiB (goal < 1024)\n", snapshot,
              rows / snapshot, rss);
  std::printf("   floor:     %.2f s  %.0f rows/s  (COPY TO file + DuckDB read_csv -> Parquet)\n",
              floor, rows / floor);
  std::printf("   ratio:     %.2f of the floor's rows/s (goal >= 0.8)\n", floor / snapshot);
  std::printf(
      "\n2. incremental after 1%% changed: %.2f s, %lld rows read = %.1f%% of the "
      "snapshot's time (goal <= 5%%)\n",
      incremental, static_cast<long long>(second.tables[0].rows), 100.0 * incremental / snapshot);
  std::printf("   of which the server's COPY of those rows alone: %.2f s\n", server_share);
  pg.reset();
  server.reset();
  MariaDb(rows, dir);
  fs::remove_all(dir);
  return 0;
}
