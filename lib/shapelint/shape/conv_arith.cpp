#include "shapelint/shape/conv_arith.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace shapelint {

namespace {

/// max(d, value) for a Dim; unknown (or overflowed) stays so.
Dim max_with(Dim d, std::int64_t value) {
  if (!d.is_known())
    return d;
  return Dim::of(std::max(d.value(), value));
}

/// Python's `x % 2` for a known Dim.
Dim parity(Dim d) {
  if (!d.is_known())
    return d;
  return Dim::of(((d.value() % 2) + 2) % 2);
}

std::string join_ints(std::span<const std::int64_t> values, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out += separator;
    out += std::to_string(values[i]);
  }
  return out;
}

/// The order CPython prints a small set of ints in: by hash modulo the initial table size
/// of 8 (hash(-1) is -2), ties in insertion order. Exact for the one- to three-element sets
/// these messages show.
std::vector<std::int64_t> python_set_order(std::span<const std::int64_t> values) {
  std::vector<std::int64_t> distinct;
  for (auto v : values)
    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end())
      distinct.push_back(v);
  auto slot = [](std::int64_t v) {
    std::int64_t hash = v == -1 ? -2 : v;
    return hash & 7;
  };
  std::stable_sort(distinct.begin(), distinct.end(), [&](std::int64_t a, std::int64_t b) {
    return slot(a) < slot(b);
  });
  return distinct;
}

}  // namespace

std::optional<WindowPadding> parse_window_padding(std::string_view text) {
  if (text == "valid")
    return WindowPadding::valid;
  if (text == "same")
    return WindowPadding::same;
  if (text == "causal")
    return WindowPadding::causal;
  if (text == "full")
    return WindowPadding::full;
  return std::nullopt;
}

std::string_view to_string(WindowPadding padding) {
  switch (padding) {
    case WindowPadding::valid:
      return "valid";
    case WindowPadding::same:
      return "same";
    case WindowPadding::causal:
      return "causal";
    case WindowPadding::full:
      return "full";
  }
  return "valid";
}

Dim dilated_kernel_extent(std::int64_t kernel, std::int64_t dilation) {
  return (Dim::of(kernel) - 1) * dilation + 1;
}

Dim conv_output_length(Dim input,
                       std::int64_t kernel,
                       WindowPadding padding,
                       std::int64_t stride,
                       std::int64_t dilation) {
  Dim extent = dilated_kernel_extent(kernel, dilation);
  switch (padding) {
    case WindowPadding::valid:
      return floor_div(input - extent, stride) + 1;
    case WindowPadding::same:
    case WindowPadding::causal:
      // Causal pads dk - 1 on the left, then runs a valid convolution: the same length.
      return floor_div(input - 1, stride) + 1;
    case WindowPadding::full:
      // Keras 1: the padded length n + dk - 1, then ceil(length / s).
      return floor_div(input + extent - 2, stride) + 1;
  }
  return Dim::unknown();
}

Dim conv_transpose_output_length(Dim input,
                                 std::int64_t kernel,
                                 WindowPadding padding,
                                 std::int64_t stride,
                                 std::optional<std::int64_t> output_padding,
                                 std::int64_t dilation) {
  Dim extent = dilated_kernel_extent(kernel, dilation);
  Dim strided = (input - 1) * stride;
  if (padding == WindowPadding::same) {
    if (!output_padding)
      return input * stride;
    return strided + parity(extent) + *output_padding;
  }
  // Without output_padding Keras fills in whatever makes the windows tile the output.
  if (!output_padding)
    return strided + max_with(extent, stride);
  return strided + extent + *output_padding;
}

Dim pool_output_length(Dim input,
                       std::int64_t pool_size,
                       WindowPadding padding,
                       std::int64_t stride) {
  return conv_output_length(input, pool_size, padding, stride, 1);
}

std::string python_tuple(std::span<const std::int64_t> values) {
  if (values.size() == 1)
    return fmt::format("({},)", values[0]);
  return fmt::format("({})", join_ints(values, ", "));
}

std::string python_list(std::span<const std::int64_t> values) {
  return fmt::format("[{}]", join_ints(values, ", "));
}

std::string numpy_array(std::span<const std::optional<std::int64_t>> values, bool object_array) {
  bool has_none =
      object_array || std::any_of(values.begin(), values.end(), [](const auto& v) { return !v; });
  std::vector<std::string> items;
  std::size_t width = 0;
  for (const auto& v : values) {
    items.push_back(v ? std::to_string(*v) : std::string("None"));
    width = std::max(width, items.back().size());
  }
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += ' ';
    // An int array pads every element to the widest; an object array does not.
    if (!has_none)
      out.append(width - items[i].size(), ' ');
    out += items[i];
  }
  return out + "]";
}

std::string numpy_array(std::span<const std::int64_t> values) {
  std::vector<std::optional<std::int64_t>> wrapped(values.begin(), values.end());
  return numpy_array(std::span<const std::optional<std::int64_t>>(wrapped));
}

bool tuple_argument_valid(std::span<const std::int64_t> values, bool allow_zero) {
  return std::all_of(
      values.begin(), values.end(), [&](std::int64_t v) { return allow_zero ? v >= 0 : v > 0; });
}

std::optional<std::string> tuple_argument_error(std::string_view name,
                                                std::span<const std::int64_t> values,
                                                std::string_view received,
                                                bool allow_zero) {
  std::vector<std::int64_t> bad;
  for (auto v : values)
    if (allow_zero ? v < 0 : v <= 0)
      bad.push_back(v);
  if (bad.empty())
    return std::nullopt;
  std::vector<std::int64_t> ordered = python_set_order(bad);
  return fmt::format(
      "The `{}` argument must be a tuple of {} integers. Received {}={}, including values {{{}}} "
      "that do not satisfy `value {}`",
      name,
      values.size(),
      name,
      received,
      join_ints(ordered, ", "),
      allow_zero ? ">= 0" : "> 0");
}

std::string window_extent_text(std::span<const Dim> extents) {
  std::string out;
  for (std::size_t i = 0; i < extents.size(); ++i) {
    if (i > 0)
      out += 'x';
    out += to_string(extents[i]);
  }
  return out;
}

}  // namespace shapelint
