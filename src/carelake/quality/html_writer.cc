#include "carelake/quality/html_writer.h"

#include <cassert>
#include <utility>

namespace carelake::quality {

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

void HtmlWriter::StartTag(std::string_view tag, Attributes attributes) {
  html_ += '<';
  html_ += tag;
  for (const Attribute& a : attributes) {
    html_ += ' ';
    html_ += a.name;
    html_ += "=\"";
    html_ += HtmlEscape(a.value);
    html_ += '"';
  }
}

HtmlWriter& HtmlWriter::Open(std::string_view tag, Attributes attributes) {
  StartTag(tag, attributes);
  html_ += '>';
  open_.emplace_back(tag);
  return *this;
}

HtmlWriter& HtmlWriter::Close(std::string_view tag) {
  assert(!open_.empty() && open_.back() == tag && "Close() of an element that is not innermost");
  open_.pop_back();
  html_ += "</";
  html_ += tag;
  html_ += '>';
  return *this;
}

HtmlWriter& HtmlWriter::Element(std::string_view tag, std::string_view text) {
  return Element(tag, {}, text);
}

HtmlWriter& HtmlWriter::Element(std::string_view tag, Attributes attributes,
                                std::string_view text) {
  return Open(tag, attributes).Text(text).Close(tag);
}

HtmlWriter& HtmlWriter::Void(std::string_view tag, Attributes attributes) {
  StartTag(tag, attributes);
  html_ += '>';
  return *this;
}

HtmlWriter& HtmlWriter::SelfClosing(std::string_view tag, Attributes attributes) {
  StartTag(tag, attributes);
  html_ += "/>";
  return *this;
}

HtmlWriter& HtmlWriter::Text(std::string_view text) {
  html_ += HtmlEscape(text);
  return *this;
}

HtmlWriter& HtmlWriter::Newline() {
  html_ += '\n';
  return *this;
}

HtmlWriter& HtmlWriter::Raw(std::string_view markup) {
  html_ += markup;
  return *this;
}

std::string HtmlWriter::Finish() && {
  assert(open_.empty() && "Finish() with elements still open");
  return std::move(html_);
}

}  // namespace carelake::quality
