// The data-quality report (report.h) rendered for people and programs:
// aligned plain text for a terminal, a JSON document, and one
// self-contained HTML page. Renderers only format: the report they get is
// loaded (report_loader.h) with its examples already masked.
#ifndef CARELAKE_QUALITY_RENDER_H_
#define CARELAKE_QUALITY_RENDER_H_

#include <cstdint>
#include <string>

#include "carelake/quality/report.h"

namespace carelake::quality {

// The report as aligned plain text for a terminal.
std::string RenderText(const QualityReport& report);

// The report as a JSON document (examples as masked JSON text).
std::string RenderJson(const QualityReport& report);

// The report as one self-contained HTML page: inline CSS and SVG, no script,
// no external reference of any kind; every value HTML-escaped (written
// through html_writer.h, which also holds HtmlEscape).
std::string RenderHtml(const QualityReport& report);

// "2026-11-22 21:26:17 UTC".
std::string FormatUtc(int64_t epoch_ms);

}  // namespace carelake::quality

#endif  // CARELAKE_QUALITY_RENDER_H_
