// Pieces the report renderers share (render_text.cc, render_html.cc):
// number formatting, terminal-safe text, aligned columns, and the phrases
// that describe a run and a step. Internal to quality/.
#ifndef CARELAKE_QUALITY_RENDER_UTIL_H_
#define CARELAKE_QUALITY_RENDER_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/quality/report.h"

namespace carelake::quality {

// "0.35%"; a failure rate too small for two decimals is "<0.01%", not "0.00%".
std::string Percent(double p);

std::string Number(double v, int decimals);

// Text from the ledger made safe for a terminal: control characters (which
// could carry escape sequences) become spaces.
std::string Printable(std::string_view text);

// Code points, for aligning columns of UTF-8 text.
size_t Width(std::string_view text);

std::string Pad(const std::string& text, size_t width, bool right);

// Aligned columns: `right[i]` right-aligns column i.
std::string Columns(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows,
                    const std::vector<bool>& right, const std::string& indent);

std::string StepState(const StepRecord& s);

// "read 2,009 · kept 1,954 · quarantined 55 · ..."
std::string AccountLine(const StepRecord& s);

// "read = kept + dropped + quarantined + deduplicated: 2,009 = 1,954 + 0 + 55
// + 0 — holds". Precondition: a silver step.
std::string Reconciliation(const StepRecord& s);

std::string RunState(const RunRecord& r);

std::string FailureLine(const RunRecord& r);

std::string LaterRunsNote(const QualityReport& report);

struct Totals {
  int64_t silver_read = 0, kept = 0, quarantined = 0, dropped = 0, deduplicated = 0;
  int64_t fixed = 0, warned = 0;
  int64_t bronze_records = 0, bronze_quarantined = 0;
  int64_t silver_steps = 0;
  int64_t accounted_steps = 0;  // silver steps with a row account to check
  bool reconciles = true;
};

Totals Total(const QualityReport& report);

}  // namespace carelake::quality

#endif  // CARELAKE_QUALITY_RENDER_UTIL_H_
