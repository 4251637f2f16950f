#include "carelake/delta/actions.h"

namespace carelake::delta {

namespace {

using nlohmann::json;

// Field readers that name what was expected when the JSON does not match.
class Reader {
 public:
  Reader(const json& obj, std::string_view action) : obj_(obj), action_(action) {}

  Status status() const { return status_; }

  std::string RequiredString(const char* key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || !it->is_string()) {
      Fail(std::string("'") + key + "' must be a string");
      return {};
    }
    return it->get<std::string>();
  }

  std::optional<std::string> OptionalString(const char* key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) {
      Fail(std::string("'") + key + "' must be a string");
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  int64_t RequiredInt(const char* key) {
    auto v = OptionalInt(key);
    if (!v.has_value() && status_.ok()) Fail(std::string("'") + key + "' is required");
    return v.value_or(0);
  }

  std::optional<int64_t> OptionalInt(const char* key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) {
      Fail(std::string("'") + key + "' must be an integer");
      return std::nullopt;
    }
    return it->get<int64_t>();
  }

  std::optional<bool> OptionalBool(const char* key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) {
      Fail(std::string("'") + key + "' must be a boolean");
      return std::nullopt;
    }
    return it->get<bool>();
  }

  std::map<std::string, std::string> StringMap(const char* key) {
    std::map<std::string, std::string> out;
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return out;
    if (!it->is_object()) {
      Fail(std::string("'") + key + "' must be an object");
      return out;
    }
    for (auto& [k, v] : it->items()) {
      if (v.is_string()) {
        out[k] = v.get<std::string>();
      } else if (!v.is_null()) {
        out[k] = v.dump();
      }
    }
    return out;
  }

  std::optional<PartitionValues> PartitionMap(const char* key, bool required) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) {
      if (required) Fail(std::string("'") + key + "' is required");
      return std::nullopt;
    }
    if (!it->is_object()) {
      Fail(std::string("'") + key + "' must be an object");
      return std::nullopt;
    }
    PartitionValues out;
    for (auto& [k, v] : it->items()) {
      if (v.is_null()) {
        out[k] = std::nullopt;
      } else if (v.is_string()) {
        out[k] = v.get<std::string>();
      } else {
        out[k] = v.dump();
      }
    }
    return out;
  }

  std::optional<std::vector<std::string>> StringList(const char* key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return std::nullopt;
    if (!it->is_array()) {
      Fail(std::string("'") + key + "' must be an array");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& v : *it) {
      if (!v.is_string()) {
        Fail(std::string("'") + key + "' must hold strings");
        return std::nullopt;
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  std::optional<json> Raw(const char* key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return std::nullopt;
    return *it;
  }

 private:
  void Fail(std::string what) {
    if (status_.ok()) status_ = Corruption("'" + std::string(action_) + "' action: " + what);
  }

  const json& obj_;
  std::string_view action_;
  Status status_;
};

json PartitionJson(const PartitionValues& values) {
  json out = json::object();
  for (const auto& [k, v] : values) out[k] = v.has_value() ? json(*v) : json(nullptr);
  return out;
}

}  // namespace

Result<Action> ParseAction(const json& j) {
  if (!j.is_object() || j.size() != 1) {
    return Corruption("an action must be an object with exactly one key");
  }
  const std::string kind = j.begin().key();
  const json& body = j.begin().value();
  if (!body.is_object()) return Corruption("'" + kind + "' action must be an object");
  Reader r(body, kind);
  if (kind == "protocol") {
    Protocol p;
    p.min_reader_version = static_cast<int32_t>(r.RequiredInt("minReaderVersion"));
    p.min_writer_version = static_cast<int32_t>(r.RequiredInt("minWriterVersion"));
    p.reader_features = r.StringList("readerFeatures");
    p.writer_features = r.StringList("writerFeatures");
    CARELAKE_RETURN_IF_ERROR(r.status());
    return Action(std::move(p));
  }
  if (kind == "metaData") {
    Metadata m;
    m.id = r.RequiredString("id");
    m.name = r.OptionalString("name");
    m.description = r.OptionalString("description");
    if (auto fmt = body.find("format"); fmt != body.end() && fmt->is_object()) {
      Reader f(*fmt, "metaData.format");
      m.format_provider = f.OptionalString("provider").value_or("parquet");
      m.format_options = f.StringMap("options");
      CARELAKE_RETURN_IF_ERROR(f.status());
    }
    // Required by the protocol, but some of Spark's log fixtures omit it; a
    // snapshot without a schema loads but cannot be scanned.
    m.schema_string = r.OptionalString("schemaString").value_or("");
    m.partition_columns = r.StringList("partitionColumns").value_or(std::vector<std::string>{});
    m.configuration = r.StringMap("configuration");
    m.created_time = r.OptionalInt("createdTime");
    CARELAKE_RETURN_IF_ERROR(r.status());
    return Action(std::move(m));
  }
  if (kind == "add") {
    AddFile a;
    a.path = r.RequiredString("path");
    a.partition_values = r.PartitionMap("partitionValues", true).value_or(PartitionValues{});
    a.size = r.RequiredInt("size");
    a.modification_time = r.OptionalInt("modificationTime").value_or(0);
    a.data_change = r.OptionalBool("dataChange").value_or(true);
    a.stats = r.OptionalString("stats");
    a.tags = r.StringMap("tags");
    a.deletion_vector = r.Raw("deletionVector");
    a.base_row_id = r.OptionalInt("baseRowId");
    a.default_row_commit_version = r.OptionalInt("defaultRowCommitVersion");
    CARELAKE_RETURN_IF_ERROR(r.status());
    return Action(std::move(a));
  }
  if (kind == "remove") {
    RemoveFile rm;
    rm.path = r.RequiredString("path");
    rm.deletion_timestamp = r.OptionalInt("deletionTimestamp");
    rm.data_change = r.OptionalBool("dataChange").value_or(true);
    rm.extended_file_metadata = r.OptionalBool("extendedFileMetadata");
    rm.partition_values = r.PartitionMap("partitionValues", false);
    rm.size = r.OptionalInt("size");
    rm.deletion_vector = r.Raw("deletionVector");
    CARELAKE_RETURN_IF_ERROR(r.status());
    return Action(std::move(rm));
  }
  if (kind == "txn") {
    Txn t;
    t.app_id = r.RequiredString("appId");
    t.version = r.RequiredInt("version");
    t.last_updated = r.OptionalInt("lastUpdated");
    CARELAKE_RETURN_IF_ERROR(r.status());
    return Action(std::move(t));
  }
  if (kind == "commitInfo") return Action(CommitInfo{body});
  return Action(OtherAction{kind, body});
}

Result<std::vector<Action>> ParseCommit(std::string_view text, const std::string& source) {
  std::vector<Action> actions;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return Corruption(source + ":" + std::to_string(line_no) + ": not valid JSON");
    }
    Result<Action> action = ParseAction(j);
    if (!action.ok()) {
      return Corruption(source + ":" + std::to_string(line_no) + ": " + action.status().message());
    }
    actions.push_back(std::move(*action));
  }
  return actions;
}

namespace {

struct ToJsonVisitor {
  json operator()(const Protocol& p) const {
    json b = {{"minReaderVersion", p.min_reader_version},
              {"minWriterVersion", p.min_writer_version}};
    if (p.reader_features) b["readerFeatures"] = *p.reader_features;
    if (p.writer_features) b["writerFeatures"] = *p.writer_features;
    return {{"protocol", b}};
  }
  json operator()(const Metadata& m) const {
    json b = {{"id", m.id},
              {"format", {{"provider", m.format_provider}, {"options", m.format_options}}},
              {"schemaString", m.schema_string},
              {"partitionColumns", m.partition_columns},
              {"configuration", m.configuration}};
    if (m.name) b["name"] = *m.name;
    if (m.description) b["description"] = *m.description;
    if (m.created_time) b["createdTime"] = *m.created_time;
    return {{"metaData", b}};
  }
  json operator()(const AddFile& a) const {
    json b = {{"path", a.path},
              {"partitionValues", PartitionJson(a.partition_values)},
              {"size", a.size},
              {"modificationTime", a.modification_time},
              {"dataChange", a.data_change}};
    if (a.stats) b["stats"] = *a.stats;
    if (!a.tags.empty()) b["tags"] = a.tags;
    if (a.deletion_vector) b["deletionVector"] = *a.deletion_vector;
    if (a.base_row_id) b["baseRowId"] = *a.base_row_id;
    if (a.default_row_commit_version) b["defaultRowCommitVersion"] = *a.default_row_commit_version;
    return {{"add", b}};
  }
  json operator()(const RemoveFile& r) const {
    json b = {{"path", r.path}, {"dataChange", r.data_change}};
    if (r.deletion_timestamp) b["deletionTimestamp"] = *r.deletion_timestamp;
    if (r.extended_file_metadata) b["extendedFileMetadata"] = *r.extended_file_metadata;
    if (r.partition_values) b["partitionValues"] = PartitionJson(*r.partition_values);
    if (r.size) b["size"] = *r.size;
    if (r.deletion_vector) b["deletionVector"] = *r.deletion_vector;
    return {{"remove", b}};
  }
  json operator()(const Txn& t) const {
    json b = {{"appId", t.app_id}, {"version", t.version}};
    if (t.last_updated) b["lastUpdated"] = *t.last_updated;
    return {{"txn", b}};
  }
  json operator()(const CommitInfo& c) const { return {{"commitInfo", c.info}}; }
  json operator()(const OtherAction& o) const { return {{o.kind, o.body}}; }
};

}  // namespace

json ToJson(const Action& action) { return std::visit(ToJsonVisitor{}, action); }

std::string SerializeCommit(const std::vector<Action>& actions) {
  std::string out;
  for (const Action& a : actions) {
    out += ToJson(a).dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

}  // namespace carelake::delta
