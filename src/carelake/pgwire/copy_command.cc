#include "carelake/pgwire/copy_command.h"

#include <cctype>
#include <vector>

#include "carelake/base/format.h"
#include "carelake/sql/lexer.h"

namespace carelake::pgwire {

using sql::IsBlank;
using sql::LeadingWords;
using sql::SplitStatements;
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

void SkipSpace(std::string_view s, size_t* i) {
  while (*i < s.size() && IsSpace(s[*i])) ++*i;
}

// A word (lowercased), a quoted identifier or string (unquoted), or one
// symbol, from `*i`.
std::string NextToken(std::string_view s, size_t* i, bool* quoted = nullptr) {
  SkipSpace(s, i);
  if (quoted != nullptr) *quoted = false;
  if (*i >= s.size()) return "";
  const char c = s[*i];
  if (c == '\'' || c == '"') {
    if (quoted != nullptr) *quoted = true;
    std::string out;
    size_t j = *i + 1;
    for (; j < s.size(); ++j) {
      if (s[j] == c) {
        if (j + 1 < s.size() && s[j + 1] == c) {
          out.push_back(c);
          ++j;
          continue;
        }
        break;
      }
      out.push_back(s[j]);
    }
    *i = j + 1;
    return out;
  }
  if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.') {
    std::string out;
    while (*i < s.size() && (std::isalnum(static_cast<unsigned char>(s[*i])) != 0 || s[*i] == '_' ||
                             s[*i] == '.' || s[*i] == '"')) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s[*i]))));
      ++*i;
    }
    return out;
  }
  ++*i;
  return std::string(1, c);
}

Status ApplyOption(CopyCommand& copy, const std::string& name, const std::string& value,
                   bool* delimiter_set, bool* null_set) {
  if (name == "format") {
    if (value == "csv") {
      copy.csv = true;
    } else if (value == "binary") {
      return NotSupported("COPY BINARY is not supported; use text or csv");
    } else if (value != "text") {
      return InvalidArgument("COPY format \"" + value + "\" not recognized");
    }
  } else if (name == "csv") {
    copy.csv = true;
  } else if (name == "binary") {
    return NotSupported("COPY BINARY is not supported; use text or csv");
  } else if (name == "header") {
    copy.header = value.empty() || value == "true" || value == "on" || value == "1";
  } else if (name == "delimiter") {
    if (value.size() != 1)
      return InvalidArgument("COPY delimiter must be a single one-byte character");
    copy.delimiter = value[0];
    *delimiter_set = true;
  } else if (name == "null") {
    copy.null_string = value;
    *null_set = true;
  } else if (name == "quote" || name == "escape") {
    if (value.size() != 1)
      return InvalidArgument("COPY " + name + " must be a single one-byte character");
    (name == "quote" ? copy.quote : copy.escape) = value[0];
  } else if (name == "encoding") {
    // UTF8 only; accepted
  } else {
    return InvalidArgument("option \"" + name + "\" not recognized");
  }
  return Status::Ok();
}

Status ParseOptions(std::string_view s, size_t i, CopyCommand& copy) {
  bool delimiter_set = false;
  bool null_set = false;
  std::string tok = NextToken(s, &i);
  if (tok == "with") tok = NextToken(s, &i);
  if (tok == "(") {
    for (;;) {
      std::string name = NextToken(s, &i);
      if (name == ")") break;
      if (name.empty()) return InvalidArgument("syntax error at end of input");
      size_t at = i;
      std::string value = NextToken(s, &at);
      if (value == "," || value == ")") {
        value.clear();
      } else {
        i = at;
      }
      CARELAKE_RETURN_IF_ERROR(ApplyOption(copy, name, value, &delimiter_set, &null_set));
      const std::string sep = NextToken(s, &i);
      if (sep == ")") break;
      if (sep != ",") return InvalidArgument("syntax error at or near \"" + sep + "\"");
    }
  } else {
    while (!tok.empty()) {  // WITH CSV HEADER DELIMITER AS ',' NULL AS ''
      std::string value;
      if (tok == "delimiter" || tok == "null" || tok == "quote" || tok == "escape") {
        value = NextToken(s, &i);
        if (value == "as") value = NextToken(s, &i);
      }
      CARELAKE_RETURN_IF_ERROR(ApplyOption(copy, tok, value, &delimiter_set, &null_set));
      tok = NextToken(s, &i);
    }
  }
  if (copy.csv && !delimiter_set) copy.delimiter = ',';
  if (copy.csv && !null_set) copy.null_string = "";
  return Status::Ok();
}

}  // namespace

Result<std::optional<CopyCommand>> ParseCopyCommand(std::string_view s) {
  const std::vector<std::string> words = LeadingWords(s, 1);
  if (words.empty() || words[0] != "copy") return std::optional<CopyCommand>();
  size_t i = s.find_first_of("cC");
  i += 4;
  CopyCommand copy;
  SkipSpace(s, &i);
  if (i < s.size() && s[i] == '(') {
    // Find the matching parenthesis, skipping strings and comments.
    int depth = 0;
    size_t j = i;
    for (; j < s.size(); ++j) {
      if (s[j] == '\'' || s[j] == '"') {
        const char q = s[j];
        for (++j; j < s.size() && s[j] != q; ++j) {
        }
      } else if (s[j] == '(') {
        ++depth;
      } else if (s[j] == ')' && --depth == 0) {
        break;
      }
    }
    if (j >= s.size()) return InvalidArgument("syntax error at end of input");
    copy.query = std::string(s.substr(i + 1, j - i - 1));
    i = j + 1;
  } else {
    const size_t start = i;  // the table as written, up to a blank or '(' outside quotes
    bool in_quote = false;
    while (i < s.size() && (in_quote || (!IsSpace(s[i]) && s[i] != '('))) {
      if (s[i] == '"') in_quote = !in_quote;
      ++i;
    }
    const std::string table(s.substr(start, i - start));
    std::string columns = "*";
    size_t at = i;
    if (NextToken(s, &at) == "(") {
      const size_t close = s.find(')', at);
      if (close == std::string_view::npos) return InvalidArgument("syntax error at end of input");
      columns = std::string(s.substr(at, close - at));
      i = close + 1;
    }
    copy.query = "SELECT " + columns + " FROM " + table;
  }
  const std::string direction = NextToken(s, &i);
  if (direction == "from") {
    return NotSupported("COPY FROM is not allowed: this session is read-only");
  }
  if (direction != "to") return InvalidArgument("syntax error at or near \"" + direction + "\"");
  bool quoted = false;
  const std::string target = NextToken(s, &i, &quoted);
  if (quoted || target == "program") {
    return PermissionDenied("COPY to a file or program is not allowed; use COPY ... TO STDOUT");
  }
  if (target != "stdout") return InvalidArgument("syntax error at or near \"" + target + "\"");
  CARELAKE_RETURN_IF_ERROR(ParseOptions(s, i, copy));
  return std::optional(copy);
}

void AppendCopyField(const CopyCommand& copy, std::string_view text, std::string& out) {
  if (copy.csv) {
    bool quote = text == copy.null_string;  // a value that reads back as NULL
    for (char c : text) {
      if (c == copy.delimiter || c == copy.quote || c == '\n' || c == '\r') quote = true;
    }
    if (!quote) {
      out.append(text);
      return;
    }
    out.push_back(copy.quote);
    for (char c : text) {
      if (c == copy.quote || c == copy.escape) out.push_back(copy.escape);
      out.push_back(c);
    }
    out.push_back(copy.quote);
    return;
  }
  AppendCopyTextField(text, copy.delimiter, out);
}

}  // namespace carelake::pgwire
