// RenderHtml: the report as one self-contained HTML page — inline CSS and
// SVG sparklines, no script, no external reference; every value from the
// ledger goes through HtmlEscape.
#include <algorithm>
#include <cstdio>
#include <string>

#include "carelake/base/format.h"
#include "carelake/quality/pii_masker.h"
#include "carelake/quality/render.h"
#include "carelake/quality/render_util.h"

namespace carelake::quality {
namespace {

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

}  // namespace

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
