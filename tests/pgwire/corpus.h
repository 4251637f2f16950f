// The client-query corpora (../shared/testdata/pgwire-client-queries/, see
// its SOURCE.md): a parser of their files and a checker of a statement's
// results against the file's expectations.
//
// The checker knows nothing of how the results were obtained: the
// in-process test (corpus_test.cc: session + translation + catalog) and the
// wire test (libpq against `carelake serve --pg`) both hand it the column
// names and the rows as text (NULL as nullopt), as PostgreSQL prints them.
//
// Header lines (`-- @key: value`, before the SQL):
//   @protocol simple|extended; @param TYPE VALUE ($1, $2... in order);
//   @cols a,b (exactly these columns); @contains a,b (at least these);
//   @ncols N; @rows-min N; @notnull a,#2 (never NULL); @row k=v; k=v (some
//   row has these values; k a name or #n, 1-based); @values-in k=v1,v2
//   (every non-NULL value is one of these); @uint a,b (unsigned integers);
//   @match #1 ~ REGEX (every non-NULL value matches); @results N (number of
//   result sets); @save NAME=col where k=v (a value later files use as
//   {{NAME}}); @tag TAG (the command tag; checked only when the runner
//   reports one). A `[n]` suffix (`@cols[2]`) applies to the n-th result.
//   @origin, @client, @note document the file. {{DB}}, {{USER}},
//   {{SCHEMA}}, {{TABLE}} and saved names are substituted in the SQL, the
//   params and the expectations.
#ifndef CARELAKE_TESTS_PGWIRE_CORPUS_H_
#define CARELAKE_TESTS_PGWIRE_CORPUS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::pgwire::corpus {

using Cell = std::optional<std::string>;  // nullopt: NULL

struct StatementResult {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::string tag;  // "SET", "SELECT 4"...; empty when the runner does not know it
};

// column (a name or "#n") = value
using Condition = std::pair<std::string, std::string>;

// What a client expects of one result.
struct Expectation {
  std::optional<std::vector<std::string>> cols;
  std::vector<std::string> contains;
  std::optional<size_t> ncols;
  std::optional<size_t> rows_min;
  std::vector<std::string> notnull;
  std::vector<std::vector<Condition>> rows;
  std::vector<std::pair<std::string, std::vector<std::string>>> values_in;
  std::vector<std::string> uints;
  std::vector<std::pair<std::string, std::string>> matches;  // column, regex
};

struct Param {
  std::string type;  // "varchar", "int8"...
  std::string value;
};

struct Save {
  std::string name;    // SCHEMA_OID
  std::string column;  // oid
  Condition where;     // nspname={{SCHEMA}}
};

struct CorpusFile {
  std::string name;      // "dbeaver/05-schemas.sql"
  std::string protocol;  // "simple" or "extended"
  std::vector<Param> params;
  std::optional<size_t> results;
  std::map<size_t, Expectation> expect;  // by 1-based result index
  std::vector<Save> saves;
  std::string tag;
  std::string sql;  // everything after the header, as the client sends it
};

using Vars = std::map<std::string, std::string>;

// Parses one file; InvalidArgument naming the file and line for a header
// it does not understand.
Result<CorpusFile> ParseFile(std::string_view name, std::string_view text);
// Every `*.sql` below `dir`, ordered by folder then file name (the order a
// client sends them: @save values flow to later files of the folder).
Result<std::vector<CorpusFile>> LoadCorpus(const std::string& dir);

// {{NAME}} -> vars[NAME] (unknown names are left as they are).
std::string Substitute(std::string_view text, const Vars& vars);

// What does not match, one sentence each; empty when the results pass.
std::vector<std::string> Check(const CorpusFile& file, const std::vector<StatementResult>& results,
                               const Vars& vars);

// Adds the file's @save values to `vars`; NotFound when no row matches.
Status ApplySaves(const CorpusFile& file, const std::vector<StatementResult>& results, Vars& vars);

}  // namespace carelake::pgwire::corpus

#endif  // CARELAKE_TESTS_PGWIRE_CORPUS_H_
