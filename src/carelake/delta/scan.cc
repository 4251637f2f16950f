#include "carelake/delta/scan.h"

#include <map>
#include <set>

#include "carelake/delta/deletion_vector.h"

namespace carelake::delta {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Columns (lower-cased) present in at least one of the files, with the
// DuckDB type they read as.
Result<std::map<std::string, std::string>> FileColumns(engine::Connection& conn,
                                                       const std::string& source) {
  CARELAKE_ASSIGN_OR_RETURN(engine::QueryResult r, conn.Query("DESCRIBE SELECT * FROM " + source));
  CARELAKE_ASSIGN_OR_RETURN(auto rows, r.FetchAllRows());
  std::map<std::string, std::string> out;
  for (const auto& row : rows) out[Lower(row[0].GetString())] = row[1].GetString();
  return out;
}

// `expr` (a value with the data files' physical nested names) rebuilt with
// the logical names of Delta type `type`; nullopt if no name differs.
Result<std::optional<std::string>> LogicalExpr(const std::string& expr, const nlohmann::json& type,
                                               int depth) {
  if (!type.is_object()) return std::optional<std::string>();
  const std::string kind = type.value("type", "");
  const std::string var = "__e" + std::to_string(depth);
  if (kind == "struct") {
    CARELAKE_ASSIGN_OR_RETURN(Schema nested, Schema::Parse(type.dump()));
    bool renamed = false;
    std::string fields;
    for (const Field& f : nested.fields) {
      const std::string child =
          "struct_extract(" + expr + ", " + QuoteLiteral(PhysicalName(f)) + ")";
      CARELAKE_ASSIGN_OR_RETURN(std::optional<std::string> inner,
                                LogicalExpr(child, f.type, depth + 1));
      renamed = renamed || inner.has_value() || PhysicalName(f) != f.name;
      fields +=
          (fields.empty() ? "" : ", ") + QuoteIdentifier(f.name) + " := " + inner.value_or(child);
    }
    if (!renamed) return std::optional<std::string>();
    return std::optional<std::string>("CASE WHEN " + expr + " IS NULL THEN NULL ELSE struct_pack(" +
                                      fields + ") END");
  }
  if (kind == "array") {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<std::string> inner,
                              LogicalExpr(var, type["elementType"], depth + 1));
    if (!inner) return std::optional<std::string>();
    return std::optional<std::string>("list_transform(" + expr + ", lambda " + var + ": " + *inner +
                                      ")");
  }
  if (kind == "map") {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<std::string> key,
                              LogicalExpr(var + ".key", type["keyType"], depth + 1));
    CARELAKE_ASSIGN_OR_RETURN(std::optional<std::string> value,
                              LogicalExpr(var + ".value", type["valueType"], depth + 1));
    if (!key && !value) return std::optional<std::string>();
    return std::optional<std::string>("map_from_entries(list_transform(map_entries(" + expr +
                                      "), lambda " + var +
                                      ": struct_pack(key := " + key.value_or(var + ".key") +
                                      ", value := " + value.value_or(var + ".value") + ")))");
  }
  return std::optional<std::string>();
}

}  // namespace

Result<std::string> PartitionValueSql(const nlohmann::json& type,
                                      const std::optional<std::string>& value) {
  CARELAKE_ASSIGN_OR_RETURN(std::string duck, DuckDbTypeOf(type));
  if (!value.has_value() || value->empty()) return "CAST(NULL AS " + duck + ")";
  // Binary values are serialized as the string of their bytes.
  if (type.is_string() && type.get<std::string>() == "binary") {
    return "encode(" + QuoteLiteral(*value) + ")";
  }
  // "2024-01-31 10:00:00[.ffffff]" is UTC; ISO 8601 forms carry their zone.
  if (type.is_string() && type.get<std::string>() == "timestamp" &&
      value->find('T') == std::string::npos) {
    return "timezone('UTC', CAST(" + QuoteLiteral(*value) + " AS TIMESTAMP))";
  }
  return "CAST(" + QuoteLiteral(*value) + " AS " + duck + ")";
}

Result<std::string> BuildScanSql(const Snapshot& snapshot, engine::Connection& conn,
                                 const ScanOptions& options) {
  CARELAKE_RETURN_IF_ERROR(snapshot.CheckReadable());
  const Schema& schema = snapshot.schema();
  const auto& partition_columns = snapshot.metadata().partition_columns;
  std::set<std::string> partition_set;
  for (const std::string& p : partition_columns) partition_set.insert(Lower(p));
  const bool mapped = snapshot.Property("delta.columnMapping.mode", "none") != "none";

  std::vector<const AddFile*> files;
  for (const AddFile& f : snapshot.files()) {
    if (!options.file_filter || options.file_filter(f)) files.push_back(&f);
  }

  if (files.empty()) {
    std::string sql = "SELECT ";
    bool first = true;
    for (const Field& f : schema.fields) {
      CARELAKE_ASSIGN_OR_RETURN(std::string t, DuckDbTypeOf(f.type));
      sql += (first ? "" : ", ") + std::string("CAST(NULL AS ") + t + ") AS " +
             QuoteIdentifier(f.name);
      first = false;
    }
    if (options.with_file_column)
      sql += std::string(first ? "" : ", ") + "CAST(NULL AS VARCHAR) AS __carelake_file";
    return sql + " WHERE false";
  }

  std::string list;
  for (const AddFile* f : files) {
    list += (list.empty() ? "" : ", ") + QuoteLiteral(snapshot.DataFilePath(f->path));
  }
  bool has_dv = false;
  for (const AddFile* f : files) has_dv = has_dv || f->deletion_vector.has_value();
  // Files are joined to their log entries only for what the entries add:
  // partition values, deletion vectors, the file's name. Without those the
  // scan is the Parquet files alone: a join per row costs as much as the
  // query itself on a wide scan.
  const bool plain = partition_columns.empty() && !has_dv && !options.with_file_column;
  const std::string reader = "read_parquet([" + list +
                             "], union_by_name = true, hive_partitioning = false" +
                             (plain ? "" : ", filename = '__carelake_path'") +
                             (has_dv ? ", file_row_number = true" : "") + ")";
  CARELAKE_ASSIGN_OR_RETURN(auto present, FileColumns(conn, reader));

  std::string select;
  for (const Field& f : schema.fields) {
    CARELAKE_ASSIGN_OR_RETURN(std::string t, DuckDbTypeOf(f.type));
    std::string expr;
    if (partition_set.count(Lower(f.name))) {
      expr = "p." + QuoteIdentifier(f.name);
    } else if (auto it = present.find(Lower(mapped ? PhysicalName(f) : f.name));
               it != present.end()) {
      const std::string column = "d." + QuoteIdentifier(mapped ? PhysicalName(f) : f.name);
      std::optional<std::string> logical;
      if (mapped) {
        CARELAKE_ASSIGN_OR_RETURN(logical, LogicalExpr(column, f.type, 0));
      }
      if (t == "TIMESTAMP WITH TIME ZONE" && it->second == "TIMESTAMP") {
        // INT96 or not-adjusted-to-UTC files: the values are UTC instants.
        expr = "timezone('UTC', " + column + ")";
      } else {
        expr = "CAST(" + logical.value_or(column) + " AS " + t + ")";
      }
    } else {
      expr = "CAST(NULL AS " + t + ")";  // added after these files were written
    }
    select += (select.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(f.name);
  }
  if (select.empty()) return Corruption("table '" + snapshot.table_path() + "' has no columns");

  if (plain) return "SELECT " + select + " FROM " + reader + " AS d";
  // Every file's partition values (and its log path) joined by file name.
  std::string values;
  for (const AddFile* f : files) {
    std::string row = QuoteLiteral(snapshot.DataFilePath(f->path)) + ", " + QuoteLiteral(f->path);
    for (const std::string& p : partition_columns) {
      const Field* field = schema.Find(p);
      if (field == nullptr) {
        return Corruption("partition column '" + p + "' is not in the schema of table '" +
                          snapshot.table_path() + "'");
      }
      auto it = f->partition_values.find(mapped ? PhysicalName(*field) : p);
      std::optional<std::string> v;
      if (it != f->partition_values.end()) v = it->second;
      CARELAKE_ASSIGN_OR_RETURN(std::string lit, PartitionValueSql(field->type, v));
      row += ", " + lit;
    }
    if (has_dv) {
      // Rows the file's deletion vector removes.
      if (!f->deletion_vector.has_value()) {
        row += ", CAST(NULL AS BIGINT[])";
      } else {
        CARELAKE_ASSIGN_OR_RETURN(
            std::vector<uint64_t> deleted,
            ReadDeletionVector(*f->deletion_vector, snapshot.table_path(), LocalFileSystem()));
        std::string rows_list;
        for (uint64_t r : deleted) rows_list += (rows_list.empty() ? "" : ",") + std::to_string(r);
        row += ", CAST([" + rows_list + "] AS BIGINT[])";
      }
    }
    values += (values.empty() ? "(" : ", (") + row + ")";
  }
  std::string names = "__carelake_path, __carelake_file";
  for (const std::string& p : partition_columns) names += ", " + QuoteIdentifier(p);
  if (has_dv) names += ", __carelake_deleted";
  if (options.with_file_column) select += ", p.__carelake_file";
  if (!has_dv) {
    return "SELECT " + select + " FROM " + reader + " AS d JOIN (VALUES " + values + ") AS p(" +
           names + ") ON d.__carelake_path = p.__carelake_path";
  }
  // Deleted rows leave by a hash anti join on (file, row index): linear in
  // rows read plus rows deleted.
  return "WITH __carelake_files(" + names + ") AS (VALUES " + values + ") SELECT " + select +
         " FROM " + reader +
         " AS d JOIN __carelake_files AS p ON d.__carelake_path = p.__carelake_path ANTI JOIN "
         "(SELECT __carelake_path AS dv_path, unnest(__carelake_deleted) AS dv_row FROM "
         "__carelake_files) AS dv ON d.__carelake_path = dv.dv_path AND d.file_row_number = "
         "dv.dv_row";
}

}  // namespace carelake::delta
