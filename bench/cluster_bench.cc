// Measures clustering (OPTIMIZE with cluster_by, the analogue of the billing
// seed's Redshift sort keys) on a billing fact table: LINES transaction lines
// appended in 8 daily-batch-like commits whose service dates span the whole
// year (late lines, corrections), so every file's min/max covers the year.
// A 10-day service-date range query — the daily/monthly billing marts' shape
// — is timed and its files counted before and after
// `OPTIMIZE ... cluster_by service_date`, side by side in the same run;
// medians over RUNS runs.
//
// Usage: cluster_bench [LINES=4000000] [RUNS=5]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "carelake/base/file_system.h"
#include "carelake/delta/sql_rewrite.h"
#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"
#include "must.h"

namespace {

namespace fs = std::filesystem;
using carelake::bench::Median;
using carelake::bench::Must;
using carelake::bench::Seconds;
using Clock = std::chrono::steady_clock;

struct Measure {
  double seconds = 0;
  size_t files_read = 0, files_total = 0;
};

Measure RangeQuery(carelake::engine::Connection& conn, const std::string& path, int runs) {
  const std::string sql = "SELECT count(*), sum(gross_charge) FROM delta_scan('" + path +
                          "') WHERE service_date BETWEEN DATE '2024-03-01' AND DATE '2024-03-10'";
  std::vector<double> times;
  Measure m;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    carelake::delta::DeltaScanReport report;
    const std::string expanded =
        Must(carelake::delta::ExpandDeltaScans(sql, conn, carelake::LocalFileSystem(), "", &report),
             "expand");
    Must(conn.Query(expanded), "query");
    times.push_back(Seconds(start));
    m.files_read = report.scans.at(0).files_read;
    m.files_total = report.scans.at(0).files_total;
  }
  m.seconds = Median(times);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t lines = argc > 1 ? std::atoll(argv[1]) : 4'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const fs::path dir = fs::temp_directory_path() / ("cluster_bench_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto db = Must(carelake::engine::Database::OpenInMemory(), "database");
  auto conn = Must(carelake::engine::OpenLakeConnection(*db), "connection");
  const std::string path = (dir / "fact_billing").string();
  carelake::delta::DeltaTable table(carelake::LocalFileSystem(), path, conn);
  const int64_t batch = lines / 8;
  for (int b = 0; b < 8; ++b) {
    const std::string lo = std::to_string(b * batch), hi = std::to_string((b + 1) * batch);
    Must(table.Write("SELECT i AS fact_table_pk, DATE '2024-01-01' + CAST(hash(i) % 366 AS "
                     "INTEGER) AS service_date, CAST(hash(i * 7) % 100000 / 100.0 AS "
                     "DECIMAL(12,2)) AS gross_charge, CAST(hash(i * 13) % 500 AS INTEGER) AS "
                     "dim_payer_pk FROM range(" +
                         lo + ", " + hi + ") t(i)",
                     carelake::delta::WriteOptions{}),
         "append");
  }
  const Measure before = RangeQuery(conn, path, runs);
  carelake::delta::OptimizeOptions options;
  options.cluster_by = {"service_date"};
  options.target_file_size = 4 << 20;  // about as many files as before
  const auto start = Clock::now();
  Must(table.Optimize(options), "optimize");
  const double optimize_s = Seconds(start);
  const Measure after = RangeQuery(conn, path, runs);
  std::printf("cluster_bench: fact table of %lld lines in 8 commits, service dates over 2024\n",
              static_cast<long long>(lines));
  std::printf("10-day service_date range query (median of %d):\n", runs);
  std::printf("  unclustered                     %6.3f s   files read %zu of %zu\n", before.seconds,
              before.files_read, before.files_total);
  std::printf("  clustered by service_date       %6.3f s   files read %zu of %zu   %.1fx faster\n",
              after.seconds, after.files_read, after.files_total, before.seconds / after.seconds);
  std::printf("  OPTIMIZE cluster_by service_date (4 MiB files) took %.2f s (once)\n", optimize_s);
  fs::remove_all(dir);
  return 0;
}
