#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shapelint/json/document.hpp"
#include "shapelint/memory/boxed.hpp"
#include "shapelint/memory/small_vector.hpp"
#include "shapelint/memory/text.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint {

struct LayerRule;

/// The dialect a config is written in, read from its content.
enum class Dialect { keras1, keras2, keras3 };

/// One output tensor of one call (node) of one layer in the same model. 32 bits each (the
/// layers are at most max-layers, a call's index is checked against the layer's calls, a
/// tensor's is refused past 32 bits): most calls hold one of these in their node, and a
/// large model has a call per layer.
struct TensorRef {
  std::uint32_t layer = 0;
  std::uint32_t node = 0;
  std::uint32_t tensor = 0;
};

/// A call's tensor keyword arguments: each name with the tensors it is given.
using TensorKwargs = std::vector<std::pair<std::string, std::vector<TensorRef>>>;

/// One call of a layer: its positional input tensors and its tensor keyword arguments.
struct Node {
  /// Most calls take one tensor: held in the node.
  memory::SmallVector<TensorRef, 1> inputs;
  /// Where the call is written, in its layer's document (JsonValue::index; see
  /// Layer::call_source): its `inbound_nodes` entry, or the layer object for a Sequential's
  /// call; kNoIndex for an input the loader made. An index, not a JsonValue: 8 bytes less in
  /// every call, and a large model has a call per layer.
  std::uint32_t source_index = JsonValue::kNoIndex;

  /// The call's keyword arguments as written (non-tensor ones such as
  /// `return_attention_scores` included); absent when the call has none.
  JsonValue call_kwargs() const { return extras_ ? extras_->call_kwargs : JsonValue(); }

  /// Sets the call's keyword arguments. An empty object (every tf.keras 2 call writes `{}`)
  /// is kept as none: nothing is found in either, and it takes no memory.
  void set_call_kwargs(JsonValue kwargs) {
    if (kwargs.is_object() && !kwargs.empty())
      extras().call_kwargs = kwargs;
    else if (extras_)
      extras_->call_kwargs = JsonValue();
  }

  /// The tensor keyword arguments (`value` of an Attention, `mask`); empty for most calls.
  const TensorKwargs& kwargs() const { return extras_ ? extras_->kwargs : kNoKwargs; }

  TensorKwargs& mutable_kwargs() { return extras().kwargs; }

  /// Keras 3: the shape each positional input's `__keras_tensor__` records, aligned with
  /// `inputs` (absent where none is recorded, and shorter than `inputs` when the last ones
  /// record none); read only when checked (shape_from_json). Empty for tf.keras 2.
  const std::vector<JsonValue>& recorded_inputs() const {
    return extras_ ? extras_->recorded_inputs : kNoRecordedInputs;
  }

  std::vector<JsonValue>& mutable_recorded_inputs() { return extras().recorded_inputs; }

 private:
  struct Extras {
    TensorKwargs kwargs;
    std::vector<JsonValue> recorded_inputs;
    JsonValue call_kwargs;
  };

  Extras& extras() {
    if (!extras_)
      extras_.emplace();
    return *extras_;
  }

  static const TensorKwargs kNoKwargs;
  static const std::vector<JsonValue> kNoRecordedInputs;
  // Out of line: a tf.keras 2 call has none of them (its keyword arguments are `{}`), and a
  // large model has a call per layer (Node 64 -> 48 bytes, its block 80 -> 64).
  Boxed<Extras> extras_;
};

struct Model;

/// One layer as every dialect is normalized to: the class, its config (Keras 2 argument
/// names), the calls made of it, and the nested model it is, if it is one.
struct Layer {
  Layer();
  ~Layer();
  Layer(Layer&&) noexcept;
  Layer& operator=(Layer&&) noexcept;

  /// Borrowed from the document when read from it (most are; see memory/text.hpp).
  Text name;
  Text class_name;                     ///< as written in the file
  JsonValue object;                    ///< the layer object in the file
  memory::SmallVector<Node, 1> nodes;  ///< most layers are called once: held in the layer

  /// The layer's `config` object (absent when it has none): a member of `object`, or the
  /// root of the document own_config gave the layer.
  JsonValue config() const noexcept;

  /// Sets the config: a value of `object`'s document (or absent).
  void set_config(JsonValue config) noexcept { config_index_ = config.index(); }

  /// Where call `node` is written (Node::source_index): absent for an input the loader made.
  JsonValue call_source(const Node& node) const noexcept {
    return object.at_index(node.source_index);
  }

  /// JSON path of call `node` in the file ("" for an input the loader made).
  std::string call_path(const Node& node) const { return call_source(node).path(); }

  /// The nested model this layer is, when it is a model used as a layer; null otherwise.
  const Model* nested() const noexcept;
  Model* nested() noexcept;
  void set_nested(std::unique_ptr<Model> model);

  /// InputLayer: the declared batch shape.
  const std::optional<Shape>& batch_shape() const noexcept;
  void set_batch_shape(std::optional<Shape> shape);

  /// Keras 3 `build_config.input_shape`: Keras 3 builds the layer's weights from it when it
  /// loads the file, before the layer is called in the graph.
  const std::optional<Shapes>& build_input_shapes() const noexcept;
  void set_build_input_shapes(std::optional<Shapes> shapes);

  /// Makes config() the root of `document`, a config the loader rewrote (a Keras 1 layer's),
  /// which the layer then holds.
  void own_config(std::shared_ptr<const JsonDocument> document);
  /// The document own_config gave the layer (null for nearly every layer).
  const std::shared_ptr<const JsonDocument>& owned_config() const noexcept;

  /// The Keras 2/3 class whose rule applies: class_name, or the Keras 2 class the loader
  /// mapped a Keras 1 one to.
  std::string_view rule_class() const noexcept;

  /// Sets the class whose rule applies. One that is class_name takes no memory (so it is for
  /// nearly every layer), and follows class_name from then on.
  void set_rule_class(std::string keras_class);

  /// JSON path of the layer object ("config.layers[3]"), formatted when a finding needs it.
  std::string path() const { return object.path(); }

  /// The built-in rule of `rule_class()` (null when there is none), looked up on the first
  /// call only: the engine asks about every layer several times. `rule_class()` is set by the
  /// loader, before anything asks.
  const LayerRule* builtin_rule() const;

 private:
  struct Rare;
  Rare& rare();

  /// What few layers have (a nested model, a declared or recorded shape, a rewritten config,
  /// a mapped class), in one block: a pointer in every layer where five took 40 bytes (and a
  /// large model has 100,000 layers).
  std::unique_ptr<Rare> rare_;
  /// Where builtin_rule() is in the registry's table (RuleRegistry::slot_of), once asked:
  /// two bytes where the rule's pointer took eight (a large model has 100,000 layers).
  static constexpr std::uint16_t kRuleUnknown = 0xFFFF;
  mutable std::uint16_t builtin_rule_slot_ = kRuleUnknown;

 public:
  // Last, beside builtin_rule_slot_ and config_index_: they share one word.
  bool trainable = true;
  bool implicit_input = false;  ///< an input the loader added for a Sequential; not reported

 private:
  /// config() in `object`'s document (JsonValue::index): 4 bytes where a JsonValue took 16.
  std::uint32_t config_index_ = JsonValue::kNoIndex;
};

/// A tensor shape the file itself records (Keras 3 writes one in every tensor reference).
/// Kept for tensors of layers shapelint cannot see into, sorted by tensor.
struct RecordedShape {
  TensorRef tensor;
  Shape shape;
};

/// A Sequential or Functional model, normalized to a layer graph.
struct Model {
  std::string name;
  std::string class_name;
  std::string path;  ///< JSON path of the model object ("" at the top)
  bool sequential = false;
  /// A subclassed model saved without a layer graph (its config is `{}` or has no layers).
  bool opaque = false;
  std::vector<Layer> layers;
  std::vector<TensorRef> inputs;
  std::vector<TensorRef> outputs;
  std::vector<RecordedShape> recorded_shapes;
};

struct Layer::Rare {
  std::unique_ptr<Model> nested;
  std::optional<Shape> batch_shape;
  std::optional<Shapes> build_input_shapes;
  std::shared_ptr<const JsonDocument> owned_config;
  std::optional<std::string> mapped_class;
};

inline const Model* Layer::nested() const noexcept {
  return rare_ ? rare_->nested.get() : nullptr;
}

inline Model* Layer::nested() noexcept {
  return rare_ ? rare_->nested.get() : nullptr;
}

inline const std::optional<Shape>& Layer::batch_shape() const noexcept {
  static const std::optional<Shape> none;
  return rare_ ? rare_->batch_shape : none;
}

inline const std::optional<Shapes>& Layer::build_input_shapes() const noexcept {
  static const std::optional<Shapes> none;
  return rare_ ? rare_->build_input_shapes : none;
}

inline const std::shared_ptr<const JsonDocument>& Layer::owned_config() const noexcept {
  static const std::shared_ptr<const JsonDocument> none;
  return rare_ ? rare_->owned_config : none;
}

inline JsonValue Layer::config() const noexcept {
  if (rare_ && rare_->owned_config)
    return rare_->owned_config->root();
  return object.at_index(config_index_);
}

inline std::string_view Layer::rule_class() const noexcept {
  return rare_ && rare_->mapped_class ? std::string_view(*rare_->mapped_class) : class_name.view();
}

}  // namespace shapelint
