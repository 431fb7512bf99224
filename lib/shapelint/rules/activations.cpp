// Shape rules for the Keras activation layer family (keras/src/layers/activation/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_activation__", nullptr},
};

}  // namespace

std::span<const LayerRule> activation_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
