// Measures the Lumia pipeline (examples/lumia) on generated chatbot data:
//
//  1. bronze ingest: the new files of the `chatbot` source into its bronze
//     table (ingest::IngestFiles, exactly-once bookkeeping, lineage columns,
//     schema discovery) against DuckDB reading the same files with
//     `read_json` and writing them to one Parquet file, alternating per run;
//  2. the full pipeline (`carelake run`: ingest, silver with its
//     expectations, every gold model) from an empty lake;
//  3. an incremental run after 1% more records arrive, and a rerun with
//     nothing new.
//
// Every figure is the median over RUNS runs, in one process; the lake and
// the data live in a temporary folder removed at the end.
//
// Usage: pipeline_bench [RECORDS=5000000] [RUNS=3] [FILES=8]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "carelake/base/file_system.h"
#include "carelake/catalog/catalog.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/generate/lumia.h"
#include "carelake/ingest/file_ingest.h"
#include "carelake/pipeline/runner.h"
#include "carelake/project/project.h"

namespace {

namespace fs = std::filesystem;
using carelake::bench::Median;
using carelake::bench::Seconds;
using Clock = std::chrono::steady_clock;

void Check(const carelake::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

struct Engine {
  std::unique_ptr<carelake::engine::Database> db;
  std::optional<carelake::engine::Connection> conn;
  Engine() {
    auto d = carelake::engine::Database::OpenInMemory();
    Check(d.status(), "database");
    db = std::move(*d);
    auto c = carelake::engine::OpenLakeConnection(*db);
    Check(c.status(), "connection");
    conn.emplace(std::move(*c));
  }
};

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t records = argc > 1 ? std::atoll(argv[1]) : 5'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const int files = argc > 3 ? std::atoi(argv[3]) : 8;
  const fs::path root =
      fs::temp_directory_path() / ("carelake_pipeline_bench_" + std::to_string(getpid()));
  const fs::path project_dir = root / "lumia";
  fs::create_directories(project_dir / "models");
  const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "lumia";
  fs::copy_file(example / "carelake.yaml", project_dir / "carelake.yaml");
  for (const auto& e : fs::directory_iterator(example / "models")) {
    fs::copy_file(e.path(), project_dir / "models" / e.path().filename());
  }
  carelake::generate::LumiaOptions gen;
  gen.out_dir = (project_dir / "landing").string();
  gen.records = records;
  gen.files = files;
  auto t0 = Clock::now();
  auto summary = carelake::generate::GenerateLumia(gen);
  Check(summary.status(), "generate");
  std::printf(
      "pipeline_bench: %lld Lumia records in %d files (%.0f MiB), generated in %.1f s; "
      "%d runs\n",
      static_cast<long long>(records), files, static_cast<double>(summary->bytes) / (1 << 20),
      Seconds(t0), runs);
  auto project = carelake::project::LoadProject(project_dir.string());
  Check(project.status(), "project");
  const carelake::project::Source& source = project->sources.at(0);
  const auto paths = carelake::catalog::TablePaths(*project);

  std::vector<double> duck_s, ingest_s, ratio, full_s, incremental_s, noop_s;
  for (int run = 0; run < runs; ++run) {
    auto duck = [&] {
      Engine e;
      const std::string out = (root / "baseline.parquet").string();
      auto start = Clock::now();
      Check(e.conn->Execute("COPY (SELECT * FROM read_json('" + (project_dir / "landing").string() +
                            "/*.json')) TO '" + out + "' (FORMAT parquet)"),
            "baseline");
      duck_s.push_back(Seconds(start));
      fs::remove(out);
    };
    auto ingest = [&] {
      Engine e;
      fs::remove_all(project->lake);
      carelake::ingest::IngestRequest req;
      req.source = &source;
      req.project_dir = project->dir;
      req.bronze_path = paths.at("bronze." + source.table);
      req.quarantine_path = paths.at("bronze." + source.table + "__quarantine");
      req.run_id = "bench";
      auto start = Clock::now();
      auto r = carelake::ingest::IngestFiles(req, carelake::LocalFileSystem(), *e.conn);
      Check(r.status(), "ingest");
      ingest_s.push_back(Seconds(start));
      if (r->rows_written != records) {
        std::fprintf(stderr, "ingest wrote %lld rows, expected %lld\n",
                     static_cast<long long>(r->rows_written), static_cast<long long>(records));
        std::exit(1);
      }
    };
    if (run % 2 == 0) {
      duck();
      ingest();
    } else {
      ingest();
      duck();
    }
    ratio.push_back(duck_s.back() / ingest_s.back());
    std::printf("  run %d: read_json->parquet %.2f s, bronze ingest %.2f s (ratio %.2f)\n", run + 1,
                duck_s.back(), ingest_s.back(), ratio.back());
  }
  // The full pipeline, then 1% more data, then nothing new.
  for (int run = 0; run < runs; ++run) {
    Engine e;
    fs::remove_all(project->lake);
    fs::remove_all(project_dir / "landing" / "more");
    auto start = Clock::now();
    auto r = carelake::pipeline::RunProject(*project, {}, carelake::LocalFileSystem(), *e.conn);
    Check(r.status(), "run");
    if (!r->succeeded) {
      std::fprintf(stderr, "run failed: %s\n", r->error.c_str());
      return 1;
    }
    full_s.push_back(Seconds(start));
    carelake::generate::LumiaOptions more = gen;
    more.records = records / 100;
    more.files = 1;
    more.seed = 1000 + static_cast<uint64_t>(run);
    more.first_id = records + 1;
    auto m = carelake::generate::GenerateLumia(more);
    Check(m.status(), "generate more");
    start = Clock::now();
    r = carelake::pipeline::RunProject(*project, {}, carelake::LocalFileSystem(), *e.conn);
    Check(r.status(), "incremental run");
    incremental_s.push_back(Seconds(start));
    start = Clock::now();
    r = carelake::pipeline::RunProject(*project, {}, carelake::LocalFileSystem(), *e.conn);
    Check(r.status(), "no-op run");
    noop_s.push_back(Seconds(start));
    for (const std::string& f : m->files) fs::remove(f);
    std::printf("  run %d: full pipeline %.2f s, +1%% incremental %.2f s, nothing new %.2f s\n",
                run + 1, full_s.back(), incremental_s.back(), noop_s.back());
  }
  const double n = static_cast<double>(records);
  std::printf(
      "bronze ingest: %.0f rows/s (median %.2f s); DuckDB read_json -> Parquet: %.0f rows/s "
      "(median %.2f s); ratio %.2f (median of per-run ratios %.2f; goal >= 0.7)\n",
      n / Median(ingest_s), Median(ingest_s), n / Median(duck_s), Median(duck_s),
      Median(duck_s) / Median(ingest_s), Median(ratio));
  std::printf(
      "full pipeline (ingest + silver + %zu gold models): median %.2f s (%.0f rows/s); "
      "incremental run with 1%% new records: median %.2f s (%.1f%% of the full run); "
      "run with nothing new: median %.2f s\n",
      project->models.size(), Median(full_s), n / Median(full_s), Median(incremental_s),
      100.0 * Median(incremental_s) / Median(full_s), Median(noop_s));
  std::printf("peak RSS of this process: %.0f MiB\n", PeakRssMiB());
  fs::remove_all(root);
  return 0;
}
