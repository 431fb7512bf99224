// The window arithmetic shared by convolutions and poolings. Expected lengths are Keras's
// formulas worked by hand (operation_utils.compute_conv_output_shape,
// backend_utils._get_output_shape_given_tf_padding) and agree with the Keras 3 oracle.
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/shape/conv_arith.hpp"

namespace {

using shapelint::Dim;
using shapelint::WindowPadding;

struct ConvCase {
  std::string_view name;
  std::int64_t input;
  std::int64_t kernel;
  WindowPadding padding;
  std::int64_t stride;
  std::int64_t dilation;
  std::int64_t expected;
};

// clang-format off
const ConvCase kConvCases[] = {
    {"valid with stride 1 loses kernel - 1", 28, 3, WindowPadding::valid, 1, 1, 26},
    {"valid with stride 2 floors", 7, 3, WindowPadding::valid, 2, 1, 3},
    {"valid with a dilated kernel uses its extent", 10, 3, WindowPadding::valid, 1, 2, 6},
    {"valid with a kernel as large as the input gives 1", 5, 5, WindowPadding::valid, 1, 1, 1},
    {"valid with a kernel one larger than the input gives 0", 5, 6, WindowPadding::valid, 1, 1, 0},
    {"valid with a window far too large goes negative, floored", 5, 8, WindowPadding::valid, 2, 1, -1},
    {"same with stride 2 rounds up", 7, 3, WindowPadding::same, 2, 1, 4},
    {"same ignores the kernel", 7, 99, WindowPadding::same, 1, 1, 7},
    {"causal keeps ceil(n / stride)", 9, 3, WindowPadding::causal, 2, 1, 5},
    {"Keras 1 full grows by kernel - 1", 5, 3, WindowPadding::full, 1, 1, 7},
    {"Keras 1 full with stride 2 rounds up", 5, 3, WindowPadding::full, 2, 1, 4},
};

struct TransposeCase {
  std::string_view name;
  std::int64_t input;
  std::int64_t kernel;
  WindowPadding padding;
  std::int64_t stride;
  std::optional<std::int64_t> output_padding;
  std::int64_t dilation;
  std::int64_t expected;
};

const TransposeCase kTransposeCases[] = {
    {"valid adds max(kernel, stride) after the strided length", 5, 3, WindowPadding::valid, 2, std::nullopt, 1, 11},
    {"valid with a stride larger than the kernel", 5, 2, WindowPadding::valid, 3, std::nullopt, 1, 15},
    {"valid with a dilated kernel", 5, 3, WindowPadding::valid, 1, std::nullopt, 2, 9},
    {"valid with output_padding adds the kernel and the padding", 5, 3, WindowPadding::valid, 2, 1, 1, 12},
    {"same multiplies by the stride", 5, 3, WindowPadding::same, 2, std::nullopt, 1, 10},
    {"same with output_padding and an odd kernel", 5, 3, WindowPadding::same, 2, 1, 1, 10},
    {"same with output_padding 0 and an even kernel", 5, 4, WindowPadding::same, 2, 0, 1, 8},
};
// clang-format on

}  // namespace

TEST_CASE("conv_output_length follows compute_conv_output_shape") {
  for (const auto& c : kConvCases) {
    DYNAMIC_SECTION(c.name) {
      Dim out = shapelint::conv_output_length(
          Dim::of(c.input), c.kernel, c.padding, c.stride, c.dilation);
      REQUIRE(out.is_known());
      CHECK(out.value() == c.expected);
    }
  }
}

TEST_CASE("conv_transpose_output_length follows Keras's transposed-convolution formula") {
  for (const auto& c : kTransposeCases) {
    DYNAMIC_SECTION(c.name) {
      Dim out = shapelint::conv_transpose_output_length(
          Dim::of(c.input), c.kernel, c.padding, c.stride, c.output_padding, c.dilation);
      REQUIRE(out.is_known());
      CHECK(out.value() == c.expected);
    }
  }
}

TEST_CASE("pool_output_length follows compute_pooling_output_shape") {
  using shapelint::pool_output_length;
  CHECK(pool_output_length(Dim::of(9), 2, WindowPadding::valid, 2) == Dim::of(4));
  CHECK(pool_output_length(Dim::of(10), 3, WindowPadding::same, 3) == Dim::of(4));
  CHECK(pool_output_length(Dim::of(10), 2, WindowPadding::valid, 3) == Dim::of(3));
  CHECK(pool_output_length(Dim::of(1), 2, WindowPadding::valid, 2) == Dim::of(0));
}

TEST_CASE("Unknown lengths stay unknown and overflow is flagged") {
  using shapelint::conv_output_length;
  using shapelint::conv_transpose_output_length;
  CHECK_FALSE(conv_output_length(Dim::unknown(), 3, WindowPadding::valid, 1).is_known());
  CHECK_FALSE(conv_output_length(Dim::unknown(), 3, WindowPadding::same, 2).is_known());
  CHECK_FALSE(
      conv_transpose_output_length(Dim::unknown(), 3, WindowPadding::valid, 2, 1).is_known());
  constexpr auto kHuge = std::numeric_limits<std::int64_t>::max() / 2;
  CHECK(shapelint::dilated_kernel_extent(kHuge, 4).overflowed());
  CHECK(conv_output_length(Dim::of(10), kHuge, WindowPadding::valid, 1, 4).overflowed());
  CHECK(conv_transpose_output_length(Dim::of(kHuge), 3, WindowPadding::same, 4, std::nullopt)
            .overflowed());
}

TEST_CASE("Padding names parse as Keras spells them") {
  using shapelint::parse_window_padding;
  CHECK(parse_window_padding("valid") == WindowPadding::valid);
  CHECK(parse_window_padding("same") == WindowPadding::same);
  CHECK(parse_window_padding("causal") == WindowPadding::causal);
  CHECK(parse_window_padding("full") == WindowPadding::full);
  CHECK_FALSE(parse_window_padding("SAME").has_value());
  CHECK_FALSE(parse_window_padding("reflect").has_value());
  CHECK(shapelint::to_string(WindowPadding::causal) == "causal");
}

TEST_CASE("Values print as Python and numpy print them in Keras's messages") {
  using shapelint::numpy_array;
  std::vector<std::int64_t> pair{2, 2};
  std::vector<std::int64_t> single{4};
  std::vector<std::int64_t> mixed{1, 10};
  CHECK(shapelint::python_tuple(pair) == "(2, 2)");
  CHECK(shapelint::python_tuple(single) == "(4,)");
  CHECK(shapelint::python_list(std::vector<std::int64_t>{0, 3}) == "[0, 3]");
  CHECK(numpy_array(pair) == "[2 2]");
  CHECK(numpy_array(mixed) == "[ 1 10]");
  CHECK(numpy_array(std::vector<std::int64_t>{4, 10, 1, 3}) == "[ 4 10  1  3]");
  std::vector<std::optional<std::int64_t>> with_none{std::nullopt, 10, 1, 3};
  CHECK(numpy_array(with_none) == "[None 10 1 3]");
  std::vector<std::optional<std::int64_t>> object_without_none{4, -1, 10, 3};
  CHECK(numpy_array(object_without_none, /*object_array=*/true) == "[4 -1 10 3]");
}

TEST_CASE("tuple_argument_error words standardize_tuple's complaint") {
  using shapelint::tuple_argument_error;
  std::vector<std::int64_t> fine{3, 3};
  CHECK_FALSE(tuple_argument_error("kernel_size", fine, "3").has_value());
  std::vector<std::int64_t> zero{0, 3};
  CHECK(tuple_argument_error("kernel_size", zero, "[0, 3]") ==
        "The `kernel_size` argument must be a tuple of 2 integers. Received kernel_size=[0, 3], "
        "including values {0} that do not satisfy `value > 0`");
  std::vector<std::int64_t> zeros{0, 0};
  CHECK_FALSE(tuple_argument_error("output_padding", zeros, "0", /*allow_zero=*/true));
  std::vector<std::int64_t> negative{-1, -1};
  CHECK(tuple_argument_error("strides", negative, "-1", /*allow_zero=*/true) ==
        "The `strides` argument must be a tuple of 2 integers. Received strides=-1, including "
        "values {-1} that do not satisfy `value >= 0`");
  std::vector<std::int64_t> both{-1, 0};
  CHECK(tuple_argument_error("pool_size", both, "[-1, 0]") ==
        "The `pool_size` argument must be a tuple of 2 integers. Received pool_size=[-1, 0], "
        "including values {0, -1} that do not satisfy `value > 0`");
}

TEST_CASE("window_extent_text says how large an input must be") {
  std::vector<Dim> square{Dim::of(6), Dim::of(6)};
  std::vector<Dim> line{Dim::of(9)};
  CHECK(shapelint::window_extent_text(square) == "6x6");
  CHECK(shapelint::window_extent_text(line) == "9");
}
