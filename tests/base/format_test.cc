// The small text formats of base/format.h, each against values worked out
// by hand.
#include "carelake/base/format.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace carelake {
namespace {

TEST(FormatTest, ThousandsAndSeconds) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1234567), "1,234,567");
  EXPECT_EQ(WithThousands(-1234), "-1,234");
  EXPECT_EQ(FormatSeconds(1234), "1.2 s");
}

TEST(FormatTest, HexDigitValues) {
  const std::string digits = "0123456789abcdef";
  for (size_t i = 0; i < digits.size(); ++i) {
    EXPECT_EQ(HexDigitValue(digits[i]), static_cast<int>(i));
    EXPECT_EQ(HexDigitValue(static_cast<char>(std::toupper(digits[i]))), static_cast<int>(i));
  }
  for (char c : std::string("gG/:@`x \0", 9)) EXPECT_EQ(HexDigitValue(c), -1) << int(c);
}

// What PostgreSQL's COPY ... FROM in text format reads back as the value.
TEST(FormatTest, CopyTextFieldsEscapeWhatTheFormatGivesMeaningTo) {
  std::string out;
  AppendCopyTextField("a\\b\nc\rd\te\bf\fg\vh", '\t', out);
  EXPECT_EQ(out, "a\\\\b\\nc\\rd\\te\\bf\\fg\\vh");
  out.clear();
  AppendCopyTextField("x|y,z", '|', out);  // another delimiter is escaped, a comma is not
  EXPECT_EQ(out, "x\\|y,z");
  out.clear();
  AppendCopyTextField("\\N", '\t', out);  // text that looks like NULL stays text
  EXPECT_EQ(out, "\\\\N");
  out.clear();
  AppendCopyTextField("ünïcode – ok", '\t', out);
  EXPECT_EQ(out, "ünïcode – ok");
}

}  // namespace
}  // namespace carelake
