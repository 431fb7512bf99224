// Shape rules for Keras 3's adaptive pooling layers
// (keras/src/layers/pooling/adaptive_{average,max}_pooling{1,2,3}d.py): the output size is a
// constructor argument, whatever the input size.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/layer_checks.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

/// What each constructor calls its tuple in its TypeError.
constexpr std::string_view kTupleWording[] = {
    "tuple of 1 integer", "(height, width) tuple", "(depth, height, width) tuple"};

/// Python's spelling of the `output_size` value and its type, for the TypeError.
std::string python_value_and_type(JsonValue v) {
  if (v.is_array()) {
    std::vector<std::string> items;
    for (const auto& item : v)
      items.push_back(item.is_null() ? "None" : item.dump());
    return fmt::format("[{}] of type <class 'list'>", fmt::join(items, ", "));
  }
  if (v.is_string())
    return fmt::format("{} of type <class 'str'>", v.get<std::string>());
  if (v.is_number_float())
    return fmt::format("{} of type <class 'float'>", v.dump());
  return fmt::format("{} of type <class '{}'>", v.dump(), v.type_name());
}

/// `output_size`: an int repeated N times, or a list of N ints. Nullopt after reporting.
template <std::size_t N>
std::optional<std::vector<std::int64_t>> read_output_size(LayerCall& c, std::string_view cls) {
  if (!require_arguments(c, cls, {"output_size"}))
    return std::nullopt;
  JsonValue v = *c.config().raw("output_size");
  if (v.is_number_integer())
    return std::vector<std::int64_t>(N, v.get<std::int64_t>());
  if (N == 1 && v.is_array() && v.size() != 1) {
    c.error(
        rule::kInvalidArgument,
        fmt::format("For 1D input, `output_size` tuple must have length 1. Received: {}", v.dump()),
        fmt::format("give '{}' one output size", c.layer_name()));
    return std::nullopt;
  }
  if (v.is_array() && v.size() == N) {
    std::vector<std::int64_t> out;
    for (const auto& item : v) {
      if (!item.is_number_integer())
        return std::nullopt;  // Keras keeps the value; its shape would not be an int
      out.push_back(item.get<std::int64_t>());
    }
    return out;
  }
  c.error(rule::kInvalidArgument,
          fmt::format("`output_size` must be an integer or {}. Received: {}",
                      kTupleWording[N - 1],
                      python_value_and_type(v)),
          fmt::format("give '{}' an int or {} output sizes", c.layer_name(), N));
  return std::nullopt;
}

bool check_data_format(LayerCall& c) {
  auto format = c.config().get_optional_string("data_format");
  if (!format || *format == "channels_last" || *format == "channels_first")
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("Invalid data_format: {}. Expected 'channels_first' or 'channels_last'.",
                      *format),
          "use data_format='channels_last' or 'channels_first'");
  return false;
}

// Mirrors keras/src/layers/pooling/base_adaptive_pooling.py: (batch, *output_size, channels)
// with channels = input[-1] (channels_first: (batch, input[1], *output_size)). There is no
// input spec: any rank is accepted and only the batch and channel axes are read.
template <std::size_t N>
void infer_adaptive_pooling(LayerCall& c, std::string_view cls) {
  auto size = read_output_size<N>(c, cls);
  if (!size || !check_data_format(c)) {
    if (!c.failed())
      c.outputs = {Shape::unknown_rank()};
    return;
  }
  const Shape& in = c.input();
  if (!in.has_rank() || in.rank() == 0) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  for (auto d : *size) {
    if (d >= 0)
      continue;
    // Keras builds the output KerasTensor from these sizes and refuses negative ones.
    std::vector<std::string> dims{"None"};
    for (auto s : *size)
      dims.push_back(std::to_string(s));
    c.error(rule::kNonPositiveDim,
            fmt::format("Cannot convert '({})' to a shape. Negative dimensions are not allowed.",
                        fmt::join(dims, ", ")),
            fmt::format("give '{}' non-negative output sizes", c.layer_name()));
    return;
  }
  const bool channels_first = c.config().channels_first();
  const Dim channels = channels_first ? (in.rank() > 1 ? in.at(1) : Dim::unknown()) : in.at(-1);
  DimVector out{in.at(0)};
  if (channels_first)
    out.push_back(channels);
  for (auto d : *size)
    out.push_back(Dim::of(d));
  if (!channels_first)
    out.push_back(channels);
  c.outputs = {Shape(std::move(out))};
}

void infer_adaptive_average_pooling_1d(LayerCall& c) {
  infer_adaptive_pooling<1>(c, "AdaptiveAveragePooling1D");
}

void infer_adaptive_average_pooling_2d(LayerCall& c) {
  infer_adaptive_pooling<2>(c, "AdaptiveAveragePooling2D");
}

void infer_adaptive_average_pooling_3d(LayerCall& c) {
  infer_adaptive_pooling<3>(c, "AdaptiveAveragePooling3D");
}

void infer_adaptive_max_pooling_1d(LayerCall& c) {
  infer_adaptive_pooling<1>(c, "AdaptiveMaxPooling1D");
}

void infer_adaptive_max_pooling_2d(LayerCall& c) {
  infer_adaptive_pooling<2>(c, "AdaptiveMaxPooling2D");
}

void infer_adaptive_max_pooling_3d(LayerCall& c) {
  infer_adaptive_pooling<3>(c, "AdaptiveMaxPooling3D");
}

constexpr LayerRule kRules[] = {
    {"AdaptiveAveragePooling1D", infer_adaptive_average_pooling_1d},
    {"AdaptiveAveragePooling2D", infer_adaptive_average_pooling_2d},
    {"AdaptiveAveragePooling3D", infer_adaptive_average_pooling_3d},
    {"AdaptiveMaxPooling1D", infer_adaptive_max_pooling_1d},
    {"AdaptiveMaxPooling2D", infer_adaptive_max_pooling_2d},
    {"AdaptiveMaxPooling3D", infer_adaptive_max_pooling_3d},
};

}  // namespace

std::span<const LayerRule> adaptive_pooling_rules() {
  return kRules;
}

}  // namespace shapelint
