// The slow path's reading of one record: what bronze keeps of each member,
// and why a record is refused.
#include "carelake/ingest/json_records.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace carelake::ingest {
namespace {

TEST(JsonRecordsTest, MembersKeepTheirTextAndNestedValuesBecomeCompactJson) {
  std::vector<Member> members;
  ASSERT_EQ(ParseJsonRecord(R"({"s": "a\"b", "n": null, "d": 1.50, "z": -0, "b": false,
                                "o": {"k": [1, "x\u0001"], "e": {}}})",
                            0, &members),
            "");
  ASSERT_EQ(members.size(), 6u);
  EXPECT_EQ(members[0].key, "s");
  EXPECT_EQ(members[0].value, "a\"b");
  EXPECT_EQ(members[1].value, std::nullopt);
  EXPECT_EQ(members[2].value, "1.50");
  EXPECT_EQ(members[3].value, "-0");
  EXPECT_EQ(members[4].value, "false");
  EXPECT_EQ(members[5].value, R"({"k":[1,"x\u0001"],"e":{}})");
}

TEST(JsonRecordsTest, RecordsBronzeCannotTakeAreRefusedWithAReason) {
  std::vector<Member> members;
  EXPECT_EQ(ParseJsonRecord("[1, 2]", 0, &members), "a JSON value that is an array, not an object");
  EXPECT_TRUE(members.empty());
  EXPECT_EQ(ParseJsonRecord(R"({"a": 1, "a": 2})", 0, &members), "the key 'a' appears twice");
  EXPECT_EQ(ParseJsonRecord(R"({"id": 1, "ID": 2})", 0, &members),
            "the keys 'id' and 'ID' differ only in case (bronze columns are case-insensitive)");
  EXPECT_EQ(ParseJsonRecord(R"({"": 1})", 0, &members),
            "an empty key (bronze columns need a name)");
  // Syntax errors give the byte of the file: the record starts at 100.
  const std::string trailing_comma = ParseJsonRecord(R"({"a": 1,})", 100, &members);
  EXPECT_TRUE(trailing_comma.starts_with("not valid JSON: ")) << trailing_comma;
  EXPECT_TRUE(trailing_comma.ends_with(" at byte 108 of the file")) << trailing_comma;
  EXPECT_TRUE(members.empty());
  EXPECT_TRUE(ParseJsonRecord(R"({"a": NaN})", 0, &members).starts_with("not valid JSON: "));
  EXPECT_TRUE(ParseJsonRecord(R"({"a": 1e400})", 0, &members).starts_with("not valid JSON: "));
}

}  // namespace
}  // namespace carelake::ingest
