// HtmlWriter: text and attribute values are escaped by construction, markup
// enters only through Raw(), and elements nest as written.
#include "carelake/quality/html_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace carelake::quality {
namespace {

constexpr char kHostile[] = R"(<script>alert("x")</script> O'Hara & co)";
constexpr char kHostileEscaped[] =
    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Hara &amp; co";

TEST(HtmlEscapeTest, EscapesMarkupAndQuotes) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x">O'Hara & co</a>)"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Hara &amp; co&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("plain · text — ünïcode\n"), "plain · text — ünïcode\n");
  EXPECT_EQ(HtmlEscape(""), "");
}

TEST(HtmlWriterTest, EscapesText) {
  HtmlWriter w;
  w.Text(kHostile);
  EXPECT_EQ(std::move(w).Finish(), kHostileEscaped);
}

TEST(HtmlWriterTest, EscapesElementContent) {
  HtmlWriter w;
  w.Element("td", kHostile);
  EXPECT_EQ(std::move(w).Finish(), std::string("<td>") + kHostileEscaped + "</td>");
}

TEST(HtmlWriterTest, EscapesAttributeValues) {
  HtmlWriter w;
  // A value that would end the attribute and add an event handler if
  // written as is.
  w.Element("span", {{"class", "a"}, {"title", R"html(x" onmouseover="alert(1))html"}}, "");
  EXPECT_EQ(std::move(w).Finish(),
            R"html(<span class="a" title="x&quot; onmouseover=&quot;alert(1)"></span>)html");
}

TEST(HtmlWriterTest, RawPassesThrough) {
  HtmlWriter w;
  w.Raw("<!DOCTYPE html>\n").Open("style").Raw("a > b{content:\"&\"}").Close("style");
  EXPECT_EQ(std::move(w).Finish(), "<!DOCTYPE html>\n<style>a > b{content:\"&\"}</style>");
}

TEST(HtmlWriterTest, NestsOpenCloseAndEmptyElements) {
  HtmlWriter w;
  w.Open("html", {{"lang", "en"}}).Newline();
  w.Void("meta", {{"charset", "utf-8"}}).Newline();
  w.Open("svg", {{"aria-label", "1 < 2"}});
  w.SelfClosing("line", {{"x1", "0"}, {"y1", "25.0"}});
  w.Open("circle", {{"r", "2"}}).Element("title", "run a&b").Close("circle");
  w.Close("svg").Newline().Close("html");
  EXPECT_EQ(std::move(w).Finish(),
            "<html lang=\"en\">\n<meta charset=\"utf-8\">\n"
            "<svg aria-label=\"1 &lt; 2\"><line x1=\"0\" y1=\"25.0\"/>"
            "<circle r=\"2\"><title>run a&amp;b</title></circle></svg>\n</html>");
}

TEST(HtmlWriterTest, ElementWithoutTextIsStartAndEndTag) {
  HtmlWriter w;
  w.Element("p", "");
  EXPECT_EQ(std::move(w).Finish(), "<p></p>");
}

}  // namespace
}  // namespace carelake::quality
