// RenderText: the report as aligned plain text for a terminal.
#include <algorithm>
#include <string>
#include <vector>

#include "carelake/base/format.h"
#include "carelake/quality/pii_masker.h"
#include "carelake/quality/render.h"
#include "carelake/quality/render_util.h"

namespace carelake::quality {

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

}  // namespace carelake::quality
