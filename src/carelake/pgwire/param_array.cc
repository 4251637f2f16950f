// Array Bind parameters, text ("{1,2,NULL}") and binary, as DuckDB lists.
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/civil_time.h"
#include "carelake/pgwire/param_internal.h"
#include "carelake/pgwire/pg_types.h"
#include "carelake/pgwire/session_time_zone.h"
#include "carelake/pgwire/value_codec.h"
#include "carelake/pgwire/value_text.h"

namespace carelake::pgwire::param {

using engine::LogicalType;
using engine::TypeId;
using engine::Value;

namespace {

// The DuckDB type a decoded element of `elem_oid` has (so that every element
// of a list, NULLs included, has one type). numeric and types DuckDB casts
// from text travel as VARCHAR.
LogicalType ElementType(uint32_t elem_oid) {
  switch (elem_oid) {
    case oid::kBool:
      return LogicalType::Of(TypeId::kBoolean);
    case oid::kInt2:
    case oid::kInt4:
      return LogicalType::Of(TypeId::kInteger);
    case oid::kInt8:
    case oid::kOid:
      return LogicalType::Of(TypeId::kBigInt);
    case oid::kFloat4:
      return LogicalType::Of(TypeId::kFloat);
    case oid::kFloat8:
      return LogicalType::Of(TypeId::kDouble);
    case oid::kBytea:
      return LogicalType::Of(TypeId::kBlob);
    case oid::kDate:
      return LogicalType::Of(TypeId::kDate);
    case oid::kTime:
      return LogicalType::Of(TypeId::kTime);
    case oid::kTimestamp:
      return LogicalType::Of(TypeId::kTimestamp);
    case oid::kTimestampTz:
      return LogicalType::Of(TypeId::kTimestampTz);
    default:
      return LogicalType::Of(TypeId::kVarchar);
  }
}

// An element decoded, then brought to ElementType.
Result<Value> Element(uint32_t elem_oid, Format format, std::string_view bytes,
                      const EncodeSettings& settings) {
  CARELAKE_ASSIGN_OR_RETURN(Value v, DecodeParameter(elem_oid, format, bytes, settings));
  const LogicalType want = ElementType(elem_oid);
  if (v.type().id == want.id) return v;
  if (want.id == TypeId::kVarchar) return Value::Varchar(v.ToString());
  // A text element DuckDB has to cast (a date in a non-ISO form, ...).
  return Value::Varchar(std::string(bytes));
}

LogicalType ListOf(LogicalType element, int ndim) {
  for (int i = 0; i < ndim; ++i) {
    LogicalType list = LogicalType::Of(TypeId::kList);
    list.children.push_back(std::move(element));
    element = std::move(list);
  }
  return element;
}

// Groups the flat `elements` into `dims` nested lists from dimension `d`.
Value Nest(const std::vector<int64_t>& dims, size_t d, const LogicalType& element,
           std::vector<Value>& elements, size_t& next) {
  std::vector<Value> kids;
  for (int64_t i = 0; i < dims[d]; ++i) {
    if (d + 1 == dims.size()) {
      kids.push_back(std::move(elements[next++]));
    } else {
      kids.push_back(Nest(dims, d + 1, element, elements, next));
    }
  }
  return Value::Nested(ListOf(element, static_cast<int>(dims.size() - d)), std::move(kids));
}

// array_in: "{1,2,NULL}", "{{1,2},{3,4}}", quoted elements with backslash
// escapes, delimiter ','.
class ArrayTextParser {
 public:
  ArrayTextParser(const PgTypeInfo& array, std::string_view s, const EncodeSettings& settings)
      : array_(array), s_(s), settings_(settings), element_(ElementType(array.elem)) {}

  Result<Value> Parse() {
    SkipSpace();
    CARELAKE_ASSIGN_OR_RETURN(Value v, List(1));
    SkipSpace();
    if (i_ != s_.size()) return Malformed("Junk after closing right brace.");
    return v;
  }

 private:
  Status Malformed(const std::string& detail) const {
    return InvalidArgument("malformed array literal: \"" + std::string(s_) + "\" (" + detail + ")");
  }
  void SkipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }

  // A '{...}' at nesting `depth`; the element type is fixed by the
  // deepest level seen first.
  Result<Value> List(int depth) {
    if (i_ >= s_.size() || s_[i_] != '{') return Malformed("Array value must start with \"{\".");
    ++i_;
    std::vector<Value> kids;
    bool nested = false;
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return Value::Nested(ListOf(element_, 1), {});
    }
    while (true) {
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == '{') {
        if (depth >= 6) return Malformed("too many dimensions");
        nested = true;
        CARELAKE_ASSIGN_OR_RETURN(Value kid, List(depth + 1));
        kids.push_back(std::move(kid));
      } else {
        if (nested) return Malformed("Unexpected array element.");
        CARELAKE_ASSIGN_OR_RETURN(Value kid, Scalar());
        kids.push_back(std::move(kid));
      }
      SkipSpace();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        break;
      }
      return Malformed("Unexpected end of input.");
    }
    LogicalType type = nested ? ListOf(kids[0].type(), 1) : ListOf(element_, 1);
    return Value::Nested(std::move(type), std::move(kids));
  }

  Result<Value> Scalar() {
    std::string text;
    bool quoted = false;
    if (i_ < s_.size() && s_[i_] == '"') {
      quoted = true;
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        text.push_back(s_[i_++]);
      }
      if (i_ >= s_.size()) return Malformed("Unexpected end of input.");
      ++i_;
    } else {
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != '{' && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        text.push_back(s_[i_++]);
      }
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
      if (text.empty()) return Malformed("Unexpected \",\" character.");
      if (IEquals(text, "null")) return Value::Null(element_);
    }
    (void)quoted;
    return Element(array_.elem, Format::kText, text, settings_);
  }

  const PgTypeInfo& array_;
  std::string_view s_;
  const EncodeSettings& settings_;
  LogicalType element_;
  size_t i_ = 0;
};

}  // namespace

Result<Value> ArrayFromBinary(const PgTypeInfo& array, std::string_view b,
                              const EncodeSettings& settings) {
  auto bad = [&](const std::string& what) {
    return InvalidArgument("binary " + std::string(array.name) + " parameter: " + what);
  };
  if (b.size() < 12) return bad("shorter than its 12-byte header");
  const auto ndim = static_cast<int32_t>(Be(b, 0, 4));
  const auto elem_oid = static_cast<uint32_t>(Be(b, 8, 4));
  if (ndim < 0 || ndim > 6) return bad("invalid number of dimensions " + std::to_string(ndim));
  if (elem_oid != array.elem) {
    return bad("element type " + std::to_string(elem_oid) + ", expected " +
               std::to_string(array.elem));
  }
  const LogicalType element = ElementType(elem_oid);
  if (ndim == 0) return Value::Nested(ListOf(element, 1), {});
  if (b.size() < 12 + 8 * static_cast<size_t>(ndim)) return bad("truncated dimensions");
  std::vector<int64_t> dims;
  int64_t count = 1;
  for (int d = 0; d < ndim; ++d) {
    const auto n = static_cast<int32_t>(Be(b, 12 + 8 * d, 4));
    if (n < 0 || n > (1 << 27) / count) return bad("invalid dimension size");
    dims.push_back(n);
    count *= n;
  }
  size_t at = 12 + 8 * static_cast<size_t>(ndim);
  std::vector<Value> elements;
  for (int64_t i = 0; i < count; ++i) {
    if (at + 4 > b.size()) return bad("truncated element " + std::to_string(i + 1));
    const auto len = static_cast<int32_t>(Be(b, at, 4));
    at += 4;
    if (len == -1) {
      elements.push_back(Value::Null(element));
      continue;
    }
    if (len < 0 || at + static_cast<size_t>(len) > b.size()) {
      return bad("truncated element " + std::to_string(i + 1));
    }
    CARELAKE_ASSIGN_OR_RETURN(Value v,
                              Element(elem_oid, Format::kBinary, b.substr(at, len), settings));
    elements.push_back(std::move(v));
    at += len;
  }
  if (at != b.size()) return bad(std::to_string(b.size() - at) + " bytes after the last element");
  size_t next = 0;
  return Nest(dims, 0, element, elements, next);
}

Result<Value> ArrayFromText(const PgTypeInfo& array, std::string_view s,
                            const EncodeSettings& settings) {
  return ArrayTextParser(array, s, settings).Parse();
}

const PgTypeInfo* ArrayType(uint32_t type_oid) {
  const PgTypeInfo* t = FindType(type_oid);
  return t != nullptr && t->category == 'A' && t->elem != 0 ? t : nullptr;
}

}  // namespace carelake::pgwire::param
