// Shape rules for the Keras reshaping layer family (keras/src/layers/reshaping/).
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

using Pairs = std::vector<std::pair<std::int64_t, std::int64_t>>;

// ---------------------------------------------------------------------------------------
// Python spellings, so that messages read exactly like Keras's.

/// repr() of a JSON value as Keras received it (lists stay lists, null is None).
std::string py_repr(JsonValue v) {
  if (v.is_null())
    return "None";
  if (v.is_boolean())
    return v.get<bool>() ? "True" : "False";
  if (v.is_string())
    return fmt::format("'{}'", v.get<std::string>());
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
      out += (i ? ", " : "") + py_repr(v[i]);
    return out + "]";
  }
  return v.dump();  // numbers: JSON and Python agree (1, 1.0, 1e-05)
}

std::string py_repr_of(const LayerConfig& config, std::string_view key) {
  JsonValue v = config.raw(key);
  return v ? py_repr(*v) : "None";
}

/// A Python tuple of ints or None (`std::nullopt`): "(5,)", "(-1, 7)", "()".
std::string py_tuple(const std::vector<std::optional<std::int64_t>>& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i ? ", " : "") + (values[i] ? std::to_string(*values[i]) : std::string("None"));
  return out + (values.size() == 1 ? ",)" : ")");
}

std::string py_pair(const std::pair<std::int64_t, std::int64_t>& p) {
  return fmt::format("({}, {})", p.first, p.second);
}

/// Cropping as Keras stores it: one pair for 1D, a tuple of pairs otherwise.
std::string py_pairs(const Pairs& pairs) {
  if (pairs.size() == 1)
    return py_pair(pairs[0]);
  std::string out = "(";
  for (std::size_t i = 0; i < pairs.size(); ++i)
    out += (i ? ", " : "") + py_pair(pairs[i]);
  return out + ")";
}

/// The non-batch part of a shape as Python prints `input_shape[1:]`.
std::string py_tail(const Shape& s) {
  std::vector<std::optional<std::int64_t>> values;
  for (std::size_t i = 1; i < s.rank(); ++i)
    values.push_back(s.dims()[i].is_known() ? std::optional(s.dims()[i].value()) : std::nullopt);
  return py_tuple(values);
}

const char* ordinal(std::size_t i) {
  static constexpr std::array<const char*, 3> kOrdinals{"1st", "2nd", "3rd"};
  return i < kOrdinals.size() ? kOrdinals[i] : "next";
}

// ---------------------------------------------------------------------------------------
// Shared checks.

bool reject_overflow(LayerCall& c, const Shape& out) {
  if (!out.overflowed())
    return true;
  c.error(rule::kDimOverflow,
          fmt::format("The output shape of layer \"{}\" does not fit in a 64-bit integer",
                      c.layer_name()),
          fmt::format("check the sizes in the config of '{}'", c.layer_name()));
  return false;
}

/// Keras's `argument_validation.standardize_tuple` message for values outside the allowed
/// range (`>= 0` for padding and cropping, `> 0` for sizes).
std::string bad_tuple_message(std::string_view name,
                              std::size_t n,
                              const std::string& received,
                              const std::vector<std::int64_t>& bad,
                              bool allow_zero) {
  std::string set;
  for (std::size_t i = 0; i < bad.size(); ++i)
    set += (i ? ", " : "") + std::to_string(bad[i]);
  return fmt::format(
      "The `{}` argument must be a tuple of {} integers. Received {}={}, including values {{{}}} "
      "that do not satisfy `value {}`",
      name,
      n,
      name,
      received,
      set,
      allow_zero ? ">= 0" : "> 0");
}

/// The distinct values of `values` below the allowed minimum, in ascending order.
std::vector<std::int64_t> out_of_range(std::vector<std::int64_t> values, bool allow_zero) {
  std::vector<std::int64_t> bad;
  for (auto v : values)
    if (allow_zero ? v < 0 : v <= 0)
      bad.push_back(v);
  std::sort(bad.begin(), bad.end());
  bad.erase(std::unique(bad.begin(), bad.end()), bad.end());
  return bad;
}

/// Where the spatial axes start: after the batch, and after the channels when they come first.
std::size_t first_spatial_axis(const LayerConfig& config) {
  return config.channels_first() ? 2 : 1;
}

// ---------------------------------------------------------------------------------------
// Flatten

// Mirrors keras/src/layers/reshaping/flatten.py: (batch, d1..dn) -> (batch, d1*...*dn);
// a rank-1 input gives (batch, 1); any unknown dim gives (batch, None). channels_first only
// reorders the elements.
void infer_flatten(LayerCall& c) {
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::of_rank(2)};
    return;
  }
  if (!c.require_min_rank(0, 1))
    return;
  Shape out{in.at(0), in.product(1)};
  if (!reject_overflow(c, out))
    return;
  c.input_specs = {InputSpec{.min_ndim = 1}};
  c.outputs = {std::move(out)};
}

// ---------------------------------------------------------------------------------------
// Reshape

/// `target_shape` as written: ints, or None for a size Keras leaves to run time.
std::optional<std::vector<std::optional<std::int64_t>>> read_target_shape(LayerCall& c) {
  JsonValue raw = c.config().raw("target_shape");
  if (!raw) {
    c.error(rule::kInvalidArgument,
            "Reshape.__init__() missing 1 required positional argument: 'target_shape'",
            fmt::format("set 'target_shape' in the config of '{}'", c.layer_name()));
    return std::nullopt;
  }
  // Not get_int_list: Keras 3 accepts None entries, which that getter refuses.
  std::vector<std::optional<std::int64_t>> target;
  if (raw->is_array()) {
    for (const auto& e : *raw) {
      if (e.is_null()) {
        target.emplace_back(std::nullopt);
      } else if (e.is_number_integer()) {
        target.emplace_back(e.get<std::int64_t>());
      } else {
        target.clear();
        break;
      }
    }
    if (target.size() == raw->size())
      return target;
  }
  c.config().report_bad_value("target_shape", "must be a list of integers");
  c.outputs = {Shape::unknown_rank()};
  return std::nullopt;
}

/// Keras 3's `validate_reshape_shape`; tf.keras 2 took any negative entry as the unknown one.
bool validate_target_shape(LayerCall& c, std::vector<std::optional<std::int64_t>>& target) {
  const std::string hint =
      fmt::format("use -1 for at most one dimension of the target_shape of '{}'", c.layer_name());
  int unknown = 0;
  for (auto& d : target) {
    if (!d || *d >= -1) {
      unknown += (d && *d == -1);
      continue;
    }
    if (c.keras3()) {
      c.error(rule::kInvalidArgument,
              fmt::format("Each dimension in `target_shape` must be a non-negative integer, or "
                          "`-1` for a single unknown dimension. Received: target_shape={}.",
                          py_tuple(target)),
              hint);
      return false;
    }
    d = -1;
    ++unknown;
  }
  if (unknown <= 1)
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("There must be at most one unknown dimension (-1) in `target_shape`. "
                      "Received: target_shape={}.",
                      py_tuple(target)),
          hint);
  return false;
}

/// The target with -1 (and None) as unknown dims, when the input size cannot resolve it.
DimVector unresolved_target(const std::vector<std::optional<std::int64_t>>& target) {
  DimVector dims;
  for (const auto& d : target)
    dims.push_back(d && *d >= 0 ? Dim::of(*d) : Dim::unknown());
  return dims;
}

/// Mirrors `operation_utils.compute_reshape_output_shape` for a fully known input tail.
std::optional<DimVector> resolve_target(LayerCall& c,
                                        const Shape& in,
                                        const std::vector<std::optional<std::int64_t>>& t) {
  const Dim input_size = in.product(1);
  if (input_size.overflowed()) {
    reject_overflow(c, Shape{input_size});
    return std::nullopt;
  }
  Dim known = Dim::of(1);
  std::optional<std::size_t> unknown_index;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (*t[i] == -1)
      unknown_index = i;
    else
      known = known * Dim::of(*t[i]);
  }
  const std::string hint =
      fmt::format("make the target_shape of '{}' hold {} elements, the size of its input {}",
                  c.layer_name(),
                  to_string(input_size),
                  py_tail(in));
  DimVector dims = unresolved_target(t);
  if (!unknown_index) {
    if (known == input_size)
      return dims;
    c.error(rule::kReshapeCount,
            fmt::format("The total size of the tensor must be unchanged. Received: "
                        "input_shape={}, target_shape={}",
                        py_tail(in),
                        py_tuple(t)),
            hint);
    return std::nullopt;
  }
  if (!known.is_known() || known.value() == 0 || input_size.value() % known.value() != 0) {
    c.error(rule::kReshapeCount,
            fmt::format("The total size of the tensor must be unchanged, however, the input size "
                        "cannot by divided by the specified dimensions in target_shape. "
                        "Received: input_shape={}, target_shape={}",
                        py_tail(in),
                        py_tuple(t)),
            hint);
    return std::nullopt;
  }
  dims[*unknown_index] = Dim::of(input_size.value() / known.value());
  return dims;
}

/// Every dim after the batch is known (Keras resolves -1 and checks the size only then).
bool tail_fully_known(const Shape& in) {
  if (!in.has_rank() || in.rank() == 0)
    return false;
  return std::all_of(in.dims().begin() + 1, in.dims().end(), [](Dim d) { return d.is_known(); });
}

// Mirrors keras/src/layers/reshaping/reshape.py: (batch, ...) -> (batch, *target_shape), the
// one -1 resolved from the input size when every input dim is known.
void infer_reshape(LayerCall& c) {
  auto target = read_target_shape(c);
  if (!target || !validate_target_shape(c, *target))
    return;
  const Shape& in = c.input();
  const bool has_none = std::any_of(target->begin(), target->end(), [](auto d) { return !d; });
  DimVector dims;
  if (has_none || !tail_fully_known(in)) {
    dims = unresolved_target(*target);
  } else {
    auto resolved = resolve_target(c, in, *target);
    if (!resolved)
      return;
    dims = std::move(*resolved);
  }
  dims.insert(dims.begin(), in.has_rank() && in.rank() > 0 ? in.at(0) : Dim::unknown());
  c.outputs = {Shape(std::move(dims))};
}

// ---------------------------------------------------------------------------------------
// Permute

/// `dims` must be a permutation of 1..n (checked in Permute.__init__).
bool validate_permutation(LayerCall& c, const std::vector<std::int64_t>& dims) {
  std::vector<std::int64_t> sorted = dims;
  std::sort(sorted.begin(), sorted.end());
  bool ok = true;
  for (std::size_t i = 0; i < sorted.size(); ++i)
    ok = ok && sorted[i] == static_cast<std::int64_t>(i + 1);
  if (ok)
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("Invalid permutation argument `dims` for Permute Layer. The set of indices "
                      "in `dims` must be consecutive and start from 1. Received dims={}",
                      py_repr_of(c.config(), "dims")),
          fmt::format("list each of the axes 1..{} exactly once in the dims of '{}'",
                      dims.size(),
                      c.layer_name()));
  return false;
}

// Mirrors keras/src/layers/reshaping/permute.py: output = (batch, input[dims[0]], ...);
// input spec ndim = len(dims) + 1.
void infer_permute(LayerCall& c) {
  if (!c.config().has("dims")) {
    c.error(rule::kInvalidArgument,
            "Permute.__init__() missing 1 required positional argument: 'dims'",
            fmt::format("set 'dims' in the config of '{}'", c.layer_name()));
    return;
  }
  auto dims = c.config().get_int_or_list("dims");
  if (!dims) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (!validate_permutation(c, *dims))
    return;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::of_rank(dims->size() + 1)};
    return;
  }
  if (!c.require_rank(0, dims->size() + 1))
    return;
  DimVector out{in.at(0)};
  for (std::int64_t d : *dims)
    out.push_back(in.at(d));
  c.input_specs = {InputSpec{.ndim = dims->size() + 1}};
  c.outputs = {Shape(std::move(out))};
}

// ---------------------------------------------------------------------------------------
// RepeatVector

// Mirrors keras/src/layers/reshaping/repeat_vector.py: (batch, d) -> (batch, n, d).
void infer_repeat_vector(LayerCall& c) {
  if (!c.config().has("n")) {
    c.error(rule::kInvalidArgument,
            "RepeatVector.__init__() missing 1 required positional argument: 'n'",
            fmt::format("set 'n' in the config of '{}'", c.layer_name()));
    return;
  }
  auto n = c.config().get_optional_int("n");
  if (!n) {
    c.outputs = {Shape::of_rank(3)};
    return;
  }
  if (*n <= 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("Argument `n` should be a positive integer. Received: n={}", *n),
            fmt::format("give '{}' a positive n", c.layer_name()));
    return;
  }
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape{Dim::unknown(), Dim::of(*n), Dim::unknown()}};
    return;
  }
  if (!c.require_rank(0, 2))
    return;
  c.input_specs = {InputSpec{.ndim = 2}};
  c.outputs = {Shape{in.at(0), Dim::of(*n), in.at(1)}};
}

// ---------------------------------------------------------------------------------------
// ZeroPadding1D/2D/3D and Cropping1D/2D/3D

/// How a padding/cropping argument of a rank-N layer is read and validated.
struct PairArgument {
  std::string_view key;   ///< "padding" or "cropping"
  std::size_t rank;       ///< number of spatial axes
  std::int64_t fallback;  ///< Keras's default, the same on every side
  /// Keras 3's Cropping2D/3D check a bare int themselves; ZeroPadding2D/3D do not check it.
  bool validates_bare_int;
};

/// Keras's message for the first negative entry, following how Keras parsed the argument.
std::string negative_pair_message(const PairArgument& arg, JsonValue raw) {
  auto ints_of = [](JsonValue v) {
    std::vector<std::int64_t> out;
    if (v.is_number_integer())
      return std::vector<std::int64_t>{v.get<std::int64_t>()};
    for (const auto& e : v)
      if (e.is_number_integer())
        out.push_back(e.get<std::int64_t>());
    return out;
  };
  if (raw.is_number_integer() && arg.rank > 1)
    return fmt::format(
        "`{}` cannot be negative. Received: {}={}.", arg.key, arg.key, raw.get<std::int64_t>());
  if (arg.rank == 1 || !raw.is_array())
    return bad_tuple_message(arg.key, 2, py_repr(raw), out_of_range(ints_of(raw), true), true);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto bad = out_of_range(ints_of(raw[i]), true);
    if (bad.empty())
      continue;
    return bad_tuple_message(
        fmt::format("{} entry of {}", ordinal(i), arg.key), 2, py_repr(raw[i]), bad, true);
  }
  return fmt::format("`{}` cannot be negative.", arg.key);
}

/// The per-axis (before, after) amounts, or nullopt after reporting.
std::optional<Pairs> read_pairs(LayerCall& c, const PairArgument& arg) {
  if (!c.config().has(arg.key))
    return Pairs(arg.rank, {arg.fallback, arg.fallback});
  auto pairs = c.config().get_pairs(arg.key, arg.rank);
  if (!pairs) {
    c.outputs = {Shape::of_rank(arg.rank + 2)};
    return std::nullopt;
  }
  JsonValue raw = *c.config().raw(arg.key);
  const bool bare_int = raw.is_number_integer();
  const bool negative = std::any_of(
      pairs->begin(), pairs->end(), [](const auto& p) { return p.first < 0 || p.second < 0; });
  if (negative && (!bare_int || arg.rank == 1 || arg.validates_bare_int)) {
    c.error(rule::kInvalidArgument,
            negative_pair_message(arg, raw),
            fmt::format("use non-negative {} amounts in '{}'", arg.key, c.layer_name()));
    return std::nullopt;
  }
  return pairs;
}

/// Spatial axis `i` of an input of rank `arg.rank + 2`.
std::size_t spatial_axis(const LayerConfig& config, std::size_t i) {
  return first_spatial_axis(config) + i;
}

// Mirrors keras/src/layers/reshaping/zero_padding{1,2,3}d.py: each spatial dim grows by
// before + after; input spec ndim = N + 2.
template <std::size_t N>
void infer_zero_padding(LayerCall& c) {
  const auto pairs = read_pairs(c, {"padding", N, 1, false});
  if (!pairs)
    return;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::of_rank(N + 2)};
    return;
  }
  if (!c.require_rank(0, N + 2))
    return;
  Shape out = in;
  for (std::size_t i = 0; i < N; ++i) {
    Dim& d = out.dims()[spatial_axis(c.config(), i)];
    d = d + (*pairs)[i].first + (*pairs)[i].second;
  }
  if (!reject_overflow(c, out))
    return;
  // Only a negative bare-int padding, which Keras does not validate, can get here.
  if (!c.require_positive(out, [&] {
        return std::pair{fmt::format("ZeroPadding{}D layer \"{}\" with padding {} gives the "
                                     "non-positive output shape {}",
                                     N,
                                     c.layer_name(),
                                     py_pairs(*pairs),
                                     to_string(out)),
                         fmt::format("use non-negative padding in '{}'", c.layer_name())};
      }))
    return;
  c.input_specs = {InputSpec{.ndim = N + 2}};
  c.outputs = {std::move(out)};
}

/// Keras's error for a crop that leaves nothing; Keras 3 raises it, and an empty tensor is
/// useless to every later layer anyway.
void report_over_crop(LayerCall& c, std::size_t rank, const Pairs& pairs) {
  const std::string message =
      rank == 1 ? fmt::format(
                      "`cropping` parameter of `Cropping1D` layer must be smaller than "
                      "the input length. Received: input_shape={}, cropping={}",
                      to_string(c.input()),
                      py_pairs(pairs))
                : fmt::format(
                      "Values in `cropping` argument should be smaller than the "
                      "corresponding spatial dimension of the input. Received: "
                      "input_shape={}, cropping={}",
                      to_string(c.input()),
                      py_pairs(pairs));
  c.error(rule::kNonPositiveDim,
          message,
          fmt::format("crop less in '{}' or feed it a larger input", c.layer_name()));
}

// Mirrors keras/src/layers/reshaping/cropping{1,2,3}d.py: each spatial dim shrinks by
// before + after and must stay >= 1; input spec ndim = N + 2. Cropping1D has no
// data_format.
template <std::size_t N>
void infer_cropping(LayerCall& c) {
  const auto pairs = read_pairs(c, {"cropping", N, N == 2 ? 0 : 1, true});
  if (!pairs)
    return;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::of_rank(N + 2)};
    return;
  }
  if (!c.require_rank(0, N + 2))
    return;
  const std::size_t first = N == 1 ? 1 : first_spatial_axis(c.config());
  Shape out = in;
  for (std::size_t i = 0; i < N; ++i) {
    Dim& d = out.dims()[first + i];
    d = d - (*pairs)[i].first - (*pairs)[i].second;
    if (d.is_known() && d.value() < 1) {
      report_over_crop(c, N, *pairs);
      return;
    }
  }
  if (!reject_overflow(c, out))
    return;
  c.input_specs = {InputSpec{.ndim = N + 2}};
  c.outputs = {std::move(out)};
}

// ---------------------------------------------------------------------------------------
// UpSampling1D/2D/3D

/// `size`: a positive int for 1D (Keras 3 checks the type), an int or N positive ints
/// otherwise. Nullopt after reporting, or when the getter reported a wrong type.
std::optional<std::vector<std::int64_t>> read_size(LayerCall& c, std::size_t n) {
  std::vector<std::int64_t> size;
  if (n == 1) {
    auto one = c.config().get_optional_int("size");
    if (c.config().has("size") && !one) {
      c.outputs = {Shape::of_rank(n + 2)};
      return std::nullopt;
    }
    size = {one.value_or(2)};
  } else {
    size = c.config().get_int_tuple("size", n, 2);
  }
  const auto bad = out_of_range(size, false);
  if (bad.empty())
    return size;
  const std::string received = py_repr_of(c.config(), "size");
  c.error(rule::kInvalidArgument,
          n == 1 ? fmt::format("Argument `size` should be a positive integer. Received: size={}",
                               received)
                 : bad_tuple_message("size", n, received, bad, false),
          fmt::format("use positive sizes in '{}'", c.layer_name()));
  return std::nullopt;
}

// Mirrors keras/src/layers/reshaping/up_sampling{1,2,3}d.py: each spatial dim is multiplied
// by its size; input spec ndim = N + 2. UpSampling1D has no data_format.
template <std::size_t N>
void infer_up_sampling(LayerCall& c) {
  const auto size = read_size(c, N);
  if (!size)
    return;
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::of_rank(N + 2)};
    return;
  }
  if (!c.require_rank(0, N + 2))
    return;
  const std::size_t first = N == 1 ? 1 : first_spatial_axis(c.config());
  Shape out = in;
  for (std::size_t i = 0; i < N; ++i)
    out.dims()[first + i] = out.dims()[first + i] * (*size)[i];
  if (!reject_overflow(c, out))
    return;
  c.input_specs = {InputSpec{.ndim = N + 2}};
  c.outputs = {std::move(out)};
}

constexpr LayerRule kRules[] = {
    {"Flatten", infer_flatten},
    {"Reshape", infer_reshape},
    {"Permute", infer_permute},
    {"RepeatVector", infer_repeat_vector},
    {"ZeroPadding1D", infer_zero_padding<1>},
    {"ZeroPadding2D", infer_zero_padding<2>},
    {"ZeroPadding3D", infer_zero_padding<3>},
    {"Cropping1D", infer_cropping<1>},
    {"Cropping2D", infer_cropping<2>},
    {"Cropping3D", infer_cropping<3>},
    {"UpSampling1D", infer_up_sampling<1>},
    {"UpSampling2D", infer_up_sampling<2>},
    {"UpSampling3D", infer_up_sampling<3>},
};

}  // namespace

std::span<const LayerRule> reshaping_rules() {
  return kRules;
}

}  // namespace shapelint
