// Shape rules for the Keras preprocessing layer family (keras/src/layers/preprocessing/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_preprocessing__", nullptr},
};

}  // namespace

std::span<const LayerRule> preprocessing_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
