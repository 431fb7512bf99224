// Shape rules for the Keras convolutional layer family (keras/src/layers/convolutional/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_convolutional__", nullptr},
};

}  // namespace

std::span<const LayerRule> convolutional_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
