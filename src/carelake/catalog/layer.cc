#include "carelake/catalog/layer.h"

namespace carelake::catalog {

std::string ToString(Layer layer) {
  switch (layer) {
    case Layer::kBronze:
      return "bronze";
    case Layer::kSilver:
      return "silver";
    case Layer::kGold:
      return "gold";
    case Layer::kSystem:
      return "_system";
  }
  return "?";
}

std::optional<Layer> ParseLayer(std::string_view name) {
  for (Layer l : kLayers) {
    if (ToString(l) == name) return l;
  }
  return std::nullopt;
}

}  // namespace carelake::catalog
