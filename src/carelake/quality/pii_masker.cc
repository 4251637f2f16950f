#include "carelake/quality/pii_masker.h"

#include <nlohmann/json.hpp>

#include "carelake/base/format.h"

namespace carelake::quality {
namespace {

using nlohmann::ordered_json;

void MaskJson(ordered_json& j, const PiiMasker& masker) {
  if (j.is_object()) {
    for (auto& [key, value] : j.items()) {
      if (masker.IsPiiKey(key)) {
        if (!value.is_null()) value = kMask;
      } else {
        MaskJson(value, masker);
      }
    }
  } else if (j.is_array()) {
    for (ordered_json& element : j) MaskJson(element, masker);
  }
}

}  // namespace

PiiMasker PiiMasker::ForProject(const project::Project& project) {
  PiiMasker m;
  for (const project::SilverTable& t : project.silver) {
    for (const project::SilverColumn& c : t.columns) {
      if (!c.pii) continue;
      m.keys_.insert(c.name);
      if (!c.from.empty()) m.keys_.insert(c.from);
      m.names_.insert(c.name);
    }
  }
  return m;
}

bool PiiMasker::IsPiiKey(std::string_view key) const {
  if (keys_.empty()) return false;
  const std::string k(key);
  return keys_.count(k) > 0 || names_.count(project::SnakeCase(k)) > 0;
}

std::string PiiMasker::Mask(std::string_view json_text) const {
  if (keys_.empty()) return std::string(json_text);
  ordered_json j = ordered_json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "(example hidden: not JSON, so its PII fields cannot be masked)";
  MaskJson(j, *this);
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace carelake::quality
