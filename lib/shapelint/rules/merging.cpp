// Shape rules for the Keras merging layer family (keras/src/layers/merging/).
//
// Keras 3 computes merge shapes from the static shapes only (`compute_output_shape`), so a
// `None` meeting a known size gives `None`; tf.keras 2 kept the known size, but its reference
// oracle (tfjs) agrees with Keras 3, and so do these rules.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

constexpr std::size_t kAnyCount = std::numeric_limits<std::size_t>::max();

/// The shape without its batch axis (`shape[1:]`); unknown rank stays unknown.
Shape without_batch(const Shape& s) {
  if (!s.has_rank())
    return s;
  if (s.rank() == 0)
    return Shape(DimVector{});
  return Shape(DimVector(s.dims().begin() + 1, s.dims().end()));
}

/// A merge of one tensor: Keras 3 then receives the tensor itself, not a list, and refuses it
/// (a legacy config cannot say "a list of one"); tf.keras 2 wanted two inputs outright. The
/// messages are made only then: formatting the shapes for every merge layer of a large model
/// cost more than checking it.
template <class Keras3Message, class Keras2Message>
bool require_list_of_inputs(LayerCall& c,
                            Keras3Message keras3_message,
                            Keras2Message keras2_message) {
  if (c.input_count() >= 2)
    return true;
  c.error(rule::kInputCount,
          c.keras3() ? keras3_message() : keras2_message(),
          "a merge layer combines two or more tensors: give it a list of inputs, or remove it");
  return false;
}

/// Merge.build: the known batch sizes must agree (rank-0 shapes have none).
bool check_batch_sizes(LayerCall& c) {
  std::optional<std::int64_t> first;
  bool agree = true;
  for (const auto& s : c.inputs()) {
    if (!s.has_rank() || s.rank() == 0 || !s.dims()[0].is_known())
      continue;
    if (!first)
      first = s.dims()[0].value();
    agree = agree && s.dims()[0].value() == *first;
  }
  if (agree)
    return true;
  c.error(rule::kMergeMismatch,
          fmt::format("Cannot merge tensors with different batch sizes. Received tensors with "
                      "shapes {}",
                      to_string(c.inputs())),
          "feed every input the same batch size");
  return false;
}

/// The one known batch size of the inputs, else None (Merge.compute_output_shape).
Dim merged_batch(const Shapes& inputs) {
  for (const auto& s : inputs) {
    if (s.has_rank() && s.rank() >= 1 && s.dims()[0].is_known())
      return s.dims()[0];
  }
  return Dim::unknown();
}

/// One broadcast axis: None wins, then 1 gives way, else the sizes must agree.
std::optional<Dim> broadcast_dim(Dim a, Dim b) {
  if (!a.is_known() || !b.is_known())
    return Dim::unknown();
  if (a.value() == 1)
    return b;
  if (b.value() == 1)
    return a;
  if (a.value() != b.value())
    return std::nullopt;
  return a;
}

/// Merge._compute_elemwise_op_output_shape: numpy broadcasting of the non-batch shapes, aligned
/// at the last axis. Folds `other` into `acc`; false after reporting.
bool broadcast_into(LayerCall& c, Shape& acc, const Shape& other) {
  if (!acc.has_rank() || !other.has_rank()) {
    acc = Shape::unknown_rank();
    return true;
  }
  // Keras swaps the operands so that the first is the longer one, also in its message.
  const bool swap = acc.rank() < other.rank();
  const Shape longer = swap ? other : acc;
  const Shape shorter = swap ? acc : other;
  const std::size_t offset = longer.rank() - shorter.rank();
  DimVector out(longer.dims().begin(), longer.dims().begin() + static_cast<std::ptrdiff_t>(offset));
  for (std::size_t k = 0; k < shorter.rank(); ++k) {
    auto d = broadcast_dim(longer.dims()[offset + k], shorter.dims()[k]);
    if (!d) {
      c.error(
          rule::kMergeMismatch,
          fmt::format("Inputs have incompatible shapes. Received shapes {} and {}",
                      to_string(longer),
                      to_string(shorter)),
          fmt::format("make the sizes at axis {} equal (or 1): {} vs {}",
                      static_cast<std::ptrdiff_t>(k) - static_cast<std::ptrdiff_t>(shorter.rank()),
                      to_string(longer.dims()[offset + k]),
                      to_string(shorter.dims()[k])));
      return false;
    }
    out.push_back(*d);
  }
  acc = Shape(std::move(out));
  return true;
}

/// Merge.build + compute_output_shape for the element-wise merges.
void infer_elementwise(LayerCall& c) {
  if (!require_list_of_inputs(
          c,
          [&] {
            return fmt::format(
                "A merge layer should be called on a list of inputs. Received: "
                "input_shape={} (not a list of shapes)",
                to_string(c.inputs()));
          },
          [&] {
            return fmt::format(
                "A merge layer should be called on a list of at least 2 inputs. Got {} inputs.",
                c.input_count());
          })) {
    return;
  }
  if (!check_batch_sizes(c))
    return;
  Shape merged = without_batch(c.input(0));
  for (std::size_t i = 1; i < c.input_count(); ++i) {
    if (!broadcast_into(c, merged, without_batch(c.input(i))))
      return;
  }
  if (!merged.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  merged.dims().insert(merged.dims().begin(), merged_batch(c.inputs()));
  c.outputs = {merged};
}

// Mirrors keras/src/layers/merging/{add,multiply,average,maximum,minimum}.py (Merge base):
// output = (batch, *broadcast(shape_i[1:])).
void infer_add(LayerCall& c) {
  infer_elementwise(c);
}

// Mirrors keras/src/layers/merging/subtract.py Subtract.build: a Merge of exactly 2 inputs.
void infer_subtract(LayerCall& c) {
  infer_elementwise(c);
  if (c.failed() || c.input_count() == 2)
    return;
  c.outputs.clear();
  c.error(rule::kInputCount,
          fmt::format("A `Subtract` layer should be called on exactly 2 inputs. Received: "
                      "input_shape={}",
                      to_string(c.inputs())),
          "Subtract takes exactly two inputs (a - b)");
}

// ---------------------------------------------------------------------------------------------
// Concatenate

/// The index of the first input whose rank is known, if any.
std::optional<std::size_t> first_known_rank(const Shapes& inputs) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].has_rank())
      return i;
  }
  return std::nullopt;
}

bool check_concat_axis(LayerCall& c, std::int64_t axis) {
  for (std::size_t i = 0; i < c.input_count(); ++i) {
    const Shape& s = c.input(i);
    if (!s.has_rank() || s.has_axis(static_cast<std::ptrdiff_t>(axis)))
      continue;
    c.error(rule::kInvalidArgument,
            fmt::format("Invalid concatenation axis {} for input {} of rank {}. Received: "
                        "input_shape={}",
                        axis,
                        i,
                        s.rank(),
                        to_string(c.inputs())),
            fmt::format("use an axis between {} and {}",
                        -static_cast<std::int64_t>(s.rank()),
                        static_cast<std::int64_t>(s.rank()) - 1));
    return false;
  }
  return true;
}

/// Concatenate.build: with the concatenation axis removed, the ranks must agree and no axis may
/// hold two different known sizes (the batch axis included).
bool check_concat_shapes(LayerCall& c, std::int64_t axis) {
  auto message = [&] {  // made only for an error (require_list_of_inputs says why)
    return fmt::format(
        "A `Concatenate` layer requires inputs with matching shapes except for the "
        "concatenation axis. Received: input_shape={}",
        to_string(c.inputs()));
  };
  auto reference = first_known_rank(c.inputs());
  if (!reference)
    return true;
  const Shape& ref = c.input(*reference);
  const std::size_t concat_axis = ref.normalize(static_cast<std::ptrdiff_t>(axis));
  for (std::size_t i = 0; i < c.input_count(); ++i) {
    const Shape& s = c.input(i);
    if (!s.has_rank())
      continue;
    if (s.rank() != ref.rank()) {
      c.error(rule::kMergeMismatch,
              message(),
              fmt::format("input {} has rank {} but input {} has rank {}; give them the same rank",
                          i,
                          s.rank(),
                          *reference,
                          ref.rank()));
      return false;
    }
  }
  for (std::size_t k = 0; k < ref.rank(); ++k) {
    if (k == concat_axis)
      continue;
    std::optional<std::size_t> seen;
    for (std::size_t i = 0; i < c.input_count(); ++i) {
      const Shape& s = c.input(i);
      if (!s.has_rank() || !s.dims()[k].is_known())
        continue;
      if (!seen) {
        seen = i;
      } else if (s.dims()[k].conflicts_with(c.input(*seen).dims()[k])) {
        c.error(rule::kMergeMismatch,
                message(),
                fmt::format("axis {} is {} in input {} but {} in input {}; only axis {} may differ",
                            k,
                            to_string(c.input(*seen).dims()[k]),
                            *seen,
                            to_string(s.dims()[k]),
                            i,
                            axis));
        return false;
      }
    }
  }
  return true;
}

// Mirrors keras/src/layers/merging/concatenate.py Concatenate.compute_output_shape:
// output = shape_0 with shape_0[axis] = sum(shape_i[axis]) (None if any is None).
void infer_concatenate(LayerCall& c) {
  if (!require_list_of_inputs(
          c,
          [&] {
            return fmt::format(
                "A `Concatenate` layer should be called on a list of at least 1 input. "
                "Received: input_shape={}",
                to_string(c.inputs()));
          },
          [] {
            return std::string(
                "A `Concatenate` layer should be called on a list of at least 2 inputs");
          })) {
    return;
  }
  const std::int64_t axis = c.config().get_int("axis", -1);
  if (!check_concat_axis(c, axis) || !check_concat_shapes(c, axis))
    return;
  auto reference = first_known_rank(c.inputs());
  if (!reference) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  Shape out = c.input(*reference);
  Dim total = Dim::of(0);
  for (const auto& s : c.inputs()) {
    total = total + (s.has_rank() ? s.at(static_cast<std::ptrdiff_t>(axis)) : Dim::unknown());
  }
  out.at(static_cast<std::ptrdiff_t>(axis)) = total;
  c.outputs = {out};
}

// ---------------------------------------------------------------------------------------------
// Dot

/// `axes` as written: one int for both inputs, or a pair.
struct DotAxes {
  bool single = true;
  std::int64_t first = 0;
  std::int64_t second = 0;
};

std::string python_list(const std::vector<std::int64_t>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i)
    out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

/// Dot.__init__'s checks of `axes`; nullopt after an error, or after the getter reported a
/// malformed value.
std::optional<DotAxes> read_dot_axes(LayerCall& c) {
  JsonValue raw = c.config().raw("axes");
  if (!raw) {
    c.error(rule::kInvalidArgument,
            "Dot.__init__() missing 1 required positional argument: 'axes'",
            "give Dot the axes to contract, e.g. \"axes\": -1");
    return std::nullopt;
  }
  if (!raw->is_array()) {
    auto a = c.config().get_optional_int("axes");
    if (!a)
      return std::nullopt;
    return DotAxes{true, *a, *a};
  }
  auto list = c.config().get_int_list("axes");
  if (!list)
    return std::nullopt;
  if (list->size() != 2) {
    c.error(rule::kInvalidArgument,
            fmt::format("Invalid format for argument `axes`: it should contain two elements. "
                        "Received: axes={}",
                        python_list(*list)),
            "give one axis, or one axis per input");
    return std::nullopt;
  }
  return DotAxes{false, (*list)[0], (*list)[1]};
}

/// Python's `a % n` for n > 0 (always in [0, n)).
std::int64_t python_mod(std::int64_t a, std::int64_t n) {
  std::int64_t r = a % n;
  return r < 0 ? r + n : r;
}

/// The axis Keras indexes each input with: a single negative int wraps modulo the rank (so even
/// -5 on a rank-3 input is accepted); a pair is used as a Python index.
std::pair<std::int64_t, std::int64_t> resolve_dot_axes(const DotAxes& axes,
                                                       const Shape& a,
                                                       const Shape& b) {
  if (axes.single && axes.first < 0 && a.rank() > 0 && b.rank() > 0) {
    return {python_mod(axes.first, static_cast<std::int64_t>(a.rank())),
            python_mod(axes.first, static_cast<std::int64_t>(b.rank()))};
  }
  return {axes.first, axes.second};
}

bool check_dot_axis_in_range(LayerCall& c, std::int64_t axis, std::size_t input) {
  const Shape& s = c.input(input);
  if (s.has_axis(static_cast<std::ptrdiff_t>(axis)))
    return true;
  c.error(
      rule::kDotAxes,
      fmt::format("Invalid `axes` for `Dot`: axis {} is out of range for input {} of shape {}",
                  axis,
                  input,
                  to_string(s)),
      fmt::format("use an axis between 1 and {} for this input", s.rank() == 0 ? 0 : s.rank() - 1));
  return false;
}

/// `list.pop(index)` with Python's negative indices.
void python_pop(DimVector& v, std::int64_t index) {
  auto n = static_cast<std::int64_t>(v.size());
  if (index < 0)
    index += n;
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(index));
}

// Mirrors keras/src/layers/merging/dot.py Dot.build/compute_output_shape:
// output = a without axes[0] ++ b without axes[1] and batch; (batch,) becomes (batch, 1).
void infer_dot(LayerCall& c) {
  if (c.input_count() != 2) {
    c.error(rule::kInputCount,
            fmt::format("A `Dot` layer should be called on a list of 2 inputs. Received: "
                        "input_shape={}",
                        to_string(c.inputs())),
            "Dot takes exactly two inputs");
    return;
  }
  auto axes = read_dot_axes(c);
  const Shape& a = c.input(0);
  const Shape& b = c.input(1);
  if (!axes || !a.has_rank() || !b.has_rank()) {
    if (!c.failed())
      c.outputs = {Shape::unknown_rank()};
    return;
  }
  auto [axis_a, axis_b] = resolve_dot_axes(*axes, a, b);
  if (!check_dot_axis_in_range(c, axis_a, 0) || !check_dot_axis_in_range(c, axis_b, 1))
    return;
  Dim size_a = a.at(static_cast<std::ptrdiff_t>(axis_a));
  Dim size_b = b.at(static_cast<std::ptrdiff_t>(axis_b));
  // Keras compares with `!=`, so None against a known size is refused too.
  if (!(size_a == size_b)) {
    c.error(rule::kDotAxes,
            fmt::format("Incompatible input shapes: axis values {} (at axis {}) != {} (at axis "
                        "{}). Full input shapes: {}, {}",
                        to_string(size_a),
                        axis_a,
                        to_string(size_b),
                        axis_b,
                        to_string(a),
                        to_string(b)),
            size_a.is_known() && size_b.is_known()
                ? "choose axes whose sizes are equal in both inputs"
                : "Keras compares the two axis sizes when building: None only matches None, so "
                  "fix the unknown size or contract other axes");
    return;
  }
  DimVector left = a.dims();
  DimVector right = b.dims();
  python_pop(left, axis_a);
  python_pop(right, axis_b);
  if (right.empty()) {
    c.error(rule::kDotAxes,
            fmt::format("`Dot` needs a second input with a batch axis and another axis besides "
                        "the contracted one. Received: input_shape={}",
                        to_string(c.inputs())),
            "give the second input at least rank 2");
    return;
  }
  right.erase(right.begin());
  left.insert(left.end(), right.begin(), right.end());
  if (left.size() == 1)
    left.push_back(Dim::of(1));
  c.outputs = {Shape(std::move(left))};
}

constexpr LayerRule kRules[] = {
    {"__placeholder_merging__", nullptr},
    {"Add", infer_add, 1, kAnyCount},
    {"Subtract", infer_subtract, 1, kAnyCount},
    {"Multiply", infer_add, 1, kAnyCount},
    {"Average", infer_add, 1, kAnyCount},
    {"Maximum", infer_add, 1, kAnyCount},
    {"Minimum", infer_add, 1, kAnyCount},
    {"Concatenate", infer_concatenate, 1, kAnyCount},
    {"Dot", infer_dot, 1, kAnyCount},
};

}  // namespace

std::span<const LayerRule> merging_rules() {
  return std::span<const LayerRule>(kRules).subspan(1);
}

}  // namespace shapelint
