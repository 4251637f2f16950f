#include "carelake/cli/result_printer.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace carelake::cli {

using engine::ColumnView;
using engine::DataChunk;
using engine::QueryResult;
using engine::ResultKind;
using engine::TypeId;

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  return InvalidArgument("unknown output format '" + std::string(name) +
                         "': expected table, csv or json");
}

namespace {

// Decodes one UTF-8 code point at `i`; invalid bytes count as one cell each.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (c < 0x80 || i + extra >= s.size() + 0 || extra == 0) {
    ++i;
    return c;
  }
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += extra + 1;
  return cp;
}

bool IsWide(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
         (cp >= 0x20000 && cp <= 0x3FFFD);
}

bool IsCombining(uint32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) || cp == 0xFE0F;
}

class Printer {
 public:
  virtual ~Printer() = default;
  virtual void Begin(const QueryResult& result) = 0;
  virtual void Row(const std::vector<ColumnView>& cols, size_t row) = 0;
  virtual void End() = 0;
};

class TablePrinter : public Printer {
 public:
  TablePrinter(std::ostream& out, size_t max_rows) : out_(out), max_rows_(max_rows) {}

  void Begin(const QueryResult& result) override {
    header_ = result.column_names();
    for (const auto& t : result.column_types()) right_.push_back(t.IsNumeric());
  }

  void Row(const std::vector<ColumnView>& cols, size_t row) override {
    ++total_;
    if (max_rows_ != 0 && rows_.size() >= max_rows_) return;
    std::vector<std::string> cells;
    cells.reserve(cols.size());
    for (const ColumnView& c : cols) cells.push_back(Sanitize(c.ToString(row)));
    rows_.push_back(std::move(cells));
  }

  void End() override {
    std::vector<size_t> width(header_.size());
    for (size_t c = 0; c < header_.size(); ++c) width[c] = DisplayWidth(header_[c]);
    for (const auto& r : rows_) {
      for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], DisplayWidth(r[c]));
    }
    std::string line;
    for (size_t c = 0; c < header_.size(); ++c) {
      line += c == 0 ? " " : " | ";
      line += Centered(header_[c], width[c]);
    }
    out_ << TrimRight(line) << "\n";
    line.clear();
    for (size_t c = 0; c < header_.size(); ++c) {
      if (c > 0) line += "+";
      line += std::string(width[c] + 2, '-');
    }
    out_ << line << "\n";
    for (const auto& r : rows_) {
      line.clear();
      for (size_t c = 0; c < r.size(); ++c) {
        line += c == 0 ? " " : " | ";
        line += Pad(r[c], width[c], right_[c]);
      }
      out_ << TrimRight(line) << "\n";
    }
    out_ << "(" << total_ << (total_ == 1 ? " row" : " rows");
    if (total_ > rows_.size()) {
      out_ << ", " << rows_.size() << " shown; use --max-rows 0 or --format csv for all";
    }
    out_ << ")\n";
  }

 private:
  // Control characters would break the grid: shown escaped.
  static std::string Sanitize(std::string s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
      if (ch == '\n') {
        out += "\\n";
      } else if (ch == '\r') {
        out += "\\r";
      } else if (ch == '\t') {
        out += "\\t";
      } else {
        out += ch;
      }
    }
    return out;
  }
  static std::string Pad(const std::string& s, size_t width, bool right) {
    const size_t w = DisplayWidth(s);
    const std::string fill(width > w ? width - w : 0, ' ');
    return right ? fill + s : s + fill;
  }
  static std::string Centered(const std::string& s, size_t width) {
    const size_t w = DisplayWidth(s);
    const size_t total = width > w ? width - w : 0;
    return std::string(total / 2, ' ') + s + std::string(total - total / 2, ' ');
  }
  static std::string TrimRight(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  }

  std::ostream& out_;
  size_t max_rows_;
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
  size_t total_ = 0;
};

class CsvPrinter : public Printer {
 public:
  explicit CsvPrinter(std::ostream& out) : out_(out) {}

  void Begin(const QueryResult& result) override {
    const auto& names = result.column_names();
    for (size_t c = 0; c < names.size(); ++c) {
      if (c > 0) out_ << ',';
      out_ << Quote(names[c]);
    }
    out_ << '\n';
  }

  void Row(const std::vector<ColumnView>& cols, size_t row) override {
    for (size_t c = 0; c < cols.size(); ++c) {
      if (c > 0) out_ << ',';
      if (!cols[c].IsNull(row)) out_ << Quote(cols[c].ToString(row));
    }
    out_ << '\n';
  }

  void End() override {}

 private:
  static std::string Quote(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos && !s.empty()) return s;
    if (s.empty()) return "\"\"";  // an empty string, distinct from NULL
    std::string out = "\"";
    for (char ch : s) {
      if (ch == '"') out += '"';
      out += ch;
    }
    return out + "\"";
  }

  std::ostream& out_;
};

class JsonPrinter : public Printer {
 public:
  explicit JsonPrinter(std::ostream& out) : out_(out) {}

  void Begin(const QueryResult& result) override {
    for (const auto& name : result.column_names()) keys_.push_back(nlohmann::json(name).dump());
    out_ << "[";
  }

  void Row(const std::vector<ColumnView>& cols, size_t row) override {
    out_ << (first_ ? "\n  {" : ",\n  {");
    first_ = false;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (c > 0) out_ << ", ";
      out_ << keys_[c] << ": " << Encode(cols[c], row);
    }
    out_ << "}";
  }

  void End() override { out_ << (first_ ? "]\n" : "\n]\n"); }

 private:
  static std::string Encode(const ColumnView& col, size_t row) {
    if (col.IsNull(row)) return "null";
    const engine::Value v = col.GetValue(row);
    switch (col.type().id) {
      case TypeId::kBoolean:
        return v.GetBool() ? "true" : "false";
      case TypeId::kFloat:
      case TypeId::kDouble:
        if (!std::isfinite(v.GetDouble())) return nlohmann::json(v.ToString()).dump();
        return v.ToString();
      default:
        if (col.type().IsNumeric()) return v.ToString();
        return nlohmann::json(v.ToString())
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }

  std::ostream& out_;
  std::vector<std::string> keys_;
  bool first_ = true;
};

}  // namespace

size_t DisplayWidth(std::string_view utf8) {
  size_t width = 0;
  for (size_t i = 0; i < utf8.size();) {
    const uint32_t cp = NextCodePoint(utf8, i);
    if (IsCombining(cp)) continue;
    width += IsWide(cp) ? 2 : 1;
  }
  return width;
}

Status PrintResult(QueryResult& result, const PrintOptions& options, std::ostream& out) {
  if (result.kind() != ResultKind::kRows) {
    // Drain: errors of a streaming statement surface on fetch.
    while (true) {
      CARELAKE_ASSIGN_OR_RETURN(std::optional<DataChunk> chunk, result.Fetch());
      if (!chunk.has_value()) return Status::Ok();
    }
  }
  std::unique_ptr<Printer> printer;
  switch (options.format) {
    case OutputFormat::kTable:
      printer = std::make_unique<TablePrinter>(out, options.max_table_rows);
      break;
    case OutputFormat::kCsv:
      printer = std::make_unique<CsvPrinter>(out);
      break;
    case OutputFormat::kJson:
      printer = std::make_unique<JsonPrinter>(out);
      break;
  }
  printer->Begin(result);
  while (true) {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<DataChunk> chunk, result.Fetch());
    if (!chunk.has_value()) break;
    std::vector<ColumnView> cols;
    for (size_t c = 0; c < chunk->column_count(); ++c) cols.push_back(chunk->column(c));
    for (size_t r = 0; r < chunk->size(); ++r) printer->Row(cols, r);
  }
  printer->End();
  return Status::Ok();
}

}  // namespace carelake::cli
