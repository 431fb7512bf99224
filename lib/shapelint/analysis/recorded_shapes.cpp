#include "shapelint/analysis/recorded_shapes.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/model/layer_config.hpp"

namespace shapelint::analysis {

bool recorded_shape_disagrees(const Shape& recorded, const Shape& computed) {
  if (!recorded.has_rank() || !computed.has_rank())
    return false;
  if (recorded.rank() != computed.rank())
    return true;
  for (std::size_t k = 0; k < recorded.rank(); ++k)
    if (recorded.dims()[k].conflicts_with(computed.dims()[k]))
      return true;
  return false;
}

namespace {

bool any_disagrees(const Shapes& recorded, const Shapes& computed) {
  if (recorded.size() != computed.size())
    return false;  // another calling convention (a list of one, state tensors): no judgement
  for (std::size_t i = 0; i < recorded.size(); ++i)
    if (recorded_shape_disagrees(recorded[i], computed[i]))
      return true;
  return false;
}

/// A call whose input shapes are what the declared inputs make of the file.
bool judged(const CallResult& call) {
  return call.evaluated && !call.poisoned && !call.uncertain;
}

/// Reports on the outermost layer, as the engine does for findings inside a nested model, and
/// points at the inner layer's object.
struct Reporter {
  Diagnostics& sink;
  const Text* outer = nullptr;  ///< the top-level layer a nested model is, or null

  void warn(const Layer& layer, std::string message) const {
    const RuleInfo* info = find_rule_info(rule::kRecordedShapeMismatch);
    if (outer)
      message = fmt::format("in '{}', {}", *outer, message);
    sink.push_back(Diagnostic{
        .rule = std::string(rule::kRecordedShapeMismatch),
        .severity = info ? info->severity : Severity::warning,
        .layer = (outer ? *outer : layer.name).str(),
        .message = std::move(message),
        .hint = "save the model again from the code that built it, or undo the edit to the "
                "config; Keras builds the layer's weights from the recorded shape when it "
                "loads the file",
        .json_path = layer.path()});
  }
};

/// Keras 3 layers whose `build` ignores its input shape, so that the recorded one need not be
/// the input's: Embedding's `build(input_shape=None)` (real files record `[null]` for it).
bool build_ignores_input_shape(std::string_view cls) {
  return cls == "Embedding";
}

/// Compares one model's calls in config order; returns whether anything was reported.
/// Calls fed by a reported call are not compared again: their shapes differ as a consequence.
/// One flag per layer call (layer, node) of a model, in two flat vectors rather than a vector
/// per layer: this runs on every lint, and an allocation per layer was most of its cost.
class CallFlags {
 public:
  explicit CallFlags(const Model& model) {
    first_.reserve(model.layers.size() + 1);
    std::size_t total = 0;
    for (const auto& layer : model.layers) {
      first_.push_back(total);
      total += layer.nodes.size();
    }
    first_.push_back(total);
    flags_.assign(total, 0);
  }

  bool get(std::size_t layer, std::size_t node) const {
    return layer + 1 < first_.size() && node < first_[layer + 1] - first_[layer] &&
           flags_[first_[layer] + node] != 0;
  }

  void set(std::size_t layer, std::size_t node, bool value) {
    flags_[first_[layer] + node] = value ? 1 : 0;
  }

 private:
  std::vector<std::size_t> first_;  ///< index of each layer's first call; then the total
  std::vector<char> flags_;
};

bool check_model(const Model& model, const ModelResult& result, const Reporter& reporter) {
  CallFlags tainted(model);
  auto fed_by_tainted = [&](const Node& node) {
    auto bad = [&](const TensorRef& r) { return tainted.get(r.layer, r.node); };
    for (const auto& r : node.inputs)
      if (bad(r))
        return true;
    for (const auto& [k, refs] : node.kwargs())
      for (const auto& r : refs)
        if (bad(r))
          return true;
    return false;
  };
  bool any = false;
  for (std::size_t i = 0; i < model.layers.size() && i < result.layers.size(); ++i) {
    const Layer& layer = model.layers[i];
    const LayerResult& lr = result.layers[i];
    for (std::size_t n = 0; n < layer.nodes.size() && n < lr.calls.size(); ++n) {
      const Node& node = layer.nodes[n];
      const CallResult& call = lr.calls[n];
      if (fed_by_tainted(node)) {
        tainted.set(i, n, true);
        continue;
      }
      if (layer.implicit_input || !judged(call) || node.inputs.empty())
        continue;
      bool reported = false;
      // build_config.input_shape: the shapes of the call that built the layer, its first.
      bool compare_build =
          n == 0 && layer.build_input_shapes() && !build_ignores_input_shape(layer.rule_class());
      // The call's input shapes only where the file recorded some to compare them with: most
      // tf.keras 2 configs record none, and making them cost 5% of a NASNet config's propagation.
      const Shapes inputs =
          compare_build || !node.recorded_inputs().empty() ? input_shapes(node, result) : Shapes();
      if (compare_build && any_disagrees(*layer.build_input_shapes(), inputs)) {
        reporter.warn(layer,
                      fmt::format("layer \"{}\" was saved with input shape {}, but its inputs "
                                  "here are {}: the config was edited by hand or saved by "
                                  "another Keras version",
                                  layer.name,
                                  to_string(*layer.build_input_shapes()),
                                  to_string(inputs)));
        reported = true;
      }
      // The shape each __keras_tensor__ of the inbound node records.
      for (std::size_t k = 0; !reported && k < node.recorded_inputs().size() && k < inputs.size() &&
                              k < node.inputs.size();
           ++k) {
        const std::optional<Shape> recorded = shape_from_json(node.recorded_inputs()[k]);
        if (!recorded || !recorded_shape_disagrees(*recorded, inputs[k]))
          continue;
        reporter.warn(layer,
                      fmt::format("layer \"{}\" was saved with input shape {} (input {} of call "
                                  "{}, from '{}'), but that input here is {}: the config was "
                                  "edited by hand or saved by another Keras version",
                                  layer.name,
                                  to_string(*recorded),
                                  k,
                                  n,
                                  model.layers[node.inputs[k].layer].name,
                                  to_string(inputs[k])));
        reported = true;
      }
      if (!reported && n == 0 && layer.nested() && lr.nested())
        reported =
            check_model(*layer.nested(),
                        *lr.nested(),
                        Reporter{reporter.sink, reporter.outer ? reporter.outer : &layer.name});
      tainted.set(i, n, reported);
      any = any || reported;
    }
  }
  return any;
}

}  // namespace

void check_recorded_shapes(const Model& model, const ModelResult& built, Diagnostics& sink) {
  check_model(model, built, Reporter{sink, nullptr});
}

}  // namespace shapelint::analysis
