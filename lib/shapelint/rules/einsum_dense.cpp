// EinsumDense (keras/src/layers/core/einsum_dense.py), a core layer: Keras's analysis of the
// equation, shared with the attention layers through einsum.hpp.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/einsum.hpp"
#include "shapelint/rules/layer_checks.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace einsum {

namespace {

/// The three specs of an equation and where its ellipsis sits.
struct Split {
  std::string input;
  std::string weight;
  std::string output;
  bool left_elided = false;
  bool right_elided = false;
};

bool is_ascii_letter(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/// A cursor over the equation with "..." replaced by "0", as Keras's `re.sub` does. Matching
/// is anchored at the start only, like `re.match`: trailing text is ignored.
class Cursor {
 public:
  explicit Cursor(const std::string& text) : text_(text) {}

  std::string letters() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_ascii_letter(text_[pos_]))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool literal(std::string_view lit) {
    if (text_.compare(pos_, lit.size(), lit) != 0)
      return false;
    pos_ += lit.size();
    return true;
  }

 private:
  const std::string& text_;
  std::size_t pos_ = 0;
};

std::string replace_ellipses(std::string_view equation) {
  std::string out;
  for (std::size_t i = 0; i < equation.size();) {
    if (equation.substr(i, 3) == "...") {
      out += '0';
      i += 3;
    } else {
      out += equation[i++];
    }
  }
  return out;
}

/// "([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)" with the given prefix, infix and suffix literals.
std::optional<Split> match(const std::string& text,
                           std::string_view prefix,
                           std::size_t min_input_letters,
                           std::string_view after_input,
                           std::string_view arrow,
                           std::string_view suffix) {
  Cursor cur(text);
  Split s;
  if (!cur.literal(prefix))
    return std::nullopt;
  s.input = cur.letters();
  if (s.input.size() < min_input_letters || !cur.literal(after_input))
    return std::nullopt;
  s.weight = cur.letters();
  if (s.weight.empty() || !cur.literal(arrow))
    return std::nullopt;
  s.output = cur.letters();
  if (s.output.empty() || !cur.literal(suffix))
    return std::nullopt;
  return s;
}

std::optional<Split> split_equation(std::string_view equation) {
  const std::string text = replace_ellipses(equation);
  if (auto s = match(text, "", 1, ",", "->", ""))
    return s;
  if (auto s = match(text, "0", 1, ",", "->0", "")) {
    s->left_elided = true;
    return s;
  }
  if (auto s = match(text, "", 2, "0,", "->", "0")) {
    s->right_elided = true;
    return s;
  }
  return std::nullopt;
}

/// Python's `seq[i]`: negative indices count from the end.
std::optional<Dim> py_index(const DimVector& seq, std::ptrdiff_t i) {
  auto n = static_cast<std::ptrdiff_t>(seq.size());
  if (i < -n || i >= n)
    return std::nullopt;
  return seq[static_cast<std::size_t>(i < 0 ? i + n : i)];
}

/// `{dim: index for i, dim in enumerate(spec)}`: a repeated letter keeps its last index.
std::map<char, std::ptrdiff_t> index_map(const std::string& spec, std::ptrdiff_t offset) {
  std::map<char, std::ptrdiff_t> out;
  for (std::size_t i = 0; i < spec.size(); ++i)
    out[spec[i]] = static_cast<std::ptrdiff_t>(i) + offset;
  return out;
}

bool contains(const std::string& spec, char ch) {
  return spec.find(ch) != std::string::npos;
}

Analysis fail(std::string message, std::string_view rule_id, bool python_error = false) {
  Analysis a;
  a.error = std::move(message);
  a.rule_id = rule_id;
  a.python_error = python_error;
  return a;
}

Analysis index_error(bool tuple) {
  return fail(
      tuple ? "tuple index out of range" : "list index out of range", rule::kInputRank, true);
}

/// The full output shape Keras computes: batch, partial output, elided dims.
DimVector full_output(const Split& s,
                      const DimVector& in,
                      const DimVector& partial,
                      std::ptrdiff_t elided) {
  DimVector out(partial);
  out.insert(out.begin(), in[0]);
  if (elided > 0 && s.left_elided) {
    // Each elided dim is inserted at position 1, so they end up reversed (Keras's own order).
    for (std::ptrdiff_t i = 1; i < elided; ++i)
      out.insert(out.begin() + 1, in[static_cast<std::size_t>(i)]);
  } else if (elided > 0) {
    for (auto i = static_cast<std::ptrdiff_t>(in.size()) - elided;
         i < static_cast<std::ptrdiff_t>(in.size());
         ++i)
      out.push_back(in[static_cast<std::size_t>(i)]);
  }
  return out;
}

/// What `tf.einsum` produces: letters sized from the input, or from the kernel; the
/// ellipsis stands for the dims the specs do not name.
std::optional<Shape> traced(const Split& s, const DimVector& in, const Shape& kernel) {
  const std::size_t spec = s.input.size();
  const bool elided = s.left_elided || s.right_elided;
  if (in.size() < spec || (!elided && in.size() != spec))
    return std::nullopt;
  const std::size_t lead = s.left_elided ? in.size() - spec : 0;
  DimVector out(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(lead));
  for (char ch : s.output) {
    if (auto pos = s.input.find(ch); pos != std::string::npos)
      out.push_back(in[lead + pos]);
    else
      out.push_back(kernel.dims()[s.weight.find(ch)]);
  }
  if (s.right_elided)
    out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(spec), in.end());
  return Shape(std::move(out));
}

}  // namespace

Analysis analyze(std::string_view equation,
                 const std::optional<std::string>& bias_axes,
                 const Shape& input,
                 const DimVector& partial_output) {
  auto split = split_equation(equation);
  if (!split)
    return fail(fmt::format("Invalid einsum equation '{}'. Equations must be in the form "
                            "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....",
                            equation),
                rule::kInvalidArgument);
  const Split& s = *split;
  const DimVector& in = input.dims();
  if (in.empty())
    return index_error(true);
  const auto n = static_cast<std::ptrdiff_t>(in.size());
  const std::ptrdiff_t elided = n - static_cast<std::ptrdiff_t>(s.input.size());
  DimVector out = full_output(s, in, partial_output, elided);
  const auto input_map = index_map(s.input, s.left_elided ? elided - n : 0);
  const auto output_map = index_map(s.output, s.left_elided ? elided : 0);

  for (char ch : s.input) {
    auto in_dim = py_index(in, input_map.at(ch));
    if (!in_dim)
      return index_error(true);
    auto it = output_map.find(ch);
    if (it == output_map.end())
      continue;
    auto out_dim = py_index(out, it->second);
    if (!out_dim)
      return index_error(false);
    // Python's `!=`: a known output size differs from an unknown input size too.
    if (out_dim->is_known() && !(in_dim->is_known() && in_dim->value() == out_dim->value()))
      return fail(fmt::format("Input shape and output shape do not match at shared dimension "
                              "'{}'. Input shape is {}, and output shape is {}.",
                              ch,
                              to_string(*in_dim),
                              to_string(*out_dim)),
                  rule::kInputAxis);
  }
  for (char ch : s.output)
    if (!contains(s.input, ch) && !contains(s.weight, ch))
      return fail(fmt::format("Dimension '{}' was specified in the output '{}' but has no "
                              "corresponding dim in the input spec '{}' or weight spec '{}'",
                              ch,
                              s.output,
                              s.input,
                              s.output),
                  rule::kInvalidArgument);

  DimVector kernel;
  for (char ch : s.weight) {
    std::optional<Dim> d;
    if (auto it = output_map.find(ch); it != output_map.end()) {
      if (!(d = py_index(out, it->second)))
        return index_error(false);
    } else if (auto jt = input_map.find(ch); jt != input_map.end()) {
      if (!(d = py_index(in, jt->second)))
        return index_error(true);
    } else {
      return fail(fmt::format("Weight dimension '{}' did not have a match in either the input "
                              "spec '{}' or the output spec '{}'. For this layer, the weight "
                              "must be fully specified.",
                              ch,
                              s.input,
                              s.output),
                  rule::kInvalidArgument);
    }
    kernel.push_back(*d);
  }

  Analysis a;
  a.kernel = Shape(kernel);
  if (bias_axes) {
    const std::ptrdiff_t left = s.left_elided ? elided : 0;
    std::map<char, Dim> sizes;
    for (std::size_t i = 0; i < s.output.size(); ++i) {
      auto d = py_index(out, static_cast<std::ptrdiff_t>(i) + left);
      if (!d)
        return index_error(false);
      sizes[s.output[i]] = *d;
    }
    for (char ch : *bias_axes)
      if (!contains(s.output, ch))
        return fail(fmt::format("Bias dimension '{}' was requested, but is not part of the "
                                "output spec '{}'",
                                ch,
                                s.output),
                    rule::kInvalidArgument);
    if (bias_axes->empty())
      return fail("min() arg is an empty sequence", rule::kInvalidArgument, true);
    std::size_t first = s.output.size();
    for (char ch : *bias_axes)
      first = std::min(first, s.output.find(ch));
    DimVector bias;
    for (char ch : s.output.substr(first))
      bias.push_back(contains(*bias_axes, ch) ? sizes.at(ch) : Dim::of(1));
    if (!s.left_elided)
      for (std::ptrdiff_t i = 0; i < elided; ++i)
        bias.push_back(Dim::of(1));
    a.bias = Shape(std::move(bias));
  }
  a.output = Shape(out);
  a.traced_output = traced(s, in, a.kernel);
  return a;
}

bool add_weights(LayerCall& c, std::string_view prefix, const Analysis& a) {
  auto path = [&](std::string_view weight) {
    return prefix.empty() ? std::string(weight) : fmt::format("{}/{}", prefix, weight);
  };
  const std::string hint = fmt::format(
      "every size a weight of '{}' takes from the input or from output_shape must be known",
      c.layer_name());
  if (!require_defined_variable(c, path("kernel"), a.kernel, hint))
    return false;
  c.add_weight(path("kernel"), a.kernel);
  if (a.bias) {
    if (!require_defined_variable(c, path("bias"), *a.bias, hint))
      return false;
    c.add_weight(path("bias"), *a.bias);
  }
  return true;
}

ProjectionEquation projection_equation(std::size_t free, std::size_t bound, std::size_t out) {
  auto letter = [](std::size_t i) { return static_cast<char>('a' + i); };
  std::string input, kernel, output, bias;
  for (std::size_t i = 0; i < free; ++i) {
    input += letter(i);
    output += letter(i);
  }
  for (std::size_t i = 0; i < bound; ++i) {
    input += letter(free + i);
    kernel += letter(free + i);
  }
  for (std::size_t i = 0; i < out; ++i) {
    kernel += letter(free + bound + i);
    output += letter(free + bound + i);
    bias += letter(free + bound + i);
  }
  return ProjectionEquation{
      fmt::format("{},{}->{}", input, kernel, output), std::move(bias), output.size()};
}

}  // namespace einsum

namespace {

/// LoRA (Keras 3 `lora_rank`): the kernel is frozen and two trainable factors are added,
/// `kernel.shape[:-1] + (rank,)` and `(rank, kernel.shape[-1])`.
void add_lora_factors(LayerCall& c, const Shape& kernel) {
  if (!c.keras3())
    return;
  auto rank = c.config().get_optional_int("lora_rank");
  if (!rank || *rank == 0 || !kernel.has_rank() || kernel.rank() == 0)
    return;
  c.weights.front().trainable = false;
  DimVector a(kernel.dims().begin(), kernel.dims().end() - 1);
  a.push_back(Dim::of(*rank));
  c.add_weight("lora_kernel_a", Shape(std::move(a)));
  c.add_weight("lora_kernel_b", Shape{Dim::of(*rank), kernel.dims().back()});
}

// Mirrors keras/src/layers/core/einsum_dense.py: output = (batch,) + output_shape + elided
// dims; kernel sized per weight letter from the output or the input; bias over bias_axes.
void infer_einsum_dense(LayerCall& c) {
  if (!require_arguments(c, "EinsumDense", {"equation", "output_shape"}))
    return;
  auto equation = c.config().get_optional_string("equation");
  auto partial = c.config().get_shape("output_shape");
  auto bias_axes = c.config().get_optional_string("bias_axes");
  const Shape& in = c.input();
  if (!equation || !partial || !in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    c.add_weight("kernel", Shape::unknown_rank());
    return;
  }
  einsum::Analysis a = einsum::analyze(*equation, bias_axes, in, partial->dims());
  if (!a.error.empty()) {
    c.error(a.rule_id,
            a.error,
            a.python_error
                ? fmt::format(
                      "the equation '{}' does not fit the input shape {}", *equation, to_string(in))
                : fmt::format("check the equation '{}' of '{}' against its input "
                              "and output_shape",
                              *equation,
                              c.layer_name()));
    return;
  }
  if (!einsum::add_weights(c, "", a))
    return;
  add_lora_factors(c, a.kernel);
  c.input_specs = {InputSpec{.ndim = in.rank()}};
  if (c.keras3()) {
    c.outputs = {a.output};
    return;
  }
  if (!a.traced_output) {
    c.error(rule::kInputRank,
            fmt::format("The einsum equation '{}' does not fit an input of rank {}: {}",
                        *equation,
                        in.rank(),
                        to_string(in)),
            fmt::format("give '{}' an input of the rank its equation names", c.layer_name()));
    return;
  }
  c.outputs = {*a.traced_output};
}

constexpr LayerRule kRules[] = {
    {"EinsumDense", infer_einsum_dense},
};

}  // namespace

std::span<const LayerRule> einsum_dense_rules() {
  return kRules;
}

}  // namespace shapelint
