#include "carelake/base/confined_file_system.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace carelake {
namespace {

TEST(ConfinedFileSystemTest, ReadsBelowItsRootsOnly) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("carelake_confined_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "lake" / "t");
  std::filesystem::create_directories(dir / "lake2");
  std::ofstream(dir / "lake" / "t" / "a.json") << "{}";
  std::ofstream(dir / "lake2" / "b.json") << "{}";
  ConfinedFileSystem fs(LocalFileSystem(), {(dir / "lake").string() + "/"});

  EXPECT_TRUE(fs.Allows((dir / "lake").string()));
  EXPECT_TRUE(fs.Allows((dir / "lake" / "t" / "a.json").string()));
  EXPECT_FALSE(fs.Allows((dir / "lake2" / "b.json").string()));  // a sibling, not below
  EXPECT_FALSE(fs.Allows((dir / "lake" / ".." / "lake2").string()));
  EXPECT_FALSE(fs.Allows("/etc/passwd"));

  EXPECT_EQ(*fs.ReadFile((dir / "lake" / "t" / "a.json").string()), "{}");
  EXPECT_TRUE(fs.List((dir / "lake" / "t").string()).ok());
  EXPECT_EQ(fs.ReadFile((dir / "lake2" / "b.json").string()).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(fs.List("/etc").status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(fs.Exists("/etc/passwd"));
  // Nothing is written, even below the roots.
  EXPECT_EQ(fs.WriteFileIfAbsent((dir / "lake" / "x").string(), "x").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(fs.RemoveFile((dir / "lake" / "t" / "a.json").string()).code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(std::filesystem::exists(dir / "lake" / "t" / "a.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "lake" / "x"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace carelake
