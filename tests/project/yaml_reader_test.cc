// The YAML toolkit the project's section readers share: every error names the
// file, the line and the key path, says what was expected and what was there,
// suggests the closest allowed key or choice for a typo, and refuses to take
// YAML booleans and numbers as text.
#include "carelake/project/yaml_reader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace carelake::project::yaml {
namespace {

constexpr char kFile[] = "jobs.yaml";

// The document `text` as a Value of kFile (fails the test on a YAML error).
Value Parse(const std::string& text) {
  Result<Value> v =
      ReadDocument<Value>(kFile, text, [](const Value& doc) -> Result<Value> { return doc; });
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : Value{};
}

// The value under `key` of the map document `text`.
Value Under(const std::string& text, const std::string& key) {
  Result<MapValue> m = MapValue::Read(Parse(text), nullptr);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? m->Get(key) : Value{};
}

template <typename T>
std::string ErrorOf(const Result<T>& result) {
  if (result.ok()) return "(no error)";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status();
  return result.status().message();
}

std::string ErrorOf(const Status& status) {
  if (status.ok()) return "(no error)";
  return status.message();
}

TEST(YamlReaderTest, ErrorsNameTheFileTheLineAndTheKeyPath) {
  const Value jobs = Under("name: nightly\njobs:\n  - name: load\n    retries: lots\n", "jobs");
  Result<std::vector<Value>> items = ReadList(jobs, "a list of jobs");
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].path, "jobs[0]");
  EXPECT_EQ((*items)[0].line, 3);
  Result<MapValue> job = MapValue::Read((*items)[0], std::vector<std::string>{"name", "retries"});
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(ErrorOf(ReadInteger(job->Get("retries"), 0, 10)),
            "jobs.yaml:4: jobs[0].retries: expected an integer from 0 to 10; got 'lots'");
  EXPECT_EQ(job->Get("retries").origin().ToString(), "jobs.yaml:4");
}

TEST(YamlReaderTest, AnUnknownKeySuggestsTheClosestAllowedOne) {
  const std::vector<std::string> keys = {"schedule", "retries", "timeout"};
  EXPECT_EQ(ErrorOf(MapValue::Read(Parse("retries: 1\nschedual: daily\n"), keys)),
            "jobs.yaml:2: expected one of the keys schedule, retries, timeout; got 'schedual' "
            "(did you mean 'schedule'?)");
  // Nested: the message names the map's path; case does not hide a typo.
  const Value job = Under("job:\n  Timeout: 5m\n", "job");
  EXPECT_EQ(ErrorOf(MapValue::Read(job, keys)),
            "jobs.yaml:2: job: expected one of the keys schedule, retries, timeout; got 'Timeout' "
            "(did you mean 'timeout'?)");
  // A different word is not a typo.
  EXPECT_EQ(ErrorOf(MapValue::Read(Parse("owner: me\n"), keys)),
            "jobs.yaml:1: expected one of the keys schedule, retries, timeout; got 'owner'");
}

TEST(YamlReaderTest, SuggestsOnlyCloseMatches) {
  EXPECT_EQ(Suggest("quarantne", {"warn", "quarantine"}), " (did you mean 'quarantine'?)");
  EXPECT_EQ(Suggest("WARN", {"warn", "fail"}), " (did you mean 'warn'?)");
  EXPECT_EQ(Suggest("x", {"y", "z"}), "");  // as long as the word: a different word
  EXPECT_EQ(Suggest("rebuilt", {"fail", "rebuild"}), " (did you mean 'rebuild'?)");
  EXPECT_EQ(Suggest("anything", {}), "");
}

TEST(YamlReaderTest, AMapIsCheckedForShapeAndRepeatedKeys) {
  EXPECT_EQ(ErrorOf(MapValue::Read(Under("job: [a, b]\n", "job"),
                                   std::vector<std::string>{"name", "retries"})),
            "jobs.yaml:1: job: expected a map with keys name, retries; got a list");
  EXPECT_EQ(ErrorOf(MapValue::Read(Parse("name: a\nretries: 1\nname: b\n"), nullptr)),
            "jobs.yaml:3: name: expected each key once; got 'name' again (first on line 1)");
  Result<MapValue> m = MapValue::Read(Parse("b: 1\na: 2\n"), nullptr);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->entries().size(), 2u);
  EXPECT_EQ(m->entries()[0].first, "b");  // in file order
  EXPECT_EQ(m->Find("c"), nullptr);
}

TEST(YamlReaderTest, AnAbsentRequiredKeyIsReportedAtItsMap) {
  Result<MapValue> m = MapValue::Read(Under("x: 1\njob:\n  retries: 2\n", "job"), nullptr);
  ASSERT_TRUE(m.ok()) << m.status();
  std::string name;
  EXPECT_EQ(ErrorOf(Required(*m, "name", ReadIdentifier, &name)),
            "jobs.yaml:2: job.name: expected an identifier ([a-z_][a-z0-9_]*); got nothing (the "
            "key is required)");
  // Optional leaves the default alone when the key is absent.
  bool enabled = true;
  EXPECT_TRUE(Optional(*m, "enabled", ReadBool, &enabled).ok());
  EXPECT_TRUE(enabled);
}

TEST(YamlReaderTest, TextFieldsRefuseBooleansAndNumbersUnlessQuoted) {
  EXPECT_EQ(ErrorOf(ReadString(Under("owner: true\n", "owner"))),
            "jobs.yaml:1: owner: expected a string; got boolean true (quote it to use it as text)");
  EXPECT_EQ(ErrorOf(ReadString(Under("owner: 12\n", "owner"))),
            "jobs.yaml:1: owner: expected a string; got integer 12 (quote it to use it as text)");
  EXPECT_EQ(ErrorOf(ReadString(Under("owner: 1.5e3\n", "owner"))),
            "jobs.yaml:1: owner: expected a string; got number 1.5e3 (quote it to use it as text)");
  EXPECT_EQ(ErrorOf(ReadString(Under("owner: {a: 1}\n", "owner"))),
            "jobs.yaml:1: owner: expected a string; got a map");
  EXPECT_EQ(*ReadString(Under("owner: \"true\"\n", "owner")), "true");
  EXPECT_EQ(*ReadString(Under("owner: yes\n", "owner")), "yes");  // YAML 1.2: text
  EXPECT_EQ(ErrorOf(ReadNonEmpty(Under("owner: \"  \"\n", "owner"), "a name")),
            "jobs.yaml:1: owner: expected a name; got '  '");
  EXPECT_EQ(ErrorOf(ReadSql(Under("check:\n", "check"))),
            "jobs.yaml:1: check: expected an SQL expression; got nothing");
}

TEST(YamlReaderTest, IdentifiersBooleansAndChoices) {
  EXPECT_EQ(*ReadIdentifier(Under("name: daily_load\n", "name")), "daily_load");
  EXPECT_EQ(ErrorOf(ReadIdentifier(Under("name: DailyLoad\n", "name"))),
            "jobs.yaml:1: name: expected an identifier ([a-z_][a-z0-9_]*); got 'DailyLoad' (try "
            "'daily_load')");
  EXPECT_EQ(*ReadBool(Under("on: False\n", "on")), false);
  EXPECT_EQ(ErrorOf(ReadBool(Under("on: yes\n", "on"))),
            "jobs.yaml:1: on: expected true or false; got 'yes'");
  enum class Day { kMon, kTue };
  const Choices<Day> days = {{"mon", Day::kMon}, {"tue", Day::kTue}};
  EXPECT_EQ(*ReadChoice(Under("day: tue\n", "day"), days), Day::kTue);
  EXPECT_EQ(ErrorOf(ReadChoice(Under("day: tues\n", "day"), days)),
            "jobs.yaml:1: day: expected one of mon, tue; got 'tues' (did you mean 'tue'?)");
}

TEST(YamlReaderTest, IntegersAreDecimalAndWithinBounds) {
  EXPECT_EQ(*ReadInteger(Under("n: 42\n", "n")), 42);
  EXPECT_EQ(*ReadInteger(Under("n: -7\n", "n")), -7);
  EXPECT_EQ(*ReadInteger(Under("n: +7\n", "n"), 0), 7);
  EXPECT_EQ(ErrorOf(ReadInteger(Under("n: -1\n", "n"), 0)),
            "jobs.yaml:1: n: expected an integer of at least 0; got integer -1");
  EXPECT_EQ(ErrorOf(ReadInteger(Under("n: 11\n", "n"), std::numeric_limits<int64_t>::min(), 10)),
            "jobs.yaml:1: n: expected an integer of at most 10; got integer 11");
  EXPECT_EQ(ErrorOf(ReadInteger(Under("n: 0x10\n", "n"))),
            "jobs.yaml:1: n: expected an integer; got integer 0x10");
  EXPECT_EQ(ErrorOf(ReadInteger(Under("n: \"3\"\n", "n"))),
            "jobs.yaml:1: n: expected an integer; got '3'");
  EXPECT_EQ(ErrorOf(ReadInteger(Under("n: 99999999999999999999\n", "n"))),
            "jobs.yaml:1: n: expected an integer; got integer 99999999999999999999");
}

TEST(YamlReaderTest, DurationsNeedUnitsLargestFirst) {
  using std::chrono::milliseconds;
  EXPECT_EQ(*ReadDuration(Under("t: 30s\n", "t")), milliseconds(30'000));
  EXPECT_EQ(*ReadDuration(Under("t: 1h30m\n", "t")), milliseconds(5'400'000));
  EXPECT_EQ(*ReadDuration(Under("t: 7d\n", "t")), milliseconds(604'800'000));
  EXPECT_EQ(*ReadDuration(Under("t: 1m500ms\n", "t")), milliseconds(60'500));
  const std::string expected = "jobs.yaml:1: t: expected a duration such as 30s, 15m, 1h30m or 7d";
  EXPECT_EQ(ErrorOf(ReadDuration(Under("t: 30\n", "t"))),
            expected + "; got integer 30 (add a unit: ms, s, m, h or d)");
  EXPECT_EQ(ErrorOf(ReadDuration(Under("t: 30s1m\n", "t"))), expected + "; got '30s1m'");
  EXPECT_EQ(ErrorOf(ReadDuration(Under("t: 1m1m\n", "t"))), expected + "; got '1m1m'");
  EXPECT_EQ(ErrorOf(ReadDuration(Under("t: 5 min\n", "t"))), expected + "; got '5 min'");
  EXPECT_EQ(ErrorOf(ReadDuration(Under("t: \"\"\n", "t"))), expected + "; got ''");
}

TEST(YamlReaderTest, Dates) {
  EXPECT_EQ(*ReadDate(Under("start: 2024-02-29\n", "start")), "2024-02-29");
  EXPECT_EQ(ErrorOf(ReadDate(Under("start: 2024-13-01\n", "start"))),
            "jobs.yaml:1: start: expected a date YYYY-MM-DD; got '2024-13-01'");
}

TEST(YamlReaderTest, ListsAndColumnNames) {
  EXPECT_TRUE(ReadList(Under("jobs:\n", "jobs"), "a list of jobs")->empty());
  EXPECT_TRUE(ReadList(Under("x: 1\n", "jobs"), "a list of jobs")->empty());  // absent
  EXPECT_EQ(ErrorOf(ReadList(Under("jobs: load\n", "jobs"), "a list of jobs")),
            "jobs.yaml:1: jobs: expected a list of jobs; got 'load'");

  Result<std::vector<Item>> one = ReadColumnNames(Under("key: id\n", "key"));
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(Texts(*one), std::vector<std::string>{"id"});
  Result<std::vector<Item>> two = ReadColumnNames(Under("key:\n  - id\n  - day\n", "key"));
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(Texts(*two), (std::vector<std::string>{"id", "day"}));
  EXPECT_EQ((*two)[1].at.path, "key[1]");
  EXPECT_EQ((*two)[1].at.line, 3);
  EXPECT_EQ(ErrorOf(ReadColumnNames(Under("key: [id, day, id]\n", "key"))),
            "jobs.yaml:1: key[2]: expected each column once; got 'id' again");
}

TEST(YamlReaderTest, NamesUniqueWithinASet) {
  std::map<std::string, int> seen;
  const Value first = Under("a: load\nb: load\n", "a");
  const Value second = Under("a: load\nb: load\n", "b");
  EXPECT_TRUE(CheckUnique(first, "load", "jobs", seen).ok());
  EXPECT_EQ(
      ErrorOf(CheckUnique(second, "load", "jobs", seen)),
      "jobs.yaml:2: b: expected a name unique among jobs; got 'load' again (first on line 1)");
}

TEST(YamlReaderTest, DocumentsAreOneAndValid) {
  auto read = [](const Value& doc) -> Result<std::string> { return Describe(doc); };
  EXPECT_EQ(*ReadDocument<std::string>(kFile, "", read), "nothing");
  EXPECT_EQ(ErrorOf(ReadDocument<std::string>(kFile, "a: 1\n---\nb: 2\n", read)),
            "jobs.yaml:3: expected one YAML document; got 2");
  const std::string invalid = ErrorOf(ReadDocument<std::string>(kFile, "a: 1\nb: [1, 2\n", read));
  EXPECT_EQ(invalid.rfind("jobs.yaml:", 0), 0u) << invalid;
  EXPECT_NE(invalid.find(": invalid YAML: "), std::string::npos) << invalid;
  // yaml-cpp's exceptions from a reader stop at ReadDocument.
  Result<int> thrown = ReadDocument<int>(
      kFile, "a: text\n", [](const Value& doc) -> Result<int> { return doc.node["a"].as<int>(); });
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.status().message().rfind("jobs.yaml:1: invalid YAML: ", 0), 0u)
      << thrown.status();
}

TEST(YamlReaderTest, QuotedTextIsOneShortLine) {
  EXPECT_EQ(Quote("a\tb\nc"), "'a\\tb\\nc'");
  const std::string quoted = Quote(std::string(100, 'x'));
  EXPECT_EQ(quoted, "'" + std::string(77, 'x') + "...'");
  EXPECT_EQ(ErrorAt("models/a.sql", 0, "", "is empty").message(), "models/a.sql: is empty");
}

}  // namespace
}  // namespace carelake::project::yaml
