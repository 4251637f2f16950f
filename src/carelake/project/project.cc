// The top level of carelake.yaml: the project's own keys and one reader per
// section (sources_reader, silver_reader, models_reader; the YAML toolkit
// they share is yaml_reader), the checks across sections, and the public
// functions of project.h. A new section gets its own reader file; this file
// only dispatches to it.
#include "carelake/project/project.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "carelake/project/alerts_reader.h"
#include "carelake/project/jobs_reader.h"
#include "carelake/project/models_reader.h"
#include "carelake/project/shared_readers.h"
#include "carelake/project/silver_reader.h"
#include "carelake/project/sources_reader.h"
#include "carelake/project/yaml_reader.h"

namespace carelake::project {

namespace {

namespace fs = std::filesystem;

using yaml::Expected;
using yaml::Join;
using yaml::MapValue;
using yaml::Normal;
using yaml::Optional;
using yaml::ReadIdentifier;
using yaml::ReadNonEmpty;
using yaml::ReadOutcome;
using yaml::Required;
using yaml::Suggest;
using yaml::Value;

// `bronze.<database source>__<table>`: the tables of a database source are
// known only when it is read.
bool IsDatabaseTable(const Project& project, const std::string& qualified) {
  if (qualified.rfind("bronze.", 0) != 0) return false;
  size_t sep = qualified.find("__", 7);
  return sep != std::string::npos && sep + 2 < qualified.size() &&
         project.FindDatabaseSource(qualified.substr(7, sep - 7)) != nullptr;
}

// `from` of every silver table names a source's table or another silver
// table, and silver tables do not read each other in a cycle.
Status CheckSilverSources(const Project& project, const std::vector<Value>& from_at) {
  std::vector<std::string> choices;
  for (const Source& s : project.sources) choices.push_back("bronze." + s.table);
  for (const DatabaseSource& s : project.database_sources) {
    choices.push_back("bronze." + s.name + "__<table>");
  }
  for (const SilverTable& t : project.silver) choices.push_back("silver." + t.name);
  for (size_t i = 0; i < project.silver.size(); ++i) {
    const SilverTable& t = project.silver[i];
    const std::string expected = "bronze.<a source's table> or silver.<another silver table>";
    if (t.from == "silver." + t.name) return Expected(from_at[i], expected, " (itself)");
    if (IsDatabaseTable(project, t.from)) continue;
    if (std::find(choices.begin(), choices.end(), t.from) == choices.end()) {
      const std::string known = choices.empty() ? "" : " (one of " + Join(choices) + ")";
      return Expected(from_at[i], expected + known, Suggest(t.from, choices));
    }
  }
  for (size_t i = 0; i < project.silver.size(); ++i) {
    std::vector<std::string> chain = {project.silver[i].name};
    const SilverTable* t = &project.silver[i];
    while (t->from.rfind("silver.", 0) == 0) {
      t = project.FindSilver(t->from.substr(7));
      chain.push_back(t->name);
      if (t == &project.silver[i]) {
        return Expected(from_at[i], "tables that do not read each other in a cycle",
                        " (" + Join(chain, " <- ") + ")");
      }
      if (chain.size() > project.silver.size() + 1) break;  // a cycle not through i
    }
  }
  return Status::Ok();
}

Result<Project> ReadProject(const Value& document, const fs::path& dir) {
  static const std::vector<std::string> kKeys = {
      "name", "lake", "sources", "silver", "models", "on_definition_change", "jobs", "alerts"};
  Project project;
  project.dir = dir.string();
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(document, kKeys));
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &project.name));
  std::string lake = "lake";
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "lake", [](const Value& x) { return ReadNonEmpty(x, "a folder path"); }, &lake));
  project.lake = Normal(dir / lake).string();
  if (const Value* odc = m.Find("on_definition_change")) {
    CARELAKE_ASSIGN_OR_RETURN(project.on_definition_change, ReadOnDefinitionChange(*odc));
  }

  if (const Value* sources = m.Find("sources")) {
    CARELAKE_ASSIGN_OR_RETURN(SourcesSection read, ReadSources(*sources));
    project.sources = std::move(read.files);
    project.database_sources = std::move(read.databases);
  }
  SilverSection silver;
  if (const Value* section = m.Find("silver")) {
    CARELAKE_ASSIGN_OR_RETURN(silver, ReadSilver(*section, project.name));
  }
  project.silver = std::move(silver.tables);
  CARELAKE_RETURN_IF_ERROR(CheckSilverSources(project, silver.from_at));
  if (const Value* models = m.Find("models")) {
    CARELAKE_ASSIGN_OR_RETURN(project.models, ReadModels(*models, project.name, dir));
  }
  CARELAKE_RETURN_IF_ERROR(DiscoverModels(dir, project));
  CARELAKE_RETURN_IF_ERROR(CheckLookups(project));
  if (const Value* jobs = m.Find("jobs")) {  // last: they name everything else
    CARELAKE_ASSIGN_OR_RETURN(project.jobs, ReadJobs(*jobs, project));
  }
  if (const Value* alerts = m.Find("alerts")) {
    CARELAKE_ASSIGN_OR_RETURN(project.alerts, ReadAlerts(*alerts));
  }
  return project;
}

}  // namespace

std::string Origin::ToString() const { return line > 0 ? file + ":" + std::to_string(line) : file; }

const Source* Project::FindSourceByTable(const std::string& table) const {
  for (const Source& s : sources) {
    if (s.table == table) return &s;
  }
  return nullptr;
}

const DatabaseSource* Project::FindDatabaseSource(const std::string& name) const {
  for (const DatabaseSource& s : database_sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const SilverTable* Project::FindSilver(const std::string& name) const {
  for (const SilverTable& t : silver) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const Model* Project::FindModel(const std::string& name) const {
  for (const Model& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Result<Project> LoadProject(const std::string& dir, const std::string& lake) {
  const std::string shown = dir.empty() ? "." : dir;
  const fs::path project_dir = Normal(shown);
  const fs::path file = project_dir / kProjectFileName;
  std::string text;
  switch (yaml::ReadText(file, &text)) {
    case ReadOutcome::kOk:
      break;
    case ReadOutcome::kNotFound:
      return NotFound("no " + std::string(kProjectFileName) + " in '" + shown + "' (looked for " +
                      file.string() + "); create a project with `carelake init " + shown + "`");
    case ReadOutcome::kNotAFile:
      return InvalidArgument(file.string() + " is not a file");
    case ReadOutcome::kUnreadable:
      return IoError("cannot read " + file.string());
  }
  return yaml::ReadDocument<Project>(
      kProjectFileName, text, [&](const Value& document) -> Result<Project> {
        CARELAKE_ASSIGN_OR_RETURN(Project project, ReadProject(document, project_dir));
        if (!lake.empty()) project.lake = Normal(lake).string();
        return project;
      });
}

std::string SnakeCase(const std::string& name) {
  auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_alnum = [&](char c) { return is_upper(c) || is_lower(c) || is_digit(c); };
  std::string out;
  bool pending_separator = false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!is_alnum(c)) {
      pending_separator = !out.empty();
      continue;
    }
    if (i > 0 && is_upper(c) && !pending_separator) {
      const char prev = name[i - 1];
      const bool next_lower = i + 1 < name.size() && is_lower(name[i + 1]);
      // "patientAge", "top10Items": a capital after a lower case letter or a
      // digit starts a word; "HTTPCode": so does the last capital of a run
      // that a lower case letter follows.
      if (is_lower(prev) || is_digit(prev) || (is_upper(prev) && next_lower)) {
        pending_separator = true;
      }
    }
    if (pending_separator) out += '_';
    pending_separator = false;
    out += is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (!out.empty() && is_digit(out[0])) out.insert(out.begin(), '_');
  return out;
}

std::string ToString(ExpectationAction action) {
  switch (action) {
    case ExpectationAction::kWarn:
      return "warn";
    case ExpectationAction::kDrop:
      return "drop";
    case ExpectationAction::kQuarantine:
      return "quarantine";
    case ExpectationAction::kFail:
      return "fail";
    case ExpectationAction::kFix:
      return "fix";
  }
  return "unknown";
}

bool AlertTarget::Wants(AlertEvent event) const {
  return std::find(on.begin(), on.end(), event) != on.end();
}

std::string ToString(AlertEvent event) {
  switch (event) {
    case AlertEvent::kRunFailed:
      return "run_failed";
    case AlertEvent::kRuleFailed:
      return "rule_failed";
    case AlertEvent::kSourceStale:
      return "source_stale";
    case AlertEvent::kRecovered:
      return "recovered";
    case AlertEvent::kReloadFailed:
      return "reload_failed";
  }
  return "unknown";
}

std::string ToString(SourceFormat format) {
  switch (format) {
    case SourceFormat::kCsv:
      return "csv";
    case SourceFormat::kJson:
      return "json";
    case SourceFormat::kNdjson:
      return "ndjson";
  }
  return "unknown";
}

}  // namespace carelake::project
