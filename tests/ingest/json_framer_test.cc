#include "carelake/ingest/json_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace carelake::ingest {
namespace {

// A frame as the tests spell it out.
struct Expected {
  int64_t position;
  int64_t line;
  int64_t offset;
  std::string text;
  bool error = false;
};

void ExpectFrames(std::string_view data, const std::vector<Expected>& expected,
                  JsonLayout layout = JsonLayout::kDetect) {
  const std::vector<JsonFrame> frames = FrameJsonRecords(data, layout);
  ASSERT_EQ(frames.size(), expected.size()) << data;
  for (size_t i = 0; i < frames.size(); ++i) {
    SCOPED_TRACE("frame " + std::to_string(i + 1) + " of:\n" + std::string(data));
    EXPECT_EQ(frames[i].position, expected[i].position);
    EXPECT_EQ(frames[i].line, expected[i].line);
    EXPECT_EQ(frames[i].offset, expected[i].offset);
    EXPECT_EQ(frames[i].text, expected[i].text);
    EXPECT_EQ(!frames[i].error.empty(), expected[i].error) << frames[i].error;
    // The frame's text is where its offset says.
    EXPECT_EQ(data.substr(static_cast<size_t>(frames[i].offset), frames[i].text.size()),
              frames[i].text);
  }
}

// --- Array documents -------------------------------------------------------

TEST(JsonFramerTest, PrettyPrintedArrayGivesEachRecordWithItsLineAndOffset) {
  const std::string doc =
      "[\n"
      "  {\n"
      "    \"id\": \"1\",\n"
      "    \"name\": \"Ana\"\n"
      "  },\n"
      "  {\n"
      "    \"id\": \"2\"\n"
      "  }\n"
      "]\n";
  ExpectFrames(doc, {{1, 2, 4, "{\n    \"id\": \"1\",\n    \"name\": \"Ana\"\n  }"},
                     {2, 6, 46, "{\n    \"id\": \"2\"\n  }"}});
}

TEST(JsonFramerTest, CompactArrayOnOneLine) {
  ExpectFrames(R"([{"a":1},{"a":2}, {"a":3}])",
               {{1, 1, 1, R"({"a":1})"}, {2, 1, 9, R"({"a":2})"}, {3, 1, 18, R"({"a":3})"}});
}

TEST(JsonFramerTest, EmptyArrayHasNoRecords) {
  ExpectFrames("[]", {});
  ExpectFrames("  [ \n ]  \n", {});
}

TEST(JsonFramerTest, ByteOrderMarkIsSkippedButCountsInOffsets) {
  ExpectFrames("\xEF\xBB\xBF[{\"a\":1}]", {{1, 1, 4, R"({"a":1})"}});
  ExpectFrames("\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}\n",
               {{1, 1, 3, R"({"a":1})"}, {2, 2, 11, R"({"a":2})"}});
}

TEST(JsonFramerTest, BracketsBracesAndEscapedQuotesInsideStringsDoNotEndARecord) {
  const std::string doc = R"([{"note":"a ] b } c [ { \" still \\"}, {"q":"\"]"}, {"e":"\\\\"}])";
  ExpectFrames(doc, {{1, 1, 1, R"({"note":"a ] b } c [ { \" still \\"})"},
                     {2, 1, 39, R"({"q":"\"]"})"},
                     {3, 1, 52, R"({"e":"\\\\"})"}});
}

TEST(JsonFramerTest, NestedObjectsAndArraysStayInTheirRecord) {
  ExpectFrames(R"([{"a":{"b":[1,{"c":[]}]}},{"d":[[],[{}]]}])",
               {{1, 1, 1, R"({"a":{"b":[1,{"c":[]}]}})"}, {2, 1, 26, R"({"d":[[],[{}]]})"}});
}

TEST(JsonFramerTest, ScalarsAreFramedAsRecordsForTheCallerToReject) {
  ExpectFrames(
      R"([{"a":1}, 42, "x", null])",
      {{1, 1, 1, R"({"a":1})"}, {2, 1, 10, "42"}, {3, 1, 14, R"("x")"}, {4, 1, 19, "null"}});
}

TEST(JsonFramerTest, InvalidRecordIsStillFramedWhole) {
  // `"b": }` is not JSON, but the record's extent is clear.
  ExpectFrames("[{\"a\":1},\n {\"b\": },\n {\"c\":3}]",
               {{1, 1, 1, R"({"a":1})"}, {2, 2, 11, R"({"b": })"}, {3, 3, 21, R"({"c":3})"}});
}

TEST(JsonFramerTest, MissingCommaBetweenRecordsIsTolerated) {
  ExpectFrames(R"([{"a":1} {"a":2}])", {{1, 1, 1, R"({"a":1})"}, {2, 1, 9, R"({"a":2})"}});
  ExpectFrames(R"([{"a":1},,{"a":2},])", {{1, 1, 1, R"({"a":1})"}, {2, 1, 10, R"({"a":2})"}});
}

TEST(JsonFramerTest, RecordCutShortAndFollowedByTheNextIsSplitThere) {
  // A writer died in the middle of record 2 and the next one was written
  // after it: cut where a key or a comma was due...
  ExpectFrames("[{\"a\":1},\n{\"a\":2, \n{\"a\":3},\n{\"a\":4}]", {{1, 1, 1, R"({"a":1})"},
                                                                   {2, 2, 10, R"({"a":2,)"},
                                                                   {3, 3, 19, R"({"a":3})"},
                                                                   {4, 4, 28, R"({"a":4})"}});
  // ... or inside a string (a line break in a string is never valid JSON).
  ExpectFrames(
      "[{\"a\":1},\n{\"a\":2, \"b\": \"cut\n{\"a\":3}]",
      {{1, 1, 1, R"({"a":1})"}, {2, 2, 10, R"({"a":2, "b": "cut)"}, {3, 3, 28, R"({"a":3})"}});
  // A line break in a string followed by text that is not a record's start
  // at the record's indentation stays in the (invalid) record.
  ExpectFrames("[\n  {\"a\": \"x\",\n   \"b\": \"multi\n    {deeper}\"},\n  {\"a\": \"y\"}\n]",
               {{1, 2, 4, "{\"a\": \"x\",\n   \"b\": \"multi\n    {deeper}\"}"},
                {2, 5, 48, R"({"a": "y"})"}});
  // Where a value is due, a `{` is a nested object: a record cut right after
  // a colon takes the next one with it, as one invalid record.
  ExpectFrames("{\"a\":\n{\"b\":1}\n{\"c\":2}\n",
               {{1, 1, 0, "{\"a\":\n{\"b\":1}"}, {2, 3, 14, R"({"c":2})"}});
}

TEST(JsonFramerTest, TruncatedInsideAStringIsAnErrorFrameToTheEnd) {
  ExpectFrames("[{\"a\":1},\n{\"a\":\"unfinis",
               {{1, 1, 1, R"({"a":1})"}, {2, 2, 10, "{\"a\":\"unfinis", true}});
  // A backslash as the very last byte escapes nothing.
  ExpectFrames("[{\"a\":\"x\\", {{1, 1, 1, "{\"a\":\"x\\", true}});
}

TEST(JsonFramerTest, TruncatedInsideAnObjectIsAnErrorFrameToTheEnd) {
  ExpectFrames("[\n{\"a\":1},\n{\"a\":2, \"b\": [1, 2",
               {{1, 2, 2, R"({"a":1})"}, {2, 3, 11, "{\"a\":2, \"b\": [1, 2", true}});
}

TEST(JsonFramerTest, TruncatedBeforeTheClosingBracketKeepsEveryRecord) {
  const std::vector<JsonFrame> frames = FrameJsonRecords("[{\"a\":1},\n{\"a\":2}\n");
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].text, R"({"a":1})");
  EXPECT_EQ(frames[1].text, R"({"a":2})");
  EXPECT_TRUE(frames[0].error.empty());
  EXPECT_TRUE(frames[1].error.empty());
  // The missing `]` is reported, with no text, where the file ends.
  EXPECT_EQ(frames[2].text, "");
  EXPECT_EQ(frames[2].offset, 18);
  EXPECT_EQ(frames[2].line, 3);
  EXPECT_NE(frames[2].error.find("']'"), std::string::npos) << frames[2].error;
}

TEST(JsonFramerTest, TextAfterTheClosingBracketIsOneErrorFrame) {
  ExpectFrames("[{\"a\":1}]\ngarbage {\"b\":2}\n",
               {{1, 1, 1, R"({"a":1})"}, {2, 2, 10, "garbage {\"b\":2}\n", true}});
}

TEST(JsonFramerTest, ConcatenatedArraysAreOneSequenceOfRecords) {
  ExpectFrames("[{\"a\":1}]\n[{\"a\":2}]", {{1, 1, 1, R"({"a":1})"}, {2, 2, 11, R"({"a":2})"}});
}

TEST(JsonFramerTest, ArrayLayoutRequiresAnArray) {
  ExpectFrames("{\"a\":1}", {{1, 1, 0, "{\"a\":1}", true}}, JsonLayout::kArray);
  ExpectFrames("", {{1, 1, 0, "", true}}, JsonLayout::kArray);
}

// --- NDJSON ----------------------------------------------------------------

TEST(JsonFramerTest, NdjsonWithCrlfAndBlankLines) {
  const std::string doc = "{\"a\":1}\r\n\r\n  \r\n{\"a\":2}\r\n\n{\"a\":3}";
  const std::vector<Expected> expected = {
      {1, 1, 0, R"({"a":1})"}, {2, 4, 15, R"({"a":2})"}, {3, 6, 25, R"({"a":3})"}};
  ExpectFrames(doc, expected);
  ExpectFrames(doc, expected, JsonLayout::kLines);
}

TEST(JsonFramerTest, NdjsonBadLineIsOneRecordAndDoesNotSwallowTheNext) {
  // A line cut inside a string, a line of garbage, and text after a record:
  // each is one bad record, and the records after them are intact.
  const std::string doc =
      "{\"a\":1}\n{\"a\": \"cu\n{\"a\":3}\nnot json at all\n{\"a\":5} trailing\n{}";
  ExpectFrames(doc, {{1, 1, 0, R"({"a":1})"},
                     {2, 2, 8, R"({"a": "cu)"},
                     {3, 3, 18, R"({"a":3})"},
                     {4, 4, 26, "not json at all"},
                     {5, 5, 42, R"({"a":5} trailing)"},
                     {6, 6, 59, "{}"}});
}

TEST(JsonFramerTest, IndentedRecordsCutInsideAStringAreSplitAtTheNextRecord) {
  const std::string doc = "  {\"a\": \"cu\n  {\"a\": 2}\n";
  ExpectFrames(doc, {{1, 1, 2, R"({"a": "cu)"}, {2, 2, 14, R"({"a": 2})"}});
}

TEST(JsonFramerTest, LinesLayoutIsStrictlyOneRecordPerLine) {
  ExpectFrames("{\"a\":\n1}\n{\"b\":2}",
               {{1, 1, 0, "{\"a\":"}, {2, 2, 6, "1}"}, {3, 3, 9, R"({"b":2})"}},
               JsonLayout::kLines);
}

TEST(JsonFramerTest, PrettyPrintedObjectsOneAfterAnother) {
  // One pretty-printed object per file (or several) is one record each.
  const std::string doc = "{\n  \"a\": 1.50,\n  \"b\": {\"c\": [1]}\n}\n{\n  \"a\": 2\n}\n";
  ExpectFrames(doc, {{1, 1, 0, "{\n  \"a\": 1.50,\n  \"b\": {\"c\": [1]}\n}"},
                     {2, 5, 35, "{\n  \"a\": 2\n}"}});
}

TEST(JsonFramerTest, TruncatedNdjsonLastLine) {
  ExpectFrames("{\"a\":1}\n{\"a\":\"x", {{1, 1, 0, R"({"a":1})"}, {2, 2, 8, "{\"a\":\"x", true}});
  ExpectFrames("{\"a\":1}\n{\"a\":\"x", {{1, 1, 0, R"({"a":1})"}, {2, 2, 8, "{\"a\":\"x"}},
               JsonLayout::kLines);
}

TEST(JsonFramerTest, EmptyAndBlankInputHaveNoRecords) {
  ExpectFrames("", {});
  ExpectFrames(" \n\r\n\t", {});
  ExpectFrames("\xEF\xBB\xBF", {});
}

// --- UTF-8 -----------------------------------------------------------------

TEST(FindInvalidUtf8Test, ValidTextIncludingEveryEncodingLength) {
  EXPECT_EQ(FindInvalidUtf8(""), -1);
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), -1);
  EXPECT_EQ(FindInvalidUtf8("Jos\xC3\xA9"), -1);                // é, 2 bytes
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82\xAC 12"), -1);            // €, 3 bytes
  EXPECT_EQ(FindInvalidUtf8("\xF0\x9F\x98\x80"), -1);           // 😀, 4 bytes
  EXPECT_EQ(FindInvalidUtf8("\xEF\xBB\xBF"), -1);               // BOM
  EXPECT_EQ(FindInvalidUtf8("\xF4\x8F\xBF\xBF"), -1);           // U+10FFFF, the last
  EXPECT_EQ(FindInvalidUtf8("\xED\x9F\xBF\xEE\x80\x80"), -1);   // U+D7FF, U+E000
  EXPECT_EQ(FindInvalidUtf8(std::string_view("a\0b", 3)), -1);  // NUL is ASCII
}

TEST(FindInvalidUtf8Test, ReportsTheOffsetOfTheFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("Jos\xE9"), 3);           // latin-1 é
  EXPECT_EQ(FindInvalidUtf8("ab\x80"), 2);            // lone continuation byte
  EXPECT_EQ(FindInvalidUtf8("ok \xC3\xA9 \xFF"), 6);  // after a valid sequence
  EXPECT_EQ(FindInvalidUtf8("\xC3\xA9\xC3"), 2);      // truncated 2-byte at the end
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82"), 0);          // truncated 3-byte
  EXPECT_EQ(FindInvalidUtf8("\xF0\x9F\x98"), 0);      // truncated 4-byte
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82x"), 0);         // continuation missing
}

TEST(FindInvalidUtf8Test, OverlongForms) {
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0);  // '/' in 2 bytes
  EXPECT_EQ(FindInvalidUtf8("\xC1\xBF"), 0);
  EXPECT_EQ(FindInvalidUtf8("x\xE0\x80\xAF"), 1);     // '/' in 3 bytes
  EXPECT_EQ(FindInvalidUtf8("\xE0\x9F\xBF"), 0);      // U+07FF in 3 bytes
  EXPECT_EQ(FindInvalidUtf8("\xF0\x8F\xBF\xBF"), 0);  // U+FFFF in 4 bytes
}

TEST(FindInvalidUtf8Test, SurrogatesAndBeyondUnicode) {
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0);      // U+D800
  EXPECT_EQ(FindInvalidUtf8("a\xED\xBF\xBF"), 1);     // U+DFFF
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0);  // U+110000
  EXPECT_EQ(FindInvalidUtf8("\xF5\x80\x80\x80"), 0);
  EXPECT_EQ(FindInvalidUtf8("\xF8\x88\x80\x80\x80"), 0);  // 5-byte form
}

}  // namespace
}  // namespace carelake::ingest
