// Shape rules for the Keras rnn layer family (keras/src/layers/rnn/).
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr LayerRule kRules[] = {
    {"__placeholder_rnn__", nullptr},
};

}  // namespace

std::span<const LayerRule> rnn_rules() { return std::span<const LayerRule>(kRules).subspan(1); }

}  // namespace shapelint
