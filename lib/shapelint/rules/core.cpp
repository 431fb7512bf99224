// Shape rules for the Keras core layer family (keras/src/layers/core/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_core__", nullptr},
};

}  // namespace

std::span<const LayerRule> core_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
