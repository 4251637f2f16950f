// Gold: SQL models materialized as Delta tables.
//
// A model's SQL names other tables as `layer.name` (bronze, silver, gold);
// those references are its dependencies. The caller registers every table
// as a view `layer.name` on the connection before running a model.
//
// A model commits, with its rows, the version it read of each referenced
// table (Delta application `carelake.upstream:<layer>.<name>`). A full model
// whose references have not changed since is not rebuilt; an incremental one
// reads through `new_rows(layer.name)` only the rows added since.
#ifndef CARELAKE_MODEL_GOLD_H_
#define CARELAKE_MODEL_GOLD_H_

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/actions.h"
#include "carelake/engine/connection.h"
#include "carelake/model/silver.h"
#include "carelake/project/project.h"

namespace carelake::model {

struct Reference {
  std::string layer;  // bronze, silver, gold, _system
  std::string name;
  bool new_rows = false;  // inside new_rows(...)
  // The reference's text in the SQL: `layer.name`, or all of `new_rows(layer.name)`.
  size_t begin = 0;
  size_t end = 0;
  std::string Qualified() const { return layer + "." + name; }
  friend bool operator<(const Reference& a, const Reference& b) {
    return std::tie(a.layer, a.name, a.new_rows) < std::tie(b.layer, b.name, b.new_rows);
  }
};

// The table references in `sql` (outside string literals and comments).
std::vector<Reference> ExtractReferences(const std::string& sql);

struct ModelRequest {
  const project::Model* model = nullptr;
  std::string target_path;
  // Every referenced table: qualified name -> Delta path.
  std::map<std::string, std::string> upstream_paths;
  std::string run_id;
  bool full_refresh = false;
};

struct ModelResult {
  bool committed = false;
  std::string message;
  std::optional<int64_t> version;
  int64_t rows_read = 0;     // rows of the model's query
  int64_t rows_written = 0;  // inserted + updated
  // Stored rows of an incremental model looked up again because their key
  // changed in a dimension.
  int64_t rows_relooked_up = 0;
  std::vector<RuleResult> rules;
  std::string failed_rule;  // a `fail` expectation failed: nothing committed
};

// Runs one model of any materialization (dimensions: see dimension.h).
Result<ModelResult> RunModel(const ModelRequest& request, FileSystem& fs, engine::Connection& conn);

// The tables a model reads: the references in its SQL and the dimensions of
// its lookups (qualified names, each once).
std::vector<std::string> ModelInputNames(const project::Model& model);

// What a model step reads, resolved against the lake.
struct ModelInputs {
  // Upstream versions the target has consumed (its `carelake.upstream:`
  // application versions); empty for a new target or a full refresh.
  std::map<std::string, int64_t> consumed;
  std::map<std::string, int64_t> current;  // qualified name -> latest version
  bool changed = false;                    // full refresh, new target, or an input changed since
  // The model's SQL with `new_rows(x)` replaced: by the rows added to x since
  // `consumed` (when `incremental`), else by all of x.
  std::string sql;
  std::vector<delta::Txn> Txns() const;
};
Result<ModelInputs> ResolveInputs(const ModelRequest& request, bool incremental, FileSystem& fs,
                                  engine::Connection& conn);

// Checks the model's expectations on the rows of the temporary table
// `rows_table`, adding a RuleResult each to `result` (and failed_rule).
Status CheckModelExpectations(const project::Model& model, const std::string& rows_table,
                              engine::Connection& conn, ModelResult* result);

// The columns (name, DuckDB type) of a query or table.
Result<std::vector<std::pair<std::string, std::string>>> DescribeColumns(engine::Connection& conn,
                                                                         const std::string& query);

}  // namespace carelake::model

#endif  // CARELAKE_MODEL_GOLD_H_
