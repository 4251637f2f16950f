// RenderHtml: the report as one self-contained HTML page — inline CSS and
// SVG sparklines, no script, no external reference. The page is written
// through HtmlWriter, so every value from the ledger is escaped; only the
// CSS below enters as raw markup.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "carelake/base/format.h"
#include "carelake/quality/html_writer.h"
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
void WriteSparkline(HtmlWriter& w, const RuleRecord& rule) {
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
  w.Open("svg", {{"class", "spark"},
                 {"width", "120"},
                 {"height", "28"},
                 {"viewBox", "0 0 120 28"},
                 {"role", "img"},
                 {"aria-label", label}});
  const std::string baseline = Number(kH - kPad, 1);
  w.SelfClosing("line", {{"x1", "0"}, {"y1", baseline}, {"x2", "120"}, {"y2", baseline}});
  // Runs that did not evaluate the rule break the line.
  std::string points;
  auto flush = [&] {
    if (points.find(' ') != std::string::npos) w.SelfClosing("polyline", {{"points", points}});
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
    const std::string cx = Number(x(i), 1), cy = Number(y(Rate(p)), 1);
    if (i + 1 == n) {
      w.Open("circle", {{"class", "now"}, {"cx", cx}, {"cy", cy}, {"r", "2.5"}});
    } else {
      w.Open("circle", {{"cx", cx}, {"cy", cy}, {"r", "2"}});
    }
    w.Element("title", FormatUtc(p.started_ms) + " · run " + p.run_id + ": " + Percent(Rate(p)) +
                           " (" + WithThousands(p.rows_failed) + " of " +
                           WithThousands(*p.rows_checked) + ")");
    w.Close("circle");
  }
  w.Close("svg");
  // The line is scaled to its own peak; say what the peak is.
  if (max_rate > 0) w.Element("div", {{"class", "check"}}, "peak " + Percent(max_rate));
}

void WriteCell(HtmlWriter& w, const std::string& text, bool numeric = false) {
  if (numeric) {
    w.Element("td", {{"class", "n"}}, text);
  } else {
    w.Element("td", text);
  }
}

void WriteCard(HtmlWriter& w, const std::string& value, const std::string& key,
               const std::string& cls = "") {
  w.Open("div", {{"class", "card"}});
  w.Element("div", {{"class", cls.empty() ? "v" : "v " + cls}}, value);
  w.Element("div", {{"class", "k"}}, key);
  w.Close("div");
}

void WriteAccount(HtmlWriter& w, const StepRecord& s) {
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
  w.Open("table", {{"class", "account"}}).Open("thead").Open("tr");
  for (const auto& [k, v] : cells) w.Element("th", {{"class", "n"}}, k);
  w.Close("tr").Close("thead").Open("tbody").Open("tr");
  for (const auto& [k, v] : cells) WriteCell(w, WithThousands(v), true);
  w.Close("tr").Close("tbody").Close("table");
  if (s.kind == "silver") {
    const bool bad = s.HasRowAccount() && !s.Reconciles();
    w.Element("p",
              {{"class", bad                 ? "recon bad"
                         : s.HasRowAccount() ? "recon ok"
                                             : "recon"}},
              Reconciliation(s));
  }
}

void WriteRules(HtmlWriter& w, const TableQuality& t) {
  double max_percent = 0;
  for (const RuleRecord& r : t.rules) max_percent = std::max(max_percent, r.FailurePercent());
  const size_t trend_runs = t.rules.empty() ? 0 : t.rules.front().trend.size();
  w.Open("table", {{"class", "rules"}}).Open("thead").Open("tr");
  w.Element("th", "rule").Element("th", "action");
  w.Element("th", {{"class", "n"}}, "checked");
  w.Element("th", {{"class", "n"}}, "failed");
  w.Element("th", {{"class", "n"}}, "failure rate");
  w.Element("th", "status");
  w.Element("th", "trend (last " + std::to_string(trend_runs) +
                      (trend_runs == 1 ? " run" : " runs") + ")");
  w.Close("tr").Close("thead").Open("tbody");
  for (const RuleRecord& r : t.rules) {
    const std::string cls = OutcomeClass(r.outcome);
    // Bars are proportional to the failure rate, the largest in the table
    // filling the bar; any failure stays visible.
    double width = max_percent > 0 ? 100.0 * r.FailurePercent() / max_percent : 0;
    if (r.rows_failed > 0) width = std::max(width, 2.0);
    w.Open("tr").Open("td").Element("code", r.rule);
    if (!r.check_sql.empty()) w.Element("div", {{"class", "check"}}, r.check_sql);
    w.Close("td");
    WriteCell(w, r.action);
    WriteCell(w, WithThousands(r.rows_checked), true);
    WriteCell(w, WithThousands(r.rows_failed), true);
    w.Open("td", {{"class", "n"}}).Text(r.rows_checked > 0 ? Percent(r.FailurePercent()) : "-");
    w.Open("div", {{"class", "bar"}});
    w.Element("span", {{"class", cls}, {"style", "width:" + Number(width, 1) + "%"}}, "");
    w.Close("div").Close("td");
    w.Element("td", {{"class", "word " + cls}}, ToString(r.outcome));
    w.Open("td");
    WriteSparkline(w, r);
    w.Close("td").Close("tr");
  }
  w.Close("tbody").Close("table");
}

void WriteExamples(HtmlWriter& w, const TableQuality& t) {
  auto shown = [](const RuleRecord& r) { return r.rows_failed > 0 && !r.examples.empty(); };
  if (std::none_of(t.rules.begin(), t.rules.end(), shown)) return;
  w.Element("h3", std::string("Examples (source records; PII values shown as ") + kMask + ")");
  for (const RuleRecord& r : t.rules) {
    if (!shown(r)) continue;
    w.Open("details").Open("summary").Element("code", r.rule);
    w.Text(" — " + std::to_string(r.examples.size()) + " of " + WithThousands(r.rows_failed) +
           " failing rows");
    w.Close("summary");
    for (const std::string& e : r.examples) w.Element("pre", e);
    w.Close("details");
  }
}

void WriteHeader(HtmlWriter& w, const QualityReport& report) {
  const RunRecord& run = report.run;
  w.Open("header").Newline();
  w.Element("h1", "Data-quality report: " + report.project).Newline();
  w.Open("p", {{"class", "meta"}}).Text("Run ").Element("code", run.run_id);
  w.Text(" · started " + FormatUtc(run.started_ms) + " · ");
  w.Element("span", {{"class", run.succeeded() ? "badge ok" : "badge bad"}},
            ledger::ToString(run.status));
  w.Close("p").Newline();
  w.Element("p", {{"class", "meta"}}, RunState(run) + " · " + report.SelectionNote()).Newline();
  if (const std::string later = LaterRunsNote(report); !later.empty()) {
    w.Element("p", {{"class", "meta"}}, later).Newline();
  }
  if (!run.succeeded()) w.Element("p", {{"class", "error"}}, FailureLine(run)).Newline();
  w.Close("header").Newline();
}

void WriteSummary(HtmlWriter& w, const QualityReport& report) {
  const Totals totals = Total(report);
  w.Open("section").Newline().Element("h2", "Summary").Newline();
  w.Open("div", {{"class", "cards"}});
  WriteCard(w, WithThousands(report.RulesEvaluated()), "rules evaluated");
  WriteCard(w, WithThousands(report.RulesWithFailures()), "rules with failing rows",
            report.RulesWithFailures() > 0 ? "warned" : "passed");
  WriteCard(w, WithThousands(report.RulesFailed()), "rules FAILED",
            report.RulesFailed() > 0 ? "failed" : "passed");
  if (totals.silver_steps > 0) {
    WriteCard(w, WithThousands(totals.silver_read), "silver rows read");
    WriteCard(w, WithThousands(totals.kept), "silver rows kept");
    WriteCard(w, WithThousands(totals.quarantined), "silver rows quarantined",
              totals.quarantined > 0 ? "quarantined" : "");
    WriteCard(w, WithThousands(totals.dropped + totals.deduplicated), "dropped + deduplicated");
    if (totals.accounted_steps > 0) {
      WriteCard(w, totals.reconciles ? "holds" : "DOES NOT HOLD", "row account",
                totals.reconciles ? "passed" : "failed");
    }
  }
  if (!report.sources.empty()) {
    WriteCard(w, WithThousands(totals.bronze_quarantined), "bronze records quarantined",
              totals.bronze_quarantined > 0 ? "quarantined" : "");
  }
  w.Close("div").Newline().Close("section").Newline();
}

void WriteBronze(HtmlWriter& w, const QualityReport& report) {
  w.Open("section").Newline().Element("h2", "Bronze ingest").Newline();
  w.Open("table").Open("thead").Open("tr").Element("th", "source");
  w.Element("th", {{"class", "n"}}, "new files");
  w.Element("th", {{"class", "n"}}, "records");
  w.Element("th", {{"class", "n"}}, "quarantined");
  w.Close("tr").Close("thead").Open("tbody");
  for (const SourceIngest& s : report.sources) {
    w.Open("tr");
    WriteCell(w, s.source);
    WriteCell(w, WithThousands(s.files), true);
    WriteCell(w, WithThousands(s.records), true);
    WriteCell(w, WithThousands(s.quarantined), true);
    w.Close("tr");
  }
  w.Close("tbody").Close("table").Newline();
  bool any = false;
  for (const SourceIngest& s : report.sources) {
    for (const SourceIngest::FileError& e : s.file_errors) {
      if (!any) w.Element("h3", "Files with quarantined records").Open("table").Open("tbody");
      any = true;
      w.Open("tr").Open("td").Element("code", e.file).Close("td");
      WriteCell(w, WithThousands(e.quarantined), true);
      WriteCell(w, e.first_error);
      w.Close("tr");
    }
  }
  if (any) w.Close("tbody").Close("table").Newline();
  w.Close("section").Newline();
}

void WriteTable(HtmlWriter& w, const TableQuality& t) {
  w.Open("section").Newline().Open("h2").Element("code", t.table);
  if (t.step) w.Text(" ").Element("span", {{"class", "meta"}}, StepState(*t.step));
  w.Close("h2").Newline();
  if (t.step) {
    w.Element("h3", "Row account");
    WriteAccount(w, *t.step);
    w.Newline();
    if (t.step->status == ledger::StepStatus::kFailed && !t.step->message.empty()) {
      w.Element("p", {{"class", "error"}}, t.step->message).Newline();
    }
  }
  if (t.rules.empty()) {
    w.Element("p", {{"class", "meta"}}, "No rules evaluated in this run.").Newline();
  } else {
    w.Element("h3", "Rules");
    WriteRules(w, t);
    w.Newline();
    WriteExamples(w, t);
    w.Newline();
  }
  w.Close("section").Newline();
}

}  // namespace

std::string RenderHtml(const QualityReport& report) {
  HtmlWriter w;
  w.Raw("<!DOCTYPE html>\n");
  w.Open("html", {{"lang", "en"}}).Newline().Open("head").Newline();
  w.Void("meta", {{"charset", "utf-8"}}).Newline();
  w.Void("meta", {{"name", "viewport"}, {"content", "width=device-width, initial-scale=1"}})
      .Newline();
  w.Element("title", "Data quality · " + report.project + " · run " + report.run.run_id).Newline();
  w.Open("style").Raw(kCss).Close("style").Newline();
  w.Close("head").Newline().Open("body").Newline().Open("main").Newline();

  WriteHeader(w, report);
  WriteSummary(w, report);
  if (!report.sources.empty()) WriteBronze(w, report);
  for (const TableQuality& t : report.tables) WriteTable(w, t);

  w.Open("footer").Text(
      "carelake data-quality report. Example rows are source records with the values of fields "
      "declared ");
  w.Element("code", "pii: true").Text(std::string(" replaced by ") + kMask + ".");
  w.Close("footer").Newline();
  w.Close("main").Newline().Close("body").Newline().Close("html").Newline();
  return std::move(w).Finish();
}

}  // namespace carelake::quality
