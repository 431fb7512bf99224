#pragma once
// Keras 3 files record the shapes each layer was built and called with: a layer's
// `build_config.input_shape`, and the `shape` of every `__keras_tensor__` of an inbound node.
// Where the shapes propagated from the declared inputs disagree with them, the config was
// edited after it was saved, or written by another Keras version (SL203).
#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/engine/propagate.hpp"
#include "shapelint/model/graph.hpp"

namespace shapelint::analysis {

/// Whether two shapes disagree where both are known: a different rank, or a dim known on
/// both sides with different sizes. Unknown on either side is no disagreement.
bool recorded_shape_disagrees(const Shape& recorded, const Shape& computed);

/// Compares the recorded input shapes of every layer call (nested models included) with the
/// declared pass `built` (never a what-if replay: the recorded shapes are the built ones).
/// Calls downstream of an error or of a layer shapelint cannot see into are left alone.
void check_recorded_shapes(const Model& model, const ModelResult& built, Diagnostics& sink);

}  // namespace shapelint::analysis
