// Comparing query answers as sets of rows, for the pipeline tests that check
// marts against an independent computation.
#ifndef CARELAKE_TESTS_PIPELINE_SORTED_ROWS_H_
#define CARELAKE_TESTS_PIPELINE_SORTED_ROWS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "carelake/engine/connection.h"

namespace carelake::pipeline {

// Sorted rows of `sql` on `conn`, each rendered as text ("a|b|\N"): NULL
// as \N, so that it differs from the text 'NULL'.
inline std::vector<std::string> SortedRows(engine::Connection& conn, const std::string& sql) {
  auto r = conn.Query(sql);
  EXPECT_TRUE(r.ok()) << r.status() << "\n" << sql;
  if (!r.ok()) return {};
  auto rows = r->FetchAllRows();
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok()) return {};
  std::vector<std::string> out;
  for (const auto& row : *rows) {
    std::string text;
    for (size_t i = 0; i < row.size(); ++i) {
      text += (i ? "|" : "") + (row[i].is_null() ? std::string("\\N") : row[i].ToString());
    }
    out.push_back(std::move(text));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Expects two sorted row lists to be equal; on a difference, shows a few rows
// only one side has.
inline void ExpectSameRows(const std::vector<std::string>& want,
                           const std::vector<std::string>& got, const std::string& what) {
  if (want == got) return;
  std::vector<std::string> only_want, only_got;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(only_want));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                      std::back_inserter(only_got));
  std::string sample;
  for (size_t i = 0; i < std::min<size_t>(5, only_want.size()); ++i) {
    sample += "\n  want " + only_want[i];
  }
  for (size_t i = 0; i < std::min<size_t>(5, only_got.size()); ++i) {
    sample += "\n  got  " + only_got[i];
  }
  ADD_FAILURE() << what << ": " << want.size() << " rows wanted, " << got.size() << " got; "
                << only_want.size() << " missing, " << only_got.size() << " extra:" << sample;
}

}  // namespace carelake::pipeline

#endif  // CARELAKE_TESTS_PIPELINE_SORTED_ROWS_H_
