#include "carelake/model/types.h"

namespace carelake::model {

std::string ToString(BuildMode mode) {
  switch (mode) {
    case BuildMode::kNone:
      return "none";
    case BuildMode::kIncremental:
      return "incremental";
    case BuildMode::kFull:
      return "full";
  }
  return "?";
}

}  // namespace carelake::model
