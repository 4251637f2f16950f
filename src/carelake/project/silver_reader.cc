#include "carelake/project/silver_reader.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "carelake/project/shared_readers.h"

namespace carelake::project {

namespace {

using yaml::CheckUnique;
using yaml::Choices;
using yaml::Entry;
using yaml::Expected;
using yaml::Item;
using yaml::Join;
using yaml::MapValue;
using yaml::Optional;
using yaml::ReadBool;
using yaml::ReadChoice;
using yaml::ReadColumnNames;
using yaml::ReadIdentifier;
using yaml::ReadItems;
using yaml::ReadList;
using yaml::ReadNonEmpty;
using yaml::ReadSql;
using yaml::ReadString;
using yaml::Required;
using yaml::Suggest;
using yaml::Texts;
using yaml::Value;

Result<SilverColumn> ReadColumn(const Value& v) {
  static const std::vector<std::string> kKeys = {"name", "from", "expr", "type", "format", "pii"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  SilverColumn c;
  c.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &c.name));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "from", [](const Value& x) { return ReadNonEmpty(x, "a bronze column name"); }, &c.from));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "expr", ReadSql, &c.expr));
  if (m.Find("from") != nullptr && m.Find("expr") != nullptr) {
    return Expected(*m.Find("expr"), "either from or expr",
                    " and a from (they exclude each other)");
  }
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "type",
      [](const Value& x) { return ReadNonEmpty(x, "a DuckDB type name such as BIGINT"); },
      &c.type));
  if (const Value* format = m.Find("format")) {
    CARELAKE_ASSIGN_OR_RETURN(
        std::vector<Item> formats,
        ReadItems(*format, "a strptime format or a list of them",
                  [](const Value& x) { return ReadNonEmpty(x, "a strptime format"); }));
    c.formats = Texts(formats);
  }
  CARELAKE_RETURN_IF_ERROR(Optional(m, "pii", ReadBool, &c.pii));
  return c;
}

// `names` (`what`: "key columns", ...) must be declared columns of `table`
// when it declares any.
Status CheckDeclared(const SilverTable& table, const std::vector<Item>& names,
                     const std::string& what) {
  if (table.columns.empty()) return Status::Ok();
  std::vector<std::string> declared;
  for (const SilverColumn& c : table.columns) declared.push_back(c.name);
  for (const Item& name : names) {
    if (std::find(declared.begin(), declared.end(), name.text) != declared.end()) continue;
    return Expected(name.at,
                    what + " declared in " + table.name + ".columns (" + Join(declared) + ")",
                    Suggest(name.text, declared));
  }
  return Status::Ok();
}

// A silver table and, for the cross-table checks, where its `from` was read.
struct SilverEntry {
  SilverTable table;
  Value from;
};

Status ReadNullTokens(const Value& v, SilverTable& t) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items,
                            ReadList(v, "a list of strings such as [\"\", \"N/A\"]"));
  t.null_tokens.clear();
  for (const Value& item : items) {
    // Unquoted NULL, Null, null and ~ are YAML's null, not text.
    if (item.node.IsNull()) return Expected(item, "a string", " (quote it: \"NULL\")");
    CARELAKE_ASSIGN_OR_RETURN(std::string token, ReadString(item));
    t.null_tokens.push_back(std::move(token));
  }
  return Status::Ok();
}

// Phase 1: the name, where the table lives and reads from, and the settings
// that do not depend on its columns.
Status ReadSilverSettings(const MapValue& m, const std::string& project_name, SilverEntry& entry) {
  static const Choices<OtherColumns> kOtherColumns = {{"drop", OtherColumns::kDrop},
                                                      {"keep", OtherColumns::kKeep}};
  static const Choices<Naming> kNamings = {{"snake_case", Naming::kSnakeCase},
                                           {"as_is", Naming::kAsIs}};
  static const Choices<ExpectationAction> kTypeErrorActions = {
      {"warn", ExpectationAction::kWarn},
      {"drop", ExpectationAction::kDrop},
      {"quarantine", ExpectationAction::kQuarantine},
      {"fail", ExpectationAction::kFail}};
  SilverTable& t = entry.table;
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &t.name));
  t.domain = project_name;
  CARELAKE_RETURN_IF_ERROR(Optional(m, "domain", ReadIdentifier, &t.domain));
  entry.from = m.Get("from");
  CARELAKE_ASSIGN_OR_RETURN(t.from, ReadNonEmpty(entry.from, "bronze.<table> or silver.<table>"));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "naming", [](const Value& x) { return ReadChoice(x, kNamings); }, &t.naming));
  if (const Value* tokens = m.Find("null_tokens")) {
    CARELAKE_RETURN_IF_ERROR(ReadNullTokens(*tokens, t));
  }
  CARELAKE_RETURN_IF_ERROR(Optional(m, "trim", ReadBool, &t.trim));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "other_columns", [](const Value& x) { return ReadChoice(x, kOtherColumns); },
      &t.other_columns));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "latest_by", ReadSql, &t.latest_by));
  if (const Value* odc = m.Find("on_definition_change")) {
    CARELAKE_ASSIGN_OR_RETURN(t.on_definition_change, ReadOnDefinitionChange(*odc));
  }
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "on_type_error", [](const Value& x) { return ReadChoice(x, kTypeErrorActions); },
      &t.on_type_error));
  return Status::Ok();
}

// Phase 2: the declared columns, each named once.
Status ReadSilverColumns(const MapValue& m, SilverTable& t) {
  const Value* columns = m.Find("columns");
  if (columns == nullptr) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(*columns, "a list of columns"));
  std::map<std::string, int> seen;
  for (const Value& item : items) {
    CARELAKE_ASSIGN_OR_RETURN(SilverColumn column, ReadColumn(item));
    CARELAKE_RETURN_IF_ERROR(
        CheckUnique(Entry(item, "name"), column.name, "the columns of " + t.name, seen));
    t.columns.push_back(std::move(column));
  }
  return Status::Ok();
}

// Phase 3: the de-duplication key and the partition columns, which must be
// declared columns (when the table declares any).
Status ReadSilverKeys(const MapValue& m, SilverTable& t) {
  if (const Value* key = m.Find("key")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadColumnNames(*key));
    CARELAKE_RETURN_IF_ERROR(CheckDeclared(t, items, "key columns"));
    t.key = Texts(items);
  }
  if (!t.latest_by.empty() && t.key.empty()) {
    return Expected(*m.Find("latest_by"), "a key to go with it",
                    " without one (latest_by picks one row per key)");
  }
  if (const Value* partition = m.Find("partition_by")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items, ReadColumnNames(*partition));
    CARELAKE_RETURN_IF_ERROR(CheckDeclared(t, items, "partition columns"));
    t.partition_by = Texts(items);
  }
  return Status::Ok();
}

// Phase 4: the expectations, named apart from each other and from the
// implicit type rules, fixing declared columns only.
Status ReadSilverExpectations(const MapValue& m, SilverTable& t) {
  const Value* expectations = m.Find("expectations");
  if (expectations == nullptr) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items,
                            ReadList(*expectations, "a list of expectations"));
  std::set<std::string> implicit;
  for (const SilverColumn& c : t.columns) implicit.insert(c.name + "_type");
  std::map<std::string, int> seen;
  for (const Value& item : items) {
    CARELAKE_ASSIGN_OR_RETURN(Expectation e, ReadExpectation(item, /*model=*/false));
    const Value name = Entry(item, "name");
    if (implicit.count(e.name) > 0) {
      return Expected(name, "a name other than the implicit type rules <column>_type");
    }
    CARELAKE_RETURN_IF_ERROR(CheckUnique(name, e.name, "the expectations of " + t.name, seen));
    std::vector<Item> fixed;
    for (const auto& [column, sql] : e.fix) {
      const Value at = Entry(Entry(item, "fix"), column);
      fixed.push_back(Item{column, at.At(YAML::Node(column), at.path, at.line)});
    }
    CARELAKE_RETURN_IF_ERROR(CheckDeclared(t, fixed, "fix columns"));
    t.expectations.push_back(std::move(e));
  }
  return Status::Ok();
}

Result<SilverEntry> ReadSilverTable(const Value& v, const std::string& project_name) {
  static const std::vector<std::string> kKeys = {"name",          "domain",
                                                 "from",          "naming",
                                                 "null_tokens",   "trim",
                                                 "key",           "latest_by",
                                                 "on_type_error", "partition_by",
                                                 "columns",       "expectations",
                                                 "other_columns", "on_definition_change"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  SilverEntry entry;
  entry.table.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(ReadSilverSettings(m, project_name, entry));
  CARELAKE_RETURN_IF_ERROR(ReadSilverColumns(m, entry.table));
  CARELAKE_RETURN_IF_ERROR(ReadSilverKeys(m, entry.table));
  CARELAKE_RETURN_IF_ERROR(ReadSilverExpectations(m, entry.table));
  return entry;
}

}  // namespace

Result<SilverSection> ReadSilver(const Value& section, const std::string& project_name) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(section, "a list of silver tables"));
  SilverSection silver;
  std::map<std::string, int> names;
  for (const Value& item : items) {
    CARELAKE_ASSIGN_OR_RETURN(SilverEntry entry, ReadSilverTable(item, project_name));
    CARELAKE_RETURN_IF_ERROR(
        CheckUnique(Entry(item, "name"), entry.table.name, "silver tables", names));
    silver.tables.push_back(std::move(entry.table));
    silver.from_at.push_back(std::move(entry.from));
  }
  return silver;
}

}  // namespace carelake::project
