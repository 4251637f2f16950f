#include "carelake/delta/snapshot.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "carelake/base/format.h"

namespace carelake::delta {

namespace {

// The key of a logical file: its canonical path and deletion vector id, so
// that "a%20b", "file:/t/a b" and "/t/a b" name the same file.
std::string FileKey(const std::string& table_path, const std::string& path,
                    const std::optional<nlohmann::json>& dv) {
  std::string key = ResolveDataPath(table_path, path);
  if (!dv.has_value()) return key;
  return key + "\n" + dv->value("storageType", "") + dv->value("pathOrInlineDv", "") + "@" +
         std::to_string(dv->value("offset", 0));
}

}  // namespace

std::string UriDecode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 &&
        HexDigitValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string ResolveDataPath(const std::string& table_path, const std::string& uri_path) {
  std::string p = UriDecode(uri_path);
  if (p.rfind("file://", 0) == 0) return p.substr(7);
  if (p.rfind("file:", 0) == 0) return p.substr(5);
  if (!p.empty() && p[0] == '/') return p;
  return JoinPath(table_path, p);
}

std::string Snapshot::DataFilePath(const std::string& uri_path) const {
  return ResolveDataPath(table_path_, uri_path);
}

std::string Snapshot::Property(const std::string& key, const std::string& fallback) const {
  auto it = metadata_.configuration.find(key);
  return it == metadata_.configuration.end() ? fallback : it->second;
}

Status Snapshot::CheckReadable() const {
  const std::string table = "table '" + table_path_ + "'";
  if (metadata_.schema_string.empty()) {
    return Corruption(table + " has no schema: its metaData action lacks 'schemaString'");
  }
  if (protocol_.min_reader_version > 3) {
    return NotSupported(table + " needs Delta reader version " +
                        std::to_string(protocol_.min_reader_version) +
                        "; carelake reads versions 1 to 3");
  }
  const std::string mapping = Property("delta.columnMapping.mode", "none");
  if (mapping != "none" && mapping != "name" && mapping != "id") {
    return NotSupported(table + " uses column mapping mode '" + mapping +
                        "', which carelake does not know");
  }
  if (protocol_.min_reader_version == 3) {
    static const std::set<std::string> kSupported = {
        "timestampNtz", "vacuumProtocolCheck", "columnMapping", "v2Checkpoint", "deletionVectors"};
    for (const std::string& f : protocol_.reader_features.value_or(std::vector<std::string>{})) {
      if (!kSupported.count(f)) {
        return NotSupported(table + " uses the Delta reader feature '" + f +
                            "', which carelake does not support");
      }
    }
  }
  return Status::Ok();
}

Status Snapshot::CheckWritable() const {
  CARELAKE_RETURN_IF_ERROR(CheckReadable());
  const std::string table = "table '" + table_path_ + "'";
  if (protocol_.min_writer_version > 7) {
    return NotSupported(table + " needs Delta writer version " +
                        std::to_string(protocol_.min_writer_version));
  }
  if (protocol_.min_writer_version >= 3 && protocol_.min_writer_version < 7) {
    // Writer versions 3-6 bring CHECK constraints, CDF, column mapping,
    // generated and identity columns, which carelake does not maintain.
    return NotSupported(table + " needs Delta writer version " +
                        std::to_string(protocol_.min_writer_version) +
                        " (constraints, change data feed, column mapping, generated or identity "
                        "columns); carelake writes versions 2 and 7");
  }
  // Column invariants (writer version 2's feature) are not enforced: refuse
  // rather than write rows that might break them.
  if (metadata_.schema_string.find("delta.invariants") != std::string::npos) {
    return NotSupported(table +
                        " has column invariants (delta.invariants), which carelake does "
                        "not enforce");
  }
  if (protocol_.min_writer_version == 7) {
    static const std::set<std::string> kSupported = {"appendOnly", "invariants", "timestampNtz"};
    for (const std::string& f : protocol_.writer_features.value_or(std::vector<std::string>{})) {
      if (!kSupported.count(f)) {
        return NotSupported(table + " uses the Delta writer feature '" + f +
                            "', which carelake does not support");
      }
    }
  }
  return Status::Ok();
}

// Accumulates actions in log order into a Snapshot.
class SnapshotBuilder {
 public:
  explicit SnapshotBuilder(std::string table_path) {
    snap_ = std::make_shared<Snapshot>();
    snap_->table_path_ = std::move(table_path);
  }

  void Apply(Action& action) {
    if (auto* p = std::get_if<Protocol>(&action)) {
      protocol_ = std::move(*p);
    } else if (auto* m = std::get_if<Metadata>(&action)) {
      metadata_ = std::move(*m);
    } else if (auto* a = std::get_if<AddFile>(&action)) {
      const std::string key = FileKey(snap_->table_path_, a->path, a->deletion_vector);
      tombstones_.erase(key);
      files_[key] = std::move(*a);
    } else if (auto* r = std::get_if<RemoveFile>(&action)) {
      const std::string key = FileKey(snap_->table_path_, r->path, r->deletion_vector);
      files_.erase(key);
      tombstones_[key] = std::move(*r);
    } else if (auto* t = std::get_if<Txn>(&action)) {
      snap_->app_versions_[t->app_id] = t->version;
    } else if (auto* c = std::get_if<CommitInfo>(&action)) {
      if (c->info.contains("inCommitTimestamp") &&
          c->info["inCommitTimestamp"].is_number_integer()) {
        commit_timestamp_ = c->info["inCommitTimestamp"].get<int64_t>();
      } else if (c->info.contains("timestamp") && c->info["timestamp"].is_number_integer()) {
        commit_timestamp_ = c->info["timestamp"].get<int64_t>();
      }
    }
  }

  void Reset() {
    protocol_.reset();
    metadata_.reset();
    files_.clear();
    tombstones_.clear();
    snap_->app_versions_.clear();
  }

  void set_commit_timestamp(int64_t ms) { commit_timestamp_ = ms; }

  Result<SnapshotPtr> Finish(int64_t version, std::optional<int64_t> checkpoint_version) {
    const std::string table = "table '" + snap_->table_path_ + "'";
    if (!protocol_.has_value()) {
      return Corruption(table + " at version " + std::to_string(version) +
                        " has no protocol action in its log");
    }
    if (!metadata_.has_value()) {
      return Corruption(table + " at version " + std::to_string(version) +
                        " has no metaData action in its log");
    }
    snap_->version_ = version;
    snap_->protocol_ = std::move(*protocol_);
    snap_->metadata_ = std::move(*metadata_);
    snap_->checkpoint_version_ = checkpoint_version;
    snap_->timestamp_ms_ = commit_timestamp_;
    if (!snap_->metadata_.schema_string.empty()) {
      CARELAKE_ASSIGN_OR_RETURN(snap_->schema_, Schema::Parse(snap_->metadata_.schema_string));
    }
    snap_->files_.reserve(files_.size());
    for (auto& [key, add] : files_) snap_->files_.push_back(std::move(add));
    std::sort(snap_->files_.begin(), snap_->files_.end(),
              [](const AddFile& a, const AddFile& b) { return a.path < b.path; });
    for (auto& [key, rm] : tombstones_) snap_->tombstones_.push_back(std::move(rm));
    return SnapshotPtr(std::move(snap_));
  }

 private:
  std::shared_ptr<Snapshot> snap_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::unordered_map<std::string, AddFile> files_;
  std::unordered_map<std::string, RemoveFile> tombstones_;
  int64_t commit_timestamp_ = 0;
};

namespace {

// Applies one checkpoint action (a JSON object with one non-null key per
// action kind); collects sidecar file names.
Status ApplyCheckpointRow(nlohmann::json& row, const std::string& file, SnapshotBuilder& builder,
                          std::vector<std::string>* sidecars) {
  if (!row.is_object())
    return Corruption("checkpoint " + file + " has a row that is not an object");
  for (auto& [kind, body] : row.items()) {
    if (body.is_null() || kind == "checkpointMetadata") continue;
    if (kind == "sidecar") {
      if (!body.is_object() || !body.contains("path") || !body["path"].is_string()) {
        return Corruption("checkpoint " + file + " has a sidecar action without a path");
      }
      sidecars->push_back(body["path"].get<std::string>());
      continue;
    }
    if (kind == "add" || kind == "remove") {
      // Checkpoints may carry parsed copies; the JSON forms are what count.
      body.erase("stats_parsed");
      body.erase("partitionValues_parsed");
      for (const char* key : {"stats", "tags", "deletionVector", "baseRowId",
                              "defaultRowCommitVersion", "clusteringProvider"}) {
        if (body.contains(key) && body[key].is_null()) body.erase(key);
      }
    }
    Result<Action> action = ParseAction(nlohmann::json{{kind, body}});
    if (!action.ok()) return action.status().WithContext("checkpoint " + file);
    builder.Apply(*action);
  }
  return Status::Ok();
}

// Applies every row of Parquet checkpoint (or sidecar) files through DuckDB.
Status ReadParquetActions(engine::Connection& conn, const std::vector<std::string>& paths,
                          SnapshotBuilder& builder, std::vector<std::string>* sidecars) {
  std::string list;
  for (const std::string& p : paths) list += (list.empty() ? "" : ", ") + QuoteLiteral(p);
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult result,
                            conn.Stream("SELECT to_json(t) FROM read_parquet([" + list +
                                        "], union_by_name = true, hive_partitioning = false) t"));
  while (true) {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<engine::DataChunk> chunk, result.Fetch());
    if (!chunk.has_value()) break;
    engine::ColumnView col = chunk->column(0);
    for (size_t r = 0; r < chunk->size(); ++r) {
      nlohmann::json row = nlohmann::json::parse(col.GetString(r), nullptr, false);
      if (row.is_discarded())
        return Corruption("checkpoint " + paths[0] + " has an unreadable row");
      CARELAKE_RETURN_IF_ERROR(ApplyCheckpointRow(row, paths[0], builder, sidecars));
    }
  }
  return Status::Ok();
}

// Reads every action of a checkpoint: classic or multi-part Parquet, or a V2
// checkpoint (Parquet or JSON) with its sidecar files.
Status ReadCheckpoint(const DeltaLog& log, engine::Connection& conn, const CheckpointFiles& cp,
                      SnapshotBuilder& builder) {
  std::vector<std::string> sidecars;
  const std::string& first = cp.paths.at(0);
  if (first.size() >= 5 && first.compare(first.size() - 5, 5, ".json") == 0) {
    CARELAKE_ASSIGN_OR_RETURN(std::string text, log.fs().ReadFile(first));
    size_t line_no = 0, pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      ++line_no;
      std::string_view line(text.data() + pos, end - pos);
      pos = end + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
      if (row.is_discarded()) {
        return Corruption(first + ":" + std::to_string(line_no) + ": not a JSON object");
      }
      CARELAKE_RETURN_IF_ERROR(ApplyCheckpointRow(row, first, builder, &sidecars));
    }
  } else {
    CARELAKE_RETURN_IF_ERROR(ReadParquetActions(conn, cp.paths, builder, &sidecars));
  }
  if (!sidecars.empty()) {
    std::vector<std::string> paths;
    for (const std::string& s : sidecars) {
      std::string p = UriDecode(s);
      paths.push_back(p[0] == '/' ? p : JoinPath(JoinPath(log.log_path(), "_sidecars"), p));
    }
    std::vector<std::string> nested;
    CARELAKE_RETURN_IF_ERROR(ReadParquetActions(conn, paths, builder, &nested));
    if (!nested.empty()) return Corruption("sidecar file " + paths[0] + " holds sidecar actions");
  }
  return Status::Ok();
}

}  // namespace

Result<SnapshotPtr> LoadSnapshot(const DeltaLog& log, engine::Connection& conn,
                                 std::optional<int64_t> version) {
  CARELAKE_ASSIGN_OR_RETURN(LogListing listing, log.List());
  const std::string table = "table '" + log.table_path() + "'";
  int64_t latest = -1;
  if (!listing.commits.empty()) latest = listing.commits.rbegin()->first;
  if (!listing.checkpoints.empty()) latest = std::max(latest, listing.checkpoints.rbegin()->first);
  if (latest < 0) return NotFound(table + " has an empty _delta_log: no commits");
  const int64_t target = version.value_or(latest);
  if (target > latest || target < 0) {
    return NotFound(table + " has no version " + std::to_string(target) + " (latest is " +
                    std::to_string(latest) + ")");
  }

  // Newest checkpoint at or before the target first, older ones as fallback,
  // then the JSON log alone.
  std::vector<const CheckpointFiles*> candidates;
  for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
    if (it->first <= target && it->second.complete) candidates.push_back(&it->second);
  }
  candidates.push_back(nullptr);

  Status last_error;
  for (const CheckpointFiles* cp : candidates) {
    SnapshotBuilder builder(log.table_path());
    int64_t start = 0;
    if (cp != nullptr) {
      Status s = ReadCheckpoint(log, conn, *cp, builder);
      if (s.code() == StatusCode::kNotSupported) return s;
      if (!s.ok()) {
        last_error = s;
        continue;  // corrupt checkpoint: try an older one
      }
      start = cp->version + 1;
    }
    // The commits after the checkpoint must all be there.
    Status gap;
    for (int64_t v = start; v <= target; ++v) {
      if (!listing.commits.count(v)) {
        gap =
            Corruption(table + ": commit " + CommitFileName(v) + " is missing from _delta_log" +
                       (cp == nullptr ? " and no checkpoint covers it"
                                      : " (after checkpoint " + std::to_string(cp->version) + ")"));
        break;
      }
    }
    if (!gap.ok()) {
      last_error = gap;
      continue;
    }
    if (cp != nullptr && start > target) {
      builder.set_commit_timestamp(
          listing.commits.count(target) ? listing.commits.at(target).modification_time_ms : 0);
    }
    for (int64_t v = start; v <= target; ++v) {
      CARELAKE_ASSIGN_OR_RETURN(std::vector<Action> actions, log.ReadCommit(v));
      builder.set_commit_timestamp(listing.commits.at(v).modification_time_ms);
      for (Action& a : actions) builder.Apply(a);
    }
    return builder.Finish(target,
                          cp != nullptr ? std::optional<int64_t>(cp->version) : std::nullopt);
  }
  return last_error;
}

Result<int64_t> VersionAtTimestamp(const DeltaLog& log, int64_t timestamp_ms) {
  CARELAKE_ASSIGN_OR_RETURN(LogListing listing, log.List());
  std::optional<int64_t> found;
  for (const auto& [version, info] : listing.commits) {
    int64_t ts = info.modification_time_ms;
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Action> actions, log.ReadCommit(version));
    for (const Action& a : actions) {
      if (const auto* c = std::get_if<CommitInfo>(&a)) {
        if (c->info.contains("inCommitTimestamp") &&
            c->info["inCommitTimestamp"].is_number_integer()) {
          ts = c->info["inCommitTimestamp"].get<int64_t>();
        } else if (c->info.contains("timestamp") && c->info["timestamp"].is_number_integer()) {
          ts = c->info["timestamp"].get<int64_t>();
        }
      }
    }
    if (ts <= timestamp_ms) found = version;
  }
  if (!found.has_value()) {
    return NotFound("table '" + log.table_path() + "' has no version at or before timestamp " +
                    std::to_string(timestamp_ms) + " ms");
  }
  return *found;
}

}  // namespace carelake::delta
