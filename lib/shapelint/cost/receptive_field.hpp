#pragma once
// The receptive field of convolution and pooling stacks: how many input positions along each
// spatial (or sequence) axis one output position sees, and how far apart neighbouring output
// positions are in the input (the effective stride, "jump"). The classic recurrence:
//   size' = size + dilation·(kernel − 1)·stride_so_far,   stride_so_far' = stride_so_far·s.
#include <cstdint>
#include <optional>
#include <vector>

#include "shapelint/engine/propagate.hpp"
#include "shapelint/model/graph.hpp"

namespace shapelint::cost {

/// Per layer of `model` (indexed like `model.layers`): the receptive field of its first
/// call's output with respect to the model's inputs, or nullopt where it has no spatial axes
/// left (Flatten, global pooling, Dense after them), where a layer mixes positions in a way
/// the recurrence does not describe (upsampling, transposed convolutions, reshapes,
/// attention, recurrent layers, nested models), and after such a layer.
std::vector<std::optional<ReceptiveField>> receptive_fields(const Model& model,
                                                            const ModelResult& result);

/// Stores each layer's receptive field in its cost figures (LayerResult::cost, where the
/// engine worked one out), nested models' layers included: the fields read the layers'
/// configs and the result's shapes, which the report's rows then take without them.
void attach_receptive_fields(const Model& model, ModelResult& result);

}  // namespace shapelint::cost
