// Measures `carelake serve` on the billing warehouse (examples/billing,
// seed 001):
//
//  1. file drop -> gold committed: a daily FactTable_YYYYMMDD.csv lands in
//     the landing folder of a running daemon (job billing_drop, on_new_files
//     with settle_seconds: 1); the latency is from the file's last write to
//     the end of the run that built gold from it, as the ledger records it
//     (_system.files.modified_at -> _system.runs.finished_at). p50/p95 over
//     DROPS drops, against the goal (p95 < 3 s) and, side by side,
//     against the run's own duration (what `carelake run` from a shell would
//     take after someone noticed the file);
//  2. the idle daemon: CPU over 10 s with nothing to do (goal: about 0), and
//     its resident memory.
//
// The daemon is the real binary (a child process); everything lives in a
// temporary folder removed at the end.
//
// Usage: serve_bench [DROPS=20]
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"
#include "carelake/generate/billing.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using carelake::bench::Median;
using carelake::bench::Percentile;
using nlohmann::json;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "serve_bench: %s\n", what.c_str());
  std::exit(1);
}

// The output of `carelake sql --project DIR --format json SQL`.
json Sql(const std::string& dir, const std::string& sql) {
  const std::string command = std::string(CARELAKE_BIN) + " sql --project " + dir +
                              " --format json \"" + sql + "\" 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) Die("popen");
  std::string out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  ::pclose(pipe);
  return json::parse(out, nullptr, false);
}

// utime + stime of `pid`, in clock ticks; and its VmRSS/VmHWM in KiB.
long CpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) {
      stime = std::stol(f);
      break;
    }
  }
  return utime + stime;
}

long StatusKiB(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

// The id of the job's last run that ended, from the scheduler's state (cheap:
// no ledger read, so polling it does not slow the daemon down).
std::string LastRun(httplib::Client& http, bool* succeeded) {
  auto r = http.Get("/api/jobs");
  if (!r || r->status != 200) return "";
  for (const json& job : json::parse(r->body)) {
    if (job["name"] != "billing_drop" || !job["last"].is_object()) continue;
    *succeeded = job["last"]["succeeded"].get<bool>();
    return job["last"]["run_id"].get<std::string>();
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  const int drops = argc > 1 ? std::atoi(argv[1]) : 20;
  const fs::path dir = fs::temp_directory_path() / ("serve_bench_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "models");
  const fs::path example = fs::path(CARELAKE_SOURCE_DIR) / "examples" / "billing";
  fs::copy_file(example / "carelake.yaml", dir / "carelake.yaml");
  fs::copy(example / "models", dir / "models", fs::copy_options::recursive);
  carelake::generate::BillingOptions options;
  options.out_dir = (dir / "landing").string();
  options.days = 30;
  if (auto first = carelake::generate::GenerateBilling(options); !first.ok()) {
    Die(first.status().message());
  }

  // The daemon.
  int out[2];
  if (::pipe(out) != 0) Die("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (dir / "serve.log").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> args = {CARELAKE_BIN, "serve",       "--project", dir.string(),
                                   "--http",     "127.0.0.1:0", "--pg",      "off"};
  std::vector<char*> c_args;
  for (std::string& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, CARELAKE_BIN, &actions, nullptr, c_args.data(), environ) != 0) {
    Die("cannot start " + std::string(CARELAKE_BIN));
  }
  ::close(out[1]);
  std::string ready;
  for (char c; ::read(out[0], &c, 1) == 1 && c != '\n';) ready += c;
  if (ready.rfind("ready http=", 0) != 0) Die("no ready line: " + ready);
  httplib::Client http("127.0.0.1", std::stoi(ready.substr(ready.rfind(':') + 1)));
  // Waits until a run other than `previous` has ended; its id.
  auto wait_for_run = [&](const std::string& previous) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (true) {
      bool succeeded = false;
      const std::string id = LastRun(http, &succeeded);
      if (!id.empty() && id != previous) {
        if (!succeeded) Die("run " + id + " failed; see " + (dir / "serve.log").string());
        return id;
      }
      if (std::chrono::steady_clock::now() > deadline) Die("the daemon did not run the drop");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  std::string last = wait_for_run("");  // the first full load
  std::printf("serve_bench: billing warehouse, first load of 30 days done; %d daily drops\n",
              drops);

  for (int i = 1; i <= drops; ++i) {
    if (auto drop = carelake::generate::GenerateBilling(options); !drop.ok()) {
      Die(drop.status().message());
    }
    last = wait_for_run(last);
  }

  // Idle: nothing to do for 10 s.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const long ticks0 = CpuTicks(pid);
  std::this_thread::sleep_for(std::chrono::seconds(10));
  const long ticks1 = CpuTicks(pid);
  const double idle_cpu = 100.0 * static_cast<double>(ticks1 - ticks0) /
                          static_cast<double>(::sysconf(_SC_CLK_TCK)) / 10.0;
  const long rss = StatusKiB(pid, "VmRSS"), hwm = StatusKiB(pid, "VmHWM");
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);

  // Latencies from the ledger: each drop's file, from its last write to the
  // end of the run that ingested it.
  const json rows =
      Sql(dir.string(),
          "SELECT f.file, epoch_ms(r.finished_at) - epoch_ms(f.modified_at) AS latency_ms, "
          "r.duration_ms FROM _system.files f JOIN _system.runs r USING (run_id) WHERE f.source = "
          "'facts' AND f.file LIKE '%FactTable\\_%' ESCAPE '\\' ORDER BY f.file");
  if (!rows.is_array() || rows.size() != static_cast<size_t>(drops)) {
    Die("expected " + std::to_string(drops) + " drops in the ledger; got " + rows.dump());
  }
  std::vector<double> latency, run;
  for (const json& r : rows) {
    latency.push_back(r["latency_ms"].get<double>() / 1000.0);
    run.push_back(r["duration_ms"].get<double>() / 1000.0);
  }
  const double p50 = Percentile(latency, 0.5), p95 = Percentile(latency, 0.95);
  std::printf("\nfile drop -> gold committed (%d drops, settle_seconds: 1):\n", drops);
  std::printf("  latency  p50 %.2f s  p95 %.2f s  max %.2f s   goal p95 < 3 s: %.2fx the goal\n",
              p50, p95, Percentile(latency, 1.0), p95 / 3.0);
  std::printf(
      "  the run alone (baseline: `carelake run` once the file is noticed)  p50 %.2f s  "
      "p95 %.2f s\n",
      Median(run), Percentile(run, 0.95));
  std::printf("  daemon overhead (settle + detection), p50: %.2f s; latency / run: %.2fx\n",
              p50 - Median(run), p50 / Median(run));
  std::printf(
      "\nidle daemon (10 s, nothing to do): CPU %.2f%% of one core, RSS %.1f MiB "
      "(peak %.1f MiB)\n",
      idle_cpu, static_cast<double>(rss) / 1024.0, static_cast<double>(hwm) / 1024.0);
  fs::remove_all(dir);
  return 0;
}
