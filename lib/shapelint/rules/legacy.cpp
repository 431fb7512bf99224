// Shape rules for layers older Keras files use but Keras 3 dropped: tf.keras 2's
// LocallyConnected1D/2D, RandomFourierFeatures and DenseFeatures, and Keras 1's MaxoutDense,
// Highway, TimeDistributedDense, SReLU and ParametricSoftplus. Their Keras 1 argument names
// (`output_dim`, `nb_feature`, `bias`, `subsample_length`) are read as well, since Keras 2.0's
// legacy layers kept them.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/layer_checks.hpp"
#include "shapelint/rules/registry.hpp"
#include "shapelint/shape/conv_arith.hpp"

namespace shapelint {

namespace {

/// `units`, or Keras 1's `output_dim` (which Keras 2.0's legacy layers kept).
std::optional<std::int64_t> output_units(LayerCall& c, std::string_view cls) {
  const char* key = c.config().has("units") ? "units" : "output_dim";
  if (!require_arguments(c, cls, {key}))
    return std::nullopt;
  return c.config().get_optional_int(key);
}

/// `use_bias`, or Keras 1's `bias`.
bool uses_bias(const LayerCall& c) {
  return c.config().has("use_bias") ? c.config().get_bool("use_bias", true)
                                    : c.config().get_bool("bias", true);
}

/// Keras 1 and tf.keras 2 created every weight from the input; a None there fails.
bool require_known_weight(LayerCall& c, std::string_view weight, const Shape& shape) {
  if (!c.building() || shape.fully_known())
    return true;
  c.error(rule::kInputAxis,
          fmt::format("Layer \"{}\" cannot create its weight '{}' of shape {}: the input shape "
                      "{} has an unknown size where the weight needs one",
                      c.layer_name(),
                      weight,
                      to_string(shape),
                      to_string(c.input())),
          fmt::format("give the input of '{}' known sizes on the axes its weights use",
                      c.layer_name()));
  return false;
}

bool add_known_weight(LayerCall& c, std::string name, Shape shape, bool trainable = true) {
  if (!require_known_weight(c, name, shape))
    return false;
  c.add_weight(std::move(name), std::move(shape), trainable);
  return true;
}

// ---- Keras 1 dense variants -------------------------------------------------------------

// Mirrors keras-1/keras/layers/core.py MaxoutDense: (batch, d) -> (batch, output_dim);
// W (nb_feature, d, output_dim), b (nb_feature, output_dim).
void infer_maxout_dense(LayerCall& c) {
  auto units = output_units(c, "MaxoutDense");
  if (!units) {
    if (!c.failed())
      c.outputs = {Shape::unknown_rank()};
    return;
  }
  const std::int64_t features = c.config().get_int("nb_feature", 4);
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.add_weight("W", Shape::unknown_rank());
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (!c.require_rank(0, 2))
    return;
  if (!add_known_weight(c, "W", Shape{Dim::of(features), in.at(1), Dim::of(*units)}))
    return;
  if (uses_bias(c))
    c.add_weight("b", Shape{Dim::of(features), Dim::of(*units)});
  c.input_specs = {InputSpec{.ndim = 2}};
  c.outputs = {Shape{in.at(0), Dim::of(*units)}};
}

// Mirrors keras-1/keras/layers/core.py Highway: (batch, d) -> (batch, d); W and W_carry
// (d, d), b and b_carry (d,).
void infer_highway(LayerCall& c) {
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.add_weight("W", Shape::unknown_rank());
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (!c.require_rank(0, 2))
    return;
  const Dim d = in.at(1);
  if (!add_known_weight(c, "W", Shape{d, d}))
    return;
  c.add_weight("W_carry", Shape{d, d});
  if (uses_bias(c)) {
    c.add_weight("b", Shape{d});
    c.add_weight("b_carry", Shape{d});
  }
  c.input_specs = {InputSpec{.ndim = 2}};
  c.outputs = {in};
}

// Mirrors keras-1/keras/layers/core.py TimeDistributedDense: (batch, t, d) ->
// (batch, t, output_dim); W (d, output_dim), b (output_dim,).
void infer_time_distributed_dense(LayerCall& c) {
  auto units = output_units(c, "TimeDistributedDense");
  if (!units) {
    if (!c.failed())
      c.outputs = {Shape::unknown_rank()};
    return;
  }
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.add_weight("W", Shape::unknown_rank());
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (!c.require_rank(0, 3))
    return;
  if (!add_known_weight(c, "W", Shape{in.at(2), Dim::of(*units)}))
    return;
  if (uses_bias(c))
    c.add_weight("b", Shape{Dim::of(*units)});
  c.input_specs = {InputSpec{.ndim = 3}};
  c.outputs = {Shape{in.at(0), in.at(1), Dim::of(*units)}};
}

// ---- Keras 1 parametric activations -----------------------------------------------------

/// `input_shape[1:]` with every shared axis set to 1 (Python indexing: `param_shape[i - 1]`).
std::optional<Shape> shared_param_shape(LayerCall& c) {
  const Shape& in = c.input();
  DimVector dims(in.dims().begin() + (in.rank() ? 1 : 0), in.dims().end());
  auto axes = c.config().get_int_or_list("shared_axes");
  if (axes) {
    const auto n = static_cast<std::int64_t>(dims.size());
    for (auto axis : *axes) {
      std::int64_t i = axis - 1;
      if (i < -n || i >= n) {
        c.error(rule::kInvalidArgument,
                "list assignment index out of range",
                fmt::format("shared_axes of '{}' must name axes of its input {}",
                            c.layer_name(),
                            to_string(in)));
        return std::nullopt;
      }
      dims[static_cast<std::size_t>(i < 0 ? i + n : i)] = Dim::of(1);
    }
  }
  return Shape(std::move(dims));
}

/// Output = input; `names` weights of the shared parameter shape each.
void infer_parametric_activation(LayerCall& c, std::initializer_list<const char*> names) {
  const Shape& in = c.input();
  c.outputs = {in};
  if (!in.has_rank()) {
    c.add_weight(*names.begin(), Shape::unknown_rank());
    return;
  }
  auto param = shared_param_shape(c);
  if (!param)
    return;
  for (const char* name : names)
    if (!add_known_weight(c, name, *param))
      return;
}

// Mirrors keras-1/keras/layers/advanced_activations.py SReLU: output = input; t_left,
// a_left, t_right, a_right of input_shape[1:] (shared axes of size 1).
void infer_srelu(LayerCall& c) {
  infer_parametric_activation(c, {"t_left", "a_left", "t_right", "a_right"});
}

// Mirrors keras-1/keras/layers/advanced_activations.py ParametricSoftplus: output = input;
// alphas and betas of input_shape[1:] (shared axes of size 1).
void infer_parametric_softplus(LayerCall& c) {
  infer_parametric_activation(c, {"alphas", "betas"});
}

// ---- tf.keras 2 LocallyConnected --------------------------------------------------------

/// `padding`, with tf.keras 2's restriction of implementation 1 to "valid".
std::optional<WindowPadding> locally_connected_padding(LayerCall& c,
                                                       std::string_view cls,
                                                       std::int64_t implementation) {
  std::string text = c.config().get_string("padding", "valid");
  for (auto& ch : text)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto padding = parse_window_padding(text);
  if (!padding || (*padding != WindowPadding::valid && *padding != WindowPadding::same)) {
    c.error(rule::kInvalidArgument,
            fmt::format("The `padding` argument must be a list/tuple or one of \"valid\", "
                        "\"same\" (or \"causal\", only for `Conv1D). Received: {}",
                        text),
            "use padding='valid' or 'same'");
    return std::nullopt;
  }
  if (implementation < 1 || implementation > 3) {
    c.error(
        rule::kInvalidArgument,
        fmt::format("Invalid implementation for {}: {}; expected 1, 2 or 3", cls, implementation),
        "use implementation=1, 2 or 3");
    return std::nullopt;
  }
  if (*padding != WindowPadding::valid && implementation == 1) {
    c.error(rule::kInvalidArgument,
            fmt::format("Invalid border mode for {} (only \"valid\" is supported if "
                        "implementation is 1): {}",
                        cls,
                        text),
            "use padding='valid', or implementation=2 or 3 for 'same'");
    return std::nullopt;
  }
  return padding;
}

/// The window sizes `key` as an n-tuple, or Keras 1's name for it.
std::vector<std::int64_t> window_tuple(const LayerCall& c,
                                       std::string_view key,
                                       std::string_view keras1_key,
                                       std::size_t n,
                                       std::int64_t fallback) {
  if (!c.config().has(key) && c.config().has(keras1_key))
    return c.config().get_int_tuple(keras1_key, n, fallback);
  return c.config().get_int_tuple(key, n, fallback);
}

/// Per spatial axis of a locally-connected layer: its input size, window and output size.
struct LocalAxes {
  DimVector inputs;
  std::vector<std::int64_t> kernel;
  DimVector outputs;
};

/// The weights of one locally-connected layer for its implementation: 1 and 3 hold one
/// kernel per output position (3 as a sparse vector of the same size), 2 a dense matrix
/// from every input position to every output position.
bool add_locally_connected_weights(LayerCall& c,
                                   const LocalAxes& axes,
                                   Dim channels,
                                   std::int64_t filters,
                                   std::int64_t implementation) {
  Dim out_positions = Dim::of(1), in_positions = Dim::of(1);
  std::int64_t window = 1;
  for (std::size_t i = 0; i < axes.outputs.size(); ++i) {
    out_positions = out_positions * axes.outputs[i];
    in_positions = in_positions * axes.inputs[i];
    window *= axes.kernel[i];
  }
  Shape kernel;
  if (implementation == 2)
    kernel = Shape{in_positions, channels, out_positions, Dim::of(filters)};
  else if (implementation == 3)
    kernel = Shape{out_positions * Dim::of(window) * channels * Dim::of(filters)};
  else
    kernel = Shape{out_positions, Dim::of(window) * channels, Dim::of(filters)};
  if (!add_known_weight(c, "kernel", std::move(kernel)))
    return false;
  if (uses_bias(c)) {
    DimVector bias(axes.outputs);
    bias.push_back(Dim::of(filters));
    c.add_weight("bias", Shape(std::move(bias)));
  }
  return true;
}

bool require_positive_outputs(LayerCall& c, const LocalAxes& axes, const Shape& in) {
  for (Dim d : axes.outputs) {
    if (!d.is_known() || d.value() > 0)
      continue;
    c.error(rule::kNonPositiveDim,
            fmt::format("One of the dimensions in the output is <= 0 due to downsampling in "
                        "{}. Consider increasing the input size. Received input shape {} which "
                        "would produce output shape with a zero or negative value in a "
                        "dimension.",
                        c.layer_name(),
                        to_string(in)),
            fmt::format("give '{}' an input at least as large as its kernel", c.layer_name()));
    return false;
  }
  return true;
}

// Mirrors tf.keras 2 keras/layers/locally_connected/locally_connected{1,2}d.py: a convolution
// with unshared weights. Output (batch, *conv_output_lengths, filters) (channels_first:
// filters first); kernel (out_positions, window * channels, filters) for implementation 1
// and 3, (in_positions, channels, out_positions, filters) for 2; bias (*outputs, filters).
template <std::size_t N>
void infer_locally_connected(LayerCall& c) {
  const std::string_view cls = N == 1 ? "LocallyConnected1D" : "LocallyConnected2D";
  const char* filters_key = c.config().has("filters") ? "filters" : "nb_filter";
  if (!require_arguments(c, cls, {filters_key, "kernel_size"}))
    return;
  auto filters = c.config().get_optional_int(filters_key);
  const std::int64_t implementation = c.config().get_int("implementation", 1);
  auto padding = locally_connected_padding(c, cls, implementation);
  if (!padding)
    return;
  LocalAxes axes;
  axes.kernel = c.config().get_int_tuple("kernel_size", N, 1);
  const auto strides = window_tuple(c, "strides", N == 1 ? "subsample_length" : "subsample", N, 1);
  const Shape& in = c.input();
  if (!filters || !in.has_rank()) {
    c.add_weight("kernel", Shape::unknown_rank());
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (!c.require_rank(0, N + 2))
    return;
  const bool channels_first = c.config().channels_first();
  const std::size_t first_spatial = channels_first ? 2 : 1;
  const Dim channels = channels_first ? in.at(1) : in.at(-1);
  for (std::size_t i = 0; i < N; ++i) {
    axes.inputs.push_back(in.dims()[first_spatial + i]);
    axes.outputs.push_back(conv_output_length(
        axes.inputs.back(), axes.kernel[i], *padding, std::max<std::int64_t>(strides[i], 1)));
  }
  if (!require_positive_outputs(c, axes, in) ||
      !add_locally_connected_weights(c, axes, channels, *filters, implementation))
    return;
  DimVector out{in.at(0)};
  if (channels_first)
    out.push_back(Dim::of(*filters));
  out.insert(out.end(), axes.outputs.begin(), axes.outputs.end());
  if (!channels_first)
    out.push_back(Dim::of(*filters));
  c.outputs = {Shape(std::move(out))};
  c.input_specs = {
      InputSpec{.ndim = N + 2, .axes = {{channels_first ? 1 : -1, channels.value_or(0)}}}};
  if (!channels.is_known())
    c.input_specs.front().axes.clear();
}

// ---- tf.keras 2 experimental ------------------------------------------------------------

// Mirrors tf.keras 2 keras/layers/kernelized.py RandomFourierFeatures: (batch, d) ->
// (batch, output_dim); kernel (d, output_dim) and bias (output_dim,) fixed, kernel_scale (1,).
void infer_random_fourier_features(LayerCall& c) {
  if (!require_arguments(c, "RandomFourierFeatures", {"output_dim"}))
    return;
  auto units = c.config().get_optional_int("output_dim");
  const Shape& in = c.input();
  if (!units || !in.has_rank()) {
    c.add_weight("kernel", Shape::unknown_rank(), false);
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (in.rank() != 2) {
    c.error(rule::kInputRank,
            fmt::format("The rank of the input tensor should be 2. Received input with rank {} "
                        "instead. Full input shape received: {}",
                        in.rank(),
                        to_string(in)),
            fmt::format("flatten the input of '{}' to (batch, features)", c.layer_name()));
    return;
  }
  if (!in.at(1).is_known()) {
    if (c.building()) {
      c.error(rule::kInputAxis,
              fmt::format("The last dimension of the input tensor should be defined. Found "
                          "`None`. Full input shape received: {}",
                          to_string(in)),
              fmt::format("give the input of '{}' a known feature size", c.layer_name()));
      return;
    }
  }
  c.add_weight("kernel", Shape{in.at(1), Dim::of(*units)}, false);
  c.add_weight("bias", Shape{Dim::of(*units)}, false);
  c.add_weight("kernel_scale", Shape{Dim::of(1)});
  c.outputs = {Shape{in.at(0), Dim::of(*units)}};
  if (in.at(1).is_known())
    c.input_specs = {InputSpec{.ndim = 2, .axes = {{1, in.at(1).value()}}}};
}

// Mirrors tf.keras 2 keras/layers/preprocessing/category_crossing.py (TF 2.3 to 2.5): rank-2
// inputs crossed into (batch, None), a sparse tensor whose width depends on the data.
void infer_category_crossing(LayerCall& c) {
  if (c.input_count() < 2) {
    c.error(rule::kInputCount,
            "A `CategoryCrossing` layer should be called on a list of inputs.",
            fmt::format("call '{}' on a list of features", c.layer_name()));
    return;
  }
  Dim batch = Dim::unknown();
  bool batch_seen = false;
  for (const auto& s : c.inputs()) {
    if (!s.has_rank())
      continue;
    if (s.rank() != 2) {
      std::vector<std::string> shapes;
      for (const auto& t : c.inputs())
        shapes.push_back(to_string(t));
      c.error(rule::kInputRank,
              fmt::format("Inputs must be rank 2, get [{}]", fmt::join(shapes, ", ")),
              fmt::format("feed '{}' features of shape (batch, n)", c.layer_name()));
      return;
    }
    if (!batch_seen) {
      batch = s.at(0);
      batch_seen = true;
    }
  }
  c.outputs = {Shape{batch, Dim::unknown()}};
}

// ---- tf.keras 2 DenseFeatures -----------------------------------------------------------

using nlohmann::json;

const json* column_config(const json& column) {
  if (!column.is_object())
    return nullptr;
  auto it = column.find("config");
  return it != column.end() && it->is_object() ? &*it : nullptr;
}

std::string column_class(const json& column) {
  if (!column.is_object())
    return {};
  auto it = column.find("class_name");  // of any JSON type in a hostile file
  return it != column.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// a + b and a * b of a column's sizes, nullopt past int64 (sizes a hostile file can hold):
/// the column is then one shapelint cannot size.
std::optional<std::int64_t> checked_add(std::optional<std::int64_t> a,
                                        std::optional<std::int64_t> b) {
  std::int64_t sum = 0;
  if (!a || !b || __builtin_add_overflow(*a, *b, &sum))
    return std::nullopt;
  return sum;
}

std::optional<std::int64_t> checked_mul(std::optional<std::int64_t> a,
                                        std::optional<std::int64_t> b) {
  std::int64_t product = 0;
  if (!a || !b || __builtin_mul_overflow(*a, *b, &product))
    return std::nullopt;
  return product;
}

std::optional<std::int64_t> json_int(const json& cfg, const char* key) {
  auto it = cfg.find(key);
  if (it == cfg.end() || !it->is_number_integer())
    return std::nullopt;
  return it->get<std::int64_t>();
}

/// Elements of a NumericColumn (its `shape`), or nullopt.
std::optional<std::int64_t> numeric_elements(const json& column) {
  const json* cfg = column_config(column);
  if (!cfg || column_class(column) != "NumericColumn")
    return std::nullopt;
  std::optional<std::int64_t> n = 1;
  auto it = cfg->find("shape");
  if (it == cfg->end())
    return 1;
  for (const auto& d : *it) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
      return std::nullopt;
    n = checked_mul(n, d.get<std::int64_t>());
  }
  return n;
}

/// Ids a categorical column produces (`num_buckets`), or nullopt.
std::optional<std::int64_t> category_count(const json& column) {
  const json* cfg = column_config(column);
  if (!cfg)
    return std::nullopt;
  const std::string cls = column_class(column);
  const std::int64_t oov = json_int(*cfg, "num_oov_buckets").value_or(0);
  if (cls == "VocabularyListCategoricalColumn") {
    auto it = cfg->find("vocabulary_list");
    if (it == cfg->end() || !it->is_array())
      return std::nullopt;
    return checked_add(static_cast<std::int64_t>(it->size()), oov);
  }
  if (cls == "VocabularyFileCategoricalColumn") {
    return checked_add(json_int(*cfg, "vocabulary_size"), oov);
  }
  if (cls == "IdentityCategoricalColumn")
    return json_int(*cfg, "number_buckets") ? json_int(*cfg, "number_buckets")
                                            : json_int(*cfg, "num_buckets");
  if (cls == "HashedCategoricalColumn" || cls == "CrossedColumn")
    return json_int(*cfg, "hash_bucket_size");
  if (cls == "WeightedCategoricalColumn" || cls == "SequenceCategoricalColumn") {
    auto it = cfg->find("categorical_column");
    return it == cfg->end() ? std::nullopt : category_count(*it);
  }
  if (cls == "BucketizedColumn") {
    auto source = cfg->find("source_column");
    auto bounds = cfg->find("boundaries");
    if (source == cfg->end() || bounds == cfg->end() || !bounds->is_array())
      return std::nullopt;
    return checked_mul(numeric_elements(*source), static_cast<std::int64_t>(bounds->size()) + 1);
  }
  return std::nullopt;
}

/// One dense feature column: how many output features it adds, and its embedding table.
struct DenseColumn {
  std::int64_t width = 0;
  std::optional<Shape> table;
  bool trainable = true;
};

std::optional<DenseColumn> dense_column(const json& column) {
  const json* cfg = column_config(column);
  const std::string cls = column_class(column);
  if (!cfg)
    return std::nullopt;
  if (cls == "NumericColumn") {
    auto n = numeric_elements(column);
    return n ? std::optional(DenseColumn{*n, std::nullopt}) : std::nullopt;
  }
  if (cls == "BucketizedColumn") {
    auto n = category_count(column);
    return n ? std::optional(DenseColumn{*n, std::nullopt}) : std::nullopt;
  }
  auto categorical = cfg->find("categorical_column");
  if (categorical == cfg->end())
    return std::nullopt;
  auto buckets = category_count(*categorical);
  if (!buckets)
    return std::nullopt;
  if (cls == "IndicatorColumn")
    return DenseColumn{*buckets, std::nullopt};
  if (cls == "EmbeddingColumn") {
    auto dim = json_int(*cfg, "dimension");
    if (!dim)
      return std::nullopt;
    auto trainable = cfg->find("trainable");
    return DenseColumn{
        *dim,
        Shape{Dim::of(*buckets), Dim::of(*dim)},
        trainable == cfg->end() || !trainable->is_boolean() || trainable->get<bool>()};
  }
  return std::nullopt;
}

// Mirrors tf.keras 2 keras/feature_column/dense_features.py: (batch, sum of the column
// widths); an embedding table per EmbeddingColumn. Feature columns are TensorFlow objects:
// the kinds recognised here cover the common ones, any other makes the output unknown.
void infer_dense_features(LayerCall& c) {
  // Feature columns are rare and small: read them as nlohmann values.
  JsonValue raw_columns = c.config().raw("feature_columns");
  const json columns_value = raw_columns.to_nlohmann();
  const json* columns = raw_columns ? &columns_value : nullptr;
  Dim batch = c.input_count() && c.input(0).has_rank() && c.input(0).rank() ? c.input(0).dims()[0]
                                                                            : Dim::unknown();
  std::optional<std::int64_t> width = 0;  // nullopt past int64: an SL110 output
  std::vector<DenseColumn> tables;
  std::string unknown_kind;
  if (columns && columns->is_array()) {
    for (const auto& column : *columns) {
      auto dense = dense_column(column);
      if (!dense) {
        unknown_kind = column_class(column);
        if (unknown_kind.empty())
          unknown_kind = "a column without a class name";
        break;
      }
      width = checked_add(width, dense->width);
      if (dense->table)
        tables.push_back(*dense);
    }
  } else {
    unknown_kind = "(none listed)";
  }
  if (!unknown_kind.empty()) {
    c.note(rule::kOpaqueTfOp,
           fmt::format("DenseFeatures '{}' uses a feature column shapelint cannot size ({}): "
                       "shapes after it are unknown",
                       c.layer_name(),
                       unknown_kind.empty() ? "unknown" : unknown_kind),
           "declare the model input as the dense tensor DenseFeatures produces");
    c.add_weight("feature_columns", Shape::unknown_rank());
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  for (std::size_t i = 0; i < tables.size(); ++i)
    c.add_weight(fmt::format("embedding_weights_{}", i), *tables[i].table, tables[i].trainable);
  c.outputs = {Shape{batch, width ? Dim::of(*width) : Dim::overflow()}};
}

constexpr LayerRule kRules[] = {
    {"MaxoutDense", infer_maxout_dense},
    {"Highway", infer_highway},
    {"TimeDistributedDense", infer_time_distributed_dense},
    {"SReLU", infer_srelu},
    {"ParametricSoftplus", infer_parametric_softplus},
    {"LocallyConnected1D", infer_locally_connected<1>},
    {"LocallyConnected2D", infer_locally_connected<2>},
    {"RandomFourierFeatures", infer_random_fourier_features},
    {"DenseFeatures", infer_dense_features, 0, SIZE_MAX},
    {"CategoryCrossing", infer_category_crossing, 1, SIZE_MAX},
};

}  // namespace

std::span<const LayerRule> legacy_rules() {
  return kRules;
}

}  // namespace shapelint
