#include "carelake/ingest/json_framer.h"

#include <vector>

namespace carelake::ingest {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters that end a bare token (a number, a literal or garbage).
bool EndsToken(char c) {
  return IsBlank(c) || c == ',' || c == ':' || c == '"' || c == '{' || c == '}' || c == '[' ||
         c == ']';
}

// How a scan over one value ended.
enum class ValueEnd {
  kComplete,   // the cursor is just past the value
  kTruncated,  // the data ends inside the value
  kBroken,     // cut short: the cursor is at the `{` that probably starts the next record
};

// A cursor over `data` that counts lines as it moves.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}

  bool AtEnd() const { return pos_ >= data_.size(); }
  char Peek() const { return data_[pos_]; }
  size_t pos() const { return pos_; }
  int64_t line() const { return line_; }
  void Advance() {
    if (data_[pos_] == '\n') ++line_;
    ++pos_;
  }
  void SkipBlanks() {
    while (!AtEnd() && IsBlank(Peek())) Advance();
  }
  // Blanks and stray commas between records.
  void SkipSeparators() {
    while (!AtEnd() && (IsBlank(Peek()) || Peek() == ',')) Advance();
  }
  void SkipToken() {
    while (!AtEnd() && !EndsToken(Peek())) Advance();
  }
  // Moves to the end of the line (before a "\r\n" or "\n").
  void SkipToLineEnd() {
    while (!AtEnd() && Peek() != '\n') Advance();
  }

  // Moves past one JSON value starting here, without validating it. Only
  // enough is tracked to notice a record cut short and followed by the next
  // one, which ends the value before that `{` (kBroken):
  //  - a `{` where an object wants a key, `,` or `}` (`{"a": 1, {"b": 2}`);
  //  - a line break inside a string (never valid JSON) followed by a line
  //    that starts with `{` indented no deeper than the record, when the
  //    record starts its line (`record_indent` >= 0): a record cut in the
  //    middle of a string, the next one written after it.
  // Anything else that is wrong (a mismatched bracket, a missing comma)
  // stays inside the value for the caller's validation to reject.
  ValueEnd SkipValue(int64_t record_indent = -1) {
    if (Peek() == '"') return SkipString(record_indent);
    if (Peek() != '{' && Peek() != '[') {
      SkipToken();
      return ValueEnd::kComplete;
    }
    enum class Want { kKey, kColon, kValue, kNext };
    struct Level {
      bool object;
      Want want;
    };
    std::vector<Level> stack;
    while (!AtEnd()) {
      const char c = Peek();
      if (IsBlank(c)) {
        Advance();
        continue;
      }
      Level* top = stack.empty() ? nullptr : &stack.back();
      switch (c) {
        case '{':
        case '[':
          if (top != nullptr && top->object && c == '{' &&
              (top->want == Want::kKey || top->want == Want::kNext)) {
            return ValueEnd::kBroken;
          }
          if (top != nullptr) top->want = Want::kNext;
          stack.push_back({c == '{', c == '{' ? Want::kKey : Want::kValue});
          Advance();
          break;
        case '}':
        case ']':
          Advance();
          stack.pop_back();  // also on a mismatch: the caller's validation rejects it
          if (stack.empty()) return ValueEnd::kComplete;
          break;
        case ':':
          if (top->object) top->want = Want::kValue;
          Advance();
          break;
        case ',':
          top->want = top->object ? Want::kKey : Want::kValue;
          Advance();
          break;
        case '"': {
          const ValueEnd end = SkipString(record_indent);
          if (end != ValueEnd::kComplete) return end;
          // In an object a string is a key unless a value is due.
          top->want = top->object && top->want != Want::kValue ? Want::kColon : Want::kNext;
          break;
        }
        default:
          SkipToken();
          top->want = Want::kNext;
          break;
      }
    }
    return ValueEnd::kTruncated;
  }

 private:
  ValueEnd SkipString(int64_t record_indent) {
    Advance();  // opening quote
    while (!AtEnd()) {
      const char c = Peek();
      Advance();
      if (c == '\\') {
        if (AtEnd()) return ValueEnd::kTruncated;
        Advance();
      } else if (c == '"') {
        return ValueEnd::kComplete;
      } else if (c == '\n' && record_indent >= 0) {
        int64_t indent = 0;
        size_t i = pos_;
        for (; i < data_.size() && (data_[i] == ' ' || data_[i] == '\t'); ++i) ++indent;
        if (i < data_.size() && data_[i] == '{' && indent <= record_indent) {
          while (pos_ < i) Advance();
          return ValueEnd::kBroken;
        }
      }
    }
    return ValueEnd::kTruncated;
  }

  std::string_view data_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

constexpr char kTruncatedRecord[] = "the file ends inside this record (truncated)";

class Framer {
 public:
  explicit Framer(std::string_view data) : data_(data) {}

  std::vector<JsonFrame> TakeFrames() { return std::move(frames_); }

  void Add(size_t start, int64_t line, size_t end, std::string error) {
    frames_.push_back({static_cast<int64_t>(frames_.size()) + 1, line, static_cast<int64_t>(start),
                       data_.substr(start, end - start), std::move(error)});
  }

  // The indentation of the line `pos` is on, if only blanks precede it there.
  int64_t IndentAt(size_t pos) const {
    size_t start = pos;
    while (start > 0 && (data_[start - 1] == ' ' || data_[start - 1] == '\t')) --start;
    const bool line_start = start == 0 || data_[start - 1] == '\n' ||
                            (start == 3 && data_.substr(0, 3) == "\xEF\xBB\xBF");
    return line_start ? static_cast<int64_t>(pos - start) : -1;
  }

  // The end of the text before `pos`, without trailing blanks.
  size_t TrimmedEnd(size_t start, size_t pos) const {
    while (pos > start && IsBlank(data_[pos - 1])) --pos;
    return pos;
  }

  // An array document (the cursor at its `[`); another array may follow.
  void FrameArrays(Cursor& cur) {
    while (true) {
      cur.Advance();  // '['
      if (!FrameArrayElements(cur)) return;
      cur.SkipBlanks();
      if (cur.AtEnd()) return;
      if (cur.Peek() != '[') {
        Add(cur.pos(), cur.line(), data_.size(), "unexpected text after the array's closing ']'");
        return;
      }
    }
  }

  // Returns false when the data ends before the closing `]` (recorded).
  bool FrameArrayElements(Cursor& cur) {
    while (true) {
      cur.SkipSeparators();  // tolerates stray and missing commas
      if (cur.AtEnd()) {
        Add(cur.pos(), cur.line(), cur.pos(),
            "the file ends before the array's closing ']' (truncated?)");
        return false;
      }
      if (cur.Peek() == ']') {
        cur.Advance();
        return true;
      }
      const size_t start = cur.pos();
      const int64_t line = cur.line();
      switch (cur.SkipValue(IndentAt(start))) {
        case ValueEnd::kTruncated:
          Add(start, line, data_.size(), kTruncatedRecord);
          return false;
        case ValueEnd::kBroken:
          Add(start, line, TrimmedEnd(start, cur.pos()), "");
          break;
        case ValueEnd::kComplete:
          if (cur.pos() == start) cur.Advance();  // a stray '}' or ':' on its own
          Add(start, line, cur.pos(), "");
          break;
      }
    }
  }

  // One value after another (NDJSON, or concatenated and pretty-printed
  // values). Text that is not a value runs to the end of its line, and so
  // does text after a value on the same line, so that a bad NDJSON line is
  // one bad record.
  void FrameValues(Cursor& cur) {
    while (true) {
      cur.SkipSeparators();
      if (cur.AtEnd()) return;
      const size_t start = cur.pos();
      const int64_t line = cur.line();
      const char c = cur.Peek();
      if (c != '{' && c != '[' && c != '"') {
        cur.SkipToLineEnd();
        Add(start, line, TrimmedEnd(start, cur.pos()), "");
        continue;
      }
      switch (cur.SkipValue(IndentAt(start))) {
        case ValueEnd::kTruncated:
          Add(start, line, data_.size(), kTruncatedRecord);
          return;
        case ValueEnd::kBroken:
          Add(start, line, TrimmedEnd(start, cur.pos()), "");
          continue;
        case ValueEnd::kComplete:
          break;
      }
      size_t end = cur.pos();
      while (!cur.AtEnd() && (cur.Peek() == ' ' || cur.Peek() == '\t' || cur.Peek() == '\r')) {
        cur.Advance();
      }
      if (!cur.AtEnd() && cur.Peek() != '\n' && cur.Peek() != ',' && cur.Peek() != '{' &&
          cur.Peek() != '[') {
        cur.SkipToLineEnd();
        end = TrimmedEnd(start, cur.pos());
      }
      Add(start, line, end, "");
    }
  }

 private:
  std::string_view data_;
  std::vector<JsonFrame> frames_;
};

std::vector<JsonFrame> FrameLines(std::string_view data, size_t pos) {
  std::vector<JsonFrame> frames;
  int64_t line = 1;
  for (size_t i = 0; i < pos; ++i) line += data[i] == '\n';
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view text = data.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    bool blank = true;
    for (char c : text) blank = blank && IsBlank(c);
    if (!blank) {
      frames.push_back(
          {static_cast<int64_t>(frames.size()) + 1, line, static_cast<int64_t>(pos), text, ""});
    }
    pos = end + 1;
    ++line;
  }
  return frames;
}

}  // namespace

std::vector<JsonFrame> FrameJsonRecords(std::string_view data, JsonLayout layout) {
  Cursor cur(data);
  if (data.substr(0, 3) == "\xEF\xBB\xBF") {
    for (int i = 0; i < 3; ++i) cur.Advance();
  }
  if (layout == JsonLayout::kLines) return FrameLines(data, cur.pos());
  cur.SkipBlanks();
  Framer framer(data);
  if (!cur.AtEnd() && cur.Peek() == '[') {
    framer.FrameArrays(cur);
  } else if (layout == JsonLayout::kArray) {
    framer.Add(cur.pos(), cur.line(), data.size(),
               cur.AtEnd() ? "the file is empty, expected a JSON array"
                           : "expected a JSON array ('[') at the start of the file");
  } else {
    framer.FrameValues(cur);
  }
  return framer.TakeFrames();
}

int64_t FindInvalidUtf8(std::string_view data) {
  const auto* s = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return static_cast<int64_t>(i);
    }
    if (i + len > n) return static_cast<int64_t>(i);
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return static_cast<int64_t>(i);
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return static_cast<int64_t>(i);
    }
    i += len;
  }
  return -1;
}

}  // namespace carelake::ingest
