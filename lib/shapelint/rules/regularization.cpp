// Shape rules for the Keras regularization layer family (keras/src/layers/regularization/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_regularization__", nullptr},
};

}  // namespace

std::span<const LayerRule> regularization_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
