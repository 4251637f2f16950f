// Deletion vectors (PROTOCOL.md "Deletion Vectors"): the rows of a data file
// that a table no longer holds, stored inline in the log (Z85) or in a
// `deletion_vector_<uuid>.bin` file as a 64-bit RoaringBitmapArray.
#ifndef CARELAKE_DELTA_DELETION_VECTOR_H_
#define CARELAKE_DELTA_DELETION_VECTOR_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"

namespace carelake::delta {

// Decodes Z85 (the ZeroMQ base-85 variant Delta uses); the length of `text`
// must be a multiple of 5.
Result<std::string> Z85Decode(std::string_view text);

// The local path of the file holding a deletion vector ('u' and 'p'
// storage), or nullopt for an inline one. Corruption for a malformed
// descriptor.
Result<std::optional<std::string>> DeletionVectorFile(const nlohmann::json& descriptor,
                                                      const std::string& table_path);

// The row indexes (0-based positions in the Parquet file) that the
// deletion vector `descriptor` removes, ascending. The file's CRC-32 and
// the descriptor's cardinality are checked: Corruption if they disagree.
Result<std::vector<uint64_t>> ReadDeletionVector(const nlohmann::json& descriptor,
                                                 const std::string& table_path, FileSystem& fs);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_DELETION_VECTOR_H_
