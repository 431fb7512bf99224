// Shape rules for the Keras reshaping layer family (keras/src/layers/reshaping/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_reshaping__", nullptr},
};

}  // namespace

std::span<const LayerRule> reshaping_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
