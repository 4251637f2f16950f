#include "carelake/project/sources_reader.h"

#include <map>
#include <string>
#include <utility>

#include "carelake/project/db_sources_reader.h"
#include "carelake/project/shared_readers.h"

namespace carelake::project {

namespace {

using yaml::CheckUnique;
using yaml::Choices;
using yaml::Entry;
using yaml::Expected;
using yaml::MapValue;
using yaml::Optional;
using yaml::ReadBool;
using yaml::ReadChoice;
using yaml::ReadIdentifier;
using yaml::ReadList;
using yaml::ReadNonEmpty;
using yaml::ReadString;
using yaml::Required;
using yaml::Value;

Result<char> ReadChar(const Value& v, bool allow_tab_name) {
  const std::string expected =
      allow_tab_name ? "one character (or \"\\t\" or tab for a tab)" : "one character";
  CARELAKE_ASSIGN_OR_RETURN(std::string text, ReadString(v, expected));
  if (allow_tab_name && (text == "\\t" || text == "tab")) return '\t';
  if (text.size() != 1 || text[0] == '\n' || text[0] == '\r' ||
      static_cast<unsigned char>(text[0]) >= 0x80) {
    return Expected(v, expected);
  }
  return text[0];
}

Status ReadCsv(const Value& v, Source& source) {
  static const std::vector<std::string> kKeys = {"delimiter", "quote", "escape", "header"};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  auto read_delimiter = [](const Value& x) { return ReadChar(x, true); };
  auto read_char = [](const Value& x) { return ReadChar(x, false); };
  CARELAKE_RETURN_IF_ERROR(Optional(m, "delimiter", read_delimiter, &source.delimiter));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "quote", read_char, &source.quote));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "escape", read_char, &source.escape));
  CARELAKE_RETURN_IF_ERROR(Optional(m, "header", ReadBool, &source.header));
  if (source.delimiter == source.quote) {
    const Value* at = m.Find("delimiter");
    return Expected(at != nullptr ? *at : *m.Find("quote"), "a delimiter other than the quote");
  }
  return Status::Ok();
}

Result<Source> ReadSource(const Value& v) {
  static const std::vector<std::string> kKeys = {"name",        "format",   "path", "table",
                                                 "compression", "encoding", "csv",  "freshness"};
  static const Choices<SourceFormat> kFormats = {{"json", SourceFormat::kJson},
                                                 {"ndjson", SourceFormat::kNdjson},
                                                 {"csv", SourceFormat::kCsv}};
  static const Choices<Compression> kCompressions = {
      {"auto", Compression::kAuto}, {"none", Compression::kNone}, {"gzip", Compression::kGzip}};
  static const Choices<Encoding> kEncodings = {{"utf-8", Encoding::kUtf8},
                                               {"latin-1", Encoding::kLatin1}};
  CARELAKE_ASSIGN_OR_RETURN(MapValue m, MapValue::Read(v, kKeys));
  Source source;
  source.origin = v.origin();
  CARELAKE_RETURN_IF_ERROR(Required(m, "name", ReadIdentifier, &source.name));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "format", [](const Value& x) { return ReadChoice(x, kFormats); }, &source.format));
  CARELAKE_RETURN_IF_ERROR(Required(
      m, "path",
      [](const Value& x) { return ReadNonEmpty(x, "a file glob such as landing/*.json"); },
      &source.path));
  source.table = source.name;
  CARELAKE_RETURN_IF_ERROR(Optional(m, "table", ReadIdentifier, &source.table));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "compression", [](const Value& x) { return ReadChoice(x, kCompressions); },
      &source.compression));
  CARELAKE_RETURN_IF_ERROR(Optional(
      m, "encoding", [](const Value& x) { return ReadChoice(x, kEncodings); }, &source.encoding));
  if (const Value* csv = m.Find("csv")) {
    if (source.format != SourceFormat::kCsv) {
      return Expected(*csv, "no csv settings with format " + ToString(source.format),
                      " (csv: applies to format: csv only)");
    }
    CARELAKE_RETURN_IF_ERROR(ReadCsv(*csv, source));
  }
  CARELAKE_RETURN_IF_ERROR(Optional(m, "freshness", ReadFreshness, &source.warn_after));
  return source;
}

}  // namespace

Result<SourcesSection> ReadSources(const Value& section) {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Value> items, ReadList(section, "a list of sources"));
  SourcesSection sources;
  std::map<std::string, int> names, tables;
  for (const Value& item : items) {
    if (IsDatabaseSource(item)) {
      CARELAKE_ASSIGN_OR_RETURN(DatabaseSource db, ReadDatabaseSource(item));
      CARELAKE_RETURN_IF_ERROR(CheckUnique(Entry(item, "name"), db.name, "sources", names));
      sources.databases.push_back(std::move(db));
      continue;
    }
    CARELAKE_ASSIGN_OR_RETURN(Source source, ReadSource(item));
    CARELAKE_RETURN_IF_ERROR(CheckUnique(Entry(item, "name"), source.name, "sources", names));
    const Value table = Entry(item, "table");
    CARELAKE_RETURN_IF_ERROR(CheckUnique(table.node.IsMap() ? Entry(item, "name") : table,
                                         source.table, "the bronze tables of sources", tables));
    sources.files.push_back(std::move(source));
  }
  return sources;
}

}  // namespace carelake::project
