// Reads every JSON generation of a Keras model config into one normalized graph.
// Dialect quirks (Keras 1 argument names, tf.keras 2 node lists, Keras 3 `args`/`kwargs`
// nodes, tfjs `modelTopology`) stay inside this file; everything after it sees one shape.
#include "shapelint/model/loader.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/diag/limit_hint.hpp"
#include "shapelint/hash/string_hash.hpp"
#include "shapelint/model/keras1.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

const char* format_name(Dialect d) {
  switch (d) {
    case Dialect::keras1:
      return "keras1-json";
    case Dialect::keras2:
      return "keras2-json";
    case Dialect::keras3:
      return "keras3-json";
  }
  return "keras2-json";
}

namespace {

/// The characters of a string value, or `fallback`: both live as long as the document.
std::string_view string_view_or(JsonValue v, std::string_view fallback) {
  return v.is_string() ? v.as_string() : fallback;
}

std::string string_or(JsonValue v, std::string_view fallback) {
  return std::string(string_view_or(v, fallback));
}

/// Layers whose Keras 1 `input_dim` is the last axis of a (batch, time, features) input.
bool takes_sequences(std::string_view cls) {
  for (std::string_view c : {"SimpleRNN",
                             "GRU",
                             "LSTM",
                             "TimeDistributedDense",
                             "Conv1D",
                             "Convolution1D",
                             "AtrousConvolution1D",
                             "LocallyConnected1D",
                             "CuDNNLSTM",
                             "CuDNNGRU"})
    if (cls == c)
      return true;
  return false;
}

bool is_model_class(std::string_view cls) {
  return cls == "Sequential" || cls == "Model" || cls == "Functional";
}

// ---------------------------------------------------------------------------------------------
// Dialect detection.

/// The keys the loader asks every layer for, looked up once in the file's document
/// (JsonKey): about a tenth of loading a model of a thousand layers was hashing them.
struct LayerKeys {
  explicit LayerKeys(const JsonDocument& d)
      : class_name(d, "class_name"),
        config(d, "config"),
        name(d, "name"),
        inbound_nodes(d, "inbound_nodes"),
        args(d, "args"),
        layers(d, "layers"),
        layer(d, "layer"),
        batch_shape(d, "batch_shape"),
        trainable(d, "trainable"),
        input_layers(d, "input_layers"),
        output_layers(d, "output_layers") {}

  JsonKey class_name, config, name, inbound_nodes, args, layers, layer, batch_shape, trainable,
      input_layers, output_layers;
};

struct DialectScan {
  explicit DialectScan(const LayerKeys& k) : keys(k) {}

  const LayerKeys& keys;
  Keras1ArgumentSet keras1_argument_names = 0;  ///< those the file writes anywhere
  bool keras3_nodes = false;
  bool keras1_names = false;      ///< classes only Keras 1 had (Convolution2D, Merge)
  bool keras1_arguments = false;  ///< Keras 1 argument names on Keras classes
};

void scan_layers(JsonValue layers, DialectScan& scan, int depth);

void scan_layer(JsonValue layer, DialectScan& scan, int depth) {
  // As deep as the deepest model the loader may be allowed to read: nested models and
  // wrapped layers.
  if (!layer.is_object() || depth > kModelDepthCeiling + kWrapperDepthCeiling)
    return;
  std::string_view cls = string_view_or(layer.find(scan.keys.class_name), "");
  JsonValue config = layer.find(scan.keys.config);
  if (is_keras1_class(cls))
    scan.keras1_names = true;
  // Argument names count only on Keras's own classes: a custom layer may call its own
  // argument `output_dim`.
  if (scan.keras1_argument_names && !scan.keras1_arguments && config &&
      has_keras1_arguments(cls, config, scan.keras1_argument_names) &&
      RuleRegistry::builtin().find(cls))
    scan.keras1_arguments = true;
  if (!scan.keras3_nodes)
    if (JsonValue nodes = layer.find(scan.keys.inbound_nodes); nodes.is_array())
      for (JsonValue n : nodes)
        if (n.is_object() && n.find(scan.keys.args))
          scan.keras3_nodes = true;
  if (cls == "InputLayer" && config && config.find(scan.keys.batch_shape))
    scan.keras3_nodes = true;
  if (config) {
    if (JsonValue inner = config.find(scan.keys.layers))
      scan_layers(inner, scan, depth + 1);
    if (JsonValue wrapped = config.find(scan.keys.layer))
      scan_layer(wrapped, scan, depth + 1);
  }
  if (config.is_array())
    scan_layers(config, scan, depth + 1);
}

void scan_layers(JsonValue layers, DialectScan& scan, int depth) {
  for (JsonValue l : layers) {
    if (scan.keras3_nodes)
      return;  // Keras 3's calls decide the dialect, whatever the rest of the file says
    scan_layer(l, scan, depth);
  }
}

// ---------------------------------------------------------------------------------------------
// Building the graph.

/// Layer name to index in a model's layer list, in one flat table (the names stay in the
/// layers, which never move: the list is reserved before it is filled).
class NameIndex {
 public:
  NameIndex(const std::vector<Layer>& layers, std::size_t expected) : layers_(layers) {
    std::size_t size = 64;
    while (size < expected * 2)
      size *= 2;
    slots_.assign(size, 0);
  }

  std::optional<std::size_t> find(std::string_view name) const {
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = string_hash(name) & mask;; i = (i + 1) & mask) {
      std::uint32_t slot = slots_[i];
      if (slot == 0)
        return std::nullopt;
      if (layers_[slot - 1].name == name)
        return slot - 1;
    }
  }

  /// Adds layers_[index], whose name is not in the table yet.
  void insert(std::size_t index) {
    if ((count_ + 1) * 2 > slots_.size()) {
      std::vector<std::uint32_t> old(slots_.size() * 2, 0);
      old.swap(slots_);
      for (std::uint32_t slot : old)
        if (slot != 0)
          place(slot - 1);
    }
    place(index);
    ++count_;
  }

 private:
  void place(std::size_t index) {
    std::size_t mask = slots_.size() - 1;
    std::size_t i = string_hash(layers_[index].name) & mask;
    while (slots_[i] != 0)
      i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(index + 1);
  }

  const std::vector<Layer>& layers_;
  std::vector<std::uint32_t> slots_;
  std::size_t count_ = 0;
};

/// The elements of a tf.keras 2 reference [layer name, node index, tensor index] (and its
/// keyword arguments when a fourth element is written), taken in one look at them: a model
/// of a thousand layers reads a few thousand references.
struct Keras2Ref {
  JsonValue name;
  JsonValue node;
  JsonValue tensor;
  JsonValue fourth;  ///< nothing for a triple
};

class GraphBuilder {
 public:
  GraphBuilder(Dialect dialect, const LoadLimits& limits, const LayerKeys& keys, Diagnostics& diags)
      : dialect_(dialect), limits_(limits), keys_(keys), diags_(diags) {}

  std::unique_ptr<Model> build_model(JsonValue model_obj, const std::string& path, int depth);

 private:
  /// A tensor reference as written: the producer by name, resolved once all layers are read.
  /// Paths are worked out from `where` only when a finding needs one.
  struct PendingRef {
    std::string_view layer_name;
    std::size_t node = 0;
    std::size_t tensor = 0;
    JsonValue where;
    JsonValue recorded_shape;  ///< Keras 3 records each tensor's shape in the node
  };

  /// A keyword argument's tensors: kwarg_refs [first, first + count).
  struct PendingKwarg {
    std::string_view name;
    std::size_t first = 0;
    std::size_t count = 0;
  };

  /// One call as written: input_refs [first_input, +input_count), kwargs [first_kwarg,
  /// +kwarg_count).
  struct PendingNode {
    std::size_t first_input = 0;
    std::size_t input_count = 0;
    std::size_t first_kwarg = 0;
    std::size_t kwarg_count = 0;
    JsonValue source;
    JsonValue call_kwargs;
  };

  /// What one Functional model's calls refer to, in flat lists: a large model makes a few
  /// big allocations, all freed at once, rather than several per call.
  struct PendingGraph {
    std::vector<PendingRef> input_refs;
    std::vector<PendingRef> kwarg_refs;
    std::vector<PendingKwarg> kwargs;
    std::vector<PendingNode> nodes;
    std::vector<std::size_t> first_node;  ///< per layer read, and one past the last

    std::size_t calls(std::size_t layer) const { return first_node[layer + 1] - first_node[layer]; }
  };

  void error(std::string_view rule_id,
             std::string message,
             std::string path,
             std::optional<std::string> layer = std::nullopt,
             std::string hint = {}) {
    diags_.push_back(Diagnostic{.rule = std::string(rule_id),
                                .severity = Severity::error,
                                .layer = std::move(layer),
                                .message = std::move(message),
                                .hint = std::move(hint),
                                .json_path = std::move(path)});
  }

  /// Keras 1 names and arguments as Keras 2 reads them; false, after a finding, when an
  /// argument the translation reads has the wrong JSON type.
  bool translate_keras1(JsonValue config, const std::string& path, Layer& layer);
  bool read_layer(
      JsonValue obj, const std::string& list_path, std::size_t i, int depth, Layer& layer);
  void read_sequential(JsonValue layers, const std::string& layers_path, int depth, Model& m);
  void read_functional(JsonValue config, const std::string& config_path, int depth, Model& m);
  void read_inbound_nodes(JsonValue nodes, PendingGraph& g);
  void read_call_kwargs(JsonValue kwargs, bool keras3, PendingGraph& g);
  void collect_keras3_tensors(JsonValue v, std::vector<PendingRef>& out);
  void collect_keras2_refs(JsonValue v, std::vector<PendingRef>& out, int depth);
  /// Adds the reference `ref` read from `v`, or reports a negative index.
  void push_keras2_ref(const Keras2Ref& ref, JsonValue v, std::vector<PendingRef>& out);
  std::optional<std::vector<PendingRef>> read_endpoint_list(JsonValue v, const std::string& path);
  std::optional<TensorRef> resolve(const NameIndex& index,
                                   const PendingGraph& g,
                                   const PendingRef& ref);
  void adjust_nested_node_offsets(Model& m,
                                  PendingGraph& g,
                                  std::vector<PendingRef>& inputs,
                                  std::vector<PendingRef>& outputs);
  std::optional<Shape> declared_input_shape(std::string_view class_name, JsonValue config) const;

  Dialect dialect_;
  const LoadLimits& limits_;
  const LayerKeys& keys_;
  Diagnostics& diags_;
  std::size_t layers_read_ = 0;  ///< in the whole file, against limits_.max_layers
};

std::optional<Shape> GraphBuilder::declared_input_shape(std::string_view class_name,
                                                        JsonValue config) const {
  for (const char* key : {"batch_shape", "batch_input_shape"}) {
    if (JsonValue v = config.find(key))
      if (auto s = shape_from_json(v))
        return s;
  }
  if (JsonValue v = config.find("input_shape")) {
    if (auto s = shape_from_json(v)) {
      DimVector dims{Dim::unknown()};
      dims.insert(dims.end(), s->dims().begin(), s->dims().end());
      return Shape(std::move(dims));
    }
  }
  // Keras 1 style: input_dim (and input_length for sequences). An Embedding's input_dim is
  // its vocabulary, so its input is (batch, input_length).
  JsonValue input_dim = config.find("input_dim");
  JsonValue input_length = config.find("input_length");
  std::optional<Dim> dim, length;
  if (input_dim.is_number_integer())
    dim = Dim::of(input_dim.get<std::int64_t>());
  if (input_length.is_number_integer())
    length = Dim::of(input_length.get<std::int64_t>());
  if (class_name == "Embedding") {
    if (!dim && !length)
      return std::nullopt;
    return Shape({Dim::unknown(), length.value_or(Dim::unknown())});
  }
  if (dim && length)
    return Shape({Dim::unknown(), *length, *dim});
  // Keras 1 sequence layers take (batch, time, input_dim); without input_length the time
  // axis is unknown.
  if (dim && takes_sequences(class_name))
    return Shape({Dim::unknown(), Dim::unknown(), *dim});
  if (dim)
    return Shape({Dim::unknown(), *dim});
  return std::nullopt;
}

/// `build_config.input_shape`: one shape, or a list of shapes for multi-input layers.
std::optional<Shapes> read_build_shapes(JsonValue layer_obj) {
  JsonValue shape = layer_obj.find("build_config").find("input_shape");
  if (!shape.is_array())
    return std::nullopt;
  bool nested = !shape.empty() && shape[0].is_array();
  Shapes out;
  if (!nested) {
    auto s = shape_from_json(shape);
    if (!s)
      return std::nullopt;
    out.push_back(std::move(*s));
    return out;
  }
  out.reserve(shape.size());
  for (JsonValue item : shape) {
    auto s = shape_from_json(item);
    if (!s)
      return std::nullopt;
    out.push_back(std::move(*s));
  }
  return out;
}

bool GraphBuilder::translate_keras1(JsonValue config, const std::string& path, Layer& layer) {
  std::optional<TranslatedLayer> translated;
  try {
    translated = translate_keras1_layer(layer.class_name, config.to_nlohmann());
  } catch (const nlohmann::json::exception& e) {
    // The translation reads Keras 1 arguments as Keras 1 wrote them (a Merge's `mode` is a
    // string): one of another JSON type is a finding, as anywhere else in a config.
    std::string_view what = e.what();
    what.remove_prefix(std::min(what.size(), what.find("] ") + 2));
    error(rule::kBadConfigValue,
          fmt::format("{}.config: a Keras 1 argument of {} has the wrong JSON type ({})",
                      path,
                      layer.class_name,
                      what),
          path + ".config",
          layer.name,
          "write the layer's arguments with the types Keras 1 wrote (strings for modes and "
          "names, integers for sizes)");
    return false;
  }
  if (translated) {
    layer.set_rule_class(translated->class_name);
    layer.own_config(JsonDocument::from_nlohmann(translated->config));
  }
  return true;
}

bool GraphBuilder::read_layer(
    JsonValue obj, const std::string& list_path, std::size_t i, int depth, Layer& layer) {
  auto path = [&] { return fmt::format("{}[{}]", list_path, i); };
  if (++layers_read_ > limits_.max_layers) {
    if (layers_read_ == limits_.max_layers + 1)
      error(rule::kBadConfigValue,
            fmt::format("{}: the file has more than {} layers, shapelint's limit (max-layers)",
                        path(),
                        limits_.max_layers),
            path(),
            std::nullopt,
            raise_limit_hint(
                "no Keras model has this many layers: check that the file was written by Keras",
                "max-layers"));
    return false;
  }
  if (!obj.is_object()) {
    error(rule::kBadConfigValue, fmt::format("{} must be a layer object", path()), path());
    return false;
  }
  layer.object = obj;
  JsonValue cls = obj.find(keys_.class_name);
  if (!cls.is_string()) {
    error(rule::kBadConfigValue,
          fmt::format("{}.class_name is missing or not a string", path()),
          path() + ".class_name");
    return false;
  }
  layer.class_name = Text::borrow(cls.as_string());  // the document outlives the graph
  JsonValue config = obj.find(keys_.config);
  if (config && !config.is_object() && !(config.is_array() && layer.class_name == "Sequential")) {
    error(rule::kBadConfigValue,
          fmt::format("{}.config must be an object", path()),
          path() + ".config");
    return false;
  }
  layer.set_config(config);
  std::string_view name = string_view_or(obj.find(keys_.name), "");
  if (name.empty() && config.is_object())
    name = string_view_or(config.find(keys_.name), "");
  layer.name = Text::borrow(name);

  if (dialect_ == Dialect::keras1 && config.is_object() && !translate_keras1(config, path(), layer))
    return false;
  if (layer.config().is_object()) {
    if (JsonValue t = layer.config().find(keys_.trainable); t.is_boolean())
      layer.trainable = t.as_bool();
  }

  if (is_model_class(layer.class_name) ||
      (config.is_object() && config.find(keys_.layers) && config.find(keys_.input_layers))) {
    if (depth >= limits_.max_model_depth) {
      error(rule::kBadConfigValue,
            fmt::format("{}: models nested more than {} levels deep, shapelint's limit "
                        "(max-model-depth)",
                        path(),
                        limits_.max_model_depth),
            path(),
            layer.name,
            raise_limit_hint("real models nest two or three levels: check that the file was "
                             "written by Keras",
                             "max-model-depth"));
      return false;
    }
    layer.set_nested(build_model(obj, path(), depth + 1));
    if (!layer.nested())
      return false;
    if (layer.name.empty())
      layer.name = layer.nested()->name;
  }
  if (dialect_ == Dialect::keras3 && !layer.nested())
    layer.set_build_input_shapes(read_build_shapes(obj));
  if (layer.rule_class() == "InputLayer" && layer.config()) {
    layer.set_batch_shape(declared_input_shape(layer.rule_class(), layer.config()));
    if (!layer.batch_shape())
      error(rule::kBadConfigValue,
            fmt::format("{}.config has no batch_shape or batch_input_shape", path()),
            path() + ".config",
            layer.name);
  }
  return true;
}

std::unique_ptr<Model> GraphBuilder::build_model(JsonValue model_obj,
                                                 const std::string& path,
                                                 int depth) {
  auto m = std::make_unique<Model>();
  m->path = path;
  m->class_name = string_or(model_obj.find(keys_.class_name), "Model");
  JsonValue config = model_obj.find(keys_.config);
  std::string config_path = path.empty() ? "config" : path + ".config";
  if (config.is_array()) {  // Keras <= 2.1 Sequential: a bare list of layers
    m->sequential = true;
    m->name = string_or(model_obj.find(keys_.name), "sequential");
    read_sequential(config, config_path, depth, *m);
    return m;
  }
  if (!config.is_object()) {
    m->opaque = true;
    return m;
  }
  m->name = string_or(config.find(keys_.name), m->class_name);
  JsonValue layers = config.find(keys_.layers);
  if (!layers) {
    m->opaque = true;
    return m;
  }
  if (!layers.is_array()) {
    error(rule::kBadConfigValue,
          fmt::format("{}.layers must be a list", config_path),
          config_path + ".layers");
    return nullptr;
  }
  bool functional = config.find(keys_.input_layers) || config.find(keys_.output_layers);
  if (m->class_name == "Sequential" || !functional) {
    m->sequential = true;
    read_sequential(layers, config_path + ".layers", depth, *m);
  } else {
    read_functional(config, config_path, depth, *m);
  }
  return m;
}

void GraphBuilder::read_sequential(JsonValue layers,
                                   const std::string& layers_path,
                                   int depth,
                                   Model& m) {
  std::size_t first = 0;
  m.layers.reserve(layers.size() + 1);
  // The names read so far, in one flat table over the layers: a set of strings took a node
  // and often a copy of the name per layer (64 to 96 bytes), small blocks that stayed in the
  // allocator's free lists once the graph was built.
  NameIndex names(m.layers, layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Layer layer;
    if (!read_layer(layers[i], layers_path, i, depth, layer))
      continue;
    if (!layer.name.empty() && names.find(layer.name)) {
      std::string path = layer.path();
      error(rule::kDuplicateLayerName,
            fmt::format("All layers added to a Sequential model should have unique names. Name "
                        "'{}' is already the name of a layer in this model ({})",
                        layer.name,
                        path),
            path,
            layer.name,
            "give every layer a unique name");
      continue;
    }
    if (m.layers.empty() && layer.rule_class() != "InputLayer") {
      // The first layer carries the input shape (batch_input_shape, input_dim, ...) or is a
      // model with inputs of its own; Keras builds an implicit input from it.
      Layer input;
      input.name = layer.name + "_input";
      input.class_name = "InputLayer";
      input.implicit_input = true;
      input.object = layer.object;
      if (layer.config().is_object())
        input.set_batch_shape(declared_input_shape(layer.rule_class(), layer.config()));
      const Model* nested = layer.nested();
      if (!input.batch_shape() && nested && !nested->inputs.empty())
        input.set_batch_shape(nested->layers[nested->inputs[0].layer].batch_shape());
      if (!input.batch_shape())
        input.set_batch_shape(Shape::unknown_rank());
      input.nodes.push_back(Node{});
      m.layers.push_back(std::move(input));
    }
    Node node;
    node.source_index = layer.object.index();
    if (!m.layers.empty())
      node.inputs.push_back(TensorRef{static_cast<std::uint32_t>(m.layers.size() - 1), 0, 0});
    if (layer.rule_class() != "InputLayer" || !m.layers.empty())
      layer.nodes.push_back(node);
    if (layer.rule_class() == "InputLayer" && m.layers.empty())
      layer.nodes.push_back(Node{});
    m.layers.push_back(std::move(layer));
    if (!m.layers.back().name.empty())
      names.insert(m.layers.size() - 1);
  }
  if (!m.layers.empty()) {
    m.inputs.push_back(TensorRef{static_cast<std::uint32_t>(first), 0, 0});
    m.outputs.push_back(TensorRef{static_cast<std::uint32_t>(m.layers.size() - 1), 0, 0});
  }
}

void GraphBuilder::collect_keras3_tensors(JsonValue v, std::vector<PendingRef>& out) {
  if (v.is_object()) {
    if (string_view_or(v.find("class_name"), "") == "__keras_tensor__") {
      JsonValue cfg = v.find("config");
      JsonValue hist = cfg.find("keras_history");
      if (hist.is_array() && hist.size() >= 3 && hist[0].is_string() &&
          hist[1].is_number_unsigned() && hist[2].is_number_unsigned()) {
        out.push_back(PendingRef{hist[0].as_string(),
                                 hist[1].get<std::size_t>(),
                                 hist[2].get<std::size_t>(),
                                 v,
                                 cfg.find("shape")});
      } else {
        std::string path = v.path();
        error(rule::kBadConfigValue,
              fmt::format("{}.config.keras_history must be [layer name, node index, tensor index]",
                          path),
              path + ".config.keras_history");
      }
      return;
    }
    for (const auto& [k, sub] : v.items())
      collect_keras3_tensors(sub, out);
  } else if (v.is_array()) {
    for (JsonValue e : v)
      collect_keras3_tensors(e, out);
  }
}

/// A tf.keras 2 reference: ["name", node_index, tensor_index(, kwargs)].
std::optional<Keras2Ref> read_keras2_ref(JsonValue v) {
  if (!v.is_array())
    return std::nullopt;
  JsonValue::Children elements = v.children();
  std::ptrdiff_t count = elements.last - elements.first;
  if (count < 3 || count > 4)
    return std::nullopt;
  Keras2Ref ref{elements.first[0], elements.first[1], elements.first[2], JsonValue()};
  if (!ref.name.is_string() || !ref.node.is_number_integer() || !ref.tensor.is_number_integer())
    return std::nullopt;
  if (count == 4)
    ref.fourth = elements.first[3];
  return ref;
}

bool is_keras2_ref(JsonValue v) {
  return read_keras2_ref(v).has_value();
}

void GraphBuilder::push_keras2_ref(const Keras2Ref& ref,
                                   JsonValue v,
                                   std::vector<PendingRef>& out) {
  auto node = ref.node.get<std::int64_t>();
  auto tensor = ref.tensor.get<std::int64_t>();
  if (node < 0 || tensor < 0) {
    std::string path = v.path();
    error(rule::kDanglingReference,
          fmt::format("{} has a negative node or tensor index", path),
          path);
    return;
  }
  out.push_back(PendingRef{ref.name.as_string(),
                           static_cast<std::size_t>(node),
                           static_cast<std::size_t>(tensor),
                           v,
                           JsonValue()});
}

void GraphBuilder::collect_keras2_refs(JsonValue v, std::vector<PendingRef>& out, int depth) {
  if (depth > 8 || !v.is_array())
    return;
  if (auto ref = read_keras2_ref(v)) {
    push_keras2_ref(*ref, v, out);
    return;
  }
  for (JsonValue e : v)
    collect_keras2_refs(e, out, depth + 1);
}

/// A call's keyword arguments that are tensors, in key order.
void GraphBuilder::read_call_kwargs(JsonValue kwargs, bool keras3, PendingGraph& g) {
  for (const auto& [k, v] : kwargs.items()) {
    std::size_t first = g.kwarg_refs.size();
    if (keras3)
      collect_keras3_tensors(v, g.kwarg_refs);
    else
      collect_keras2_refs(v, g.kwarg_refs, 0);
    if (g.kwarg_refs.size() > first)
      g.kwargs.push_back(PendingKwarg{k, first, g.kwarg_refs.size() - first});
  }
}

void GraphBuilder::read_inbound_nodes(JsonValue nodes, PendingGraph& g) {
  if (!nodes.is_array()) {
    std::string path = nodes.path();
    error(rule::kBadConfigValue, fmt::format("{} must be a list", path), path);
    return;
  }
  for (JsonValue node : nodes) {
    PendingNode pn;
    pn.source = node;
    pn.first_input = g.input_refs.size();
    pn.first_kwarg = g.kwargs.size();
    if (node.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
      if (JsonValue args = node.find("args"))
        collect_keras3_tensors(args, g.input_refs);
      if (JsonValue kwargs = node.find("kwargs"); kwargs.is_object()) {
        pn.call_kwargs = kwargs;
        read_call_kwargs(kwargs, true, g);
      }
    } else if (node.is_array()) {  // tf.keras 2 / Keras 1: [[name, node, tensor, kwargs], ...]
      for (JsonValue entry : node) {
        if (auto ref = read_keras2_ref(entry)) {
          push_keras2_ref(*ref, entry, g.input_refs);
          if (ref->fourth.is_object()) {
            if (!pn.call_kwargs)
              pn.call_kwargs = ref->fourth;
            read_call_kwargs(ref->fourth, false, g);
          }
        } else if (entry.is_array()) {
          collect_keras2_refs(entry, g.input_refs, 0);
        } else {
          std::string entry_path = entry.path();
          error(
              rule::kBadConfigValue,
              fmt::format("{} must be [layer name, node index, tensor index, kwargs]", entry_path),
              entry_path);
        }
      }
    } else {
      std::string path = node.path();
      error(rule::kBadConfigValue, fmt::format("{} must be a list or an object", path), path);
    }
    pn.input_count = g.input_refs.size() - pn.first_input;
    pn.kwarg_count = g.kwargs.size() - pn.first_kwarg;
    g.nodes.push_back(pn);
  }
}

std::optional<std::vector<GraphBuilder::PendingRef>> GraphBuilder::read_endpoint_list(
    JsonValue v, const std::string& path) {
  std::vector<PendingRef> out;
  if (!v)
    return out;
  if (is_keras2_ref(v)) {  // Keras 3 writes a single input as a bare triple
    out.push_back(PendingRef{
        v[0].as_string(), v[1].get<std::size_t>(), v[2].get<std::size_t>(), v, JsonValue()});
    return out;
  }
  if (!v.is_array()) {
    error(rule::kBadConfigValue,
          fmt::format("{} must be a list of [name, node, tensor]", path),
          path);
    return std::nullopt;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    JsonValue e = v[i];
    if (!is_keras2_ref(e) || e[1].get<std::int64_t>() < 0 || e[2].get<std::int64_t>() < 0) {
      std::string p = fmt::format("{}[{}]", path, i);
      error(rule::kBadConfigValue,
            fmt::format("{} must be [layer name, node index, tensor index]", p),
            p);
      return std::nullopt;
    }
    out.push_back(PendingRef{
        e[0].as_string(), e[1].get<std::size_t>(), e[2].get<std::size_t>(), e, JsonValue()});
  }
  return out;
}

/// Layers whose outputs only the file's recorded shapes can tell (custom classes, Lambdas).
bool is_opaque(const Layer& layer) {
  return !layer.nested() && !layer.builtin_rule();
}

void GraphBuilder::read_functional(JsonValue config,
                                   const std::string& config_path,
                                   int depth,
                                   Model& m) {
  JsonValue layers = config["layers"];
  std::string layers_path = config_path + ".layers";
  PendingGraph g;
  g.first_node.reserve(layers.size() + 1);
  g.nodes.reserve(layers.size());  // typically one call of one input per layer
  g.input_refs.reserve(layers.size());
  m.layers.reserve(layers.size());
  NameIndex index(m.layers, layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    JsonValue obj = layers[i];
    Layer layer;
    if (!read_layer(obj, layers_path, i, depth, layer))
      continue;
    if (index.find(layer.name)) {
      std::string path = fmt::format("{}[{}]", layers_path, i);
      error(rule::kDuplicateLayerName,
            fmt::format("two layers are named '{}' ({})", layer.name, path),
            path,
            layer.name,
            "give every layer a unique name");
      continue;
    }
    g.first_node.push_back(g.nodes.size());
    if (JsonValue inbound = obj.find(keys_.inbound_nodes))
      read_inbound_nodes(inbound, g);
    if (layer.rule_class() == "InputLayer" && g.nodes.size() == g.first_node.back())
      g.nodes.push_back(PendingNode{});
    m.layers.push_back(std::move(layer));
    index.insert(m.layers.size() - 1);
  }
  g.first_node.push_back(g.nodes.size());
  auto inputs = read_endpoint_list(config.find("input_layers"), config_path + ".input_layers");
  auto outputs = read_endpoint_list(config.find("output_layers"), config_path + ".output_layers");
  if (!inputs || !outputs)
    return;
  adjust_nested_node_offsets(m, g, *inputs, *outputs);

  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    m.layers[i].nodes.reserve(g.calls(i));
    for (std::size_t n = g.first_node[i]; n < g.first_node[i + 1]; ++n) {
      const PendingNode& pn = g.nodes[n];
      Node node;
      node.source_index = pn.source.index();  // in the layer object: its document
      node.set_call_kwargs(pn.call_kwargs);
      node.inputs.reserve(pn.input_count);
      for (std::size_t k = pn.first_input; k < pn.first_input + pn.input_count; ++k) {
        const PendingRef& ref = g.input_refs[k];
        auto r = resolve(index, g, ref);
        if (!r)
          continue;
        node.inputs.push_back(*r);
        // Aligned with the inputs up to the last recorded shape; none at all in a file that
        // records none (tf.keras 2): one allocation fewer per layer.
        if (ref.recorded_shape) {
          node.mutable_recorded_inputs().resize(node.inputs.size() - 1);
          node.mutable_recorded_inputs().push_back(ref.recorded_shape);
        }
        if (ref.recorded_shape && is_opaque(m.layers[r->layer]))
          if (auto shape = shape_from_json(ref.recorded_shape))
            m.recorded_shapes.push_back(RecordedShape{*r, std::move(*shape)});
      }
      for (std::size_t a = pn.first_kwarg; a < pn.first_kwarg + pn.kwarg_count; ++a) {
        const PendingKwarg& kw = g.kwargs[a];
        std::vector<TensorRef> resolved;
        for (std::size_t k = kw.first; k < kw.first + kw.count; ++k)
          if (auto r = resolve(index, g, g.kwarg_refs[k]))
            resolved.push_back(*r);
        node.mutable_kwargs().emplace_back(std::string(kw.name), std::move(resolved));
      }
      m.layers[i].nodes.push_back(std::move(node));
    }
  }
  // Looked up by tensor; of two records of one tensor the first written counts.
  std::stable_sort(m.recorded_shapes.begin(),
                   m.recorded_shapes.end(),
                   [](const RecordedShape& a, const RecordedShape& b) {
                     return std::tie(a.tensor.layer, a.tensor.node, a.tensor.tensor) <
                            std::tie(b.tensor.layer, b.tensor.node, b.tensor.tensor);
                   });
  for (const auto& ref : *inputs)
    if (auto r = resolve(index, g, ref))
      m.inputs.push_back(*r);
  for (const auto& ref : *outputs)
    if (auto r = resolve(index, g, ref))
      m.outputs.push_back(*r);
}

/// tf.keras 2 (and Keras 3 for Functional) count a nested model's own construction as its
/// node 0, so references to its first call in the outer graph say node 1. Shift such
/// references so that node indices count the calls listed in `inbound_nodes`.
void GraphBuilder::adjust_nested_node_offsets(Model& m,
                                              PendingGraph& g,
                                              std::vector<PendingRef>& inputs,
                                              std::vector<PendingRef>& outputs) {
  if (std::none_of(
          m.layers.begin(), m.layers.end(), [](const Layer& l) { return l.nested() != nullptr; }))
    return;
  std::unordered_map<std::string_view, std::size_t, StringHash> max_node;
  auto note = [&](const PendingRef& r) {
    auto& v = max_node[r.layer_name];
    v = std::max(v, r.node + 1);
  };
  for (const auto& r : g.input_refs)
    note(r);
  for (const auto& r : g.kwarg_refs)
    note(r);
  for (const auto& r : outputs)
    note(r);
  std::unordered_set<std::string_view, StringHash> shift;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const Layer& l = m.layers[i];
    if (!l.nested())
      continue;
    auto it = max_node.find(l.name);
    if (it != max_node.end() && it->second > g.calls(i))
      shift.insert(l.name);
  }
  if (shift.empty())
    return;
  auto apply = [&](PendingRef& r) {
    if (shift.count(r.layer_name) && r.node > 0)
      --r.node;
  };
  for (auto& r : g.input_refs)
    apply(r);
  for (auto& r : g.kwarg_refs)
    apply(r);
  for (auto& r : inputs)
    apply(r);
  for (auto& r : outputs)
    apply(r);
}

std::optional<TensorRef> GraphBuilder::resolve(const NameIndex& index,
                                               const PendingGraph& g,
                                               const PendingRef& ref) {
  auto producer = index.find(ref.layer_name);
  if (!producer) {
    std::string path = ref.where.path();
    error(
        rule::kDanglingReference,
        fmt::format(
            "{} refers to a layer named '{}', which the model does not have", path, ref.layer_name),
        path,
        std::nullopt,
        "check the layer name in inbound_nodes");
    return std::nullopt;
  }
  if (ref.node >= g.calls(*producer)) {
    std::string path = ref.where.path();
    error(rule::kDanglingReference,
          fmt::format("{} refers to call {} of layer '{}', which is called only {} time(s)",
                      path,
                      ref.node,
                      ref.layer_name,
                      g.calls(*producer)),
          path,
          std::nullopt,
          "check the node index in inbound_nodes");
    return std::nullopt;
  }
  if (ref.tensor > std::numeric_limits<std::uint32_t>::max()) {
    std::string path = ref.where.path();
    error(rule::kDanglingReference,
          fmt::format("{} refers to output tensor {} of layer '{}', which no layer has",
                      path,
                      ref.tensor,
                      ref.layer_name),
          path,
          std::nullopt,
          "check the tensor index in inbound_nodes");
    return std::nullopt;
  }
  return TensorRef{static_cast<std::uint32_t>(*producer),
                   static_cast<std::uint32_t>(ref.node),
                   static_cast<std::uint32_t>(ref.tensor)};
}

LoadedModel refused(std::string message, std::string hint) {
  LoadedModel out;
  out.format = "unknown";
  out.not_a_model = true;
  out.diagnostics.push_back(Diagnostic{.rule = std::string(rule::kInvalidJson),
                                       .severity = Severity::error,
                                       .layer = std::nullopt,
                                       .message = std::move(message),
                                       .hint = std::move(hint),
                                       .json_path = ""});
  return out;
}

}  // namespace

namespace {

/// The layer calls propagating `m` makes, counted up to just past `limit`: a nested model
/// runs all its layers at each of its calls.
std::uint64_t layer_calls(const Model& m, std::uint64_t limit) {
  std::uint64_t total = 0;
  for (const auto& layer : m.layers) {
    std::uint64_t calls = std::max<std::uint64_t>(layer.nodes.size(), 1);
    std::uint64_t each =
        layer.nested() ? std::max<std::uint64_t>(layer_calls(*layer.nested(), limit), 1) : 1;
    if (each > limit || calls > limit / each)
      return limit + 1;
    total += calls * each;
    if (total > limit)
      return limit + 1;
  }
  return total;
}

}  // namespace

LoadedModel load_invalid_json(const JsonParseError& error, const LoadLimits& limits) {
  if (error.too_deep)
    return refused(
        fmt::format("JSON nested more than {} levels deep, shapelint's limit "
                    "(max-json-depth); Keras configs nest a few dozen",
                    limits.max_json_depth),
        raise_limit_hint("check that this is a model config written by Keras", "max-json-depth"));
  return refused(error.message, "the file is not valid JSON; re-export it with model.to_json()");
}

LoadedModel load_model_document(std::unique_ptr<JsonDocument> document,
                                const std::optional<std::string>& fallback_keras_version,
                                const LoadLimits& limits) {
  LoadedModel out;
  out.document = std::move(document);
  JsonValue doc = out.document->root();
  JsonValue root = doc;
  std::string root_path;
  bool tfjs = false;
  if (JsonValue topo = doc.find("modelTopology")) {
    tfjs = true;
    root = topo;
    root_path = "modelTopology";
    if (JsonValue mc = topo.find("model_config")) {
      root = mc;
      root_path += ".model_config";
    }
  }
  if (!root.is_object() || !root.find("class_name") || !root.find("config")) {
    out.not_a_model = true;
    out.format = "unknown";
    out.diagnostics.push_back(Diagnostic{
        .rule = std::string(rule::kNotAModel),
        .severity = Severity::error,
        .layer = std::nullopt,
        .message = root.is_object()
                       ? "not a Keras model config: no top-level \"class_name\" and \"config\""
                       : "not a Keras model config: the top level is not a JSON object",
        .hint = "pass the output of model.to_json(), a .keras archive's config.json, a legacy "
                ".h5 file or a TensorFlow.js model.json",
        .json_path = root_path,
    });
    return out;
  }
  if (JsonValue v = root.find("keras_version"); v.is_string())
    out.keras_version = std::string(v.as_string());
  else if (JsonValue v2 = doc.find("keras_version"); v2.is_string())
    out.keras_version = std::string(v2.as_string());
  else if (doc.is_object() && !v2 && fallback_keras_version)
    out.keras_version = fallback_keras_version;

  bool keras1_version = out.keras_version && out.keras_version->rfind("1.", 0) == 0;
  bool later_version = out.keras_version && !keras1_version;
  LayerKeys keys(*out.document);
  DialectScan scan(keys);
  // Keras 1 argument names decide only for a file that names no later version: for any
  // other, no layer's config is searched for them.
  if (!later_version)
    scan.keras1_argument_names = keras1_arguments_written(*out.document);
  scan_layer(root, scan, 0);
  if (scan.keras3_nodes)
    out.dialect = Dialect::keras3;
  else if (scan.keras1_names || keras1_version || (scan.keras1_arguments && !later_version))
    out.dialect = Dialect::keras1;
  else
    out.dialect = Dialect::keras2;
  out.semantics = out.dialect == Dialect::keras3 ? Semantics::keras3 : Semantics::keras2;
  out.format = tfjs ? "tfjs-layers" : format_name(out.dialect);

  GraphBuilder builder(out.dialect, limits, keys, out.diagnostics);
  std::string class_name = string_or(root.find("class_name"), "");
  out.model = builder.build_model(root, root_path, 0);
  if (!out.model) {
    // The top-level layer list is unreadable; the finding says why, and nothing propagates.
    out.model = std::make_unique<Model>();
    out.model->class_name = class_name;
    return out;
  }
  if (layer_calls(*out.model, limits.max_layer_calls) > limits.max_layer_calls)
    out.diagnostics.push_back(Diagnostic{
        .rule = std::string(rule::kBadConfigValue),
        .severity = Severity::error,
        .layer = std::nullopt,
        .message = fmt::format(
            "{}: its nested models, each run once per call, add up to more than {} layer calls, "
            "shapelint's limit (max-layer-calls)",
            root_path.empty() ? "config" : root_path + ".config",
            limits.max_layer_calls),
        .hint = raise_limit_hint("no Keras model calls nested models this often: check that the "
                                 "file was written by Keras",
                                 "max-layer-calls"),
        .json_path = root_path.empty() ? "config" : root_path + ".config"});
  return out;
}

namespace {

/// Why `text` cannot be a model config before any parsing: empty, or another encoding than
/// UTF-8 (a UTF-16 or UTF-32 byte-order mark). A UTF-8 byte-order mark is fine: Keras reads
/// config.json with json.loads on bytes, which skips it, and the parser does too.
std::optional<std::string> text_problem(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return std::string(text.empty() ? "the file is empty" : "the file holds only white space");
  auto starts = [&](std::string_view bom) { return text.substr(0, bom.size()) == bom; };
  // UTF-32 first: its little-endian mark begins with UTF-16's.
  if (starts(std::string_view("\xff\xfe\0\0", 4)) || starts(std::string_view("\0\0\xfe\xff", 4)))
    return std::string("the file is UTF-32 text (it starts with a UTF-32 byte-order mark)");
  if (starts("\xff\xfe") || starts("\xfe\xff"))
    return std::string("the file is UTF-16 text (it starts with a UTF-16 byte-order mark)");
  return std::nullopt;
}

}  // namespace

std::unique_ptr<JsonDocument> parse_model_json(std::string_view text,
                                               LoadedModel& refusal,
                                               const LoadLimits& limits,
                                               TextLifetime lifetime) {
  if (auto problem = text_problem(text)) {
    refusal = refused(*problem + ": a Keras model config is JSON in UTF-8",
                      "save the model config again as UTF-8 JSON (model.to_json())");
    return nullptr;
  }
  JsonParseError error;
  auto doc = JsonDocument::parse(text, limits.max_json_depth, error, lifetime);
  if (!doc)
    refusal = load_invalid_json(error, limits);
  return doc;
}

LoadedModel load_model_json(std::string_view text,
                            const std::optional<std::string>& fallback_keras_version,
                            const LoadLimits& limits) {
  LoadedModel refusal;
  auto doc = parse_model_json(text, refusal, limits);
  if (!doc)
    return refusal;
  return load_model_document(std::move(doc), fallback_keras_version, limits);
}

}  // namespace shapelint
