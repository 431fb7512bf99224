// Shape rules for the Keras attention family (keras/src/layers/attention/): MultiHeadAttention,
// GroupQueryAttention, Attention and AdditiveAttention.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/einsum.hpp"
#include "shapelint/rules/layer_checks.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

/// A call argument that is not a tensor (`return_attention_scores=True`), as the node
/// passes it; hand-written files sometimes put it in the layer config instead.
bool call_flag(const LayerCall& c, std::string_view name) {
  if (JsonValue v = c.call_argument(name); v && v->is_boolean())
    return v->get<bool>();
  return c.config().get_bool(name, false);
}

/// The tensor passed as `name`, positionally (index `position`) or as a keyword.
const Shape* operand(const LayerCall& c, std::size_t position, std::string_view name) {
  if (position < c.input_count())
    return &c.input(position);
  const Shapes* kw = c.kwarg(name);
  return kw && !kw->empty() ? &kw->front() : nullptr;
}

/// `shape[from:to]` as Python slices it (to = rank - 1 for `[1:-1]`).
DimVector middle_dims(const Shape& s) {
  if (s.rank() < 2)
    return {};
  return DimVector(s.dims().begin() + 1, s.dims().end() - 1);
}

/// Keras 3 compares `value_shape[1:-1] != key_shape[1:-1]` as Python tuples, so a None
/// facing a size differs; tf.keras 2 only failed when the einsum met two different sizes.
bool key_fits_value(const LayerCall& c, const Shape& value, const Shape& key) {
  auto v = middle_dims(value), k = middle_dims(key);
  if (v.size() != k.size())
    return false;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (c.keras3() ? !(v[i] == k[i]) : v[i].conflicts_with(k[i]))
      return false;
  return true;
}

bool check_key_and_value(LayerCall& c, const Shape& value, const Shape& key) {
  if (key_fits_value(c, value, key))
    return true;
  c.error(rule::kMergeMismatch,
          fmt::format("All dimensions of `value` and `key`, except the last one, must be equal. "
                      "Received: value_shape={} and key_shape={}",
                      to_string(value),
                      to_string(key)),
          "give the key the value's shape on every axis but the last");
  return false;
}

bool positive_argument(LayerCall& c,
                       std::string_view key,
                       std::int64_t value,
                       std::string_view expectation) {
  if (value > 0)
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("Received an invalid value for argument `{}`, expected {}. Received: "
                      "{}={}",
                      key,
                      expectation,
                      key,
                      value),
          fmt::format("give '{}' a positive {}", c.layer_name(), key));
  return false;
}

bool check_sliding_window(LayerCall& c) {
  auto window = c.config().get_optional_int("sliding_window");
  if (!c.keras3() || !window || *window > 0)
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("`sliding_window` must be `None` or a positive integer. Received: "
                      "sliding_window={}",
                      *window),
          fmt::format("give '{}' a positive sliding_window or none", c.layer_name()));
  return false;
}

/// Flash attention has no dropout (Keras 3 raises in the constructor).
bool check_flash_dropout(LayerCall& c) {
  if (!c.keras3() || !c.config().get_bool("flash_attention", false) ||
      c.config().get_float("dropout", 0.0) <= 0.0)
    return true;
  c.error(rule::kInvalidArgument,
          "Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 "
          "to use flash attention.",
          fmt::format("set dropout=0.0 on '{}' or turn flash_attention off", c.layer_name()));
  return false;
}

/// An EinsumDense sublayer (a projection) built on `in`: its weights are added under
/// `name/`. Errors only arise while building; nullopt after reporting one.
std::optional<einsum::Analysis> build_projection(LayerCall& c,
                                                 std::string_view name,
                                                 const std::string& equation,
                                                 std::optional<std::string> bias_axes,
                                                 const Shape& in,
                                                 const DimVector& partial_output) {
  einsum::Analysis a = einsum::analyze(equation, bias_axes, in, partial_output);
  if (!a.error.empty()) {
    if (!c.building())
      return std::nullopt;
    c.error(a.rule_id,
            a.error,
            fmt::format("the {} projection of '{}' cannot take an input of shape {}",
                        name,
                        c.layer_name(),
                        to_string(in)));
    return std::nullopt;
  }
  if (!einsum::add_weights(c, name, a))
    return std::nullopt;
  return a;
}

// ---- MultiHeadAttention ------------------------------------------------------------------

struct MhaArgs {
  std::int64_t heads = 1;
  std::int64_t key_dim = 1;
  std::int64_t value_dim = 1;
  bool use_bias = true;
  bool use_gate = false;
  /// `output_shape` when given (Python truthiness: 0 and [] mean not given).
  DimVector output_shape;
  std::vector<std::int64_t> attention_axes;
  bool has_attention_axes = false;
};

std::optional<MhaArgs> read_mha_args(LayerCall& c) {
  if (!require_arguments(c, "MultiHeadAttention", {"num_heads", "key_dim"}))
    return std::nullopt;
  auto heads = c.config().get_optional_int("num_heads");
  auto key_dim = c.config().get_optional_int("key_dim");
  auto value_dim = c.config().get_optional_int("value_dim");
  if (!heads || !key_dim)
    return std::nullopt;
  if (c.keras3()) {
    // tf.keras 2 accepted any value here.
    if (!positive_argument(c, "num_heads", *heads, "a positive integer") ||
        !positive_argument(c, "key_dim", *key_dim, "a positive integer") ||
        (value_dim &&
         !positive_argument(c, "value_dim", *value_dim, "a positive integer or `None`")))
      return std::nullopt;
  }
  if (!check_sliding_window(c) || !check_flash_dropout(c))
    return std::nullopt;
  MhaArgs args;
  args.heads = *heads;
  args.key_dim = *key_dim;
  args.value_dim = value_dim && *value_dim != 0 ? *value_dim : *key_dim;
  args.use_bias = c.config().get_bool("use_bias", true);
  args.use_gate = c.config().get_bool("use_gate", false);
  // Python truthiness: `output_shape=0` and `[]` mean "the query's feature size".
  JsonValue raw_out = c.config().raw("output_shape");
  const bool given = raw_out && !(raw_out->is_number() && *raw_out == 0) &&
                     !(raw_out->is_array() && raw_out->empty());
  if (auto out = given ? c.config().get_shape("output_shape") : std::nullopt)
    args.output_shape = out->dims();
  if (auto axes = c.config().get_int_or_list("attention_axes")) {
    args.attention_axes = *axes;
    args.has_attention_axes = !axes->empty();
  }
  return args;
}

/// `_get_output_shape(rank, known)`: Nones, then the known trailing sizes.
DimVector trailing_output(std::size_t rank, const DimVector& known) {
  DimVector out(rank > known.size() ? rank - known.size() : 0, Dim::unknown());
  out.insert(out.end(), known.begin(), known.end());
  return out;
}

/// One input projection: (..., features) -> (..., heads, size).
std::optional<einsum::Analysis> mha_projection(LayerCall& c,
                                               std::string_view name,
                                               const Shape& in,
                                               std::int64_t heads,
                                               std::int64_t size,
                                               bool use_bias) {
  auto eq = einsum::projection_equation(in.rank() - 1, 1, 2);
  return build_projection(c,
                          name,
                          eq.equation,
                          use_bias ? std::optional(eq.bias_axes) : std::nullopt,
                          in,
                          trailing_output(eq.output_rank - 1, {Dim::of(heads), Dim::of(size)}));
}

/// `_build_attention`: np.delete(range(rank), attention_axes + (rank - 1,)) rejects an axis
/// outside the projected rank with numpy's IndexError.
bool check_attention_axes(LayerCall& c, const MhaArgs& args, std::size_t rank) {
  if (!args.has_attention_axes || !c.building())
    return true;
  const auto r = static_cast<std::int64_t>(rank);
  std::vector<std::int64_t> indices;
  for (auto axis : args.attention_axes)
    indices.push_back(axis >= 0 ? axis : (r - 1) + axis);
  indices.push_back(r - 1);
  for (auto i : indices) {
    if (i >= -r && i < r)
      continue;
    c.error(rule::kInvalidArgument,
            fmt::format("index {} is out of bounds for axis 0 with size {}", i, r),
            fmt::format("attention_axes of '{}' must name axes of its rank-{} inputs, between "
                        "1 and {}",
                        c.layer_name(),
                        rank - 1,
                        rank - 3));
    return false;
  }
  return true;
}

/// Every projection and the output projection, as `MultiHeadAttention.build`.
bool build_mha(
    LayerCall& c, const MhaArgs& args, const Shape& query, const Shape& value, const Shape& key) {
  if (query.rank() == 0 || value.rank() == 0 || key.rank() == 0) {
    c.error(rule::kInputRank,
            "tuple index out of range",
            fmt::format("give every input of '{}' a batch axis", c.layer_name()));
    return false;
  }
  auto q = mha_projection(c, "query", query, args.heads, args.key_dim, args.use_bias);
  if (!q || !mha_projection(c, "key", key, args.heads, args.key_dim, args.use_bias))
    return false;
  if (args.use_gate && !mha_projection(c, "gate", query, args.heads, args.value_dim, args.use_bias))
    return false;
  auto v = mha_projection(c, "value", value, args.heads, args.value_dim, args.use_bias);
  if (!v || !check_attention_axes(c, args, v->output.rank()))
    return false;
  DimVector out_tail = args.output_shape;
  if (out_tail.empty())
    out_tail = {query.at(-1)};
  auto eq = einsum::projection_equation(query.rank() - 1, 2, out_tail.size());
  Shape combined = q->output;
  combined.at(-1) = Dim::of(args.value_dim);
  return build_projection(c,
                          "attention_output",
                          eq.equation,
                          args.use_bias ? std::optional(eq.bias_axes) : std::nullopt,
                          combined,
                          trailing_output(eq.output_rank - 1, out_tail))
      .has_value();
}

/// tf.keras 2 returns the scores the einsum computes: (batch dims, heads, query attention
/// dims, key attention dims) over the projected tensors.
Shape traced_mha_scores(const MhaArgs& args, const Shape& query, const Shape& key) {
  const std::size_t rank = query.rank() + 1;
  std::vector<std::size_t> attn;
  if (args.has_attention_axes) {
    for (auto a : args.attention_axes)
      attn.push_back(
          static_cast<std::size_t>(a >= 0 ? a : static_cast<std::int64_t>(rank) - 1 + a));
  } else {
    for (std::size_t i = 1; i + 2 < rank; ++i)
      attn.push_back(i);
  }
  auto projected = [&](const Shape& s, std::size_t i) {
    if (i + 2 == rank)
      return Dim::of(args.heads);
    return i < s.rank() - 1 ? s.dims()[i] : Dim::unknown();
  };
  DimVector out;
  for (std::size_t i = 0; i + 1 < rank; ++i)
    if (std::find(attn.begin(), attn.end(), i) == attn.end())
      out.push_back(projected(query, i));
  for (auto i : attn)
    out.push_back(projected(query, i));
  for (auto i : attn)
    out.push_back(projected(key, i));
  return Shape(std::move(out));
}

// Mirrors keras/src/layers/attention/multi_head_attention.py:
// output = query.shape[:-1] + (output_shape or query.shape[-1]); EinsumDense projections
// query/key/value (features, heads, key_dim|value_dim), an optional gate, and an output
// projection (heads, value_dim, *output). Keras 3 sizes the scores (B, heads, Tq, Tq).
void infer_multi_head_attention(LayerCall& c) {
  const Shape* query = operand(c, 0, "query");
  const Shape* value = operand(c, 1, "value");
  if (!query || !value) {
    c.error(rule::kInputCount,
            "missing a required argument: 'value'",
            "call MultiHeadAttention as layer(query, value) or layer(query, value, key)");
    return;
  }
  const Shape* key = operand(c, 2, "key");
  if (!key)
    key = value;
  auto args = read_mha_args(c);
  if (!args) {
    if (!c.failed())
      c.outputs = {Shape::unknown_rank()};
    return;
  }
  const bool ranks_known = query->has_rank() && value->has_rank() && key->has_rank();
  if (ranks_known && !check_key_and_value(c, *value, *key))
    return;
  if (!ranks_known)
    c.add_weight("query/kernel", Shape::unknown_rank());
  else if (c.building() && !build_mha(c, *args, *query, *value, *key))
    return;
  if (!query->has_rank() || query->rank() == 0) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  DimVector out(query->dims());
  if (!args->output_shape.empty()) {
    out.pop_back();
    out.insert(out.end(), args->output_shape.begin(), args->output_shape.end());
  }
  c.outputs = {Shape(std::move(out))};
  if (call_flag(c, "return_attention_scores") && query->rank() >= 2) {
    Dim q_len = query->dims()[1];
    c.outputs.push_back(c.keras3() ? Shape{query->dims()[0], Dim::of(args->heads), q_len, q_len}
                                   : traced_mha_scores(*args, *query, *key));
  }
}

// ---- GroupQueryAttention -----------------------------------------------------------------

struct GqaArgs {
  std::int64_t head_dim = 1;
  std::int64_t query_heads = 1;
  std::int64_t kv_heads = 1;
  bool use_bias = true;
  bool use_gate = false;
};

std::optional<GqaArgs> read_gqa_args(LayerCall& c) {
  if (!require_arguments(
          c, "GroupedQueryAttention", {"head_dim", "num_query_heads", "num_key_value_heads"}))
    return std::nullopt;
  auto head_dim = c.config().get_optional_int("head_dim");
  auto query_heads = c.config().get_optional_int("num_query_heads");
  auto kv_heads = c.config().get_optional_int("num_key_value_heads");
  if (!head_dim || !query_heads || !kv_heads)
    return std::nullopt;
  if (*kv_heads == 0) {
    c.error(rule::kInvalidArgument,
            "integer division or modulo by zero",
            fmt::format("give '{}' at least one key/value head", c.layer_name()));
    return std::nullopt;
  }
  if (*query_heads % *kv_heads != 0) {
    c.error(rule::kInvalidArgument,
            "`num_query_heads` must be divisible by `num_key_value_heads`.",
            fmt::format("make num_query_heads={} of '{}' a multiple of num_key_value_heads={}",
                        *query_heads,
                        c.layer_name(),
                        *kv_heads));
    return std::nullopt;
  }
  if (!check_sliding_window(c) || !check_flash_dropout(c))
    return std::nullopt;
  return GqaArgs{*head_dim,
                 *query_heads,
                 *kv_heads,
                 c.config().get_bool("use_bias", true),
                 c.config().get_bool("use_gate", false)};
}

bool build_gqa(
    LayerCall& c, const GqaArgs& args, const Shape& query, const Shape& value, const Shape& key) {
  auto bias = [&](std::string axes) {
    return args.use_bias ? std::optional(std::move(axes)) : std::nullopt;
  };
  const DimVector query_out{Dim::unknown(), Dim::of(args.query_heads), Dim::of(args.head_dim)};
  const DimVector kv_out{Dim::unknown(), Dim::of(args.kv_heads), Dim::of(args.head_dim)};
  if (!build_projection(c, "query", "bqm,muh->bquh", bias("uh"), query, query_out) ||
      !build_projection(c, "key", "bkm,mvh->bkvh", bias("vh"), key, kv_out))
    return false;
  if (args.use_gate && !build_projection(c, "gate", "bqm,muh->bquh", bias("uh"), query, query_out))
    return false;
  if (!build_projection(c, "value", "bkm,mvh->bkvh", bias("vh"), value, kv_out))
    return false;
  const Dim features = query.rank() ? query.at(-1) : Dim::unknown();
  return build_projection(
             c,
             "attention_output",
             "bquh,uhm->bqm",
             bias("m"),
             Shape{
                 Dim::unknown(), Dim::unknown(), Dim::of(args.query_heads), Dim::of(args.head_dim)},
             {Dim::unknown(), features})
      .has_value();
}

// Mirrors keras/src/layers/attention/grouped_query_attention.py: output = query.shape;
// projections query (m, Hq, h), key and value (m, Hkv, h), optional gate, output (Hq, h, m).
// The query and value feature sizes must be equal (a None facing a size differs).
void infer_group_query_attention(LayerCall& c) {
  const Shape* query = operand(c, 0, "query");
  const Shape* value = operand(c, 1, "value");
  if (!query || !value) {
    c.error(rule::kInputCount,
            "missing a required argument: 'value'",
            "call GroupQueryAttention as layer(query, value) or layer(query, value, key)");
    return;
  }
  const Shape* given_key = operand(c, 2, "key");
  const Shape* key = given_key ? given_key : value;
  auto args = read_gqa_args(c);
  if (!args) {
    if (!c.failed())
      c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (!query->has_rank() || !value->has_rank() || !key->has_rank()) {
    c.add_weight("query/kernel", Shape::unknown_rank());
    c.outputs = {query->has_rank() ? *query : Shape::unknown_rank()};
    return;
  }
  if (c.building() && !build_gqa(c, *args, *query, *value, *key))
    return;
  const Dim q_features = query->rank() ? query->at(-1) : Dim::unknown();
  const Dim v_features = value->rank() ? value->at(-1) : Dim::unknown();
  if (!(q_features == v_features)) {
    c.error(rule::kMergeMismatch,
            fmt::format("The last dimension of `query_shape` and `value_shape` must be equal, "
                        "but are {}, {}. Received: query_shape={}, value_shape={}",
                        to_string(q_features),
                        to_string(v_features),
                        to_string(*query),
                        to_string(*value)),
            "give the query and the value the same feature size");
    return;
  }
  if (!check_key_and_value(c, *value, *key))
    return;
  c.outputs = {*query};
  if (call_flag(c, "return_attention_scores") && query->rank() >= 2 && key->rank() >= 2)
    c.outputs.push_back(
        Shape{query->dims()[0], Dim::of(args->query_heads), query->dims()[1], key->dims()[1]});
}

// ---- Attention and AdditiveAttention -----------------------------------------------------

/// The [query, value] or [query, value, key] list both layers are called on.
bool check_attention_inputs(LayerCall& c, std::string_view cls) {
  if (c.input_count() == 1) {
    c.error(rule::kInputCount,
            fmt::format("{} layer must be called on a list of inputs, namely [query, value] or "
                        "[query, value, key]. Received: inputs={}.",
                        cls,
                        to_string(c.input())),
            fmt::format("call '{}' on [query, value]", c.layer_name()));
    return false;
  }
  if (c.input_count() > 3) {
    c.error(rule::kInputCount,
            fmt::format("{} layer accepts inputs list of length 2 or 3, namely [query, value] "
                        "or [query, value, key]. Received length: {}.",
                        cls,
                        c.input_count()),
            fmt::format("call '{}' on [query, value] or [query, value, key]", c.layer_name()));
    return false;
  }
  return true;
}

/// tf.keras 2 ran the scores and the weighted sum: sizes that meet must agree (a size of 1
/// broadcasts where `broadcast` allows).
bool check_traced_sizes(LayerCall& c, Dim a, Dim b, bool broadcast, std::string_view what) {
  if (!a.conflicts_with(b) || (broadcast && (a.equals(1) || b.equals(1))))
    return true;
  c.error(rule::kMergeMismatch,
          fmt::format("Dimensions must be equal, but are {} and {} ({}) in layer \"{}\"",
                      to_string(a),
                      to_string(b),
                      what,
                      c.layer_name()),
          "give the query and the key the same feature size, and the key and the value the "
          "same length");
  return false;
}

bool check_traced_attention(
    LayerCall& c, const Shape& query, const Shape& value, const Shape& key, bool additive) {
  if (query.rank() < 2 || key.rank() < 2 || value.rank() < 2)
    return true;
  const bool concat = additive || c.config().get_string("score_mode", "dot") == "concat";
  if (!check_traced_sizes(c, query.at(-1), key.at(-1), concat, "query and key features"))
    return false;
  if (additive && c.config().get_bool("use_scale", true) &&
      !check_traced_sizes(c, value.at(-1), query.at(-1), true, "scale and query features"))
    return false;
  return check_traced_sizes(c, key.at(-2), value.at(-2), false, "key and value lengths");
}

/// Output and scores of both layers: query[:-1] + value[-1], and query[:-1] + key[-2].
void attention_outputs(LayerCall& c, const Shape& query, const Shape& value, const Shape& key) {
  if (!query.has_rank() || !value.has_rank() || query.rank() == 0 || value.rank() == 0) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  DimVector out(query.dims().begin(), query.dims().end() - 1);
  out.push_back(value.at(-1));
  c.outputs = {Shape(out)};
  if (call_flag(c, "return_attention_scores")) {
    out.back() = key.has_rank() && key.rank() >= 2 ? key.at(-2) : Dim::unknown();
    c.outputs.push_back(Shape(std::move(out)));
  }
}

bool check_score_mode(LayerCall& c) {
  std::string mode = c.config().get_string("score_mode", "dot");
  if (mode == "dot" || mode == "concat")
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("Invalid value for argument score_mode. Expected one of {{'dot', "
                      "'concat'}}. Received: score_mode={}",
                      mode),
          "use score_mode='dot' or 'concat'");
  return false;
}

// Mirrors keras/src/layers/attention/attention.py: output = query.shape[:-1] +
// (value.shape[-1],); a scalar `scale` when use_scale, a scalar `concat_score_weight` when
// score_mode='concat'.
void infer_attention(LayerCall& c) {
  if (!check_score_mode(c) || !check_attention_inputs(c, "Attention"))
    return;
  const Shape& query = c.input(0);
  const Shape& value = c.input(1);
  const Shape& key = c.input_count() > 2 ? c.input(2) : value;
  if (!c.keras3() && query.has_rank() && value.has_rank() && key.has_rank() &&
      !check_traced_attention(c, query, value, key, false))
    return;
  if (c.config().get_bool("use_scale", false))
    c.add_weight("scale", Shape(DimVector{}));
  if (c.config().get_string("score_mode", "dot") == "concat")
    c.add_weight("concat_score_weight", Shape(DimVector{}));
  attention_outputs(c, query, value, key);
}

// Mirrors keras/src/layers/attention/additive_attention.py: output as Attention; a `scale`
// vector of the query's feature size when use_scale (tf.keras 2: the value's).
void infer_additive_attention(LayerCall& c) {
  if (!check_score_mode(c) || !check_attention_inputs(c, "AdditiveAttention"))
    return;
  const Shape& query = c.input(0);
  const Shape& value = c.input(1);
  const Shape& key = c.input_count() > 2 ? c.input(2) : value;
  if (!c.keras3() && query.has_rank() && value.has_rank() && key.has_rank() &&
      !check_traced_attention(c, query, value, key, true))
    return;
  if (c.config().get_bool("use_scale", true)) {
    const Shape& sized_by = c.keras3() ? query : value;
    Shape scale{sized_by.has_rank() && sized_by.rank() ? sized_by.at(-1) : Dim::unknown()};
    if (!require_defined_variable(
            c,
            "scale",
            scale,
            fmt::format("give the inputs of '{}' a known feature size", c.layer_name())))
      return;
    c.add_weight("scale", std::move(scale));
  }
  attention_outputs(c, query, value, key);
}

constexpr LayerRule kRules[] = {
    {"MultiHeadAttention", infer_multi_head_attention, 1, 3},
    {"GroupQueryAttention", infer_group_query_attention, 1, 3},
    {"Attention", infer_attention, 1, SIZE_MAX},
    {"AdditiveAttention", infer_additive_attention, 1, SIZE_MAX},
};

}  // namespace

std::span<const LayerRule> attention_rules() {
  return kRules;
}

}  // namespace shapelint
