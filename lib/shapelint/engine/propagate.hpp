#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "shapelint/cost/layer_figures.hpp"
#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/memory/optional_count.hpp"
#include "shapelint/memory/small_vector.hpp"
#include "shapelint/model/graph.hpp"
#include "shapelint/rules/rule.hpp"

namespace shapelint {

namespace config {
struct CustomLayerRules;
}

enum class LayerStatus { ok, error, unknown };

struct ModelResult;

/// What one call of a layer produced. What it received is its producers' outputs
/// (input_shapes): not held again here, as a large model has a call per layer.
struct CallResult {
  Shapes outputs;
  bool evaluated = false;
  /// Upstream of this call an error occurred: outputs are unknown and nothing is reported.
  bool poisoned = false;
  bool failed = false;  ///< this call raised an error
  /// An input comes (perhaps indirectly) from a layer whose output shapes shapelint cannot
  /// know (a custom class, a Lambda): an unknown dim may really be known, so this call
  /// reports no errors and its failure only makes its outputs unknown.
  bool uncertain = false;
};

/// What a layer's build made: its weights and the input specs every later call must meet.
struct BuiltState {
  std::vector<WeightSpec> weights;
  std::vector<InputSpec> input_specs;
};

/// A layer after propagation: its calls, the weights its first call built, its status.
struct LayerResult {
  LayerResult();
  ~LayerResult();
  LayerResult(LayerResult&&) noexcept;
  LayerResult& operator=(LayerResult&&) noexcept;

  /// The weights the build made (empty when the layer was not built, or when they were
  /// dropped: see PropagateOptions::keep_built).
  const std::vector<WeightSpec>& weights() const;
  const std::vector<InputSpec>& input_specs() const;
  /// Marks the layer built, with what its build made.
  void set_built(std::vector<WeightSpec> weights, std::vector<InputSpec> input_specs);

  /// Frees the weights and specs; the layer stays built.
  void drop_built_state();

  /// A nested model's layers, from its first call; null for any other layer.
  const ModelResult* nested() const noexcept;
  ModelResult* nested() noexcept;
  void set_nested(std::unique_ptr<ModelResult> nested);

  memory::SmallVector<CallResult, 1> calls;  ///< most layers are called once
  OptionalCount params;
  OptionalCount trainable_params;
  OptionalCount non_trainable_params;
  LayerStatus status = LayerStatus::unknown;
  bool built = false;

 private:
  struct Rare;
  Rare& rare();

  /// What few results have, in one block: the built state (only a replay, a check of stored
  /// weights or a valid-sizes search keeps it past its layer) and a nested model's results.
  /// One pointer where two took 16 bytes, and a large model has a result per layer.
  std::unique_ptr<Rare> rare_;
};

struct ModelResult {
  std::vector<LayerResult> layers;
  /// Each layer's cost, when PropagateOptions::cost_batch asks (empty otherwise): worked out
  /// as its last call is done, for every layer but a nested model, whose figures stay
  /// unknown until annotate_cost sums its own. A list beside the results, not a block per
  /// result: every layer has figures when they are asked for (the JSON report always asks),
  /// and a large model has 100,000 layers.
  std::vector<cost::LayerFigures> costs;
  /// Each layer's first call's receptive field, once cost::attach_receptive_fields ran; null
  /// where it has none, and empty when no layer has one. Beside the figures rather than in
  /// them: only convolutions and poolings have one, and attached after propagation, they do
  /// not add to its peak (8 bytes a layer, 100,000 layers in a large model).
  std::vector<std::unique_ptr<cost::ReceptiveField>> receptive_fields;
  Shapes outputs;
  bool failed = false;
  bool uncertain_outputs = false;  ///< an output depends on a layer shapelint cannot see into
  std::optional<std::int64_t> params;
  std::optional<std::int64_t> trainable_params;
  std::optional<std::int64_t> non_trainable_params;
  std::size_t unknown_param_layers = 0;  ///< layers whose weights could not be counted
  std::int64_t known_params = 0;         ///< sums over the layers that could be counted
  std::int64_t known_trainable_params = 0;
  std::int64_t known_non_trainable_params = 0;
};

struct PropagateOptions {
  Semantics semantics = Semantics::keras2;
  /// Replaces the declared shape of model input i (batch axis included) when set.
  std::vector<std::optional<Shape>> input_shapes;
  /// The same model propagated on its declared shapes: every layer keeps the weights built
  /// there, and each call is checked against them (what-if replay).
  const ModelResult* built = nullptr;
  /// The inputs come from layers shapelint cannot see into (see CallResult::uncertain).
  bool uncertain_inputs = false;
  /// Shape rules the user declared for their own layer classes (the configuration file),
  /// consulted where a class has no built-in rule; may be null.
  const config::CustomLayerRules* custom_layers = nullptr;
  /// Keep each layer's built weights and input specs in the result (a replay or a check of
  /// stored weights reads them). Without, they are dropped as soon as the layer's last call
  /// is done and its params are counted: a large model then holds far less at once.
  bool keep_built = true;
  /// Work out each layer's cost (LayerResult::cost) for this many samples as its last call
  /// is done, while its config and built weights are at hand.
  std::optional<std::int64_t> cost_batch;
  /// Once the results' list is made, give the free heap's pages back to the system
  /// (memory::return_free_heap_pages). Asked for by a caller that has just freed a large
  /// scratch (the loader's): the list takes the freed memory, pages already in, where it
  /// fits, and what it leaves is given back. Given back before the list was made, the pages
  /// it then took had to be faulted in again (a tenth of a large model's lint); not given
  /// back, a hole the list did not fit in stayed in memory beside it.
  bool give_back_free_pages = false;
};

/// Walks the graph in topological order, running each layer's shape rule. Never throws for
/// problems in the model: they go to `sink`.
ModelResult propagate(const Model& model, const PropagateOptions& options, Diagnostics& sink);

/// The shape of tensor `ref` in `pass`: its producer's output; unknown (and `poisoned` set)
/// where the producer did not run, failed or was poisoned itself.
Shape tensor_shape(const ModelResult& pass, const TensorRef& ref, bool& poisoned);

/// The shapes call `node` was given in `pass` (its positional inputs), as the engine gave
/// them to its rule. Meaningful for a call that ran (CallResult::evaluated).
Shapes input_shapes(const Node& node, const ModelResult& pass);
/// input_shapes, appended to `out`.
void append_input_shapes(const Node& node, const ModelResult& pass, Shapes& out);

}  // namespace shapelint
