#include "carelake/project/jobs_reader.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "carelake/schedule/cron.h"
#include "carelake/schedule/time_zone.h"

namespace carelake::project {
namespace {

using yaml::CheckUnique;
using yaml::Choices;
using yaml::Entry;
using yaml::Expected;
using yaml::Item;
using yaml::MapValue;
using yaml::Optional;
using yaml::ReadChoice;
using yaml::ReadDuration;
using yaml::ReadIdentifier;
using yaml::ReadInteger;
using yaml::ReadItems;
using yaml::ReadList;
using yaml::ReadNonEmpty;
using yaml::Required;
using yaml::Suggest;
using yaml::Value;

// Every table a selector may name: layer.name, and bare names.
std::set<std::string> SelectableTables(const Project& project) {
  std::set<std::string> out;
  for (const Source& s : project.sources) out.insert("bronze." + s.table);
  for (const SilverTable& t : project.silver) out.insert("silver." + t.name);
  for (const Model& m : project.models) out.insert("gold." + m.name);
  return out;
}

// A `select:` entry: NAME, NAME+, +NAME or +NAME+, NAME a declared table
// (layer.name, or a bare name that is unambiguous).
Result<std::string> ReadSelector(const Value& v, const std::set<std::string>& tables) {
  CARELAKE_ASSIGN_OR_RETURN(std::string text,
                            ReadNonEmpty(v, "a --select selector (NAME, NAME+, +NAME or +NAME+)"));
  std::string name = text;
  if (!name.empty() && name.front() == '+') name.erase(0, 1);
  if (!name.empty() && name.back() == '+') name.pop_back();
  std::vector<std::string> matches, all(tables.begin(), tables.end());
  for (const std::string& t : tables) {
    if (t == name || t.substr(t.find('.') + 1) == name) matches.push_back(t);
  }
  if (matches.size() == 1) return text;
  if (matches.empty()) {
    return Expected(v, "a table the project declares", Suggest(name, all));
  }
  return Expected(v, "one table",
                  " ('" + name + "' is " + yaml::Join(matches, " and ") + "; use layer.name)");
}

Result<NewFilesTrigger> ReadNewFiles(const Value& v, const Project& project) {
  static const std::vector<std::string> kKeys = {"sources", "min_files", "settle_seconds"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  NewFilesTrigger t;
  std::vector<std::string> names;
  for (const Source& s : project.sources) names.push_back(s.name);
  auto read_source = [&](const Value& x) -> Result<std::string> {
    CARELAKE_ASSIGN_OR_RETURN(std::string name, ReadIdentifier(x));
    for (const std::string& n : names) {
      if (n == name) return name;
    }
    return Expected(x, "a source the project declares", Suggest(name, names));
  };
  CARELAKE_ASSIGN_OR_RETURN(
      std::vector<Item> sources,
      ReadItems(m.Get("sources"), "a source name or a list of them", read_source));
  if (sources.empty()) return Expected(m.Get("sources"), "at least one source");
  t.sources = yaml::Texts(sources);
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "min_files", [](const Value& x) { return ReadInteger(x, 1); }, &t.min_files));
  int64_t settle_s = 2;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "settle_seconds", [](const Value& x) { return ReadInteger(x, 0, 86'400); }, &settle_s));
  t.settle = std::chrono::seconds(settle_s);
  return t;
}

Result<RetryPolicy> ReadRetries(const Value& v) {
  static const std::vector<std::string> kKeys = {"attempts", "backoff_seconds"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  RetryPolicy r;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "attempts", [](const Value& x) { return ReadInteger(x, 1, 100); }, &r.attempts));
  int64_t backoff_s = 10;
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "backoff_seconds", [](const Value& x) { return ReadInteger(x, 0, 86'400); }, &backoff_s));
  r.backoff = std::chrono::seconds(backoff_s);
  return r;
}

Result<Job> ReadJob(const Value& v, const Project& project, const std::set<std::string>& tables) {
  static const std::vector<std::string> kKeys = {"name",     "select",       "schedule",
                                                 "timezone", "on_new_files", "after",
                                                 "retries",  "timeout",      "catchup"};
  static const Choices<Catchup> kCatchups = {{"latest", Catchup::kLatest},
                                             {"none", Catchup::kNone}};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Job job;
  job.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &job.name));
  if (const Value* select = m.Find("select")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items,
                              ReadItems(*select, "a selector or a list of them",
                                        [&](const Value& x) { return ReadSelector(x, tables); }));
    job.select = yaml::Texts(items);
  }
  if (const Value* schedule = m.Find("schedule")) {
    CARELAKE_ASSIGN_OR_RETURN(job.schedule,
                              ReadNonEmpty(*schedule, "a cron expression such as \"0 2 * * *\""));
    auto parsed = schedule::CronSchedule::Parse(job.schedule);
    if (!parsed.ok())
      return Expected(*schedule, "a cron expression", " (" + parsed.status().message() + ")");
  }
  if (const Value* zone = m.Find("timezone")) {
    CARELAKE_ASSIGN_OR_RETURN(job.timezone, ReadNonEmpty(*zone, "an IANA time zone name"));
    if (auto z = schedule::TimeZone::Find(job.timezone); !z.ok()) {
      return Expected(*zone, "an IANA time zone name such as Europe/Lisbon or UTC");
    }
    if (job.schedule.empty()) return Expected(*zone, "no timezone without a schedule");
  }
  if (const Value* files = m.Find("on_new_files")) {
    CARELAKE_ASSIGN_OR_RETURN(job.on_new_files, ReadNewFiles(*files, project));
  }
  if (const Value* after = m.Find("after")) {
    CARELAKE_ASSIGN_OR_RETURN(std::vector<Item> items,
                              ReadItems(*after, "a job name or a list of them", ReadIdentifier));
    job.after = yaml::Texts(items);
  }
  if (const Value* retries = m.Find("retries")) {
    CARELAKE_ASSIGN_OR_RETURN(job.retries, ReadRetries(*retries));
  }
  if (const Value* timeout = m.Find("timeout")) {
    CARELAKE_ASSIGN_OR_RETURN(job.timeout, ReadDuration(*timeout));
  }
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "catchup", [](const Value& x) { return ReadChoice(x, kCatchups); }, &job.catchup));
  return job;
}

// `after:` names other jobs, and no job waits on itself through others.
Status CheckAfter(const std::vector<Job>& jobs, const std::vector<Value>& items) {
  std::map<std::string, size_t> index;
  std::vector<std::string> names;
  for (size_t i = 0; i < jobs.size(); ++i) {
    index[jobs[i].name] = i;
    names.push_back(jobs[i].name);
  }
  for (size_t i = 0; i < jobs.size(); ++i) {
    for (const std::string& a : jobs[i].after) {
      if (!index.count(a)) {
        return Expected(Entry(items[i], "after"), "names of the project's jobs",
                        " ('" + a + "' is not one" + Suggest(a, names) + ")");
      }
    }
  }
  // Follow `after` from each job; coming back to it is a cycle.
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::vector<size_t> stack = {i};
    std::set<size_t> seen;
    while (!stack.empty()) {
      const size_t j = stack.back();
      stack.pop_back();
      for (const std::string& a : jobs[j].after) {
        const size_t k = index[a];
        if (k == i) {
          return Expected(
              Entry(items[i], "after"), "jobs that do not wait on each other",
              " (" + jobs[i].name + " comes after itself through " + jobs[j].name + ")");
        }
        if (seen.insert(k).second) stack.push_back(k);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Job>> ReadJobs(const Value& section, const Project& project) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(section, "a list of jobs"));
  const std::set<std::string> tables = SelectableTables(project);
  std::vector<Job> jobs;
  std::map<std::string, int> names;
  for (const Value& item : items) {
    CARELAKE_ASSIGN_OR_RETURN(Job job, ReadJob(item, project, tables));
    CARELAKE_RETURN_IF_ERROR(CheckUnique(Entry(item, "name"), job.name, "jobs", names));
    jobs.push_back(std::move(job));
  }
  CARELAKE_RETURN_IF_ERROR(CheckAfter(jobs, items));
  return jobs;
}

}  // namespace carelake::project
