#pragma once
// What one call of one layer costs: multiply-accumulates (MACs), and the bytes of its
// weights and activations under its dtype policy. The convention is documented in
// docs/cost.md; in short, a MAC is one multiplication whose product is added to a sum, the
// way papers count "mult-adds" and torchinfo / fvcore / ptflops count convolutions and
// matrix products; biases, activations and merges cost nothing.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "shapelint/model/layer_config.hpp"
#include "shapelint/rules/rule.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint::cost {

/// One call of a layer as the cost rules see it. Shapes include the batch axis; the counts
/// are for one sample (the batch axis is ignored).
struct CallView {
  std::string_view keras_class;  ///< the rule class (Keras 1 names already mapped)
  const LayerConfig& config;
  const Shapes& inputs;                  ///< positional input tensors
  std::span<const KwargTensors> kwargs;  ///< tensors passed by keyword (`value=`, `key=`)
  const Shapes& outputs;
  std::span<const WeightSpec> weights;  ///< the weights the layer was built with
};

/// Multiply-accumulates of one sample; nullopt when a shape or weight it needs is unknown,
/// or when the class has weights but no cost rule (a layer shapelint cannot price).
std::optional<std::int64_t> layer_macs(const CallView& call);

/// Whether `keras_class` has an entry in the cost table (others cost 0 when weightless).
bool has_cost_rule(std::string_view keras_class);

/// A layer's dtype policy: the dtype it computes in (its outputs) and the one its weights
/// are stored in. Keras's `mixed_float16` computes in float16 and keeps float32 variables.
struct DtypePolicy {
  std::string compute = "float32";
  std::string variable = "float32";
};

/// Reads a layer config's `dtype`: absent (float32), a dtype name, or a policy object in
/// tf.keras 2 (`{"class_name": "Policy", ...}`) or Keras 3 (`DTypePolicy`) spelling.
DtypePolicy dtype_policy(JsonValue layer_config);

/// Bytes of one element of `dtype` ("float16" → 2); nullopt for strings and unknown names.
std::optional<std::int64_t> dtype_bytes(std::string_view dtype);

/// The name `dtype` as static text when dtype_bytes knows it ("float16" for "float16"), ""
/// for any other.
const char* known_dtype_name(std::string_view dtype);

/// Elements of one sample of `shape` (the product of every axis but the batch axis).
std::optional<std::int64_t> sample_elements(const Shape& shape);

}  // namespace shapelint::cost
