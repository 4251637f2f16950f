// The JSON shape scan on its own: what it learns of a text (keys, record
// count, first character) and what sends a file to the slow path. Texts are
// also fed one byte at a time, since chunks may split them anywhere.
#include "carelake/ingest/json_scan.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace carelake::ingest {
namespace {

struct Scan {
  bool fast;
  char first;
  int64_t records;
  std::vector<std::string> keys;
};

// Scans `text` in chunks of `chunk` bytes (all of it at once when 0).
Scan ScanText(std::string_view text, size_t chunk = 0) {
  JsonShapeScanner scanner;
  if (chunk == 0) chunk = text.size() + 1;
  for (size_t at = 0; at < text.size(); at += chunk) scanner.Feed(text.substr(at, chunk));
  scanner.Finish();
  return {scanner.fast(), scanner.first(), scanner.records(), scanner.keys()};
}

// Scans `text` whole and byte by byte; both must agree.
Scan ScanBothWays(std::string_view text) {
  const Scan whole = ScanText(text);
  const Scan bytes = ScanText(text, 1);
  EXPECT_EQ(whole.fast, bytes.fast) << text;
  EXPECT_EQ(whole.first, bytes.first) << text;
  if (whole.fast) {
    EXPECT_EQ(whole.records, bytes.records) << text;
    EXPECT_EQ(whole.keys, bytes.keys) << text;
  }
  return whole;
}

TEST(JsonScanTest, ArrayDocumentGivesItsRecordsAndKeysInOrderOfAppearance) {
  const Scan s = ScanBothWays(
      "\xEF\xBB\xBF [\n {\"id\": \"1\", \"name\": \"a\\\"b\"},\n {\"id\": 2, \"extra\": "
      "{\"x\": [1, 2.5]}},\n {\"name\": null, \"id\": true}\n]\n");
  EXPECT_TRUE(s.fast);
  EXPECT_EQ(s.first, '[');
  EXPECT_EQ(s.records, 3);
  EXPECT_EQ(s.keys, (std::vector<std::string>{"id", "name", "extra"}));
}

TEST(JsonScanTest, RecordsOneAfterAnotherAreCountedToo) {
  const Scan s = ScanBothWays("{\"a\": 1}\n{\"b\": \"x\"}\n{}\n");
  EXPECT_TRUE(s.fast);
  EXPECT_EQ(s.first, '{');
  EXPECT_EQ(s.records, 3);
  EXPECT_EQ(s.keys, (std::vector<std::string>{"a", "b"}));
}

TEST(JsonScanTest, NumbersDuckDbWouldPrintDifferentlyNeedTheSlowPath) {
  for (const char* number : {"1.50", "1E+2", "-0", "0.00001", "1234567890123456.5"}) {
    EXPECT_FALSE(TokenKeepsItsText(number)) << number;
    EXPECT_FALSE(ScanBothWays(std::string("[{\"v\": ") + number + "}]").fast) << number;
  }
  for (const char* number : {"0", "-12", "1.5", "0.0", "0.0001", "123456789012.125", "true"}) {
    EXPECT_TRUE(TokenKeepsItsText(number)) << number;
    EXPECT_TRUE(ScanBothWays(std::string("[{\"v\": ") + number + "}]").fast) << number;
  }
  // Inside strings nothing is a number.
  EXPECT_TRUE(ScanBothWays("[{\"v\": \"1.50\"}]").fast);
}

TEST(JsonScanTest, RecordsOrKeysBronzeCannotTakeAsIsNeedTheSlowPath) {
  EXPECT_FALSE(ScanBothWays("[{\"a\": 1}, 2]").fast);                   // not an object
  EXPECT_FALSE(ScanBothWays("[{\"a\": 1}, [1]]").fast);                 // an array
  EXPECT_FALSE(ScanBothWays("\"text\"\n").fast);                        // a string
  EXPECT_FALSE(ScanBothWays("{\"a\": 1, \"b\": 2, \"a\": 3}").fast);    // a repeated key
  EXPECT_FALSE(ScanBothWays("{\"a\": 1}\n{\"b\": 1, \"B\": 2}").fast);  // keys differing in case
  EXPECT_FALSE(ScanBothWays("{\"a\": 1}\n{\"A\": 2}").fast);            // spelled two ways
  EXPECT_FALSE(ScanBothWays("{\"\": 1}").fast);                         // an empty key
  EXPECT_FALSE(ScanBothWays("{\"a\\u0062\": 1}").fast);                 // an escaped key
  // Nested objects may repeat keys: they are values, not columns.
  EXPECT_TRUE(ScanBothWays("{\"a\": {\"x\": 1, \"x\": 2}}").fast);
}

}  // namespace
}  // namespace carelake::ingest
