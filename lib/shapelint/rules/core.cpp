// Shape rules for the Keras core layer family (keras/src/layers/core/).
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

/// A required constructor argument. Missing: Keras's own TypeError. Of the wrong type: the
/// getter has already reported it, so the caller only gives up on the shape.
std::optional<std::int64_t> required_int(LayerCall& c, std::string_view cls, std::string_view key) {
  if (!c.config().has(key)) {
    c.error(rule::kInvalidArgument,
            fmt::format("{}.__init__() missing 1 required positional argument: '{}'", cls, key),
            fmt::format("set '{}' in the config of '{}'", key, c.layer_name()));
    return std::nullopt;
  }
  return c.config().get_optional_int(key);
}

/// Keras 3 cannot create a variable with a None in its shape (backend/common/variables.py).
bool require_defined_weight(LayerCall& c,
                            std::string_view weight,
                            const Shape& shape,
                            std::string hint) {
  if (shape.fully_known() || !c.building())
    return true;
  c.error(rule::kInputAxis,
          fmt::format("Shapes used to initialize variables must be fully-defined (no `None` "
                      "dimensions). Received: shape={} for variable path='{}/{}'",
                      to_string(shape),
                      c.layer_name(),
                      weight),
          std::move(hint));
  return false;
}

/// The input with its last axis replaced, or unknown rank when the input's rank is unknown.
Shape with_last_dim(const Shape& in, Dim last) {
  if (!in.has_rank())
    return Shape::unknown_rank();
  Shape out = in;
  out.at(-1) = last;
  return out;
}

/// LoRA (keras3 `lora_rank`): the base matrix is frozen and two trainable factors are added.
void add_lora_factors(
    LayerCall& c, std::string_view prefix, Dim rows, Dim cols, std::int64_t rank) {
  c.weights.front().trainable = false;
  c.add_weight(fmt::format("{}_a", prefix), Shape{rows, Dim::of(rank)});
  c.add_weight(fmt::format("{}_b", prefix), Shape{Dim::of(rank), cols});
}

/// `lora_rank` when LoRA is on (Keras 3 only; tf.keras 2 has no such argument).
std::optional<std::int64_t> lora_rank(LayerCall& c) {
  if (!c.keras3())
    return std::nullopt;
  auto rank = c.config().get_optional_int("lora_rank");
  if (!rank || *rank <= 0)
    return std::nullopt;  // Keras's `if self.lora_rank:`
  return rank;
}

void add_dense_weights(LayerCall& c, Dim features, std::int64_t units) {
  c.add_weight("kernel", Shape{features, Dim::of(units)});
  if (c.config().get_bool("use_bias", true))
    c.add_weight("bias", Shape{Dim::of(units)});
  if (auto rank = lora_rank(c))
    add_lora_factors(c, "lora_kernel", features, Dim::of(units), *rank);
}

/// tf.keras 2 checked the feature size itself, with its own wording; Keras 3 fails when it
/// creates the kernel.
bool require_known_features(LayerCall& c, Dim features, std::int64_t units) {
  const std::string hint = fmt::format(
      "give the input of '{}' a known last dimension (the feature size)", c.layer_name());
  if (c.keras3())
    return require_defined_weight(c, "kernel", Shape{features, Dim::of(units)}, hint);
  if (features.is_known() || !c.building())
    return true;
  c.error(rule::kInputAxis,
          fmt::format("The last dimension of the inputs to a Dense layer should be defined. "
                      "Found None. Full input shape received: {}",
                      to_string(c.input())),
          hint);
  return false;
}

// Mirrors keras/src/layers/core/dense.py: (..., d) -> (..., units); kernel (d, units), bias
// (units,).
void infer_dense(LayerCall& c) {
  auto units = required_int(c, "Dense", "units");
  if (!units) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (*units <= 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("Received an invalid value for `units`, expected a positive integer. "
                        "Received: units={}",
                        *units),
            fmt::format("give '{}' a positive number of units", c.layer_name()));
    return;
  }
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    add_dense_weights(c, Dim::unknown(), *units);
    return;
  }
  if (!c.require_min_rank(0, 2))
    return;
  const Dim features = in.at(-1);
  if (!require_known_features(c, features, *units))
    return;
  add_dense_weights(c, features, *units);
  c.input_specs = {InputSpec{.min_ndim = 2, .axes = {{-1, features.value()}}}};
  c.outputs = {with_last_dim(in, Dim::of(*units))};
  // A Dense on a feature map mixes only the channels of each position: usually a forgotten
  // Flatten. Rank 3 is the normal sequence case and stays quiet.
  if (in.rank() >= 4)
    c.warning(rule::kDenseOnHighRank,
              fmt::format("Dense layer \"{}\" is applied to a rank-{} input {}: it acts on the "
                          "last axis only and outputs {}",
                          c.layer_name(),
                          in.rank(),
                          to_string(in),
                          to_string(c.outputs[0])),
              fmt::format("insert a Flatten or a global pooling layer before '{}' if it should "
                          "see the whole feature map",
                          c.layer_name()));
}

/// Embedding's two sizes; Keras 3 wording, which also names the type.
bool require_positive_size(LayerCall& c, std::string_view key, std::int64_t value) {
  if (value > 0)
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format(
              "`{}` must be a positive integer. Received: {}={} (of type int).", key, key, value),
          fmt::format("give '{}' a positive {}", c.layer_name(), key));
  return false;
}

// Mirrors keras/src/layers/core/embedding.py: input + (output_dim,); embeddings (input_dim,
// output_dim). `input_length` is ignored: Keras 3 dropped it and tf.keras 2 graphs took the
// length from the input tensor.
void infer_embedding(LayerCall& c) {
  auto input_dim = required_int(c, "Embedding", "input_dim");
  if (c.failed())
    return;
  auto output_dim = required_int(c, "Embedding", "output_dim");
  if (c.failed())
    return;
  if (!input_dim || !output_dim) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (!require_positive_size(c, "input_dim", *input_dim) ||
      !require_positive_size(c, "output_dim", *output_dim))
    return;
  c.add_weight("embeddings", Shape{Dim::of(*input_dim), Dim::of(*output_dim)});
  if (auto rank = lora_rank(c))
    add_lora_factors(c, "lora_embeddings", Dim::of(*input_dim), Dim::of(*output_dim), *rank);
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  Shape out = in;
  out.dims().push_back(Dim::of(*output_dim));
  c.outputs = {std::move(out)};
}

// Mirrors keras/src/layers/core/reversible_embedding.py: Embedding's output and weights,
// plus `reverse_embeddings` (output_dim, input_dim) when the weights are not tied. Only the
// forward call is seen here: `reverse=True` is a call argument.
void infer_reversible_embedding(LayerCall& c) {
  infer_embedding(c);
  if (c.failed() || !c.config().has("input_dim") || !c.config().has("output_dim"))
    return;
  if (c.config().get_bool("tie_weights", true))
    return;
  if (lora_rank(c)) {
    // Embedding.build enables LoRA, which locks the layer's weight tracker before the
    // untied reverse table is added: Keras raises a ValueError whose message is None.
    c.error(rule::kInvalidArgument,
            "None",
            fmt::format("'{}' cannot combine lora_rank with tie_weights=False", c.layer_name()));
    return;
  }
  c.add_weight("reverse_embeddings",
               Shape{Dim::of(c.config().get_int("output_dim", 1)),
                     Dim::of(c.config().get_int("input_dim", 1))});
}

/// TernaryDense's `threshold`: None or a non-negative number.
bool check_ternary_threshold(LayerCall& c) {
  JsonValue t = c.config().raw("threshold");
  if (!t)
    return true;
  const std::string hint =
      fmt::format("give '{}' a non-negative threshold or none", c.layer_name());
  if (!t->is_number()) {
    c.error(rule::kInvalidArgument,
            fmt::format("Received an invalid value for `threshold`, expected a float or None. "
                        "Received: threshold={}",
                        t->is_string() ? t->get<std::string>() : t->dump()),
            hint);
    return false;
  }
  if (t->get<double>() < 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("Received an invalid value for `threshold`, expected a non-negative "
                        "float or None. Received: threshold={}",
                        t->dump()),
            hint);
    return false;
  }
  return true;
}

// Mirrors keras/src/layers/core/ternary_dense.py: as Dense, (..., d) -> (..., units); kernel
// (d, units), bias (units,); no LoRA.
void infer_ternary_dense(LayerCall& c) {
  auto units = required_int(c, "TernaryDense", "units");
  if (c.failed())
    return;
  if (units && *units <= 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("Received an invalid value for `units`, expected a positive integer. "
                        "Received: units={}",
                        *units),
            fmt::format("give '{}' a positive number of units", c.layer_name()));
    return;
  }
  if (!check_ternary_threshold(c))
    return;
  const Shape& in = c.input();
  if (!units || !in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    c.add_weight("kernel", Shape::unknown_rank());
    return;
  }
  if (!c.require_min_rank(0, 2))
    return;
  const Dim features = in.at(-1);
  if (!require_defined_weight(
          c,
          "kernel",
          Shape{features, Dim::of(*units)},
          fmt::format("give the input of '{}' a known last dimension", c.layer_name())))
    return;
  c.add_weight("kernel", Shape{features, Dim::of(*units)});
  if (c.config().get_bool("use_bias", true))
    c.add_weight("bias", Shape{Dim::of(*units)});
  if (features.is_known())
    c.input_specs = {InputSpec{.min_ndim = 2, .axes = {{-1, features.value()}}}};
  c.outputs = {with_last_dim(in, Dim::of(*units))};
}

// Mirrors keras/src/layers/core/{masking,identity}.py and activations/activation.py: the
// output is the input.
void infer_passthrough(LayerCall& c) {
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/activations/activation.py: output = input; `activation` is a
// required argument.
void infer_activation(LayerCall& c) {
  if (!c.config().has("activation")) {
    c.error(rule::kInvalidArgument,
            "Activation.__init__() missing 1 required positional argument: 'activation'",
            fmt::format("set 'activation' in the config of '{}'", c.layer_name()));
    return;
  }
  c.outputs = c.inputs();
}

constexpr LayerRule kRules[] = {
    {"Dense", infer_dense},
    {"Embedding", infer_embedding},
    {"ReversibleEmbedding", infer_reversible_embedding},
    {"TernaryDense", infer_ternary_dense},
    {"Masking", infer_passthrough},
    {"Identity", infer_passthrough, 1, SIZE_MAX},
    {"Activation", infer_activation},
};

}  // namespace

std::span<const LayerRule> core_rules() {
  return kRules;
}

}  // namespace shapelint
