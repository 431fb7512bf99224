// Shape rules for the Keras convolutional layer family (keras/src/layers/convolutional/).
//
// One generic implementation serves every class, parameterized by the rank of the
// convolution and by which of Keras's four base classes it derives from (BaseConv,
// BaseConvTranspose, BaseSeparableConv, BaseDepthwiseConv).
#include <algorithm>
#include <cctype>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/layer_checks.hpp"
#include "shapelint/rules/registry.hpp"
#include "shapelint/shape/conv_arith.hpp"

namespace shapelint {

namespace {

/// Which Keras base class a layer derives from; it decides the weights and the output.
enum class ConvKind { standard, transpose, separable, depthwise };

/// The constructor arguments of a convolution, validated as Keras's `__init__` does.
struct ConvArgs {
  std::size_t rank = 2;
  ConvKind kind = ConvKind::standard;
  std::int64_t filters = 1;  ///< unused by depthwise layers
  std::int64_t depth_multiplier = 1;
  std::int64_t groups = 1;
  std::vector<std::int64_t> kernel_size;
  std::vector<std::int64_t> strides;
  std::vector<std::int64_t> dilation_rate;
  std::optional<std::vector<std::int64_t>> output_padding;
  WindowPadding padding = WindowPadding::valid;
  std::string padding_text = "valid";  ///< as Keras stores it, for messages
  bool channels_first = false;
  bool use_bias = true;
  std::int64_t lora_rank = 0;  ///< 0: no LoRA weights
};

/// Where the axes of an input sit: tf.keras 2 lets extra leading axes act as batch axes.
struct ConvLayout {
  std::size_t batch_rank = 1;
  std::size_t channel_axis = 0;
  std::vector<std::size_t> spatial_axes;
};

std::string class_display_name(std::size_t rank, ConvKind kind) {
  switch (kind) {
    case ConvKind::standard:
      return fmt::format("Conv{}D", rank);
    case ConvKind::transpose:
      return fmt::format("Conv{}DTranspose", rank);
    case ConvKind::separable:
      return fmt::format("SeparableConv{}D", rank);
    case ConvKind::depthwise:
      return fmt::format("DepthwiseConv{}D", rank);
  }
  return "Conv";
}

bool allows_padding(const LayerCall& c, const ConvArgs& a, WindowPadding padding) {
  switch (padding) {
    case WindowPadding::valid:
    case WindowPadding::same:
      return true;
    case WindowPadding::causal:
      // Keras 3 allows causal on Conv1D only; tf.keras 2 on SeparableConv1D too.
      return a.rank == 1 &&
             (a.kind == ConvKind::standard || (!c.keras3() && a.kind == ConvKind::separable));
    case WindowPadding::full:
      // Only Keras 1 convolutions had it; such files are read with Keras 2 semantics.
      return !c.keras3() && a.kind == ConvKind::standard;
  }
  return false;
}

bool read_padding(LayerCall& c, ConvArgs& a) {
  JsonValue written = c.config().raw("padding");
  if (!written) {
    a.padding_text = "valid";
  } else if (written->is_string()) {
    a.padding_text = lowercase(std::string(written->as_string()));
  } else {
    a.padding_text = lowercase(c.config().get_string("padding", "valid"));  // reports it
  }
  auto padding = parse_window_padding(a.padding_text);
  if (padding && allows_padding(c, a, *padding)) {
    a.padding = *padding;
    return true;
  }
  bool causal_ok = allows_padding(c, a, WindowPadding::causal);
  if (!c.keras3() && padding == WindowPadding::causal) {
    c.error(rule::kInvalidArgument,
            "Causal padding is only supported for `Conv1D` and `SeparableConv1D`.",
            "use padding='valid' or 'same'");
    return false;
  }
  c.error(rule::kInvalidArgument,
          fmt::format("The `padding` argument must be a list/tuple or one of {{{}}}. Received: {}",
                      causal_ok ? "'valid', 'same', 'causal'" : "'valid', 'same'",
                      a.padding_text),
          causal_ok ? "use padding='valid', 'same' or 'causal'" : "use padding='valid' or 'same'");
  return false;
}

bool read_window_arguments(LayerCall& c, ConvArgs& a) {
  if (!c.config().has("kernel_size")) {
    c.error(rule::kInvalidArgument,
            fmt::format("{}.__init__() missing 1 required positional argument: 'kernel_size'",
                        class_display_name(a.rank, a.kind)),
            "set kernel_size in the layer config");
    return false;
  }
  auto kernel_size = read_tuple_argument(c, "kernel_size", a.rank);
  if (!kernel_size)
    return false;
  auto strides = read_tuple_argument(c, "strides", a.rank);
  if (!strides)
    return false;
  auto dilation_rate = read_tuple_argument(c, "dilation_rate", a.rank);
  if (!dilation_rate)
    return false;
  a.kernel_size = std::move(*kernel_size);
  a.strides = std::move(*strides);
  a.dilation_rate = std::move(*dilation_rate);
  if (!read_padding(c, a))
    return false;
  if (a.kind == ConvKind::transpose && c.config().has("output_padding")) {
    a.output_padding = read_tuple_argument(c, "output_padding", a.rank, 1, /*allow_zero=*/true);
    if (!a.output_padding)
      return false;
  }
  auto channels_first = read_channels_first(c);
  if (!channels_first)
    return false;
  a.channels_first = *channels_first;
  return true;
}

bool read_filters(LayerCall& c, ConvArgs& a) {
  auto filters = c.config().get_optional_int("filters");
  if (!filters) {
    c.error(rule::kInvalidArgument,
            fmt::format("{}.__init__() missing 1 required positional argument: 'filters'",
                        class_display_name(a.rank, a.kind)),
            "set filters to the number of output channels");
    return false;
  }
  if (*filters <= 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("Invalid value for argument `filters`. Expected a strictly positive value. "
                        "Received filters={}.",
                        *filters),
            "set filters to at least 1");
    return false;
  }
  a.filters = *filters;
  return true;
}

bool read_depth_multiplier(LayerCall& c, ConvArgs& a) {
  a.depth_multiplier = c.config().get_int("depth_multiplier", 1);
  if (a.depth_multiplier > 0)
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("Invalid value for argument `depth_multiplier`. Expected a strictly positive "
                      "value. Received depth_multiplier={}.",
                      a.depth_multiplier),
          "set depth_multiplier to at least 1");
  return false;
}

bool read_groups(LayerCall& c, ConvArgs& a) {
  a.groups = c.config().get_int("groups", 1);
  // tf.keras 2 stores `groups or 1`.
  if (!c.keras3() && a.groups == 0)
    a.groups = 1;
  if (a.groups <= 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("The number of groups must be a positive integer. Received: groups={}.",
                        a.groups),
            "set groups to at least 1");
    return false;
  }
  if (a.filters % a.groups != 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("The number of filters must be evenly divisible by the number of groups. "
                        "Received: groups={}, filters={}.",
                        a.groups,
                        a.filters),
            "make filters a multiple of groups");
    return false;
  }
  return true;
}

/// Whether Keras rejects strides > 1 together with dilation_rate > 1 for this layer.
bool rejects_strides_with_dilation(const LayerCall& c, const ConvArgs& a) {
  // Keras 3 checks in BaseConv and BaseConvTranspose only. tf.keras 2.12+ checks every
  // convolution in Conv.__init__; earlier releases failed for plain convolutions only (in
  // tf.nn.convolution, while the layer is called) and built the others. Rules do not see
  // the release, so tf.keras 2 files get the error for plain convolutions only.
  if (c.keras3())
    return a.kind == ConvKind::standard || a.kind == ConvKind::transpose;
  return a.kind == ConvKind::standard;
}

bool check_strides_with_dilation(LayerCall& c, const ConvArgs& a) {
  if (!rejects_strides_with_dilation(c, a))
    return true;
  auto max_stride = *std::max_element(a.strides.begin(), a.strides.end());
  auto max_dilation = *std::max_element(a.dilation_rate.begin(), a.dilation_rate.end());
  if (max_stride <= 1 || max_dilation <= 1)
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                      "Received: strides={} and dilation_rate={}",
                      python_tuple(a.strides),
                      python_tuple(a.dilation_rate)),
          "use strides=1 with a dilated kernel, or dilation_rate=1 with strides");
  return false;
}

bool check_output_padding(LayerCall& c, const ConvArgs& a) {
  if (!a.output_padding)
    return true;
  for (std::size_t i = 0; i < a.rank; ++i) {
    if ((*a.output_padding)[i] < a.strides[i])
      continue;
    c.error(rule::kInvalidArgument,
            fmt::format("`output_padding` must be strictly less than `strides` for all "
                        "dimensions. At dimension {}, `output_padding` is {} but `strides` is {}. "
                        "Received: output_padding={}, strides={}",
                        i,
                        (*a.output_padding)[i],
                        a.strides[i],
                        python_tuple(*a.output_padding),
                        python_tuple(a.strides)),
            "make every output_padding value smaller than the stride of its axis");
    return false;
  }
  return true;
}

std::optional<ConvArgs> read_conv_args(LayerCall& c, std::size_t rank, ConvKind kind) {
  ConvArgs a;
  a.rank = rank;
  a.kind = kind;
  if (kind != ConvKind::depthwise && !c.config().has("filters")) {
    // Keras names the first missing positional argument; filters comes first.
    read_filters(c, a);
    return std::nullopt;
  }
  if (!read_window_arguments(c, a))
    return std::nullopt;
  if ((kind == ConvKind::separable || kind == ConvKind::depthwise) && !read_depth_multiplier(c, a))
    return std::nullopt;
  if (kind != ConvKind::depthwise && !read_filters(c, a))
    return std::nullopt;
  if (kind == ConvKind::standard && !read_groups(c, a))
    return std::nullopt;
  if (!check_output_padding(c, a) || !check_strides_with_dilation(c, a))
    return std::nullopt;
  a.use_bias = c.config().get_bool("use_bias", true);
  // Keras enables LoRA when lora_rank is truthy.
  if (kind == ConvKind::standard)
    a.lora_rank = std::max<std::int64_t>(0, c.config().get_int("lora_rank", 0));
  return a;
}

ConvLayout conv_layout(const Shape& in, const ConvArgs& a) {
  ConvLayout layout;
  layout.batch_rank = in.rank() - a.rank - 1;
  std::size_t first_spatial = a.channels_first ? layout.batch_rank + 1 : layout.batch_rank;
  layout.channel_axis = a.channels_first ? layout.batch_rank : in.rank() - 1;
  for (std::size_t i = 0; i < a.rank; ++i)
    layout.spatial_axes.push_back(first_spatial + i);
  return layout;
}

Dim output_channels(const ConvArgs& a, Dim in_channels) {
  return a.kind == ConvKind::depthwise ? in_channels * a.depth_multiplier : Dim::of(a.filters);
}

/// The kernel shape Keras's compute_conv_output_shape reports: kernel_size + (in, out).
Shape reported_kernel_shape(const ConvArgs& a, Dim in_channels) {
  DimVector dims;
  for (auto k : a.kernel_size)
    dims.push_back(Dim::of(k));
  dims.push_back(in_channels);
  dims.push_back(output_channels(a, in_channels));
  return Shape(std::move(dims));
}

std::string spatial_layout_text(const ConvArgs& a) {
  static constexpr std::string_view kNames[] = {"steps", "height, width", "depth, height, width"};
  std::string_view spatial = a.rank >= 1 && a.rank <= 3 ? kNames[a.rank - 1] : "spatial axes";
  return a.channels_first ? fmt::format("batch, channels, {}", spatial)
                          : fmt::format("batch, {}, channels", spatial);
}

std::string rank_hint(const ConvArgs& a) {
  return fmt::format("give this layer inputs of rank {} ({})", a.rank + 2, spatial_layout_text(a));
}

/// Keras's InputSpec wording ("expected min_ndim=4" / "expected ndim=4"), with a hint.
void report_rank(LayerCall& c, const ConvArgs& a, std::string_view bound) {
  const Shape& in = c.input();
  c.error(rule::kInputRank,
          incompatible_input_message(
              c.layer_name(),
              0,
              fmt::format("expected {}={}, found ndim={}. Full shape received: {{}}",
                          bound,
                          a.rank + 2,
                          in.rank()),
              in),
          rank_hint(a));
}

/// Keras 3 requires exactly rank + 2 axes; tf.keras 2 lets a plain convolution treat extra
/// leading axes as batch axes.
bool check_conv_rank(LayerCall& c, const ConvArgs& a) {
  const Shape& in = c.input();
  std::size_t want = a.rank + 2;
  if (in.rank() == want)
    return true;
  if (in.rank() < want) {
    report_rank(c, a, "min_ndim");
    return false;
  }
  if (!c.keras3() && a.kind == ConvKind::standard)
    return true;
  // Keras 3's transposed convolutions fail here with a bare IndexError; say what it means.
  if (!c.keras3() || a.kind == ConvKind::transpose) {
    report_rank(c, a, "ndim");
    return false;
  }
  Dim in_channels = in.at(a.channels_first ? 1 : -1);
  c.error(
      rule::kInputRank,
      fmt::format("Kernel shape must have the same length as input, but received kernel of "
                  "shape {} and input of shape {}.",
                  to_string(reported_kernel_shape(a, in_channels)),
                  to_string(in)),
      rank_hint(a) + "; wrap it in TimeDistributed to apply it to every step of a longer input");
  return false;
}

bool check_groups_divide_channels(LayerCall& c, const ConvArgs& a, Dim in_channels) {
  if (a.kind != ConvKind::standard || !in_channels.is_known())
    return true;
  if (in_channels.value() % a.groups == 0)
    return true;
  c.error(rule::kInputAxis,
          fmt::format("The number of input channels must be evenly divisible by the number of "
                      "groups. Received groups={}, but the input has {} channels (full input "
                      "shape is {}).",
                      a.groups,
                      in_channels.value(),
                      to_string(c.input())),
          fmt::format("feed a multiple of {} channels or change groups", a.groups));
  return false;
}

Shape weight_shape(std::span<const std::int64_t> window, std::initializer_list<Dim> tail) {
  DimVector dims;
  for (auto k : window)
    dims.push_back(Dim::of(k));
  dims.insert(dims.end(), tail);
  return Shape(std::move(dims));
}

/// What Keras says when build() meets an unknown channel axis. tf.keras 2 checks it with
/// its own wording; Keras 3 fails on the arithmetic or on creating the kernel.
std::string unknown_channels_message(const LayerCall& c, const ConvArgs& a) {
  if (c.keras3()) {
    switch (a.kind) {
      case ConvKind::standard:
        return "unsupported operand type(s) for %: 'NoneType' and 'int'";
      case ConvKind::separable:
        return "unsupported operand type(s) for *: 'int' and 'NoneType'";
      case ConvKind::transpose:
      case ConvKind::depthwise: {
        Dim filters = Dim::of(a.kind == ConvKind::transpose ? a.filters : a.depth_multiplier);
        Shape kernel = a.kind == ConvKind::transpose
                           ? weight_shape(a.kernel_size, {filters, Dim::unknown()})
                           : weight_shape(a.kernel_size, {Dim::unknown(), filters});
        return fmt::format(
            "Shapes used to initialize variables must be fully-defined (no "
            "`None` dimensions). Received: shape={} for variable path='{}/kernel'",
            to_string(kernel),
            c.layer_name());
      }
    }
  }
  std::string subject = "inputs";
  if (a.kind == ConvKind::transpose)
    subject = fmt::format("inputs to `{}`", class_display_name(a.rank, a.kind));
  else if (a.kind == ConvKind::depthwise)
    subject = "inputs to `DepthwiseConv`";
  std::ptrdiff_t axis = a.channels_first ? -1 - static_cast<std::ptrdiff_t>(a.rank) : -1;
  return fmt::format(
      "The channel dimension of the {} should be defined. The input_shape "
      "received is {}, where axis {} (0-based) is the channel dimension, which "
      "found to be `None`.",
      subject,
      to_string(c.input()),
      axis);
}

/// Keras sizes the kernel from the input channels when it builds the layer, so they must be
/// known then. A later call (shared layer, what-if replay) reuses the built kernel.
bool check_channels_known(LayerCall& c, const ConvArgs& a, Dim in_channels) {
  if (in_channels.is_known() || !c.building())
    return true;
  c.error(rule::kInputAxis,
          unknown_channels_message(c, a),
          fmt::format("give the input of '{}' a known channel axis ({}); Keras sizes the kernel "
                      "from it",
                      c.layer_name(),
                      a.channels_first ? "axis 1" : "the last axis"));
  return false;
}

Dim spatial_output(const ConvArgs& a, std::size_t i, Dim input) {
  if (a.kind == ConvKind::transpose) {
    std::optional<std::int64_t> output_padding;
    if (a.output_padding)
      output_padding = (*a.output_padding)[i];
    return conv_transpose_output_length(
        input, a.kernel_size[i], a.padding, a.strides[i], output_padding, a.dilation_rate[i]);
  }
  return conv_output_length(input, a.kernel_size[i], a.padding, a.strides[i], a.dilation_rate[i]);
}

Shape conv_output_shape(const Shape& in, const ConvArgs& a, const ConvLayout& layout) {
  Shape out = in;
  Dim in_channels = in.dims()[layout.channel_axis];
  for (std::size_t i = 0; i < a.rank; ++i) {
    std::size_t axis = layout.spatial_axes[i];
    out.dims()[axis] = spatial_output(a, i, in.dims()[axis]);
  }
  out.dims()[layout.channel_axis] = output_channels(a, in_channels);
  return out;
}

DimVector dilated_extents(const ConvArgs& a) {
  DimVector extents;
  for (std::size_t i = 0; i < a.rank; ++i)
    extents.push_back(dilated_kernel_extent(a.kernel_size[i], a.dilation_rate[i]));
  return extents;
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

/// A Python list of dims: "[None, 5, 5, 3]".
std::string python_dims_list(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.rank(); ++i) {
    if (i > 0)
      out += ", ";
    out += to_string(s.dims()[i]);
  }
  return out + "]";
}

/// tf.keras 2 fails in one of two places: Conv.build's own compute_output_shape when the
/// window overshoots by more than a stride, else TensorFlow's shape function.
std::string keras2_window_message(LayerCall& c, const ConvArgs& a, std::size_t i, Dim input) {
  Dim extent = dilated_kernel_extent(a.kernel_size[i], a.dilation_rate[i]);
  Dim overshoot = input - extent + a.strides[i];
  if (a.kind == ConvKind::standard && overshoot.is_known() && overshoot.value() < 0)
    return fmt::format(
        "One of the dimensions in the output is <= 0 due to downsampling in {}. "
        "Consider increasing the input size. Received input shape {} which would "
        "produce output shape with a zero or negative value in a dimension.",
        c.layer_name(),
        python_dims_list(c.input()));
  return fmt::format(
      "Negative dimension size caused by subtracting {} from {} for '{}' with "
      "input shapes: {}.",
      to_string(extent),
      to_string(input),
      c.layer_name(),
      tf_shape_text(c.input()));
}

std::string keras3_window_message(LayerCall& c, const ConvArgs& a, Dim in_channels) {
  return fmt::format(
      "Computed output size would be zero or negative. Received `inputs shape={}`, `kernel "
      "shape={}`, `dilation_rate={}`, `strides={}`, `padding={}`.",
      to_string(c.input()),
      to_string(reported_kernel_shape(a, in_channels)),
      numpy_array(a.dilation_rate),
      python_tuple(a.strides),
      a.padding_text);
}

/// Every computed spatial size must be at least 1 (a window larger than its input).
bool check_window_fits(
    LayerCall& c, const ConvArgs& a, const ConvLayout& layout, const Shape& out, Dim in_channels) {
  if (a.kind == ConvKind::transpose)
    return true;
  for (std::size_t i = 0; i < a.rank; ++i) {
    std::size_t axis = layout.spatial_axes[i];
    Dim size = out.dims()[axis];
    if (!size.is_known() || size.value() >= 1)
      continue;
    std::string message = c.keras3() ? keras3_window_message(c, a, in_channels)
                                     : keras2_window_message(c, a, i, c.input().dims()[axis]);
    DimVector extents = dilated_extents(a);
    c.error(rule::kNonPositiveDim,
            std::move(message),
            fmt::format("use padding='same' or a smaller kernel; this layer needs inputs of at "
                        "least {}",
                        window_extent_text(extents)));
    return false;
  }
  return true;
}

/// The weights Keras creates in build(), in its order.
void add_conv_weights(LayerCall& c, const ConvArgs& a, Dim in_channels) {
  Dim filters = Dim::of(a.filters);
  switch (a.kind) {
    case ConvKind::standard: {
      Dim per_group = floor_div(in_channels, a.groups);
      c.weights.reserve(a.lora_rank > 0 ? 4 : 2);
      // LoRA freezes the kernel and trains two low-rank factors instead.
      c.add_weight("kernel", weight_shape(a.kernel_size, {per_group, filters}), a.lora_rank == 0);
      if (a.use_bias)
        c.add_weight("bias", Shape{filters});
      if (a.lora_rank > 0) {
        Dim lora = Dim::of(a.lora_rank);
        c.add_weight("lora_kernel_a", weight_shape(a.kernel_size, {per_group, lora}));
        c.add_weight("lora_kernel_b", Shape{lora, filters});
      }
      return;
    }
    case ConvKind::transpose:
      c.add_weight("kernel", weight_shape(a.kernel_size, {filters, in_channels}));
      if (a.use_bias)
        c.add_weight("bias", Shape{filters});
      return;
    case ConvKind::separable: {
      Dim multiplier = Dim::of(a.depth_multiplier);
      const std::int64_t ones[] = {1, 1, 1};
      std::span<const std::int64_t> pointwise(ones, std::min<std::size_t>(a.rank, 3));
      c.weights.reserve(3);
      c.add_weight("depthwise_kernel", weight_shape(a.kernel_size, {in_channels, multiplier}));
      c.add_weight("pointwise_kernel",
                   weight_shape(pointwise, {in_channels * a.depth_multiplier, filters}));
      if (a.use_bias)
        c.add_weight("bias", Shape{filters});
      return;
    }
    case ConvKind::depthwise:
      c.add_weight(c.keras3() ? "kernel" : "depthwise_kernel",
                   weight_shape(a.kernel_size, {in_channels, Dim::of(a.depth_multiplier)}));
      if (a.use_bias)
        c.add_weight("bias", Shape{in_channels * a.depth_multiplier});
      return;
  }
}

/// Keras's `self.input_spec` after build.
InputSpec conv_input_spec(const LayerCall& c, const ConvArgs& a, Dim in_channels) {
  InputSpec spec;
  // Keras 3 and tf.keras 2's plain convolutions accept more axes until the shape check;
  // tf.keras 2's other convolutions pin the rank.
  if (c.keras3() || a.kind == ConvKind::standard)
    spec.min_ndim = a.rank + 2;
  else
    spec.ndim = a.rank + 2;
  if (!in_channels.is_known())
    return spec;
  std::ptrdiff_t axis = -1;
  if (a.channels_first) {
    // tf.keras 2 counts from the end so that extra batch axes keep working.
    bool from_end = !c.keras3() && a.kind == ConvKind::standard;
    axis = from_end ? -1 - static_cast<std::ptrdiff_t>(a.rank) : 1;
  }
  spec.axes.emplace_back(axis, in_channels.value());
  return spec;
}

/// Without a known input rank the output rank is still pinned where Keras pins it.
void infer_unknown_rank(LayerCall& c, const ConvArgs& a) {
  Dim in_channels = Dim::unknown();
  if (!c.keras3() && a.kind == ConvKind::standard) {
    c.outputs = {Shape::unknown_rank()};
  } else {
    Shape out = Shape::of_rank(a.rank + 2);
    out.at(a.channels_first ? 1 : -1) = output_channels(a, in_channels);
    c.outputs = {out};
  }
  add_conv_weights(c, a, in_channels);
  c.input_specs = {conv_input_spec(c, a, in_channels)};
}

void infer_convolution(LayerCall& c, std::size_t rank, ConvKind kind) {
  auto args = read_conv_args(c, rank, kind);
  if (!args)
    return;
  const ConvArgs& a = *args;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    infer_unknown_rank(c, a);
    return;
  }
  if (!check_conv_rank(c, a))
    return;
  ConvLayout layout = conv_layout(in, a);
  Dim in_channels = in.dims()[layout.channel_axis];
  // Keras 3's depthwise build() computes the output shape before it creates the kernel;
  // every other build() reads the channels first.
  bool channels_before_window = !(c.keras3() && a.kind == ConvKind::depthwise);
  if (channels_before_window && !check_channels_known(c, a, in_channels))
    return;
  if (!check_groups_divide_channels(c, a, in_channels))
    return;
  Shape out = conv_output_shape(in, a, layout);
  if (!check_window_fits(c, a, layout, out, in_channels))
    return;
  if (!channels_before_window && !check_channels_known(c, a, in_channels))
    return;
  if (out.overflowed()) {
    c.error(rule::kDimOverflow,
            fmt::format("the output shape of this layer on input {} overflows a 64-bit size",
                        to_string(in)),
            "check kernel_size, strides and dilation_rate in the layer config");
    return;
  }
  c.outputs = {out};
  add_conv_weights(c, a, in_channels);
  c.input_specs = {conv_input_spec(c, a, in_channels)};
}

// Mirrors keras/src/layers/convolutional/base_conv.py (BaseConv):
// out = floor((n - ((k - 1) * d + 1)) / s) + 1 (valid), floor((n - 1) / s) + 1 (same, causal);
// kernel k... x (in / groups) x filters.
template <std::size_t Rank>
void infer_conv(LayerCall& c) {
  infer_convolution(c, Rank, ConvKind::standard);
}

// Mirrors keras/src/layers/convolutional/base_conv_transpose.py (BaseConvTranspose):
// out = (n - 1) * s + max(dk, s) (valid), n * s (same), or (n - 1) * s + dk [% 2] + op with
// output_padding; kernel k... x filters x in.
template <std::size_t Rank>
void infer_conv_transpose(LayerCall& c) {
  infer_convolution(c, Rank, ConvKind::transpose);
}

// Mirrors keras/src/layers/convolutional/base_separable_conv.py (BaseSeparableConv):
// lengths as BaseConv; depthwise kernel k... x in x m, pointwise 1... x (in * m) x filters.
template <std::size_t Rank>
void infer_separable_conv(LayerCall& c) {
  infer_convolution(c, Rank, ConvKind::separable);
}

// Mirrors keras/src/layers/convolutional/base_depthwise_conv.py (BaseDepthwiseConv):
// lengths as BaseConv, channels in * depth_multiplier; kernel k... x in x m.
template <std::size_t Rank>
void infer_depthwise_conv(LayerCall& c) {
  infer_convolution(c, Rank, ConvKind::depthwise);
}

constexpr LayerRule kRules[] = {
    {"Conv1D", infer_conv<1>},
    {"Conv2D", infer_conv<2>},
    {"Conv3D", infer_conv<3>},
    {"Conv1DTranspose", infer_conv_transpose<1>},
    {"Conv2DTranspose", infer_conv_transpose<2>},
    {"Conv3DTranspose", infer_conv_transpose<3>},
    {"SeparableConv1D", infer_separable_conv<1>},
    {"SeparableConv2D", infer_separable_conv<2>},
    {"DepthwiseConv1D", infer_depthwise_conv<1>},
    {"DepthwiseConv2D", infer_depthwise_conv<2>},
    // Aliases Keras 1, Keras 2 and Keras 3 export under other names.
    {"Convolution1D", infer_conv<1>},
    {"Convolution2D", infer_conv<2>},
    {"Convolution3D", infer_conv<3>},
    {"Convolution1DTranspose", infer_conv_transpose<1>},
    {"Convolution2DTranspose", infer_conv_transpose<2>},
    {"Convolution3DTranspose", infer_conv_transpose<3>},
    {"Deconvolution2D", infer_conv_transpose<2>},
    {"Deconvolution3D", infer_conv_transpose<3>},
    {"SeparableConvolution1D", infer_separable_conv<1>},
    {"SeparableConvolution2D", infer_separable_conv<2>},
};

}  // namespace

std::span<const LayerRule> convolutional_rules() {
  return kRules;
}

}  // namespace shapelint
