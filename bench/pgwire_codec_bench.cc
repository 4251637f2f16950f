// The pgwire value encoder on a large result: 1M rows of (int8,
// numeric(12,2), text, timestamp, date), materialized once by DuckDB, then
// encoded column by column and as whole DataRows, in text and binary format.
// Prints ns per field per column and the encoding time of a full DataRow pass
// against the time DuckDB takes to produce the rows in-process (the pgwire
// goal is ≤ 1.3× in-process for large results, socket included).
//
// Usage: pgwire_codec_bench [ROWS=1000000] [RUNS=5]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"
#include "carelake/pgwire/value_codec.h"

namespace {

using carelake::bench::Median;
using carelake::bench::Seconds;
using carelake::engine::Connection;
using carelake::engine::Database;
using carelake::engine::DataChunk;
using carelake::pgwire::FieldEncoder;
using carelake::pgwire::Format;

constexpr const char* kQuery =
    "SELECT i::BIGINT AS id, ((i % 100000) / 100.0)::DECIMAL(12,2) AS amount, "
    "'patient-' || (i % 5000) AS name, TIMESTAMP '2020-01-01' + to_microseconds(i * 1234567) "
    "AS at, DATE '2000-01-01' + (i % 20000)::INTEGER AS day FROM range(?) t(i)";

int Fail(const carelake::Status& s) {
  std::fprintf(stderr, "pgwire_codec_bench: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  auto db = Database::OpenInMemory();
  if (!db.ok()) return Fail(db.status());
  auto conn = Connection::Open(**db);
  if (!conn.ok()) return Fail(conn.status());

  // In-process: DuckDB produces every chunk.
  std::vector<double> produce;
  std::vector<DataChunk> chunks;
  std::vector<carelake::engine::LogicalType> types;
  for (int run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    auto result = conn->Query(kQuery, rows);
    if (!result.ok()) return Fail(result.status());
    std::vector<DataChunk> got;
    while (true) {
      auto chunk = result->Fetch();
      if (!chunk.ok()) return Fail(chunk.status());
      if (!chunk->has_value()) break;
      got.push_back(std::move(**chunk));
    }
    produce.push_back(Seconds(start));
    if (run + 1 == runs) {
      types = result->column_types();
      // Keep the last run's chunks (and their result) alive for encoding.
      static std::optional<carelake::engine::QueryResult> keep;
      keep.emplace(std::move(*result));
      chunks = std::move(got);
    }
  }
  const double in_process = Median(produce);
  std::printf("rows %lld, in-process query+fetch %.1f ms (%.1f ns/field)\n",
              static_cast<long long>(rows), in_process * 1e3, in_process * 1e9 / rows / 5);

  const char* names[] = {"int8", "numeric(12,2)", "text", "timestamp", "date"};
  std::string out;
  out.reserve(64 << 20);
  for (Format format : {Format::kText, Format::kBinary}) {
    const char* fname = format == Format::kText ? "text" : "binary";
    for (size_t c = 0; c < types.size(); ++c) {
      const FieldEncoder enc = FieldEncoder::For(types[c], format, {});
      std::vector<double> t;
      for (int run = 0; run < runs; ++run) {
        const auto start = std::chrono::steady_clock::now();
        for (const DataChunk& chunk : chunks) {
          out.clear();
          const auto col = chunk.column(c);
          for (size_t r = 0; r < chunk.size(); ++r) enc.Append(col, r, out);
        }
        t.push_back(Seconds(start));
      }
      std::printf("%-7s %-14s %6.1f ns/field\n", fname, names[c], Median(t) * 1e9 / rows);
    }
    // Whole DataRows: 'D', Int32 length, Int16 count, the fields.
    std::vector<FieldEncoder> encs;
    for (const auto& type : types) encs.push_back(FieldEncoder::For(type, format, {}));
    std::vector<double> t;
    for (int run = 0; run < runs; ++run) {
      const auto start = std::chrono::steady_clock::now();
      for (const DataChunk& chunk : chunks) {
        out.clear();
        std::vector<carelake::engine::ColumnView> cols;
        for (size_t c = 0; c < types.size(); ++c) cols.push_back(chunk.column(c));
        for (size_t r = 0; r < chunk.size(); ++r) {
          const size_t at = out.size();
          out.append("D\0\0\0\0\0\5", 7);
          for (size_t c = 0; c < cols.size(); ++c) encs[c].Append(cols[c], r, out);
          const auto len = static_cast<uint32_t>(out.size() - at - 1);
          out[at + 1] = static_cast<char>(len >> 24);
          out[at + 2] = static_cast<char>(len >> 16);
          out[at + 3] = static_cast<char>(len >> 8);
          out[at + 4] = static_cast<char>(len);
        }
      }
      t.push_back(Seconds(start));
    }
    std::printf("%-7s DataRows: %.1f ms (%.1f ns/field), %.2fx the in-process time on top\n", fname,
                Median(t) * 1e3, Median(t) * 1e9 / rows / 5, Median(t) / in_process);
  }
  return 0;
}
