// Shape rules for the Keras attention family (keras/src/layers/attention/).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

/// `output_shape`: an int or a list of ints; empty when not given.
std::vector<std::int64_t> mha_output_shape(const LayerCall& c) {
  if (auto list = c.config().get_int_or_list("output_shape"))
    return *list;
  return {};
}

/// The tensor passed as `name`, positionally (index `position`) or as a keyword.
const Shape* attention_operand(const LayerCall& c, std::size_t position, std::string_view name) {
  if (position < c.input_count())
    return &c.input(position);
  const Shapes* kw = c.kwarg(name);
  return kw && !kw->empty() ? &kw->front() : nullptr;
}

void add_projection(LayerCall& c,
                    std::string_view name,
                    Dim in,
                    std::int64_t heads,
                    std::int64_t size,
                    bool use_bias) {
  c.add_weight(fmt::format("{}/kernel", name), Shape({in, Dim::of(heads), Dim::of(size)}));
  if (use_bias)
    c.add_weight(fmt::format("{}/bias", name), Shape({Dim::of(heads), Dim::of(size)}));
}

// Mirrors keras/src/layers/attention/multi_head_attention.py:
// output = query.shape[:-1] + (output_shape or query.shape[-1]); query/key/value projections
// (features, heads, key_dim|value_dim) and an output projection (heads, value_dim, out).
void infer_multi_head_attention(LayerCall& c) {
  const Shape* query = attention_operand(c, 0, "query");
  const Shape* value = attention_operand(c, 1, "value");
  if (!query || !value) {
    c.error(rule::kInputCount,
            fmt::format("Layer \"{}\" needs a query and a value tensor, but it received {} input "
                        "tensor(s)",
                        c.layer_name(),
                        c.input_count()),
            "call MultiHeadAttention as layer(query, value) or layer(query, value, key)");
    return;
  }
  const Shape* key = attention_operand(c, 2, "key");
  if (!key)
    key = value;
  std::int64_t heads = c.config().get_int("num_heads", 1);
  std::int64_t key_dim = c.config().get_int("key_dim", 0);
  std::int64_t value_dim = c.config().get_int("value_dim", 0);
  if (value_dim <= 0)
    value_dim = key_dim;
  if (heads <= 0 || key_dim <= 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("Received an invalid value for argument `num_heads` or `key_dim`: "
                        "num_heads={}, key_dim={}",
                        heads,
                        key_dim));
    return;
  }
  if (!query->has_rank() || !value->has_rank() || !key->has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (value->rank() != key->rank() || [&] {
        for (std::size_t i = 1; i + 1 < value->rank(); ++i)
          if (value->dims()[i].conflicts_with(key->dims()[i]))
            return true;
        return false;
      }()) {
    c.error(rule::kMergeMismatch,
            fmt::format("All dimensions of `value` and `key`, except the last one, must be "
                        "equal. Received: value_shape={} and key_shape={}",
                        to_string(*value),
                        to_string(*key)),
            "give the key the value's shape on every axis but the last");
    return;
  }
  bool use_bias = c.config().get_bool("use_bias", true);
  Dim query_features = query->rank() ? query->at(-1) : Dim::unknown();
  std::vector<std::int64_t> out_dims = mha_output_shape(c);
  add_projection(c, "query", query_features, heads, key_dim, use_bias);
  add_projection(c, "key", key->rank() ? key->at(-1) : Dim::unknown(), heads, key_dim, use_bias);
  if (c.config().get_bool("use_gate", false))
    add_projection(c, "gate", query_features, heads, value_dim, use_bias);
  add_projection(
      c, "value", value->rank() ? value->at(-1) : Dim::unknown(), heads, value_dim, use_bias);
  std::vector<Dim> out_tail;
  if (out_dims.empty())
    out_tail.push_back(query_features);
  else
    for (auto d : out_dims)
      out_tail.push_back(Dim::of(d));
  std::vector<Dim> kernel{Dim::of(heads), Dim::of(value_dim)};
  kernel.insert(kernel.end(), out_tail.begin(), out_tail.end());
  c.add_weight("attention_output/kernel", Shape(std::move(kernel)));
  if (use_bias)
    c.add_weight("attention_output/bias", Shape(out_tail));

  std::vector<Dim> out(query->dims().begin(), query->dims().end() - (query->rank() ? 1 : 0));
  out.insert(out.end(), out_tail.begin(), out_tail.end());
  c.outputs = {Shape(std::move(out))};
  bool scores = c.config().get_bool("return_attention_scores", false);
  if (scores && query->rank() >= 2) {
    // Keras 3 sizes the scores from the query length on both axes; tf.keras 2 from the
    // query and the key.
    Dim q_len = query->dims()[1];
    Dim k_len = c.keras3() ? q_len : (key->rank() >= 2 ? key->dims()[1] : Dim::unknown());
    c.outputs.push_back(Shape({query->dims()[0], Dim::of(heads), q_len, k_len}));
  }
}

constexpr LayerRule kRules[] = {
    {"MultiHeadAttention", infer_multi_head_attention, 1, 3},
};

}  // namespace

std::span<const LayerRule> attention_rules() {
  return kRules;
}

}  // namespace shapelint
