#include "carelake/project/shared_readers.h"

#include <string>
#include <utility>
#include <vector>

namespace carelake::project {

namespace {

using yaml::Choices;
using yaml::Expected;
using yaml::MapValue;
using yaml::Optional;
using yaml::ReadChoice;
using yaml::ReadIdentifier;
using yaml::ReadSql;
using yaml::ReadString;
using yaml::Required;
using yaml::Value;

Result<std::vector<std::pair<std::string, std::string>>> ReadFix(const Value& v) {
  const std::string expected = "a map of column: SQL expression";
  if (!v.node.IsMap() || v.node.size() == 0) return Expected(v, expected);
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, nullptr));
  std::vector<std::pair<std::string, std::string>> fix;
  for (const auto& [column, value] : m.entries()) {
    if (column.empty()) return Expected(value, "a column name");
    CARELAKE_ASSIGN_OR_RETURN(std::string sql, ReadSql(value));
    fix.emplace_back(column, std::move(sql));
  }
  return fix;
}

}  // namespace

Result<Expectation> ReadExpectation(const Value& v, bool model) {
  static const std::vector<std::string> kKeys = {"name", "check", "action", "fix", "description"};
  static const Choices<ExpectationAction> kRowActions = {
      {"warn", ExpectationAction::kWarn},
      {"drop", ExpectationAction::kDrop},
      {"quarantine", ExpectationAction::kQuarantine},
      {"fail", ExpectationAction::kFail},
      {"fix", ExpectationAction::kFix}};
  static const Choices<ExpectationAction> kModelActions = {{"warn", ExpectationAction::kWarn},
                                                           {"fail", ExpectationAction::kFail}};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Expectation e;
  e.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &e.name));
  CARELAKE_RETURN_IF_ERROR(Required(m, "check", ReadSql, &e.check));
  const Choices<ExpectationAction>& actions = model ? kModelActions : kRowActions;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "action", [&actions](const Value& x) { return ReadChoice(x, actions); }, &e.action));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "description", [](const Value& x) { return ReadString(x); }, &e.description));
  const Value* fix = m.Find("fix");
  if (e.action == ExpectationAction::kFix) {
    CARELAKE_RETURN_IF_ERROR(Required(m, "fix", ReadFix, &e.fix));
  } else if (fix != nullptr) {
    return Expected(*fix,
                    model ? "no fix (model expectations warn or fail)"
                          : "no fix with action " + ToString(e.action),
                    model ? "" : " (fix: needs action: fix)");
  }
  return e;
}

Result<OnDefinitionChange> ReadOnDefinitionChange(const Value& v) {
  static const Choices<OnDefinitionChange> kChoices = {{"fail", OnDefinitionChange::kFail},
                                                       {"rebuild", OnDefinitionChange::kRebuild}};
  return ReadChoice(v, kChoices);
}

Result<std::chrono::milliseconds> ReadFreshness(const Value& v) {
  static const std::vector<std::string> kKeys = {"warn_after"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  std::chrono::milliseconds warn_after{0};
  CARELAKE_RETURN_IF_ERROR(Required(m, "warn_after", yaml::ReadDuration, &warn_after));
  return warn_after;
}

}  // namespace carelake::project
