// The YAML toolkit every section reader of the project shares: a YAML value
// that knows its file, key path and line; readers that check one value's
// shape and convert it; and the message format of every project error:
//   carelake.yaml:14: silver[0].expectations[2].action: expected one of
//   warn, drop, quarantine, fail, fix; got 'ignore'
//
// Why one toolkit: each section (sources, silver, models, and the ones to
// come) gets its own reader file, and all of them must report mistakes the
// same way: file:line, the key path, what was expected, what was there, and a
// "did you mean" when the value looks like a typo of an allowed one. Plain
// YAML scalars are checked by kind (`true`, `12`, `1.5` are not text unless
// quoted), so a string field never silently takes a boolean or a number.
//
// Internal to the project component (src/carelake/project/); everything here
// reports InvalidArgument for a bad value.
#ifndef CARELAKE_PROJECT_YAML_READER_H_
#define CARELAKE_PROJECT_YAML_READER_H_

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/project/project.h"

namespace carelake::project::yaml {

inline constexpr char kIdentifierRule[] = "an identifier ([a-z_][a-z0-9_]*)";

// ---------------------------------------------------------------------------
// Messages

// `text` quoted for a message: one line, at most 80 characters.
std::string Quote(const std::string& text);

std::string Join(const std::vector<std::string>& items, std::string_view separator = ", ");

std::string Lower(std::string text);

// Levenshtein distance between `a` and `b`.
size_t EditDistance(const std::string& a, const std::string& b);

// " (did you mean 'x'?)" when one of `options` is a likely typo of `got`
// (case-insensitive, at most a third of its letters off, at most 3), else "".
std::string Suggest(const std::string& got, const std::vector<std::string>& options);

// ---------------------------------------------------------------------------
// Values

// What YAML makes of a plain (unquoted) scalar: a quoted or block scalar is
// always a string.
enum class PlainKind { kString, kBoolean, kInteger, kNumber };
PlainKind KindOf(const YAML::Node& node);

// A YAML value with the file, the key path that leads to it and its line, for
// messages.
struct Value {
  YAML::Node node;
  std::string file;     // relative to the project folder: "carelake.yaml"
  std::string path;     // "silver[0].expectations[2].action"; "" for the document
  int line = 0;         // 1-based; 0 when unknown
  bool present = true;  // false: the key is absent (node is null)

  // Another value of the same file.
  Value At(YAML::Node other, std::string other_path, int other_line) const {
    return Value{std::move(other), file, std::move(other_path), other_line};
  }
  // Where the value is declared, for the structs of project.h.
  Origin origin() const { return Origin{file, line}; }
};

// "nothing", "a list", "a map", "boolean true", "integer 12", "number 1.5"
// or the quoted text: what `v` holds, for "got ..." in messages.
std::string Describe(const Value& v);

// "<file>:<line>: <path>: <message>" (":<line>" without a line, "<path>: "
// without a path) as InvalidArgument.
Status ErrorAt(const std::string& file, int line, const std::string& path,
               const std::string& message);

// ErrorAt() at `v`'s file, line and path.
Status Error(const Value& v, const std::string& message);

// "<path>: expected <expected>; got <what v holds><note>".
Status Expected(const Value& v, const std::string& expected, const std::string& note = "");

// ---------------------------------------------------------------------------
// Documents

// Reads a whole file into `*text`.
enum class ReadOutcome { kOk, kNotFound, kNotAFile, kUnreadable };
ReadOutcome ReadText(const std::filesystem::path& path, std::string* text);

// `path` absolute and lexically normal, without a trailing separator.
std::filesystem::path Normal(const std::filesystem::path& path);

// Parses `text`, the contents of `file` (as named in messages), as at most one
// YAML document and reads it with `read` (an empty text is a null document).
// YAML syntax errors become "<file>:<line>: invalid YAML: ..."; yaml-cpp's
// exceptions stop here, also ones `read` lets through (as Internal).
template <typename T>
Result<T> ReadDocument(const std::string& file, const std::string& text,
                       const std::function<Result<T>(const Value&)>& read) {
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1) {
      return ErrorAt(file, documents[1].Mark().line + 1, "",
                     "expected one YAML document; got " + std::to_string(documents.size()));
    }
    return read(Value{documents.empty() ? YAML::Node() : documents[0], file, "", 1});
  } catch (const YAML::Exception& e) {
    return ErrorAt(file, e.mark.is_null() ? 0 : e.mark.line + 1, "", "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Internal(file + ": " + e.what());
  }
}

// ---------------------------------------------------------------------------
// Maps

// The entries of a YAML map, in order, checked against the keys allowed there.
class MapValue {
 public:
  // InvalidArgument when `v` is not a map, repeats a key, or (unless
  // `allowed` is null) holds a key not in `allowed` ("did you mean" the
  // closest allowed key).
  static Result<MapValue> Read(const Value& v, const std::vector<std::string>* allowed);
  static Result<MapValue> Read(const Value& v, const std::vector<std::string>& allowed) {
    return Read(v, &allowed);
  }

  // The value under `key`, or nullptr when the key is absent.
  const Value* Find(const std::string& key) const;
  // The value under `key`, or Missing(key) when the key is absent.
  Value Get(const std::string& key) const;
  // Stands for an absent key in messages: the map's line, the key's path.
  Value Missing(const std::string& key) const;
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }

 private:
  std::string Child(const std::string& key) const;

  Value value_;  // the map itself (node, file, path, line)
  std::vector<std::pair<std::string, Value>> entries_;
};

// The value under `key` of `item`, a map a reader has already checked; `item`
// itself when the key is absent (for messages only).
Value Entry(const Value& item, const std::string& key);

// ---------------------------------------------------------------------------
// Scalars

bool IsIdentifier(const std::string& text);

// A string: a quoted scalar or a plain one YAML would not read as a boolean
// or a number.
Result<std::string> ReadString(const Value& v, const std::string& expected = "a string");

// A string with something other than white space.
Result<std::string> ReadNonEmpty(const Value& v, const std::string& expected);

// A non-empty SQL expression (not parsed here).
Result<std::string> ReadSql(const Value& v);

// An identifier; for other text, "(try 'snake_case')" when that would be one.
Result<std::string> ReadIdentifier(const Value& v);

// A plain true or false (any case YAML allows).
Result<bool> ReadBool(const Value& v);

// A plain integer in [min, max], in decimal.
Result<int64_t> ReadInteger(const Value& v, int64_t min = std::numeric_limits<int64_t>::min(),
                            int64_t max = std::numeric_limits<int64_t>::max());

// A duration: one or more <count><unit> with the units ms, s, m, h and d,
// largest first, e.g. "30s", "15m", "1h30m", "7d". A bare number is an error
// (the unit is not guessed).
Result<std::chrono::milliseconds> ReadDuration(const Value& v);

// A date as YYYY-MM-DD.
Result<std::string> ReadDate(const Value& v);

// Named choices for an enum, in the order messages list them.
template <typename E>
using Choices = std::vector<std::pair<std::string, E>>;

// One of `choices` by name; else "expected one of a, b, c" with a suggestion.
template <typename E>
Result<E> ReadChoice(const Value& v, const Choices<E>& choices) {
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) names.push_back(name);
  const std::string expected = "one of " + Join(names);
  CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadString(v, expected));
  for (const auto& [name, value] : choices) {
    if (name == text) return value;
  }
  return Expected(v, expected, Suggest(text, names));
}

// ---------------------------------------------------------------------------
// Lists

// The elements of a list; no key or an empty value is an empty list.
Result<std::vector<Value>> ReadList(const Value& v, const std::string& expected);

// A text read from a YAML value, with where it was read.
struct Item {
  std::string text;
  Value at;
};

// A string or a list of strings, each checked by `read`.
Result<std::vector<Item>> ReadItems(const Value& v, const std::string& expected,
                                    const std::function<Result<std::string>(const Value&)>& read);

std::vector<std::string> Texts(const std::vector<Item>& items);

// Column names (a string or a list), each non-empty and named once.
Result<std::vector<Item>> ReadColumnNames(const Value& v);

// ---------------------------------------------------------------------------
// Keys of a map

// Reads `key` of `m` into `*out` with `read` when present.
template <typename T, typename Read>
Status Optional(const MapValue& m, const std::string& key, Read read, T* out) {
  const Value* v = m.Find(key);
  if (v == nullptr) return Status::Ok();
  CARELAKE_ASSIGN_OR_RETURN(*out, read(*v));
  return Status::Ok();
}

// Reads `key` of `m` into `*out` with `read`; absent is an error.
template <typename T, typename Read>
Status Required(const MapValue& m, const std::string& key, Read read, T* out) {
  CARELAKE_ASSIGN_OR_RETURN(*out, read(m.Get(key)));
  return Status::Ok();
}

// Reads the column names under `key` of `m` into `*out` when present.
Status OptionalNames(const MapValue& m, const std::string& key, std::vector<std::string>* out);

// `name` must not repeat one in `seen` (name -> line of its first use);
// `among` names the set: "a name unique among <among>".
Status CheckUnique(const Value& at, const std::string& name, const std::string& among,
                   std::map<std::string, int>& seen);

}  // namespace carelake::project::yaml

#endif  // CARELAKE_PROJECT_YAML_READER_H_
