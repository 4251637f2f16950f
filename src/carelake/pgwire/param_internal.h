// Shared by the parameter decoder's files (param_decode.cc: binary and the
// entry point; param_text.cc; param_array.cc): PostgreSQL's error wording and
// small parsing helpers. Not for use outside pgwire/param_*.cc.
#ifndef CARELAKE_PGWIRE_PARAM_INTERNAL_H_
#define CARELAKE_PGWIRE_PARAM_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "carelake/base/result.h"
#include "carelake/base/status.h"
#include "carelake/engine/value.h"
#include "carelake/pgwire/pg_types.h"
#include "carelake/pgwire/value_codec.h"

namespace carelake::pgwire::param {

// pg_type's name ("int4"), or "type N" for an OID not in BuiltinTypes.
std::string TypeName(uint32_t type_oid);
// The name PostgreSQL's input errors use ("integer", "double precision").
std::string SqlTypeName(uint32_t type_oid);
// `invalid input syntax for type T: "text"`.
Status BadSyntax(uint32_t type_oid, std::string_view text);
// `value "text" is out of range for type T`.
Status OutOfRange(uint32_t type_oid, std::string_view text);

std::string_view Trim(std::string_view s);
// Case-insensitive equality with a lowercase `b`.
bool IEquals(std::string_view a, std::string_view b);
// A non-empty prefix of `word` (case-insensitive), at least `min` long.
bool IPrefix(std::string_view s, std::string_view word, size_t min = 1);
// The big-endian unsigned integer of `n` bytes at `at`.
uint64_t Be(std::string_view b, size_t at, int n);

// A decimal string "-123.45" as DECIMAL(w,s) when it fits in 38 digits, else
// as text for DuckDB to cast.
engine::Value NumericValue(bool negative, std::string_view int_digits, std::string_view frac);

// The scalar decoders (param_text.cc, param_decode.cc) and the array ones
// (param_array.cc).
Result<engine::Value> FromText(uint32_t type_oid, std::string_view s,
                               const EncodeSettings& settings);
Result<engine::Value> FromBinary(uint32_t type_oid, std::string_view b);
// The array type `type_oid` is, or nullptr.
const PgTypeInfo* ArrayType(uint32_t type_oid);
Result<engine::Value> ArrayFromText(const PgTypeInfo& array, std::string_view s,
                                    const EncodeSettings& settings);
Result<engine::Value> ArrayFromBinary(const PgTypeInfo& array, std::string_view b,
                                      const EncodeSettings& settings);

}  // namespace carelake::pgwire::param

#endif  // CARELAKE_PGWIRE_PARAM_INTERNAL_H_
