// Continuous change data capture (serve/cdc_consumer.h) on a throwaway
// PostgreSQL 15 (tests/postgres_server.h): the latency from a change's
// commit on the server to its commit in bronze, p50/p95/max, for COUNT
// single-row transactions
//
//  1. at a steady RATE per second, and
//  2. in one burst (as fast as one client commits them),
//
// with the consumer polling every POLL_MS (the default of `cdc: {continuous:
// true}`, 500 ms). A change counts as committed in bronze when the consumer
// reports the commit holding it (after the slot's advance, so the figure is
// a little pessimistic); its start is the server's commit timestamp
// (`_commit_time`). Goal: p95 < 2 s.
//
// Usage: cdc_bench [COUNT=1000] [RATE=50] [POLL_MS=500]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench_stats.h"
#include "carelake/base/file_system.h"
#include "carelake/dbsource/pg_client.h"
#include "carelake/delta/table.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/serve/cdc_consumer.h"
#include "must.h"
#include "postgres_server.h"

namespace {

namespace fs = std::filesystem;
using carelake::bench::Must;
using carelake::bench::Percentile;

// When the consumer reported each commit: (wall ms, last commit LSN in bronze).
struct Commits {
  std::mutex mu;
  std::vector<std::pair<int64_t, uint64_t>> at;
};

// Latency in ms of each change row with id in [first, last]: the first
// reported commit at or past its LSN, minus its commit time on the server.
std::vector<double> Latencies(carelake::engine::Connection& conn, const std::string& bronze,
                              Commits& commits, int first, int last) {
  carelake::delta::DeltaTable t(carelake::LocalFileSystem(), bronze, conn);
  const std::string scan = Must(t.ScanSql(), "bronze scan");
  auto result =
      Must(conn.Query("SELECT _lsn, epoch_ms(_commit_time) FROM (" + scan + ") WHERE id BETWEEN " +
                      std::to_string(first) + " AND " + std::to_string(last) + " ORDER BY _lsn"),
           "bronze rows");
  auto rows = Must(result.FetchAllRows(), "bronze rows");
  std::lock_guard<std::mutex> lock(commits.mu);
  std::vector<double> out;
  size_t c = 0;
  for (auto& r : rows) {
    const auto lsn = static_cast<uint64_t>(r[0].GetInt64());
    while (c < commits.at.size() && commits.at[c].second < lsn) ++c;
    if (c == commits.at.size()) break;
    out.push_back(static_cast<double>(commits.at[c].first - r[1].GetInt64()));
  }
  if (out.size() != static_cast<size_t>(last - first + 1)) {
    std::fprintf(stderr, "expected %d changes in bronze, found %zu\n", last - first + 1,
                 out.size());
    std::exit(1);
  }
  return out;
}

void Report(const char* what, const std::vector<double>& ms) {
  const double p95 = Percentile(ms, 0.95);
  std::printf(
      "%-28s %5zu changes  p50 %6.0f ms  p95 %6.0f ms  max %6.0f ms  (goal p95 < 2000 ms: %s)\n",
      what, ms.size(), Percentile(ms, 0.5), p95, Percentile(ms, 1.0),
      p95 < 2000 ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int rate = argc > 2 ? std::atoi(argv[2]) : 50;
  const int poll_ms = argc > 3 ? std::atoi(argv[3]) : 500;
  std::string why;
  bool missing = false;
  auto server = carelake::testing::PostgresServer::Start(why, missing);
  if (server == nullptr) {
    std::fprintf(stderr, "PostgreSQL 15: %s\n", why.c_str());
    return missing ? 0 : 1;
  }
  auto pg = Must(carelake::dbsource::PgClient::Connect(server->Url("postgres"), ""), "connect");
  Must(pg->Exec("CREATE TABLE event (id int PRIMARY KEY, payload text, at timestamptz)"),
       "create table");
  const fs::path dir = fs::temp_directory_path() / ("cdc_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  carelake::project::DatabaseSource source;
  source.name = "pg";
  source.connection = server->Url("postgres");
  source.cdc = carelake::project::CdcOptions{"carelake_pg", "carelake_pg", true};
  source.cdc->continuous = true;
  source.cdc->poll = std::chrono::milliseconds(poll_ms);
  carelake::project::Project project;
  project.name = "bench";
  project.dir = dir.string();
  project.lake = (dir / "lake").string();
  project.database_sources.push_back(source);
  carelake::serve::ProjectHolder holder(project);
  auto db = Must(carelake::engine::Database::OpenInMemory(), "duckdb");
  Commits commits;
  carelake::serve::CdcConsumer* consumer_ptr = nullptr;
  carelake::serve::CdcConsumerOptions options;
  options.on_applied = [&](const std::string&) {
    const int64_t now = carelake::DefaultClock().WallMillis();
    const uint64_t lsn = consumer_ptr->States()[0].last_lsn;
    std::lock_guard<std::mutex> lock(commits.mu);
    commits.at.emplace_back(now, lsn);
  };
  carelake::serve::CdcConsumer consumer(holder, *db, carelake::DefaultClock(), nullptr, options);
  consumer_ptr = &consumer;
  Must(consumer.Start(), "start consumer");
  while (!consumer.health().ok) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::printf("cdc_bench: %d single-row transactions, steady at %d/s and in a burst; poll %d ms\n",
              count, rate, poll_ms);
  auto insert = [&](int id) {
    Must(pg->Exec("INSERT INTO event VALUES (" + std::to_string(id) + ", 'x', now())"), "insert");
  };
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= count; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000LL * (i - 1) / rate));
    insert(i);
  }
  const auto burst_start = std::chrono::steady_clock::now();
  for (int i = count + 1; i <= 2 * count; ++i) insert(i);
  const double burst_s = carelake::bench::Seconds(burst_start);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (consumer.States()[0].changes_applied < 2 * count) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "the changes did not all arrive in 5 min: %s\n",
                   consumer.health().detail.c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  consumer.Stop();
  auto conn = Must(carelake::engine::OpenLakeConnection(*db), "connection");
  const std::string bronze = project.lake + "/bronze/pg/event";
  Report("steady", Latencies(conn, bronze, commits, 1, count));
  char what[64];
  std::snprintf(what, sizeof what, "burst (%.0f tx/s)", count / burst_s);
  Report(what, Latencies(conn, bronze, commits, count + 1, 2 * count));
  std::printf("bronze commits: %zu; retained WAL after: %lld bytes\n", commits.at.size(),
              static_cast<long long>(consumer.States()[0].retained_wal_bytes));
  fs::remove_all(dir);
  return 0;
}
