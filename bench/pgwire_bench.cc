// The SQL server (`carelake serve --pg`) measured side by side with what it
// serves, in one run, on a gold fact table of ROWS visits (default 10M):
//
//  1. Protocol overhead, 1-row answer: median latency of a point lookup on a
//     small dimension through pgwire (libpq, simple protocol, no TLS) against
//     the same statement on an in-process query session (query/session.h,
//     which pgwire runs it on: catalog refresh included in both).
//  2. Protocol overhead, 1M-row answer: rows/s fetched through pgwire by
//     libpq (every value read), psycopg2 and pgjdbc, against the in-process
//     session reading every value of the same result. Goal: pgwire <= 1.3x.
//     Also the CPU a fetch costs: through pgwire, its libpq client thread and
//     the server; in process, the whole process.
//  3. Dashboard aggregates over the fact (5 queries, p50 each) through
//     pgwire, against PostgreSQL 15 serving the same tables (a throwaway
//     server, tests/postgres_server.h: loaded with COPY, indexed on the
//     columns the dashboards filter and join on, ANALYZEd, work_mem 256MB).
//     Goal: pgwire >= 10x faster at p50. Skipped when PostgreSQL 15 is not
//     installed (Debian postgresql-15).
//  4. 50 concurrent clients running dashboard queries for SECONDS while a
//     pipeline-like writer commits new rows to the fact every 500 ms: errors,
//     p50/p95 latency, queries/s, peak RSS.
//
// Usage: pgwire_bench [ROWS=10000000] [SECONDS=15] [CLIENTS=50] [PARTS=1234]
// (PARTS: which of the measurements above to run, e.g. 2 or 23).
#include <libpq-fe.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"
#include "carelake/auth/user_store.h"
#include "carelake/base/file_system.h"
#include "carelake/delta/sql_rewrite.h"
#include "carelake/delta/table.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/pgwire/server.h"
#include "carelake/project/project.h"
#include "carelake/query/session.h"
#include "must.h"
#include "postgres_server.h"

namespace {

namespace fs = std::filesystem;
using carelake::bench::Median;
using carelake::bench::Must;
using carelake::bench::Percentile;
using carelake::bench::Seconds;
using Clock = std::chrono::steady_clock;

constexpr char kPassword[] = "bench-password";

const char* kDashboards[] = {
    "SELECT date_trunc('month', visit_date) AS month, count(*), sum(amount) FROM gold.fact_visits "
    "GROUP BY 1 ORDER BY 1",
    "SELECT c.region, count(*), sum(f.amount) FROM gold.fact_visits f JOIN gold.dim_clinic c "
    "USING (clinic_id) GROUP BY 1 ORDER BY 1",
    "SELECT specialty, avg(amount) FROM gold.fact_visits WHERE paid GROUP BY 1 ORDER BY 2 DESC "
    "LIMIT 5",
    "SELECT count(DISTINCT patient_id) FROM gold.fact_visits WHERE visit_date >= DATE "
    "'2025-01-01' AND visit_date < DATE '2025-04-01'",
    "SELECT clinic_id, specialty, count(*) FROM gold.fact_visits WHERE visit_date BETWEEN DATE "
    "'2025-06-01' AND DATE '2025-06-30' GROUP BY ALL ORDER BY 3 DESC LIMIT 10",
};

std::string FactRows(int64_t lo, int64_t hi) {
  return "SELECT i AS visit_id, DATE '2023-01-01' + CAST(hash(i) % 1096 AS INTEGER) AS "
         "visit_date, CAST(hash(i * 3) % 50 AS INTEGER) AS clinic_id, "
         "['cardiology','oncology','pediatrics','urology','gynecology','dermatology',"
         "'neurology','orthopedics','psychiatry','radiology','general','emergency']"
         "[CAST(hash(i * 5) % 12 AS INTEGER) + 1] AS specialty, CAST(hash(i * 7) % 2000000 AS "
         "BIGINT) AS patient_id, CAST(hash(i * 11) % 100000 / 100.0 AS DECIMAL(12,2)) AS amount, "
         "hash(i * 13) % 4 <> 0 AS paid FROM range(" +
         std::to_string(lo) + ", " + std::to_string(hi) + ") t(i)";
}

// A project whose gold has fact_visits (ROWS rows, 10 commits) and
// dim_clinic (50 rows), written directly as Delta tables where the catalog
// looks for them (gold/<domain>/<name>; the domain is the project name).
carelake::project::Project MakeProject(const fs::path& dir, int64_t rows) {
  fs::create_directories(dir / "models");
  std::ofstream(dir / "carelake.yaml")
      << "name: bench\nmodels:\n  - {name: dim_clinic}\n  - {name: fact_visits}\n";
  std::ofstream(dir / "models" / "dim_clinic.sql") << "SELECT 1 AS clinic_id";
  std::ofstream(dir / "models" / "fact_visits.sql") << "SELECT 1 AS visit_id";
  auto db = Must(carelake::engine::Database::OpenInMemory(), "database");
  auto conn = Must(carelake::engine::OpenLakeConnection(*db), "connection");
  carelake::delta::DeltaTable dim(carelake::LocalFileSystem(),
                                  (dir / "lake/gold/bench/dim_clinic").string(), conn);
  Must(dim.Write("SELECT i AS clinic_id, 'Clinic ' || i AS name, ['north','south','east','west']"
                 "[i % 4 + 1] AS region FROM range(50) t(i)",
                 {}),
       "dim_clinic");
  carelake::delta::DeltaTable fact(carelake::LocalFileSystem(),
                                   (dir / "lake/gold/bench/fact_visits").string(), conn);
  for (int b = 0; b < 10; ++b)
    Must(fact.Write(FactRows(b * rows / 10, (b + 1) * rows / 10), {}), "fact");
  return Must(carelake::project::LoadProject(dir.string()), "project");
}

PGconn* Connect(int port) {
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(port) +
                          " dbname=bench user=analyst sslmode=disable password=" + kPassword;
  PGconn* c = PQconnectdb(dsn.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::fprintf(stderr, "connect: %s\n", PQerrorMessage(c));
    std::exit(1);
  }
  return c;
}

// Runs `sql`, reads every value; false on error.
bool RunPq(PGconn* c, const std::string& sql, int64_t* rows = nullptr, size_t* bytes = nullptr) {
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  if (ok) {
    size_t total = 0;
    const int n = PQntuples(r), m = PQnfields(r);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < m; ++j)
        total += static_cast<size_t>(PQgetlength(r, i, j)) + (PQgetvalue(r, i, j)[0] != 0);
    }
    if (rows) *rows = n;
    if (bytes) *bytes = total;
  }
  PQclear(r);
  return ok;
}

// The in-process baseline: the same statement on a query session like the
// one pgwire opens, every value of the result read.
int64_t RunInProcess(carelake::query::Session& s, const std::string& sql) {
  int64_t rows = 0;
  Must(s.Execute(sql,
                 [&](carelake::engine::QueryResult& r) {
                   for (;;) {
                     auto chunk = r.Fetch();
                     if (!chunk.ok()) return chunk.status();
                     if (!*chunk) break;
                     for (size_t c = 0; c < (*chunk)->column_count(); ++c) {
                       const auto col = (*chunk)->column(c);
                       for (size_t i = 0; i < (*chunk)->size(); ++i) (void)col.GetValue(i);
                     }
                     rows += static_cast<int64_t>((*chunk)->size());
                   }
                   return carelake::Status::Ok();
                 }),
       "in-process query");
  return rows;
}

bool Exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::fprintf(stderr, "postgres: %s: %s\n", sql.substr(0, 80).c_str(), PQerrorMessage(c));
    return false;
  }
  return true;
}

// The same gold tables in PostgreSQL, as a DBA would serve them.
bool LoadPostgres(PGconn* pg, const carelake::project::Project& project, const fs::path& dir) {
  auto db = Must(carelake::engine::Database::OpenInMemory(), "database");
  auto conn = Must(carelake::engine::OpenLakeConnection(*db), "connection");
  const std::string fact_csv = (dir / "fact.csv").string(), dim_csv = (dir / "dim.csv").string();
  for (const auto& [table, csv] : {std::pair{"fact_visits", fact_csv}, {"dim_clinic", dim_csv}}) {
    const std::string sql =
        Must(carelake::delta::ExpandDeltaScans("COPY (SELECT * FROM delta_scan('" + project.lake +
                                                   "/gold/bench/" + table + "')) TO '" + csv +
                                                   "' (HEADER false)",
                                               conn, carelake::LocalFileSystem()),
             "delta_scan");
    Must(conn.Execute(sql), "csv");
  }
  fs::permissions(dir, fs::perms::all, fs::perm_options::add);  // the server runs as nobody
  return Exec(pg,
              "CREATE TABLE dim_clinic (clinic_id bigint PRIMARY KEY, name text, region text)") &&
         Exec(pg,
              "CREATE TABLE fact_visits (visit_id bigint PRIMARY KEY, visit_date date, "
              "clinic_id integer, specialty text, patient_id bigint, amount numeric(12,2), "
              "paid boolean)") &&
         Exec(pg, "COPY dim_clinic FROM '" + dim_csv + "' (FORMAT csv)") &&
         Exec(pg, "COPY fact_visits FROM '" + fact_csv + "' (FORMAT csv)") &&
         Exec(pg, "CREATE INDEX ON fact_visits (visit_date)") &&
         Exec(pg, "CREATE INDEX ON fact_visits (clinic_id)") &&
         Exec(pg, "CREATE INDEX ON fact_visits (specialty, paid)") && Exec(pg, "VACUUM ANALYZE") &&
         Exec(pg, "SET work_mem = '256MB'");
}

double ScriptSeconds(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[256] = {0};
  const bool got = std::fgets(buf, sizeof(buf), p) != nullptr;
  const int status = pclose(p);
  return got && status == 0 ? std::atof(buf) : -1;
}

// CPU seconds (user + system) of the calling thread (RUSAGE_THREAD) or of
// the whole process (RUSAGE_SELF).
double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long PeakRssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 15;
  const int clients = argc > 3 ? std::atoi(argv[3]) : 50;
  const std::string parts = argc > 4 ? argv[4] : "1234";
  const auto part = [&parts](char p) { return parts.find(p) != std::string::npos; };
  const fs::path dir = fs::temp_directory_path() / ("pgwire_bench_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto start = Clock::now();
  const carelake::project::Project project = MakeProject(dir, rows);
  std::printf("pgwire_bench: gold.fact_visits of %lld rows (10 commits) written in %.1f s\n",
              static_cast<long long>(rows), Seconds(start));
  auto users = Must(
      carelake::auth::UserStore::Load(carelake::auth::UserStore::PathFor(project.lake)), "users");
  Must(users.Add("analyst", "reader", kPassword, 0), "user");
  Must(users.Save(), "users");
  carelake::pgwire::ServerOptions options;
  options.port = 0;
  options.max_connections = clients + 8;
  auto shared = std::make_shared<const carelake::project::Project>(project);
  auto server = Must(carelake::pgwire::Server::Start(
                         options, [shared] { return shared; }, carelake::LocalFileSystem()),
                     "server");
  carelake::query::SessionOptions session_options;
  session_options.project = project;
  session_options.untrusted = true;
  session_options.catalog_only = true;
  session_options.database_config = {{"memory_limit", "1GB"}, {"threads", "2"}};
  auto session =
      Must(carelake::query::Session::Open(session_options, carelake::LocalFileSystem()), "session");
  PGconn* pq = Connect(server->port());

  // 1. One-row answers.
  if (part('1')) {
    const std::string point = "SELECT name, region FROM gold.dim_clinic WHERE clinic_id = 7";
    std::vector<double> wire, local;
    for (int i = 0; i < 500; ++i) {
      auto t = Clock::now();
      if (!RunPq(pq, point)) {
        std::fprintf(stderr, "%s\n", PQerrorMessage(pq));
        std::exit(1);
      }
      wire.push_back(Seconds(t) * 1e3);
      t = Clock::now();
      RunInProcess(*session, point);
      local.push_back(Seconds(t) * 1e3);
    }
    std::printf("\n1-row answer (median of 500): pgwire %.3f ms, in-process %.3f ms: %.2fx\n",
                Median(wire), Median(local), Median(wire) / Median(local));
  }

  // 2. One million rows.
  if (part('2')) {
    const int64_t big = std::min<int64_t>(rows, 1'000'000);
    const std::string bulk =
        "SELECT visit_id, visit_date, clinic_id, specialty, amount FROM "
        "gold.fact_visits LIMIT " +
        std::to_string(big);
    std::vector<double> wire_s, local_s;
    size_t bytes = 0;
    // Where the pgwire fetch spends CPU: this thread is the libpq client; the
    // rest of the process is the server (its connection thread and the
    // session's DuckDB threads; the in-process session is idle meanwhile).
    double client_cpu = 0, server_cpu = 0, local_cpu = 0;
    for (int i = 0; i < 3; ++i) {
      const double thread0 = CpuSeconds(RUSAGE_THREAD), process0 = CpuSeconds(RUSAGE_SELF);
      auto t = Clock::now();
      if (!RunPq(pq, bulk, nullptr, &bytes)) {
        std::fprintf(stderr, "%s\n", PQerrorMessage(pq));
        std::exit(1);
      }
      wire_s.push_back(Seconds(t));
      const double thread = CpuSeconds(RUSAGE_THREAD) - thread0;
      client_cpu += thread;
      server_cpu += CpuSeconds(RUSAGE_SELF) - process0 - thread;
      const double local0 = CpuSeconds(RUSAGE_SELF);
      t = Clock::now();
      RunInProcess(*session, bulk);
      local_s.push_back(Seconds(t));
      local_cpu += CpuSeconds(RUSAGE_SELF) - local0;
    }
    const std::string dsn = "host=127.0.0.1 port=" + std::to_string(server->port()) +
                            " dbname=bench user=analyst sslmode=disable password=" + kPassword;
    const double py = ScriptSeconds(
        "/usr/bin/python3 -c \"import psycopg2,time,sys; c=psycopg2.connect(sys.argv[1]).cursor(); "
        "t=time.time(); c.execute(sys.argv[2]); r=c.fetchall(); print(time.time()-t)\" '" +
        dsn + "' '" + bulk + "' 2>/dev/null");
    const double java = ScriptSeconds(
        "java -cp /usr/share/java/postgresql.jar " CARELAKE_SOURCE_DIR "/bench/PgwireFetch.java " +
        std::to_string(server->port()) + " " + kPassword + " '" + bulk + "' 2>/dev/null");
    const double n = static_cast<double>(big);
    std::printf("%lld-row answer (median of 3), rows/s:\n", static_cast<long long>(big));
    std::printf("  in-process session        %10.0f rows/s\n", n / Median(local_s));
    std::printf(
        "  pgwire, libpq             %10.0f rows/s  (%.2fx the in-process time; %.0f MB of text)\n",
        n / Median(wire_s), Median(wire_s) / Median(local_s), bytes / 1e6);
    std::printf(
        "      CPU per fetch: libpq client %.0f ms + server %.0f ms (wall %.0f ms); in-process "
        "%.0f ms (wall %.0f ms)\n",
        client_cpu / 3 * 1e3, server_cpu / 3 * 1e3, Median(wire_s) * 1e3, local_cpu / 3 * 1e3,
        Median(local_s) * 1e3);
    if (py > 0) std::printf("  pgwire, psycopg2          %10.0f rows/s\n", n / py);
    if (java > 0) std::printf("  pgwire, pgjdbc            %10.0f rows/s\n", n / java);
  }

  // 3. Dashboards.
  if (part('3')) {
    std::printf("\ndashboard aggregates over %lld rows through pgwire (p50 of 5):\n",
                static_cast<long long>(rows));
    std::string why_not;
    bool missing = false;
    std::unique_ptr<carelake::testing::PostgresServer> postgres;
    PGconn* pg = nullptr;
    start = Clock::now();
    postgres = carelake::testing::PostgresServer::Start(why_not, missing);
    if (postgres != nullptr) {
      pg = PQconnectdb(postgres->ConnInfo().c_str());
      if (PQstatus(pg) != CONNECTION_OK || !LoadPostgres(pg, project, dir)) {
        std::fprintf(stderr, "PostgreSQL comparison skipped: %s\n", PQerrorMessage(pg));
        PQfinish(pg);
        pg = nullptr;
      } else {
        std::printf("(PostgreSQL 15 loaded, indexed and analyzed in %.0f s)\n", Seconds(start));
      }
    } else {
      std::printf("(PostgreSQL comparison skipped: %s)\n", why_not.c_str());
    }
    std::printf("    pgwire  in-process  PostgreSQL 15\n");
    std::vector<double> ratios;
    for (const char* q : kDashboards) {
      std::vector<double> t, in, theirs;
      for (int i = 0; i < 5; ++i) {
        auto s = Clock::now();
        if (!RunPq(pq, q)) {
          std::fprintf(stderr, "%s: %s\n", q, PQerrorMessage(pq));
          std::exit(1);
        }
        t.push_back(Seconds(s) * 1e3);
        s = Clock::now();
        RunInProcess(*session, q);
        in.push_back(Seconds(s) * 1e3);
        if (pg != nullptr) {
          // PostgreSQL has no `gold` schema and no GROUP BY ALL.
          std::string pg_sql = q;
          for (size_t at; (at = pg_sql.find("gold.")) != std::string::npos;) pg_sql.erase(at, 5);
          if (size_t at = pg_sql.find("GROUP BY ALL"); at != std::string::npos) {
            pg_sql.replace(at, 12, "GROUP BY 1, 2");
          }
          s = Clock::now();
          if (!RunPq(pg, pg_sql)) {
            std::fprintf(stderr, "postgres: %s: %s\n", pg_sql.c_str(), PQerrorMessage(pg));
            std::exit(1);
          }
          theirs.push_back(Seconds(s) * 1e3);
        }
      }
      if (pg != nullptr) {
        ratios.push_back(Median(theirs) / Median(t));
        std::printf("  %6.1f ms %6.1f ms  %7.1f ms (%5.1fx)  %.50s...\n", Median(t), Median(in),
                    Median(theirs), ratios.back(), q);
      } else {
        std::printf("  %6.1f ms %6.1f ms  %.60s...\n", Median(t), Median(in), q);
      }
    }
    if (!ratios.empty()) {
      std::printf(
          "  pgwire is %.1fx faster than PostgreSQL 15 at the median of the 5 dashboards "
          "(goal >= 10x)\n",
          Median(ratios));
    }
    if (pg != nullptr) PQfinish(pg);
    postgres.reset();
  }
  PQfinish(pq);

  // 4. Concurrency while a writer commits.
  if (part('4')) {
    std::atomic<bool> stop{false};
    std::atomic<int64_t> commits{0}, errors{0};
    std::mutex mu;
    std::vector<double> latencies;
    std::thread writer([&] {
      auto db = Must(carelake::engine::Database::OpenInMemory(), "writer db");
      auto conn = Must(carelake::engine::OpenLakeConnection(*db), "writer connection");
      carelake::delta::DeltaTable fact(carelake::LocalFileSystem(),
                                       project.lake + "/gold/bench/fact_visits", conn);
      int64_t next = rows;
      while (!stop) {
        if (fact.Write(FactRows(next, next + 10000), {}).ok()) ++commits;
        next += 10000;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    });
    std::vector<std::thread> readers;
    start = Clock::now();
    for (int c = 0; c < clients; ++c) {
      readers.emplace_back([&, c] {
        PGconn* conn = Connect(server->port());
        std::vector<double> mine;
        for (int i = c; !stop; ++i) {
          auto t = Clock::now();
          if (!RunPq(conn, kDashboards[i % 5])) ++errors;
          mine.push_back(Seconds(t) * 1e3);
        }
        PQfinish(conn);
        std::lock_guard<std::mutex> l(mu);
        latencies.insert(latencies.end(), mine.begin(), mine.end());
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    stop = true;
    for (std::thread& t : readers) t.join();
    writer.join();
    const double elapsed = Seconds(start);
    std::printf("\n%d clients for %d s while a writer committed every 500 ms (%lld commits):\n",
                clients, seconds, static_cast<long long>(commits.load()));
    std::printf(
        "  %zu queries (%.1f/s), %lld errors, latency p50 %.0f ms, p95 %.0f ms; peak RSS %ld MiB\n",
        latencies.size(), latencies.size() / elapsed, static_cast<long long>(errors.load()),
        Median(latencies), Percentile(latencies, 0.95), PeakRssKib() / 1024);
  }
  server->Stop();
  fs::remove_all(dir);
  return 0;
}
