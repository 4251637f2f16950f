// A writer process for the concurrency and crash tests.
//
//   delta_worker append TABLE APP FIRST_ID STEPS ROWS
//       STEPS blind appends of ROWS rows each (ids FIRST_ID + step * ROWS ...),
//       each committed with txn (APP, step + 1).
//   delta_worker merge TABLE WORKER STEPS MODULUS
//       STEPS merges; step s sets val = WORKER * 1000 + s for the ids of the
//       base rows with id % MODULUS == WORKER. A merge that loses to a
//       conflicting commit is run again (up to 100 times).
//   delta_worker crash TABLE
//       Runs forever: step k (k = 1, 2, ...) appends ids [k*100, k*100+100)
//       when k % 3 != 0 and otherwise merges val = k into ids [100, 200);
//       every step commits txn ("crash", k). After a restart it resumes at
//       the step after the table's txn version. Meant to be SIGKILLed.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "carelake/delta/table.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace {

using carelake::LocalFileSystem;
using carelake::Status;
using carelake::StatusCode;
namespace delta = carelake::delta;
namespace engine = carelake::engine;

int Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "delta_worker %d: %s: %s\n", ::getpid(), what.c_str(), s.ToString().c_str());
  return 1;
}

std::string Rows(int64_t first, int64_t count, const std::string& val) {
  return "SELECT i AS id, " + val + " AS val FROM range(" + std::to_string(first) + ", " +
         std::to_string(first + count) + ") t(i)";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: delta_worker append|merge|crash TABLE ...\n");
    return 2;
  }
  const std::string mode = argv[1], path = argv[2];
  auto db = engine::Database::OpenInMemory();
  if (!db.ok()) return Die("open", db.status());
  auto conn = engine::Connection::Open(**db);
  if (!conn.ok()) return Die("connect", conn.status());
  if (Status s = conn->Execute("SET TimeZone = 'UTC'"); !s.ok()) return Die("set", s);
  delta::DeltaTable table(LocalFileSystem(), path, *conn);

  if (mode == "append" && argc == 7) {
    const std::string app = argv[3];
    const int64_t first = std::atoll(argv[4]), steps = std::atoll(argv[5]),
                  rows = std::atoll(argv[6]);
    for (int64_t s = 0; s < steps; ++s) {
      delta::WriteOptions options;
      options.txns = {delta::Txn{app, s + 1, std::nullopt}};
      auto r = table.Write(Rows(first + s * rows, rows, "-1"), options);
      if (!r.ok()) return Die("append", r.status());
    }
    return 0;
  }
  if (mode == "merge" && argc == 6) {
    const int64_t worker = std::atoll(argv[3]), steps = std::atoll(argv[4]),
                  modulus = std::atoll(argv[5]);
    for (int64_t s = 0; s < steps; ++s) {
      delta::MergeOptions options;
      options.keys = {"id"};
      const std::string source = "SELECT i AS id, " + std::to_string(worker * 1000 + s) +
                                 " AS val FROM range(0, 1000) t(i) WHERE i % " +
                                 std::to_string(modulus) + " = " + std::to_string(worker);
      for (int attempt = 1;; ++attempt) {
        auto r = table.Merge(source, options);
        if (r.ok()) break;
        if (r.status().code() != StatusCode::kAborted || attempt >= 100) {
          return Die("merge", r.status());
        }
      }
    }
    return 0;
  }
  if (mode == "crash" && argc == 3) {
    while (true) {
      int64_t done = 0;
      if (table.Exists()) {
        auto snap = table.Load();
        if (!snap.ok()) return Die("load", snap.status());
        auto it = (*snap)->app_versions().find("crash");
        if (it != (*snap)->app_versions().end()) done = it->second;
      }
      const int64_t k = done + 1;
      Status s;
      if (k % 3 != 0) {
        delta::WriteOptions options;
        options.txns = {delta::Txn{"crash", k, std::nullopt}};
        auto r = table.Write(Rows(k * 100, 100, "0"), options);
        s = r.status();
      } else {
        delta::MergeOptions options;
        options.keys = {"id"};
        options.txns = {delta::Txn{"crash", k, std::nullopt}};
        auto r = table.Merge(Rows(100, 100, std::to_string(k)), options);
        s = r.status();
      }
      if (!s.ok()) return Die("step " + std::to_string(k), s);
    }
  }
  std::fprintf(stderr, "delta_worker: bad arguments\n");
  return 2;
}
