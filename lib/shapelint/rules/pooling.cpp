// Shape rules for the Keras pooling layer family (keras/src/layers/pooling/).
//
// Max and average pooling share one rule per rank (their shapes are the same), as do the
// global max and global average poolings.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/layer_checks.hpp"
#include "shapelint/rules/registry.hpp"
#include "shapelint/shape/conv_arith.hpp"

namespace shapelint {

namespace {

/// Max and average pooling give the same shapes but differ in their constructor defaults.
enum class PoolMode { max, average };

/// The constructor arguments of a windowed pooling layer.
struct PoolArgs {
  std::size_t rank = 2;
  std::vector<std::int64_t> pool_size;
  std::vector<std::int64_t> strides;
  WindowPadding padding = WindowPadding::valid;
  std::string padding_text = "valid";  ///< as Keras stores it, for messages
  bool channels_first = false;
};

bool read_strides(LayerCall& c, PoolArgs& a) {
  // strides=None means a window never overlaps the next: strides = pool_size.
  if (!c.config().has("strides")) {
    a.strides = a.pool_size;
    return true;
  }
  auto strides = read_tuple_argument(c, "strides", a.rank, 1, /*allow_zero=*/true);
  if (!strides)
    return false;
  a.strides = std::move(*strides);
  if (std::find(a.strides.begin(), a.strides.end(), 0) == a.strides.end())
    return true;
  // Keras accepts 0 at construction and divides by it when computing the shape.
  c.error(rule::kInvalidArgument,
          "division by zero",
          fmt::format("strides={} has a 0; set every stride to at least 1, or omit strides to "
                      "use pool_size",
                      python_tuple(a.strides)));
  return false;
}

bool read_padding(LayerCall& c, PoolArgs& a) {
  a.padding_text = c.config().get_string("padding", "valid");
  // Keras 3 compares the string as written; tf.keras 2 lower-cases it first.
  if (!c.keras3())
    a.padding_text = lowercase(a.padding_text);
  if (a.padding_text == "valid" || a.padding_text == "same") {
    a.padding = *parse_window_padding(a.padding_text);
    return true;
  }
  c.error(rule::kInvalidArgument,
          fmt::format("Argument `padding` must be either 'valid' or 'same'. Received: padding={}",
                      a.padding_text),
          "use padding='valid' or 'same'");
  return false;
}

std::optional<PoolArgs> read_pool_args(LayerCall& c, std::size_t rank, PoolMode mode) {
  PoolArgs a;
  a.rank = rank;
  // Keras 3's average poolings have no default pool_size; tf.keras 2's had 2.
  if (mode == PoolMode::average && c.keras3() && !c.config().has("pool_size")) {
    c.error(rule::kInvalidArgument,
            fmt::format("AveragePooling{}D.__init__() missing 1 required positional argument: "
                        "'pool_size'",
                        rank),
            "set pool_size in the layer config");
    return std::nullopt;
  }
  auto pool_size = read_tuple_argument(c, "pool_size", rank, 2, /*allow_zero=*/false);
  if (!pool_size)
    return std::nullopt;
  a.pool_size = std::move(*pool_size);
  if (!read_strides(c, a) || !read_padding(c, a))
    return std::nullopt;
  auto channels_first = read_channels_first(c);
  if (!channels_first)
    return std::nullopt;
  a.channels_first = *channels_first;
  return a;
}

std::size_t first_spatial_axis(bool channels_first) {
  return channels_first ? 2 : 1;
}

/// Keras 3 prints the input shape as the numpy array it computes on, in which unknown
/// spatial sizes have already been replaced by -1.
std::string keras3_inputs_text(const Shape& in, bool channels_first) {
  std::vector<std::optional<std::int64_t>> values;
  bool object_array = false;
  std::size_t first = first_spatial_axis(channels_first);
  for (std::size_t axis = 0; axis < in.rank(); ++axis) {
    Dim d = in.dims()[axis];
    object_array = object_array || !d.is_known();
    bool spatial = axis >= first && axis < first + in.rank() - 2;
    if (d.is_known())
      values.emplace_back(d.value());
    else if (spatial)
      values.emplace_back(-1);
    else
      values.emplace_back(std::nullopt);
  }
  return numpy_array(values, object_array);
}

/// TensorFlow's spelling of a shape: "[?,5,5,3]".
std::string tf_shape_text(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.rank(); ++i) {
    if (i > 0)
      out += ',';
    out += s.dims()[i].is_known() ? std::to_string(s.dims()[i].value()) : std::string("?");
  }
  return out + "]";
}

std::string window_message(LayerCall& c, const PoolArgs& a, std::size_t i) {
  const Shape& in = c.input();
  if (c.keras3())
    return fmt::format(
        "Computed output size would be zero or negative. Received: "
        "`inputs.shape={}`, `pool_size={}`, `strides={}`, `padding={}`.",
        keras3_inputs_text(in, a.channels_first),
        numpy_array(a.pool_size),
        python_tuple(a.strides),
        a.padding_text);
  // tf.keras 2 builds the graph, and TensorFlow's shape function refuses the window.
  Dim input = in.dims()[first_spatial_axis(a.channels_first) + i];
  return fmt::format(
      "Negative dimension size caused by subtracting {} from {} for '{}' with "
      "input shapes: {}.",
      a.pool_size[i],
      to_string(input),
      c.layer_name(),
      tf_shape_text(in));
}

/// Every computed spatial size must be at least 1 (a window larger than its input).
bool check_window_fits(LayerCall& c, const PoolArgs& a, const Shape& out) {
  std::size_t first = first_spatial_axis(a.channels_first);
  for (std::size_t i = 0; i < a.rank; ++i) {
    Dim size = out.dims()[first + i];
    if (!size.is_known() || size.value() >= 1)
      continue;
    DimVector extents;
    for (auto p : a.pool_size)
      extents.push_back(Dim::of(p));
    c.error(rule::kNonPositiveDim,
            window_message(c, a, i),
            fmt::format("use padding='same' or a smaller pool_size; this layer needs inputs of "
                        "at least {}",
                        window_extent_text(extents)));
    return false;
  }
  return true;
}

std::string spatial_layout_text(std::size_t rank, bool channels_first) {
  static constexpr std::string_view kNames[] = {"steps", "height, width", "depth, height, width"};
  std::string_view spatial = rank >= 1 && rank <= 3 ? kNames[rank - 1] : "spatial axes";
  return channels_first ? fmt::format("batch, channels, {}", spatial)
                        : fmt::format("batch, {}, channels", spatial);
}

/// Keras's InputSpec(ndim=rank + 2) check, with a hint.
bool require_pooling_rank(LayerCall& c, std::size_t rank, bool channels_first) {
  const Shape& in = c.input();
  if (in.rank() == rank + 2)
    return true;
  c.error(
      rule::kInputRank,
      incompatible_input_message(
          c.layer_name(),
          0,
          fmt::format(
              "expected ndim={}, found ndim={}. Full shape received: {{}}", rank + 2, in.rank()),
          in),
      fmt::format("give this layer inputs of rank {} ({})",
                  rank + 2,
                  spatial_layout_text(rank, channels_first)));
  return false;
}

InputSpec exact_rank_spec(std::size_t ndim) {
  InputSpec spec;
  spec.ndim = ndim;
  return spec;
}

// Mirrors keras/src/layers/pooling/base_pooling.py (BasePooling) and
// compute_pooling_output_shape: out = floor((n - p) / s) + 1 (valid), floor((n - 1) / s) + 1
// (same), s defaulting to p.
template <std::size_t Rank, PoolMode Mode>
void infer_pooling(LayerCall& c) {
  auto args = read_pool_args(c, Rank, Mode);
  if (!args)
    return;
  const PoolArgs& a = *args;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::of_rank(Rank + 2)};
    c.input_specs = {exact_rank_spec(Rank + 2)};
    return;
  }
  if (!require_pooling_rank(c, Rank, a.channels_first))
    return;
  Shape out = in;
  std::size_t first = first_spatial_axis(a.channels_first);
  for (std::size_t i = 0; i < Rank; ++i)
    out.dims()[first + i] =
        pool_output_length(in.dims()[first + i], a.pool_size[i], a.padding, a.strides[i]);
  if (!check_window_fits(c, a, out))
    return;
  c.outputs = {out};
  c.input_specs = {exact_rank_spec(Rank + 2)};
}

// Mirrors keras/src/layers/pooling/base_global_pooling.py (BaseGlobalPooling):
// (batch, channels), or (batch, 1..., channels) with keepdims.
template <std::size_t Rank>
void infer_global_pooling(LayerCall& c) {
  auto channels_first = read_channels_first(c);
  if (!channels_first)
    return;
  bool keepdims = c.config().get_bool("keepdims", false);
  const Shape& in = c.input();
  if (in.has_rank() && !require_pooling_rank(c, Rank, *channels_first))
    return;
  Dim batch = in.has_rank() ? in.dims().front() : Dim::unknown();
  Dim channels = in.has_rank() ? in.at(*channels_first ? 1 : -1) : Dim::unknown();
  DimVector dims{batch};
  if (*channels_first)
    dims.push_back(channels);
  if (keepdims)
    dims.insert(dims.end(), Rank, Dim::of(1));
  if (!*channels_first)
    dims.push_back(channels);
  c.outputs = {Shape(std::move(dims))};
  c.input_specs = {exact_rank_spec(Rank + 2)};
}

constexpr LayerRule kRules[] = {
    {"MaxPooling1D", infer_pooling<1, PoolMode::max>},
    {"MaxPooling2D", infer_pooling<2, PoolMode::max>},
    {"MaxPooling3D", infer_pooling<3, PoolMode::max>},
    {"AveragePooling1D", infer_pooling<1, PoolMode::average>},
    {"AveragePooling2D", infer_pooling<2, PoolMode::average>},
    {"AveragePooling3D", infer_pooling<3, PoolMode::average>},
    {"GlobalMaxPooling1D", infer_global_pooling<1>},
    {"GlobalMaxPooling2D", infer_global_pooling<2>},
    {"GlobalMaxPooling3D", infer_global_pooling<3>},
    {"GlobalAveragePooling1D", infer_global_pooling<1>},
    {"GlobalAveragePooling2D", infer_global_pooling<2>},
    {"GlobalAveragePooling3D", infer_global_pooling<3>},
    // Aliases Keras 2 and Keras 3 export under shorter names.
    {"MaxPool1D", infer_pooling<1, PoolMode::max>},
    {"MaxPool2D", infer_pooling<2, PoolMode::max>},
    {"MaxPool3D", infer_pooling<3, PoolMode::max>},
    {"AvgPool1D", infer_pooling<1, PoolMode::average>},
    {"AvgPool2D", infer_pooling<2, PoolMode::average>},
    {"AvgPool3D", infer_pooling<3, PoolMode::average>},
    {"GlobalMaxPool1D", infer_global_pooling<1>},
    {"GlobalMaxPool2D", infer_global_pooling<2>},
    {"GlobalMaxPool3D", infer_global_pooling<3>},
    {"GlobalAvgPool1D", infer_global_pooling<1>},
    {"GlobalAvgPool2D", infer_global_pooling<2>},
    {"GlobalAvgPool3D", infer_global_pooling<3>},
};

}  // namespace

std::span<const LayerRule> pooling_rules() {
  return kRules;
}

}  // namespace shapelint
