#include "carelake/quality/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "carelake/base/format.h"
#include "carelake/catalog/catalog.h"
#include "carelake/ledger/json.h"

namespace carelake::quality {

namespace {

using engine::Value;
using nlohmann::ordered_json;

RuleOutcome Outcome(const std::string& action, int64_t rows_failed, bool stopped_run) {
  if (stopped_run) return RuleOutcome::kFailed;
  if (rows_failed == 0) return RuleOutcome::kPassed;
  if (action == "fail") return RuleOutcome::kFailed;
  if (action == "fix") return RuleOutcome::kFixed;
  if (action == "drop") return RuleOutcome::kDropped;
  if (action == "quarantine") return RuleOutcome::kQuarantined;
  return RuleOutcome::kWarned;
}

// ---------------------------------------------------------------------------
// Masking

void MaskJson(ordered_json& j, const PiiMasker& masker) {
  if (j.is_object()) {
    for (auto& [key, value] : j.items()) {
      if (masker.IsPiiKey(key)) {
        if (!value.is_null()) value = kMask;
      } else {
        MaskJson(value, masker);
      }
    }
  } else if (j.is_array()) {
    for (ordered_json& element : j) MaskJson(element, masker);
  }
}

// ---------------------------------------------------------------------------
// Formatting

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

struct Totals {
  int64_t silver_read = 0, kept = 0, quarantined = 0, dropped = 0, deduplicated = 0;
  int64_t fixed = 0, warned = 0;
  int64_t bronze_records = 0, bronze_quarantined = 0;
  int64_t silver_steps = 0;
  int64_t accounted_steps = 0;  // silver steps with a row account to check
  bool reconciles = true;
};

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

// ---------------------------------------------------------------------------
// HTML pieces

constexpr char kCss[] = R"css(
:root{--fg:#1d2330;--muted:#5f6b7a;--line:#dde2e8;--bg:#f6f7f9;--card:#fff;
--passed:#2e7d32;--warned:#b7791f;--fixed:#1f6feb;--dropped:#6b7280;--quarantined:#c2410c;--failed:#b91c1c}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:16px 0 6px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.meta{color:var(--muted);margin:2px 0}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:16px 0}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{flex:1 1 150px;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.card .v{font-size:20px;font-weight:600}.card .k{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.check{color:var(--muted);font-size:11px;word-break:break-word}
.bar{width:140px;height:10px;background:#eef0f3;border-radius:3px;overflow:hidden;margin-top:4px}
.bar span{display:block;height:100%}
.word{font-weight:600}
.passed{color:var(--passed)}.warned{color:var(--warned)}.fixed{color:var(--fixed)}
.dropped{color:var(--dropped)}.quarantined{color:var(--quarantined)}.failed{color:var(--failed)}
.bar .passed{background:var(--passed)}.bar .warned{background:var(--warned)}.bar .fixed{background:var(--fixed)}
.bar .dropped{background:var(--dropped)}.bar .quarantined{background:var(--quarantined)}.bar .failed{background:var(--failed)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.badge.ok{background:var(--passed)}.badge.bad{background:var(--failed)}
.recon{margin:8px 0;color:var(--muted)}.recon.ok{color:var(--passed)}.recon.bad{color:var(--failed);font-weight:600}
.account td,.account th{width:12.5%}
details{margin:6px 0}summary{cursor:pointer}
pre{background:#f3f4f6;border:1px solid var(--line);border-radius:4px;padding:8px;margin:4px 0;white-space:pre-wrap;word-break:break-all}
svg.spark{display:block}svg.spark polyline{fill:none;stroke:#64748b;stroke-width:1.5}
svg.spark circle{fill:#64748b}svg.spark circle.now{fill:var(--fg)}
svg.spark line{stroke:var(--line);stroke-width:1}
.error{color:var(--failed)}
footer{color:var(--muted);font-size:12px;margin:20px 0}
)css";

std::string OutcomeClass(RuleOutcome o) {
  return o == RuleOutcome::kFailed ? "failed" : ToString(o);
}

double Rate(const TrendPoint& p) {
  if (!p.rows_checked || *p.rows_checked == 0) return 0;
  return 100.0 * static_cast<double>(p.rows_failed) / static_cast<double>(*p.rows_checked);
}

// A sparkline of the failure rate over the trend window: one dot per run
// that evaluated the rule, joined by lines; the report's run is the last.
std::string Sparkline(const RuleRecord& rule) {
  constexpr double kW = 120, kH = 28, kPad = 3;
  const size_t n = rule.trend.size();
  double max_rate = 0;
  for (const TrendPoint& p : rule.trend) max_rate = std::max(max_rate, Rate(p));
  auto x = [&](size_t i) {
    return n <= 1 ? kW / 2
                  : kPad + static_cast<double>(i) * (kW - 2 * kPad) / static_cast<double>(n - 1);
  };
  auto y = [&](double rate) {
    return max_rate <= 0 ? kH - kPad : kH - kPad - rate / max_rate * (kH - 2 * kPad);
  };
  std::string label =
      "failure rate over the last " + std::to_string(n) + (n == 1 ? " run:" : " runs:");
  for (const TrendPoint& p : rule.trend) {
    label += " " + (p.rows_checked ? Percent(Rate(p)) : std::string("n/a"));
  }
  std::string svg =
      "<svg class=\"spark\" width=\"120\" height=\"28\" viewBox=\"0 0 120 28\" role=\"img\" "
      "aria-label=\"" +
      HtmlEscape(label) + "\">";
  svg += "<line x1=\"0\" y1=\"" + Number(kH - kPad, 1) + "\" x2=\"120\" y2=\"" +
         Number(kH - kPad, 1) + "\"/>";
  std::string points;
  auto flush = [&] {
    if (points.find(' ') != std::string::npos) svg += "<polyline points=\"" + points + "\"/>";
    points.clear();
  };
  for (size_t i = 0; i < n; ++i) {
    if (!rule.trend[i].rows_checked) {
      flush();
      continue;
    }
    points +=
        (points.empty() ? "" : " ") + Number(x(i), 1) + "," + Number(y(Rate(rule.trend[i])), 1);
  }
  flush();
  for (size_t i = 0; i < n; ++i) {
    const TrendPoint& p = rule.trend[i];
    if (!p.rows_checked) continue;
    const bool now = i + 1 == n;
    svg +=
        "<circle" + std::string(now ? " class=\"now\"" : "") + " cx=\"" + Number(x(i), 1) +
        "\" cy=\"" + Number(y(Rate(p)), 1) + "\" r=\"" + (now ? "2.5" : "2") + "\"><title>" +
        HtmlEscape(FormatUtc(p.started_ms) + " · run " + p.run_id + ": " + Percent(Rate(p)) + " (" +
                   WithThousands(p.rows_failed) + " of " + WithThousands(*p.rows_checked) + ")") +
        "</title></circle>";
  }
  svg += "</svg>";
  // The line is scaled to its own peak; say what the peak is.
  if (max_rate > 0) svg += "<div class=\"check\">peak " + HtmlEscape(Percent(max_rate)) + "</div>";
  return svg;
}

std::string Cell(const std::string& text, bool numeric = false) {
  return std::string(numeric ? "<td class=\"n\">" : "<td>") + HtmlEscape(text) + "</td>";
}

std::string Card(const std::string& value, const std::string& key, const std::string& cls = "") {
  return "<div class=\"card\"><div class=\"v" + (cls.empty() ? "" : " " + cls) + "\">" +
         HtmlEscape(value) + "</div><div class=\"k\">" + HtmlEscape(key) + "</div></div>";
}

std::string HtmlAccount(const StepRecord& s) {
  std::string out = "<table class=\"account\"><thead><tr>";
  std::vector<std::pair<std::string, int64_t>> cells;
  if (s.kind == "silver") {
    cells = {{"read", s.rows_read},
             {"kept", s.rows_written},
             {"quarantined", s.rows_quarantined},
             {"dropped", s.rows_dropped},
             {"deduplicated", s.rows_deduplicated},
             {"fixed", s.rows_fixed},
             {"warned", s.rows_warned}};
  } else {
    cells = {{"read", s.rows_read}, {"written", s.rows_written}};
  }
  for (const auto& [k, v] : cells) out += "<th class=\"n\">" + HtmlEscape(k) + "</th>";
  out += "</tr></thead><tbody><tr>";
  for (const auto& [k, v] : cells) out += Cell(WithThousands(v), true);
  out += "</tr></tbody></table>";
  if (s.kind == "silver") {
    const bool bad = s.HasRowAccount() && !s.Reconciles();
    out += "<p class=\"recon" +
           std::string(bad                 ? " bad"
                       : s.HasRowAccount() ? " ok"
                                           : "") +
           "\">" + HtmlEscape(Reconciliation(s)) + "</p>";
  }
  return out;
}

std::string HtmlRules(const TableQuality& t) {
  double max_percent = 0;
  for (const RuleRecord& r : t.rules) max_percent = std::max(max_percent, r.FailurePercent());
  const size_t trend_runs = t.rules.empty() ? 0 : t.rules.front().trend.size();
  std::string out =
      "<table class=\"rules\"><thead><tr><th>rule</th><th>action</th><th class=\"n\">checked</th>"
      "<th class=\"n\">failed</th><th class=\"n\">failure rate</th><th>status</th><th>trend "
      "(last " +
      std::to_string(trend_runs) + (trend_runs == 1 ? " run" : " runs") +
      ")</th></tr></thead><tbody>";
  for (const RuleRecord& r : t.rules) {
    const std::string cls = OutcomeClass(r.outcome);
    // Bars are proportional to the failure rate, the largest in the table
    // filling the bar; any failure stays visible.
    double width = max_percent > 0 ? 100.0 * r.FailurePercent() / max_percent : 0;
    if (r.rows_failed > 0) width = std::max(width, 2.0);
    out += "<tr><td><code>" + HtmlEscape(r.rule) + "</code>";
    if (!r.check_sql.empty()) out += "<div class=\"check\">" + HtmlEscape(r.check_sql) + "</div>";
    out += "</td>" + Cell(r.action) + Cell(WithThousands(r.rows_checked), true) +
           Cell(WithThousands(r.rows_failed), true) + "<td class=\"n\">" +
           HtmlEscape(r.rows_checked > 0 ? Percent(r.FailurePercent()) : "-") +
           "<div class=\"bar\"><span class=\"" + cls + "\" style=\"width:" + Number(width, 1) +
           "%\"></span></div></td><td class=\"word " + cls + "\">" +
           HtmlEscape(ToString(r.outcome)) + "</td><td>" + Sparkline(r) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string HtmlExamples(const TableQuality& t) {
  std::string out;
  for (const RuleRecord& r : t.rules) {
    if (r.rows_failed == 0 || r.examples.empty()) continue;
    out += "<details><summary><code>" + HtmlEscape(r.rule) + "</code> — " +
           HtmlEscape(std::to_string(r.examples.size()) + " of " + WithThousands(r.rows_failed) +
                      " failing rows") +
           "</summary>";
    for (const std::string& e : r.examples) out += "<pre>" + HtmlEscape(e) + "</pre>";
    out += "</details>";
  }
  if (out.empty()) return out;
  return "<h3>Examples (source records; PII values shown as " + HtmlEscape(kMask) + ")</h3>" + out;
}

ordered_json NullIfEmpty(const std::string& s) {
  return s.empty() ? ordered_json() : ordered_json(s);
}

}  // namespace

// ---------------------------------------------------------------------------
// PiiMasker

PiiMasker PiiMasker::ForProject(const project::Project& project) {
  PiiMasker m;
  for (const project::SilverTable& t : project.silver) {
    for (const project::SilverColumn& c : t.columns) {
      if (!c.pii) continue;
      m.keys_.insert(c.name);
      if (!c.from.empty()) m.keys_.insert(c.from);
      m.names_.insert(c.name);
    }
  }
  return m;
}

bool PiiMasker::IsPiiKey(std::string_view key) const {
  if (keys_.empty()) return false;
  const std::string k(key);
  return keys_.count(k) > 0 || names_.count(project::SnakeCase(k)) > 0;
}

std::string PiiMasker::Mask(std::string_view json_text) const {
  if (keys_.empty()) return std::string(json_text);
  ordered_json j = ordered_json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "(example hidden: not JSON, so its PII fields cannot be masked)";
  MaskJson(j, *this);
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// ---------------------------------------------------------------------------
// Records

std::string ToString(RuleOutcome outcome) {
  switch (outcome) {
    case RuleOutcome::kPassed:
      return "passed";
    case RuleOutcome::kWarned:
      return "warned";
    case RuleOutcome::kFixed:
      return "fixed";
    case RuleOutcome::kDropped:
      return "dropped";
    case RuleOutcome::kQuarantined:
      return "quarantined";
    case RuleOutcome::kFailed:
      return "FAILED";
  }
  return "passed";
}

double RuleRecord::FailurePercent() const {
  if (rows_checked <= 0) return 0;
  return 100.0 * static_cast<double>(rows_failed) / static_cast<double>(rows_checked);
}

std::string QualityReport::SelectionNote() const {
  return chosen_by_id ? "chosen with --run" : "the latest run with expectation results";
}

int64_t QualityReport::RulesEvaluated() const {
  int64_t n = 0;
  for (const TableQuality& t : tables) n += static_cast<int64_t>(t.rules.size());
  return n;
}

int64_t QualityReport::RulesWithFailures() const {
  int64_t n = 0;
  for (const TableQuality& t : tables) {
    for (const RuleRecord& r : t.rules) n += r.rows_failed > 0;
  }
  return n;
}

int64_t QualityReport::RulesFailed() const {
  int64_t n = 0;
  for (const TableQuality& t : tables) {
    for (const RuleRecord& r : t.rules) n += r.outcome == RuleOutcome::kFailed;
  }
  return n;
}

// ---------------------------------------------------------------------------
// Ledger

Result<Ledger> Ledger::Open(const project::Project& project, FileSystem& fs,
                            engine::Connection& conn) {
  CARELAKE_ASSIGN_OR_RETURN(ledger::Reader reader, ledger::Reader::Open(project, fs, conn));
  Ledger ledger(std::move(reader), project.name);
  for (const project::Source& s : project.sources) {
    ledger.sources_.emplace_back(s.name, "bronze." + s.table);
  }
  return ledger;
}

Result<RunRecord> Ledger::FindRun(const std::string& run_id) {
  CARELAKE_ASSIGN_OR_RETURN(std::optional<RunRecord> run, reader_.FindRun(run_id));
  if (run) return std::move(*run);
  return NotFound("no run '" + run_id + "' in the run ledger of project '" + project_ + "'");
}

Result<std::optional<RunRecord>> Ledger::LatestRunWithExpectations() {
  CARELAKE_ASSIGN_OR_RETURN(std::vector<RunRecord> runs,
                            reader_.Runs({.limit = 1, .with_expectations = true}));
  if (runs.empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(std::move(runs.front()));
}

Result<std::vector<SourceIngest>> Ledger::LoadSources(const std::string& run_id,
                                                      const std::vector<StepRecord>& steps) {
  // Files per source, in ledger order.
  std::vector<std::string> order;
  std::map<std::string, SourceIngest> by_source;
  CARELAKE_ASSIGN_OR_RETURN(std::vector<ledger::FileRecord> files, reader_.Files(run_id));
  for (const ledger::FileRecord& f : files) {
    auto [it, inserted] = by_source.try_emplace(f.source);
    if (inserted) order.push_back(f.source);
    SourceIngest& s = it->second;
    s.source = f.source;
    ++s.files;
    s.records += f.records;
    s.quarantined += f.quarantined;
    if (f.quarantined > 0 || !f.first_error.empty()) {
      s.file_errors.push_back({f.file, f.quarantined, f.first_error});
    }
  }
  // The ingest step's counts are the bronze table's own; sources whose step
  // ran without new files show up with zeros.
  std::vector<SourceIngest> out;
  for (const auto& [name, table] : sources_) {
    auto step = std::find_if(steps.begin(), steps.end(),
                             [&](const StepRecord& s) { return s.name == table; });
    auto it = by_source.find(name);
    if (step == steps.end() && it == by_source.end()) continue;
    SourceIngest s = it != by_source.end() ? std::move(it->second) : SourceIngest{};
    s.source = name;
    if (step != steps.end()) {
      s.records = step->rows_written;
      s.quarantined = step->rows_quarantined;
    }
    if (it != by_source.end()) by_source.erase(it);
    out.push_back(std::move(s));
  }
  // Sources the ledger knows but the project no longer declares.
  for (const std::string& name : order) {
    if (auto it = by_source.find(name); it != by_source.end()) out.push_back(std::move(it->second));
  }
  return out;
}

Status Ledger::LoadRules(QualityReport& report, const PiiMasker& masker) {
  // A section per silver step and per table with rule results, in step
  // order; tables without a step of this run last.
  for (const StepRecord& s : report.steps) {
    if (s.kind == "silver") report.tables.push_back({s.name, s, {}});
  }
  CARELAKE_ASSIGN_OR_RETURN(std::vector<ledger::ExpectationRecord> rows,
                            reader_.Expectations({report.run.run_id}));
  std::vector<TableQuality> extra;
  for (const ledger::ExpectationRecord& e : rows) {
    const std::string& table = e.table;
    auto find = [&](std::vector<TableQuality>& v) {
      return std::find_if(v.begin(), v.end(),
                          [&](const TableQuality& t) { return t.table == table; });
    };
    TableQuality* t = nullptr;
    if (auto it = find(report.tables); it != report.tables.end()) {
      t = &*it;
    } else if (auto it2 = find(extra); it2 != extra.end()) {
      t = &*it2;
    } else {
      TableQuality fresh{table, std::nullopt, {}};
      auto step = std::find_if(report.steps.begin(), report.steps.end(),
                               [&](const StepRecord& s) { return s.name == table; });
      if (step != report.steps.end()) fresh.step = *step;
      extra.push_back(std::move(fresh));
      t = &extra.back();
    }
    RuleRecord r;
    r.rule = e.rule;
    r.action = e.action;
    r.check_sql = e.check_sql;
    r.rows_checked = e.rows_checked;
    r.rows_failed = e.rows_failed;
    for (const std::string& x : e.examples) r.examples.push_back(masker.Mask(x));
    r.outcome = Outcome(r.action, r.rows_failed,
                        report.run.failed_step == table && report.run.failed_rule == r.rule);
    t->rules.push_back(std::move(r));
  }
  // Model tables with rules go after the silver tables, in step order.
  std::stable_sort(extra.begin(), extra.end(), [&](const TableQuality& a, const TableQuality& b) {
    auto pos = [&](const TableQuality& t) {
      return t.step ? t.step->started_ms : std::numeric_limits<int64_t>::max();
    };
    return pos(a) < pos(b);
  });
  for (TableQuality& t : extra) report.tables.push_back(std::move(t));
  return Status::Ok();
}

Status Ledger::LoadTrends(QualityReport& report) {
  // The trend window: the last kTrendRuns runs with expectation results, up
  // to and including this one.
  CARELAKE_ASSIGN_OR_RETURN(std::vector<RunRecord> runs,
                            reader_.Runs({.limit = kTrendRuns,
                                          .with_expectations = true,
                                          .started_at_most_ms = report.run.started_ms}));
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) report.trend_runs.push_back(*it);
  std::vector<std::string> ids;
  for (const RunRecord& r : report.trend_runs) ids.push_back(r.run_id);
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::pair<int64_t, int64_t>>>
      counts;  // (table, rule) -> run_id -> (checked, failed)
  CARELAKE_ASSIGN_OR_RETURN(std::vector<ledger::ExpectationRecord> rows, reader_.Expectations(ids));
  for (const ledger::ExpectationRecord& e : rows) {
    counts[{e.table, e.rule}][e.run_id] = {e.rows_checked, e.rows_failed};
  }
  for (TableQuality& t : report.tables) {
    for (RuleRecord& r : t.rules) {
      const auto& per_run = counts[{t.table, r.rule}];
      for (const RunRecord& run : report.trend_runs) {
        TrendPoint p{run.run_id, run.started_ms, std::nullopt, 0};
        if (auto it = per_run.find(run.run_id); it != per_run.end()) {
          p.rows_checked = it->second.first;
          p.rows_failed = it->second.second;
        }
        r.trend.push_back(std::move(p));
      }
    }
  }
  return Status::Ok();
}

Result<QualityReport> Ledger::LoadReport(const std::optional<std::string>& run_id,
                                         const PiiMasker& masker) {
  QualityReport report;
  report.project = project_;
  if (run_id) {
    CARELAKE_ASSIGN_OR_RETURN(report.run, FindRun(*run_id));
    report.chosen_by_id = true;
  } else {
    CARELAKE_ASSIGN_OR_RETURN(std::optional<RunRecord> latest, LatestRunWithExpectations());
    if (!latest) {
      return NotFound(has_runs() ? "no run of project '" + project_ +
                                       "' has evaluated data-quality rules yet"
                                 : "no runs yet");
    }
    report.run = std::move(*latest);
  }
  CARELAKE_ASSIGN_OR_RETURN(report.later_runs,
                            reader_.CountRunsStartedAfter(report.run.started_ms));
  CARELAKE_ASSIGN_OR_RETURN(report.steps, reader_.Steps(report.run.run_id));
  CARELAKE_ASSIGN_OR_RETURN(report.sources, LoadSources(report.run.run_id, report.steps));
  CARELAKE_RETURN_IF_ERROR(LoadRules(report, masker));
  CARELAKE_RETURN_IF_ERROR(LoadTrends(report));
  return report;
}

// ---------------------------------------------------------------------------
// Rendering

std::string FormatUtc(int64_t epoch_ms) { return ledger::FormatUtc(epoch_ms); }

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderText(const QualityReport& report) {
  const RunRecord& run = report.run;
  const Totals totals = Total(report);
  std::string out = "Data-quality report: project " + Printable(report.project) + "\n";
  out += "Run " + run.run_id + ", started " + FormatUtc(run.started_ms) + " (" +
         report.SelectionNote() + ")\n";
  out += "  " + RunState(run) + "\n";
  if (!run.succeeded()) out += "  " + Printable(FailureLine(run)) + "\n";
  if (const std::string later = LaterRunsNote(report); !later.empty()) {
    out += "  (" + later + ")\n";
  }

  out += "\nSummary\n";
  const auto tables_with_rules =
      std::count_if(report.tables.begin(), report.tables.end(),
                    [](const TableQuality& t) { return !t.rules.empty(); });
  out += "  rules evaluated      " + WithThousands(report.RulesEvaluated()) + " on " +
         std::to_string(tables_with_rules) + (tables_with_rules == 1 ? " table\n" : " tables\n");
  out += "  rules with failures  " + WithThousands(report.RulesWithFailures()) + " (" +
         WithThousands(report.RulesFailed()) + " FAILED)\n";
  if (totals.silver_steps > 0) {
    out += "  silver rows          read " + WithThousands(totals.silver_read) + " · kept " +
           WithThousands(totals.kept) + " · quarantined " + WithThousands(totals.quarantined) +
           " · dropped " + WithThousands(totals.dropped) + " · deduplicated " +
           WithThousands(totals.deduplicated) +
           (totals.accounted_steps == 0 ? ""
            : totals.reconciles         ? " (row account holds)"
                                        : " (row account DOES NOT HOLD)") +
           "\n";
  }
  if (!report.sources.empty()) {
    out += "  bronze records       " + WithThousands(totals.bronze_records) + " written · " +
           WithThousands(totals.bronze_quarantined) + " quarantined\n";
  }

  if (!report.sources.empty()) {
    out += "\nBronze ingest\n";
    std::vector<std::vector<std::string>> rows;
    for (const SourceIngest& s : report.sources) {
      rows.push_back({Printable(s.source), WithThousands(s.files), WithThousands(s.records),
                      WithThousands(s.quarantined)});
    }
    out += Columns({"source", "new files", "records", "quarantined"}, rows,
                   {false, true, true, true}, "  ");
    for (const SourceIngest& s : report.sources) {
      for (const SourceIngest::FileError& e : s.file_errors) {
        out += "  " + Printable(e.file) + ": " + WithThousands(e.quarantined) + " quarantined";
        if (!e.first_error.empty()) out += "; first error: " + Printable(e.first_error);
        out += "\n";
      }
    }
  }

  for (const TableQuality& t : report.tables) {
    out += "\n" + Printable(t.table);
    if (t.step) out += " (" + StepState(*t.step) + ")";
    out += "\n";
    if (t.step) {
      out += "  rows: " + AccountLine(*t.step) + "\n";
      if (t.step->kind == "silver") {
        out += "  " + Reconciliation(*t.step) + "\n";
      }
      if (t.step->status == ledger::StepStatus::kFailed && !t.step->message.empty()) {
        out += "  error: " + Printable(t.step->message) + "\n";
      }
    }
    if (t.rules.empty()) {
      out += "  no rules evaluated in this run\n";
      continue;
    }
    std::vector<std::vector<std::string>> rows;
    for (const RuleRecord& r : t.rules) {
      rows.push_back({Printable(r.rule), r.action, WithThousands(r.rows_checked),
                      WithThousands(r.rows_failed),
                      r.rows_checked > 0 ? Percent(r.FailurePercent()) : "-", ToString(r.outcome)});
    }
    out += "\n" + Columns({"rule", "action", "checked", "failed", "failed %", "status"}, rows,
                          {false, false, true, true, true, false}, "  ");
    bool header = false;
    for (const RuleRecord& r : t.rules) {
      if (r.rows_failed == 0 || r.examples.empty()) continue;
      if (!header) {
        out += "\n  examples (source records; PII values shown as " + std::string(kMask) + "):\n";
        header = true;
      }
      out += "  " + Printable(r.rule) + ": " + std::to_string(r.examples.size()) + " of " +
             WithThousands(r.rows_failed) + " failing rows\n";
      for (const std::string& e : r.examples) out += "    " + Printable(e) + "\n";
    }
  }
  return out;
}

std::string RenderJson(const QualityReport& report) {
  const RunRecord& run = report.run;
  ordered_json j;
  j["project"] = report.project;
  j["run"] = {{"run_id", run.run_id},
              {"started_at", FormatUtc(run.started_ms)},
              {"finished_at", FormatUtc(run.finished_ms.value_or(run.started_ms))},
              {"status", ledger::ToString(run.status)},
              {"duration_ms", run.duration_ms},
              {"committed", run.committed},
              {"failed_step", NullIfEmpty(run.failed_step)},
              {"failed_rule", NullIfEmpty(run.failed_rule)},
              {"error", NullIfEmpty(run.error)}};
  j["selected"] = report.SelectionNote();
  j["later_runs"] = report.later_runs;
  j["summary"] = {{"rules_evaluated", report.RulesEvaluated()},
                  {"rules_with_failures", report.RulesWithFailures()},
                  {"rules_failed", report.RulesFailed()}};
  ordered_json sources = ordered_json::array();
  for (const SourceIngest& s : report.sources) {
    ordered_json errors = ordered_json::array();
    for (const SourceIngest::FileError& e : s.file_errors) {
      errors.push_back({{"file", e.file},
                        {"quarantined", e.quarantined},
                        {"first_error", NullIfEmpty(e.first_error)}});
    }
    sources.push_back({{"source", s.source},
                       {"files", s.files},
                       {"records", s.records},
                       {"quarantined", s.quarantined},
                       {"file_errors", errors}});
  }
  j["bronze"] = sources;
  ordered_json tables = ordered_json::array();
  for (const TableQuality& t : report.tables) {
    ordered_json rules = ordered_json::array();
    for (const RuleRecord& r : t.rules) {
      ordered_json trend = ordered_json::array();
      for (const TrendPoint& p : r.trend) {
        trend.push_back(
            {{"run_id", p.run_id},
             {"started_at", FormatUtc(p.started_ms)},
             {"rows_checked", p.rows_checked ? ordered_json(*p.rows_checked) : ordered_json()},
             {"rows_failed", p.rows_checked ? ordered_json(p.rows_failed) : ordered_json()}});
      }
      rules.push_back({{"rule", r.rule},
                       {"action", r.action},
                       {"check_sql", NullIfEmpty(r.check_sql)},
                       {"rows_checked", r.rows_checked},
                       {"rows_failed", r.rows_failed},
                       {"failure_percent", std::round(r.FailurePercent() * 100.0) / 100.0},
                       {"status", ToString(r.outcome)},
                       {"examples", r.examples},
                       {"trend", trend}});
    }
    tables.push_back({{"table", t.table},
                      {"step", t.step ? ledger::ToJson(*t.step) : ordered_json()},
                      {"rules", rules}});
  }
  j["tables"] = tables;
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string RenderHtml(const QualityReport& report) {
  const RunRecord& run = report.run;
  const Totals totals = Total(report);
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + HtmlEscape("Data quality · " + report.project + " · run " + run.run_id) +
       "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n<main>\n";

  h += "<header>\n<h1>" + HtmlEscape("Data-quality report: " + report.project) + "</h1>\n";
  h += "<p class=\"meta\">Run <code>" + HtmlEscape(run.run_id) + "</code> · started " +
       HtmlEscape(FormatUtc(run.started_ms)) + " · <span class=\"badge " +
       (run.succeeded() ? "ok" : "bad") + "\">" + HtmlEscape(ledger::ToString(run.status)) +
       "</span></p>\n";
  h += "<p class=\"meta\">" + HtmlEscape(RunState(run) + " · " + report.SelectionNote()) + "</p>\n";
  if (const std::string later = LaterRunsNote(report); !later.empty()) {
    h += "<p class=\"meta\">" + HtmlEscape(later) + "</p>\n";
  }
  if (!run.succeeded()) h += "<p class=\"error\">" + HtmlEscape(FailureLine(run)) + "</p>\n";
  h += "</header>\n";

  h += "<section>\n<h2>Summary</h2>\n<div class=\"cards\">";
  h += Card(WithThousands(report.RulesEvaluated()), "rules evaluated");
  h += Card(WithThousands(report.RulesWithFailures()), "rules with failing rows",
            report.RulesWithFailures() > 0 ? "warned" : "passed");
  h += Card(WithThousands(report.RulesFailed()), "rules FAILED",
            report.RulesFailed() > 0 ? "failed" : "passed");
  if (totals.silver_steps > 0) {
    h += Card(WithThousands(totals.silver_read), "silver rows read");
    h += Card(WithThousands(totals.kept), "silver rows kept");
    h += Card(WithThousands(totals.quarantined), "silver rows quarantined",
              totals.quarantined > 0 ? "quarantined" : "");
    h += Card(WithThousands(totals.dropped + totals.deduplicated), "dropped + deduplicated");
    if (totals.accounted_steps > 0) {
      h += Card(totals.reconciles ? "holds" : "DOES NOT HOLD", "row account",
                totals.reconciles ? "passed" : "failed");
    }
  }
  if (!report.sources.empty()) {
    h += Card(WithThousands(totals.bronze_quarantined), "bronze records quarantined",
              totals.bronze_quarantined > 0 ? "quarantined" : "");
  }
  h += "</div>\n</section>\n";

  if (!report.sources.empty()) {
    h += "<section>\n<h2>Bronze ingest</h2>\n<table><thead><tr><th>source</th><th "
         "class=\"n\">new files</th><th class=\"n\">records</th><th "
         "class=\"n\">quarantined</th></tr></thead><tbody>";
    for (const SourceIngest& s : report.sources) {
      h += "<tr>" + Cell(s.source) + Cell(WithThousands(s.files), true) +
           Cell(WithThousands(s.records), true) + Cell(WithThousands(s.quarantined), true) +
           "</tr>";
    }
    h += "</tbody></table>\n";
    bool any = false;
    for (const SourceIngest& s : report.sources) {
      for (const SourceIngest::FileError& e : s.file_errors) {
        if (!any) h += "<h3>Files with quarantined records</h3><table><tbody>";
        any = true;
        h += "<tr><td><code>" + HtmlEscape(e.file) + "</code></td>" +
             Cell(WithThousands(e.quarantined), true) + Cell(e.first_error) + "</tr>";
      }
    }
    if (any) h += "</tbody></table>\n";
    h += "</section>\n";
  }

  for (const TableQuality& t : report.tables) {
    h += "<section>\n<h2><code>" + HtmlEscape(t.table) + "</code>";
    if (t.step) h += " <span class=\"meta\">" + HtmlEscape(StepState(*t.step)) + "</span>";
    h += "</h2>\n";
    if (t.step) {
      h += "<h3>Row account</h3>" + HtmlAccount(*t.step) + "\n";
      if (t.step->status == ledger::StepStatus::kFailed && !t.step->message.empty()) {
        h += "<p class=\"error\">" + HtmlEscape(t.step->message) + "</p>\n";
      }
    }
    if (t.rules.empty()) {
      h += "<p class=\"meta\">No rules evaluated in this run.</p>\n</section>\n";
      continue;
    }
    h += "<h3>Rules</h3>" + HtmlRules(t) + "\n" + HtmlExamples(t) + "\n</section>\n";
  }

  h += "<footer>carelake data-quality report. Example rows are source records with the values "
       "of fields declared <code>pii: true</code> replaced by " +
       HtmlEscape(kMask) + ".</footer>\n</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace carelake::quality
