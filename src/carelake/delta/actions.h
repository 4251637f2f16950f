// The actions of the Delta transaction log (PROTOCOL.md, "Actions"), and
// their JSON form: one action per line of a commit file.
#ifndef CARELAKE_DELTA_ACTIONS_H_
#define CARELAKE_DELTA_ACTIONS_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::delta {

struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  // Present only for reader version 3 / writer version 7.
  std::optional<std::vector<std::string>> reader_features;
  std::optional<std::vector<std::string>> writer_features;
};

struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string format_provider = "parquet";
  std::map<std::string, std::string> format_options;
  std::string schema_string;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  std::optional<int64_t> created_time;
};

// A partition value; nullopt is a null partition value.
using PartitionValues = std::map<std::string, std::optional<std::string>>;

struct AddFile {
  std::string path;  // URI-encoded, relative to the table root or absolute
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::optional<std::string> stats;  // JSON text
  std::map<std::string, std::string> tags;
  // Present when the file has a deletion vector (an unsupported feature
  // that readers refuse); kept as JSON.
  std::optional<nlohmann::json> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
};

struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  std::optional<PartitionValues> partition_values;
  std::optional<int64_t> size;
  std::optional<nlohmann::json> deletion_vector;
};

struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;
};

// Free-form provenance; kept as the JSON object it is.
struct CommitInfo {
  nlohmann::json info = nlohmann::json::object();
};

// An action this reader does not interpret (cdc, domainMetadata, ...): kept
// so that callers can see which kinds a commit held.
struct OtherAction {
  std::string kind;
  nlohmann::json body;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, Txn, CommitInfo, OtherAction>;

// Parses the actions of one commit file (newline-delimited JSON). `source`
// names the file in errors, which give the line number and what was wrong.
Result<std::vector<Action>> ParseCommit(std::string_view text, const std::string& source);

// Parses one action object ({"add": {...}} and the like).
Result<Action> ParseAction(const nlohmann::json& j);

nlohmann::json ToJson(const Action& action);

// The text of a commit file: one action per line, each line ending "\n".
std::string SerializeCommit(const std::vector<Action>& actions);

}  // namespace carelake::delta

#endif  // CARELAKE_DELTA_ACTIONS_H_
