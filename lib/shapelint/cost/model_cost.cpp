#include "shapelint/cost/model_cost.hpp"

#include "shapelint/cost/macs.hpp"
#include "shapelint/cost/receptive_field.hpp"
#include "shapelint/model/layer_config.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint::cost {

namespace {

/// Dim's overflow-checked arithmetic for optional counts: unknown stays unknown.
Dim as_dim(std::optional<std::int64_t> v) {
  return v ? Dim::of(*v) : Dim::unknown();
}

std::optional<std::int64_t> as_count(Dim d) {
  if (!d.is_known() || d.value() < 0)
    return std::nullopt;
  return d.value();
}

/// The shapes of the tensors call `node` passed by keyword, from the pass that ran it.
std::vector<KwargTensors> keyword_tensors(const Node& node, const ModelResult& pass) {
  std::vector<KwargTensors> out;
  for (const auto& [name, refs] : node.kwargs) {
    KwargTensors k{name, {}};
    for (const auto& r : refs) {
      Shape s = Shape::unknown_rank();
      if (r.layer < pass.layers.size() && r.node < pass.layers[r.layer].calls.size()) {
        const CallResult& producer = pass.layers[r.layer].calls[r.node];
        if (producer.evaluated && !producer.failed && !producer.poisoned &&
            r.tensor < producer.outputs.size())
          s = producer.outputs[r.tensor];
      }
      k.shapes.push_back(std::move(s));
    }
    out.push_back(std::move(k));
  }
  return out;
}

bool usable(const CallResult& call) {
  return call.evaluated && !call.failed && !call.poisoned;
}

class Annotator {
 public:
  Annotator(std::int64_t batch_size, CostTotals& totals) : batch_(batch_size), totals_(totals) {}

  /// Fills `rows` for `model` and returns the sum of their costs (a nested model's row).
  LayerCost annotate(std::vector<LayerRow>& rows,
                     const Model& model,
                     const ModelResult& shown,
                     const ModelResult& built,
                     bool nested = false) {
    auto fields = receptive_fields(model, shown);
    LayerCost sum;
    sum.macs = sum.weight_bytes = sum.activation_bytes = 0;
    std::size_t row = 0;
    for (std::size_t i = 0; i < model.layers.size() && i < shown.layers.size(); ++i) {
      const Layer& layer = model.layers[i];
      if (layer.implicit_input) {
        // No row, but the input data takes memory all the same (not a nested model's input:
        // that is its caller's tensor).
        if (!nested) {
          LayerCost input;
          input.activation_bytes = activation_bytes(shown.layers[i], dtype_policy(layer.config));
          input.macs = input.weight_bytes = 0;
          count(layer, input, false);
        }
        continue;
      }
      if (row >= rows.size())
        break;
      LayerRow& r = rows[row++];
      const LayerResult& s = shown.layers[i];
      const LayerResult* b = i < built.layers.size() ? &built.layers[i] : nullptr;
      if (r.is_model && layer.nested && s.nested) {
        const ModelResult& inner_built = b && b->nested ? *b->nested : *s.nested;
        r.cost = annotate(r.layers, *layer.nested, *s.nested, inner_built, true);
      } else {
        r.cost = leaf_cost(layer, r, s, b, shown);
        // A nested model's inputs are its caller's tensors: their memory is counted there.
        count(layer, r.cost, nested && layer.rule_class == "InputLayer");
      }
      if (fields[i]) {
        r.cost.receptive_field = fields[i]->size;
        r.cost.receptive_field_stride = fields[i]->stride;
      }
      add(sum, r.cost, layer.rule_class == "InputLayer");
    }
    return sum;
  }

 private:
  static void add(LayerCost& sum, const LayerCost& c, bool input_layer) {
    sum.macs = as_count(as_dim(sum.macs) + as_dim(c.macs));
    sum.weight_bytes = as_count(as_dim(sum.weight_bytes) + as_dim(c.weight_bytes));
    // A nested model's inputs are its caller's tensors: not counted twice.
    if (!input_layer)
      sum.activation_bytes = as_count(as_dim(sum.activation_bytes) + as_dim(c.activation_bytes));
  }

  void count(const Layer& layer, const LayerCost& c, bool aliased_input) {
    if (c.macs)
      totals_.macs = as_count(Dim::of(totals_.macs) + Dim::of(*c.macs)).value_or(totals_.macs);
    else
      ++totals_.macs_unknown_layers;
    if (c.weight_bytes) {
      totals_.weight_bytes += *c.weight_bytes;
      if (*c.weight_bytes > 0)
        totals_.weight_bytes_by_dtype[dtype_policy(layer.config).variable] += *c.weight_bytes;
    } else {
      ++totals_.weight_unknown_layers;
    }
    if (aliased_input)
      return;
    if (c.activation_bytes)
      totals_.activation_bytes += *c.activation_bytes;
    else
      ++totals_.activation_unknown_layers;
  }

  LayerCost leaf_cost(const Layer& layer,
                      const LayerRow& row,
                      const LayerResult& shown,
                      const LayerResult* built,
                      const ModelResult& pass) const {
    LayerCost c;
    DtypePolicy policy = dtype_policy(layer.config);
    const std::vector<WeightSpec>& weights = built && built->built ? built->weights : shown.weights;
    c.weight_bytes = weight_bytes(row, weights, policy);
    c.macs = macs(layer, shown, weights, pass);
    c.activation_bytes = activation_bytes(shown, policy);
    return c;
  }

  static std::optional<std::int64_t> weight_bytes(const LayerRow& row,
                                                  const std::vector<WeightSpec>& weights,
                                                  const DtypePolicy& policy) {
    if (row.params && *row.params == 0)
      return 0;
    auto bytes = dtype_bytes(policy.variable);
    if (!bytes || weights.empty())
      return std::nullopt;
    Dim sum = Dim::of(0);
    for (const auto& w : weights)
      sum = sum + w.shape.product();
    return as_count(sum * *bytes);
  }

  std::optional<std::int64_t> macs(const Layer& layer,
                                   const LayerResult& shown,
                                   const std::vector<WeightSpec>& weights,
                                   const ModelResult& pass) const {
    if (layer.rule_class == "InputLayer")
      return 0;
    // A custom class or a Lambda may compute anything: its cost is not guessed.
    if (!RuleRegistry::builtin().find(layer.rule_class) || shown.calls.empty())
      return std::nullopt;
    LayerConfig config(layer.config, layer.path + ".config", nullptr, layer.name);
    Dim total = Dim::of(0);
    for (std::size_t k = 0; k < shown.calls.size() && k < layer.nodes.size(); ++k) {
      const CallResult& call = shown.calls[k];
      if (!usable(call))
        return std::nullopt;
      auto kwargs = keyword_tensors(layer.nodes[k], pass);
      CallView view{layer.rule_class, config, call.inputs, kwargs, call.outputs, weights};
      total = total + as_dim(layer_macs(view));
    }
    return as_count(total * batch_);
  }

  std::optional<std::int64_t> activation_bytes(const LayerResult& shown,
                                               const DtypePolicy& policy) const {
    auto bytes = dtype_bytes(policy.compute);
    if (!bytes || shown.calls.empty())
      return std::nullopt;
    Dim total = Dim::of(0);
    for (const auto& call : shown.calls) {
      if (!usable(call))
        return std::nullopt;
      for (const auto& out : call.outputs)
        total = total + as_dim(sample_elements(out));
    }
    return as_count(total * batch_ * *bytes);
  }

  std::int64_t batch_;
  CostTotals& totals_;
};

}  // namespace

CostTotals annotate_cost(std::vector<LayerRow>& rows,
                         const Model& model,
                         const ModelResult& shown,
                         const ModelResult& built,
                         std::int64_t batch_size) {
  CostTotals totals;
  totals.batch_size = batch_size;
  Annotator(batch_size, totals).annotate(rows, model, shown, built);
  return totals;
}

}  // namespace shapelint::cost
