// Layer: the four schemas of a lake — bronze (raw, as landed), silver
// (conformed under rules), gold (models) and _system (the run ledger) — as
// one enum, so no component spells them as loose strings.
#ifndef CARELAKE_CATALOG_LAYER_H_
#define CARELAKE_CATALOG_LAYER_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace carelake::catalog {

enum class Layer { kBronze, kSilver, kGold, kSystem };

inline constexpr std::array<Layer, 4> kLayers = {Layer::kBronze, Layer::kSilver, Layer::kGold,
                                                 Layer::kSystem};

// The layer's folder under the lake and its SQL schema: "bronze", "silver",
// "gold", "_system".
std::string ToString(Layer layer);

// The layer named `name` (as ToString writes it), nullopt otherwise.
std::optional<Layer> ParseLayer(std::string_view name);

}  // namespace carelake::catalog

#endif  // CARELAKE_CATALOG_LAYER_H_
