// Reference data shared between checkouts: the folder ../shared beside the
// checkout (CARELAKE_SHARED_DIR, set by tests/CMakeLists.txt), or
// $CARELAKE_SHARED. A clone without it skips the tests that read it, naming
// the missing folder; with CI=true a missing folder fails them instead, so
// that CI never skips them silently.
#ifndef CARELAKE_TESTS_SHARED_DATA_H_
#define CARELAKE_TESTS_SHARED_DATA_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#ifndef CARELAKE_SHARED_DIR
#error "CARELAKE_SHARED_DIR is defined for every test target by tests/CMakeLists.txt"
#endif

namespace carelake::testing_shared {

// The shared folder: $CARELAKE_SHARED if set, else ../shared.
inline std::string SharedDir() {
  const char* env = std::getenv("CARELAKE_SHARED");
  return env != nullptr ? env : CARELAKE_SHARED_DIR;
}

// "" when <SharedDir()>/<relative> is a folder, else a sentence naming it.
inline std::string MissingSharedData(const std::string& relative) {
  const std::filesystem::path dir = std::filesystem::path(SharedDir()) / relative;
  if (std::filesystem::is_directory(dir)) return "";
  return "reference data folder " + dir.string() +
         " is missing (set CARELAKE_SHARED to the folder holding " + relative + ")";
}

// True when the environment variable CI is "true".
inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace carelake::testing_shared

// In a test body or a fixture's SetUp(): skips the test when the reference
// data folder `relative` (e.g. "testdata/delta") is missing, or fails it
// when CI=true. Returns from the enclosing function in both cases.
#define CARELAKE_REQUIRE_SHARED_DATA(relative)                                                     \
  do {                                                                                             \
    const std::string carelake_missing_ = ::carelake::testing_shared::MissingSharedData(relative); \
    if (!carelake_missing_.empty()) {                                                              \
      if (::carelake::testing_shared::InCi()) {                                                    \
        FAIL() << carelake_missing_ << "; CI=true requires it";                                    \
      }                                                                                            \
      GTEST_SKIP() << carelake_missing_;                                                           \
    }                                                                                              \
  } while (false)

#endif  // CARELAKE_TESTS_SHARED_DATA_H_
