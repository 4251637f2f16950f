#include "carelake/project/models_reader.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <system_error>
#include <utility>

#include "carelake/project/shared_readers.h"

namespace carelake::project {

namespace {

namespace fs = std::filesystem;

using yaml::CheckUnique;
using yaml::Choices;
using yaml::Entry;
using yaml::ErrorAt;
using yaml::Expected;
using yaml::IsIdentifier;
using yaml::Item;
using yaml::Join;
using yaml::MapValue;
using yaml::Normal;
using yaml::Optional;
using yaml::OptionalNames;
using yaml::Quote;
using yaml::ReadBool;
using yaml::ReadChoice;
using yaml::ReadColumnNames;
using yaml::ReadDate;
using yaml::ReadIdentifier;
using yaml::ReadList;
using yaml::ReadNonEmpty;
using yaml::ReadOutcome;
using yaml::ReadSql;
using yaml::ReadText;
using yaml::Required;
using yaml::Suggest;
using yaml::Texts;
using yaml::Value;

constexpr char kModelsDir[] = "models";

Result<Lookup> ReadLookup(const Value& v) {
  static const std::vector<std::string> kKeys = {"dimension", "on", "as_of", "as"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Lookup l;
  l.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(Required(m, "dimension", ReadIdentifier, &l.dimension));
  const Value on = m.Get("on");
  const std::string expected =
      "a map of fact column: dimension key column, or column names (the same in both)";
  if (on.node.IsScalar() || on.node.IsSequence()) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> columns, ReadColumnNames(on));
    if (columns.empty()) return Expected(on, expected);
    for (const Item& c : columns) l.on.emplace_back(c.text, c.text);
  } else if (on.node.IsMap() && on.node.size() > 0) {
    CARELAKE_ASSIGN_OR_RETURN(MapValue pairs, MapValue::Read(on, nullptr));
    for (const auto& [fact_column, value] : pairs.entries()) {
      if (fact_column.empty()) return Expected(value, "a fact column name");
      CARELAKE_ASSIGN_OR_RETURN(std::string dim_column,
                                ReadNonEmpty(value, "a dimension key column"));
      l.on.emplace_back(fact_column, dim_column);
    }
  } else {
    return Expected(on, expected);
  }
  CARELAKE_RETURN_IF_ERROR(Optional(m, "as_of", ReadSql, &l.as_of));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "as", ReadIdentifier, &l.as));
  return l;
}

// Key columns (a string or a list), at least one; `what` names them when
// there are none.
Result<std::vector<std::string>> ReadKey(const Value& v, const std::string& what) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadColumnNames(v));
  if (items.empty()) return Expected(v, what);
  return Texts(items);
}

// The `scd` keys of a type 1 / type 2 dimension (read from the model's map).
Status ReadScd(const MapValue& m, const Value& v, Model& model) {
  Scd& scd = model.scd;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "from", [](const Value& x) { return ReadNonEmpty(x, "a table such as silver.patients"); },
      &scd.from));
  if (!scd.from.empty()) {
    static const std::regex kTable("(bronze|silver|gold)\\.[a-z_][a-z0-9_]*");
    if (!std::regex_match(scd.from, kTable)) {
      return Expected(*m.Find("from"), "a table: bronze.<name>, silver.<name> or gold.<name>");
    }
    if (m.Find("sql") != nullptr) {
      return Expected(*m.Find("sql"), "either from or sql",
                      " and a from (they exclude each other)");
    }
  }
  CARELAKE_RETURN_IF_ERROR(Required(
      m, "key",
      [](const Value& x) { return ReadKey(x, "the natural key columns of the dimension"); },
      &model.key));
  CARELAKE_RETURN_IF_ERROR(Required(m, "sequence_by", ReadSql, &scd.sequence_by));
  CARELAKE_RETURN_IF_ERROR(OptionalNames(m, "track", &scd.track));
  CARELAKE_RETURN_IF_ERROR(OptionalNames(m, "track_except", &scd.track_except));
  if (m.Find("track") != nullptr && m.Find("track_except") != nullptr) {
    return Expected(*m.Find("track_except"), "either track or track_except",
                    " and a track (they exclude each other)");
  }
  CARELAKE_RETURN_IF_ERROR(OptionalNames(m, "except", &scd.except));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "delete_when", ReadSql, &scd.delete_when));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "ignore_null_updates", ReadBool, &scd.ignore_null_updates));
  const bool type2 = model.materialized == Materialization::kScd2;
  for (const char* key : {"surrogate_key", "unknown_member"}) {
    if (!type2 && m.Find(key) != nullptr) {
      return Expected(*m.Find(key), std::string("no ") + key + " with materialized: scd1",
                      " (it applies to scd2)");
    }
  }
  scd.surrogate_key = model.name;
  if (scd.surrogate_key.rfind("dim_", 0) == 0) scd.surrogate_key = scd.surrogate_key.substr(4);
  scd.surrogate_key += "_sk";
  CARELAKE_RETURN_IF_ERROR(Optional(m, "surrogate_key", ReadIdentifier, &scd.surrogate_key));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "unknown_member", ReadBool, &scd.unknown_member));
  // The names the dimension adds must not collide with the change rows'.
  for (const std::vector<std::string>* list : {&scd.track, &scd.track_except, &scd.except}) {
    for (const std::string& c : *list) {
      if (std::find(model.key.begin(), model.key.end(), c) != model.key.end()) {
        return ErrorAt(v.file, v.line, "",
                       "model '" + model.name + "': key column '" + c +
                           "' cannot be listed in track, track_except or except");
      }
    }
  }
  return Status::Ok();
}

// Phase 1: the name, the domain, the SQL file (`*sql_at`: where it is named,
// or the model when it is the default) and the materialization.
Status ReadModelBasics(const MapValue& m, const Value& v, const std::string& project_name,
                       Value* sql_at, Model& model) {
  static const Choices<Materialization> kMaterializations = {
      {"full", Materialization::kFull},
      {"incremental", Materialization::kIncremental},
      {"scd1", Materialization::kScd1},
      {"scd2", Materialization::kScd2},
      {"date_dimension", Materialization::kDateDimension},
      {"time_dimension", Materialization::kTimeDimension}};
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &model.name));
  model.domain = project_name;
  CARELAKE_RETURN_IF_ERROR(Optional(m, "domain", ReadIdentifier, &model.domain));
  model.sql_file = std::string(kModelsDir) + "/" + model.name + ".sql";
  *sql_at = m.Get("sql");
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "sql", [](const Value& x) { return ReadNonEmpty(x, "a .sql file path"); },
      &model.sql_file));
  if (m.Find("sql") == nullptr) sql_at->line = v.line;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "materialized", [](const Value& x) { return ReadChoice(x, kMaterializations); },
      &model.materialized));
  return Status::Ok();
}

// Phase 2: keys that belong to other materializations are errors.
Status CheckMaterializationKeys(const MapValue& m, const Model& model) {
  static const std::set<std::string> kScdKeys = {
      "from",        "sequence_by",         "track",         "track_except",  "except",
      "delete_when", "ignore_null_updates", "surrogate_key", "unknown_member"};
  const std::string materialized =
      m.Find("materialized") != nullptr ? m.Find("materialized")->node.Scalar() : "full";
  const bool scd = model.IsScd();
  const bool date = model.materialized == Materialization::kDateDimension;
  for (const auto& [key, value] : m.entries()) {
    const bool allowed = kScdKeys.count(key)              ? scd
                         : key == "start" || key == "end" ? date
                         : key == "strategy" ? model.materialized == Materialization::kIncremental
                         : key == "lookups" || key == "partition_by" ? !scd && !model.IsGenerated()
                         : key == "sql"                              ? !model.IsGenerated()
                                                                     : true;
    if (!allowed) {
      return Expected(value, "no " + key + " with materialized: " + materialized,
                      key == "strategy" ? " (strategy applies to incremental models)" : "");
    }
  }
  return Status::Ok();
}

// Phase 3: what the materialization needs: the strategy and merge key of an
// incremental model, the scd keys of a dimension, the dates of a date
// dimension.
Status ReadMaterialization(const MapValue& m, const Value& v, Model& model) {
  static const Choices<IncrementalStrategy> kStrategies = {{"append", IncrementalStrategy::kAppend},
                                                           {"merge", IncrementalStrategy::kMerge}};
  if (const Value* strategy = m.Find("strategy")) {
    CARELAKE_ASSIGN_OR_RETURN(model.strategy, ReadChoice(*strategy, kStrategies));
  }
  if (const Value* odc = m.Find("on_definition_change")) {
    CARELAKE_ASSIGN_OR_RETURN(model.on_definition_change, ReadOnDefinitionChange(*odc));
  }
  const bool merge = model.materialized == Materialization::kIncremental &&
                     model.strategy == IncrementalStrategy::kMerge;
  if (model.IsScd()) {
    CARELAKE_RETURN_IF_ERROR(ReadScd(m, v, model));
    if (!model.scd.from.empty()) {
      model.sql_file.clear();
      model.sql = "SELECT * FROM new_rows(" + model.scd.from + ")";
    }
  } else if (const Value* key = m.Find("key")) {
    if (!merge) return Expected(*key, "no key", " (key applies to strategy: merge and scd only)");
  }
  if (merge) {
    CARELAKE_RETURN_IF_ERROR(Required(
        m, "key", [](const Value& x) { return ReadKey(x, "the key columns of the merge"); },
        &model.key));
  }
  if (model.materialized == Materialization::kDateDimension) {
    CARELAKE_RETURN_IF_ERROR(Required(m, "start", ReadDate, &model.date_start));
    CARELAKE_RETURN_IF_ERROR(Required(m, "end", ReadDate, &model.date_end));
    if (model.date_end < model.date_start) {
      return Expected(*m.Find("end"), "a date on or after start " + model.date_start);
    }
  }
  if (model.IsGenerated()) model.sql_file.clear();
  return Status::Ok();
}

// Phase 4: the partition columns, the lookups and the expectations.
Status ReadModelOutputs(const MapValue& m, Model& model) {
  if (m.Find("lookups") != nullptr && model.materialized == Materialization::kIncremental &&
      model.strategy != IncrementalStrategy::kMerge) {
    return Expected(*m.Find("lookups"), "no lookups with strategy: append",
                    " (stored rows are looked up again when a dimension changes: use strategy: "
                    "merge with a key)");
  }
  CARELAKE_RETURN_IF_ERROR(OptionalNames(m, "partition_by", &model.partition_by));
  if (const Value* lookups = m.Find("lookups")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(*lookups, "a list of lookups"));
    for (const Value& item : items) {
      CARELAKE_ASSIGN_OR_RETURN(Lookup l, ReadLookup(item));
      model.lookups.push_back(std::move(l));
    }
  }
  if (const Value* expectations = m.Find("expectations")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items,
                              ReadList(*expectations, "a list of expectations"));
    std::map<std::string, int> seen;
    for (const Value& item : items) {
      CARELAKE_ASSIGN_OR_RETURN(Expectation e, ReadExpectation(item, /*model=*/true));
      CARELAKE_RETURN_IF_ERROR(
          CheckUnique(Entry(item, "name"), e.name, "the expectations of " + model.name, seen));
      model.expectations.push_back(std::move(e));
    }
  }
  return Status::Ok();
}

// A declared model; `*sql_at` is where its SQL file is named (for messages).
Result<Model> ReadModel(const Value& v, const std::string& project_name, Value* sql_at) {
  static const std::vector<std::string> kKeys = {"name",
                                                 "domain",
                                                 "sql",
                                                 "materialized",
                                                 "strategy",
                                                 "key",
                                                 "partition_by",
                                                 "expectations",
                                                 "lookups",
                                                 "from",
                                                 "sequence_by",
                                                 "track",
                                                 "track_except",
                                                 "except",
                                                 "delete_when",
                                                 "ignore_null_updates",
                                                 "surrogate_key",
                                                 "unknown_member",
                                                 "start",
                                                 "end",
                                                 "on_definition_change"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Model model;
  model.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(ReadModelBasics(m, v, project_name, sql_at, model));
  CARELAKE_RETURN_IF_ERROR(CheckMaterializationKeys(m, model));
  CARELAKE_RETURN_IF_ERROR(ReadMaterialization(m, v, model));
  CARELAKE_RETURN_IF_ERROR(ReadModelOutputs(m, model));
  return model;
}

// Reads the model's SQL file into model.sql; `at` is where the file was named
// (for messages), or the model file itself when `at` is null.
Status ReadModelSql(const fs::path& dir, const Value* at, Model& model) {
  std::string text;
  const ReadOutcome outcome = ReadText(dir / model.sql_file, &text);
  std::string problem;
  switch (outcome) {
    case ReadOutcome::kOk:
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) problem = "is empty";
      break;
    case ReadOutcome::kNotFound:
      problem = "not found";
      break;
    case ReadOutcome::kNotAFile:
      problem = "is not a file";
      break;
    case ReadOutcome::kUnreadable:
      problem = "cannot be read";
      break;
  }
  if (problem.empty()) {
    model.sql = std::move(text);
    return Status::Ok();
  }
  if (at == nullptr) return ErrorAt(model.sql_file, 0, "", "the model's SQL file " + problem);
  return yaml::Error(*at, "file '" + model.sql_file + "' " + problem);
}

}  // namespace

Result<std::vector<Model>> ReadModels(const Value& section, const std::string& project_name,
                                      const fs::path& dir) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(section, "a list of models"));
  std::vector<Model> models;
  std::map<std::string, int> names;
  for (const Value& item : items) {
    Value sql_at;
    CARELAKE_ASSIGN_OR_RETURN(Model model, ReadModel(item, project_name, &sql_at));
    CARELAKE_RETURN_IF_ERROR(CheckUnique(Entry(item, "name"), model.name, "models", names));
    if (!model.sql_file.empty()) CARELAKE_RETURN_IF_ERROR(ReadModelSql(dir, &sql_at, model));
    models.push_back(std::move(model));
  }
  return models;
}

Status DiscoverModels(const fs::path& dir, Project& project) {
  std::error_code ec;
  const fs::path models_dir = dir / kModelsDir;
  if (!fs::is_directory(models_dir, ec)) return Status::Ok();
  std::set<fs::path> used;
  for (const Model& m : project.models) used.insert(Normal(dir / m.sql_file));
  std::vector<fs::path> files;
  for (fs::directory_iterator it(models_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& file = it->path();
    if (file.extension() != ".sql" || file.filename().string().front() == '.') continue;
    if (!it->is_regular_file(ec) || used.count(Normal(file)) > 0) continue;
    files.push_back(file);
  }
  if (ec) return IoError("cannot list '" + models_dir.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    Model model;
    model.sql_file = std::string(kModelsDir) + "/" + file.filename().string();
    model.origin = Origin{model.sql_file, 0};
    const std::string stem = file.stem().string();
    if (!IsIdentifier(stem)) {
      const std::string snake = SnakeCase(stem);
      return ErrorAt(model.sql_file, 0, "",
                     "the file name is the model name: expected " +
                         std::string(yaml::kIdentifierRule) + "; got " + Quote(stem) +
                         (IsIdentifier(snake) ? " (rename it to " + snake + ".sql)" : ""));
    }
    if (const Model* declared = project.FindModel(stem)) {
      return ErrorAt(model.sql_file, 0, "",
                     "the file name is the model name: expected a name not declared in " +
                         std::string(kProjectFileName) + "; got " + Quote(stem) + " (declared on " +
                         declared->origin.ToString() + " with sql: " + declared->sql_file + ")");
    }
    model.name = stem;
    model.domain = project.name;
    CARELAKE_RETURN_IF_ERROR(ReadModelSql(dir, nullptr, model));
    project.models.push_back(std::move(model));
  }
  return Status::Ok();
}

Status CheckLookups(Project& project) {
  for (Model& model : project.models) {
    std::set<std::string> outputs;
    for (Lookup& l : model.lookups) {
      const Model* dim = project.FindModel(l.dimension);
      const std::string where = "model '" + model.name + "': lookup of '" + l.dimension + "'";
      // Errors name the lookup's line only (no key path).
      auto error = [&l](const std::string& message) {
        return ErrorAt(l.origin.file, l.origin.line, "", message);
      };
      if (dim == nullptr || dim->materialized != Materialization::kScd2) {
        std::vector<std::string> dims;
        for (const Model& d : project.models) {
          if (d.materialized == Materialization::kScd2) dims.push_back(d.name);
        }
        return error(where + ": expected a model with materialized: scd2" +
                     (dims.empty() ? std::string(" (the project has none)")
                                   : " (one of " + Join(dims) + ")") +
                     Suggest(l.dimension, dims));
      }
      if (dim == &model) return error(where + ": a model cannot look up itself");
      for (const auto& [fact_column, dim_column] : l.on) {
        if (std::find(dim->key.begin(), dim->key.end(), dim_column) == dim->key.end()) {
          return error(where + ": on: expected key columns of " + l.dimension + " (" +
                       Join(dim->key) + "); got '" + dim_column + "'");
        }
      }
      if (l.on.size() != dim->key.size()) {
        return error(where + ": on: expected every key column of " + l.dimension + " (" +
                     Join(dim->key) + ")");
      }
      l.surrogate_key = dim->scd.surrogate_key;
      if (l.as.empty()) l.as = dim->scd.surrogate_key;
      if (!outputs.insert(l.as).second) {
        return error(where + ": expected a unique output column; got '" + l.as +
                     "' again (name it with as:)");
      }
    }
  }
  return Status::Ok();
}

}  // namespace carelake::project
