// Appends N rows shaped like a hospital admission event through carelake's
// engine::Appender and through DuckDB's raw C API appender, alternating runs
// in one process, and prints the median rows/s of each and their ratio.
//
// This file includes duckdb.h on purpose: the raw C API is the baseline the
// wrapper is measured against. No carelake code outside engine/ does.
//
// Usage: appender_bench [ROWS=10000000] [RUNS=3]
#include <duckdb.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "carelake/engine/appender.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace {

using carelake::bench::Median;
using carelake::bench::Seconds;

using carelake::engine::Appender;
using carelake::engine::Connection;
using carelake::engine::Database;
using carelake::engine::Decimal;
using carelake::engine::Int128;
using carelake::engine::Timestamp;

constexpr const char* kCreate =
    "CREATE OR REPLACE TABLE admissions(admission_id BIGINT, patient_id BIGINT, "
    "admitted_at TIMESTAMP, discharged_at TIMESTAMP, department VARCHAR, age INTEGER, "
    "charge DECIMAL(12,2))";

constexpr const char* kDepartments[] = {"Cardiology",  "Oncology",  "Pediatrics", "Emergency",
                                        "Orthopedics", "Neurology", "Maternity"};
constexpr int64_t kBaseMicros = 1'767'225'600'000'000;  // 2026-01-01

// The event for row i; both appenders append exactly these values.
struct Event {
  int64_t id, patient, admitted, discharged;
  const char* department;
  int32_t age;
  int64_t cents;
};

inline Event MakeEvent(int64_t i) {
  const uint64_t h = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL;
  const int64_t admitted = kBaseMicros + static_cast<int64_t>(h % 25'920'000) * 1'000'000;
  return Event{i,
               static_cast<int64_t>(h % 500'000),
               admitted,
               admitted + static_cast<int64_t>((h >> 20) % 864'000) * 1'000'000,
               kDepartments[(h >> 8) % 7],
               static_cast<int32_t>((h >> 16) % 100),
               static_cast<int64_t>((h >> 24) % 1'000'000)};
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "appender_bench: %s failed\n", what);
    std::exit(1);
  }
}

double RunWrapper(Connection& conn, int64_t rows) {
  Check(conn.Execute(kCreate).ok(), "create");
  const auto start = std::chrono::steady_clock::now();
  auto app = Appender::Create(conn, "admissions");
  Check(app.ok(), "Appender::Create");
  for (int64_t i = 0; i < rows; ++i) {
    const Event e = MakeEvent(i);
    app->Append(e.id).ok();
    app->Append(e.patient).ok();
    app->Append(Timestamp{e.admitted}).ok();
    app->Append(Timestamp{e.discharged}).ok();
    app->Append(e.department).ok();
    app->Append(e.age).ok();
    app->Append(Decimal{static_cast<Int128>(e.cents), 12, 2}).ok();
    Check(app->EndRow().ok(), "EndRow");
  }
  Check(app->Close().ok(), "Close");
  return Seconds(start);
}

double RunRaw(duckdb_connection conn, int64_t rows) {
  duckdb_result r;
  Check(duckdb_query(conn, kCreate, &r) == DuckDBSuccess, "create");
  duckdb_destroy_result(&r);
  const auto start = std::chrono::steady_clock::now();
  duckdb_appender app;
  Check(duckdb_appender_create(conn, nullptr, "admissions", &app) == DuckDBSuccess, "create");
  for (int64_t i = 0; i < rows; ++i) {
    const Event e = MakeEvent(i);
    duckdb_append_int64(app, e.id);
    duckdb_append_int64(app, e.patient);
    duckdb_append_timestamp(app, duckdb_timestamp{e.admitted});
    duckdb_append_timestamp(app, duckdb_timestamp{e.discharged});
    duckdb_append_varchar(app, e.department);
    duckdb_append_int32(app, e.age);
    duckdb_decimal d;
    d.width = 12;
    d.scale = 2;
    d.value.lower = static_cast<uint64_t>(e.cents);
    d.value.upper = 0;
    duckdb_value v = duckdb_create_decimal(d);
    duckdb_append_value(app, v);
    duckdb_destroy_value(&v);
    Check(duckdb_appender_end_row(app) == DuckDBSuccess, "end_row");
  }
  Check(duckdb_appender_close(app) == DuckDBSuccess, "close");
  duckdb_appender_destroy(&app);
  return Seconds(start);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  auto db = Database::OpenInMemory();
  Check(db.ok(), "open");
  auto conn = Connection::Open(**db);
  Check(conn.ok(), "connect");
  duckdb_connection raw = static_cast<duckdb_connection>(conn->handle());

  std::vector<double> wrapper, baseline;
  for (int run = 0; run < runs; ++run) {
    // Alternate the order so drift on a noisy machine hits both alike.
    if (run % 2 == 0) {
      baseline.push_back(RunRaw(raw, rows));
      wrapper.push_back(RunWrapper(*conn, rows));
    } else {
      wrapper.push_back(RunWrapper(*conn, rows));
      baseline.push_back(RunRaw(raw, rows));
    }
    std::printf("run %d: raw C API %.2fs, engine::Appender %.2fs\n", run + 1, baseline.back(),
                wrapper.back());
  }
  const double raw_rate = rows / Median(baseline);
  const double wrap_rate = rows / Median(wrapper);
  std::printf("appender, %lld admission rows x %d runs (median):\n", static_cast<long long>(rows),
              runs);
  std::printf("  raw C API appender : %12.0f rows/s\n", raw_rate);
  std::printf("  engine::Appender   : %12.0f rows/s\n", wrap_rate);
  std::printf("  ratio (wrapper/raw): %.3f (goal >= 0.9)\n", wrap_rate / raw_rate);
  return 0;
}
