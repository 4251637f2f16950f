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
#include <string>
#include <vector>

#include "carelake/base/file_system.h"
#include "carelake/base/result.h"
#include "carelake/delta/actions.h"
#include "carelake/engine/connection.h"
#include "carelake/model/types.h"
#include "carelake/project/project.h"
#include "carelake/sql/statement.h"

namespace carelake::model {

// A model's SQL as DuckDB's parser reads it (see sql/statement.h).
struct ParsedModel {
  // Every table the SQL reads (CTEs excluded), as written.
  std::vector<sql::TableRef> refs;
  // The project tables read: `layer.name` (layer in lower case) of each ref
  // whose schema is bronze, silver, gold or _system, then the dimensions of
  // the lookups; each once, in order.
  std::vector<std::string> inputs;
  // The parse tree without positions (whitespace and comments do not count).
  std::string normalized;
};

// Parses the model's SQL (empty for generated dimensions). A syntax error is
// InvalidArgument pointing into the model's file:
// `models/x.sql:3:7: syntax error at or near "FORM"` and the line.
Result<ParsedModel> ParseModel(const project::Model& model, engine::Connection& conn);

// How a model step will build its table, decided before it runs.
struct ModelBuild {
  bool full_refresh = false;  // rebuild from all of its inputs
  std::string definition;     // the fingerprint to record
  std::string reason;         // why in full (empty: as the inputs say)
};
// FailedPrecondition when an incremental model's definition changed and the
// policy is kFail.
Result<ModelBuild> PlanModelBuild(const ModelRequest& request, FileSystem& fs,
                                  engine::Connection& conn);

// What a run would do with the model, without running it.
Result<BuildForecast> ForecastModel(const ModelRequest& request, FileSystem& fs,
                                    engine::Connection& conn);

// Runs one model of any materialization (dimensions: see dimension.h).
Result<ModelResult> RunModel(const ModelRequest& request, FileSystem& fs, engine::Connection& conn);

// What a model step reads, resolved against the lake.
struct ModelInputs {
  // Upstream versions the target has consumed (its `carelake.upstream:`
  // application versions); empty for a new target or a full refresh.
  std::map<std::string, int64_t> consumed;
  std::map<std::string, int64_t> current;  // qualified name -> latest version
  bool changed = false;                    // full refresh, new target, or an input changed since
  // The inputs whose version is newer than the one consumed.
  std::vector<std::string> changed_inputs;
  // Inputs read through new_rows(x) that were changed other than by appends
  // since the model read them (their new rows include rewritten old ones).
  std::vector<std::string> rewritten_inputs;
  // "new data in silver.x (version 3 -> 5)", for the changed inputs.
  std::string InputsReason() const;
  // The model's SQL with `new_rows(x)` replaced: by the rows added to x since
  // `consumed` (when `incremental`), else by all of x.
  std::string sql;
  // Where `sql` differs from the model's text: [begin, end) of the model's
  // text became [sql_begin, sql_end) of `sql`.
  struct Edit {
    size_t begin = 0, end = 0, sql_begin = 0, sql_end = 0;
  };
  std::vector<Edit> edits;
  std::vector<delta::Txn> Txns() const;
  // The offset in the model's text of `offset` in `sql` (the start of an
  // edit for an offset inside one).
  size_t ModelOffset(size_t offset) const;
};
Result<ModelInputs> ResolveInputs(const ModelRequest& request, bool incremental, FileSystem& fs,
                                  engine::Connection& conn);

// An error of DuckDB's running `executed`, whose text from `sql_begin` on is
// `in.sql`, told in terms of the model's file: `models/x.sql:LINE:COL:
// message`, the user's line and a caret (the file alone when DuckDB gives
// no position inside the model's SQL).
Status ModelSqlError(const project::Model& model, const ModelInputs& in,
                     const std::string& executed, size_t sql_begin, const Status& error);

// Checks the model's expectations on the rows of the temporary table
// `rows_table`, adding a RuleResult each to `result` (and failed_rule).
Status CheckModelExpectations(const project::Model& model, const std::string& rows_table,
                              engine::Connection& conn, ModelResult* result);

// The columns (name, DuckDB type) of a query or table.
Result<std::vector<std::pair<std::string, std::string>>> DescribeColumns(engine::Connection& conn,
                                                                         const std::string& query);

}  // namespace carelake::model

#endif  // CARELAKE_MODEL_GOLD_H_
