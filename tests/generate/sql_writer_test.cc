// PostgreSQL COPY text escaping of the generators' writer (generate/sql_writer.h):
// SQL NULL is \N, the literal text NULL stays text, control characters and
// backslashes are escaped (db_generators_test.cc loads it into a real server).
#include "carelake/generate/sql_writer.h"

#include <gtest/gtest.h>

namespace carelake::generate {
namespace {

std::string Copy(const std::optional<std::string>& value) {
  std::string out;
  AppendCopyText(out, value);
  return out;
}

TEST(SqlWriterTest, CopyTextEscapesWhatCopyWouldReadOtherwise) {
  EXPECT_EQ(Copy(std::nullopt), "\\N");
  EXPECT_EQ(Copy("NULL"), "NULL");
  EXPECT_EQ(Copy(""), "");
  EXPECT_EQ(Copy("Rua Augusta, 10\n1100-053 Lisboa"), "Rua Augusta, 10\\n1100-053 Lisboa");
  EXPECT_EQ(Copy("a\tb\\c\rd"), "a\\tb\\\\c\\rd");
  EXPECT_EQ(Copy("{\"CODEINE PHOSPHATE\",GUAIFENESIN}"), "{\"CODEINE PHOSPHATE\",GUAIFENESIN}");
  EXPECT_EQ(Copy("São Paulo"), "São Paulo");
}

}  // namespace
}  // namespace carelake::generate
