// The topological pass: one call of one layer at a time, in dependency order, as Keras's
// Functional graph runs. One mistake produces one diagnostic: after an error the layer's
// outputs are unknown and its consumers are skipped silently.
#include "shapelint/engine/propagate.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <tuple>

#include <fmt/format.h>

#include "shapelint/config/custom_layers.hpp"
#include "shapelint/cost/model_cost.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/engine/rule_memo.hpp"
#include "shapelint/memory/small_blocks.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

struct LayerResult::Rare {
  std::optional<BuiltState> built_state;
  std::unique_ptr<ModelResult> nested;
};

LayerResult::LayerResult() = default;
LayerResult::~LayerResult() = default;
LayerResult::LayerResult(LayerResult&&) noexcept = default;
LayerResult& LayerResult::operator=(LayerResult&&) noexcept = default;

LayerResult::Rare& LayerResult::rare() {
  if (!rare_)
    rare_ = std::make_unique<Rare>();
  return *rare_;
}

const std::vector<WeightSpec>& LayerResult::weights() const {
  static const std::vector<WeightSpec> none;
  return rare_ && rare_->built_state ? rare_->built_state->weights : none;
}

const std::vector<InputSpec>& LayerResult::input_specs() const {
  static const std::vector<InputSpec> none;
  return rare_ && rare_->built_state ? rare_->built_state->input_specs : none;
}

void LayerResult::set_built(std::vector<WeightSpec> weights, std::vector<InputSpec> input_specs) {
  built = true;
  rare().built_state = BuiltState{std::move(weights), std::move(input_specs)};
}

void LayerResult::drop_built_state() {
  if (!rare_)
    return;
  rare_->built_state.reset();
  if (!rare_->nested)
    rare_.reset();
}

const ModelResult* LayerResult::nested() const noexcept {
  return rare_ ? rare_->nested.get() : nullptr;
}

ModelResult* LayerResult::nested() noexcept {
  return rare_ ? rare_->nested.get() : nullptr;
}

void LayerResult::set_nested(std::unique_ptr<ModelResult> nested) {
  if (nested || rare_)
    rare().nested = std::move(nested);
}

namespace {

/// Keyword tensors that carry a mask (`mask=`, MultiHeadAttention's `attention_mask`, ...).
bool is_mask_argument(std::string_view name) {
  return name == "mask" || (name.size() > 5 && name.substr(name.size() - 5) == "_mask");
}

bool is_opaque_op_class(std::string_view cls) {
  return cls == "TFOpLambda" || cls == "SlicingOpLambda" || cls == "TensorFlowOpLayer" ||
         cls == "ClassMethod" || cls == "InstanceMethod" || cls == "InstanceProperty";
}

/// Keras's spelling of an InputSpec violation, or "" when the shape satisfies it.
std::string spec_violation(const InputSpec& spec, const Shape& s) {
  if (!s.has_rank())
    return {};
  if (spec.ndim && s.rank() != *spec.ndim)
    return fmt::format("expected ndim={}, found ndim={}. Full shape received: {}",
                       *spec.ndim,
                       s.rank(),
                       to_string(s));
  if (spec.min_ndim && s.rank() < *spec.min_ndim)
    return fmt::format("expected min_ndim={}, found ndim={}. Full shape received: {}",
                       *spec.min_ndim,
                       s.rank(),
                       to_string(s));
  if (spec.max_ndim && s.rank() > *spec.max_ndim)
    return fmt::format("expected max_ndim={}, found ndim={}. Full shape received: {}",
                       *spec.max_ndim,
                       s.rank(),
                       to_string(s));
  for (const auto& [axis, value] : spec.axes) {
    if (!s.has_axis(axis))
      continue;
    if (s.at(axis).conflicts_with(Dim::of(value)))
      return fmt::format(
          "expected axis {} of input shape to have value {}, but received input with shape {}",
          axis,
          value,
          to_string(s));
  }
  return {};
}

class Propagator {
 public:
  Propagator(const Model& model, const PropagateOptions& options, Diagnostics& sink)
      : model_(model), options_(options), sink_(sink) {}

  ModelResult run();

 private:
  void evaluate(std::size_t layer_index, std::size_t node_index);
  bool gather_inputs(const Node& node, Shapes& inputs, std::vector<KwargTensors>& kwargs);

  Shape tensor_shape(const TensorRef& ref, bool& poisoned) const {
    return shapelint::tensor_shape(result_, ref, poisoned);
  }

  bool from_uncertain(const Node& node) const;
  bool counts_outputs(const TensorRef& ref) const;
  bool tensor_indices_valid(const Layer& layer, const Node& node);
  void evaluate_input_layer(const Layer& layer, std::size_t layer_index, CallResult& call);
  void evaluate_nested(const Layer& layer, LayerResult& result, CallResult& call, bool first_call);
  void evaluate_rule(const Layer& layer,
                     LayerResult& result,
                     CallResult& call,
                     bool first_call,
                     const std::vector<KwargTensors>& kwargs,
                     JsonValue call_kwargs);
  void evaluate_opaque(const Layer& layer, CallResult& call, bool first_call);
  void evaluate_custom(const config::CustomLayerRule& rule,
                       const Layer& layer,
                       LayerResult& result,
                       CallResult& call,
                       bool first_call);

  /// The user's declared rule for a class without a built-in one, or null.
  const config::CustomLayerRule* custom_rule(const Layer& layer) const {
    if (!options_.custom_layers || layer.builtin_rule())
      return nullptr;
    return options_.custom_layers->find(layer.class_name);
  }

  /// Whether the inputs of the call being evaluated meet the specs its first call built.
  bool check_built(const Layer& layer, const LayerResult& built);
  std::string rebuilt_hint(const Layer& layer) const;
  bool prebuild(const Layer& layer,
                const LayerRule& rule,
                LayerResult& result,
                const std::vector<KwargTensors>& kwargs);
  /// One run of `rule` for `layer` on `inputs`, its findings in `sink` and what it gave in
  /// `outputs`, `weights` and `input_specs` (whatever it had made when it failed); false
  /// when it failed.
  bool run_rule(const Layer& layer,
                const LayerRule& rule,
                const Shapes& inputs,
                const std::vector<KwargTensors>& kwargs,
                JsonValue call_kwargs,
                bool building,
                Diagnostics& sink,
                Shapes& outputs,
                std::vector<WeightSpec>& weights,
                std::vector<InputSpec>& input_specs);
  void report(std::string_view rule_id,
              Severity severity,
              const Layer& layer,
              std::string message,
              std::string hint = {});

  const LayerResult* built_layer(std::size_t i) const {
    return options_.built && i < options_.built->layers.size() ? &options_.built->layers[i]
                                                               : nullptr;
  }

  void finish_layer(const Layer& layer, LayerResult& result);
  void compute_totals();
  std::optional<Shape> recorded_shape(std::size_t layer,
                                      std::size_t node,
                                      std::size_t tensor) const;

  const Model& model_;
  const PropagateOptions& options_;
  Diagnostics& sink_;
  ModelResult result_;
  std::vector<std::uint32_t> node_base_;  ///< a layer's first call's id; the text bounds them
  /// The inputs of the call being evaluated (kept for the next call: no allocation each).
  Shapes inputs_;
  RuleMemo memo_;
};

void Propagator::report(std::string_view rule_id,
                        Severity severity,
                        const Layer& layer,
                        std::string message,
                        std::string hint) {
  sink_.push_back(Diagnostic{.rule = std::string(rule_id),
                             .severity = severity,
                             .layer = layer.name,
                             .message = std::move(message),
                             .hint = std::move(hint),
                             .json_path = layer.path()});
}

ModelResult Propagator::run() {
  const std::size_t n_layers = model_.layers.size();
  // Placed before its pages are touched: they are either pages of the free heap, kept, or
  // new ones, faulted in only once the free heap's are given back.
  result_.layers.reserve(n_layers);
  if (options_.cost_batch)
    result_.costs.reserve(n_layers);
  if (options_.give_back_free_pages)
    memory::return_free_heap_pages();
  result_.layers.resize(n_layers);
  if (options_.cost_batch)
    result_.costs.resize(n_layers);
  node_base_.resize(n_layers + 1, 0);
  for (std::size_t i = 0; i < n_layers; ++i) {
    result_.layers[i].calls.resize(model_.layers[i].nodes.size());
    node_base_[i + 1] = node_base_[i] + static_cast<std::uint32_t>(model_.layers[i].nodes.size());
  }
  const std::size_t n_nodes = node_base_[n_layers];

  // Kahn's algorithm over calls; ties go in config order, as Keras rebuilds a model. The
  // consumers of each call are one flat list (offsets per call), a large model's calls are
  // not each a small allocation.
  std::vector<std::uint32_t> layer_of(n_nodes);
  std::vector<std::uint32_t> pending(n_nodes, 0);
  std::vector<std::uint32_t> consumers_start(n_nodes + 1, 0);
  auto for_each_input = [&](auto&& visit) {
    for (std::size_t i = 0; i < n_layers; ++i)
      for (std::size_t n = 0; n < model_.layers[i].nodes.size(); ++n) {
        const Node& node = model_.layers[i].nodes[n];
        for (const auto& r : node.inputs)
          visit(node_base_[i] + n, r);
        for (const auto& [k, refs] : node.kwargs())
          for (const auto& r : refs)
            visit(node_base_[i] + n, r);
      }
  };
  for_each_input([&](std::size_t id, const TensorRef& r) {
    ++consumers_start[node_base_[r.layer] + r.node + 1];
    ++pending[id];
  });
  for (std::size_t id = 0; id < n_nodes; ++id)
    consumers_start[id + 1] += consumers_start[id];
  std::vector<std::uint32_t> consumers(consumers_start[n_nodes]);
  {
    std::vector<std::uint32_t> next(consumers_start.begin(), consumers_start.end() - 1);
    for_each_input([&](std::size_t id, const TensorRef& r) {
      consumers[next[node_base_[r.layer] + r.node]++] = static_cast<std::uint32_t>(id);
    });
  }
  for (std::size_t i = 0; i < n_layers; ++i)
    for (std::size_t id = node_base_[i]; id < node_base_[i + 1]; ++id)
      layer_of[id] = static_cast<std::uint32_t>(i);
  std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> ready;
  for (std::size_t id = 0; id < n_nodes; ++id)
    if (pending[id] == 0)
      ready.push(static_cast<std::uint32_t>(id));
  // A layer is finished (params counted) once its last call is done.
  std::vector<std::uint32_t> calls_left(n_layers);
  for (std::size_t i = 0; i < n_layers; ++i)
    calls_left[i] = static_cast<std::uint32_t>(model_.layers[i].nodes.size());
  std::size_t done = 0;
  while (!ready.empty()) {
    std::size_t id = ready.top();
    ready.pop();
    ++done;
    std::size_t layer = layer_of[id];
    evaluate(layer, id - node_base_[layer]);
    if (--calls_left[layer] == 0)
      finish_layer(model_.layers[layer], result_.layers[layer]);
    for (std::size_t c = consumers_start[id]; c < consumers_start[id + 1]; ++c)
      if (--pending[consumers[c]] == 0)
        ready.push(consumers[c]);
  }
  if (done < n_nodes) {
    for (std::size_t id = 0; id < n_nodes; ++id) {
      if (pending[id] == 0)
        continue;
      const Layer& layer = model_.layers[layer_of[id]];
      std::size_t node = id - node_base_[layer_of[id]];
      sink_.push_back(Diagnostic{
          .rule = std::string(rule::kCycle),
          .severity = Severity::error,
          .layer = layer.name,
          .message = fmt::format("layer '{}' depends on its own output: the graph has a cycle "
                                 "({})",
                                 layer.name,
                                 layer.call_path(layer.nodes[node])),
          .hint = "check the inbound_nodes of the layers in the cycle",
          .json_path = layer.call_path(layer.nodes[node]),
      });
      result_.failed = true;
      break;
    }
  }
  for (std::size_t i = 0; i < n_layers; ++i)
    if (calls_left[i] > 0 || model_.layers[i].nodes.empty())
      finish_layer(model_.layers[i], result_.layers[i]);
  compute_totals();
  for (const auto& out : model_.outputs) {
    bool poisoned = false;
    const CallResult& producer = result_.layers[out.layer].calls[out.node];
    if (counts_outputs(out) && out.tensor >= producer.outputs.size()) {
      std::string path =
          (model_.path.empty() ? "config" : model_.path + ".config") + ".output_layers";
      sink_.push_back(Diagnostic{
          .rule = std::string(rule::kDanglingReference),
          .severity = Severity::error,
          .layer = std::nullopt,
          .message = fmt::format("{} names output {} of layer '{}', which gives {} output(s)",
                                 path,
                                 out.tensor,
                                 model_.layers[out.layer].name,
                                 producer.outputs.size()),
          .hint = "check the tensor index in output_layers",
          .json_path = path});
      result_.failed = true;
    }
    result_.outputs.push_back(tensor_shape(out, poisoned));
    result_.uncertain_outputs =
        result_.uncertain_outputs || result_.layers[out.layer].calls[out.node].uncertain;
  }
  return std::move(result_);
}

}  // namespace

Shape tensor_shape(const ModelResult& pass, const TensorRef& ref, bool& poisoned) {
  const CallResult& call = pass.layers[ref.layer].calls[ref.node];
  if (call.poisoned || call.failed || !call.evaluated) {
    poisoned = true;
    return Shape::unknown_rank();
  }
  if (ref.tensor < call.outputs.size())
    return call.outputs[ref.tensor];
  return Shape::unknown_rank();
}

void append_input_shapes(const Node& node, const ModelResult& pass, Shapes& out) {
  out.reserve(out.size() + node.inputs.size());
  bool poisoned = false;
  for (const auto& r : node.inputs)
    out.push_back(tensor_shape(pass, r, poisoned));
}

Shapes input_shapes(const Node& node, const ModelResult& pass) {
  Shapes inputs;
  append_input_shapes(node, pass, inputs);
  return inputs;
}

namespace {

std::optional<Shape> Propagator::recorded_shape(std::size_t layer,
                                                std::size_t node,
                                                std::size_t tensor) const {
  // The loader sorts them by tensor.
  auto key = std::tie(layer, node, tensor);
  auto it = std::lower_bound(model_.recorded_shapes.begin(),
                             model_.recorded_shapes.end(),
                             key,
                             [](const RecordedShape& r, const auto& k) {
                               return std::tie(r.tensor.layer, r.tensor.node, r.tensor.tensor) < k;
                             });
  if (it != model_.recorded_shapes.end() &&
      std::tie(it->tensor.layer, it->tensor.node, it->tensor.tensor) == key)
    return it->shape;
  return std::nullopt;
}

/// Whether the call `ref` points into has a known number of outputs: a built-in rule, an
/// input or a nested model ran it cleanly. An opaque layer may give any number.
bool Propagator::counts_outputs(const TensorRef& ref) const {
  const Layer& producer = model_.layers[ref.layer];
  const CallResult& c = result_.layers[ref.layer].calls[ref.node];
  if (!c.evaluated || c.poisoned || c.failed)
    return false;
  if (const Model* nested = producer.nested())
    return !nested->opaque;
  return producer.rule_class() == "InputLayer" || producer.builtin_rule();
}

/// A reference to output 3 of a layer that gives one is out of range: Keras fails to rebuild
/// the graph (an IndexError), so it is a broken reference, not an unknown shape.
bool Propagator::tensor_indices_valid(const Layer& layer, const Node& node) {
  auto valid = [&](const TensorRef& r) {
    const CallResult& c = result_.layers[r.layer].calls[r.node];
    if (!counts_outputs(r) || r.tensor < c.outputs.size())
      return true;
    sink_.push_back(Diagnostic{
        .rule = std::string(rule::kDanglingReference),
        .severity = Severity::error,
        .layer = layer.name,
        .message = fmt::format("{} refers to output {} of layer '{}', which gives {} output(s)",
                               layer.call_path(node),
                               r.tensor,
                               model_.layers[r.layer].name,
                               c.outputs.size()),
        .hint = "check the tensor index in inbound_nodes",
        .json_path = layer.call_path(node)});
    return false;
  };
  for (const auto& r : node.inputs)
    if (!valid(r))
      return false;
  for (const auto& [k, refs] : node.kwargs())
    for (const auto& r : refs)
      if (!valid(r))
        return false;
  return true;
}

bool Propagator::from_uncertain(const Node& node) const {
  auto uncertain = [&](const TensorRef& r) {
    return result_.layers[r.layer].calls[r.node].uncertain;
  };
  for (const auto& r : node.inputs)
    if (uncertain(r))
      return true;
  for (const auto& [k, refs] : node.kwargs()) {
    if (is_mask_argument(k))
      continue;
    for (const auto& r : refs)
      if (uncertain(r))
        return true;
  }
  return false;
}

bool Propagator::gather_inputs(const Node& node,
                               Shapes& inputs,
                               std::vector<KwargTensors>& kwargs) {
  bool poisoned = false;
  inputs.reserve(node.inputs.size());
  for (const auto& r : node.inputs)
    inputs.push_back(tensor_shape(r, poisoned));
  for (const auto& [k, refs] : node.kwargs()) {
    // A mask only gates values: a layer whose mask is unknown still has known shapes.
    bool mask_poisoned = false;
    KwargTensors kt{k, {}};
    for (const auto& r : refs)
      kt.shapes.push_back(tensor_shape(r, is_mask_argument(k) ? mask_poisoned : poisoned));
    kwargs.push_back(std::move(kt));
  }
  return !poisoned;
}

void Propagator::evaluate(std::size_t layer_index, std::size_t node_index) {
  const Layer& layer = model_.layers[layer_index];
  LayerResult& result = result_.layers[layer_index];
  CallResult& call = result.calls[node_index];
  const Node& node = layer.nodes[node_index];
  std::vector<KwargTensors> kwargs;
  inputs_.clear();
  bool clean = gather_inputs(node, inputs_, kwargs);
  call.evaluated = true;
  if (layer.rule_class() == "InputLayer" && node.inputs.empty()) {
    call.uncertain = options_.uncertain_inputs;
    evaluate_input_layer(layer, layer_index, call);
    return;
  }
  if (!clean) {
    call.poisoned = true;
    return;
  }
  if (!tensor_indices_valid(layer, node)) {
    call.failed = true;
    result_.failed = true;
    call.outputs = Shapes(1);
    return;
  }
  auto call_path = [&] {
    std::string path = layer.call_path(node);
    return path.empty() ? layer.path() : path;
  };
  if (!spend_rule_run(&sink_, call_path)) {
    call.failed = true;
    result_.failed = true;
    call.outputs = Shapes(1);
    return;
  }
  bool first_call = node_index == 0;
  call.uncertain = from_uncertain(node);
  if (layer.nested()) {
    evaluate_nested(layer, result, call, first_call);
  } else if (layer.builtin_rule()) {
    evaluate_rule(layer, result, call, first_call, kwargs, node.call_kwargs());
  } else if (const config::CustomLayerRule* custom = custom_rule(layer)) {
    evaluate_custom(*custom, layer, result, call, first_call);
  } else {
    evaluate_opaque(layer, call, first_call);
    call.uncertain = true;
    // A layer Keras does not know may still be described by the file's recorded shapes.
    for (std::size_t t = 0; t < std::max<std::size_t>(call.outputs.size(), 1); ++t)
      if (auto rec = recorded_shape(layer_index, node_index, t)) {
        if (call.outputs.size() <= t)
          call.outputs.resize(t + 1);
        call.outputs[t] = *rec;
      }
  }
  if (call.failed)
    result_.failed = true;
}

void Propagator::evaluate_input_layer(const Layer& layer,
                                      std::size_t layer_index,
                                      CallResult& call) {
  Shape declared = layer.batch_shape().value_or(Shape::unknown_rank());
  std::optional<Shape> fed;
  for (std::size_t i = 0; i < model_.inputs.size() && i < options_.input_shapes.size(); ++i)
    if (model_.inputs[i].layer == layer_index && options_.input_shapes[i])
      fed = options_.input_shapes[i];
  if (!fed) {
    call.outputs = {declared};
    return;
  }
  call.outputs = {*fed};
  // Keras 3 Functional models check data against their declared inputs before any layer
  // runs (the InputSpec a Functional derives from its Input layers).
  if (options_.semantics == Semantics::keras3 && !model_.sequential && declared.has_rank() &&
      fed->has_rank()) {
    bool conflict = declared.rank() != fed->rank();
    for (std::size_t k = 1; !conflict && k < declared.rank(); ++k)
      conflict = declared.dims()[k].conflicts_with(fed->dims()[k]);
    if (conflict)
      report(rule::kModelInputMismatch,
             Severity::error,
             layer,
             fmt::format("Input {} of layer \"{}\" is incompatible with the layer: expected "
                         "shape={}, found shape={}",
                         0,
                         model_.name,
                         to_string(declared),
                         to_string(*fed)),
             fmt::format("feed data of shape {} or rebuild the model for {}",
                         to_string(declared),
                         to_string(*fed)));
  }
}

void Propagator::evaluate_nested(const Layer& layer,
                                 LayerResult& result,
                                 CallResult& call,
                                 bool first_call) {
  const Model& nested = *layer.nested();
  if (nested.opaque) {
    evaluate_opaque(layer, call, first_call);
    return;
  }
  PropagateOptions opts;
  opts.semantics = options_.semantics;
  opts.custom_layers = options_.custom_layers;
  opts.uncertain_inputs = call.uncertain;
  // Only the first call's layers are kept (and shown); later calls need no cost.
  if (first_call)
    opts.cost_batch = options_.cost_batch;
  opts.input_shapes.resize(nested.inputs.size());
  for (std::size_t i = 0; i < nested.inputs.size() && i < inputs_.size(); ++i)
    opts.input_shapes[i] = inputs_[i];
  const LayerResult* built = built_layer(static_cast<std::size_t>(&result - &result_.layers[0]));
  if (built && built->nested())
    opts.built = built->nested();
  else if (!first_call && result.nested())
    opts.built = result.nested();

  Diagnostics inner;
  ModelResult r = propagate(nested, opts, inner);
  // Report inner findings on this layer: it is what the user sees in the outer model.
  for (auto& d : inner) {
    if (d.layer && *d.layer != layer.name)
      d.message = fmt::format("in '{}', layer '{}': {}", layer.name, *d.layer, d.message);
    d.layer = layer.name;
    sink_.push_back(std::move(d));
  }
  call.failed = r.failed;
  call.uncertain = call.uncertain || r.uncertain_outputs;
  call.outputs = r.failed ? Shapes(std::max<std::size_t>(r.outputs.size(), 1)) : r.outputs;
  if (first_call && !result.nested())
    result.set_nested(std::make_unique<ModelResult>(std::move(r)));
}

/// The fix for a layer whose built weights do not fit: on a what-if replay, name the shape the
/// model was built for and the data's; for a shared layer, say it was built by its first call.
std::string Propagator::rebuilt_hint(const Layer& layer) const {
  if (!options_.built)
    return fmt::format(
        "'{}' was built by its first call; a shared layer must get inputs of the "
        "same size at every call",
        layer.name);
  std::string declared, fed;
  for (std::size_t i = 0; i < model_.inputs.size() && i < options_.input_shapes.size(); ++i) {
    const Layer& input = model_.layers[model_.inputs[i].layer];
    if (!options_.input_shapes[i] || !input.batch_shape())
      continue;
    const Shape& data = *options_.input_shapes[i];
    if (data == *input.batch_shape())
      continue;
    std::string sep = declared.empty() ? "" : ", ";
    declared += sep + to_string(*input.batch_shape());
    fed += sep + to_string(data);
  }
  if (declared.empty())
    return fmt::format(
        "'{}' was built for inputs of another size; feed data shaped like the "
        "model's declared input, or rebuild the model",
        layer.name);
  return fmt::format(
      "the model was built for inputs of {}, and '{}' kept that size; resize "
      "the data from {} to it, or rebuild the model for the new size",
      declared,
      layer.name,
      fed);
}

bool Propagator::check_built(const Layer& layer, const LayerResult& built) {
  for (std::size_t i = 0; i < built.input_specs().size() && i < inputs_.size(); ++i) {
    std::string why = spec_violation(built.input_specs()[i], inputs_[i]);
    if (why.empty())
      continue;
    bool axis = why.rfind("expected axis", 0) == 0;
    report(axis ? rule::kInputAxis : rule::kInputRank,
           Severity::error,
           layer,
           fmt::format(
               "Input {} of layer \"{}\" is incompatible with the layer: {}", i, layer.name, why),
           axis ? rebuilt_hint(layer) : std::string{});
    return false;
  }
  return true;
}

/// Keras 3 builds a layer from its recorded `build_config` when loading, then calls it in
/// the graph: the weights come from the recorded shapes, and the call must fit them.
bool Propagator::prebuild(const Layer& layer,
                          const LayerRule& rule,
                          LayerResult& result,
                          const std::vector<KwargTensors>& kwargs) {
  const Shapes& shapes = *layer.build_input_shapes();
  if (shapes.size() < rule.min_inputs || shapes.size() > rule.max_inputs)
    return true;
  Shapes outputs;
  std::vector<WeightSpec> weights;
  std::vector<InputSpec> input_specs;
  if (!run_rule(
          layer, rule, shapes, kwargs, JsonValue(), true, sink_, outputs, weights, input_specs))
    return false;
  result.set_built(std::move(weights), std::move(input_specs));
  return true;
}

/// Whether a call passes no argument besides its input tensors (Keras 2 writes `{}`).
bool passes_no_arguments(const std::vector<KwargTensors>& kwargs, JsonValue call_kwargs) {
  return kwargs.empty() && (!call_kwargs || (call_kwargs.is_object() && call_kwargs.empty()));
}

bool Propagator::run_rule(const Layer& layer,
                          const LayerRule& rule,
                          const Shapes& inputs,
                          const std::vector<KwargTensors>& kwargs,
                          JsonValue call_kwargs,
                          bool building,
                          Diagnostics& sink,
                          Shapes& outputs,
                          std::vector<WeightSpec>& weights,
                          std::vector<InputSpec>& input_specs) {
  std::optional<RuleMemo::Run> run;
  if (passes_no_arguments(kwargs, call_kwargs) && RuleMemo::worth_looking_up(layer.config())) {
    run = memo_.run(rule, layer.config(), inputs, building);
    if (const RuleOutcome* kept = memo_.find(*run)) {
      outputs = kept->outputs;
      weights = kept->weights;
      input_specs = kept->input_specs;
      return true;
    }
  }
  std::size_t findings_before = sink.size();
  LayerConfig config(layer.config(), ConfigPath::of_layer(layer.object), &sink, layer.name);
  LayerCall lc(config, inputs, kwargs, options_.semantics, &sink);
  lc.set_building(building);
  lc.set_call_arguments(call_kwargs);
  rule.infer(lc);
  if (!lc.failed())
    lc.report_overflow();  // hostile sizes: SL110, whichever rule met them
  outputs = std::move(lc.outputs);
  weights = std::move(lc.weights);
  input_specs = std::move(lc.input_specs);
  if (lc.failed())
    return false;
  if (run && run->memoized && sink.size() == findings_before && !lc.called_sublayer())
    memo_.keep(*run, RuleOutcome{outputs, weights, input_specs});
  return true;
}

void Propagator::evaluate_rule(const Layer& layer,
                               LayerResult& result,
                               CallResult& call,
                               bool first_call,
                               const std::vector<KwargTensors>& kwargs,
                               JsonValue call_kwargs) {
  const LayerRule& rule = *layer.builtin_rule();
  if (inputs_.size() < rule.min_inputs || inputs_.size() > rule.max_inputs) {
    std::string expected = rule.min_inputs == rule.max_inputs
                               ? std::to_string(rule.min_inputs)
                               : fmt::format("{} to {}", rule.min_inputs, rule.max_inputs);
    if (rule.max_inputs == SIZE_MAX)
      expected = fmt::format("at least {}", rule.min_inputs);
    report(rule::kInputCount,
           Severity::error,
           layer,
           fmt::format("Layer \"{}\" expects {} input(s), but it received {} input tensors",
                       layer.name,
                       expected,
                       inputs_.size()));
    call.failed = true;
    return;
  }
  const LayerResult* built = built_layer(static_cast<std::size_t>(&result - &result_.layers[0]));
  if (!built && first_call && layer.build_input_shapes() && !result.built) {
    if (!prebuild(layer, rule, result, kwargs)) {
      call.failed = true;
      call.outputs = Shapes(1);
      return;
    }
  }
  if (!built && (!first_call || result.built) && result.built)
    built = &result;
  if (built && built->built && !call.uncertain && !check_built(layer, *built)) {
    call.failed = true;
    return;
  }
  Diagnostics uncertain_sink;
  Diagnostics& sink = call.uncertain ? uncertain_sink : sink_;
  std::vector<WeightSpec> weights;
  std::vector<InputSpec> input_specs;
  bool ran = run_rule(layer,
                      rule,
                      inputs_,
                      kwargs,
                      call_kwargs,
                      !(built && built->built),
                      sink,
                      call.outputs,
                      weights,
                      input_specs);
  if (call.uncertain) {
    // Only findings about the config itself stand; shape errors may be artefacts of what
    // shapelint could not know upstream.
    for (auto& d : uncertain_sink)
      if (d.severity != Severity::error || d.rule == rule::kBadConfigValue)
        sink_.push_back(std::move(d));
    if (!ran) {
      call.outputs = Shapes(std::max<std::size_t>(call.outputs.size(), 1));
      return;
    }
  }
  call.failed = !ran;
  if (call.failed) {
    call.outputs = Shapes(std::max<std::size_t>(call.outputs.size(), 1));
    return;
  }
  // Only the replay feeds real arrays; a symbolic call (a shared layer's second call while
  // building) is judged by the input spec alone, as Keras builds it.
  if (built && built->built && !call.uncertain && options_.built) {
    // Real arrays fail where the built weights cannot take them, even when the layer's
    // symbolic check does not look (LayerNormalization, an RNN's feature size).
    for (std::size_t w = 0; w < weights.size() && w < built->weights().size(); ++w) {
      const Shape& have = built->weights()[w].shape;
      const Shape& need = weights[w].shape;
      if (!have.fully_known() || !need.fully_known() || have == need)
        continue;
      report(rule::kWeightsIncompatible,
             Severity::error,
             layer,
             fmt::format("Input of layer \"{}\" does not fit its built weights: '{}' has shape "
                         "{}, but input {} needs {}",
                         layer.name,
                         built->weights()[w].name,
                         to_string(have),
                         to_string(inputs_),
                         to_string(need)),
             rebuilt_hint(layer));
      call.failed = true;
      call.outputs = Shapes(call.outputs.size());
      return;
    }
    return;
  }
  if (first_call && !result.built) {
    result.set_built(std::move(weights), std::move(input_specs));
  }
}

// The hook for the configuration's custom layers (lib/shapelint/config/custom_layers.cpp):
// a declared rule gives the outputs, and the weights it declares or builds are the layer's.
void Propagator::evaluate_custom(const config::CustomLayerRule& rule,
                                 const Layer& layer,
                                 LayerResult& result,
                                 CallResult& call,
                                 bool first_call) {
  // Built once (a like-rule's weights), every later call must fit, as for a built-in layer.
  const LayerResult* built = built_layer(static_cast<std::size_t>(&result - &result_.layers[0]));
  if (!built && !first_call && result.built)
    built = &result;
  if (built && built->built && !call.uncertain && !check_built(layer, *built)) {
    call.failed = true;
    call.outputs = Shapes(1);
    return;
  }
  auto outcome =
      config::run_custom_layer(rule, layer, inputs_, options_.semantics, call.uncertain, sink_);
  call.outputs = std::move(outcome.outputs);
  call.failed = outcome.failed;
  call.uncertain = call.uncertain || outcome.opaque;
  if (first_call && outcome.counted && !result.built) {
    result.set_built(std::move(outcome.weights), std::move(outcome.input_specs));
  }
}

void Propagator::evaluate_opaque(const Layer& layer, CallResult& call, bool first_call) {
  call.outputs = {Shape::unknown_rank()};
  std::string_view cls = layer.rule_class();
  if (cls == "Lambda" && layer.config()) {
    LayerConfig config(layer.config(), ConfigPath::of_layer(layer.object), nullptr, layer.name);
    std::string kind = config.get_string("output_shape_type", "raw");
    JsonValue declared = config.raw("output_shape");
    if (kind == "raw" && declared && declared->is_array()) {
      if (auto s = shape_from_json(declared)) {
        DimVector dims{inputs_.empty() || !inputs_[0].has_rank() || inputs_[0].rank() == 0
                           ? Dim::unknown()
                           : inputs_[0].dims()[0]};
        dims.insert(dims.end(), s->dims().begin(), s->dims().end());
        call.outputs = {Shape(std::move(dims))};
        return;
      }
    }
    if (first_call)
      report(rule::kOpaqueLambda,
             Severity::note,
             layer,
             fmt::format("Lambda '{}' is Python code without a declared output_shape: shapes "
                         "after it are unknown",
                         layer.name),
             "pass output_shape=... to the Lambda, or replace it with a built-in layer");
    return;
  }
  if (!first_call)
    return;
  if (is_opaque_op_class(cls)) {
    report(rule::kOpaqueTfOp,
           Severity::note,
           layer,
           fmt::format(
               "'{}' ({}) runs a raw TensorFlow op: shapes after it are unknown", layer.name, cls));
    return;
  }
  if (layer.nested() && layer.nested()->opaque) {
    report(rule::kSubclassedModel,
           Severity::warning,
           layer,
           fmt::format("'{}' is a subclassed model ({}) saved without a layer graph: shapes "
                       "after it are unknown",
                       layer.name,
                       layer.class_name));
    return;
  }
  std::string suggestion = RuleRegistry::builtin().suggest(cls);
  report(rule::kUnknownLayerClass,
         Severity::warning,
         layer,
         fmt::format("no shape rule for layer class '{}' (a custom layer?): shapes after '{}' "
                     "are unknown",
                     layer.class_name,
                     layer.name),
         suggestion.empty() || suggestion == cls
             ? fmt::format("declare its shape rule in pyproject.toml under "
                           "[tool.shapelint.custom_layers.{}] (shape = \"same\", like = "
                           "\"Dense\" or output_shape), or replace it with a built-in layer",
                           layer.class_name.view().substr(layer.class_name.view().rfind('>') + 1))
             : fmt::format("did you mean '{}'?", suggestion));
}

void Propagator::finish_layer(const Layer& layer, LayerResult& result) {
  bool any_failed = false, first_ok = false;
  for (const auto& c : result.calls)
    any_failed = any_failed || c.failed;
  if (!result.calls.empty()) {
    const CallResult& c0 = result.calls[0];
    first_ok = c0.evaluated && !c0.poisoned && !c0.failed;
    for (const auto& s : c0.outputs)
      first_ok = first_ok && s.has_rank();
  }
  result.status =
      any_failed ? LayerStatus::error : (first_ok ? LayerStatus::ok : LayerStatus::unknown);
  // Params come from the weights the declared shapes built, as model.summary() counts them.
  const LayerResult* source = &result;
  const auto index = static_cast<std::size_t>(&result - &result_.layers[0]);
  if (options_.built && index < options_.built->layers.size())
    source = &options_.built->layers[index];
  if (layer.nested()) {
    const ModelResult* nested = source->nested();
    if (nested) {
      result.params = nested->params;
      result.trainable_params =
          layer.trainable ? nested->trainable_params
                          : (nested->params ? std::optional<std::int64_t>(0) : std::nullopt);
      result.non_trainable_params = layer.trainable ? nested->non_trainable_params : nested->params;
    }
  } else if (layer.rule_class() == "InputLayer" ||
             (source->built && !layer.builtin_rule() && !custom_rule(layer))) {
    result.params = result.trainable_params = result.non_trainable_params = 0;
  } else if (source->built) {
    result.params = count_params(source->weights(), false);
    if (layer.trainable) {
      result.trainable_params = count_params(source->weights(), true);
      result.non_trainable_params = count_params(source->weights(), false, true);
    } else {
      result.trainable_params = result.params ? std::optional<std::int64_t>(0) : std::nullopt;
      result.non_trainable_params = result.params;
    }
  } else if (layer.rule_class() == "Lambda" || is_opaque_op_class(layer.rule_class())) {
    result.params = result.trainable_params = result.non_trainable_params = 0;
  }
  if (options_.cost_batch && !layer.nested())
    result_.costs[index] =
        cost::layer_figures(layer, result, *source, result_, *options_.cost_batch);
  if (!options_.keep_built)
    result.drop_built_state();
}

void Propagator::compute_totals() {
  std::int64_t total = 0, trainable = 0, non_trainable = 0;
  std::size_t unknown = 0;
  bool overflow = false;
  auto add = [&overflow](std::int64_t& sum, std::int64_t v) {
    overflow = __builtin_add_overflow(sum, v, &sum) || overflow;
  };
  for (const auto& l : result_.layers) {
    if (!l.params) {
      ++unknown;
      continue;
    }
    add(total, *l.params);
    add(trainable, l.trainable_params.value_or(0));
    add(non_trainable, l.non_trainable_params.value_or(0));
  }
  if (overflow) {
    // Each layer's count fits int64 but their sum does not (hostile sizes): no count at all.
    std::string path = model_.path.empty() ? "config" : model_.path + ".config";
    sink_.push_back(Diagnostic{
        .rule = std::string(rule::kDimOverflow),
        .severity = Severity::error,
        .layer = std::nullopt,
        .message = fmt::format("the parameter count of model '{}' overflows int64: its layers "
                               "hold more than 9223372036854775807 values together",
                               model_.name),
        .hint = "check the input shape and the layers' size arguments",
        .json_path = path});
    result_.failed = true;
    total = trainable = non_trainable = 0;
    unknown = result_.layers.size();
  }
  result_.unknown_param_layers = unknown;
  result_.known_params = total;
  result_.known_trainable_params = trainable;
  result_.known_non_trainable_params = non_trainable;
  if (unknown == 0) {
    result_.params = total;
    result_.trainable_params = trainable;
    result_.non_trainable_params = non_trainable;
  }
}

}  // namespace

ModelResult propagate(const Model& model, const PropagateOptions& options, Diagnostics& sink) {
  return Propagator(model, options, sink).run();
}

}  // namespace shapelint
