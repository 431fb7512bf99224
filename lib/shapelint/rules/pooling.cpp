// Shape rules for the Keras pooling layer family (keras/src/layers/pooling/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_pooling__", nullptr},
};

}  // namespace

std::span<const LayerRule> pooling_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
