#include "carelake/engine/query_result.h"

#include <cstdio>

#include "carelake/engine/internal.h"

namespace carelake::engine {

struct QueryResult::Impl {
  duckdb_result result{};
  duckdb_prepared_statement prepared = nullptr;
  std::vector<std::string> names;
  std::vector<LogicalType> types;
  ResultKind kind = ResultKind::kNothing;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    duckdb_destroy_result(&result);
    if (prepared != nullptr) duckdb_destroy_prepare(&prepared);
  }
};

namespace internal {

Result<QueryResult> WrapResult(duckdb_result* result, duckdb_prepared_statement prepared) {
  auto impl = std::make_unique<QueryResult::Impl>();
  impl->result = *result;
  impl->prepared = prepared;
  if (const char* error = duckdb_result_error(&impl->result); error != nullptr) {
    return StatusFromDuckDb(duckdb_result_error_type(&impl->result), error);
  }
  const idx_t n = duckdb_column_count(&impl->result);
  for (idx_t i = 0; i < n; ++i) {
    impl->names.emplace_back(duckdb_column_name(&impl->result, i));
    duckdb_logical_type t = duckdb_column_logical_type(&impl->result, i);
    impl->types.push_back(ConvertType(t));
    duckdb_destroy_logical_type(&t);
  }
  switch (duckdb_result_return_type(impl->result)) {
    case DUCKDB_RESULT_TYPE_QUERY_RESULT:
      impl->kind = ResultKind::kRows;
      break;
    case DUCKDB_RESULT_TYPE_CHANGED_ROWS:
      impl->kind = ResultKind::kRowsChanged;
      break;
    default:
      impl->kind = ResultKind::kNothing;
      break;
  }
  return QueryResult(std::move(impl));
}

}  // namespace internal

QueryResult::QueryResult(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueryResult::~QueryResult() = default;
QueryResult::QueryResult(QueryResult&&) noexcept = default;
QueryResult& QueryResult::operator=(QueryResult&&) noexcept = default;

ResultKind QueryResult::kind() const { return impl_->kind; }
size_t QueryResult::column_count() const { return impl_->types.size(); }
const std::string& QueryResult::column_name(size_t index) const { return impl_->names[index]; }
const LogicalType& QueryResult::column_type(size_t index) const { return impl_->types[index]; }
const std::vector<std::string>& QueryResult::column_names() const { return impl_->names; }
const std::vector<LogicalType>& QueryResult::column_types() const { return impl_->types; }
int64_t QueryResult::rows_changed() const {
  return static_cast<int64_t>(duckdb_rows_changed(&impl_->result));
}

Result<std::optional<DataChunk>> QueryResult::Fetch() {
  duckdb_data_chunk chunk = duckdb_fetch_chunk(impl_->result);
  if (chunk == nullptr) {
    if (const char* error = duckdb_result_error(&impl_->result); error != nullptr) {
      return internal::StatusFromDuckDb(duckdb_result_error_type(&impl_->result), error);
    }
    return std::optional<DataChunk>();
  }
  return std::optional<DataChunk>(DataChunk(chunk, &impl_->types));
}

Result<std::vector<std::vector<Value>>> QueryResult::FetchAllRows() {
  std::vector<std::vector<Value>> rows;
  while (true) {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<DataChunk> chunk, Fetch());
    if (!chunk.has_value()) break;
    std::vector<ColumnView> cols;
    for (size_t c = 0; c < chunk->column_count(); ++c) cols.push_back(chunk->column(c));
    for (size_t r = 0; r < chunk->size(); ++r) {
      std::vector<Value> row;
      row.reserve(cols.size());
      for (const ColumnView& col : cols) row.push_back(col.GetValue(r));
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

DataChunk::DataChunk(void* chunk, const std::vector<LogicalType>* types)
    : chunk_(chunk), types_(types) {}

DataChunk::~DataChunk() { Reset(); }

void DataChunk::Reset() {
  if (chunk_ != nullptr) {
    auto c = static_cast<duckdb_data_chunk>(chunk_);
    duckdb_destroy_data_chunk(&c);
    chunk_ = nullptr;
  }
}

DataChunk::DataChunk(DataChunk&& other) noexcept : chunk_(other.chunk_), types_(other.types_) {
  other.chunk_ = nullptr;
}

DataChunk& DataChunk::operator=(DataChunk&& other) noexcept {
  if (this != &other) {
    Reset();
    chunk_ = other.chunk_;
    types_ = other.types_;
    other.chunk_ = nullptr;
  }
  return *this;
}

size_t DataChunk::size() const {
  return duckdb_data_chunk_get_size(static_cast<duckdb_data_chunk>(chunk_));
}

ColumnView DataChunk::column(size_t index) const {
  return ColumnView(duckdb_data_chunk_get_vector(static_cast<duckdb_data_chunk>(chunk_), index),
                    &(*types_)[index]);
}

ColumnView::ColumnView(void* vector, const LogicalType* type)
    : vector_(vector),
      data_(duckdb_vector_get_data(static_cast<duckdb_vector>(vector))),
      validity_(duckdb_vector_get_validity(static_cast<duckdb_vector>(vector))),
      type_(type) {}

std::string_view ColumnView::GetString(size_t row) const {
  auto* s = const_cast<duckdb_string_t*>(static_cast<const duckdb_string_t*>(data_) + row);
  return std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s));
}

ColumnView::ListEntry ColumnView::GetListEntry(size_t row) const {
  if (type_->id == TypeId::kArray) return ListEntry{row * type_->array_size, type_->array_size};
  const duckdb_list_entry e = static_cast<const duckdb_list_entry*>(data_)[row];
  return ListEntry{e.offset, e.length};
}

ColumnView ColumnView::ListChild() const {
  auto vec = static_cast<duckdb_vector>(vector_);
  void* child = type_->id == TypeId::kArray ? duckdb_array_vector_get_child(vec)
                                            : duckdb_list_vector_get_child(vec);
  return ColumnView(child, &type_->children[0]);
}

namespace {

std::string UuidToString(Int128 v) {
  // DuckDB stores a UUID as a HUGEINT with the top bit flipped, so that UUIDs
  // sort as their text does.
  UInt128 u = static_cast<UInt128>(v) ^ (static_cast<UInt128>(1) << 127);
  char hex[33];
  for (int i = 31; i >= 0; --i) {
    hex[i] = "0123456789abcdef"[static_cast<int>(u & 0xF)];
    u >>= 4;
  }
  hex[32] = '\0';
  std::string s(hex);
  return s.substr(0, 8) + "-" + s.substr(8, 4) + "-" + s.substr(12, 4) + "-" + s.substr(16, 4) +
         "-" + s.substr(20);
}

Int128 DecimalUnscaled(const ColumnView& col, size_t row) {
  const uint8_t width = col.type().width;
  if (width <= 4) return col.Get<int16_t>(row);
  if (width <= 9) return col.Get<int32_t>(row);
  if (width <= 18) return col.Get<int64_t>(row);
  return internal::FromHugeint(col.Get<duckdb_hugeint>(row));
}

Value NestedValue(void* vector, const LogicalType& type, size_t row) {
  auto vec = static_cast<duckdb_vector>(vector);
  std::vector<Value> kids;
  switch (type.id) {
    case TypeId::kList:
    case TypeId::kMap: {
      const auto* entries = static_cast<const duckdb_list_entry*>(duckdb_vector_get_data(vec));
      const duckdb_list_entry e = entries[row];
      duckdb_vector child = duckdb_list_vector_get_child(vec);
      if (type.id == TypeId::kList) {
        ColumnView c(child, &type.children[0]);
        for (uint64_t i = 0; i < e.length; ++i) kids.push_back(c.GetValue(e.offset + i));
        break;
      }
      // A MAP's child is STRUCT(key, value).
      LogicalType entry = LogicalType::Of(TypeId::kStruct);
      entry.children = type.children;
      entry.child_names = {"key", "value"};
      ColumnView keys(duckdb_struct_vector_get_child(child, 0), &type.children[0]);
      ColumnView values(duckdb_struct_vector_get_child(child, 1), &type.children[1]);
      for (uint64_t i = 0; i < e.length; ++i) {
        kids.push_back(
            Value::Nested(entry, {keys.GetValue(e.offset + i), values.GetValue(e.offset + i)}));
      }
      break;
    }
    case TypeId::kArray: {
      ColumnView c(duckdb_array_vector_get_child(vec), &type.children[0]);
      for (uint64_t i = 0; i < type.array_size; ++i) {
        kids.push_back(c.GetValue(row * type.array_size + i));
      }
      break;
    }
    case TypeId::kStruct:
      for (size_t i = 0; i < type.children.size(); ++i) {
        ColumnView c(duckdb_struct_vector_get_child(vec, i), &type.children[i]);
        kids.push_back(c.GetValue(row));
      }
      break;
    case TypeId::kUnion: {
      // Physically STRUCT(tag UTINYINT, member_0, member_1, ...).
      static const LogicalType kTag = LogicalType::Of(TypeId::kUTinyInt);
      ColumnView tag_col(duckdb_struct_vector_get_child(vec, 0), &kTag);
      const uint8_t tag = tag_col.Get<uint8_t>(row);
      if (tag < type.children.size()) {
        ColumnView c(duckdb_struct_vector_get_child(vec, tag + 1), &type.children[tag]);
        kids.push_back(c.GetValue(row));
      }
      break;
    }
    default:
      return Value::Rendered(type, "<" + type.ToString() + ">");
  }
  return Value::Nested(type, std::move(kids));
}

std::string EnumString(void* vector, size_t index) {
  duckdb_logical_type t = duckdb_vector_get_column_type(static_cast<duckdb_vector>(vector));
  char* s = duckdb_enum_dictionary_value(t, index);
  std::string out = s != nullptr ? s : "";
  duckdb_free(s);
  duckdb_destroy_logical_type(&t);
  return out;
}

size_t EnumIndex(const ColumnView& col, void* vector, size_t row) {
  duckdb_logical_type t = duckdb_vector_get_column_type(static_cast<duckdb_vector>(vector));
  const duckdb_type internal = duckdb_enum_internal_type(t);
  duckdb_destroy_logical_type(&t);
  switch (internal) {
    case DUCKDB_TYPE_UTINYINT:
      return col.Get<uint8_t>(row);
    case DUCKDB_TYPE_USMALLINT:
      return col.Get<uint16_t>(row);
    default:
      return col.Get<uint32_t>(row);
  }
}

}  // namespace

Value ColumnView::GetValue(size_t row) const {
  const LogicalType& t = *type_;
  if (IsNull(row)) return Value::Null(t);
  switch (t.id) {
    case TypeId::kBoolean:
      return Value::Boolean(Get<bool>(row));
    case TypeId::kTinyInt:
      return Value::Integer(Get<int8_t>(row));
    case TypeId::kSmallInt:
      return Value::Integer(Get<int16_t>(row));
    case TypeId::kInteger:
      return Value::Integer(Get<int32_t>(row));
    case TypeId::kBigInt:
      return Value::BigInt(Get<int64_t>(row));
    case TypeId::kUTinyInt:
      return Value::UBigInt(Get<uint8_t>(row));
    case TypeId::kUSmallInt:
      return Value::UBigInt(Get<uint16_t>(row));
    case TypeId::kUInteger:
      return Value::UBigInt(Get<uint32_t>(row));
    case TypeId::kUBigInt:
      return Value::UBigInt(Get<uint64_t>(row));
    case TypeId::kHugeInt:
      return Value::HugeInt(internal::FromHugeint(Get<duckdb_hugeint>(row)));
    case TypeId::kUHugeInt: {
      const auto u = Get<duckdb_uhugeint>(row);
      return Value::Rendered(t, UInt128ToString((static_cast<UInt128>(u.upper) << 64) | u.lower));
    }
    case TypeId::kFloat:
      return Value::Float(Get<float>(row));
    case TypeId::kDouble:
      return Value::Double(Get<double>(row));
    case TypeId::kDecimal:
      return Value::FromDecimal(Decimal{DecimalUnscaled(*this, row), t.width, t.scale});
    case TypeId::kVarchar:
      return Value::Varchar(std::string(GetString(row)));
    case TypeId::kBlob:
      return Value::FromBlob(Blob{std::string(GetString(row))});
    case TypeId::kDate:
      return Value::FromDate(Date{Get<int32_t>(row)});
    case TypeId::kTime:
      return Value::FromTime(Time{Get<int64_t>(row)});
    case TypeId::kTimestamp:
      return Value::FromTimestamp(Timestamp{Get<int64_t>(row)});
    case TypeId::kTimestampS:
      return Value::FromTimestamp(Timestamp{Get<int64_t>(row) * 1'000'000});
    case TypeId::kTimestampMs:
      return Value::FromTimestamp(Timestamp{Get<int64_t>(row) * 1'000});
    case TypeId::kTimestampNs: {
      const int64_t ns = Get<int64_t>(row);
      return Value::FromTimestamp(Timestamp{ns / 1000 - (ns % 1000 < 0 ? 1 : 0)});
    }
    case TypeId::kTimestampTz:
      return Value::FromTimestampTz(TimestampTz{Get<int64_t>(row)});
    case TypeId::kInterval: {
      const auto i = Get<duckdb_interval>(row);
      return Value::FromInterval(Interval{i.months, i.days, i.micros});
    }
    case TypeId::kTimeTz: {
      const duckdb_time_tz_struct tz = duckdb_from_time_tz(Get<duckdb_time_tz>(row));
      const int64_t micros =
          ((tz.time.hour * 60LL + tz.time.min) * 60 + tz.time.sec) * 1'000'000 + tz.time.micros;
      const int off = tz.offset;
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 3600,
                    (std::abs(off) / 60) % 60);
      return Value::Rendered(t, Time{micros}.ToString() + buf);
    }
    case TypeId::kUuid:
      return Value::Rendered(t, UuidToString(internal::FromHugeint(Get<duckdb_hugeint>(row))));
    case TypeId::kEnum:
      return Value::Rendered(t, EnumString(vector_, EnumIndex(*this, vector_, row)));
    default:
      return NestedValue(vector_, t, row);
  }
}

std::string ColumnView::ToString(size_t row) const { return GetValue(row).ToString(); }

}  // namespace carelake::engine
