// TRANSITIONAL (replaced by the pgtypes work before this lands): values as
// DuckDB renders them, text format only.
#ifndef CARELAKE_PGWIRE_VALUE_CODEC_H_
#define CARELAKE_PGWIRE_VALUE_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "carelake/base/result.h"
#include "carelake/engine/query_result.h"
#include "carelake/engine/value.h"
#include "carelake/pgwire/wire.h"

namespace carelake::pgwire {

enum class Format : int16_t { kText = 0, kBinary = 1 };
struct EncodeSettings {
  int extra_float_digits = 1;
  std::string time_zone = "UTC";
};

class FieldEncoder {
 public:
  static FieldEncoder For(const engine::LogicalType&, Format, const EncodeSettings&) {
    return FieldEncoder();
  }
  void Append(const engine::ColumnView& column, size_t row, std::string& out) const {
    if (column.IsNull(row)) {
      AppendInt32(out, -1);
      return;
    }
    const std::string text = column.ToString(row);
    AppendInt32(out, static_cast<int32_t>(text.size()));
    out += text;
  }
};

inline Result<engine::Value> DecodeParameter(uint32_t, int16_t format,
                                             const std::optional<std::string>& bytes) {
  if (!bytes) return engine::Value();
  if (format != 0) return NotSupported("binary parameters are not supported yet");
  return engine::Value::Varchar(*bytes);
}

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_VALUE_CODEC_H_
