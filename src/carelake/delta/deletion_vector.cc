#include "carelake/delta/deletion_vector.h"

#include <roaring/roaring.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>

#include "carelake/delta/snapshot.h"

namespace carelake::delta {

namespace {

constexpr std::string_view kZ85 =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr uint32_t kMagic = 1681511377;

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t Little32(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
uint64_t Little64(const unsigned char* p) {
  return uint64_t{Little32(p)} | (uint64_t{Little32(p + 4)} << 32);
}

// Decodes a serialized RoaringBitmapArray (magic, then the portable 64-bit
// Roaring format: bucket count, then per bucket a 32-bit key and a 32-bit
// portable bitmap).
Result<std::vector<uint64_t>> DecodeBitmapArray(std::string_view data, const std::string& where) {
  auto bad = [&](const std::string& what) {
    return Corruption("deletion vector " + where + ": " + what);
  };
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  if (data.size() < 12) return bad("too short");
  if (Little32(p) != kMagic) return bad("unknown format (magic number)");
  const uint64_t buckets = Little64(p + 4);
  size_t pos = 12;
  std::vector<uint64_t> rows;
  for (uint64_t b = 0; b < buckets; ++b) {
    if (pos + 4 > data.size()) return bad("truncated bucket key");
    const uint64_t key = Little32(p + pos);
    pos += 4;
    const char* bitmap_data = data.data() + pos;
    const size_t size = roaring_bitmap_portable_deserialize_size(bitmap_data, data.size() - pos);
    if (size == 0) return bad("malformed bitmap in bucket " + std::to_string(b));
    roaring_bitmap_t* bitmap = roaring_bitmap_portable_deserialize_safe(bitmap_data, size);
    if (bitmap == nullptr) return bad("malformed bitmap in bucket " + std::to_string(b));
    std::vector<uint32_t> low(roaring_bitmap_get_cardinality(bitmap));
    roaring_bitmap_to_uint32_array(bitmap, low.data());
    roaring_bitmap_free(bitmap);
    for (uint32_t v : low) rows.push_back((key << 32) | v);
    pos += size;
  }
  return rows;
}

std::string UuidText(const std::string& bytes) {
  std::string out;
  char buf[3];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(buf, sizeof(buf), "%02x", static_cast<unsigned char>(bytes[i]));
    out += buf;
  }
  return out;
}

}  // namespace

Result<std::string> Z85Decode(std::string_view text) {
  if (text.size() % 5 != 0) {
    return InvalidArgument("Z85 text of " + std::to_string(text.size()) +
                           " characters is not a multiple of 5");
  }
  std::string out;
  out.reserve(text.size() / 5 * 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t value = 0;
    for (size_t k = 0; k < 5; ++k) {
      const size_t digit = kZ85.find(text[i + k]);
      if (digit == std::string_view::npos) {
        return InvalidArgument(std::string("'") + text[i + k] + "' is not a Z85 character");
      }
      value = value * 85 + digit;
    }
    if (value > 0xFFFFFFFFULL) return InvalidArgument("Z85 group out of range");
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xFF);
  }
  return out;
}

Result<std::optional<std::string>> DeletionVectorFile(const nlohmann::json& descriptor,
                                                      const std::string& table_path) {
  const std::string type = descriptor.value("storageType", "");
  const std::string value = descriptor.value("pathOrInlineDv", "");
  if (type == "i") return std::optional<std::string>();
  if (type == "p") return std::optional<std::string>(ResolveDataPath(table_path, value));
  if (type != "u") return Corruption("deletion vector has unknown storageType '" + type + "'");
  if (value.size() < 20) return Corruption("deletion vector path '" + value + "' is too short");
  CARELAKE_ASSIGN_OR_RETURN(std::string uuid, Z85Decode(value.substr(value.size() - 20)));
  const std::string prefix = value.substr(0, value.size() - 20);
  return std::optional<std::string>(
      JoinPath(prefix.empty() ? table_path : JoinPath(table_path, prefix),
               "deletion_vector_" + UuidText(uuid) + ".bin"));
}

Result<std::vector<uint64_t>> ReadDeletionVector(const nlohmann::json& descriptor,
                                                 const std::string& table_path, FileSystem& fs) {
  const std::string type = descriptor.value("storageType", "");
  const std::string value = descriptor.value("pathOrInlineDv", "");
  const int64_t size = descriptor.value("sizeInBytes", int64_t{-1});
  const int64_t cardinality = descriptor.value("cardinality", int64_t{-1});
  std::vector<uint64_t> rows;
  if (type == "i") {
    CARELAKE_ASSIGN_OR_RETURN(std::string bytes, Z85Decode(value));
    if (size < 0 || static_cast<size_t>(size) > bytes.size()) {
      return Corruption("inline deletion vector: sizeInBytes " + std::to_string(size) +
                        " does not fit its data");
    }
    CARELAKE_ASSIGN_OR_RETURN(
        rows, DecodeBitmapArray(std::string_view(bytes).substr(0, size), "(inline)"));
  } else if (type == "u" || type == "p") {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<std::string> located,
                              DeletionVectorFile(descriptor, table_path));
    if (!located.has_value()) return Internal("deletion vector without a file");
    const std::string path = located.value();
    CARELAKE_ASSIGN_OR_RETURN(std::string file, fs.ReadFile(path));
    const int64_t offset = descriptor.value("offset", int64_t{0});
    const auto* p = reinterpret_cast<const unsigned char*>(file.data());
    if (offset < 1 || static_cast<size_t>(offset) + 4 > file.size()) {
      return Corruption("deletion vector file " + path + ": offset " + std::to_string(offset) +
                        " is outside the file");
    }
    const uint32_t data_size = BigEndian32(p + offset);
    if (static_cast<size_t>(offset) + 8 + data_size > file.size()) {
      return Corruption("deletion vector file " + path + " is truncated at offset " +
                        std::to_string(offset));
    }
    const std::string_view data(file.data() + offset + 4, data_size);
    const uint32_t crc = BigEndian32(p + offset + 4 + data_size);
    const uLong actual =
        crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    if (actual != crc) {
      return Corruption("deletion vector file " + path + ": checksum mismatch at offset " +
                        std::to_string(offset));
    }
    CARELAKE_ASSIGN_OR_RETURN(rows, DecodeBitmapArray(data, path));
  } else {
    return Corruption("deletion vector has unknown storageType '" + type + "'");
  }
  if (cardinality >= 0 && rows.size() != static_cast<uint64_t>(cardinality)) {
    return Corruption("deletion vector holds " + std::to_string(rows.size()) +
                      " rows but its cardinality says " + std::to_string(cardinality));
  }
  return rows;
}

}  // namespace carelake::delta
