#include "carelake/quality/render_util.h"

#include <algorithm>
#include <cstdio>

#include "carelake/base/format.h"
#include "carelake/ledger/json.h"
#include "carelake/quality/render.h"

namespace carelake::quality {

// "0.35%"; a failure rate too small for two decimals is "<0.01%", not "0.00%".
std::string Percent(double p) {
  if (p > 0 && p < 0.005) return "<0.01%";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", p);
  return buf;
}

std::string Number(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

// Text from the ledger made safe for a terminal: control characters (which
// could carry escape sequences) become spaces.
std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

// Code points, for aligning columns of UTF-8 text.
size_t Width(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Pad(const std::string& text, size_t width, bool right) {
  const size_t w = Width(text);
  if (w >= width) return text;
  const std::string fill(width - w, ' ');
  return right ? fill + text : text + fill;
}

// Aligned columns: `right[i]` right-aligns column i.
std::string Columns(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows,
                    const std::vector<bool>& right, const std::string& indent) {
  std::vector<size_t> widths(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) widths[i] = Width(header[i]);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], Width(row[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = indent;
    for (size_t i = 0; i < cells.size(); ++i) {
      const bool last = i + 1 == cells.size();
      out += last && !right[i] ? cells[i] : Pad(cells[i], widths[i], right[i]);
      if (!last) out += "  ";
    }
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& row : rows) out += line(row);
  return out;
}

std::string StepState(const StepRecord& s) {
  std::string out =
      s.status == ledger::StepStatus::kUpToDate ? "up to date" : ledger::ToString(s.status);
  if (s.version) out += ", table version " + std::to_string(*s.version);
  return out;
}

// "read 2,009 · kept 1,954 · quarantined 55 · ..."
std::string AccountLine(const StepRecord& s) {
  if (s.kind != "silver") {
    return "read " + WithThousands(s.rows_read) + " · written " + WithThousands(s.rows_written);
  }
  return "read " + WithThousands(s.rows_read) + " · kept " + WithThousands(s.rows_written) +
         " · quarantined " + WithThousands(s.rows_quarantined) + " · dropped " +
         WithThousands(s.rows_dropped) + " · deduplicated " + WithThousands(s.rows_deduplicated) +
         " · fixed " + WithThousands(s.rows_fixed) + " · warned " + WithThousands(s.rows_warned);
}

// "read = kept + dropped + quarantined + deduplicated: 2,009 = 1,954 + 0 + 55
// + 0 — holds". Precondition: a silver step.
std::string Reconciliation(const StepRecord& s) {
  if (!s.HasRowAccount()) return "row account not checked: the step failed and committed nothing";
  std::string out =
      "read = kept + dropped + quarantined + deduplicated: " + WithThousands(s.rows_read) + " = " +
      WithThousands(s.rows_written) + " + " + WithThousands(s.rows_dropped) + " + " +
      WithThousands(s.rows_quarantined) + " + " + WithThousands(s.rows_deduplicated) + " — ";
  if (s.Reconciles()) return out + "holds";
  return out + "DOES NOT HOLD (" + WithThousands(s.rows_read - s.Accounted()) +
         " rows unaccounted for)";
}

std::string RunState(const RunRecord& r) {
  std::string out = ledger::ToString(r.status) + " in " + FormatSeconds(r.duration_ms) + " · " +
                    (r.committed ? "committed data" : "committed nothing") + " · " +
                    std::to_string(r.steps) + " steps";
  if (r.full_refresh) out += " · full refresh";
  if (!r.selection.empty()) out += " · selection " + r.selection;
  return out;
}

std::string FailureLine(const RunRecord& r) {
  std::string out = "FAILED at " + r.failed_step;
  if (!r.failed_rule.empty()) out += " (rule '" + r.failed_rule + "')";
  if (!r.error.empty()) out += ": " + r.error;
  return out;
}

std::string LaterRunsNote(const QualityReport& report) {
  if (report.later_runs == 0) return "";
  return std::to_string(report.later_runs) +
         (report.later_runs == 1 ? " later run" : " later runs") +
         (report.chosen_by_id ? " in the ledger" : " evaluated no rules");
}

Totals Total(const QualityReport& report) {
  Totals t;
  for (const StepRecord& s : report.steps) {
    if (s.kind != "silver") continue;
    ++t.silver_steps;
    t.silver_read += s.rows_read;
    t.kept += s.rows_written;
    t.quarantined += s.rows_quarantined;
    t.dropped += s.rows_dropped;
    t.deduplicated += s.rows_deduplicated;
    t.fixed += s.rows_fixed;
    t.warned += s.rows_warned;
    if (s.HasRowAccount()) {
      ++t.accounted_steps;
      t.reconciles = t.reconciles && s.Reconciles();
    }
  }
  for (const SourceIngest& s : report.sources) {
    t.bronze_records += s.records;
    t.bronze_quarantined += s.quarantined;
  }
  return t;
}

std::string FormatUtc(int64_t epoch_ms) { return ledger::FormatUtc(epoch_ms); }

}  // namespace carelake::quality
