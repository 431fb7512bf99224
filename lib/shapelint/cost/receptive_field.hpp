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

struct ReceptiveField {
  std::vector<std::int64_t> size;    ///< input positions seen, per spatial axis
  std::vector<std::int64_t> stride;  ///< input positions between neighbouring outputs

  friend bool operator==(const ReceptiveField&, const ReceptiveField&) = default;
};

/// Per layer of `model` (indexed like `model.layers`): the receptive field of its first
/// call's output with respect to the model's inputs, or nullopt where it has no spatial axes
/// left (Flatten, global pooling, Dense after them), where a layer mixes positions in a way
/// the recurrence does not describe (upsampling, transposed convolutions, reshapes,
/// attention, recurrent layers, nested models), and after such a layer.
std::vector<std::optional<ReceptiveField>> receptive_fields(const Model& model,
                                                            const ModelResult& result);

}  // namespace shapelint::cost
