#include "carelake/pgwire/session_command.h"

#include <cctype>
#include <vector>

#include "carelake/sql/lexer.h"

namespace carelake::pgwire {

using sql::IsBlank;
using sql::LeadingWords;
using sql::SplitStatements;
namespace {

using Kind = SessionCommand::Kind;

struct Token {
  enum class Type { kWord, kQuotedIdent, kString, kNumber, kSymbol } type;
  std::string text;  // words lowercased; strings and quoted identifiers unquoted
};

// Tokens of a session command; comments and blanks dropped.
Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      const size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (c == '\'' || c == '"') {
      std::string text;
      size_t j = i + 1;
      for (; j < s.size(); ++j) {
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {
            text.push_back(c);
            ++j;
            continue;
          }
          break;
        }
        text.push_back(s[j]);
      }
      if (j >= s.size()) return InvalidArgument("unterminated quoted string");
      out.push_back({c == '\'' ? Token::Type::kString : Token::Type::kQuotedIdent, text});
      i = j + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
               static_cast<unsigned char>(c) >= 0x80) {
      std::string word;
      while (i < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) != 0 || s[i] == '_' || s[i] == '.' ||
              s[i] == '$' || static_cast<unsigned char>(s[i]) >= 0x80)) {
        word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))));
        ++i;
      }
      out.push_back({Token::Type::kWord, word});
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
               ((c == '-' || c == '+' || c == '.') && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])) != 0)) {
      std::string num(1, c);
      ++i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) != 0 || s[i] == '.')) {
        num.push_back(s[i++]);
      }
      out.push_back({Token::Type::kNumber, num});
    } else {
      out.push_back({Token::Type::kSymbol, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

bool IsWord(const std::vector<Token>& t, size_t i, std::string_view w) {
  return i < t.size() && t[i].type == Token::Type::kWord && t[i].text == w;
}

// The value list from token `i` on, flattened as PostgreSQL shows it: items
// joined by ", "; quoted identifiers keep their quotes.
Result<std::string> Value(const std::vector<Token>& t, size_t i) {
  if (i >= t.size()) return InvalidArgument("syntax error at end of input");
  std::string out;
  bool expect_item = true;
  for (; i < t.size(); ++i) {
    if (t[i].type == Token::Type::kSymbol && t[i].text == ",") {
      if (expect_item) return InvalidArgument("syntax error at or near \",\"");
      out += ", ";
      expect_item = true;
      continue;
    }
    if (!expect_item || t[i].type == Token::Type::kSymbol) {
      return InvalidArgument("syntax error at or near \"" + t[i].text + "\"");
    }
    out += t[i].type == Token::Type::kQuotedIdent ? "\"" + t[i].text + "\"" : t[i].text;
    expect_item = false;
  }
  if (expect_item) return InvalidArgument("syntax error at end of input");
  return out;
}

SessionCommand Make(Kind kind, std::string tag) {
  SessionCommand c;
  c.kind = kind;
  c.tag = std::move(tag);
  return c;
}

Result<std::optional<SessionCommand>> ParseSet(const std::vector<Token>& t) {
  size_t i = 1;
  if (IsWord(t, i, "session") && IsWord(t, i + 1, "characteristics")) {
    return std::optional(Make(Kind::kNoOp, "SET"));
  }
  if (IsWord(t, i, "transaction")) return std::optional(Make(Kind::kNoOp, "SET"));
  if (IsWord(t, i, "session") && IsWord(t, i + 1, "authorization")) {
    return NotSupported("SET SESSION AUTHORIZATION is not supported");
  }
  if (IsWord(t, i, "role")) return NotSupported("SET ROLE is not supported");
  if (IsWord(t, i, "session") || IsWord(t, i, "local")) ++i;
  SessionCommand c = Make(Kind::kSet, "SET");
  if (IsWord(t, i, "time") && IsWord(t, i + 1, "zone")) {
    c.name = "timezone";
    i += 2;
    if (IsWord(t, i, "local") || IsWord(t, i, "default")) {
      c.to_default = true;
      return std::optional(c);
    }
    if (IsWord(t, i, "interval")) return NotSupported("SET TIME ZONE INTERVAL is not supported");
    CARELAKE_ASSIGN_OR_RETURN(c.value, Value(t, i));
    return std::optional(c);
  }
  if (IsWord(t, i, "names")) {
    c.name = "client_encoding";
    CARELAKE_ASSIGN_OR_RETURN(c.value, Value(t, i + 1));
    return std::optional(c);
  }
  if (IsWord(t, i, "schema")) {
    c.name = "search_path";
    CARELAKE_ASSIGN_OR_RETURN(c.value, Value(t, i + 1));
    return std::optional(c);
  }
  if (i >= t.size() ||
      (t[i].type != Token::Type::kWord && t[i].type != Token::Type::kQuotedIdent)) {
    return InvalidArgument("syntax error at or near \"" + (i < t.size() ? t[i].text : "") + "\"");
  }
  c.name = t[i].text;
  ++i;
  if (!(IsWord(t, i, "to") || (i < t.size() && t[i].text == "="))) {
    return InvalidArgument("syntax error at or near \"" + (i < t.size() ? t[i].text : c.name) +
                           "\"");
  }
  ++i;
  if (IsWord(t, i, "default") && i + 1 == t.size()) {
    c.to_default = true;
    return std::optional(c);
  }
  CARELAKE_ASSIGN_OR_RETURN(c.value, Value(t, i));
  return std::optional(c);
}

Result<std::optional<SessionCommand>> ParseShowOrReset(const std::vector<Token>& t, bool show) {
  if (t.size() < 2) return InvalidArgument("syntax error at end of input");
  SessionCommand c = Make(show ? Kind::kShow : Kind::kReset, show ? "SHOW" : "RESET");
  if (IsWord(t, 1, "all")) {
    c.kind = show ? Kind::kShowAll : Kind::kResetAll;
  } else if (IsWord(t, 1, "time") && IsWord(t, 2, "zone")) {
    c.name = "timezone";
  } else if (IsWord(t, 1, "transaction") && IsWord(t, 2, "isolation")) {
    c.name = "transaction_isolation";
  } else if (IsWord(t, 1, "session") && IsWord(t, 2, "authorization")) {
    c.name = "session_authorization";
  } else if (t.size() == 2 &&
             (t[1].type == Token::Type::kWord || t[1].type == Token::Type::kQuotedIdent)) {
    c.name = t[1].text;
  } else {
    return InvalidArgument("syntax error at or near \"" + t[t.size() > 2 ? 2 : 1].text + "\"");
  }
  return std::optional(c);
}

}  // namespace

Result<std::optional<SessionCommand>> ParseSessionCommand(std::string_view statement) {
  const std::vector<std::string> words = LeadingWords(statement, 2);
  if (words.empty()) return std::optional<SessionCommand>();
  const std::string& w = words[0];
  static constexpr std::string_view kOurs[] = {
      "set",      "show",  "reset",   "begin",      "start",  "commit",   "end",
      "rollback", "abort", "discard", "deallocate", "listen", "unlisten", "notify"};
  bool ours = false;
  for (std::string_view k : kOurs) ours = ours || w == k;
  // `start` only as START TRANSACTION; `rollback to savepoint` is not ours.
  if (!ours || (w == "start" && (words.size() < 2 || words[1] != "transaction"))) {
    return std::optional<SessionCommand>();
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<Token> t, Tokenize(statement));
  if (w == "set") return ParseSet(t);
  if (w == "show") return ParseShowOrReset(t, true);
  if (w == "reset") return ParseShowOrReset(t, false);
  if (w == "begin" || w == "start") return std::optional(Make(Kind::kBegin, "BEGIN"));
  if (w == "commit" || w == "end") {
    if (IsWord(t, 1, "prepared")) return NotSupported("COMMIT PREPARED is not supported");
    return std::optional(Make(Kind::kCommit, "COMMIT"));
  }
  if (w == "rollback" || w == "abort") {
    for (size_t i = 1; i < t.size(); ++i) {
      if (IsWord(t, i, "to") || IsWord(t, i, "prepared")) {
        return NotSupported("savepoints and prepared transactions are not supported");
      }
    }
    return std::optional(Make(Kind::kRollback, "ROLLBACK"));
  }
  if (w == "discard") {
    if (IsWord(t, 1, "all")) return std::optional(Make(Kind::kDiscardAll, "DISCARD ALL"));
    if (t.size() == 2 && t[1].type == Token::Type::kWord) {
      std::string tag = "DISCARD " + t[1].text;
      for (char& c : tag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return std::optional(Make(Kind::kNoOp, tag));
    }
    return InvalidArgument("syntax error at or near \"DISCARD\"");
  }
  if (w == "deallocate") {
    size_t i = IsWord(t, 1, "prepare") ? 2 : 1;
    if (IsWord(t, i, "all")) return std::optional(Make(Kind::kDeallocateAll, "DEALLOCATE ALL"));
    if (i >= t.size()) return InvalidArgument("syntax error at end of input");
    SessionCommand c = Make(Kind::kDeallocate, "DEALLOCATE");
    c.name = t[i].text;
    return std::optional(c);
  }
  std::string tag = w;  // listen, unlisten, notify
  for (char& c : tag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return std::optional(Make(Kind::kNoOp, tag));
}

}  // namespace carelake::pgwire
