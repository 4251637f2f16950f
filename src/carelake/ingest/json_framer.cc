#include "carelake/ingest/json_framer.h"

namespace carelake::ingest {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

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
  // Moves past one JSON value starting here, without validating it.
  // Returns false if the data ends inside the value.
  bool SkipValue() {
    if (Peek() == '"') return SkipString();
    if (Peek() != '{' && Peek() != '[') {
      while (!AtEnd() && !IsBlank(Peek()) && Peek() != ',' && Peek() != ']') Advance();
      return true;
    }
    int depth = 0;
    while (!AtEnd()) {
      char c = Peek();
      if (c == '"') {
        if (!SkipString()) return false;
        continue;
      }
      Advance();
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return true;
    }
    return false;
  }

 private:
  bool SkipString() {
    Advance();  // opening quote
    while (!AtEnd()) {
      char c = Peek();
      Advance();
      if (c == '\\') {
        if (AtEnd()) return false;
        Advance();
      } else if (c == '"') {
        return true;
      }
    }
    return false;
  }

  std::string_view data_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

std::vector<JsonFrame> FrameArray(std::string_view data, Cursor& cur) {
  std::vector<JsonFrame> frames;
  auto add = [&](size_t start, int64_t line, size_t end, std::string error) {
    frames.push_back({static_cast<int64_t>(frames.size()) + 1, line, static_cast<int64_t>(start),
                      data.substr(start, end - start), std::move(error)});
  };
  cur.Advance();  // '['
  while (true) {
    cur.SkipBlanks();
    while (!cur.AtEnd() && cur.Peek() == ',') {  // tolerate stray separators
      cur.Advance();
      cur.SkipBlanks();
    }
    if (cur.AtEnd()) {
      add(cur.pos(), cur.line(), cur.pos(),
          "the file ends before the array's closing ']' (truncated?)");
      return frames;
    }
    if (cur.Peek() == ']') {
      cur.Advance();
      cur.SkipBlanks();
      if (!cur.AtEnd()) {
        add(cur.pos(), cur.line(), data.size(), "unexpected text after the array's closing ']'");
      }
      return frames;
    }
    size_t start = cur.pos();
    int64_t line = cur.line();
    if (!cur.SkipValue()) {
      add(start, line, data.size(), "the file ends inside this record (truncated)");
      return frames;
    }
    add(start, line, cur.pos(), "");
  }
}

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
  if (layout != JsonLayout::kLines) {
    size_t bom = cur.pos();
    cur.SkipBlanks();
    if (!cur.AtEnd() && cur.Peek() == '[') return FrameArray(data, cur);
    if (layout == JsonLayout::kArray) {
      std::vector<JsonFrame> frames;
      frames.push_back({1, cur.line(), static_cast<int64_t>(cur.pos()), data.substr(cur.pos()),
                        cur.AtEnd() ? "the file is empty, expected a JSON array"
                                    : "expected a JSON array ('[') at the start of the file"});
      return frames;
    }
    return FrameLines(data, bom);
  }
  return FrameLines(data, cur.pos());
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
