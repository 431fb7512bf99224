// Shape rules of the convolutional family. Expected shapes and parameter counts come from
// the Keras 3 oracle (real Keras 3.16) and, for tf.keras 2 semantics, from the tfjs oracle or
// from tf.keras 2's formulas where tfjs differs (extra batch axes, Keras 1 padding 'full').
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
    {.name = "Conv2D with the defaults slides a valid window", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3})", .input = "(None, 28, 28, 3)", .expected = "(None, 26, 26, 8)", .params = 224},
    {.name = "Conv2D with padding same and strides 2 halves each side, rounding up", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"})", .input = "(None, 7, 9, 3)", .expected = "(None, 4, 5, 8)", .params = 224},
    {.name = "Conv2D with upper-case padding SAME is read as same", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3, "padding": "SAME"})", .input = "(None, 7, 9, 3)", .expected = "(None, 7, 9, 8)", .params = 224},
    {.name = "Conv2D with strides 2 and padding valid floors", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3, "strides": 2})", .input = "(None, 7, 9, 3)", .expected = "(None, 3, 4, 8)", .params = 224},
    {.name = "Conv2D with dilation_rate 2 widens the kernel to 5", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3, "dilation_rate": 2})", .input = "(None, 10, 11, 3)", .expected = "(None, 6, 7, 8)", .params = 224},
    {.name = "Conv2D with per-axis kernel_size and strides", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": [1, 3], "strides": [2, 1]})", .input = "(None, 5, 7, 2)", .expected = "(None, 3, 5, 4)", .params = 28},
    {.name = "Conv2D with channels_first reads channels from axis 1", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3, "data_format": "channels_first"})", .input = "(None, 3, 28, 28)", .expected = "(None, 8, 26, 26)", .params = 224},
    {.name = "Conv2D with groups 2 splits the input channels among the kernels", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 3, "groups": 2})", .input = "(None, 5, 5, 6)", .expected = "(None, 3, 3, 4)", .params = 112},
    {.name = "Conv2D without bias has no bias weight", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3, "use_bias": false})", .input = "(None, 28, 28, 3)", .expected = "(None, 26, 26, 8)", .params = 216},
    {.name = "Conv2D with lora_rank adds two trainable factors and freezes the kernel", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 3, "lora_rank": 2})", .input = "(None, 8, 8, 3)", .expected = "(None, 6, 6, 4)", .params = 174, .trainable = 66},
    {.name = "Conv2D with a kernel as large as the input gives 1x1", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 5})", .input = "(None, 5, 5, 3)", .expected = "(None, 1, 1, 4)", .params = 304},
    {.name = "Conv2D with a stride larger than the input gives 1x1", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 1, "strides": 5})", .input = "(None, 3, 4, 3)", .expected = "(None, 1, 1, 2)", .params = 8},
    {.name = "Conv2D keeps a known batch size", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "(16, 9, 9, 3)", .expected = "(16, 7, 7, 2)", .params = 56},
    {.name = "Convolution2D is an alias of Conv2D", .cls = "Convolution2D", .config = R"({"filters": 8, "kernel_size": 3})", .input = "(None, 28, 28, 3)", .expected = "(None, 26, 26, 8)", .params = 224},
    {.name = "Conv1D with padding causal keeps ceil(n / strides) steps", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "causal", "strides": 2})", .input = "(None, 9, 6)", .expected = "(None, 5, 2)", .params = 38},
    {.name = "Conv1D with padding causal and dilation keeps every step", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "causal", "dilation_rate": 2})", .input = "(None, 9, 6)", .expected = "(None, 9, 2)", .params = 38},
    {.name = "Conv1D with a dilated kernel exactly as long as the input gives 1", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3, "dilation_rate": 4})", .input = "(None, 9, 3)", .expected = "(None, 1, 2)", .params = 20},
    {.name = "Conv1D with channels_first", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3, "data_format": "channels_first"})", .input = "(None, 3, 9)", .expected = "(None, 2, 7)", .params = 20},
    {.name = "Conv1D with groups and padding causal", .cls = "Conv1D", .config = R"({"filters": 4, "kernel_size": 3, "groups": 2, "padding": "causal"})", .input = "(None, 5, 4)", .expected = "(None, 5, 4)", .params = 28},
    {.name = "Convolution1D is an alias of Conv1D", .cls = "Convolution1D", .config = R"({"filters": 4, "kernel_size": 2})", .input = "(None, 5, 4)", .expected = "(None, 4, 4)", .params = 36},
    {.name = "Conv3D with per-axis kernel_size and strides", .cls = "Conv3D", .config = R"({"filters": 4, "kernel_size": [1, 2, 3], "strides": [1, 2, 3]})", .input = "(None, 5, 6, 7, 3)", .expected = "(None, 5, 3, 2, 4)", .params = 76},
    {.name = "Conv3D with channels_first", .cls = "Conv3D", .config = R"({"filters": 4, "kernel_size": [1, 2, 3], "data_format": "channels_first"})", .input = "(None, 3, 5, 6, 7)", .expected = "(None, 4, 5, 5, 5)", .params = 76},
    {.name = "Conv3D with padding same and strides 2", .cls = "Conv3D", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"})", .input = "(None, 5, 6, 7, 3)", .expected = "(None, 3, 3, 4, 4)", .params = 328},
    {.name = "Convolution3D is an alias of Conv3D", .cls = "Convolution3D", .config = R"({"filters": 4, "kernel_size": 2})", .input = "(None, 5, 6, 7, 3)", .expected = "(None, 4, 5, 6, 4)", .params = 100},
    {.name = "Conv2DTranspose valid with strides 2 adds max(kernel, stride)", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2})", .input = "(None, 5, 7, 3)", .expected = "(None, 11, 15, 4)", .params = 112},
    {.name = "Conv2DTranspose valid with a stride larger than the kernel", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 2, "strides": 3})", .input = "(None, 5, 7, 3)", .expected = "(None, 15, 21, 4)", .params = 52},
    {.name = "Conv2DTranspose same multiplies by the strides", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"})", .input = "(None, 5, 7, 3)", .expected = "(None, 10, 14, 4)", .params = 112},
    {.name = "Conv2DTranspose same with output_padding 1 and an odd kernel", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1})", .input = "(None, 5, 7, 3)", .expected = "(None, 10, 14, 4)", .params = 112},
    {.name = "Conv2DTranspose same with output_padding 0 and an even kernel", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 0})", .input = "(None, 5, 7, 3)", .expected = "(None, 8, 12, 4)", .params = 196},
    {.name = "Conv2DTranspose valid with output_padding 1", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 1})", .input = "(None, 5, 7, 3)", .expected = "(None, 12, 16, 4)", .params = 112},
    {.name = "Conv2DTranspose valid with a dilated kernel", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "dilation_rate": 2})", .input = "(None, 5, 7, 3)", .expected = "(None, 9, 11, 4)", .params = 112},
    {.name = "Conv2DTranspose with channels_first", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2, "data_format": "channels_first"})", .input = "(None, 3, 5, 7)", .expected = "(None, 4, 11, 15)", .params = 112},
    {.name = "Conv1DTranspose valid with strides 2", .cls = "Conv1DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2})", .input = "(None, 5, 3)", .expected = "(None, 11, 4)", .params = 40},
    {.name = "Conv3DTranspose same with per-axis strides", .cls = "Conv3DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": [1, 2, 3], "padding": "same"})", .input = "(None, 5, 6, 7, 3)", .expected = "(None, 5, 12, 21, 4)", .params = 328},
    {.name = "Deconvolution2D is an alias of Conv2DTranspose", .cls = "Deconvolution2D", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2})", .input = "(None, 5, 7, 3)", .expected = "(None, 11, 15, 4)", .params = 112},
    {.name = "Convolution2DTranspose is an alias of Conv2DTranspose", .cls = "Convolution2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2})", .input = "(None, 5, 7, 3)", .expected = "(None, 11, 15, 4)", .params = 112},
    {.name = "SeparableConv2D with depth_multiplier 2 has depthwise and pointwise kernels", .cls = "SeparableConv2D", .config = R"({"filters": 5, "kernel_size": 3, "depth_multiplier": 2})", .input = "(None, 8, 9, 3)", .expected = "(None, 6, 7, 5)", .params = 89},
    {.name = "SeparableConv2D accepts strides together with dilation", .cls = "SeparableConv2D", .config = R"({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2})", .input = "(None, 9, 9, 6)", .expected = "(None, 3, 3, 2)", .params = 68},
    {.name = "SeparableConv1D with padding same and strides 2", .cls = "SeparableConv1D", .config = R"({"filters": 5, "kernel_size": 3, "depth_multiplier": 2, "padding": "same", "strides": 2})", .input = "(None, 9, 3)", .expected = "(None, 5, 5)", .params = 53},
    {.name = "SeparableConvolution2D is an alias of SeparableConv2D", .cls = "SeparableConvolution2D", .config = R"({"filters": 5, "kernel_size": 3})", .input = "(None, 8, 9, 3)", .expected = "(None, 6, 7, 5)", .params = 47},
    {.name = "DepthwiseConv2D multiplies the channels by depth_multiplier", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": [2, 3], "depth_multiplier": 3, "use_bias": false})", .input = "(None, 8, 9, 3)", .expected = "(None, 7, 7, 9)", .params = 54},
    {.name = "DepthwiseConv2D with a dilated kernel", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "dilation_rate": 2})", .input = "(None, 8, 9, 3)", .expected = "(None, 4, 5, 3)", .params = 30},
    {.name = "DepthwiseConv2D accepts strides together with dilation", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "strides": 2, "dilation_rate": 2})", .input = "(None, 9, 9, 6)", .expected = "(None, 3, 3, 6)", .params = 60},
    {.name = "DepthwiseConv2D with channels_first", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "depth_multiplier": 2, "data_format": "channels_first"})", .input = "(None, 3, 8, 9)", .expected = "(None, 6, 6, 7)", .params = 60},
    {.name = "DepthwiseConv1D with depth_multiplier 3", .cls = "DepthwiseConv1D", .config = R"({"kernel_size": 3, "depth_multiplier": 3})", .input = "(None, 8, 3)", .expected = "(None, 6, 9)", .params = 36},
    {.name = "Conv2D keeps an unknown spatial size unknown", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "(None, None, 9, 3)", .expected = "(None, None, 7, 2)", .params = 56},
    {.name = "Conv2D on unknown channels is rejected because the kernel needs them", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "(None, 9, 9, None)", .error_rule = rule::kInputAxis},
    {.name = "Conv2D on unknown channels is rejected by tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "(None, 9, 9, None)", .error_rule = rule::kInputAxis, .semantics = Semantics::keras2},
    {.name = "Conv1D with channels_first on unknown channels is rejected", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3, "data_format": "channels_first"})", .input = "(None, None, 9)", .error_rule = rule::kInputAxis},
    {.name = "DepthwiseConv2D on unknown channels is rejected", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "depth_multiplier": 2})", .input = "(None, 9, 9, None)", .error_rule = rule::kInputAxis},
    {.name = "DepthwiseConv2D on unknown channels is rejected by tf.keras 2", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "depth_multiplier": 2})", .input = "(None, 9, 9, None)", .error_rule = rule::kInputAxis, .semantics = Semantics::keras2},
    {.name = "SeparableConv2D on unknown channels is rejected", .cls = "SeparableConv2D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 9, 9, None)", .error_rule = rule::kInputAxis},
    {.name = "SeparableConv1D on unknown channels is rejected by tf.keras 2", .cls = "SeparableConv1D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 9, None)", .error_rule = rule::kInputAxis, .semantics = Semantics::keras2},
    {.name = "Conv3DTranspose on unknown channels is rejected", .cls = "Conv3DTranspose", .config = R"({"filters": 2, "kernel_size": 2})", .input = "(None, 4, 5, 6, None)", .error_rule = rule::kInputAxis},
    {.name = "Conv2DTranspose on unknown channels is rejected by tf.keras 2", .cls = "Conv2DTranspose", .config = R"({"filters": 2, "kernel_size": 2})", .input = "(None, 4, 5, None)", .error_rule = rule::kInputAxis, .semantics = Semantics::keras2},
    {.name = "Conv2DTranspose keeps unknown spatial sizes unknown", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2})", .input = "(None, None, None, 3)", .expected = "(None, None, None, 4)", .params = 112},
    {.name = "Conv2D on an input of unknown rank gives a rank-4 output in Keras 3", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3})", .input = "?", .expected = "(None, None, None, 8)", .params = kUnknownParams},
    {.name = "Conv2D on an input of unknown rank gives an unknown rank in tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3})", .input = "?", .expected = "?", .params = kUnknownParams, .semantics = Semantics::keras2},
    {.name = "DepthwiseConv2D on an input of unknown rank gives unknown channels", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "data_format": "channels_first"})", .input = "?", .expected = "(None, None, None, None)", .params = kUnknownParams},
    {.name = "Conv2DTranspose on an input of unknown rank", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "data_format": "channels_first"})", .input = "?", .expected = "(None, 4, None, None)", .params = kUnknownParams},
    {.name = "Conv2D on a rank-3 input is rejected", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 5, 5)", .error_rule = rule::kInputRank},
    {.name = "Conv2D on a rank-5 input is rejected by Keras 3", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 2, 5, 5, 3)", .error_rule = rule::kInputRank},
    {.name = "Conv1D on a rank-4 input is rejected by Keras 3", .cls = "Conv1D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 2, 5, 3)", .error_rule = rule::kInputRank},
    {.name = "Conv2D on a rank-5 input treats the extra axis as batch in tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 2, 5, 5, 3)", .expected = "(None, 2, 3, 3, 4)", .params = 112, .semantics = Semantics::keras2},
    {.name = "Conv2D with channels_first on a rank-5 input in tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 3, "data_format": "channels_first"})", .input = "(None, 2, 3, 5, 5)", .expected = "(None, 2, 4, 3, 3)", .params = 112, .semantics = Semantics::keras2},
    {.name = "Conv2DTranspose on a rank-5 input is rejected", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 2, 5, 5, 3)", .error_rule = rule::kInputRank},
    {.name = "Conv2DTranspose on a rank-5 input is rejected by tf.keras 2", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 2, 5, 5, 3)", .error_rule = rule::kInputRank, .semantics = Semantics::keras2},
    {.name = "Conv2DTranspose on a rank-3 input is rejected", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 5, 3)", .error_rule = rule::kInputRank},
    {.name = "DepthwiseConv2D on a rank-5 input is rejected", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3})", .input = "(None, 2, 8, 9, 3)", .error_rule = rule::kInputRank},
    {.name = "SeparableConv2D on a rank-5 input is rejected", .cls = "SeparableConv2D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "(None, 2, 8, 9, 3)", .error_rule = rule::kInputRank},
    {.name = "Conv2D with groups 2 on 3 input channels is rejected", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 3, "groups": 2})", .input = "(None, 5, 5, 3)", .error_rule = rule::kInputAxis},
    {.name = "Conv2D with a kernel one larger than the input is rejected", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 6})", .input = "(None, 5, 5, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "Conv2D with a kernel one larger than the input is rejected by tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 6})", .input = "(None, 5, 5, 3)", .error_rule = rule::kNonPositiveDim, .semantics = Semantics::keras2},
    {.name = "Conv2D with a kernel larger than the input by more than a stride is rejected by tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 4, "kernel_size": 8, "strides": 2})", .input = "(None, 5, 5, 3)", .error_rule = rule::kNonPositiveDim, .semantics = Semantics::keras2},
    {.name = "Conv2D with one spatial axis too small is rejected even when the other is unknown", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "(None, None, 2, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "Conv1D with a dilated kernel one longer than the input is rejected", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3, "dilation_rate": 4})", .input = "(None, 8, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "DepthwiseConv2D with a kernel larger than the input is rejected", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 4})", .input = "(None, 3, 9, 2)", .error_rule = rule::kNonPositiveDim},
    {.name = "SeparableConv1D with a kernel larger than the input is rejected", .cls = "SeparableConv1D", .config = R"({"filters": 2, "kernel_size": 4})", .input = "(None, 3, 2)", .error_rule = rule::kNonPositiveDim},
    {.name = "Conv2D with filters 0 is rejected", .cls = "Conv2D", .config = R"({"filters": 0, "kernel_size": 3})", .input = "(None, 5, 5, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D without filters is rejected", .cls = "Conv2D", .config = R"({"kernel_size": 3})", .input = "(None, 5, 5, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D without kernel_size is rejected", .cls = "Conv2D", .config = R"({"filters": 3})", .input = "(None, 5, 5, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with kernel_size 0 is rejected", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": [0, 3]})", .input = "(None, 5, 5, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with a negative kernel_size is rejected", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": -1})", .input = "(None, 5, 5, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with strides 0 is rejected", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "strides": 0})", .input = "(None, 9, 9, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with dilation_rate 0 is rejected", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "dilation_rate": 0})", .input = "(None, 9, 9, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with groups 0 is rejected", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "groups": 0})", .input = "(None, 5, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with filters not divisible by groups is rejected", .cls = "Conv2D", .config = R"({"filters": 5, "kernel_size": 3, "groups": 2})", .input = "(None, 5, 5, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with strides and dilation both above 1 is rejected by Keras 3", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2})", .input = "(None, 9, 9, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with strides and dilation both above 1 is rejected by tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2})", .input = "(None, 9, 9, 6)", .error_rule = rule::kInvalidArgument, .semantics = Semantics::keras2},
    {.name = "Conv1D with strides and dilation both above 1 is rejected by tf.keras 2", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3, "strides": [2], "dilation_rate": [3]})", .input = "(None, 20, 6)", .error_rule = rule::kInvalidArgument, .semantics = Semantics::keras2},
    {.name = "DepthwiseConv2D with strides and dilation both above 1 builds in tf.keras 2 before 2.12", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "strides": 2, "dilation_rate": 2})", .input = "(None, 9, 9, 6)", .expected = "(None, 3, 3, 6)", .params = 60, .semantics = Semantics::keras2},
    {.name = "Conv2DTranspose with strides and dilation both above 1 is rejected by Keras 3", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2})", .input = "(None, 5, 7, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with padding causal is rejected", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "causal"})", .input = "(None, 9, 9, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with padding causal is rejected by tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "causal"})", .input = "(None, 9, 9, 6)", .error_rule = rule::kInvalidArgument, .semantics = Semantics::keras2},
    {.name = "SeparableConv1D with padding causal is rejected by Keras 3", .cls = "SeparableConv1D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "causal"})", .input = "(None, 9, 6)", .error_rule = rule::kInvalidArgument},
    {.name = "SeparableConv1D with padding causal builds in tf.keras 2", .cls = "SeparableConv1D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "causal"})", .input = "(None, 9, 6)", .expected = "(None, 9, 2)", .params = 32, .semantics = Semantics::keras2},
    {.name = "Conv2D with Keras 1 padding full is rejected by Keras 3", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "full"})", .input = "(None, 5, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with Keras 1 padding full grows by kernel - 1", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "full"})", .input = "(None, 5, 5, 3)", .expected = "(None, 7, 7, 2)", .params = 56, .semantics = Semantics::keras2},
    {.name = "Conv1D with Keras 1 padding full and strides 2", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3, "padding": "full", "strides": 2})", .input = "(None, 5, 3)", .expected = "(None, 4, 2)", .params = 20, .semantics = Semantics::keras2},
    {.name = "Conv2D with an unknown data_format is rejected", .cls = "Conv2D", .config = R"({"filters": 2, "kernel_size": 3, "data_format": "nhwc"})", .input = "(None, 5, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2DTranspose with output_padding equal to strides is rejected", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 2})", .input = "(None, 5, 7, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2DTranspose with a negative output_padding is rejected", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": -1})", .input = "(None, 5, 7, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "DepthwiseConv2D with depth_multiplier 0 is rejected", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "depth_multiplier": 0})", .input = "(None, 8, 9, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "SeparableConv2D with filters 0 is rejected", .cls = "SeparableConv2D", .config = R"({"filters": 0, "kernel_size": 3})", .input = "(None, 8, 9, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv2D with padding same and strides 2 in tf.keras 2", .cls = "Conv2D", .config = R"({"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"})", .input = "(None, 7, 9, 3)", .expected = "(None, 4, 5, 8)", .params = 224, .semantics = Semantics::keras2},
    {.name = "Conv2DTranspose valid with strides 2 in tf.keras 2", .cls = "Conv2DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2})", .input = "(None, 5, 7, 3)", .expected = "(None, 11, 15, 4)", .params = 112, .semantics = Semantics::keras2},
    {.name = "SeparableConv2D in tf.keras 2", .cls = "SeparableConv2D", .config = R"({"filters": 5, "kernel_size": 3, "depth_multiplier": 2})", .input = "(None, 8, 9, 3)", .expected = "(None, 6, 7, 5)", .params = 89, .semantics = Semantics::keras2},
    {.name = "DepthwiseConv2D in tf.keras 2", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3, "depth_multiplier": 2})", .input = "(None, 8, 9, 3)", .expected = "(None, 6, 7, 6)", .params = 60, .semantics = Semantics::keras2},
    {.name = "Conv1D keeps unknown steps unknown", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "(None, None, 4)", .expected = "(None, None, 2)", .params = 26},
    {.name = "Conv1D on an input of unknown rank gives a rank-3 output in Keras 3", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "?", .expected = "(None, None, 2)", .params = kUnknownParams},
    {.name = "Conv1D on a rank-2 input is rejected", .cls = "Conv1D", .config = R"({"filters": 2, "kernel_size": 3})", .input = "(None, 9)", .error_rule = rule::kInputRank},
    {.name = "Conv3D keeps unknown depth unknown", .cls = "Conv3D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, None, 6, 7, 3)", .expected = "(None, None, 4, 5, 4)", .params = 328},
    {.name = "Conv3D on an input of unknown rank gives a rank-5 output in Keras 3", .cls = "Conv3D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "?", .expected = "(None, None, None, None, 4)", .params = kUnknownParams},
    {.name = "Conv3D on a rank-4 input is rejected", .cls = "Conv3D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 6, 7, 3)", .error_rule = rule::kInputRank},
    {.name = "Conv3D with a kernel deeper than the input is rejected", .cls = "Conv3D", .config = R"({"filters": 4, "kernel_size": [3, 1, 1]})", .input = "(None, 2, 6, 7, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "Conv1DTranspose keeps unknown steps unknown", .cls = "Conv1DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 2})", .input = "(None, None, 3)", .expected = "(None, None, 4)", .params = 40},
    {.name = "Conv1DTranspose with output_padding", .cls = "Conv1DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "strides": 3, "output_padding": 2})", .input = "(None, 5, 3)", .expected = "(None, 17, 4)", .params = 40},
    {.name = "Conv1DTranspose on an input of unknown rank", .cls = "Conv1DTranspose", .config = R"({"filters": 4, "kernel_size": 3})", .input = "?", .expected = "(None, None, 4)", .params = kUnknownParams},
    {.name = "Conv1DTranspose with padding causal is rejected", .cls = "Conv1DTranspose", .config = R"({"filters": 4, "kernel_size": 3, "padding": "causal"})", .input = "(None, 5, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "Conv3DTranspose valid with a dilated kernel", .cls = "Conv3DTranspose", .config = R"({"filters": 2, "kernel_size": 2, "dilation_rate": [1, 2, 3]})", .input = "(None, 4, 5, 6, 3)", .expected = "(None, 5, 7, 9, 2)", .params = 50},
    {.name = "Conv3DTranspose keeps unknown sizes unknown", .cls = "Conv3DTranspose", .config = R"({"filters": 2, "kernel_size": 2, "strides": 2})", .input = "(None, None, 5, None, 3)", .expected = "(None, None, 10, None, 2)", .params = 50},
    {.name = "Conv3DTranspose on a rank-4 input is rejected", .cls = "Conv3DTranspose", .config = R"({"filters": 2, "kernel_size": 2})", .input = "(None, 5, 6, 3)", .error_rule = rule::kInputRank},
    {.name = "Conv2DTranspose whose strided length overflows is reported", .cls = "Conv2DTranspose", .config = R"({"filters": 2, "kernel_size": 3, "strides": 4611686018427387904})", .input = "(None, 5, 5, 3)", .error_rule = rule::kDimOverflow},
    {.name = "SeparableConv1D keeps unknown steps unknown", .cls = "SeparableConv1D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, None, 3)", .expected = "(None, None, 4)", .params = 25},
    {.name = "SeparableConv1D on an input of unknown rank", .cls = "SeparableConv1D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "?", .expected = "(None, None, 4)", .params = kUnknownParams},
    {.name = "SeparableConv1D with depth_multiplier 0 is rejected", .cls = "SeparableConv1D", .config = R"({"filters": 4, "kernel_size": 3, "depth_multiplier": 0})", .input = "(None, 9, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "SeparableConv2D on a rank-3 input is rejected", .cls = "SeparableConv2D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 9, 3)", .error_rule = rule::kInputRank},
    {.name = "SeparableConv2D with a kernel larger than the input is rejected", .cls = "SeparableConv2D", .config = R"({"filters": 4, "kernel_size": 3})", .input = "(None, 9, 2, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "SeparableConv2D without filters is rejected", .cls = "SeparableConv2D", .config = R"({"kernel_size": 3})", .input = "(None, 9, 9, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "DepthwiseConv1D keeps unknown steps unknown", .cls = "DepthwiseConv1D", .config = R"({"kernel_size": 3, "depth_multiplier": 2})", .input = "(None, None, 3)", .expected = "(None, None, 6)", .params = 24},
    {.name = "DepthwiseConv1D with channels_first and padding same", .cls = "DepthwiseConv1D", .config = R"({"kernel_size": 3, "padding": "same", "strides": 2, "data_format": "channels_first"})", .input = "(None, 3, 9)", .expected = "(None, 3, 5)", .params = 12},
    {.name = "DepthwiseConv1D on a rank-4 input is rejected", .cls = "DepthwiseConv1D", .config = R"({"kernel_size": 3})", .input = "(None, 2, 9, 3)", .error_rule = rule::kInputRank},
    {.name = "DepthwiseConv1D with a kernel longer than the input is rejected", .cls = "DepthwiseConv1D", .config = R"({"kernel_size": 5})", .input = "(None, 4, 3)", .error_rule = rule::kNonPositiveDim},
    {.name = "DepthwiseConv1D with padding causal is rejected", .cls = "DepthwiseConv1D", .config = R"({"kernel_size": 3, "padding": "causal"})", .input = "(None, 9, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "DepthwiseConv2D without kernel_size is rejected", .cls = "DepthwiseConv2D", .config = R"({"depth_multiplier": 2})", .input = "(None, 9, 9, 3)", .error_rule = rule::kInvalidArgument},
    {.name = "DepthwiseConv2D on a rank-3 input is rejected", .cls = "DepthwiseConv2D", .config = R"({"kernel_size": 3})", .input = "(None, 9, 3)", .error_rule = rule::kInputRank},
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

TEST_CASE("Convolution rules give Keras's shapes, params and errors") {
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
    {.name = "a kernel one larger than the input",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 6})", .input = "(None, 5, 5, 3)",
     .message = "Computed output size would be zero or negative. Received `inputs shape=(None, 5, 5, 3)`, `kernel shape=(6, 6, 3, 4)`, `dilation_rate=[1 1]`, `strides=(1, 1)`, `padding=valid`.",
     .hint_part = "use padding='same' or a smaller kernel; this layer needs inputs of at least 6x6"},
    {.name = "a dilation that makes one axis too small",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 2, "kernel_size": 3, "dilation_rate": [1, 10]})", .input = "(8, 30, 4, 3)",
     .message = "Computed output size would be zero or negative. Received `inputs shape=(8, 30, 4, 3)`, `kernel shape=(3, 3, 3, 2)`, `dilation_rate=[ 1 10]`, `strides=(1, 1)`, `padding=valid`.",
     .hint_part = "at least 3x21"},
    {.name = "a dilated Conv1D kernel one longer than the input",
     .cls = "Conv1D", .config = R"({"name": "L", "filters": 2, "kernel_size": 3, "dilation_rate": 4})", .input = "(None, 8, 3)",
     .message = "Computed output size would be zero or negative. Received `inputs shape=(None, 8, 3)`, `kernel shape=(3, 3, 2)`, `dilation_rate=[4]`, `strides=(1,)`, `padding=valid`.",
     .hint_part = "at least 9"},
    {.name = "a DepthwiseConv2D kernel larger than the input",
     .cls = "DepthwiseConv2D", .config = R"({"name": "L", "kernel_size": 4})", .input = "(None, 3, 9, 2)",
     .message = "Computed output size would be zero or negative. Received `inputs shape=(None, 3, 9, 2)`, `kernel shape=(4, 4, 2, 2)`, `dilation_rate=[1 1]`, `strides=(1, 1)`, `padding=valid`."},
    {.name = "input channels not divisible by groups",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 3, "groups": 2})", .input = "(None, 5, 5, 3)",
     .message = "The number of input channels must be evenly divisible by the number of groups. Received groups=2, but the input has 3 channels (full input shape is (None, 5, 5, 3))."},
    {.name = "a zero in kernel_size",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 2, "kernel_size": [0, 3]})", .input = "(None, 5, 5, 6)",
     .message = "The `kernel_size` argument must be a tuple of 2 integers. Received kernel_size=[0, 3], including values {0} that do not satisfy `value > 0`"},
    {.name = "a negative output_padding",
     .cls = "Conv2DTranspose", .config = R"({"name": "L", "filters": 4, "kernel_size": 3, "strides": 2, "output_padding": -1})", .input = "(None, 5, 7, 3)",
     .message = "The `output_padding` argument must be a tuple of 2 integers. Received output_padding=-1, including values {-1} that do not satisfy `value >= 0`"},
    {.name = "an input of rank 5 for Conv2D",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 3})", .input = "(None, 2, 5, 5, 3)",
     .message = "Kernel shape must have the same length as input, but received kernel of shape (3, 3, 3, 4) and input of shape (None, 2, 5, 5, 3).",
     .hint_part = "TimeDistributed"},
    {.name = "an input of rank 3 for Conv2D",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 3})", .input = "(None, 5, 5)",
     .message = "Input 0 of layer \"L\" is incompatible with the layer: expected min_ndim=4, found ndim=3. Full shape received: (None, 5, 5)"},
    {.name = "strides together with dilation",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2})", .input = "(None, 9, 9, 6)",
     .message = "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(2, 2) and dilation_rate=(2, 2)"},
    {.name = "output_padding not below strides",
     .cls = "Conv2DTranspose", .config = R"({"name": "L", "filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 2})", .input = "(None, 5, 7, 3)",
     .message = "`output_padding` must be strictly less than `strides` for all dimensions. At dimension 0, `output_padding` is 2 but `strides` is 2. Received: output_padding=(2, 2), strides=(2, 2)"},
    {.name = "filters not divisible by groups",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 5, "kernel_size": 3, "groups": 2})", .input = "(None, 5, 5, 6)",
     .message = "The number of filters must be evenly divisible by the number of groups. Received: groups=2, filters=5."},
    {.name = "a missing filters argument",
     .cls = "Conv2D", .config = R"({"name": "L", "kernel_size": 3})", .input = "(None, 5, 5, 6)",
     .message = "Conv2D.__init__() missing 1 required positional argument: 'filters'"},
    {.name = "unknown channels in Keras 3's Conv2D",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 3})", .input = "(None, 8, 10, None)",
     .message = "unsupported operand type(s) for %: 'NoneType' and 'int'",
     .hint_part = "give the input of 'L' a known channel axis (the last axis)"},
    {.name = "unknown channels in Keras 3's SeparableConv2D",
     .cls = "SeparableConv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 3})", .input = "(None, 8, 10, None)",
     .message = "unsupported operand type(s) for *: 'int' and 'NoneType'"},
    {.name = "unknown channels in Keras 3's Conv1DTranspose",
     .cls = "Conv1DTranspose", .config = R"({"name": "L", "filters": 6, "kernel_size": 2})", .input = "(None, 19, None)",
     .message = "Shapes used to initialize variables must be fully-defined (no `None` dimensions). Received: shape=(2, 6, None) for variable path='L/kernel'"},
    {.name = "unknown channels in Keras 3's DepthwiseConv2D",
     .cls = "DepthwiseConv2D", .config = R"({"name": "L", "kernel_size": 3, "depth_multiplier": 2, "data_format": "channels_first"})", .input = "(None, None, 8, 10)",
     .message = "Shapes used to initialize variables must be fully-defined (no `None` dimensions). Received: shape=(3, 3, None, 2) for variable path='L/kernel'",
     .hint_part = "(axis 1)"},
    {.name = "unknown channels in tf.keras 2's Conv2D",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 3})", .input = "(None, 8, 10, None)",
     .message = "The channel dimension of the inputs should be defined. The input_shape received is (None, 8, 10, None), where axis -1 (0-based) is the channel dimension, which found to be `None`.",
     .semantics = Semantics::keras2},
    {.name = "unknown channels in tf.keras 2's Conv2DTranspose with channels_first",
     .cls = "Conv2DTranspose", .config = R"({"name": "L", "filters": 4, "kernel_size": 3, "data_format": "channels_first"})", .input = "(None, None, 8, 10)",
     .message = "The channel dimension of the inputs to `Conv2DTranspose` should be defined. The input_shape received is (None, None, 8, 10), where axis -3 (0-based) is the channel dimension, which found to be `None`.",
     .semantics = Semantics::keras2},
    {.name = "unknown channels in tf.keras 2's DepthwiseConv2D",
     .cls = "DepthwiseConv2D", .config = R"({"name": "L", "kernel_size": 3})", .input = "(None, 8, 10, None)",
     .message = "The channel dimension of the inputs to `DepthwiseConv` should be defined. The input_shape received is (None, 8, 10, None), where axis -1 (0-based) is the channel dimension, which found to be `None`.",
     .semantics = Semantics::keras2},
    {.name = "strides together with dilation in tf.keras 2",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2})", .input = "(None, 9, 9, 6)",
     .message = "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(2, 2) and dilation_rate=(2, 2)",
     .semantics = Semantics::keras2},
    {.name = "a kernel one larger than the input in tf.keras 2",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 6})", .input = "(None, 5, 5, 3)",
     .message = "Negative dimension size caused by subtracting 6 from 5 for 'L' with input shapes: [?,5,5,3].",
     .semantics = Semantics::keras2},
    {.name = "a kernel larger than the input by more than a stride in tf.keras 2",
     .cls = "Conv2D", .config = R"({"name": "L", "filters": 4, "kernel_size": 8, "strides": 2})", .input = "(None, 5, 5, 3)",
     .message = "One of the dimensions in the output is <= 0 due to downsampling in L. Consider increasing the input size. Received input shape [None, 5, 5, 3] which would produce output shape with a zero or negative value in a dimension.",
     .semantics = Semantics::keras2},
};

// clang-format on

/// Runs one rule the way the engine does and returns the built layer's input specs.
std::vector<shapelint::InputSpec> input_specs_after_build(std::string_view cls,
                                                          std::string_view config_json,
                                                          std::string_view input,
                                                          Semantics semantics) {
  auto config = shapelint::test::parse_config(config_json);
  shapelint::Diagnostics diagnostics;
  shapelint::LayerConfig layer_config(config->root(), "config", &diagnostics, "L");
  shapelint::Shapes inputs = shapes({input});
  shapelint::LayerCall call(layer_config, inputs, {}, semantics, &diagnostics);
  const auto* rule = shapelint::RuleRegistry::builtin().find(cls);
  REQUIRE(rule != nullptr);
  rule->infer(call);
  REQUIRE_FALSE(call.failed());
  return call.input_specs;
}

using Axes = std::vector<std::pair<std::ptrdiff_t, std::int64_t>>;

}  // namespace

TEST_CASE("Convolution errors use Keras's own wording") {
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

TEST_CASE("A built convolution pins its input channels as Keras's input_spec does") {
  SECTION("Keras 3 Conv2D with channels_last: min_ndim 4 and the last axis") {
    auto specs = input_specs_after_build(
        "Conv2D", R"({"filters": 8, "kernel_size": 3})", "(None, 28, 28, 3)", Semantics::keras3);
    REQUIRE(specs.size() == 1);
    CHECK(specs[0].min_ndim == 4u);
    CHECK_FALSE(specs[0].ndim.has_value());
    CHECK(specs[0].axes == Axes{{-1, 3}});
  }
  SECTION("Keras 3 Conv1D with channels_first: axis 1") {
    auto specs = input_specs_after_build("Conv1D",
                                         R"({"filters": 8, "kernel_size": 3,
                                             "data_format": "channels_first"})",
                                         "(None, 4, 28)",
                                         Semantics::keras3);
    CHECK(specs[0].min_ndim == 3u);
    CHECK(specs[0].axes == Axes{{1, 4}});
  }
  SECTION("tf.keras 2 Conv2D with channels_first counts the channel axis from the end") {
    auto specs = input_specs_after_build("Conv2D",
                                         R"({"filters": 8, "kernel_size": 3,
                                             "data_format": "channels_first"})",
                                         "(None, 3, 28, 28)",
                                         Semantics::keras2);
    CHECK(specs[0].min_ndim == 4u);
    CHECK(specs[0].axes == Axes{{-3, 3}});
  }
  SECTION("tf.keras 2 Conv2DTranspose pins the exact rank") {
    auto specs = input_specs_after_build("Conv2DTranspose",
                                         R"({"filters": 8, "kernel_size": 3})",
                                         "(None, 7, 7, 5)",
                                         Semantics::keras2);
    CHECK(specs[0].ndim == 4u);
    CHECK(specs[0].axes == Axes{{-1, 5}});
  }
  SECTION("Keras 3 DepthwiseConv2D and SeparableConv2D pin the input channels") {
    for (auto cls : {"DepthwiseConv2D", "SeparableConv2D"}) {
      auto specs = input_specs_after_build(
          cls, R"({"filters": 2, "kernel_size": 3})", "(None, 9, 9, 6)", Semantics::keras3);
      CHECK(specs[0].min_ndim == 4u);
      CHECK(specs[0].axes == Axes{{-1, 6}});
    }
  }
}

TEST_CASE("A convolution called again on unknown channels reuses its built kernel") {
  // A shared layer's later call or a what-if replay: Keras does not build again, so the
  // unknown channel axis is no error there; the engine checks the built input_spec instead.
  auto config = shapelint::test::parse_config(R"({"filters": 8, "kernel_size": 3})");
  shapelint::Diagnostics diagnostics;
  shapelint::LayerConfig layer_config(config->root(), "config", &diagnostics, "L");
  shapelint::Shapes inputs = shapes({"(None, 28, 28, None)"});
  for (auto semantics : {Semantics::keras3, Semantics::keras2}) {
    shapelint::LayerCall call(layer_config, inputs, {}, semantics, &diagnostics);
    call.set_building(false);
    const auto* rule = shapelint::RuleRegistry::builtin().find("Conv2D");
    REQUIRE(rule != nullptr);
    rule->infer(call);
    CHECK_FALSE(call.failed());
    REQUIRE(call.outputs.size() == 1);
    CHECK(call.outputs[0] == shape("(None, 26, 26, 8)"));
    REQUIRE(call.input_specs.size() == 1);
    CHECK(call.input_specs[0].axes.empty());
  }
  CHECK(diagnostics.empty());
}
