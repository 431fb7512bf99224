// Shape rules for the Keras preprocessing layer family (keras/src/layers/preprocessing/):
// the layers that appear inside saved models (rescaling, resizing, cropping, augmentation,
// feature normalization).
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

bool require_argument(LayerCall& c, std::string_view cls, std::string_view key) {
  if (c.config().has(key))
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("{}.__init__() missing 1 required positional argument: '{}'", cls, key),
          fmt::format("set '{}' in the config of '{}'", key, c.layer_name()));
  return false;
}

/// The output size of an image layer: `height` and `width`, both required.
struct ImageSize {
  std::int64_t height;
  std::int64_t width;
};

/// Nullopt after reporting; also when a getter reported a wrong type (then the output is
/// left unknown).
std::optional<ImageSize> read_image_size(LayerCall& c, std::string_view cls) {
  if (!require_argument(c, cls, "height") || !require_argument(c, cls, "width"))
    return {};
  auto height = c.config().get_optional_int("height");
  auto width = c.config().get_optional_int("width");
  if (!height || !width) {
    c.outputs = {Shape::unknown_rank()};
    return {};
  }
  return ImageSize{*height, *width};
}

/// The input with its height and width axes replaced by the layer's size.
Shape with_image_size(const Shape& in, std::size_t height_axis, ImageSize size) {
  Shape out = in;
  out.dims()[height_axis] = Dim::of(size.height);
  out.dims()[height_axis + 1] = Dim::of(size.width);
  return out;
}

/// Sizes below 1 are not images; Keras would fail when it resizes real data.
bool require_positive_size(LayerCall& c, ImageSize size, const Shape& out) {
  if (size.height >= 1 && size.width >= 1)
    return true;
  c.error(rule::kNonPositiveDim,
          fmt::format("Layer \"{}\" resizes images to height={}, width={}, giving the output "
                      "shape {}",
                      c.layer_name(),
                      size.height,
                      size.width,
                      to_string(out)),
          fmt::format("give '{}' a positive height and width", c.layer_name()));
  return false;
}

/// Python's IndexError when Keras assigns an axis the input does not have.
void report_missing_image_axes(LayerCall& c) {
  c.error(
      rule::kInputRank,
      "list assignment index out of range",
      fmt::format("feed '{}' images of shape (batch, height, width, channels)", c.layer_name()));
}

// ---------------------------------------------------------------------------------------

// Mirrors keras/src/layers/preprocessing/rescaling.py: output = input.
void infer_rescaling(LayerCall& c) {
  if (!require_argument(c, "Rescaling", "scale"))
    return;
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/preprocessing/image_preprocessing/random_*.py (flip, rotation,
// zoom, translation, contrast, brightness): output = input.
void infer_same_shape(LayerCall& c) {
  c.outputs = c.inputs();
}

/// An augmentation layer that keeps the shape but whose constructor requires `key`.
void infer_same_shape_requiring(LayerCall& c, std::string_view cls, std::string_view key) {
  if (!require_argument(c, cls, key))
    return;
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/preprocessing/image_preprocessing/{random_hue,random_saturation,
// random_sharpness,random_posterization}.py: output = input; `factor` is required.
void infer_random_hue(LayerCall& c) {
  infer_same_shape_requiring(c, "RandomHue", "factor");
}

void infer_random_saturation(LayerCall& c) {
  infer_same_shape_requiring(c, "RandomSaturation", "factor");
}

void infer_random_sharpness(LayerCall& c) {
  infer_same_shape_requiring(c, "RandomSharpness", "factor");
}

void infer_random_posterization(LayerCall& c) {
  infer_same_shape_requiring(c, "RandomPosterization", "factor");
}

// Mirrors keras/src/layers/preprocessing/image_preprocessing/{random_rotation,random_zoom,
// random_translation,random_contrast,random_brightness}.py: output = input; their factors
// are required.
void infer_random_rotation(LayerCall& c) {
  infer_same_shape_requiring(c, "RandomRotation", "factor");
}

void infer_random_zoom(LayerCall& c) {
  infer_same_shape_requiring(c, "RandomZoom", "height_factor");
}

void infer_random_translation(LayerCall& c) {
  if (require_argument(c, "RandomTranslation", "height_factor"))
    infer_same_shape_requiring(c, "RandomTranslation", "width_factor");
}

void infer_random_contrast(LayerCall& c) {
  infer_same_shape_requiring(c, "RandomContrast", "factor");
}

void infer_random_brightness(LayerCall& c) {
  infer_same_shape_requiring(c, "RandomBrightness", "factor");
}

// Mirrors keras/src/layers/preprocessing/image_preprocessing/max_num_bounding_box.py: images
// pass through (only bounding boxes are padded); `max_number` is required.
void infer_max_num_bounding_boxes(LayerCall& c) {
  infer_same_shape_requiring(c, "MaxNumBoundingBoxes", "max_number");
}

// Mirrors keras/src/layers/preprocessing/image_preprocessing/random_color_degeneration.py:
// output = input, which must be an image (rank 3 or 4) with 3 channels.
void infer_random_color_degeneration(LayerCall& c) {
  if (!require_argument(c, "RandomColorDegeneration", "factor"))
    return;
  const Shape& in = c.input();
  c.outputs = c.inputs();
  if (!in.has_rank())
    return;
  if (in.rank() != 3 && in.rank() != 4) {
    c.error(rule::kInputRank,
            fmt::format("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
                        "images). Received: input_shape={}",
                        to_string(in)),
            fmt::format("feed '{}' images of shape (batch, height, width, 3)", c.layer_name()));
    return;
  }
  const Dim channels = in.at(c.config().channels_first() ? -3 : -1);
  if (channels.is_known() && channels.value() != 3)
    c.error(rule::kInputAxis,
            fmt::format("Input images must have 3 channels, but received images with {} "
                        "channels.",
                        channels.value()),
            fmt::format("feed '{}' RGB images", c.layer_name()));
}

/// Resizing's height axis. Keras 3 treats a rank-4 input as a batch and anything else as a
/// single image (so a rank-3 model input loses its batch axis, as Keras's own shape does);
/// tf.keras 2 resized only rank-3 or rank-4 tensors.
std::optional<std::size_t> resizing_height_axis(LayerCall& c, const Shape& in) {
  if (!c.keras3() && in.rank() != 3 && in.rank() != 4) {
    c.error(
        rule::kInputRank,
        "'images' must have either 3 or 4 dimensions.",
        fmt::format("feed '{}' images of shape (batch, height, width, channels)", c.layer_name()));
    return std::nullopt;
  }
  const std::size_t height_axis = (in.rank() == 4 ? 1 : 0) + (c.config().channels_first() ? 1 : 0);
  if (height_axis + 2 > in.rank()) {
    report_missing_image_axes(c);
    return std::nullopt;
  }
  return height_axis;
}

// Mirrors keras/src/layers/preprocessing/image_preprocessing/resizing.py: (batch, h, w, c) ->
// (batch, height, width, c); channels_first moves the axes.
void infer_resizing(LayerCall& c) {
  const auto size = read_image_size(c, "Resizing");
  if (!size)
    return;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {in};
    return;
  }
  const auto height_axis = resizing_height_axis(c, in);
  if (!height_axis)
    return;
  Shape out = with_image_size(in, *height_axis, *size);
  if (!require_positive_size(c, *size, out))
    return;
  c.outputs = {std::move(out)};
}

// Mirrors keras/src/layers/preprocessing/image_preprocessing/center_crop.py: (batch, h, w, c)
// -> (batch, height, width, c), also when the input is smaller (Keras then resizes up);
// rank 3 is one image, other ranks are refused.
void infer_center_crop(LayerCall& c) {
  const auto size = read_image_size(c, "CenterCrop");
  if (!size)
    return;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {in};
    return;
  }
  if (in.rank() != 3 && in.rank() != 4) {
    c.error(
        rule::kInputRank,
        "`input_shape` must be a non-nested tuple or list of rank-1 with size 3 (unbatched) "
        "or 4 (batched). ",
        fmt::format("feed '{}' images of shape (batch, height, width, channels)", c.layer_name()));
    return;
  }
  const std::size_t height_axis = (in.rank() == 4 ? 1 : 0) + (c.config().channels_first() ? 1 : 0);
  Shape out = with_image_size(in, height_axis, *size);
  if (!require_positive_size(c, *size, out))
    return;
  c.outputs = {std::move(out)};
}

// Mirrors keras/src/layers/preprocessing/image_preprocessing/random_crop.py: the axes -3, -2
// (channels_last) or -2, -1 (channels_first) become height and width, whatever the rank.
void infer_random_crop(LayerCall& c) {
  const auto size = read_image_size(c, "RandomCrop");
  if (!size)
    return;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {in};
    return;
  }
  const std::size_t from_end = c.config().channels_first() ? 2 : 3;
  if (in.rank() < from_end) {
    report_missing_image_axes(c);
    return;
  }
  Shape out = with_image_size(in, in.rank() - from_end, *size);
  if (!require_positive_size(c, *size, out))
    return;
  c.outputs = {std::move(out)};
}

/// Mirrors keras/src/legacy/layers.py RandomHeight / RandomWidth (tf.keras 2): the resized
/// axis becomes unknown.
template <std::ptrdiff_t kAxis>
void infer_random_extent(LayerCall& c) {
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {in};
    return;
  }
  if (!in.has_axis(kAxis)) {
    report_missing_image_axes(c);
    return;
  }
  Shape out = in;
  out.at(kAxis) = Dim::unknown();
  c.outputs = {std::move(out)};
}

// ---------------------------------------------------------------------------------------
// Normalization

/// Normalization's kept axes: None means none, an int one, a list several.
std::vector<std::int64_t> normalization_axes(const LayerConfig& config) {
  if (!config.object() || !config.object()->contains("axis"))
    return {-1};
  if (!config.has("axis"))
    return {};  // present and null
  return config.get_int_or_list("axis").value_or(std::vector<std::int64_t>{-1});
}

std::string py_int_tuple(const std::vector<std::int64_t>& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i ? ", " : "") + std::to_string(values[i]);
  return out + (values.size() == 1 ? ",)" : ")");
}

/// mean and variance come together (checked in Normalization.__init__).
bool check_given_statistics(LayerCall& c) {
  if (c.config().has("mean") == c.config().has("variance"))
    return true;
  auto repr = [&](std::string_view key) {
    JsonValue v = c.config().raw(key);
    return v ? v->dump() : std::string("None");
  };
  c.error(rule::kInvalidArgument,
          fmt::format("When setting values directly, both `mean` and `variance` must be set. "
                      "Received: mean={} and variance={}",
                      repr("mean"),
                      repr("variance")),
          fmt::format("give '{}' both mean and variance, or neither", c.layer_name()));
  return false;
}

/// The sizes of the kept axes, or nullopt after reporting.
std::optional<Shape> statistics_shape(LayerCall& c,
                                      const Shape& in,
                                      const std::vector<std::int64_t>& axes) {
  const auto ndim = static_cast<std::int64_t>(in.rank());
  std::vector<std::int64_t> kept;
  for (std::int64_t a : axes) {
    if (a < -ndim || a >= ndim) {
      c.error(rule::kInvalidArgument,
              fmt::format("All `axis` values must be in the range [-ndim, ndim). Received inputs "
                          "with ndim={}, while axis={}",
                          ndim,
                          py_int_tuple(axes)),
              fmt::format("use axes between {} and {} in '{}'", -ndim, ndim - 1, c.layer_name()));
      return std::nullopt;
    }
    kept.push_back(a < 0 ? a + ndim : a);
  }
  std::sort(kept.begin(), kept.end());
  DimVector dims;
  for (std::int64_t d : kept) {
    const Dim dim = in.dims()[static_cast<std::size_t>(d)];
    if (!dim.is_known()) {
      c.error(rule::kInputAxis,
              fmt::format("All `axis` values to be kept must have a known shape. Received "
                          "axis={}, inputs.shape={}, with unknown axis at index {}",
                          py_int_tuple(axes),
                          to_string(in),
                          d),
              fmt::format("give the kept axes of the input of '{}' known sizes", c.layer_name()));
      return std::nullopt;
    }
    dims.push_back(dim);
  }
  return Shape(std::move(dims));
}

// Mirrors keras/src/layers/preprocessing/normalization.py: output = input; unless mean and
// variance are given, non-trainable `mean` and `variance` with the kept axes' sizes and a
// scalar `count`.
void infer_normalization(LayerCall& c) {
  if (!check_given_statistics(c))
    return;
  const bool adapts = !c.config().has("mean");
  const auto axes = normalization_axes(c.config());
  const Shape& in = c.input();
  Shape stats = Shape::unknown_rank();
  if (in.has_rank()) {
    auto known = statistics_shape(c, in, axes);
    if (!known)
      return;
    stats = std::move(*known);
  }
  if (adapts) {
    c.add_weight("mean", stats, false);
    c.add_weight("variance", stats, false);
    c.add_weight("count", Shape(DimVector{}), false);
  }
  c.outputs = {in};
}

// Mirrors keras/src/layers/preprocessing/pipeline.py: the layers applied in order, each to
// the previous output; their weights are the pipeline's.
void infer_pipeline(LayerCall& c) {
  JsonValue layers = c.config().raw("layers");
  if (!layers || !layers->is_array()) {
    c.error(rule::kInvalidArgument,
            "Pipeline.__init__() missing 1 required positional argument: 'layers'",
            fmt::format("list the layers of '{}'", c.layer_name()));
    return;
  }
  if (layers->empty()) {
    // call() returns before assigning its output, so Keras cannot trace it.
    c.error(rule::kInvalidArgument,
            fmt::format("Could not automatically infer the output shape / dtype of '{}' (of "
                        "type Pipeline).",
                        c.layer_name()),
            fmt::format("give '{}' at least one layer", c.layer_name()));
    return;
  }
  Shapes current = c.inputs();
  for (std::size_t i = 0; i < layers->size(); ++i) {
    auto sub = c.call_sublayer((*layers)[i], fmt::format("layers[{}]", i), current);
    if (!sub) {
      c.outputs = {Shape::unknown_rank()};
      return;
    }
    if (sub->failed)
      return;
    for (auto& w : sub->weights)
      c.weights.push_back(std::move(w));
    current = std::move(sub->outputs);
  }
  c.outputs = std::move(current);
}

constexpr LayerRule kRules[] = {
    {"Rescaling", infer_rescaling},
    {"Resizing", infer_resizing},
    {"CenterCrop", infer_center_crop},
    {"RandomCrop", infer_random_crop},
    {"RandomFlip", infer_same_shape},
    {"RandomRotation", infer_random_rotation},
    {"RandomZoom", infer_random_zoom},
    {"RandomTranslation", infer_random_translation},
    {"RandomContrast", infer_random_contrast},
    {"RandomBrightness", infer_random_brightness},
    {"AugMix", infer_same_shape},
    {"AutoContrast", infer_same_shape},
    {"ContrastLimitedAdaptiveHistogramEqualization", infer_same_shape},
    {"CutMix", infer_same_shape},
    {"Equalization", infer_same_shape},
    {"MaxNumBoundingBoxes", infer_max_num_bounding_boxes},
    {"MixUp", infer_same_shape},
    {"RandAugment", infer_same_shape},
    {"RandomColorDegeneration", infer_random_color_degeneration},
    {"RandomColorJitter", infer_same_shape},
    {"RandomElasticTransform", infer_same_shape},
    {"RandomErasing", infer_same_shape},
    {"RandomGaussianBlur", infer_same_shape},
    {"RandomGrayscale", infer_same_shape},
    {"RandomHue", infer_random_hue},
    {"RandomInvert", infer_same_shape},
    {"RandomPerspective", infer_same_shape},
    {"RandomPosterization", infer_random_posterization},
    {"RandomSaturation", infer_random_saturation},
    {"RandomSharpness", infer_random_sharpness},
    {"RandomShear", infer_same_shape},
    {"Solarization", infer_same_shape},
    {"RandomHeight", infer_random_extent<-3>},
    {"RandomWidth", infer_random_extent<-2>},
    {"Normalization", infer_normalization},
    {"Pipeline", infer_pipeline},
};

}  // namespace

std::span<const LayerRule> preprocessing_rules() {
  return kRules;
}

}  // namespace shapelint
