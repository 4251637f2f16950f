#include "carelake/ingest/json_records.h"

#include <cctype>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "carelake/ingest/bronze_columns.h"

namespace carelake::ingest {
namespace {

constexpr int kMaxDepth = 1000;
// Bytes of the text nlohmann quotes in a message that are kept (its end).
constexpr size_t kMaxQuoted = 40;

// Walks a record's text for nlohmann's lexer, noting in `*read` how far
// it has read. The lexer reads one byte at a time and sees that a number
// ended only when it reads the byte after it.
class Reader {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  Reader(const char* at, const char** read) : at_(at), read_(read) {}
  reference operator*() const { return *at_; }
  Reader& operator++() {
    *read_ = ++at_;
    return *this;
  }
  Reader operator++(int) {
    Reader before = *this;
    ++*this;
    return before;
  }
  bool operator==(const Reader& other) const { return at_ == other.at_; }

 private:
  const char* at_;
  const char** read_;
};

// Turns the SAX events of one record into members. Objects and arrays in
// a member's value are written back as compact JSON as they are read.
class Handler final : public nlohmann::json_sax<nlohmann::json> {
 public:
  // `text` and `*members` must outlive the handler.
  Handler(std::string_view text, std::vector<Member>* members)
      : text_(text), members_(members), read_(text.data()) {}

  Reader Begin() { return Reader(text_.data(), &read_); }
  Reader End() { return Reader(text_.data() + text_.size(), &read_); }
  // After a failed parse: why, and the byte of the text it failed at.
  const std::string& error() const { return error_; }
  size_t error_at() const { return error_at_; }
  // What the record is ("an array", "null", ...) if not an object.
  const char* not_object() const { return not_object_; }

  bool null() override { return Scalar("null", std::nullopt); }
  bool boolean(bool b) override { return Scalar("a boolean", b ? "true" : "false"); }
  bool number_integer(number_integer_t v) override {
    // An integer's text is its value printed, except for `-0`.
    return Scalar("a number", v == 0 && NegativeZero() ? "-0" : std::to_string(v));
  }
  bool number_unsigned(number_unsigned_t v) override {
    return Scalar("a number", std::to_string(v));
  }
  bool number_float(number_float_t, const string_t& text) override {
    return Scalar("a number", text);
  }
  bool string(string_t& s) override {
    switch (Where()) {
      case Place::kRecord:
        not_object_ = "a string";
        break;
      case Place::kMember:
        members_->back().value = std::move(s);
        break;
      case Place::kNested:
        Append(Escaped(s));
        break;
      case Place::kSkipped:
        break;
    }
    return true;
  }
  bool binary(binary_t&) override { return true; }  // not in JSON text
  bool start_object(std::size_t) override { return Open('{'); }
  bool key(string_t& k) override {
    switch (Where()) {
      case Place::kMember:
        members_->push_back({std::move(k), std::nullopt});
        break;
      case Place::kNested:
        Append(Escaped(k));
        nested_.push_back(':');
        comma_ = false;
        break;
      default:
        break;
    }
    return true;
  }
  bool end_object() override { return Close('}'); }
  bool start_array(std::size_t) override { return Open('['); }
  bool end_array() override { return Close(']'); }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::json::exception& ex) override {
    // `position` counts the bytes read, the one in error included.
    return Fail(Message(ex.what(), last_token), position > 0 ? position - 1 : 0);
  }

 private:
  // Where the next value goes: it is the record; a member's value; part
  // of one; or inside a record that is not an object (only validated).
  enum class Place { kRecord, kMember, kNested, kSkipped };
  Place Where() const {
    if (depth_ == 0) return Place::kRecord;
    if (not_object_ != nullptr) return Place::kSkipped;
    return depth_ == 1 ? Place::kMember : Place::kNested;
  }

  // A value other than a string; `text` is empty for null.
  bool Scalar(const char* what, std::optional<std::string> text) {
    switch (Where()) {
      case Place::kRecord:
        not_object_ = what;
        break;
      case Place::kMember:
        members_->back().value = std::move(text);
        break;
      case Place::kNested:
        Append(text.value_or("null"));
        break;
      case Place::kSkipped:
        break;
    }
    return true;
  }

  bool Open(char bracket) {
    if (depth_ == kMaxDepth) {
      return Fail("nested more than " + std::to_string(kMaxDepth) + " deep", Read() - 1);
    }
    switch (Where()) {
      case Place::kRecord:
        if (bracket == '[') not_object_ = "an array";
        break;
      case Place::kMember:
        nested_.assign(1, bracket);
        break;
      case Place::kNested:
        Append(std::string_view(&bracket, 1));
        break;
      case Place::kSkipped:
        break;
    }
    ++depth_;
    comma_ = false;
    return true;
  }

  bool Close(char bracket) {
    --depth_;
    const Place place = Where();
    if (place == Place::kMember || place == Place::kNested) nested_.push_back(bracket);
    if (place == Place::kMember) members_->back().value = std::move(nested_);
    comma_ = true;
    return true;
  }

  // Appends a value (or a key, or an opening bracket) to `nested_`.
  void Append(std::string_view json) {
    if (comma_) nested_.push_back(',');
    nested_.append(json);
    comma_ = true;
  }

  bool Fail(std::string why, size_t at) {
    error_ = std::move(why);
    error_at_ = at;
    return false;
  }

  // Bytes of the text that nlohmann's lexer has read.
  size_t Read() const { return static_cast<size_t>(read_ - text_.data()); }

  // nlohmann reads `-0` as the integer 0. Called for a 0, the lexer has
  // read the number and the byte after it.
  bool NegativeZero() const {
    const size_t read = Read();
    return read >= 3 && text_[read - 2] == '0' && text_[read - 3] == '-';
  }

  // `s` as a JSON string as DuckDB writes it: nlohmann's escaping, with
  // the hex digits of \u escapes (control characters) in upper case.
  static std::string Escaped(const std::string& s) {
    std::string json = nlohmann::json(s).dump();
    for (size_t i = 0; i + 1 < json.size(); ++i) {
      if (json[i] != '\\' || json[++i] != 'u') continue;
      for (size_t k = i + 1; k <= i + 4 && k < json.size(); ++k) {
        json[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(json[k])));
      }
    }
    return json;
  }

  // nlohmann's message without its "[json.exception.parse_error.101]
  // parse error at line 1, column 9: " (the caller gives the byte in the
  // file), the text it last read cut to its end.
  static std::string Message(std::string what, const std::string& last_token) {
    if (what.starts_with('[')) {
      const size_t end = what.find("] ");
      if (end != std::string::npos) what.erase(0, end + 2);
    }
    if (what.starts_with("parse error")) {
      const size_t end = what.find(": ");
      if (end != std::string::npos) what.erase(0, end + 2);
    }
    const size_t at = last_token.size() > kMaxQuoted ? what.find(last_token) : std::string::npos;
    if (at != std::string::npos) {
      size_t cut = last_token.size() - kMaxQuoted;
      while (cut < last_token.size() &&
             (static_cast<unsigned char>(last_token[cut]) & 0xC0) == 0x80) {
        ++cut;  // not inside a UTF-8 sequence
      }
      what.replace(at, last_token.size(), "..." + last_token.substr(cut));
    }
    return what;
  }

  std::string_view text_;
  std::vector<Member>* members_;
  const char* read_;  // set by the Reader
  int depth_ = 0;     // objects and arrays open
  const char* not_object_ = nullptr;
  std::string nested_;  // the compact JSON of the member value being read
  bool comma_ = false;  // `nested_` needs a ',' before the next value
  std::string error_;
  size_t error_at_ = 0;
};

}  // namespace

std::string ParseJsonRecord(std::string_view text, int64_t offset, std::vector<Member>* members) {
  members->clear();
  Handler handler(text, members);
  if (!nlohmann::json::sax_parse(handler.Begin(), handler.End(), &handler,
                                 nlohmann::json::input_format_t::json, /*strict=*/true)) {
    members->clear();
    return "not valid JSON: " + handler.error() + " at byte " +
           std::to_string(offset + static_cast<int64_t>(handler.error_at())) + " of the file";
  }
  if (handler.not_object() != nullptr) {
    members->clear();
    return std::string("a JSON value that is ") + handler.not_object() + ", not an object";
  }
  // Keys name bronze columns, which are case-insensitive.
  std::unordered_map<std::string, const std::string*> seen;
  for (const Member& m : *members) {
    if (m.key.empty()) return "an empty key (bronze columns need a name)";
    auto [it, inserted] = seen.emplace(ColumnKey(m.key), &m.key);
    if (inserted) continue;
    if (*it->second == m.key) return "the key '" + m.key + "' appears twice";
    return "the keys '" + *it->second + "' and '" + m.key +
           "' differ only in case (bronze columns are case-insensitive)";
  }
  return "";
}

}  // namespace carelake::ingest
