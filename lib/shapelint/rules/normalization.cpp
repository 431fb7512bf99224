// Shape rules for the Keras normalization layer family (keras/src/layers/normalization/).
// All of them keep the input shape; what matters is their weights and which axes they pin.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

/// repr() of an axis argument as Keras received it: `-1` or `[1, 2]`.
std::string py_axis(const LayerConfig& config, std::int64_t fallback) {
  JsonValue v = config.raw("axis");
  if (!v)
    return std::to_string(fallback);
  if (!v->is_array())
    return v->dump();
  std::string out = "[";
  for (std::size_t i = 0; i < v->size(); ++i)
    out += (i ? ", " : "") + (*v)[i].dump();
  return out + "]";
}

/// Keras 3 cannot create a variable with a None in its shape (backend/common/variables.py).
bool require_defined_weight(LayerCall& c, std::string_view weight, const Shape& shape) {
  if (shape.fully_known() || !c.building())
    return true;
  c.error(rule::kInputAxis,
          fmt::format("Shapes used to initialize variables must be fully-defined (no `None` "
                      "dimensions). Received: shape={} for variable path='{}/{}'",
                      to_string(shape),
                      c.layer_name(),
                      weight),
          fmt::format("give the normalized axes of the input of '{}' known sizes", c.layer_name()));
  return false;
}

/// Every axis names an axis of `in`; Keras's compute_output_shape wording.
bool require_axes_in_range(LayerCall& c,
                           const Shape& in,
                           const std::vector<std::int64_t>& axes,
                           std::int64_t fallback_axis) {
  for (std::int64_t axis : axes) {
    if (in.has_axis(axis))
      continue;
    c.error(rule::kInvalidArgument,
            fmt::format("Axis {} is out of bounds for input shape {}. Received: axis={}",
                        axis,
                        to_string(in),
                        py_axis(c.config(), fallback_axis)),
            fmt::format("use an axis between {} and {} in '{}'",
                        -static_cast<int>(in.rank()),
                        in.rank() - 1,
                        c.layer_name()));
    return false;
  }
  return true;
}

/// `axes` as non-negative indices, or nullopt after reporting a duplicate.
std::optional<std::vector<std::int64_t>> canonical_axes(LayerCall& c,
                                                        const Shape& in,
                                                        const std::vector<std::int64_t>& axes) {
  std::vector<std::int64_t> out;
  for (std::int64_t axis : axes)
    out.push_back(static_cast<std::int64_t>(in.normalize(axis)));
  std::vector<std::int64_t> sorted = out;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end())
    return sorted;
  c.error(rule::kInvalidArgument,
          fmt::format("Duplicate axes are not allowed. Received: axis={}", py_axis(c.config(), -1)),
          fmt::format("name each axis once in the axis of '{}'", c.layer_name()));
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// BatchNormalization

/// BatchNormalization's axes. Keras 3 takes one int (its legacy loader unwraps `[3]`);
/// tf.keras 2 also normalized over several axes.
std::optional<std::vector<std::int64_t>> batch_norm_axes(LayerCall& c) {
  auto axes = c.config().get_int_or_list("axis").value_or(std::vector<std::int64_t>{-1});
  if (axes.size() == 1 || !c.keras3())
    return axes;
  c.error(rule::kInvalidArgument,
          "int() argument must be a string, a bytes-like object or a real number, not 'list'",
          fmt::format("give '{}' a single axis", c.layer_name()));
  return std::nullopt;
}

/// Which of its optional weights a BatchNormalization creates, read once from its config.
struct BatchNormWeights {
  bool scale = true;
  bool center = true;
  bool renorm = false;

  explicit BatchNormWeights(const LayerConfig& config)
      : scale(config.get_bool("scale", true)),
        center(config.get_bool("center", true)),
        renorm(config.get_bool("renorm", false)) {}

  /// The weight Keras creates first, which is the one its error names.
  std::string_view first() const { return scale ? "gamma" : center ? "beta" : "moving_mean"; }

  std::size_t count() const { return 2 + (scale ? 1 : 0) + (center ? 1 : 0) + (renorm ? 3 : 0); }
};

/// The weights BatchNormalization creates, in Keras's order.
void add_batch_norm_weights(LayerCall& c, const BatchNormWeights& which, const Shape& param) {
  // Reserved at once: grown one by one, the list was moved three times (a tenth of the rule).
  c.weights.reserve(c.weights.size() + which.count());
  if (which.scale)
    c.add_weight("gamma", param);
  if (which.center)
    c.add_weight("beta", param);
  c.add_weight("moving_mean", param, false);
  c.add_weight("moving_variance", param, false);
  if (which.renorm) {
    c.add_weight("moving_stddev", param, false);
    c.add_weight("renorm_mean", param, false);
    c.add_weight("renorm_stddev", param, false);
  }
}

/// One axis: (dim,). Several (tf.keras 2): the input shape with 1 on the other axes.
Shape batch_norm_param_shape(const Shape& in, const std::vector<std::int64_t>& canonical) {
  if (canonical.size() == 1)
    return Shape{in.dims()[static_cast<std::size_t>(canonical[0])]};
  DimVector dims(in.rank(), Dim::of(1));
  for (std::int64_t axis : canonical)
    dims[static_cast<std::size_t>(axis)] = in.dims()[static_cast<std::size_t>(axis)];
  return Shape(std::move(dims));
}

// Mirrors keras/src/layers/normalization/batch_normalization.py: output = input; gamma,
// beta (trainable), moving_mean, moving_variance (not) of shape (input[axis],); input spec
// ndim=rank, axes={axis: input[axis]}.
void infer_batch_normalization(LayerCall& c) {
  const auto axes = batch_norm_axes(c);
  if (!axes)
    return;
  const Shape& in = c.input();
  const BatchNormWeights which(c.config());
  if (!in.has_rank()) {
    add_batch_norm_weights(c, which, Shape::unknown_rank());
    c.outputs = {in};
    return;
  }
  if (!require_axes_in_range(c, in, *axes, -1))
    return;
  const auto canonical = canonical_axes(c, in, *axes);
  if (!canonical)
    return;
  const Shape param = batch_norm_param_shape(in, *canonical);
  if (!require_defined_weight(c, which.first(), param))
    return;
  add_batch_norm_weights(c, which, param);
  InputSpec spec{.ndim = in.rank()};
  if (c.keras3()) {
    spec.axes.emplace_back((*axes)[0], in.at((*axes)[0]).value());
  } else {
    for (std::int64_t axis : *canonical)
      spec.axes.emplace_back(axis, in.at(axis).value());
  }
  c.input_specs = {std::move(spec)};
  c.outputs = {in};
}

// ---------------------------------------------------------------------------------------
// LayerNormalization

/// Keras's `canonicalize_axis` message for an axis outside the input.
bool require_axes_in_array(LayerCall& c, const Shape& in, const std::vector<std::int64_t>& axes) {
  for (std::int64_t axis : axes) {
    if (in.has_axis(axis))
      continue;
    c.error(
        rule::kInvalidArgument,
        fmt::format("axis {} is out of bounds for an array with dimension {}.", axis, in.rank()),
        fmt::format("use an axis between {} and {} in '{}'",
                    -static_cast<int>(in.rank()),
                    in.rank() - 1,
                    c.layer_name()));
    return false;
  }
  return true;
}

// Mirrors keras/src/layers/normalization/layer_normalization.py: output = input; gamma and
// beta have the shape of the normalized axes (sorted). No input spec: the weights alone fix
// those sizes, and real arrays of another size fail on them.
void infer_layer_normalization(LayerCall& c) {
  const auto axes = c.config().get_int_or_list("axis").value_or(std::vector<std::int64_t>{-1});
  // `rms_scaling` (deprecated) keeps gamma and drops beta.
  const bool rms_scaling = c.config().get_bool("rms_scaling", false);
  const bool has_gamma = c.config().get_bool("scale", true) || rms_scaling;
  const bool has_beta = c.config().get_bool("center", true) && !rms_scaling;
  const Shape& in = c.input();
  Shape param = Shape::unknown_rank();
  if (in.has_rank()) {
    if (!require_axes_in_array(c, in, axes))
      return;
    const auto canonical = canonical_axes(c, in, axes);
    if (!canonical)
      return;
    DimVector dims;
    for (std::int64_t axis : *canonical)
      dims.push_back(in.at(axis));
    param = Shape(std::move(dims));
    if ((has_gamma || has_beta) && !require_defined_weight(c, has_gamma ? "gamma" : "beta", param))
      return;
  }
  if (has_gamma)
    c.add_weight("gamma", param);
  if (has_beta)
    c.add_weight("beta", param);
  c.outputs = {in};
}

// ---------------------------------------------------------------------------------------
// GroupNormalization

/// `groups` must be positive, or -1 for one group per channel.
std::optional<std::int64_t> read_groups(LayerCall& c) {
  auto groups = c.config().get_optional_int("groups");
  if (c.config().has("groups") && !groups)
    return std::nullopt;  // reported by the getter
  const std::int64_t value = groups.value_or(32);
  if (value > 0 || value == -1)
    return value;
  c.error(rule::kInvalidArgument,
          fmt::format("Received an invalid value for argument `groups`, expected a positive "
                      "integer (or `-1` for instance normalization). Received: groups={}",
                      value),
          fmt::format("give '{}' a positive number of groups", c.layer_name()));
  return std::nullopt;
}

/// The channel count must be known and a multiple of the groups (checked in build()).
bool check_groups(LayerCall& c, std::int64_t axis, Dim channels, std::int64_t groups) {
  const std::string hint = fmt::format(
      "choose groups for '{}' that divide its {} channels", c.layer_name(), to_string(channels));
  if (!channels.is_known()) {
    c.error(rule::kInputAxis,
            fmt::format("Axis {} of input tensor should have a defined dimension but the layer "
                        "received an input with shape {}.",
                        axis,
                        to_string(c.input())),
            fmt::format("give the input of '{}' a known channel count", c.layer_name()));
    return false;
  }
  if (channels.value() < groups) {
    c.error(rule::kInvalidArgument,
            fmt::format("Number of groups ({}) cannot be more than the number of channels ({}).",
                        groups,
                        channels.value()),
            hint);
    return false;
  }
  if (channels.value() % groups != 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("Number of groups ({}) must be a multiple of the number of channels ({}).",
                        groups,
                        channels.value()),
            hint);
    return false;
  }
  return true;
}

void add_group_norm_weights(LayerCall& c, Dim channels) {
  if (c.config().get_bool("scale", true))
    c.add_weight("gamma", Shape{channels});
  if (c.config().get_bool("center", true))
    c.add_weight("beta", Shape{channels});
}

// Mirrors keras/src/layers/normalization/group_normalization.py: output = input; gamma and
// beta (channels,); channels % groups == 0; input spec ndim=rank, axes={axis: channels}.
void infer_group_normalization(LayerCall& c) {
  const auto groups = read_groups(c);
  if (!groups) {
    c.outputs = {c.input()};
    return;
  }
  const std::int64_t axis = c.config().get_int("axis", -1);
  const Shape& in = c.input();
  if (!in.has_rank()) {
    add_group_norm_weights(c, Dim::unknown());
    c.outputs = {in};
    return;
  }
  if (!require_axes_in_range(c, in, {axis}, -1))
    return;
  const Dim channels = in.at(axis);
  const std::int64_t effective_groups = *groups == -1 ? channels.value_or(1) : *groups;
  if (!check_groups(c, axis, channels, effective_groups))
    return;
  add_group_norm_weights(c, channels);
  c.input_specs = {InputSpec{.ndim = in.rank(), .axes = {{axis, channels.value()}}}};
  c.outputs = {in};
}

// ---------------------------------------------------------------------------------------
// UnitNormalization

// Mirrors keras/src/layers/normalization/unit_normalization.py: output = input; every axis
// must exist.
void infer_unit_normalization(LayerCall& c) {
  const auto axes = c.config().get_int_or_list("axis").value_or(std::vector<std::int64_t>{-1});
  const Shape& in = c.input();
  if (in.has_rank()) {
    for (std::int64_t axis : axes) {
      if (in.has_axis(axis))
        continue;
      c.error(rule::kInvalidArgument,
              fmt::format("Axis {} is out of bounds for input shape {}.",
                          py_axis(c.config(), -1),
                          to_string(in)),
              fmt::format("use an axis between {} and {} in '{}'",
                          -static_cast<int>(in.rank()),
                          in.rank() - 1,
                          c.layer_name()));
      return;
    }
  }
  c.outputs = {in};
}

// ---------------------------------------------------------------------------------------
// RMSNormalization

// Mirrors keras/src/layers/normalization/rms_normalization.py: output = input; one trainable
// `scale` with the sizes of the normalized axes (sorted as written, Python indexing).
void infer_rms_normalization(LayerCall& c) {
  auto axes = c.config().get_int_or_list("axis").value_or(std::vector<std::int64_t>{-1});
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.add_weight("scale", Shape::unknown_rank());
    c.outputs = {in};
    return;
  }
  if (!require_axes_in_range(c, in, axes, -1))
    return;
  std::sort(axes.begin(), axes.end());
  DimVector dims;
  for (std::int64_t axis : axes)
    dims.push_back(in.at(axis));
  Shape scale(std::move(dims));
  if (!require_defined_weight(c, "scale", scale))
    return;
  c.add_weight("scale", std::move(scale));
  c.outputs = {in};
}

/// The weight SpectralNormalization normalizes: the wrapped layer's `kernel`, else its
/// `embeddings`.
const WeightSpec* normalized_weight(const std::vector<WeightSpec>& weights) {
  for (const char* name : {"kernel", "embeddings"})
    for (const auto& w : weights)
      if (w.name == name)
        return &w;
  return nullptr;
}

// Mirrors keras/src/layers/normalization/spectral_normalization.py: output = the wrapped
// layer's output; its weights plus a non-trainable `vector_u` (1, kernel.shape[-1]). The
// wrapped layer must have a `kernel` or `embeddings`.
void infer_spectral_normalization(LayerCall& c) {
  const std::int64_t iterations = c.config().get_int("power_iterations", 1);
  if (iterations <= 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("`power_iterations` should be greater than zero. Received: "
                        "`power_iterations={}`",
                        iterations),
            fmt::format("give '{}' at least one power iteration", c.layer_name()));
    return;
  }
  JsonValue inner = c.config().raw("layer");
  if (!inner || !inner->is_object()) {
    c.error(rule::kInvalidArgument,
            "SpectralNormalization.__init__() missing 1 required positional argument: 'layer'",
            fmt::format("give '{}' the layer to normalize", c.layer_name()));
    return;
  }
  auto sub = c.call_sublayer(*inner, "layer", c.inputs());
  if (!sub) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (sub->failed)
    return;
  c.weights = std::move(sub->weights);
  c.outputs = std::move(sub->outputs);
  const WeightSpec* kernel = normalized_weight(c.weights);
  if (!kernel) {
    c.error(rule::kInvalidArgument,
            fmt::format("{} object has no attribute 'kernel' nor 'embeddings'",
                        inner->value("class_name", std::string("Layer"))),
            "wrap a layer with a kernel (Dense, a convolution) or embeddings");
    return;
  }
  const Dim last = kernel->shape.has_rank() && kernel->shape.rank() ? kernel->shape.dims().back()
                                                                    : Dim::unknown();
  c.add_weight("vector_u", Shape{Dim::of(1), last}, false);
  const Shape& in = c.input();
  if (in.has_rank() && in.rank() && in.at(-1).is_known())
    c.input_specs = {InputSpec{.min_ndim = 1, .axes = {{-1, in.at(-1).value()}}}};
}

constexpr LayerRule kRules[] = {
    {"BatchNormalization", infer_batch_normalization},
    {"LayerNormalization", infer_layer_normalization},
    {"GroupNormalization", infer_group_normalization},
    {"UnitNormalization", infer_unit_normalization},
    {"RMSNormalization", infer_rms_normalization},
    {"SpectralNormalization", infer_spectral_normalization},
    // tf.keras 2's tf.keras.layers.experimental.SyncBatchNormalization: BatchNormalization
    // whose statistics are synchronized across replicas; same shapes and weights.
    {"SyncBatchNormalization", infer_batch_normalization},
};

}  // namespace

std::span<const LayerRule> normalization_rules() {
  return kRules;
}

}  // namespace shapelint
