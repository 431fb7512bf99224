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
  for (const auto& [name, refs] : node.kwargs()) {
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

std::optional<std::int64_t> weight_bytes(const LayerResult& layer,
                                         const std::vector<WeightSpec>& weights,
                                         const DtypePolicy& policy) {
  if (layer.params && *layer.params == 0)
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
                                 const ModelResult& pass,
                                 std::int64_t batch) {
  if (layer.rule_class() == "InputLayer")
    return 0;
  // A custom class or a Lambda may compute anything: its cost is not guessed.
  if (!layer.builtin_rule() || shown.calls.empty())
    return std::nullopt;
  LayerConfig config(layer.config(), ConfigPath::of_layer(layer.object), nullptr, layer.name);
  Dim total = Dim::of(0);
  for (std::size_t k = 0; k < shown.calls.size() && k < layer.nodes.size(); ++k) {
    const CallResult& call = shown.calls[k];
    if (!usable(call))
      return std::nullopt;
    auto kwargs = keyword_tensors(layer.nodes[k], pass);
    Shapes inputs = input_shapes(layer.nodes[k], pass);
    CallView view{layer.rule_class(), config, inputs, kwargs, call.outputs, weights};
    total = total + as_dim(layer_macs(view));
  }
  return as_count(total * batch);
}

std::optional<std::int64_t> activation_bytes(const LayerResult& shown,
                                             const DtypePolicy& policy,
                                             std::int64_t batch) {
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
  return as_count(total * batch * *bytes);
}

/// A layer's own cost as its row shows it: its figures' numbers.
LayerCost cost_of(const LayerFigures& figures) {
  LayerCost c;
  c.macs = figures.macs;
  c.weight_bytes = figures.weight_bytes;
  c.activation_bytes = figures.activation_bytes;
  return c;
}

class Annotator {
 public:
  explicit Annotator(CostTotals& totals) : totals_(totals) {}

  /// Sums the costs of `model`'s layers (the figures the engine set in `shown`) and returns
  /// the sum; a nested model's layer gets the sum of its own as its figures.
  LayerCost annotate(const Model& model, ModelResult& shown, bool nested = false) {
    LayerCost sum;
    sum.macs = sum.weight_bytes = sum.activation_bytes = 0;
    for (std::size_t i = 0; i < model.layers.size() && i < shown.layers.size(); ++i) {
      const Layer& layer = model.layers[i];
      LayerResult& s = shown.layers[i];
      const LayerFigures& figures = i < shown.costs.size() ? shown.costs[i] : unknown_figures_;
      if (layer.implicit_input) {
        // No row, but the input data takes memory all the same (not a nested model's input:
        // that is its caller's tensor).
        if (!nested) {
          LayerCost input;
          input.activation_bytes = figures.activation_bytes;
          input.macs = input.weight_bytes = 0;
          count(figures, input, false);
        }
        continue;
      }
      LayerCost own;
      if (layer.nested() && s.nested()) {
        own = annotate(*layer.nested(), *s.nested(), true);
        if (i < shown.costs.size()) {
          LayerFigures& model_figures = shown.costs[i];
          model_figures.macs = own.macs;
          model_figures.weight_bytes = own.weight_bytes;
          model_figures.activation_bytes = own.activation_bytes;
        }
      } else {
        own = cost_of(figures);
        // A nested model's inputs are its caller's tensors: their memory is counted there.
        count(figures, own, nested && layer.rule_class() == "InputLayer");
      }
      add(sum, own, layer.rule_class() == "InputLayer");
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

  void count(const LayerFigures& figures, const LayerCost& c, bool aliased_input) {
    if (c.macs)
      totals_.macs = as_count(Dim::of(totals_.macs) + Dim::of(*c.macs)).value_or(totals_.macs);
    else
      ++totals_.macs_unknown_layers;
    if (c.weight_bytes) {
      totals_.weight_bytes += *c.weight_bytes;
      if (*c.weight_bytes > 0)
        totals_.weight_bytes_by_dtype[figures.weight_dtype] += *c.weight_bytes;
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

  CostTotals& totals_;
  const LayerFigures unknown_figures_{};  ///< for a layer the engine worked out no cost for
};

}  // namespace

LayerFigures layer_figures(const Layer& layer,
                           const LayerResult& shown,
                           const LayerResult& built,
                           const ModelResult& pass,
                           std::int64_t batch_size) {
  LayerFigures f;
  DtypePolicy policy = dtype_policy(layer.config());
  const std::vector<WeightSpec>& weights = built.built ? built.weights() : shown.weights();
  f.weight_bytes = weight_bytes(shown, weights, policy);
  f.macs = macs(layer, shown, weights, pass, batch_size);
  f.activation_bytes = activation_bytes(shown, policy, batch_size);
  f.weight_dtype = known_dtype_name(policy.variable);
  return f;
}

LayerCost row_cost(const LayerFigures* figures, std::unique_ptr<ReceptiveField> field) {
  LayerCost c;
  if (!figures)
    return c;
  c.macs = figures->macs;
  c.weight_bytes = figures->weight_bytes;
  c.activation_bytes = figures->activation_bytes;
  if (field)
    c.receptive_field = std::move(*field);
  return c;
}

CostTotals annotate_cost(const Model& model, ModelResult& shown, std::int64_t batch_size) {
  CostTotals totals;
  totals.batch_size = batch_size;
  Annotator(totals).annotate(model, shown);
  return totals;
}

}  // namespace shapelint::cost
