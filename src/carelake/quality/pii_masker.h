// PiiMasker: hides patient data in the example records a data-quality
// report shows. Examples are masked while the report is loaded
// (report_loader.h), so a QualityReport never holds an unmasked example and
// no renderer can leak one. doc/data-quality.md describes the rules.
#ifndef CARELAKE_QUALITY_PII_MASKER_H_
#define CARELAKE_QUALITY_PII_MASKER_H_

#include <set>
#include <string>
#include <string_view>

#include "carelake/project/project.h"

namespace carelake::quality {

// What a masked value is replaced with.
inline constexpr char kMask[] = "***";
// Hides patient data in example records. The value of every JSON object key
// (at any depth) that names a silver column declared `pii: true` becomes
// "***": the key equals the column's `from` or its name, or the key's
// SnakeCase() equals the column's name. PII is a property of the data, so
// the pii columns of every silver table of the project count, whichever
// table an example belongs to. JSON null stays null (it holds nothing).
class PiiMasker {
 public:
  // Masks nothing.
  PiiMasker() = default;
  static PiiMasker ForProject(const project::Project& project);

  bool IsPiiKey(std::string_view key) const;

  // `json_text` with the values of PII keys masked, re-serialized compactly
  // with the keys in their original order. Text that is not JSON is
  // returned unchanged when no column is PII, and replaced by a notice
  // otherwise (it cannot be masked field by field).
  std::string Mask(std::string_view json_text) const;

 private:
  std::set<std::string> keys_;   // `from` and name of each pii column
  std::set<std::string> names_;  // names of pii columns (for SnakeCase(key))
};

}  // namespace carelake::quality

#endif  // CARELAKE_QUALITY_PII_MASKER_H_
