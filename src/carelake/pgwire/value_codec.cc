#include "carelake/pgwire/value_codec.h"

#include <bit>
#include <climits>
#include <cstdio>
#include <cstring>
#include <vector>

#include "carelake/pgwire/pg_types.h"
#include "carelake/pgwire/session_time_zone.h"
#include "carelake/pgwire/value_text.h"

namespace carelake::pgwire {

using engine::ColumnView;
using engine::Int128;
using engine::TypeId;
using engine::UInt128;

struct FieldEncoder::State {
  engine::LogicalType type;
  int extra_float_digits = 1;
  SessionTimeZone zone = SessionTimeZone::Utc();
  // Arrays: the dimensions (LIST levels), the innermost element's encoder
  // and PostgreSQL type.
  int ndim = 0;
  std::unique_ptr<FieldEncoder> element;
  uint32_t element_oid = 0;
};

namespace {

using State = FieldEncoder::State;
using text::AppendBe16;
using text::AppendBe32;
using text::AppendBe64;

// ---- Text format ------------------------------------------------------------

template <typename T>
void IntText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendInt(static_cast<int64_t>(c.Get<T>(r)), out);
}

void BoolText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  out.push_back(c.Get<bool>(r) ? 't' : 'f');
}

void UBigIntText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendUInt128(c.Get<uint64_t>(r), out);
}

void HugeIntText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const Int128 v = c.Get<Int128>(r);
  if (v < 0) out.push_back('-');
  text::AppendUInt128(v < 0 ? 0 - static_cast<UInt128>(v) : static_cast<UInt128>(v), out);
}

void UHugeIntText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendUInt128(c.Get<UInt128>(r), out);
}

void FloatText(const State& s, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendFloat4(c.Get<float>(r), s.extra_float_digits, out);
}

void DoubleText(const State& s, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendFloat8(c.Get<double>(r), s.extra_float_digits, out);
}

template <typename T>
void DecimalText(const State& s, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const T v = c.Get<T>(r);
  const UInt128 m = v < 0 ? 0 - static_cast<UInt128>(static_cast<Int128>(v))
                          : static_cast<UInt128>(static_cast<Int128>(v));
  text::AppendNumeric(v < 0, m, s.type.scale, out);
}

void StringBytes(const State&, const ColumnView& c, size_t r, std::string& out) {
  out.append(c.GetString(r));
}

void RenderedString(const State&, const ColumnView& c, size_t r, std::string& out) {
  out.append(c.GetValue(r).GetString());
}

void DuckDbText(const State&, const ColumnView& c, size_t r, std::string& out) {
  out.append(c.GetValue(r).ToString());
}

void ByteaText(const State&, const ColumnView& c, size_t r, std::string& out) {
  text::AppendByteaHex(c.GetString(r), out);
}

void DateText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendDate(c.Get<int32_t>(r), out);
}

void TimeText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendTime(c.Get<int64_t>(r), out);
}

// DuckDB's TIME WITH TIME ZONE: micros << 24 | (57599 - offset seconds).
void SplitTimeTz(uint64_t bits, int64_t& micros, int32_t& offset) {
  micros = static_cast<int64_t>(bits >> 24);
  offset = 57599 - static_cast<int32_t>(bits & 0xFFFFFF);
}

void TimeTzText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  int64_t micros;
  int32_t offset;
  SplitTimeTz(c.Get<uint64_t>(r), micros, offset);
  text::AppendTime(micros, out);
  text::AppendZoneOffset(offset, out);
}

// Timestamps of every unit as microseconds, keeping ±infinity (±INT64_MAX).
template <int64_t kMul, int64_t kDiv>
int64_t Micros(const ColumnView& c, size_t r) {
  const int64_t v = c.Get<int64_t>(r);
  if (v == INT64_MAX || v <= -INT64_MAX) return v;
  // Nanoseconds: rounded to the nearest microsecond, halves to even, as
  // PostgreSQL reads them (rint).
  if constexpr (kDiv > 1) {
    int64_t q = v / kDiv - (v % kDiv < 0 ? 1 : 0);
    const int64_t rem = v - q * kDiv;
    if (rem * 2 > kDiv || (rem * 2 == kDiv && (q & 1) != 0)) ++q;
    return q;
  }
  return v * kMul;
}

template <int64_t kMul, int64_t kDiv>
void TimestampText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendTimestamp(Micros<kMul, kDiv>(c, r), out);
}

void TimestampTzText(const State& s, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const int64_t v = c.Get<int64_t>(r);
  text::AppendTimestampTz(v, s.zone.OffsetAt(v), out);
}

void IntervalText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const auto i = c.Get<engine::Interval>(r);
  text::AppendInterval(i.months, i.days, i.micros, out);
}

UInt128 UuidBits(const ColumnView& c, size_t r) {
  // DuckDB flips the top bit so that UUIDs sort as their text does.
  return static_cast<UInt128>(c.Get<Int128>(r)) ^ (static_cast<UInt128>(1) << 127);
}

void UuidText(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendUuid(UuidBits(c, r), out);
}

// ---- Binary format ----------------------------------------------------------

template <typename T, int kBytes>
void IntBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const auto v = static_cast<int64_t>(c.Get<T>(r));
  if constexpr (kBytes == 2) AppendBe16(static_cast<uint16_t>(v), out);
  if constexpr (kBytes == 4) AppendBe32(static_cast<uint32_t>(v), out);
  if constexpr (kBytes == 8) AppendBe64(static_cast<uint64_t>(v), out);
}

void BoolBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  out.push_back(c.Get<bool>(r) ? 1 : 0);
}

void FloatBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  AppendBe32(std::bit_cast<uint32_t>(c.Get<float>(r)), out);
}

void DoubleBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  AppendBe64(std::bit_cast<uint64_t>(c.Get<double>(r)), out);
}

template <typename T>
void DecimalBinary(const State& s, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const Int128 v = static_cast<Int128>(c.Get<T>(r));
  const UInt128 m = v < 0 ? 0 - static_cast<UInt128>(v) : static_cast<UInt128>(v);
  text::AppendNumericBinary(v < 0, m, s.type.scale, out);
}

void UBigIntBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendNumericBinary(false, c.Get<uint64_t>(r), 0, out);
}

void UHugeIntBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  text::AppendNumericBinary(false, c.Get<UInt128>(r), 0, out);
}

// DuckDB's BIGNUM: a 3-byte header (the byte count, top bit set when
// positive, all bits inverted when negative), then the magnitude big-endian
// (inverted when negative). Appends its decimal text, "-123".
void AppendBigNum(std::string_view blob, std::string& out) {
  if (blob.size() < 3) return out.push_back('0'), void();
  const bool negative = (static_cast<unsigned char>(blob[0]) & 0x80) == 0;
  std::vector<uint8_t> mag;
  for (size_t i = 3; i < blob.size(); ++i) {
    const auto b = static_cast<uint8_t>(blob[i]);
    mag.push_back(negative ? static_cast<uint8_t>(~b) : b);
  }
  // Long division by 10^9, least significant group first.
  std::vector<uint32_t> groups;
  size_t first = 0;
  while (true) {
    while (first < mag.size() && mag[first] == 0) ++first;
    if (first == mag.size()) break;
    uint64_t rem = 0;
    for (size_t i = first; i < mag.size(); ++i) {
      const uint64_t cur = (rem << 8) | mag[i];
      mag[i] = static_cast<uint8_t>(cur / 1'000'000'000);
      rem = cur % 1'000'000'000;
    }
    groups.push_back(static_cast<uint32_t>(rem));
  }
  if (groups.empty()) return out.push_back('0'), void();
  if (negative) out.push_back('-');
  out.append(std::to_string(groups.back()));
  for (size_t g = groups.size() - 1; g-- > 0;) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%09u", groups[g]);
    out.append(buf, 9);
  }
}

void BigNumText(const State&, const ColumnView& c, size_t r, std::string& out) {
  AppendBigNum(c.GetString(r), out);
}

void BigNumBinary(const State&, const ColumnView& c, size_t r, std::string& out) {
  std::string digits;
  AppendBigNum(c.GetString(r), digits);
  text::AppendNumericBinaryFromText(digits, out);
}

void DateBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const int32_t d = c.Get<int32_t>(r);
  const int32_t pg = d == INT32_MAX    ? INT32_MAX
                     : d <= -INT32_MAX ? INT32_MIN
                                       : d - text::kPgEpochDays;
  AppendBe32(static_cast<uint32_t>(pg), out);
}

void TimeBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  AppendBe64(static_cast<uint64_t>(c.Get<int64_t>(r)), out);
}

void TimeTzBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  int64_t micros;
  int32_t offset;
  SplitTimeTz(c.Get<uint64_t>(r), micros, offset);
  AppendBe64(static_cast<uint64_t>(micros), out);
  AppendBe32(static_cast<uint32_t>(-offset), out);  // PostgreSQL: seconds west
}

void AppendPgMicros(int64_t v, text::FieldBuffer& out) {
  const int64_t pg = v == INT64_MAX    ? INT64_MAX
                     : v <= -INT64_MAX ? INT64_MIN
                                       : v - text::kPgEpochMicros;
  AppendBe64(static_cast<uint64_t>(pg), out);
}

template <int64_t kMul, int64_t kDiv>
void TimestampBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  AppendPgMicros(Micros<kMul, kDiv>(c, r), out);
}

void IntervalBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const auto i = c.Get<engine::Interval>(r);
  AppendBe64(static_cast<uint64_t>(i.micros), out);
  AppendBe32(static_cast<uint32_t>(i.days), out);
  AppendBe32(static_cast<uint32_t>(i.months), out);
}

void UuidBinary(const State&, const ColumnView& c, size_t r, text::FieldBuffer& out) {
  const UInt128 u = UuidBits(c, r);
  AppendBe64(static_cast<uint64_t>(u >> 64), out);
  AppendBe64(static_cast<uint64_t>(u), out);
}

// DuckDB's BIT is a blob: one byte with the number of padding bits, then
// the bits, the padding first (most significant bits of the first byte).
template <typename Visit>
size_t ForEachBit(std::string_view blob, Visit visit) {
  if (blob.empty()) return 0;
  const size_t padding = static_cast<unsigned char>(blob[0]);
  const size_t nbits = (blob.size() - 1) * 8 - padding;
  for (size_t i = 0; i < nbits; ++i) {
    const size_t at = padding + i;
    visit(i, (static_cast<unsigned char>(blob[1 + at / 8]) >> (7 - at % 8)) & 1);
  }
  return nbits;
}

void BitText(const State&, const ColumnView& c, size_t r, std::string& out) {
  ForEachBit(c.GetString(r), [&](size_t, unsigned bit) { out.push_back(bit ? '1' : '0'); });
}

// varbit_send: Int32 bit count, then the bits, first bit most significant.
void BitBinary(const State&, const ColumnView& c, size_t r, std::string& out) {
  const std::string_view blob = c.GetString(r);
  const size_t nbits =
      blob.empty() ? 0 : (blob.size() - 1) * 8 - static_cast<unsigned char>(blob[0]);
  AppendBe32(static_cast<uint32_t>(nbits), out);
  const size_t at = out.size();
  out.append((nbits + 7) / 8, '\0');
  ForEachBit(blob, [&](size_t i, unsigned bit) {
    if (bit) out[at + i / 8] = static_cast<char>(out[at + i / 8] | (0x80 >> (i % 8)));
  });
}

// ---- Arrays -----------------------------------------------------------------

// A row's nested lists as PostgreSQL's rectangular array: the length of each
// dimension (the longest list at that level; shorter and NULL lists are
// padded with NULL elements) and the element column.
struct ArrayShape {
  int ndim = 0;
  uint64_t dims[6] = {};
  std::vector<ColumnView> levels;  // [k]: the lists of level k; [ndim]: elements
};

void MeasureLevel(ArrayShape& a, int level, uint64_t offset, uint64_t length) {
  if (length > a.dims[level]) a.dims[level] = length;
  if (level + 1 == a.ndim) return;
  const ColumnView& lists = a.levels[level + 1];
  for (uint64_t i = 0; i < length; ++i) {
    if (lists.IsNull(offset + i)) continue;
    const auto e = lists.GetListEntry(offset + i);
    MeasureLevel(a, level + 1, e.offset, e.length);
  }
}

bool MeasureArray(const State& s, const ColumnView& c, size_t r, ArrayShape& a) {
  a.ndim = s.ndim;
  a.levels.reserve(s.ndim + 1);
  a.levels.push_back(c);
  for (int k = 1; k <= s.ndim; ++k) a.levels.push_back(a.levels[k - 1].ListChild());
  const auto e = c.GetListEntry(r);
  MeasureLevel(a, 0, e.offset, e.length);
  for (int k = 0; k < a.ndim; ++k) {
    if (a.dims[k] == 0) return false;  // PostgreSQL has only one empty array
  }
  return true;
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  if (v.size() == 4 && (v[0] | 0x20) == 'n' && (v[1] | 0x20) == 'u' && (v[2] | 0x20) == 'l' &&
      (v[3] | 0x20) == 'l') {
    return true;
  }
  for (char ch : v) {
    switch (ch) {
      case '"':
      case '\\':
      case '{':
      case '}':
      case ',':
      case ' ':
      case '\t':
      case '\n':
      case '\r':
      case '\v':
      case '\f':
        return true;
      default:
        break;
    }
  }
  return false;
}

void ElementText(const State& s, const ColumnView& c, size_t r, std::string& out) {
  if (c.IsNull(r)) {
    out.append("NULL");
    return;
  }
  const size_t start = out.size();
  s.element->AppendValue(c, r, out);
  if (!NeedsQuotes(std::string_view(out).substr(start))) return;
  const std::string raw = out.substr(start);
  out.resize(start);
  out.push_back('"');
  for (char ch : raw) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  out.push_back('"');
}

// Visits the elements of a (padded) sub-array at `level`; `present` is false
// for padding and NULL sub-lists. Text: with braces and commas.
template <typename Leaf>
void WalkText(const State& s, const ArrayShape& a, int level, bool present, uint64_t offset,
              uint64_t length, std::string& out) {
  out.push_back('{');
  const ColumnView& next = a.levels[level + 1];
  for (uint64_t i = 0; i < a.dims[level]; ++i) {
    if (i != 0) out.push_back(',');
    const bool here = present && i < length;
    if (level + 1 == a.ndim) {
      if (here) {
        Leaf::Text(s, next, offset + i, out);
      } else {
        out.append("NULL");
      }
      continue;
    }
    const bool sub = here && !next.IsNull(offset + i);
    const auto e = sub ? next.GetListEntry(offset + i) : ColumnView::ListEntry{};
    WalkText<Leaf>(s, a, level + 1, sub, e.offset, e.length, out);
  }
  out.push_back('}');
}

struct TextLeaf {
  static void Text(const State& s, const ColumnView& c, size_t r, std::string& out) {
    ElementText(s, c, r, out);
  }
};

void ArrayText(const State& s, const ColumnView& c, size_t r, std::string& out) {
  ArrayShape a;
  if (!MeasureArray(s, c, r, a)) {
    out.append("{}");
    return;
  }
  const auto e = c.GetListEntry(r);
  WalkText<TextLeaf>(s, a, 0, true, e.offset, e.length, out);
}

// Binary: elements in row-major order; returns whether any was NULL.
bool WalkBinary(const State& s, const ArrayShape& a, int level, bool present, uint64_t offset,
                uint64_t length, std::string& out) {
  bool has_null = false;
  const ColumnView& next = a.levels[level + 1];
  for (uint64_t i = 0; i < a.dims[level]; ++i) {
    const bool here = present && i < length;
    if (level + 1 == a.ndim) {
      if (here && !next.IsNull(offset + i)) {
        s.element->Append(next, offset + i, out);
      } else {
        AppendBe32(0xFFFFFFFF, out);
        has_null = true;
      }
      continue;
    }
    const bool sub = here && !next.IsNull(offset + i);
    const auto e = sub ? next.GetListEntry(offset + i) : ColumnView::ListEntry{};
    has_null |= WalkBinary(s, a, level + 1, sub, e.offset, e.length, out);
  }
  return has_null;
}

void ArrayBinary(const State& s, const ColumnView& c, size_t r, std::string& out) {
  ArrayShape a;
  if (!MeasureArray(s, c, r, a)) {
    AppendBe32(0, out);
    AppendBe32(0, out);
    AppendBe32(s.element_oid, out);
    return;
  }
  AppendBe32(static_cast<uint32_t>(a.ndim), out);
  const size_t has_null_at = out.size();
  AppendBe32(0, out);
  AppendBe32(s.element_oid, out);
  for (int k = 0; k < a.ndim; ++k) {
    AppendBe32(static_cast<uint32_t>(a.dims[k]), out);
    AppendBe32(1, out);  // lower bound
  }
  const auto e = c.GetListEntry(r);
  if (WalkBinary(s, a, 0, true, e.offset, e.length, out)) out[has_null_at + 3] = 1;
}

// ---- Choosing -----------------------------------------------------------------

// One of the two kinds of formatter.
struct Fns {
  Fns(FieldEncoder::ScalarFn f) : scalar(f) {}  // NOLINT: implicit on purpose
  Fns(FieldEncoder::Fn f) : string(f) {}        // NOLINT
  FieldEncoder::ScalarFn scalar = nullptr;
  FieldEncoder::Fn string = nullptr;
};

Fns TextFn(const engine::LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return BoolText;
    case TypeId::kTinyInt:
      return IntText<int8_t>;
    case TypeId::kSmallInt:
      return IntText<int16_t>;
    case TypeId::kInteger:
      return IntText<int32_t>;
    case TypeId::kBigInt:
      return IntText<int64_t>;
    case TypeId::kUTinyInt:
      return IntText<uint8_t>;
    case TypeId::kUSmallInt:
      return IntText<uint16_t>;
    case TypeId::kUInteger:
      return IntText<uint32_t>;
    case TypeId::kUBigInt:
      return UBigIntText;
    case TypeId::kHugeInt:
      return HugeIntText;
    case TypeId::kUHugeInt:
      return UHugeIntText;
    case TypeId::kFloat:
      return FloatText;
    case TypeId::kDouble:
      return DoubleText;
    case TypeId::kDecimal:
      if (t.width <= 4) return DecimalText<int16_t>;
      if (t.width <= 9) return DecimalText<int32_t>;
      if (t.width <= 18) return DecimalText<int64_t>;
      return DecimalText<Int128>;
    case TypeId::kVarchar:
      return StringBytes;
    case TypeId::kEnum:
      return RenderedString;
    case TypeId::kBlob:
      return ByteaText;
    case TypeId::kDate:
      return DateText;
    case TypeId::kTime:
      return TimeText;
    case TypeId::kTimeTz:
      return TimeTzText;
    case TypeId::kTimestamp:
      return TimestampText<1, 1>;
    case TypeId::kTimestampS:
      return TimestampText<1'000'000, 1>;
    case TypeId::kTimestampMs:
      return TimestampText<1'000, 1>;
    case TypeId::kTimestampNs:
      return TimestampText<1, 1'000>;
    case TypeId::kTimestampTz:
      return TimestampTzText;
    case TypeId::kInterval:
      return IntervalText;
    case TypeId::kUuid:
      return UuidText;
    case TypeId::kBit:
      return BitText;
    case TypeId::kBigNum:
      return BigNumText;
    case TypeId::kList:
    case TypeId::kArray:
      return ArrayText;
    default:
      return DuckDbText;  // BIGNUM, STRUCT, MAP, UNION, ...
  }
}

Fns BinaryFn(const engine::LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return BoolBinary;
    case TypeId::kTinyInt:
      return IntBinary<int8_t, 2>;
    case TypeId::kSmallInt:
      return IntBinary<int16_t, 2>;
    case TypeId::kUTinyInt:
      return IntBinary<uint8_t, 2>;
    case TypeId::kInteger:
      return IntBinary<int32_t, 4>;
    case TypeId::kUSmallInt:
      return IntBinary<uint16_t, 4>;
    case TypeId::kBigInt:
      return IntBinary<int64_t, 8>;
    case TypeId::kUInteger:
      return IntBinary<uint32_t, 8>;
    case TypeId::kUBigInt:
      return UBigIntBinary;
    case TypeId::kHugeInt:
      return DecimalBinary<Int128>;
    case TypeId::kUHugeInt:
      return UHugeIntBinary;
    case TypeId::kBigNum:
      return BigNumBinary;
    case TypeId::kFloat:
      return FloatBinary;
    case TypeId::kDouble:
      return DoubleBinary;
    case TypeId::kDecimal:
      if (t.width <= 4) return DecimalBinary<int16_t>;
      if (t.width <= 9) return DecimalBinary<int32_t>;
      if (t.width <= 18) return DecimalBinary<int64_t>;
      return DecimalBinary<Int128>;
    case TypeId::kVarchar:
    case TypeId::kBlob:
      return StringBytes;  // text, json and bytea: the bytes
    case TypeId::kDate:
      return DateBinary;
    case TypeId::kTime:
      return TimeBinary;
    case TypeId::kTimeTz:
      return TimeTzBinary;
    case TypeId::kTimestamp:
      return TimestampBinary<1, 1>;
    case TypeId::kTimestampS:
      return TimestampBinary<1'000'000, 1>;
    case TypeId::kTimestampMs:
      return TimestampBinary<1'000, 1>;
    case TypeId::kTimestampNs:
      return TimestampBinary<1, 1'000>;
    case TypeId::kTimestampTz:
      return TimestampBinary<1, 1>;
    case TypeId::kInterval:
      return IntervalBinary;
    case TypeId::kUuid:
      return UuidBinary;
    case TypeId::kBit:
      return BitBinary;
    case TypeId::kList:
    case TypeId::kArray:
      return ArrayBinary;
    default:
      return TextFn(t);  // served as text: the binary form is the text
  }
}

}  // namespace

FieldEncoder FieldEncoder::For(const engine::LogicalType& type, Format format,
                               const EncodeSettings& settings) {
  auto state = std::make_shared<State>();
  state->type = type;
  state->extra_float_digits = settings.extra_float_digits;
  if (type.id == TypeId::kTimestampTz) {
    if (auto zone = SessionTimeZone::Find(settings.time_zone); zone.ok()) state->zone = *zone;
  }
  if (type.id == TypeId::kList || type.id == TypeId::kArray) {
    const engine::LogicalType* element = &type;
    while ((element->id == TypeId::kList || element->id == TypeId::kArray) &&
           !element->children.empty() && state->ndim < 6) {
      element = &element->children[0];
      ++state->ndim;
    }
    state->element = std::make_unique<FieldEncoder>(For(*element, format, settings));
    state->element_oid = PgTypeFor(*element).oid;
  }
  const Fns fns = format == Format::kBinary ? BinaryFn(type) : TextFn(type);
  return FieldEncoder(fns.scalar, fns.string, std::move(state));
}

void FieldEncoder::Append(const ColumnView& column, size_t row, std::string& out) const {
  if (column.IsNull(row)) {
    AppendBe32(0xFFFFFFFF, out);
    return;
  }
  if (scalar_fn_ != nullptr) {
    text::FieldBuffer b;
    b.append(4, '\0');
    scalar_fn_(*state_, column, row, b);
    const auto n = static_cast<uint32_t>(b.size() - 4);
    char* p = b.data();
    p[0] = static_cast<char>(n >> 24);
    p[1] = static_cast<char>(n >> 16);
    p[2] = static_cast<char>(n >> 8);
    p[3] = static_cast<char>(n);
    out.append(p, b.size());
    return;
  }
  const size_t at = out.size();
  out.append(4, '\0');
  fn_(*state_, column, row, out);
  const auto n = static_cast<uint32_t>(out.size() - at - 4);
  char* p = out.data() + at;
  p[0] = static_cast<char>(n >> 24);
  p[1] = static_cast<char>(n >> 16);
  p[2] = static_cast<char>(n >> 8);
  p[3] = static_cast<char>(n);
}

void FieldEncoder::AppendValue(const ColumnView& column, size_t row, std::string& out) const {
  if (scalar_fn_ != nullptr) {
    text::FieldBuffer b;
    scalar_fn_(*state_, column, row, b);
    out.append(b.data(), b.size());
    return;
  }
  fn_(*state_, column, row, out);
}

Status ValidateTimeZone(std::string_view name) { return SessionTimeZone::Find(name).status(); }

bool HasBinaryFormat(uint32_t type_oid) {
  switch (type_oid) {
    case oid::kBool:
    case oid::kBytea:
    case oid::kChar:
    case oid::kName:
    case oid::kInt8:
    case oid::kInt2:
    case oid::kInt4:
    case oid::kText:
    case oid::kOid:
    case oid::kJson:
    case oid::kFloat4:
    case oid::kFloat8:
    case oid::kUnknown:
    case oid::kBpchar:
    case oid::kVarchar:
    case oid::kDate:
    case oid::kTime:
    case oid::kTimestamp:
    case oid::kTimestampTz:
    case oid::kInterval:
    case oid::kTimeTz:
    case oid::kVarbit:
    case oid::kNumeric:
    case oid::kUuid:
    case oid::kJsonb:
      return true;
    default: {
      const PgTypeInfo* t = FindType(type_oid);
      return t != nullptr && t->elem != 0 && t->category == 'A' && HasBinaryFormat(t->elem);
    }
  }
}

}  // namespace carelake::pgwire
