// Shape rules of the pooling family. Expected shapes come from the Keras 3 oracle (real
// Keras 3.16) and, for tf.keras 2 semantics, from the tfjs oracle or, where tfjs differs
// (channels_first 1D pooling, upper-case padding), from tf.keras 2's own rules.
#include <cstdint>
#include <string_view>

#include <catch2/catch.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"
#include "shapelint/rules/rule.hpp"
#include "support/rule_harness.hpp"

namespace {

using shapelint::Semantics;
using shapelint::test::run_rule;
using shapelint::test::shape;
using shapelint::test::shapes;
namespace rule = shapelint::rule;

constexpr std::int64_t kUnknownParams = -1;
constexpr std::int64_t kAnyTrainable = -2;

struct Row {
  std::string_view name;
  std::string_view cls;
  std::string_view config;
  std::string_view input;
  std::string_view expected = {};    ///< output shape; empty when an error is expected
  std::string_view error_rule = {};  ///< the rule id expected instead of an output
  std::int64_t params = kUnknownParams;
  std::int64_t trainable = kAnyTrainable;
  Semantics semantics = Semantics::keras3;
};

// clang-format off
const Row kRows[] = {
    {.name = "MaxPooling1D with the defaults halves the steps", .cls = "MaxPooling1D", .config = R"({})", .input = "(None, 9, 3)", .expected = "(None, 4, 3)", .params = 0},
    {.name = "MaxPooling1D with channels_first pools the last axis", .cls = "MaxPooling1D", .config = R"({"data_format": "channels_first"})", .input = "(None, 3, 9)", .expected = "(None, 3, 4)", .params = 0},
    {.name = "AveragePooling1D with strides 1 and padding same keeps the length", .cls = "AveragePooling1D", .config = R"({"pool_size": 3, "strides": 1, "padding": "same"})", .input = "(None, 9, 3)", .expected = "(None, 9, 3)", .params = 0},
    {.name = "MaxPooling2D with per-axis pool_size and strides", .cls = "MaxPooling2D", .config = R"({"pool_size": [2, 3], "strides": [1, 2]})", .input = "(None, 9, 10, 3)", .expected = "(None, 8, 4, 3)", .params = 0},
    {.name = "MaxPooling2D with padding same rounds up", .cls = "MaxPooling2D", .config = R"({"pool_size": 3, "padding": "same"})", .input = "(None, 10, 11, 3)", .expected = "(None, 4, 4, 3)", .params = 0},
    {.name = "MaxPooling2D with strides larger than the pool skips rows", .cls = "MaxPooling2D", .config = R"({"pool_size": 2, "strides": 3})", .input = "(None, 10, 11, 3)", .expected = "(None, 3, 4, 3)", .params = 0},
    {.name = "AveragePooling2D with channels_first", .cls = "AveragePooling2D", .config = R"({"pool_size": 3, "data_format": "channels_first"})", .input = "(None, 3, 10, 11)", .expected = "(None, 3, 3, 3)", .params = 0},
    {.name = "MaxPooling2D with a pool exactly the input size gives 1x1", .cls = "MaxPooling2D", .config = R"({"pool_size": 5})", .input = "(None, 5, 5, 3)", .expected = "(None, 1, 1, 3)", .params = 0},
    {.name = "MaxPooling2D with strides null uses pool_size", .cls = "MaxPooling2D", .config = R"({"pool_size": 3, "strides": null})", .input = "(None, 9, 9, 3)", .expected = "(None, 3, 3, 3)", .params = 0},
    {.name = "MaxPooling3D with the defaults", .cls = "MaxPooling3D", .config = R"({})", .input = "(None, 4, 5, 6, 3)", .expected = "(None, 2, 2, 3, 3)", .params = 0},
    {.name = "AveragePooling3D with strides 1 and padding same", .cls = "AveragePooling3D", .config = R"({"pool_size": 3, "strides": 1, "padding": "same"})", .input = "(None, 4, 5, 6, 3)", .expected = "(None, 4, 5, 6, 3)", .params = 0},
    {.name = "MaxPooling2D keeps a known batch size", .cls = "MaxPooling2D", .config = R"({})", .input = "(8, 4, 6, 3)", .expected = "(8, 2, 3, 3)", .params = 0},
    {.name = "MaxPool2D is an alias of MaxPooling2D", .cls = "MaxPool2D", .config = R"({})", .input = "(None, 4, 6, 3)", .expected = "(None, 2, 3, 3)", .params = 0},
    {.name = "AvgPool1D is an alias of AveragePooling1D", .cls = "AvgPool1D", .config = R"({"pool_size": 3})", .input = "(None, 7, 3)", .expected = "(None, 2, 3)", .params = 0},
    {.name = "MaxPool3D is an alias of MaxPooling3D", .cls = "MaxPool3D", .config = R"({})", .input = "(None, 4, 6, 6, 3)", .expected = "(None, 2, 3, 3, 3)", .params = 0},
    {.name = "AvgPool3D is an alias of AveragePooling3D", .cls = "AvgPool3D", .config = R"({"pool_size": 2})", .input = "(None, 4, 6, 6, 3)", .expected = "(None, 2, 3, 3, 3)", .params = 0},
    {.name = "MaxPooling2D keeps an unknown spatial size unknown", .cls = "MaxPooling2D", .config = R"({})", .input = "(None, None, 5, 3)", .expected = "(None, None, 2, 3)", .params = 0},
    {.name = "MaxPooling2D keeps unknown channels unknown", .cls = "MaxPooling2D", .config = R"({})", .input = "(None, 6, 5, None)", .expected = "(None, 3, 2, None)", .params = 0},
    {.name = "MaxPooling2D on an input of unknown rank gives a rank-4 output", .cls = "MaxPooling2D", .config = R"({})", .input = "?", .expected = "(None, None, None, None)", .params = 0},
    {.name = "MaxPooling2D in tf.keras 2", .cls = "MaxPooling2D", .config = R"({"pool_size": [2, 3], "strides": [1, 2]})", .input = "(None, 9, 10, 3)", .expected = "(None, 8, 4, 3)", .params = 0, .semantics = Semantics::keras2},
    {.name = "MaxPooling2D reads upper-case padding SAME in tf.keras 2", .cls = "MaxPooling2D", .config = R"({"pool_size": 3, "padding": "SAME"})", .input = "(None, 10, 11, 3)", .expected = "(None, 4, 4, 3)", .params = 0, .semantics = Semantics::keras2},
    {.name = "MaxPooling1D with channels_first in tf.keras 2", .cls = "MaxPooling1D", .config = R"({"data_format": "channels_first"})", .input = "(None, 3, 9)", .expected = "(None, 3, 4)", .params = 0, .semantics = Semantics::keras2},
    {.name = "MaxPooling2D with the default pool on a 1x1 input is rejected", .cls = "MaxPooling2D", .config = R"({})", .input = "(None, 1, 1, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "MaxPooling2D with the default pool on a 1x1 input is rejected by tf.keras 2", .cls = "MaxPooling2D", .config = R"({})", .input = "(None, 1, 1, 3)", .error_rule = rule::kNonPositiveDim, .semantics = Semantics::keras2},
    {.name = "MaxPooling2D with a pool larger than the input by more than its stride is rejected by tf.keras 2", .cls = "MaxPooling2D", .config = R"({"pool_size": 5, "strides": 2})", .input = "(None, 1, 1, 3)", .error_rule = rule::kNonPositiveDim, .semantics = Semantics::keras2},
    {.name = "AveragePooling2D with a pool one larger than the input is rejected", .cls = "AveragePooling2D", .config = R"({"pool_size": 3, "strides": 1})", .input = "(None, 2, 9, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "MaxPooling2D with one axis too small is rejected even when the other is unknown", .cls = "MaxPooling2D", .config = R"({})", .input = "(None, None, 1, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "MaxPooling1D with channels_first pools the steps and rejects too few", .cls = "MaxPooling1D", .config = R"({"pool_size": 4, "data_format": "channels_first"})", .input = "(None, 9, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "MaxPooling2D on a rank-3 input is rejected", .cls = "MaxPooling2D", .config = R"({})", .input = "(None, 5, 3)", .error_rule = rule::kInputRank},
    {.name = "MaxPooling1D on a rank-4 input is rejected", .cls = "MaxPooling1D", .config = R"({})", .input = "(None, 2, 5, 3)", .error_rule = rule::kInputRank},
    {.name = "MaxPooling2D with pool_size 0 is rejected", .cls = "MaxPooling2D", .config = R"({"pool_size": 0})", .input = "(None, 5, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "MaxPooling2D with negative strides is rejected", .cls = "MaxPooling2D", .config = R"({"strides": -1})", .input = "(None, 5, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "MaxPooling2D with strides 0 is rejected", .cls = "MaxPooling2D", .config = R"({"strides": 0})", .input = "(None, 9, 9, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "MaxPooling2D with upper-case padding SAME is rejected by Keras 3", .cls = "MaxPooling2D", .config = R"({"padding": "SAME"})", .input = "(None, 9, 9, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "MaxPooling1D with padding causal is rejected", .cls = "MaxPooling1D", .config = R"({"padding": "causal"})", .input = "(None, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "AveragePooling2D with an unknown data_format is rejected", .cls = "AveragePooling2D", .config = R"({"pool_size": 2, "data_format": "NHWC"})", .input = "(None, 5, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "AveragePooling2D without pool_size is rejected by Keras 3", .cls = "AveragePooling2D", .config = R"({})", .input = "(None, 5, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "AveragePooling2D without pool_size pools 2x2 in tf.keras 2", .cls = "AveragePooling2D", .config = R"({})", .input = "(None, 5, 5, 3)", .expected = "(None, 2, 2, 3)", .params = 0, .semantics = Semantics::keras2},
    {.name = "MaxPooling3D without pool_size pools 2x2x2 in Keras 3", .cls = "MaxPooling3D", .config = R"({"strides": 1})", .input = "(None, 3, 4, 5, 2)", .expected = "(None, 2, 3, 4, 2)", .params = 0},
    {.name = "GlobalAveragePooling1D drops the steps", .cls = "GlobalAveragePooling1D", .config = R"({})", .input = "(None, 5, 3)", .expected = "(None, 3)", .params = 0},
    {.name = "GlobalAveragePooling1D with keepdims keeps a step of 1", .cls = "GlobalAveragePooling1D", .config = R"({"keepdims": true})", .input = "(None, 5, 3)", .expected = "(None, 1, 3)", .params = 0},
    {.name = "GlobalMaxPooling1D with channels_first keeps axis 1", .cls = "GlobalMaxPooling1D", .config = R"({"data_format": "channels_first"})", .input = "(None, 3, 5)", .expected = "(None, 3)", .params = 0},
    {.name = "GlobalMaxPooling2D drops height and width", .cls = "GlobalMaxPooling2D", .config = R"({})", .input = "(None, 5, 6, 7)", .expected = "(None, 7)", .params = 0},
    {.name = "GlobalMaxPooling2D with keepdims and channels_first", .cls = "GlobalMaxPooling2D", .config = R"({"keepdims": true, "data_format": "channels_first"})", .input = "(None, 3, 5, 6)", .expected = "(None, 3, 1, 1)", .params = 0},
    {.name = "GlobalAveragePooling2D with channels_first", .cls = "GlobalAveragePooling2D", .config = R"({"data_format": "channels_first"})", .input = "(None, 3, 5, 6)", .expected = "(None, 3)", .params = 0},
    {.name = "GlobalMaxPooling3D drops three axes", .cls = "GlobalMaxPooling3D", .config = R"({})", .input = "(None, 3, 5, 6, 7)", .expected = "(None, 7)", .params = 0},
    {.name = "GlobalAveragePooling3D with keepdims", .cls = "GlobalAveragePooling3D", .config = R"({"keepdims": true})", .input = "(None, 3, 5, 6, 7)", .expected = "(None, 1, 1, 1, 7)", .params = 0},
    {.name = "GlobalAveragePooling2D keeps unknown sizes unknown", .cls = "GlobalAveragePooling2D", .config = R"({})", .input = "(None, None, None, 16)", .expected = "(None, 16)", .params = 0},
    {.name = "GlobalAvgPool2D is an alias of GlobalAveragePooling2D", .cls = "GlobalAvgPool2D", .config = R"({})", .input = "(None, 4, 4, 3)", .expected = "(None, 3)", .params = 0},
    {.name = "GlobalMaxPool1D is an alias of GlobalMaxPooling1D", .cls = "GlobalMaxPool1D", .config = R"({})", .input = "(None, 4, 3)", .expected = "(None, 3)", .params = 0},
    {.name = "GlobalMaxPool3D is an alias of GlobalMaxPooling3D", .cls = "GlobalMaxPool3D", .config = R"({"keepdims": true})", .input = "(None, 4, 4, 4, 3)", .expected = "(None, 1, 1, 1, 3)", .params = 0},
    {.name = "GlobalAvgPool1D is an alias of GlobalAveragePooling1D", .cls = "GlobalAvgPool1D", .config = R"({})", .input = "(None, 4, 3)", .expected = "(None, 3)", .params = 0},
    {.name = "GlobalAveragePooling2D on an input of unknown rank gives (batch, channels)", .cls = "GlobalAveragePooling2D", .config = R"({})", .input = "?", .expected = "(None, None)", .params = 0},
    {.name = "GlobalMaxPooling2D with keepdims on an input of unknown rank gives rank 4", .cls = "GlobalMaxPooling2D", .config = R"({"keepdims": true})", .input = "?", .expected = "(None, 1, 1, None)", .params = 0},
    {.name = "GlobalAveragePooling1D with keepdims in tf.keras 2", .cls = "GlobalAveragePooling1D", .config = R"({"keepdims": true})", .input = "(None, 5, 3)", .expected = "(None, 1, 3)", .params = 0, .semantics = Semantics::keras2},
    {.name = "GlobalMaxPooling1D with channels_first in tf.keras 2", .cls = "GlobalMaxPooling1D", .config = R"({"data_format": "channels_first"})", .input = "(None, 3, 5)", .expected = "(None, 3)", .params = 0, .semantics = Semantics::keras2},
    {.name = "GlobalAveragePooling2D on a rank-3 input is rejected", .cls = "GlobalAveragePooling2D", .config = R"({})", .input = "(None, 3, 5)", .error_rule = rule::kInputRank},
    {.name = "GlobalMaxPooling1D on a rank-4 input is rejected", .cls = "GlobalMaxPooling1D", .config = R"({})", .input = "(None, 3, 5, 2)", .error_rule = rule::kInputRank},
    {.name = "GlobalMaxPooling2D with an unknown data_format is rejected", .cls = "GlobalMaxPooling2D", .config = R"({"data_format": "nchw"})", .input = "(None, 3, 5, 2)", .error_rule = rule::kInvalidArgument},
    {.name = "AveragePooling1D keeps unknown steps unknown", .cls = "AveragePooling1D", .config = R"({"pool_size": 2})", .input = "(None, None, 3)", .expected = "(None, None, 3)", .params = 0},
    {.name = "AveragePooling1D on an input of unknown rank gives a rank-3 output", .cls = "AveragePooling1D", .config = R"({"pool_size": 2})", .input = "?", .expected = "(None, None, None)", .params = 0},
    {.name = "AveragePooling1D with a pool longer than the input is rejected", .cls = "AveragePooling1D", .config = R"({"pool_size": 4})", .input = "(None, 3, 2)", .error_rule = rule::kNonPositiveDim},
    {.name = "AveragePooling1D on a rank-2 input is rejected", .cls = "AveragePooling1D", .config = R"({"pool_size": 2})", .input = "(None, 3)", .error_rule = rule::kInputRank},
    {.name = "MaxPooling3D keeps unknown sizes unknown", .cls = "MaxPooling3D", .config = R"({})", .input = "(None, None, 6, None, 3)", .expected = "(None, None, 3, None, 3)", .params = 0},
    {.name = "MaxPooling3D with channels_first", .cls = "MaxPooling3D", .config = R"({"pool_size": [1, 2, 3], "data_format": "channels_first"})", .input = "(None, 3, 4, 6, 9)", .expected = "(None, 3, 4, 3, 3)", .params = 0},
    {.name = "MaxPooling3D on an input of unknown rank gives a rank-5 output", .cls = "MaxPooling3D", .config = R"({})", .input = "?", .expected = "(None, None, None, None, None)", .params = 0},
    {.name = "MaxPooling3D with one axis too small is rejected", .cls = "MaxPooling3D", .config = R"({})", .input = "(None, 4, 1, 4, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "AveragePooling3D on a rank-4 input is rejected", .cls = "AveragePooling3D", .config = R"({"pool_size": 2})", .input = "(None, 4, 4, 3)", .error_rule = rule::kInputRank},
    {.name = "AveragePooling3D with strides 0 is rejected", .cls = "AveragePooling3D", .config = R"({"pool_size": 2, "strides": [1, 0, 1]})", .input = "(None, 4, 4, 4, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "GlobalMaxPooling1D on an input of unknown rank gives (batch, channels)", .cls = "GlobalMaxPooling1D", .config = R"({})", .input = "?", .expected = "(None, None)", .params = 0},
    {.name = "GlobalAveragePooling3D with keepdims and channels_first on an input of unknown rank", .cls = "GlobalAveragePooling3D", .config = R"({"keepdims": true, "data_format": "channels_first"})", .input = "?", .expected = "(None, None, 1, 1, 1)", .params = 0},
    {.name = "GlobalAveragePooling3D on a rank-4 input is rejected", .cls = "GlobalAveragePooling3D", .config = R"({})", .input = "(None, 4, 4, 3)", .error_rule = rule::kInputRank},
    {.name = "GlobalMaxPooling3D keeps an unknown channel count unknown", .cls = "GlobalMaxPooling3D", .config = R"({"data_format": "channels_first"})", .input = "(2, None, 4, 4, 4)", .expected = "(2, None)", .params = 0},
};

// clang-format on

void check_row(const Row& row) {
  auto run = run_rule(row.cls, row.config, shapes({row.input}), row.semantics);
  INFO(run.describe());
  REQUIRE(run.found);
  if (!row.error_rule.empty()) {
    REQUIRE(run.failed);
    REQUIRE(run.has(row.error_rule));
    return;
  }
  REQUIRE_FALSE(run.failed);
  REQUIRE(run.diagnostics.empty());
  REQUIRE(run.outputs == shapelint::Shapes{shape(row.expected)});
  if (row.params == kUnknownParams) {
    REQUIRE_FALSE(run.params.has_value());
  } else {
    REQUIRE(run.params == row.params);
  }
  if (row.trainable != kAnyTrainable)
    REQUIRE(run.trainable == row.trainable);
}

}  // namespace

TEST_CASE("Pooling rules give Keras's shapes, params and errors") {
  for (const auto& row : kRows) {
    DYNAMIC_SECTION(row.name) {
      check_row(row);
    }
  }
}

namespace {

struct MessageRow {
  std::string_view name;
  std::string_view cls;
  std::string_view config;
  std::string_view input;
  std::string_view message;  ///< Keras's own wording, as the Keras 3 oracle printed it
  std::string_view hint_part = {};
  Semantics semantics = Semantics::keras3;
};

// clang-format off
const MessageRow kMessageRows[] = {
    {.name = "the default pool on a 1x1 input",
     .cls = "MaxPooling2D", .config = R"({"name": "L"})", .input = "(None, 1, 1, 3)",
     .message = "Computed output size would be zero or negative. Received: `inputs.shape=[None 1 1 3]`, `pool_size=[2 2]`, `strides=(2, 2)`, `padding=valid`.",
     .hint_part = "use padding='same' or a smaller pool_size; this layer needs inputs of at least 2x2"},
    {.name = "an unknown spatial size printed as Keras's -1 placeholder",
     .cls = "MaxPooling2D", .config = R"({"name": "L"})", .input = "(None, None, 1, 3)",
     .message = "Computed output size would be zero or negative. Received: `inputs.shape=[None -1 1 3]`, `pool_size=[2 2]`, `strides=(2, 2)`, `padding=valid`."},
    {.name = "a known batch size printed as a padded int array",
     .cls = "MaxPooling2D", .config = R"({"name": "L"})", .input = "(4, 10, 1, 3)",
     .message = "Computed output size would be zero or negative. Received: `inputs.shape=[ 4 10  1  3]`, `pool_size=[2 2]`, `strides=(2, 2)`, `padding=valid`."},
    {.name = "a 1D pool with channels_first",
     .cls = "MaxPooling1D", .config = R"({"name": "L", "pool_size": 4, "data_format": "channels_first"})", .input = "(None, 9, 3)",
     .message = "Computed output size would be zero or negative. Received: `inputs.shape=[None 9 3]`, `pool_size=[4]`, `strides=(4,)`, `padding=valid`.",
     .hint_part = "at least 4"},
    {.name = "pool_size 0",
     .cls = "MaxPooling2D", .config = R"({"name": "L", "pool_size": 0})", .input = "(None, 5, 5, 3)",
     .message = "The `pool_size` argument must be a tuple of 2 integers. Received pool_size=0, including values {0} that do not satisfy `value > 0`"},
    {.name = "negative strides",
     .cls = "MaxPooling2D", .config = R"({"name": "L", "strides": -1})", .input = "(None, 5, 5, 3)",
     .message = "The `strides` argument must be a tuple of 2 integers. Received strides=-1, including values {-1} that do not satisfy `value >= 0`"},
    {.name = "strides 0",
     .cls = "MaxPooling2D", .config = R"({"name": "L", "strides": 0})", .input = "(None, 9, 9, 6)",
     .message = "division by zero", .hint_part = "omit strides"},
    {.name = "upper-case padding",
     .cls = "MaxPooling2D", .config = R"({"name": "L", "padding": "SAME"})", .input = "(None, 9, 9, 6)",
     .message = "Argument `padding` must be either 'valid' or 'same'. Received: padding=SAME"},
    {.name = "a missing pool_size for average pooling",
     .cls = "AveragePooling2D", .config = R"({"name": "L"})", .input = "(None, 5, 5, 3)",
     .message = "AveragePooling2D.__init__() missing 1 required positional argument: 'pool_size'"},
    {.name = "an input of rank 3 for MaxPooling2D",
     .cls = "MaxPooling2D", .config = R"({"name": "L"})", .input = "(None, 5, 3)",
     .message = "Input 0 of layer \"L\" is incompatible with the layer: expected ndim=4, found ndim=3. Full shape received: (None, 5, 3)",
     .hint_part = "rank 4 (batch, height, width, channels)"},
    {.name = "an input of rank 3 for GlobalAveragePooling2D",
     .cls = "GlobalAveragePooling2D", .config = R"({"name": "L"})", .input = "(None, 3, 5)",
     .message = "Input 0 of layer \"L\" is incompatible with the layer: expected ndim=4, found ndim=3. Full shape received: (None, 3, 5)"},
    {.name = "the default pool on a 1x1 input in tf.keras 2",
     .cls = "MaxPooling2D", .config = R"({"name": "L"})", .input = "(None, 1, 1, 3)",
     .message = "Negative dimension size caused by subtracting 2 from 1 for 'L' with input shapes: [?,1,1,3].",
     .semantics = Semantics::keras2},
};

// clang-format on

std::vector<shapelint::InputSpec> input_specs_after_build(std::string_view cls,
                                                          std::string_view config_json,
                                                          std::string_view input) {
  auto config = shapelint::test::parse_config(config_json);
  shapelint::Diagnostics diagnostics;
  shapelint::LayerConfig layer_config(config->root(), "config", &diagnostics, "L");
  shapelint::Shapes inputs = shapes({input});
  shapelint::LayerCall call(layer_config, inputs, {}, Semantics::keras3, &diagnostics);
  const auto* rule = shapelint::RuleRegistry::builtin().find(cls);
  REQUIRE(rule != nullptr);
  rule->infer(call);
  REQUIRE_FALSE(call.failed());
  return call.input_specs;
}

}  // namespace

TEST_CASE("Pooling errors use Keras's own wording") {
  for (const auto& row : kMessageRows) {
    DYNAMIC_SECTION(row.name) {
      auto run = run_rule(row.cls, row.config, shapes({row.input}), row.semantics);
      INFO(run.describe());
      REQUIRE(run.failed);
      REQUIRE(run.diagnostics.size() == 1);
      CHECK(run.diagnostics[0].message == row.message);
      CHECK_FALSE(run.diagnostics[0].hint.empty());
      if (!row.hint_part.empty())
        CHECK(run.diagnostics[0].hint.find(row.hint_part) != std::string::npos);
    }
  }
}

TEST_CASE("A built pooling layer pins its input rank and nothing else") {
  for (auto cls : {"MaxPooling2D", "GlobalAveragePooling2D"}) {
    DYNAMIC_SECTION(cls) {
      auto specs = input_specs_after_build(cls, R"({"pool_size": 2})", "(None, 8, 8, 3)");
      REQUIRE(specs.size() == 1);
      CHECK(specs[0].ndim == 4u);
      CHECK_FALSE(specs[0].min_ndim.has_value());
      CHECK(specs[0].axes.empty());
    }
  }
  SECTION("MaxPooling1D on an input of unknown rank") {
    auto specs = input_specs_after_build("MaxPooling1D", "{}", "?");
    CHECK(specs[0].ndim == 3u);
  }
}
