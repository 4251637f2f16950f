// Measures carelake's Delta writer on rows shaped like hospital admissions:
//
//  1. commit latency of small appends (kSmallCommits appends of 10 rows into
//     a fresh table; every 10th commit also writes a checkpoint, and those
//     commits are included in the figures);
//  2. append throughput of DeltaTable::Write against a plain DuckDB
//     `COPY ... TO 'x.parquet'` of the same rows, alternating per run;
//  3. a MERGE of 1% changed rows (the most recent admissions get a new
//     charge, plus kNewRows new admissions, as a CDC feed would bring) into
//     a ROWS-row table, against a full overwrite of the table with the same
//     end result. Each run starts from a fresh copy of one base table.
//
// Every figure is the median over RUNS runs, in one process. Tables live in
// a temporary folder that is removed at the end.
//
// Usage: delta_bench [ROWS=10000000] [RUNS=3] [MERGE_FILE_MB=32]
// MERGE_FILE_MB is the target file size of the table merged into: how much
// of the table one changed key range makes the merge rewrite.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "bench_stats.h"
#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"

namespace {

using carelake::bench::Median;
using carelake::bench::Percentile;
using carelake::bench::Seconds;

namespace fs = std::filesystem;

using carelake::LocalFileSystem;
using carelake::Result;
using carelake::Status;
using carelake::delta::DeltaTable;
using carelake::delta::MergeOptions;
using carelake::delta::OperationResult;
using carelake::delta::WriteMode;
using carelake::delta::WriteOptions;
using carelake::engine::Connection;
using carelake::engine::Database;

constexpr int kSmallCommits = 50;
constexpr int64_t kSmallCommitRows = 10;
constexpr int64_t kNewRows = 300;  // admissions the MERGE source inserts
constexpr const char* kChargeBump = "12.50";

// The temporary folder, removed on exit (also after a failure).
fs::path g_root;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "delta_bench: %s\n", what.c_str());
  std::error_code ec;
  if (!g_root.empty()) fs::remove_all(g_root, ec);
  std::exit(1);
}

void Check(const Status& status, const std::string& what) {
  if (!status.ok()) Fail(what + " failed: " + status.ToString());
}

template <typename T>
T Unwrap(Result<T> result, const std::string& what) {
  Check(result.status(), what);
  return std::move(result).value();
}

// Admissions with ids in [lo, hi). With `changed`, every charge is raised by
// kChargeBump (the rows a CDC feed would bring for recently changed records).
std::string AdmissionsSql(int64_t lo, int64_t hi, bool changed) {
  const std::string bump = changed ? std::string(" + ") + kChargeBump : "";
  return "SELECT i AS admission_id, i % 100000 AS patient_id, "
         "TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL 1 SECOND AS admitted_at, "
         "['Cardiology','Oncology','Pediatrics','Emergency','Orthopedics','Neurology',"
         "'Maternity'][(i % 7) + 1] AS department, (i % 90)::INTEGER AS age, "
         "((i % 100000) / 100.0" +
         bump + ")::DECIMAL(12,2) AS charge FROM range(" + std::to_string(lo) + ", " +
         std::to_string(hi) + ") t(i)";
}

int64_t QueryInt(Connection& conn, const std::string& sql) {
  auto result = Unwrap(conn.Query(sql), "query '" + sql.substr(0, 80) + "'");
  auto rows = Unwrap(result.FetchAllRows(), "fetch");
  if (rows.size() != 1 || rows[0].empty() || rows[0][0].is_null()) Fail("no value from " + sql);
  return rows[0][0].GetInt64();
}

// 1. Small appends into a fresh table; returns each commit's latency in ms
// and counts the commits that wrote a checkpoint.
std::vector<double> RunSmallCommits(Connection& conn, const fs::path& dir,
                                    std::vector<double>* checkpoint_ms) {
  DeltaTable table(LocalFileSystem(), dir.string(), conn);
  std::vector<double> latencies_ms;
  for (int k = 0; k < kSmallCommits; ++k) {
    const int64_t lo = k * kSmallCommitRows;
    const auto start = std::chrono::steady_clock::now();
    OperationResult r =
        Unwrap(table.Write(AdmissionsSql(lo, lo + kSmallCommitRows, false), WriteOptions{}),
               "small append " + std::to_string(k));
    const double ms = Seconds(start) * 1000;
    if (!r.committed) Fail("small append " + std::to_string(k) + " not committed: " + r.reason);
    latencies_ms.push_back(ms);
    if (r.commit.checkpoint) checkpoint_ms->push_back(ms);
  }
  const int64_t expected = kSmallCommits * kSmallCommitRows;
  const std::string scan = Unwrap(table.ScanSql(), "ScanSql");
  const int64_t count = QueryInt(conn, "SELECT count(*) FROM (" + scan + ")");
  if (count != expected) {
    Fail("small appends: table holds " + std::to_string(count) + " rows, expected " +
         std::to_string(expected));
  }
  return latencies_ms;
}

// 2a. DeltaTable::Write of `rows` rows into a new table.
double RunDeltaAppend(Connection& conn, const fs::path& dir, int64_t rows) {
  DeltaTable table(LocalFileSystem(), dir.string(), conn);
  const auto start = std::chrono::steady_clock::now();
  OperationResult r = Unwrap(table.Write(AdmissionsSql(0, rows, false), WriteOptions{}),
                             "DeltaTable::Write (append)");
  const double seconds = Seconds(start);
  if (!r.committed) Fail("append not committed: " + r.reason);
  if (r.metrics.rows_inserted != rows) {
    Fail("append: rows_inserted " + std::to_string(r.metrics.rows_inserted) + ", expected " +
         std::to_string(rows));
  }
  return seconds;
}

// 2b. The same rows through a plain DuckDB COPY to one Parquet file.
double RunPlainCopy(Connection& conn, const fs::path& dir, int64_t rows) {
  fs::create_directories(dir);
  const std::string file = (dir / "plain.parquet").string();
  const auto start = std::chrono::steady_clock::now();
  Check(conn.Execute("COPY (" + AdmissionsSql(0, rows, false) + ") TO '" + file +
                     "' (FORMAT parquet)"),
        "plain COPY");
  return Seconds(start);
}

struct MergeRun {
  double seconds = 0;
  OperationResult result;
};

// 3a. MERGE of the source into the table at `dir`.
MergeRun RunMerge(Connection& conn, const fs::path& dir, const std::string& source) {
  DeltaTable table(LocalFileSystem(), dir.string(), conn);
  MergeOptions options;
  options.keys = {"admission_id"};
  const auto start = std::chrono::steady_clock::now();
  MergeRun run;
  run.result = Unwrap(table.Merge(source, options), "DeltaTable::Merge");
  run.seconds = Seconds(start);
  if (!run.result.committed) Fail("merge not committed: " + run.result.reason);
  return run;
}

// 3b. The same end result as a full overwrite: every row the source does not
// replace, plus the source rows.
double RunRewrite(Connection& conn, const fs::path& dir, const std::string& source) {
  DeltaTable table(LocalFileSystem(), dir.string(), conn);
  const auto start = std::chrono::steady_clock::now();
  const std::string scan = Unwrap(table.ScanSql(), "ScanSql");
  WriteOptions options;
  options.mode = WriteMode::kOverwrite;
  OperationResult r = Unwrap(
      table.Write("SELECT * FROM (" + scan + ") AS t WHERE NOT EXISTS (SELECT 1 FROM (" + source +
                      ") AS s WHERE s.admission_id = t.admission_id) UNION ALL " + source,
                  options),
      "DeltaTable::Write (overwrite)");
  const double seconds = Seconds(start);
  if (!r.committed) Fail("rewrite not committed: " + r.reason);
  return seconds;
}

// Checks the table at `dir` holds the merged result: `rows` rows, of which
// `changed` carry a raised charge.
void Verify(Connection& conn, const fs::path& dir, const std::string& what, int64_t rows,
            int64_t changed) {
  DeltaTable table(LocalFileSystem(), dir.string(), conn);
  const std::string scan = Unwrap(table.ScanSql(), "ScanSql");
  const int64_t count = QueryInt(conn, "SELECT count(*) FROM (" + scan + ")");
  const int64_t raised = QueryInt(conn, "SELECT count(*) FROM (" + scan +
                                            ") WHERE charge = ((admission_id % 100000) / 100.0 + " +
                                            kChargeBump + ")::DECIMAL(12,2)");
  const int64_t distinct =
      QueryInt(conn, "SELECT count(DISTINCT admission_id) FROM (" + scan + ")");
  std::printf(
      "  check %-7s: %lld rows (expected %lld), %lld distinct ids, %lld with new charge "
      "(expected %lld) -> %s\n",
      what.c_str(), static_cast<long long>(count), static_cast<long long>(rows),
      static_cast<long long>(distinct), static_cast<long long>(raised),
      static_cast<long long>(changed),
      count == rows && distinct == rows && raised == changed ? "OK" : "WRONG");
  if (count != rows || distinct != rows || raised != changed) Fail(what + ": wrong result");
}

void CopyTable(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::remove_all(to, ec);
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec) Fail("copying " + from.string() + " to " + to.string() + ": " + ec.message());
}

void Remove(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const int64_t merge_file_mb = argc > 3 ? std::atoll(argv[3]) : 32;
  if (argc > 4 || rows < 1000 || runs < 1) {
    std::fprintf(stderr,
                 "usage: delta_bench [ROWS=10000000 (>= 1000)] [RUNS=3] [MERGE_FILE_MB=32]\n");
    return 2;
  }
  g_root = fs::temp_directory_path() / ("carelake_delta_bench_" + std::to_string(getpid()));
  Remove(g_root);
  fs::create_directories(g_root);

  auto db = Unwrap(Database::OpenInMemory(), "open database");
  auto conn = Unwrap(carelake::engine::OpenLakeConnection(*db), "connect");
  std::printf("delta_bench: %lld rows, %d runs, DuckDB %s, in %s\n", static_cast<long long>(rows),
              runs, carelake::engine::DuckDbVersion().c_str(), g_root.c_str());

  // 1. Commit latency of small appends.
  std::vector<double> commit_ms, checkpoint_ms, run_medians;
  for (int run = 0; run < runs; ++run) {
    const fs::path dir = g_root / ("small_" + std::to_string(run));
    std::vector<double> ms = RunSmallCommits(conn, dir, &checkpoint_ms);
    Remove(dir);
    run_medians.push_back(Median(ms));
    std::printf("run %d: %d small commits, median %.1f ms\n", run + 1, kSmallCommits,
                run_medians.back());
    commit_ms.insert(commit_ms.end(), ms.begin(), ms.end());
  }

  // 2. Append throughput, Delta against plain COPY.
  std::vector<double> delta_s, plain_s;
  for (int run = 0; run < runs; ++run) {
    const fs::path delta_dir = g_root / ("append_delta_" + std::to_string(run));
    const fs::path plain_dir = g_root / ("append_plain_" + std::to_string(run));
    // Alternate the order so drift on a noisy machine hits both alike.
    if (run % 2 == 0) {
      delta_s.push_back(RunDeltaAppend(conn, delta_dir, rows));
      plain_s.push_back(RunPlainCopy(conn, plain_dir, rows));
    } else {
      plain_s.push_back(RunPlainCopy(conn, plain_dir, rows));
      delta_s.push_back(RunDeltaAppend(conn, delta_dir, rows));
    }
    Remove(delta_dir);
    Remove(plain_dir);
    std::printf("run %d: append delta %.2fs, plain COPY %.2fs\n", run + 1, delta_s.back(),
                plain_s.back());
  }

  // 3. MERGE of 1% changed rows against a full rewrite.
  const int64_t changed = rows / 100;
  const std::string source = AdmissionsSql(rows - changed, rows + kNewRows, true);
  const fs::path base = g_root / "merge_base";
  const auto build_start = std::chrono::steady_clock::now();
  {
    DeltaTable table(LocalFileSystem(), base.string(), conn);
    WriteOptions options;
    options.target_file_size = std::max<int64_t>(merge_file_mb, 1) << 20;
    OperationResult r =
        Unwrap(table.Write(AdmissionsSql(0, rows, false), options), "build base table");
    if (!r.committed) Fail("base table not committed: " + r.reason);
  }
  const double build_s = Seconds(build_start);
  const auto detail =
      Unwrap(DeltaTable(LocalFileSystem(), base.string(), conn).Describe(), "Describe");
  std::printf("merge base table: %lld rows in %lld files, %.1f MiB, built in %.2fs\n",
              static_cast<long long>(rows), static_cast<long long>(detail.num_files),
              static_cast<double>(detail.size_bytes) / (1 << 20), build_s);

  std::vector<double> merge_s, rewrite_s;
  OperationResult merge_result;
  for (int run = 0; run < runs; ++run) {
    const fs::path merge_dir = g_root / ("merge_" + std::to_string(run));
    const fs::path rewrite_dir = g_root / ("rewrite_" + std::to_string(run));
    CopyTable(base, merge_dir);
    CopyTable(base, rewrite_dir);
    if (run % 2 == 0) {
      MergeRun m = RunMerge(conn, merge_dir, source);
      merge_s.push_back(m.seconds);
      merge_result = m.result;
      rewrite_s.push_back(RunRewrite(conn, rewrite_dir, source));
    } else {
      rewrite_s.push_back(RunRewrite(conn, rewrite_dir, source));
      MergeRun m = RunMerge(conn, merge_dir, source);
      merge_s.push_back(m.seconds);
      merge_result = m.result;
    }
    std::printf("run %d: merge %.2fs (files removed %lld, added %lld), full rewrite %.2fs\n",
                run + 1, merge_s.back(), static_cast<long long>(merge_result.metrics.files_removed),
                static_cast<long long>(merge_result.metrics.files_added), rewrite_s.back());
    if (run == 0) {
      Verify(conn, merge_dir, "merge", rows + kNewRows, changed + kNewRows);
      Verify(conn, rewrite_dir, "rewrite", rows + kNewRows, changed + kNewRows);
      const auto& m = merge_result.metrics;
      if (m.rows_updated != changed || m.rows_inserted != kNewRows) {
        Fail("merge metrics: rows_updated " + std::to_string(m.rows_updated) + " (expected " +
             std::to_string(changed) + "), rows_inserted " + std::to_string(m.rows_inserted) +
             " (expected " + std::to_string(kNewRows) + ")");
      }
    }
    Remove(merge_dir);
    Remove(rewrite_dir);
  }
  Remove(g_root);

  int checkpoints_per_run = static_cast<int>(checkpoint_ms.size()) / runs;
  std::printf("\nsmall commits, %d appends of %lld rows x %d runs (%zu commits):\n", kSmallCommits,
              static_cast<long long>(kSmallCommitRows), runs, commit_ms.size());
  std::printf("  commit latency: median %.1f ms, p90 %.1f ms (median of run medians %.1f ms)\n",
              Median(commit_ms), Percentile(commit_ms, 0.9), Median(run_medians));
  std::printf("  includes %d checkpoint commits per run (every 10th; their median %.1f ms)\n",
              checkpoints_per_run, checkpoint_ms.empty() ? 0.0 : Median(checkpoint_ms));

  const double delta_rate = rows / Median(delta_s);
  const double plain_rate = rows / Median(plain_s);
  std::printf("append, %lld admission rows x %d runs (median):\n", static_cast<long long>(rows),
              runs);
  // Each run measures both side by side, so the per-run ratio is robust to
  // the machine slowing down between runs.
  std::vector<double> ratios;
  for (size_t i = 0; i < delta_s.size(); ++i) ratios.push_back(plain_s[i] / delta_s[i]);
  std::printf(
      "  append: delta %.0f rows/s, plain COPY %.0f rows/s, ratio %.2f; median of per-run "
      "ratios %.2f (goal >= 0.8)\n",
      delta_rate, plain_rate, delta_rate / plain_rate, Median(ratios));

  const auto& m = merge_result.metrics;
  std::printf(
      "merge, %lld changed + %lld new rows into %lld rows (%lld files) x %d runs (median):\n",
      static_cast<long long>(changed), static_cast<long long>(kNewRows),
      static_cast<long long>(rows), static_cast<long long>(detail.num_files), runs);
  std::printf(
      "  merge: %.2fs, files removed %lld, added %lld, rows copied %lld, updated %lld, "
      "inserted %lld\n",
      Median(merge_s), static_cast<long long>(m.files_removed),
      static_cast<long long>(m.files_added), static_cast<long long>(m.rows_copied),
      static_cast<long long>(m.rows_updated), static_cast<long long>(m.rows_inserted));
  std::printf("  full rewrite: %.2fs, ratio rewrite/merge %.2f\n", Median(rewrite_s),
              Median(rewrite_s) / Median(merge_s));
  return 0;
}
