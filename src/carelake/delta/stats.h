// Per-file statistics (PROTOCOL.md "Per-file Statistics"): numRecords,
// minValues, maxValues, nullCount, built from the statistics DuckDB returns
// when it writes a Parquet file (COPY ... RETURN_STATS).
#ifndef CARELAKE_DELTA_STATS_H_
#define CARELAKE_DELTA_STATS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "carelake/base/result.h"
#include "carelake/delta/schema.h"
#include "carelake/engine/value.h"

namespace carelake::delta {

// Strings longer than this keep a prefix as their minimum and no maximum.
inline constexpr size_t kStatsStringPrefixLength = 32;

// The `stats` JSON of a data file holding `num_records` rows of the
// non-partition columns in `schema`. `column_statistics` is DuckDB's
// MAP(VARCHAR, MAP(VARCHAR, VARCHAR)) keyed by quoted column path
// ("st"."a"). Bounds are exact or wider, never narrower: timestamps are
// truncated to milliseconds for minimums and rounded up for maximums;
// floating point columns holding NaN, decimals wider than 15 digits,
// booleans, binary, arrays and maps get a null count only.
Result<std::string> BuildStats(const engine::Value& column_statistics, int64_t num_records,
                               const Schema& schema);

// The value of a stats bound as a DuckDB SQL literal of the column's type,
// e.g. TIMESTAMPTZ '2024-01-01 10:00:00.123+00'. Empty if not comparable.
std::string StatsBoundSql(const nlohmann::json& bound, const nlohmann::json& delta_type);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_STATS_H_
