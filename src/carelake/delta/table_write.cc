// DeltaTable::Write and Delete. A write goes in named phases: the schema and
// partitioning the commit gives the table (a new table, a replaced schema,
// or the table's own, evolved), the rows an overwrite removes, the new data
// files (the main query and its parallel parts, on the executor), the commit.
#include "carelake/base/format.h"
#include "carelake/base/uuid.h"
#include "carelake/delta/table.h"
#include "carelake/delta/table_internal.h"

namespace carelake::delta {

namespace {

using internal::Column;
using internal::ColumnsOf;
using internal::ConformSql;
using internal::DataWriter;
using internal::PartitionColumns;
using internal::RemoveUncommitted;
using internal::StatsNumRecords;
using nlohmann::json;

// The schema and partition columns a write commits.
struct Layout {
  Schema schema;
  std::vector<std::string> partitions;
};

// A new table: the rows' schema, the declared partitioning, and the
// protocol its types need.
Result<Layout> NewTableLayout(const Schema& incoming, const WriteOptions& options, int64_t now_ms,
                              Transaction& txn) {
  Layout out;
  out.schema = incoming;
  CARELAKE_ASSIGN_OR_RETURN(out.partitions, PartitionColumns(out.schema, options.partition_by));
  Metadata meta;
  meta.id = NewUuid();
  meta.schema_string = out.schema.ToJsonString();
  meta.partition_columns = out.partitions;
  meta.configuration = options.properties;
  meta.created_time = now_ms;
  Protocol protocol;
  if (internal::UsesTimestampNtz(out.schema)) {
    protocol.min_reader_version = 3;
    protocol.min_writer_version = 7;
    protocol.reader_features = std::vector<std::string>{"timestampNtz"};
    protocol.writer_features = std::vector<std::string>{"timestampNtz"};
  }
  txn.SetProtocol(protocol);
  txn.SetMetadata(meta);
  return out;
}

// overwrite_schema: the table takes the new rows' schema, and their
// partitioning: the declared one, else the table's columns that the rows
// still have.
Result<Layout> ReplacedLayout(const Snapshot& snapshot, const Schema& incoming,
                              const WriteOptions& options, Transaction& txn) {
  Layout out;
  out.schema = incoming;
  std::vector<std::string> wanted = options.partition_by;
  if (wanted.empty()) {
    for (const std::string& p : snapshot.metadata().partition_columns) {
      if (out.schema.Find(p) != nullptr) wanted.push_back(p);
    }
  }
  CARELAKE_ASSIGN_OR_RETURN(out.partitions, PartitionColumns(out.schema, wanted));
  CARELAKE_RETURN_IF_ERROR(internal::CheckTimestampNtz(snapshot, out.schema));
  Metadata meta = snapshot.metadata();
  meta.schema_string = out.schema.ToJsonString();
  meta.partition_columns = out.partitions;
  for (const auto& [key, value] : options.properties) meta.configuration[key] = value;
  txn.SetMetadata(meta);
  return out;
}

// The table's own partitioning (a write cannot change it) and its schema,
// evolved by the rows' new columns when merge_schema allows.
Result<Layout> EvolvedLayout(const Snapshot& snapshot, const Schema& incoming,
                             const WriteOptions& options, const std::string& table_path,
                             Transaction& txn) {
  Layout out;
  out.partitions = snapshot.metadata().partition_columns;
  if (!options.partition_by.empty()) {
    bool same = options.partition_by.size() == out.partitions.size();
    for (size_t i = 0; same && i < out.partitions.size(); ++i) {
      same = EqualsIgnoreCase(options.partition_by[i], out.partitions[i]);
    }
    if (!same) {
      std::string have;
      for (const std::string& p : out.partitions) have += (have.empty() ? "" : ",") + p;
      return FailedPrecondition("table '" + table_path + "' is partitioned by (" + have +
                                "); a write cannot change its partitioning");
    }
  }
  CARELAKE_ASSIGN_OR_RETURN(out.schema, internal::EvolveSchema(snapshot.schema(), incoming,
                                                               options.merge_schema, table_path));
  CARELAKE_RETURN_IF_ERROR(internal::CheckTimestampNtz(snapshot, out.schema));
  internal::SetChangedMetadata(snapshot, out.schema, options.properties, txn);
  return out;
}

// An overwrite's removals, in `txn`: every file, or (replace_where) the rows
// matching the predicate, whose files' other rows are rewritten (returned).
Result<std::vector<AddFile>> RemoveOverwritten(const Snapshot& snapshot, engine::Connection& conn,
                                               DataWriter& writer, const std::string& rows_sql,
                                               const Schema& schema, const WriteOptions& options,
                                               Transaction& txn, json& parameters,
                                               OperationMetrics* metrics) {
  CARELAKE_RETURN_IF_ERROR(internal::CheckRemovesAllowed(snapshot, "an overwrite"));
  txn.ReadWholeTable();
  if (!options.replace_where) {
    txn.RemoveFiles(
        internal::RemovesFor(snapshot.files(), true, writer.clock.WallMillis(), metrics));
    for (const AddFile& f : snapshot.files()) {
      metrics->rows_deleted += StatsNumRecords(f).value_or(0);
    }
    return std::vector<AddFile>{};
  }
  const std::string& pred = *options.replace_where;
  parameters["predicate"] = pred;
  CARELAKE_ASSIGN_OR_RETURN(
      int64_t outside,
      QueryInt(conn, "SELECT count(*) FROM (" + rows_sql + ") WHERE (" + pred + ") IS NOT TRUE"));
  if (outside > 0) {
    return InvalidArgument(std::to_string(outside) +
                           " of the rows to write do not match the replace predicate '" + pred +
                           "'");
  }
  // Same as Delete(pred), in this transaction.
  return internal::DeleteMatching(snapshot, conn, writer, pred, schema, options.target_file_size,
                                  txn, metrics);
}

// One parallel part of a write, on its own connection: its rows must have
// the main query's columns.
Result<std::vector<AddFile>> WritePart(size_t index, const std::string& part_query,
                                       DataWriter& part_writer, const std::vector<Column>& columns,
                                       const Layout& layout, int64_t target_file_size,
                                       OperationMetrics* metrics) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Column> part_columns,
                            ColumnsOf(part_writer.conn, part_query));
  bool same = part_columns.size() == columns.size();
  for (size_t c = 0; same && c < columns.size(); ++c) {
    same = part_columns[c].name == columns[c].name && part_columns[c].type == columns[c].type;
  }
  if (!same) {
    return InvalidArgument("parallel part " + std::to_string(index + 1) +
                           " of a write does not have the main query's columns");
  }
  CARELAKE_ASSIGN_OR_RETURN(std::string part_sql,
                            ConformSql(part_query, part_columns, layout.schema));
  return part_writer.Write(part_sql, layout.schema, layout.partitions, target_file_size, true,
                           metrics);
}

// The new data files of a write: the main query's on `main`'s connection
// and each parallel part's on its own; if one fails, none stays.
Result<std::vector<AddFile>> WriteNewFiles(DataWriter& main, const std::string& rows_sql,
                                           const std::vector<Column>& columns, const Layout& layout,
                                           const WriteOptions& options, OperationMetrics* metrics) {
  // The parallel parts run on the executor's threads while the main query
  // runs (task n_parts: the main query; any thread may take any task).
  const size_t n_parts = options.parallel_parts.size();
  std::vector<Result<std::vector<AddFile>>> part_adds(n_parts, Internal("part not run"));
  std::vector<OperationMetrics> part_metrics(n_parts);
  Result<std::vector<AddFile>> adds = Internal("main query not run");
  OrDefault(options.executor).ParallelFor(n_parts + 1, 0, [&](size_t i) {
    if (i == n_parts) {
      adds = main.Write(rows_sql, layout.schema, layout.partitions, options.target_file_size, true,
                        metrics);
      return;
    }
    const auto& [part_query, part_conn] = options.parallel_parts[i];
    DataWriter part_writer{main.fs, *part_conn, main.table_path, main.clock};
    part_adds[i] = WritePart(i, part_query, part_writer, columns, layout, options.target_file_size,
                             &part_metrics[i]);
  });
  Status part_status;
  for (size_t i = 0; i < n_parts; ++i) {
    if (!part_adds[i].ok() && part_status.ok()) part_status = part_adds[i].status();
  }
  if (!adds.ok() || !part_status.ok()) {
    for (auto& p : part_adds) {
      if (p.ok()) RemoveUncommitted(main.fs, main.table_path, *p);
    }
    if (adds.ok()) RemoveUncommitted(main.fs, main.table_path, *adds);
    return adds.ok() ? part_status : adds.status();
  }
  for (size_t i = 0; i < n_parts; ++i) {
    adds->insert(adds->end(), part_adds[i]->begin(), part_adds[i]->end());
    metrics->files_added += part_metrics[i].files_added;
    metrics->bytes_added += part_metrics[i].bytes_added;
  }
  for (const AddFile& a : *adds) metrics->rows_inserted += StatsNumRecords(a).value_or(0);
  return adds;
}

}  // namespace

Result<OperationResult> DeltaTable::Write(const std::string& query, const WriteOptions& options) {
  SnapshotPtr snapshot;
  if (Exists()) {
    CARELAKE_ASSIGN_OR_RETURN(snapshot, Load());
    CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable());
  }
  OperationResult result;
  result.version = snapshot ? snapshot->version() : -1;
  if (snapshot && !options.recommit) {
    result.reason = internal::TxnSkipReason(*snapshot, options.txns);
    if (!result.reason.empty()) return result;
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Column> columns, ColumnsOf(conn_, query));
  CARELAKE_ASSIGN_OR_RETURN(Schema incoming, internal::IncomingSchema(columns, options.types));

  Transaction txn(log_, conn_, snapshot, clock_);
  Result<Layout> layout = Internal("no layout");
  if (snapshot == nullptr) {
    layout = NewTableLayout(incoming, options, clock_.WallMillis(), txn);
    if (layout.ok()) CARELAKE_RETURN_IF_ERROR(fs_.CreateDirectories(log_.log_path()));
  } else if (options.overwrite_schema && options.mode == WriteMode::kOverwrite &&
             !options.replace_where &&
             snapshot->Property("delta.columnMapping.mode", "none") == "none") {
    layout = ReplacedLayout(*snapshot, incoming, options, txn);
  } else {
    layout = EvolvedLayout(*snapshot, incoming, options, path(), txn);
  }
  if (!layout.ok()) return layout.status();

  CARELAKE_ASSIGN_OR_RETURN(std::string rows_sql, ConformSql(query, columns, layout->schema));
  json parameters = {{"mode", options.mode == WriteMode::kAppend ? "Append" : "Overwrite"}};
  if (!layout->partitions.empty()) parameters["partitionBy"] = json(layout->partitions).dump();

  DataWriter writer{fs_, conn_, path(), clock_};
  std::vector<AddFile> rewritten;  // replace_where: rows kept from partly matching files
  if (snapshot && options.mode == WriteMode::kOverwrite) {
    CARELAKE_ASSIGN_OR_RETURN(
        rewritten, RemoveOverwritten(*snapshot, conn_, writer, rows_sql, layout->schema, options,
                                     txn, parameters, &result.metrics));
  }
  auto adds = WriteNewFiles(writer, rows_sql, columns, *layout, options, &result.metrics);
  if (!adds.ok()) {
    RemoveUncommitted(fs_, path(), rewritten);
    return adds.status();
  }
  std::vector<AddFile> all_adds = std::move(rewritten);
  all_adds.insert(all_adds.end(), adds->begin(), adds->end());
  txn.AddFiles(all_adds);
  for (const Txn& t : options.txns) txn.AddTxn(t);
  const std::string operation = snapshot == nullptr ? "CREATE TABLE AS SELECT" : "WRITE";
  CARELAKE_RETURN_IF_ERROR(
      internal::CommitInto(txn, operation, parameters, fs_, path(), all_adds, &result));
  return result;
}

Result<OperationResult> DeltaTable::Delete(const std::string& predicate, int64_t target_file_size) {
  CARELAKE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, Load());
  CARELAKE_RETURN_IF_ERROR(snapshot->CheckWritable());
  OperationResult result;
  result.version = snapshot->version();
  CARELAKE_RETURN_IF_ERROR(internal::CheckRemovesAllowed(*snapshot, "DELETE"));
  Transaction txn(log_, conn_, snapshot, clock_);
  txn.ReadWholeTable();
  DataWriter writer{fs_, conn_, path(), clock_};
  CARELAKE_ASSIGN_OR_RETURN(
      std::vector<AddFile> adds,
      internal::DeleteMatching(*snapshot, conn_, writer, predicate, snapshot->schema(),
                               target_file_size, txn, &result.metrics));
  if (result.metrics.files_removed == 0) {
    result.reason = "no rows match '" + predicate + "'";
    return result;
  }
  txn.AddFiles(adds);
  CARELAKE_RETURN_IF_ERROR(internal::CommitInto(
      txn, "DELETE", {{"predicate", json::array({predicate}).dump()}}, fs_, path(), adds, &result));
  return result;
}

}  // namespace carelake::delta
