// Shape rules for the Keras regularization layer family (keras/src/layers/regularization/).
// Every one of them keeps its input shape and has no weights; what differs is which
// arguments Keras rejects and the rank the spatial dropouts demand.
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

/// Which constructor argument must lie in [0, 1], and whether tf.keras 2 checked it too.
struct UnitInterval {
  std::string_view key;
  std::string_view cls;
  bool checked_by_tf_keras2;
};

/// A required argument in [0, 1] (`rate`, `stddev`); Keras 3's wording.
bool require_unit_interval(LayerCall& c, const UnitInterval& arg) {
  if (!c.config().has(arg.key)) {
    c.error(
        rule::kInvalidArgument,
        fmt::format("{}.__init__() missing 1 required positional argument: '{}'", arg.cls, arg.key),
        fmt::format("set '{}' in the config of '{}'", arg.key, c.layer_name()));
    return false;
  }
  if (!c.keras3() && !arg.checked_by_tf_keras2)
    return true;
  const double value = c.config().get_float(arg.key, 0.0);
  if (value >= 0.0 && value <= 1.0)
    return true;
  const std::string received = c.config().raw(arg.key)->dump();
  c.error(rule::kInvalidArgument,
          c.keras3() ? fmt::format("Invalid value received for argument `{}`. Expected a float "
                                   "value between 0 and 1. Received: {}={}",
                                   arg.key,
                                   arg.key,
                                   received)
                     : fmt::format("Invalid value {} received for `{}`, expected a value between "
                                   "0 and 1.",
                                   received,
                                   arg.key),
          fmt::format("give '{}' a {} between 0 and 1", c.layer_name(), arg.key));
  return false;
}

/// Keras 3's `Dropout._validate_noise_shape`: every entry None or a positive int.
bool validate_noise_shape(LayerCall& c) {
  if (!c.keras3())
    return true;
  JsonValue raw = c.config().raw("noise_shape");
  if (!raw || !raw->is_array())
    return true;  // wrong types are the getters' business
  for (std::size_t i = 0; i < raw->size(); ++i) {
    JsonValue d = (*raw)[i];
    if (!d.is_number_integer() || d.get<std::int64_t>() > 0)
      continue;
    c.error(rule::kInvalidArgument,
            fmt::format("Invalid value received for argument `noise_shape`. Expected all "
                        "dimensions to be positive integers or None. Received negative or zero "
                        "value at index {}: {}",
                        i,
                        d.dump()),
            fmt::format("use positive sizes or None in the noise_shape of '{}'", c.layer_name()));
    return false;
  }
  return true;
}

// Mirrors keras/src/layers/regularization/dropout.py: output = input; 0 <= rate <= 1.
void infer_dropout(LayerCall& c) {
  if (!require_unit_interval(c, {"rate", "Dropout", true}) || !validate_noise_shape(c))
    return;
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/regularization/spatial_dropout.py: output = input; input spec
// ndim = N + 2; 0 <= rate <= 1 (inherited from Dropout).
template <std::size_t N>
void infer_spatial_dropout(LayerCall& c) {
  static constexpr std::string_view kNames[] = {
      "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"};
  if (!require_unit_interval(c, {"rate", kNames[N - 1], true}))
    return;
  if (!c.require_rank(0, N + 2))
    return;
  c.input_specs = {InputSpec{.ndim = N + 2}};
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/regularization/gaussian_noise.py: output = input; Keras 3 wants
// 0 <= stddev <= 1 (tf.keras 2 took any stddev).
void infer_gaussian_noise(LayerCall& c) {
  if (!require_unit_interval(c, {"stddev", "GaussianNoise", false}))
    return;
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/regularization/gaussian_dropout.py: output = input; Keras 3
// wants 0 <= rate <= 1.
void infer_gaussian_dropout(LayerCall& c) {
  if (!require_unit_interval(c, {"rate", "GaussianDropout", false}))
    return;
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/regularization/alpha_dropout.py: output = input; Keras 3 wants
// 0 <= rate <= 1.
void infer_alpha_dropout(LayerCall& c) {
  if (!require_unit_interval(c, {"rate", "AlphaDropout", false}))
    return;
  c.outputs = c.inputs();
}

// Mirrors keras/src/layers/regularization/activity_regularization.py: output = input.
void infer_activity_regularization(LayerCall& c) {
  c.outputs = c.inputs();
}

constexpr LayerRule kRules[] = {
    {"Dropout", infer_dropout},
    {"SpatialDropout1D", infer_spatial_dropout<1>},
    {"SpatialDropout2D", infer_spatial_dropout<2>},
    {"SpatialDropout3D", infer_spatial_dropout<3>},
    {"GaussianNoise", infer_gaussian_noise},
    {"GaussianDropout", infer_gaussian_dropout},
    {"AlphaDropout", infer_alpha_dropout},
    {"ActivityRegularization", infer_activity_regularization},
};

}  // namespace

std::span<const LayerRule> regularization_rules() {
  return kRules;
}

}  // namespace shapelint
