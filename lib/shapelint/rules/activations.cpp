// Shape rules for the Keras activation layer family (keras/src/layers/activations/).
// Every activation keeps its input shape; what differs is which arguments Keras rejects
// and PReLU's per-element `alpha` weight.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

/// A number as Python prints it: the JSON spelling matches repr() for ints and floats
/// (`-1`, `-0.5`, `1e-05`).
std::string py_number(const LayerConfig& config, std::string_view key) {
  JsonValue v = config.raw(key);
  return v ? v->dump() : "None";
}

/// Reports `message` when the optional numeric argument `key` is present and negative.
bool reject_negative(LayerCall& c, std::string_view key, std::string_view message_prefix) {
  if (!c.config().has(key) || c.config().get_float(key, 0.0) >= 0.0)
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("{}{}", message_prefix, py_number(c.config(), key)),
          fmt::format("give '{}' a non-negative {}", c.layer_name(), key));
  return false;
}

// Mirrors keras/src/layers/activations/{elu,softmax}.py: output = input.
void infer_same_shape(LayerCall& c) {
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/activations/relu.py: output = input; max_value, negative_slope
// and threshold must not be negative.
void infer_relu(LayerCall& c) {
  if (!reject_negative(c,
                       "max_value",
                       "max_value of a ReLU layer cannot be a negative value. Received: "
                       "max_value=") ||
      !reject_negative(c,
                       "negative_slope",
                       "negative_slope of a ReLU layer cannot be None or a negative value. "
                       "Received: negative_slope=") ||
      !reject_negative(c,
                       "threshold",
                       "threshold of a ReLU layer cannot be None or a negative value. "
                       "Received: threshold="))
    return;
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/activations/leaky_relu.py: output = input. Keras 3 rejects a
// negative slope (also when written as the legacy `alpha`); tf.keras 2 accepted one.
void infer_leaky_relu(LayerCall& c) {
  if (c.keras3()) {
    const std::string_view key = c.config().has("alpha") ? "alpha" : "negative_slope";
    if (c.config().has(key) && c.config().get_float(key, 0.0) < 0.0) {
      c.error(rule::kInvalidArgument,
              fmt::format("The negative_slope value of a Leaky ReLU layer cannot be None or "
                          "negative value. Expected a float. Received: negative_slope={}",
                          py_number(c.config(), key)),
              fmt::format("give '{}' a non-negative negative_slope", c.layer_name()));
      return;
    }
  }
  c.outputs = c.inputs();
}

// Mirrors keras/src/legacy/layers.py ThresholdedReLU (tf.keras 2 layer): output = input;
// theta >= 0.
void infer_thresholded_relu(LayerCall& c) {
  if (!reject_negative(
          c, "theta", "The theta value of a Thresholded ReLU layer should be >=0. Received: "))
    return;
  c.outputs = c.inputs();
}

/// PReLU's `shared_axes`: None, one int or a list (Keras wraps a single int in a list).
std::vector<std::int64_t> prelu_shared_axes(const LayerConfig& config) {
  return config.get_int_or_list("shared_axes").value_or(std::vector<std::int64_t>{});
}

// Mirrors keras/src/layers/activations/prelu.py: output = input; alpha = input[1:] with the
// shared axes set to 1; input spec ndim=rank, axes={i: input[i]} for the unshared axes.
void infer_prelu(LayerCall& c) {
  const Shape& in = c.input();
  const std::vector<std::int64_t> shared = prelu_shared_axes(c.config());
  if (!in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    c.add_weight("alpha", Shape::unknown_rank());
    return;
  }
  DimVector alpha(in.dims().begin() + (in.rank() > 0 ? 1 : 0), in.dims().end());
  const auto n = static_cast<std::int64_t>(alpha.size());
  for (std::int64_t axis : shared) {
    // Keras writes `param_shape[i - 1] = 1`: Python indexing, so 0 means the last axis.
    std::int64_t index = axis - 1;
    if (index < -n || index >= n) {
      c.error(
          rule::kInvalidArgument,
          "list assignment index out of range",
          fmt::format("shared_axes of '{}' must name axes 1..{} of its input", c.layer_name(), n));
      return;
    }
    alpha[static_cast<std::size_t>(index < 0 ? index + n : index)] = Dim::of(1);
  }
  Shape alpha_shape(std::move(alpha));
  if (!alpha_shape.fully_known() && c.building()) {
    c.error(rule::kInputAxis,
            fmt::format("Shapes used to initialize variables must be fully-defined (no `None` "
                        "dimensions). Received: shape={} for variable path='{}/alpha'",
                        to_string(alpha_shape),
                        c.layer_name()),
            fmt::format("give the input of '{}' known sizes, or list the unknown axes in "
                        "shared_axes",
                        c.layer_name()));
    return;
  }
  c.add_weight("alpha", std::move(alpha_shape));
  InputSpec spec{.ndim = in.rank()};
  // Keras pins the unshared axes only when some axes are shared; otherwise the alpha weight
  // alone fixes the sizes (checked by the engine on later calls).
  for (std::size_t i = 1; !shared.empty() && i < in.rank(); ++i) {
    bool is_shared = false;
    for (std::int64_t axis : shared)
      is_shared = is_shared || axis == static_cast<std::int64_t>(i);
    if (!is_shared && in.dims()[i].is_known())
      spec.axes.emplace_back(static_cast<std::ptrdiff_t>(i), in.dims()[i].value());
  }
  c.input_specs = {std::move(spec)};
  c.outputs = c.inputs();
}

constexpr LayerRule kRules[] = {
    {"ReLU", infer_relu},
    {"LeakyReLU", infer_leaky_relu},
    {"PReLU", infer_prelu},
    {"ELU", infer_same_shape},
    {"Softmax", infer_same_shape},
    {"ThresholdedReLU", infer_thresholded_relu},
};

}  // namespace

std::span<const LayerRule> activation_rules() {
  return kRules;
}

}  // namespace shapelint
