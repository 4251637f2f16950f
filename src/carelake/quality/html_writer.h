// HtmlWriter: builds an HTML document in which text content and attribute
// values are escaped by construction. The report's page (render_html.cc)
// shows values read from the ledger (rule names, SQL, source records), any
// of which may hold markup; concatenating strings by hand made every
// forgotten HtmlEscape an injection. Here text only enters through Text(),
// Element() and attribute values, which escape it; markup only through
// Raw(), named so that every trusted fragment (our CSS, the doctype) stands
// out in review. Tag and attribute names are written as given: they come
// from our code, never from data.
#ifndef CARELAKE_QUALITY_HTML_WRITER_H_
#define CARELAKE_QUALITY_HTML_WRITER_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace carelake::quality {

// `text` with &, <, >, " and ' replaced by entities: safe as element content
// and as a double- or single-quoted attribute value.
std::string HtmlEscape(std::string_view text);

class HtmlWriter {
 public:
  // ` name="value"` in a start tag; the value is escaped.
  struct Attribute {
    std::string_view name;
    std::string_view value;
  };
  using Attributes = std::initializer_list<Attribute>;

  // `<tag name="value"...>`: an element whose content follows; end it with
  // Close(tag).
  HtmlWriter& Open(std::string_view tag, Attributes attributes = {});

  // `</tag>`. Elements close innermost first: `tag` must be the innermost
  // open element (a programmer error otherwise, checked by assert).
  HtmlWriter& Close(std::string_view tag);

  // `<tag ...>text</tag>`, the text escaped.
  HtmlWriter& Element(std::string_view tag, std::string_view text);
  HtmlWriter& Element(std::string_view tag, Attributes attributes, std::string_view text);

  // `<tag ...>` with neither content nor end tag (HTML void elements: meta).
  HtmlWriter& Void(std::string_view tag, Attributes attributes = {});

  // `<tag .../>` (SVG elements without content: line, polyline).
  HtmlWriter& SelfClosing(std::string_view tag, Attributes attributes = {});

  // Text content, escaped.
  HtmlWriter& Text(std::string_view text);

  // A line break in the markup (for a readable page source).
  HtmlWriter& Newline();

  // Markup written as is. Only for fragments our own code wrote (the CSS,
  // the doctype); never for anything read from data.
  HtmlWriter& Raw(std::string_view markup);

  // The document so far. Every opened element must have been closed.
  std::string Finish() &&;

 private:
  void StartTag(std::string_view tag, Attributes attributes);

  std::string html_;
  std::vector<std::string> open_;  // open elements, innermost last
};

}  // namespace carelake::quality

#endif  // CARELAKE_QUALITY_HTML_WRITER_H_
