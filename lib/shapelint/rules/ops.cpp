// Keras 3 operations saved as layers of a Functional model (keras/src/ops/numpy.py). Keras 3
// writes the mask of `Embedding(mask_zero=True)` and `Masking` into the file this way, as
// `NotEqual` then `Any`; models built with `keras.ops` calls hold others.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

/// NumPy broadcasting of two shapes (keras/src/ops/operation_utils.py broadcast_shapes);
/// nullopt when two known sizes differ and neither is 1.
std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  if (!a.has_rank() || !b.has_rank())
    return Shape::unknown_rank();
  std::size_t rank = std::max(a.rank(), b.rank());
  DimVector out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    Dim x = i < a.rank() ? a.dims()[a.rank() - 1 - i] : Dim::of(1);
    Dim y = i < b.rank() ? b.dims()[b.rank() - 1 - i] : Dim::of(1);
    Dim r;
    if (x.equals(1))
      r = y;
    else if (y.equals(1))
      r = x;
    else if (x.conflicts_with(y))
      return std::nullopt;
    else
      r = x.is_known() ? x : y;
    out[rank - 1 - i] = r;
  }
  return Shape(std::move(out));
}

// Mirrors the binary element-wise ops (NotEqual, Equal, Greater, ..., LogicalAnd): the
// broadcast of both operands; a Python constant operand is a scalar and is not a tensor here.
void infer_elementwise_binary(LayerCall& c) {
  Shape out = c.input(0);
  for (std::size_t i = 1; i < c.input_count(); ++i) {
    auto b = broadcast(out, c.input(i));
    if (!b) {
      c.error(rule::kMergeMismatch,
              fmt::format("Cannot broadcast shape, the failure dim has value {}, which cannot be "
                          "broadcasted to {}. Input shapes are: [{}, {}].",
                          to_string(c.input(i)),
                          to_string(out),
                          to_string(out),
                          to_string(c.input(i))),
              "give both operands the same size on each axis, or 1");
      return;
    }
    out = std::move(*b);
  }
  c.outputs = {std::move(out)};
}

// Mirrors Any / All: reduce over `axis` (None: every axis), keeping size-1 dims with keepdims.
void infer_reduction(LayerCall& c) {
  const Shape& in = c.input(0);
  bool keepdims = c.config().get_bool("keepdims", false);
  auto axes = c.config().get_int_or_list("axis");
  if (!in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  std::set<std::size_t> reduced;
  if (!axes) {
    for (std::size_t i = 0; i < in.rank(); ++i)
      reduced.insert(i);
  } else {
    for (auto axis : *axes) {
      if (!in.has_axis(axis)) {
        c.error(rule::kInvalidArgument,
                fmt::format("axis {} is out of bounds for array of dimension {}", axis, in.rank()),
                "reduce over an axis the input has");
        return;
      }
      reduced.insert(in.normalize(axis));
    }
  }
  DimVector out;
  for (std::size_t i = 0; i < in.rank(); ++i) {
    if (!reduced.count(i))
      out.push_back(in.dims()[i]);
    else if (keepdims)
      out.push_back(Dim::of(1));
  }
  c.outputs = {Shape(std::move(out))};
}

constexpr std::size_t kMany = 2;

constexpr LayerRule kRules[] = {
    {"NotEqual", infer_elementwise_binary, 1, kMany},
    {"Equal", infer_elementwise_binary, 1, kMany},
    {"Greater", infer_elementwise_binary, 1, kMany},
    {"GreaterEqual", infer_elementwise_binary, 1, kMany},
    {"Less", infer_elementwise_binary, 1, kMany},
    {"LessEqual", infer_elementwise_binary, 1, kMany},
    {"LogicalAnd", infer_elementwise_binary, 1, kMany},
    {"LogicalOr", infer_elementwise_binary, 1, kMany},
    {"LogicalXor", infer_elementwise_binary, 1, kMany},
    {"Any", infer_reduction},
    {"All", infer_reduction},
};

}  // namespace

std::span<const LayerRule> ops_rules() {
  return kRules;
}

}  // namespace shapelint
