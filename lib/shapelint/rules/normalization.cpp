// Shape rules for the Keras normalization layer family (keras/src/layers/normalization/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_normalization__", nullptr},
};

}  // namespace

std::span<const LayerRule> normalization_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
