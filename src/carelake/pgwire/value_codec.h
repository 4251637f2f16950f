// Values on the wire exactly as PostgreSQL 15 sends and receives them: the
// DataRow field encoders (text and binary format, per column) and the Bind
// parameter decoder.
//
// A FieldEncoder is chosen once per result column (FieldEncoder::For) and
// then appends one DataRow field per row: Int32 length and bytes, or -1 for
// NULL. It appends to the caller's buffer and allocates nothing per value for
// scalar types (ENUM, BIGNUM, arrays and STRUCT/MAP/UNION may). The type each column is
// announced as in RowDescription is PgTypeFor (pg_types.h); the encoder
// writes that type's format.
//
// Threads: an encoder may be used by one thread at a time (it caches the
// last time-zone period it looked up).
#ifndef CARELAKE_PGWIRE_VALUE_CODEC_H_
#define CARELAKE_PGWIRE_VALUE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "carelake/base/result.h"
#include "carelake/base/status.h"
#include "carelake/engine/query_result.h"
#include "carelake/engine/types.h"
#include "carelake/engine/value.h"

namespace carelake::pgwire {

namespace text {
class FieldBuffer;
}

// A format code of the protocol (Bind's parameter and result formats).
enum class Format : int16_t { kText = 0, kBinary = 1 };

// The session settings that change how values are written. DateStyle is
// always ISO, MDY and IntervalStyle postgres (what the server reports).
struct EncodeSettings {
  int extra_float_digits = 1;  // PostgreSQL 12+'s default; clients set 3
  // TimeZone: "UTC", an IANA name ("Europe/Lisbon", from tzdata), or a POSIX
  // offset as PostgreSQL reads it ("+05:30" is 5:30 *west* of Greenwich,
  // i.e. shown as -05:30; "UTC-3" is 3 hours east). A name that is none of
  // these is read as UTC: check SET TimeZone with ValidateTimeZone.
  std::string time_zone = "UTC";
};

// InvalidArgument naming `name` unless it is a time zone EncodeSettings
// understands (for SET TimeZone: PostgreSQL answers 22023 `invalid value for
// parameter "TimeZone": "X"`).
Status ValidateTimeZone(std::string_view name);

class FieldEncoder {
 public:
  // The encoder for a column of `type`, sent in `format`, with `settings`
  // (copied; later changes do not affect the encoder).
  static FieldEncoder For(const engine::LogicalType& type, Format format,
                          const EncodeSettings& settings);

  // Appends row `row` of `column` (of the type For was given) as one DataRow
  // field: Int32 length (big-endian) and the bytes, or -1 for NULL.
  void Append(const engine::ColumnView& column, size_t row, std::string& out) const;
  // Appends just the bytes of a non-NULL value (no length).
  void AppendValue(const engine::ColumnView& column, size_t row, std::string& out) const;

  struct State;
  // Formatters: scalars into a stack buffer, others (strings, arrays) into
  // the message buffer directly.
  using ScalarFn = void (*)(const State&, const engine::ColumnView&, size_t, text::FieldBuffer&);
  using Fn = void (*)(const State&, const engine::ColumnView&, size_t, std::string&);

 private:
  FieldEncoder(ScalarFn scalar_fn, Fn fn, std::shared_ptr<const State> state)
      : scalar_fn_(scalar_fn), fn_(fn), state_(std::move(state)) {}
  ScalarFn scalar_fn_;
  Fn fn_;
  std::shared_ptr<const State> state_;
};

// Whether values of `type_oid` can be sent and received in binary format:
// every type PgTypeFor serves (bool, int2/4/8, float4/8, numeric, text,
// varchar, bpchar, name, bytea, date, time, timetz, timestamp, timestamptz,
// interval, uuid, json, jsonb, varbit, oid) and arrays of those.
bool HasBinaryFormat(uint32_t type_oid);

// A Bind parameter of `type_oid` (0: unspecified, read as text) in `format`,
// as a Value to bind. Binary input is decoded exactly; text input is parsed
// for bool, integers, floats, numeric, bytea, date, time, timestamp and
// timestamptz (ISO forms; timestamptz without an offset is read in
// `settings.time_zone`) and otherwise passed as VARCHAR for DuckDB to cast
// to the parameter's type. InvalidArgument with PostgreSQL's wording on
// malformed input ("invalid input syntax for type integer: \"x\"", "binary
// int4 parameter must be 4 bytes, got 3").
Result<engine::Value> DecodeParameter(uint32_t type_oid, Format format, std::string_view bytes,
                                      const EncodeSettings& settings = {});
// The same for a parameter as Bind carries it: nullopt is NULL (Value()),
// `format` the protocol's format code (0 or 1; else InvalidArgument
// "unsupported format code: N", as PostgreSQL says).
Result<engine::Value> DecodeParameter(uint32_t type_oid, int16_t format,
                                      const std::optional<std::string>& bytes,
                                      const EncodeSettings& settings = {});

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_VALUE_CODEC_H_
