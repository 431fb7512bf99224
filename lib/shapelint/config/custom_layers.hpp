#pragma once

// Running the shape rules users declare for their own layer classes. The engine calls this
// where it meets a class with no built-in rule (engine/propagate.cpp).

#include <vector>

#include "shapelint/config/config.hpp"
#include "shapelint/model/graph.hpp"
#include "shapelint/rules/rule.hpp"

namespace shapelint::config {

/// What one call of a custom layer gives under its declared rule.
struct CustomLayerOutcome {
  Shapes outputs;
  std::vector<WeightSpec> weights;
  /// A like-rule's input specs: what later calls of the built layer must match.
  std::vector<InputSpec> input_specs;
  bool counted = false;  ///< `weights` is what the layer holds (declared, or a like-rule's)
  bool failed = false;   ///< the like-rule raised an error
  /// The rule does not fit this layer (a config key it reads is missing): the outputs are
  /// unknown, as if nothing were declared.
  bool opaque = false;
};

/// Applies `rule` to one call of `layer` on `inputs`. With `uncertain` inputs (downstream of
/// something shapelint cannot see into), only findings about the config itself are kept.
CustomLayerOutcome run_custom_layer(const CustomLayerRule& rule,
                                    const Layer& layer,
                                    const Shapes& inputs,
                                    Semantics semantics,
                                    bool uncertain,
                                    Diagnostics& sink);

}  // namespace shapelint::config
