// Shape rules for the Keras merging layer family (keras/src/layers/merging/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_merging__", nullptr},
};

}  // namespace

std::span<const LayerRule> merging_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
