// Measures star schemas with history (examples/mha, seed 004):
//
//  1. SCD2: a type 2 dimension of DIM_ROWS keys built from change rows, then
//     1% of its keys changed (scattered over the whole key range) and merged
//     incrementally — side by side with rebuilding the dimension from all its
//     change rows (--full-refresh), the baseline;
//  2. the MHA pipeline (examples/mha: three sources, three silver tables,
//     two SCD2 dimensions, date/time dimensions, the fact with as-of
//     lookups, five marts) on EVENTS generated events from an empty lake;
//  3. an incremental run after 1% more events arrive — side by side with a
//     full refresh of the same lake (silver and gold rebuilt from bronze).
//
// Each measured job runs in its own child process, so each peak RSS is the
// job's own; figures are medians over RUNS runs. Everything lives in a
// temporary folder removed at the end.
//
// Usage: mha_bench [EVENTS=1000000] [RUNS=3] [DIM_ROWS=1000000]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "carelake/base/file_system.h"
#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/engine/lake_connection.h"
#include "carelake/generate/mha.h"
#include "carelake/model/dimension.h"
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

struct Measured {
  double seconds = 0;
  double peak_mib = 0;  // the child's peak RSS
};

// Runs `job` (which returns the seconds it measured) in a child process.
Measured InChild(const std::function<double()>& job) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(1);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const double s = job();
    if (write(fds[1], &s, sizeof s) != sizeof s) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  Measured m;
  if (read(fds[0], &m.seconds, sizeof m.seconds) != sizeof m.seconds) {
    std::fprintf(stderr, "a measured job failed\n");
    std::exit(1);
  }
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::exit(1);
  m.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return m;
}

std::string Path(const fs::path& p) { return p.string(); }

// --- 1. SCD2 merge ---------------------------------------------------------

carelake::project::Model DimensionModel() {
  carelake::project::Model m;
  m.name = "dim_customer";
  m.materialized = carelake::project::Materialization::kScd2;
  m.key = {"customer_id"};
  m.scd.from = "silver.customer_changes";
  m.scd.sequence_by = "changed_at";
  m.scd.except = {"changed_at"};
  m.scd.track = {"city", "segment"};
  m.scd.surrogate_key = "customer_sk";
  m.sql = "SELECT * FROM new_rows(silver.customer_changes)";
  return m;
}

// Appends change rows for `keys` keys (every `stride`-th key) at sequence `seq`.
void AppendChanges(Engine& e, const fs::path& changes, int64_t keys, int64_t stride, int seq) {
  carelake::delta::DeltaTable t(carelake::LocalFileSystem(), Path(changes), *e.conn);
  carelake::delta::WriteOptions w;
  const std::string sql =
      "SELECT range * " + std::to_string(stride) + " AS customer_id, " + std::to_string(seq) +
      " AS changed_at, 'city-" + std::to_string(seq) +
      "-' || (range % 500) AS city, "
      "['a', 'b', 'c'][1 + range % 3] AS segment, 'Customer ' || range AS name FROM range(" +
      std::to_string(keys) + ")";
  Check(t.Write(sql, w).status(), "change rows");
}

double RunDimension(Engine& e, const carelake::project::Model& m, const fs::path& changes,
                    const fs::path& dim, bool full_refresh, int64_t* rows_written) {
  carelake::model::ModelRequest req;
  req.model = &m;
  req.target_path = Path(dim);
  req.upstream_paths = {{"silver.customer_changes", Path(changes)}};
  req.run_id = "bench";
  req.full_refresh = full_refresh;
  auto start = Clock::now();
  auto r = carelake::model::RunDimension(req, carelake::LocalFileSystem(), *e.conn);
  Check(r.status(), "dimension");
  if (rows_written != nullptr) *rows_written = r->rows_written;
  return Seconds(start);
}

// --- 2./3. the MHA pipeline --------------------------------------------------

void CopyProject(const fs::path& to) {
  const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "mha";
  fs::create_directories(to / "models");
  fs::copy_file(example / "carelake.yaml", to / "carelake.yaml");
  for (const auto& e : fs::directory_iterator(example / "models")) {
    fs::copy_file(e.path(), to / "models" / e.path().filename());
  }
}

double RunPipeline(const fs::path& project_dir, const fs::path& lake, bool full_refresh) {
  Engine e;
  auto project = carelake::project::LoadProject(Path(project_dir), Path(lake));
  Check(project.status(), "project");
  carelake::pipeline::RunOptions options;
  options.full_refresh = full_refresh;
  auto start = Clock::now();
  auto r = carelake::pipeline::RunProject(*project, options, carelake::LocalFileSystem(), *e.conn);
  Check(r.status(), "run");
  if (!r->succeeded) {
    std::fprintf(stderr, "run failed at %s: %s\n", r->failed_step.c_str(), r->error.c_str());
    std::exit(1);
  }
  return Seconds(start);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines as they come
  const int64_t events = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const int64_t dim_rows = argc > 3 ? std::atoll(argv[3]) : 1'000'000;
  const fs::path root =
      fs::temp_directory_path() / ("carelake_mha_bench_" + std::to_string(getpid()));
  fs::create_directories(root);

  // 1. SCD2 merge of 1% changed keys into a DIM_ROWS dimension.
  std::printf("mha_bench: SCD2 dimension of %lld keys, 1%% of them changed per merge; %d runs\n",
              static_cast<long long>(dim_rows), runs);
  const int64_t changed = std::max<int64_t>(1, dim_rows / 100);
  std::vector<double> build_s, merge_s, rebuild_s, ratio, scd_peak;
  int64_t merge_rows = 0;
  for (int run = 0; run < runs; ++run) {
    const fs::path dir = root / ("scd" + std::to_string(run));
    const fs::path changes = dir / "changes", dim = dir / "dim";
    // Build the dimension (in a child too: the parent never opens DuckDB).
    Measured build = InChild([&] {
      Engine e;
      AppendChanges(e, changes, dim_rows, 1, 1);
      const auto m = DimensionModel();
      return RunDimension(e, m, changes, dim, false, nullptr);
    });
    build_s.push_back(build.seconds);
    Measured merge = InChild([&] {
      Engine e;
      AppendChanges(e, changes, changed, 100, 2 + run);
      const auto m = DimensionModel();
      int64_t rows = 0;
      const double s = RunDimension(e, m, changes, dim, false, &rows);
      if (rows != 2 * changed) {
        std::fprintf(stderr, "merge wrote %lld versions, expected %lld\n",
                     static_cast<long long>(rows), static_cast<long long>(2 * changed));
        std::exit(1);
      }
      return s;
    });
    Measured rebuild = InChild([&] {
      Engine e;
      const auto m = DimensionModel();
      return RunDimension(e, m, changes, dim, true, nullptr);
    });
    merge_s.push_back(merge.seconds);
    rebuild_s.push_back(rebuild.seconds);
    ratio.push_back(merge.seconds / rebuild.seconds);
    scd_peak.push_back(merge.peak_mib);
    merge_rows = 2 * changed;
    std::printf(
        "  run %d: build %.2f s, 1%% merge %.2f s (peak %.0f MiB), full rebuild %.2f s "
        "(peak %.0f MiB)\n",
        run + 1, build.seconds, merge.seconds, merge.peak_mib, rebuild.seconds, rebuild.peak_mib);
    fs::remove_all(dir);
  }
  std::printf(
      "SCD2 build of %lld keys: %.2f s; merge of %lld changed keys (%lld versions "
      "written): %.2f s, peak RSS %.0f MiB; full rebuild %.2f s; merge/rebuild %.3f "
      "(medians)\n\n",
      static_cast<long long>(dim_rows), Median(build_s), static_cast<long long>(changed),
      static_cast<long long>(merge_rows), Median(merge_s), Median(scd_peak), Median(rebuild_s),
      Median(ratio));

  // 2. The MHA pipeline on EVENTS events, and 3. 1% more, incrementally vs a
  // full refresh. The base project and the one with 1% more have the same
  // relative file paths, so a lake of the first is a lake of the second.
  const fs::path base = root / "base", more = root / "more";
  CopyProject(base);
  CopyProject(more);
  carelake::generate::MhaOptions gen;
  gen.out_dir = Path(base / "landing");
  gen.events = events;
  gen.batches = 20;
  auto t0 = Clock::now();
  auto summary = carelake::generate::GenerateMha(gen);
  Check(summary.status(), "generate");
  fs::copy(base / "landing", more / "landing", fs::copy_options::recursive);
  gen.out_dir = Path(more / "landing");
  gen.events = std::max<int64_t>(1, events / 100);
  gen.batches = 1;
  auto extra = carelake::generate::GenerateMha(gen);
  Check(extra.status(), "generate more");
  std::printf(
      "mha_bench: MHA pipeline on %lld events (%zu files, %.0f MiB; +%lld events in %zu "
      "files for the incremental run), generated in %.1f s; %d runs\n",
      static_cast<long long>(events), summary->files.size(),
      static_cast<double>(summary->bytes) / (1 << 20), static_cast<long long>(gen.events),
      extra->files.size(), Seconds(t0), runs);
  std::vector<double> full_s, full_peak, inc_s, inc_peak, refresh_s, refresh_peak, inc_ratio;
  for (int run = 0; run < runs; ++run) {
    const fs::path lake = root / ("lake" + std::to_string(run));
    Measured full = InChild([&] { return RunPipeline(base, lake, false); });
    Measured inc = InChild([&] { return RunPipeline(more, lake, false); });
    Measured refresh = InChild([&] { return RunPipeline(more, lake, true); });
    full_s.push_back(full.seconds);
    full_peak.push_back(full.peak_mib);
    inc_s.push_back(inc.seconds);
    inc_peak.push_back(inc.peak_mib);
    refresh_s.push_back(refresh.seconds);
    refresh_peak.push_back(refresh.peak_mib);
    inc_ratio.push_back(inc.seconds / refresh.seconds);
    std::printf(
        "  run %d: full pipeline %.1f s (peak %.0f MiB); +1%% incremental %.1f s (peak "
        "%.0f MiB); full refresh %.1f s (peak %.0f MiB)\n",
        run + 1, full.seconds, full.peak_mib, inc.seconds, inc.peak_mib, refresh.seconds,
        refresh.peak_mib);
    fs::remove_all(lake);
  }
  std::printf("MHA full pipeline from an empty lake: %.1f s (%.0f events/s), peak RSS %.0f MiB\n",
              Median(full_s), static_cast<double>(events) / Median(full_s), Median(full_peak));
  std::printf(
      "incremental run with 1%% new events: %.1f s (peak %.0f MiB); full refresh: %.1f s "
      "(peak %.0f MiB); incremental/full refresh %.3f (medians)\n",
      Median(inc_s), Median(inc_peak), Median(refresh_s), Median(refresh_peak), Median(inc_ratio));
  fs::remove_all(root);
  return 0;
}
