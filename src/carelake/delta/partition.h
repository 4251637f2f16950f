// Partition values and paths (PROTOCOL.md "Partition Value Serialization"):
// how a partition value is written in the log, how it names a folder, and
// how the folder name is URI-encoded in `add.path`.
#ifndef CARELAKE_DELTA_PARTITION_H_
#define CARELAKE_DELTA_PARTITION_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/delta/actions.h"

namespace carelake::delta {

// The folder name of one partition value, Hive style: "col=value" with the
// characters Hive escapes (control characters, " # % ' * / : = ? \ { [ ] ^
// and DEL) written as %XX; a null or empty value is
// "__HIVE_DEFAULT_PARTITION__".
std::string PartitionDirectoryName(const std::string& column,
                                   const std::optional<std::string>& value);

// "a=1/b=x%2Fy/" for `columns` in order, values taken from `values`.
std::string PartitionDirectory(const std::vector<std::string>& columns,
                               const PartitionValues& values);

// Percent-encodes a relative path for `add.path`: every byte outside
// A-Z a-z 0-9 - . _ ~ / ! $ & ' ( ) * + , ; = : @ becomes %XX.
std::string UriEncodePath(const std::string& path);

// A DuckDB SQL expression over `column_sql` (a column of Delta type `type`)
// that yields the value's serialized partition form as VARCHAR, or NULL.
// NotSupported for types a table cannot be partitioned by (nested types,
// binary, floating point).
Result<std::string> PartitionSerializeSql(const std::string& column_sql,
                                          const nlohmann::json& type);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_PARTITION_H_
