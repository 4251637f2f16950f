#include "corpus.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace carelake::pgwire::corpus {
namespace {

std::string Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(begin, end - begin + 1));
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    out.push_back(Trim(s.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

Result<size_t> ParseCount(const std::string& value) {
  size_t n = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || ptr != value.data() + value.size()) {
    return InvalidArgument("expected a number, got '" + value + "'");
  }
  return n;
}

Result<Condition> ParseCondition(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) return InvalidArgument("expected column=value, got '" + text + "'");
  return Condition{Trim(text.substr(0, eq)), Trim(text.substr(eq + 1))};
}

// Applies one `@key[n]: value` header line to `file`.
Status ApplyHeader(const std::string& key, size_t index, const std::string& value,
                   CorpusFile& file) {
  Expectation& e = file.expect[index];
  if (key == "origin" || key == "client" || key == "note") return Status::Ok();
  if (key == "protocol") {
    file.protocol = value;
  } else if (key == "param") {
    const size_t space = value.find(' ');
    file.params.push_back(
        {value.substr(0, space), space == std::string::npos ? "" : value.substr(space + 1)});
  } else if (key == "results") {
    CARELAKE_ASSIGN_OR_RETURN(size_t n, ParseCount(value));
    file.results = n;
  } else if (key == "tag") {
    file.tag = value;
  } else if (key == "cols") {
    e.cols = Split(value, ',');
  } else if (key == "contains") {
    e.contains = Split(value, ',');
  } else if (key == "ncols") {
    CARELAKE_ASSIGN_OR_RETURN(size_t n, ParseCount(value));
    e.ncols = n;
  } else if (key == "rows-min") {
    CARELAKE_ASSIGN_OR_RETURN(size_t n, ParseCount(value));
    e.rows_min = n;
  } else if (key == "notnull") {
    e.notnull = Split(value, ',');
  } else if (key == "uint") {
    e.uints = Split(value, ',');
  } else if (key == "row") {
    std::vector<Condition> row;
    for (const std::string& part : Split(value, ';')) {
      CARELAKE_ASSIGN_OR_RETURN(Condition c, ParseCondition(part));
      row.push_back(c);
    }
    e.rows.push_back(row);
  } else if (key == "values-in") {
    CARELAKE_ASSIGN_OR_RETURN(Condition c, ParseCondition(value));
    e.values_in.push_back({c.first, Split(c.second, ',')});
  } else if (key == "match") {
    const size_t tilde = value.find(" ~ ");
    if (tilde == std::string::npos) return InvalidArgument("expected 'column ~ regex'");
    e.matches.push_back({Trim(value.substr(0, tilde)), value.substr(tilde + 3)});
  } else if (key == "save") {
    const size_t eq = value.find('=');
    const size_t where = value.find(" where ");
    if (eq == std::string::npos || where == std::string::npos || where < eq) {
      return InvalidArgument("expected NAME=column where column=value");
    }
    CARELAKE_ASSIGN_OR_RETURN(Condition c, ParseCondition(value.substr(where + 7)));
    file.saves.push_back(
        {Trim(value.substr(0, eq)), Trim(value.substr(eq + 1, where - eq - 1)), c});
  } else {
    return InvalidArgument("unknown header @" + key);
  }
  return Status::Ok();
}

// The index of `column` ("name" or "#n") in `result`, or npos.
size_t ColumnIndex(const StatementResult& result, const std::string& column) {
  if (column.size() > 1 && column[0] == '#') {
    const size_t n = std::stoul(column.substr(1));
    return n >= 1 && n <= result.columns.size() ? n - 1 : std::string::npos;
  }
  const auto it = std::find(result.columns.begin(), result.columns.end(), column);
  return it == result.columns.end() ? std::string::npos : it - result.columns.begin();
}

std::string Show(const Cell& cell) { return cell ? "'" + *cell + "'" : "NULL"; }

bool RowMatches(const StatementResult& result, const std::vector<Cell>& row,
                const std::vector<Condition>& conditions, const Vars& vars) {
  for (const auto& [column, value] : conditions) {
    const size_t i = ColumnIndex(result, column);
    if (i == std::string::npos || !row[i] || *row[i] != Substitute(value, vars)) return false;
  }
  return true;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Checks every non-NULL value of `column`; `ok` says whether a value passes.
template <typename Pred>
void CheckValues(const StatementResult& r, const std::string& column, const std::string& what,
                 Pred ok, std::vector<std::string>& errors) {
  const size_t i = ColumnIndex(r, column);
  if (i == std::string::npos) {
    errors.push_back("no column " + column);
    return;
  }
  for (const auto& row : r.rows) {
    if (row[i] && !ok(*row[i])) {
      errors.push_back("column " + column + ": " + Show(row[i]) + " is not " + what);
      return;
    }
  }
}

void CheckColumns(const Expectation& e, const StatementResult& r,
                  std::vector<std::string>& errors) {
  if (e.cols && *e.cols != r.columns) {
    errors.push_back("columns are [" + Joined(r.columns) + "], expected [" + Joined(*e.cols) + "]");
  }
  for (const std::string& c : e.contains) {
    if (ColumnIndex(r, c) == std::string::npos) errors.push_back("no column " + c);
  }
  if (e.ncols && *e.ncols != r.columns.size()) {
    errors.push_back(std::to_string(r.columns.size()) + " columns, expected " +
                     std::to_string(*e.ncols));
  }
}

void CheckResult(const Expectation& e, const StatementResult& r, const Vars& vars,
                 std::vector<std::string>& errors) {
  CheckColumns(e, r, errors);
  if (e.rows_min && r.rows.size() < *e.rows_min) {
    errors.push_back(std::to_string(r.rows.size()) + " rows, expected at least " +
                     std::to_string(*e.rows_min));
  }
  for (const std::string& c : e.notnull) {
    const size_t i = ColumnIndex(r, c);
    if (i == std::string::npos) {
      errors.push_back("no column " + c);
      continue;
    }
    for (const auto& row : r.rows) {
      if (!row[i]) {
        errors.push_back("column " + c + " has a NULL");
        break;
      }
    }
  }
  for (const auto& conditions : e.rows) {
    const bool found = std::any_of(r.rows.begin(), r.rows.end(), [&](const auto& row) {
      return RowMatches(r, row, conditions, vars);
    });
    if (!found) {
      std::string want;
      for (const auto& [k, v] : conditions)
        want += (want.empty() ? "" : "; ") + k + "=" + Substitute(v, vars);
      errors.push_back("no row with " + want);
    }
  }
  for (const auto& [column, allowed] : e.values_in) {
    CheckValues(
        r, column, "one of " + Joined(allowed),
        [&](const std::string& v) {
          return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
        },
        errors);
  }
  for (const std::string& column : e.uints) {
    CheckValues(
        r, column, "an unsigned integer",
        [](const std::string& v) {
          uint32_t n = 0;
          const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
          return ec == std::errc() && ptr == v.data() + v.size();
        },
        errors);
  }
  for (const auto& [column, pattern] : e.matches) {
    const std::regex re(pattern);
    CheckValues(
        r, column, "matching " + pattern,
        [&](const std::string& v) { return std::regex_search(v, re); }, errors);
  }
}

}  // namespace

Result<CorpusFile> ParseFile(std::string_view name, std::string_view text) {
  CorpusFile file;
  file.name = std::string(name);
  size_t pos = 0;
  int line_number = 0;
  while (pos < text.size() && text.substr(pos).starts_with("-- @")) {
    ++line_number;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string line(text.substr(pos + 4, end - pos - 4));
    pos = end + 1;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      return InvalidArgument(file.name + ":" + std::to_string(line_number) + ": no ':' in header");
    }
    std::string key = line.substr(0, colon);
    size_t index = 1;
    if (const size_t bracket = key.find('['); bracket != std::string::npos) {
      index = std::stoul(key.substr(bracket + 1));
      key = key.substr(0, bracket);
    }
    Status status = ApplyHeader(key, index, Trim(line.substr(colon + 1)), file);
    if (!status.ok()) {
      return InvalidArgument(file.name + ":" + std::to_string(line_number) + ": " +
                             status.message());
    }
  }
  file.sql = Trim(text.substr(std::min(pos, text.size())));
  if (file.sql.empty()) return InvalidArgument(file.name + ": no SQL after the header");
  return file;
}

Result<std::vector<CorpusFile>> LoadCorpus(const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".sql")
      paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<CorpusFile> files;
  for (const auto& path : paths) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    CARELAKE_ASSIGN_OR_RETURN(
        CorpusFile file,
        ParseFile(std::filesystem::relative(path, dir).generic_string(), text.str()));
    files.push_back(std::move(file));
  }
  return files;
}

std::string Substitute(std::string_view text, const Vars& vars) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    const size_t close = open == std::string_view::npos ? open : text.find("}}", open);
    if (close == std::string_view::npos) break;
    out += text.substr(pos, open - pos);
    const std::string name(text.substr(open + 2, close - open - 2));
    const auto it = vars.find(name);
    out += it != vars.end() ? it->second : std::string(text.substr(open, close + 2 - open));
    pos = close + 2;
  }
  out += text.substr(std::min(pos, text.size()));
  return out;
}

std::vector<std::string> Check(const CorpusFile& file, const std::vector<StatementResult>& results,
                               const Vars& vars) {
  std::vector<std::string> errors;
  if (file.results && results.size() != *file.results) {
    errors.push_back(std::to_string(results.size()) + " results, expected " +
                     std::to_string(*file.results));
  }
  if (!file.tag.empty() && results.size() == 1 && !results[0].tag.empty() &&
      !results[0].tag.starts_with(file.tag)) {
    errors.push_back("command tag '" + results[0].tag + "', expected '" + file.tag + "'");
  }
  for (const auto& [index, expectation] : file.expect) {
    if (index > results.size()) {
      errors.push_back("no result " + std::to_string(index));
      continue;
    }
    std::vector<std::string> result_errors;
    CheckResult(expectation, results[index - 1], vars, result_errors);
    for (const std::string& e : result_errors) {
      errors.push_back(results.size() > 1 ? "result " + std::to_string(index) + ": " + e : e);
    }
  }
  return errors;
}

Status ApplySaves(const CorpusFile& file, const std::vector<StatementResult>& results, Vars& vars) {
  for (const Save& save : file.saves) {
    if (results.empty()) return NotFound(file.name + ": no result to save " + save.name + " from");
    const StatementResult& r = results.front();
    const size_t column = ColumnIndex(r, save.column);
    bool saved = false;
    for (const auto& row : r.rows) {
      if (column != std::string::npos && row[column] && RowMatches(r, row, {save.where}, vars)) {
        vars[save.name] = *row[column];
        saved = true;
        break;
      }
    }
    if (!saved) return NotFound(file.name + ": no row to save " + save.name + " from");
  }
  return Status::Ok();
}

}  // namespace carelake::pgwire::corpus
