// Reads every JSON generation of a Keras model config into one normalized graph.
// Dialect quirks (Keras 1 argument names, tf.keras 2 node lists, Keras 3 `args`/`kwargs`
// nodes, tfjs `modelTopology`) stay inside this file; everything after it sees one shape.
#include "shapelint/model/loader.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/model/keras1.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

using nlohmann::json;

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

const json* find_key(const json& obj, std::string_view key) {
  if (!obj.is_object())
    return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string string_or(const json* v, std::string_view fallback) {
  return v && v->is_string() ? v->get<std::string>() : std::string(fallback);
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

struct DialectScan {
  bool keras3_nodes = false;
  bool keras1_names = false;      ///< classes only Keras 1 had (Convolution2D, Merge)
  bool keras1_arguments = false;  ///< Keras 1 argument names on Keras classes
};

void scan_layers(const json& layers, DialectScan& scan, int depth);

void scan_layer(const json& layer, DialectScan& scan, int depth) {
  if (!layer.is_object() || depth > 64)
    return;
  std::string cls = string_or(find_key(layer, "class_name"), "");
  const json* config = find_key(layer, "config");
  if (is_keras1_class(cls))
    scan.keras1_names = true;
  // Argument names count only on Keras's own classes: a custom layer may call its own
  // argument `output_dim`.
  if (config && RuleRegistry::builtin().find(cls) && has_keras1_arguments(cls, *config))
    scan.keras1_arguments = true;
  if (const json* nodes = find_key(layer, "inbound_nodes"); nodes && nodes->is_array()) {
    for (const auto& n : *nodes)
      if (n.is_object() && n.contains("args"))
        scan.keras3_nodes = true;
  }
  if (cls == "InputLayer" && config && find_key(*config, "batch_shape"))
    scan.keras3_nodes = true;
  if (config) {
    if (const json* inner = find_key(*config, "layers"))
      scan_layers(*inner, scan, depth + 1);
    if (const json* wrapped = find_key(*config, "layer"))
      scan_layer(*wrapped, scan, depth + 1);
  }
  if (config && config->is_array())
    scan_layers(*config, scan, depth + 1);
}

void scan_layers(const json& layers, DialectScan& scan, int depth) {
  if (!layers.is_array())
    return;
  for (const auto& l : layers)
    scan_layer(l, scan, depth);
}

// ---------------------------------------------------------------------------------------------
// Building the graph.

class GraphBuilder {
 public:
  GraphBuilder(Dialect dialect, Diagnostics& diags) : dialect_(dialect), diags_(diags) {}

  std::unique_ptr<Model> build_model(const json& model_obj, const std::string& path, int depth);

 private:
  struct PendingRef {
    std::string layer_name;
    std::size_t node = 0;
    std::size_t tensor = 0;
    std::string path;
    std::optional<Shape> recorded;  ///< Keras 3 records each tensor's shape in the node
  };

  struct PendingNode {
    std::vector<PendingRef> inputs;
    std::vector<std::pair<std::string, std::vector<PendingRef>>> kwargs;
    std::string path;
    const json* call_kwargs = nullptr;
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

  bool read_layer(const json& obj, const std::string& path, int depth, Layer& layer);
  void read_sequential(const json& layers, const std::string& layers_path, int depth, Model& m);
  void read_functional(const json& config, const std::string& config_path, int depth, Model& m);
  std::vector<PendingNode> read_inbound_nodes(const json& nodes, const std::string& path);
  void collect_keras3_tensors(const json& v, std::vector<PendingRef>& out, const std::string& path);
  void collect_keras2_refs(const json& v,
                           std::vector<PendingRef>& out,
                           const std::string& path,
                           int depth);
  std::optional<std::vector<PendingRef>> read_endpoint_list(const json* v, const std::string& path);
  using NameIndex = std::unordered_map<std::string, std::size_t>;
  using NodeCounts = std::vector<std::size_t>;
  std::optional<TensorRef> resolve(const NameIndex& index,
                                   const NodeCounts& calls,
                                   const PendingRef& ref);
  void adjust_nested_node_offsets(Model& m,
                                  std::vector<std::vector<PendingNode>>& pending,
                                  std::vector<PendingRef>& inputs,
                                  std::vector<PendingRef>& outputs);
  std::optional<Shape> declared_input_shape(std::string_view class_name, const json& config) const;

  Dialect dialect_;
  Diagnostics& diags_;
  std::size_t layers_read_ = 0;  ///< in the whole file, against kMaxLayers
};

std::optional<Shape> GraphBuilder::declared_input_shape(std::string_view class_name,
                                                        const json& config) const {
  for (const char* key : {"batch_shape", "batch_input_shape"}) {
    if (const json* v = find_key(config, key))
      if (auto s = shape_from_json(*v))
        return s;
  }
  if (const json* v = find_key(config, "input_shape")) {
    if (auto s = shape_from_json(*v)) {
      std::vector<Dim> dims{Dim::unknown()};
      dims.insert(dims.end(), s->dims().begin(), s->dims().end());
      return Shape(std::move(dims));
    }
  }
  // Keras 1 style: input_dim (and input_length for sequences). An Embedding's input_dim is
  // its vocabulary, so its input is (batch, input_length).
  const json* input_dim = find_key(config, "input_dim");
  const json* input_length = find_key(config, "input_length");
  std::optional<Dim> dim, length;
  if (input_dim && input_dim->is_number_integer())
    dim = Dim::of(input_dim->get<std::int64_t>());
  if (input_length && input_length->is_number_integer())
    length = Dim::of(input_length->get<std::int64_t>());
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
std::optional<Shapes> read_build_shapes(const json& layer_obj) {
  const json* build = find_key(layer_obj, "build_config");
  const json* shape = build ? find_key(*build, "input_shape") : nullptr;
  if (!shape || !shape->is_array())
    return std::nullopt;
  bool nested = !shape->empty() && (*shape)[0].is_array();
  Shapes out;
  if (!nested) {
    auto s = shape_from_json(*shape);
    if (!s)
      return std::nullopt;
    out.push_back(std::move(*s));
    return out;
  }
  for (const auto& item : *shape) {
    auto s = shape_from_json(item);
    if (!s)
      return std::nullopt;
    out.push_back(std::move(*s));
  }
  return out;
}

bool GraphBuilder::read_layer(const json& obj, const std::string& path, int depth, Layer& layer) {
  if (++layers_read_ > kMaxLayers) {
    if (layers_read_ == kMaxLayers + 1)
      error(rule::kBadConfigValue,
            fmt::format("{}: the file has more than {} layers, shapelint's limit (kMaxLayers)",
                        path,
                        kMaxLayers),
            path,
            std::nullopt,
            "no Keras model has this many layers: check that the file was written by Keras");
    return false;
  }
  if (!obj.is_object()) {
    error(rule::kBadConfigValue, fmt::format("{} must be a layer object", path), path);
    return false;
  }
  layer.path = path;
  const json* cls = find_key(obj, "class_name");
  if (!cls || !cls->is_string()) {
    error(rule::kBadConfigValue,
          fmt::format("{}.class_name is missing or not a string", path),
          path + ".class_name");
    return false;
  }
  layer.class_name = cls->get<std::string>();
  layer.rule_class = layer.class_name;
  const json* config = find_key(obj, "config");
  if (config && !config->is_object() && !(config->is_array() && layer.class_name == "Sequential")) {
    error(
        rule::kBadConfigValue, fmt::format("{}.config must be an object", path), path + ".config");
    return false;
  }
  layer.config = config;
  std::string name = string_or(find_key(obj, "name"), "");
  if (name.empty() && config && config->is_object())
    name = string_or(find_key(*config, "name"), "");
  layer.name = name;

  if (dialect_ == Dialect::keras1 && config && config->is_object()) {
    if (auto translated = translate_keras1_layer(layer.class_name, *config)) {
      layer.rule_class = translated->class_name;
      layer.owned_config = std::make_shared<json>(std::move(translated->config));
      layer.config = layer.owned_config.get();
    }
  }
  if (layer.config && layer.config->is_object()) {
    if (const json* t = find_key(*layer.config, "trainable"); t && t->is_boolean())
      layer.trainable = t->get<bool>();
  }

  if (is_model_class(layer.class_name) ||
      (config && config->is_object() && find_key(*config, "layers") &&
       find_key(*config, "input_layers"))) {
    if (depth >= kMaxModelDepth) {
      error(rule::kBadConfigValue,
            fmt::format("{}: models nested more than {} levels deep, shapelint's limit "
                        "(kMaxModelDepth)",
                        path,
                        kMaxModelDepth),
            path,
            layer.name);
      return false;
    }
    layer.nested = build_model(obj, path, depth + 1);
    if (!layer.nested)
      return false;
    if (layer.name.empty())
      layer.name = layer.nested->name;
  }
  if (dialect_ == Dialect::keras3 && !layer.nested)
    layer.build_input_shapes = read_build_shapes(obj);
  if (layer.rule_class == "InputLayer" && layer.config) {
    layer.batch_shape = declared_input_shape(layer.rule_class, *layer.config);
    if (!layer.batch_shape)
      error(rule::kBadConfigValue,
            fmt::format("{}.config has no batch_shape or batch_input_shape", path),
            path + ".config",
            layer.name);
  }
  return true;
}

std::unique_ptr<Model> GraphBuilder::build_model(const json& model_obj,
                                                 const std::string& path,
                                                 int depth) {
  auto m = std::make_unique<Model>();
  m->path = path;
  m->class_name = string_or(find_key(model_obj, "class_name"), "Model");
  const json* config = find_key(model_obj, "config");
  std::string config_path = path.empty() ? "config" : path + ".config";
  if (config && config->is_array()) {  // Keras <= 2.1 Sequential: a bare list of layers
    m->sequential = true;
    m->name = string_or(find_key(model_obj, "name"), "sequential");
    read_sequential(*config, config_path, depth, *m);
    return m;
  }
  if (!config || !config->is_object()) {
    m->opaque = true;
    return m;
  }
  m->name = string_or(find_key(*config, "name"), m->class_name);
  const json* layers = find_key(*config, "layers");
  if (!layers) {
    m->opaque = true;
    return m;
  }
  if (!layers->is_array()) {
    error(rule::kBadConfigValue,
          fmt::format("{}.layers must be a list", config_path),
          config_path + ".layers");
    return nullptr;
  }
  bool functional = find_key(*config, "input_layers") || find_key(*config, "output_layers");
  if (m->class_name == "Sequential" || !functional) {
    m->sequential = true;
    read_sequential(*layers, config_path + ".layers", depth, *m);
  } else {
    read_functional(*config, config_path, depth, *m);
  }
  return m;
}

void GraphBuilder::read_sequential(const json& layers,
                                   const std::string& layers_path,
                                   int depth,
                                   Model& m) {
  std::size_t first = 0;
  std::unordered_set<std::string> names;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Layer layer;
    if (!read_layer(layers[i], fmt::format("{}[{}]", layers_path, i), depth, layer))
      continue;
    if (!layer.name.empty() && !names.insert(layer.name).second) {
      error(rule::kDuplicateLayerName,
            fmt::format("All layers added to a Sequential model should have unique names. Name "
                        "'{}' is already the name of a layer in this model ({})",
                        layer.name,
                        layer.path),
            layer.path,
            layer.name,
            "give every layer a unique name");
      continue;
    }
    if (m.layers.empty() && layer.rule_class != "InputLayer") {
      // The first layer carries the input shape (batch_input_shape, input_dim, ...) or is a
      // model with inputs of its own; Keras builds an implicit input from it.
      Layer input;
      input.name = layer.name + "_input";
      input.class_name = input.rule_class = "InputLayer";
      input.implicit_input = true;
      input.path = layer.path;
      if (layer.config && layer.config->is_object())
        input.batch_shape = declared_input_shape(layer.rule_class, *layer.config);
      if (!input.batch_shape && layer.nested && !layer.nested->inputs.empty()) {
        const Layer& nested_in = layer.nested->layers[layer.nested->inputs[0].layer];
        input.batch_shape = nested_in.batch_shape;
      }
      if (!input.batch_shape)
        input.batch_shape = Shape::unknown_rank();
      input.nodes.push_back(Node{});
      m.layers.push_back(std::move(input));
    }
    Node node;
    node.path = layer.path;
    if (!m.layers.empty())
      node.inputs.push_back(TensorRef{m.layers.size() - 1, 0, 0});
    if (layer.rule_class != "InputLayer" || !m.layers.empty())
      layer.nodes.push_back(node);
    if (layer.rule_class == "InputLayer" && m.layers.empty())
      layer.nodes.push_back(Node{});
    m.layers.push_back(std::move(layer));
  }
  if (!m.layers.empty()) {
    m.inputs.push_back(TensorRef{first, 0, 0});
    m.outputs.push_back(TensorRef{m.layers.size() - 1, 0, 0});
  }
}

void GraphBuilder::collect_keras3_tensors(const json& v,
                                          std::vector<PendingRef>& out,
                                          const std::string& path) {
  if (v.is_object()) {
    if (string_or(find_key(v, "class_name"), "") == "__keras_tensor__") {
      const json* cfg = find_key(v, "config");
      const json* hist = cfg ? find_key(*cfg, "keras_history") : nullptr;
      if (hist && hist->is_array() && hist->size() >= 3 && (*hist)[0].is_string() &&
          (*hist)[1].is_number_unsigned() && (*hist)[2].is_number_unsigned()) {
        std::optional<Shape> recorded;
        if (const json* shape = find_key(*cfg, "shape"))
          recorded = shape_from_json(*shape);
        out.push_back(PendingRef{(*hist)[0].get<std::string>(),
                                 (*hist)[1].get<std::size_t>(),
                                 (*hist)[2].get<std::size_t>(),
                                 path,
                                 std::move(recorded)});
      } else {
        error(rule::kBadConfigValue,
              fmt::format("{}.config.keras_history must be [layer name, node index, tensor index]",
                          path),
              path + ".config.keras_history");
      }
      return;
    }
    for (const auto& [k, sub] : v.items())
      collect_keras3_tensors(sub, out, path + "." + k);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      collect_keras3_tensors(v[i], out, fmt::format("{}[{}]", path, i));
  }
}

/// A tf.keras 2 reference: ["name", node_index, tensor_index(, kwargs)].
bool is_keras2_ref(const json& v) {
  return v.is_array() && v.size() >= 3 && v.size() <= 4 && v[0].is_string() &&
         v[1].is_number_integer() && v[2].is_number_integer();
}

void GraphBuilder::collect_keras2_refs(const json& v,
                                       std::vector<PendingRef>& out,
                                       const std::string& path,
                                       int depth) {
  if (depth > 8 || !v.is_array())
    return;
  if (is_keras2_ref(v)) {
    auto node = v[1].get<std::int64_t>();
    auto tensor = v[2].get<std::int64_t>();
    if (node < 0 || tensor < 0) {
      error(rule::kDanglingReference,
            fmt::format("{} has a negative node or tensor index", path),
            path);
      return;
    }
    out.push_back(PendingRef{v[0].get<std::string>(),
                             static_cast<std::size_t>(node),
                             static_cast<std::size_t>(tensor),
                             path,
                             std::nullopt});
    return;
  }
  for (std::size_t i = 0; i < v.size(); ++i)
    collect_keras2_refs(v[i], out, fmt::format("{}[{}]", path, i), depth + 1);
}

std::vector<GraphBuilder::PendingNode> GraphBuilder::read_inbound_nodes(const json& nodes,
                                                                        const std::string& path) {
  std::vector<PendingNode> out;
  if (!nodes.is_array()) {
    error(rule::kBadConfigValue, fmt::format("{} must be a list", path), path);
    return out;
  }
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    const json& node = nodes[n];
    PendingNode pn;
    pn.path = fmt::format("{}[{}]", path, n);
    if (node.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
      if (const json* args = find_key(node, "args"))
        collect_keras3_tensors(*args, pn.inputs, pn.path + ".args");
      if (const json* kwargs = find_key(node, "kwargs"); kwargs && kwargs->is_object()) {
        pn.call_kwargs = kwargs;
        for (const auto& [k, v] : kwargs->items()) {
          std::vector<PendingRef> refs;
          collect_keras3_tensors(v, refs, pn.path + ".kwargs." + k);
          if (!refs.empty())
            pn.kwargs.emplace_back(k, std::move(refs));
        }
      }
    } else if (node.is_array()) {  // tf.keras 2 / Keras 1: [[name, node, tensor, kwargs], ...]
      for (std::size_t e = 0; e < node.size(); ++e) {
        const json& entry = node[e];
        std::string entry_path = fmt::format("{}[{}]", pn.path, e);
        if (is_keras2_ref(entry)) {
          collect_keras2_refs(entry, pn.inputs, entry_path, 0);
          if (entry.size() == 4 && entry[3].is_object()) {
            if (!pn.call_kwargs)
              pn.call_kwargs = &entry[3];
            for (const auto& [k, v] : entry[3].items()) {
              std::vector<PendingRef> refs;
              collect_keras2_refs(v, refs, entry_path + "[3]." + k, 0);
              if (!refs.empty())
                pn.kwargs.emplace_back(k, std::move(refs));
            }
          }
        } else if (entry.is_array()) {
          collect_keras2_refs(entry, pn.inputs, entry_path, 0);
        } else {
          error(
              rule::kBadConfigValue,
              fmt::format("{} must be [layer name, node index, tensor index, kwargs]", entry_path),
              entry_path);
        }
      }
    } else {
      error(rule::kBadConfigValue, fmt::format("{} must be a list or an object", pn.path), pn.path);
    }
    out.push_back(std::move(pn));
  }
  return out;
}

std::optional<std::vector<GraphBuilder::PendingRef>> GraphBuilder::read_endpoint_list(
    const json* v, const std::string& path) {
  std::vector<PendingRef> out;
  if (!v)
    return out;
  if (is_keras2_ref(*v)) {  // Keras 3 writes a single input as a bare triple
    out.push_back(PendingRef{(*v)[0].get<std::string>(),
                             (*v)[1].get<std::size_t>(),
                             (*v)[2].get<std::size_t>(),
                             path,
                             std::nullopt});
    return out;
  }
  if (!v->is_array()) {
    error(rule::kBadConfigValue,
          fmt::format("{} must be a list of [name, node, tensor]", path),
          path);
    return std::nullopt;
  }
  for (std::size_t i = 0; i < v->size(); ++i) {
    const json& e = (*v)[i];
    if (!is_keras2_ref(e) || e[1].get<std::int64_t>() < 0 || e[2].get<std::int64_t>() < 0) {
      std::string p = fmt::format("{}[{}]", path, i);
      error(rule::kBadConfigValue,
            fmt::format("{} must be [layer name, node index, tensor index]", p),
            p);
      return std::nullopt;
    }
    out.push_back(PendingRef{e[0].get<std::string>(),
                             e[1].get<std::size_t>(),
                             e[2].get<std::size_t>(),
                             fmt::format("{}[{}]", path, i),
                             std::nullopt});
  }
  return out;
}

void GraphBuilder::read_functional(const json& config,
                                   const std::string& config_path,
                                   int depth,
                                   Model& m) {
  const json& layers = config["layers"];
  std::vector<std::vector<PendingNode>> pending;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::string path = fmt::format("{}.layers[{}]", config_path, i);
    Layer layer;
    if (!read_layer(layers[i], path, depth, layer))
      continue;
    if (!index.emplace(layer.name, m.layers.size()).second) {
      error(rule::kDuplicateLayerName,
            fmt::format("two layers are named '{}' ({})", layer.name, path),
            path,
            layer.name,
            "give every layer a unique name");
      continue;
    }
    std::vector<PendingNode> nodes;
    if (const json* inbound = find_key(layers[i], "inbound_nodes"))
      nodes = read_inbound_nodes(*inbound, path + ".inbound_nodes");
    if (layer.rule_class == "InputLayer" && nodes.empty())
      nodes.push_back(PendingNode{});
    pending.push_back(std::move(nodes));
    m.layers.push_back(std::move(layer));
  }
  auto inputs = read_endpoint_list(find_key(config, "input_layers"), config_path + ".input_layers");
  auto outputs =
      read_endpoint_list(find_key(config, "output_layers"), config_path + ".output_layers");
  if (!inputs || !outputs)
    return;
  adjust_nested_node_offsets(m, pending, *inputs, *outputs);
  NodeCounts calls;
  calls.reserve(pending.size());
  for (const auto& nodes : pending)
    calls.push_back(nodes.size());

  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    for (auto& pn : pending[i]) {
      Node node;
      node.path = pn.path;
      node.call_kwargs = pn.call_kwargs;
      for (const auto& ref : pn.inputs) {
        auto r = resolve(index, calls, ref);
        if (!r)
          continue;
        node.inputs.push_back(*r);
        node.recorded_inputs.push_back(ref.recorded);
        if (ref.recorded)
          m.recorded_shapes.push_back(RecordedShape{*r, *ref.recorded});
      }
      for (const auto& [k, refs] : pn.kwargs) {
        std::vector<TensorRef> resolved;
        for (const auto& ref : refs)
          if (auto r = resolve(index, calls, ref))
            resolved.push_back(*r);
        node.kwargs.emplace_back(k, std::move(resolved));
      }
      m.layers[i].nodes.push_back(std::move(node));
    }
  }
  for (const auto& ref : *inputs)
    if (auto r = resolve(index, calls, ref))
      m.inputs.push_back(*r);
  for (const auto& ref : *outputs)
    if (auto r = resolve(index, calls, ref))
      m.outputs.push_back(*r);
}

/// tf.keras 2 (and Keras 3 for Functional) count a nested model's own construction as its
/// node 0, so references to its first call in the outer graph say node 1. Shift such
/// references so that node indices count the calls listed in `inbound_nodes`.
void GraphBuilder::adjust_nested_node_offsets(Model& m,
                                              std::vector<std::vector<PendingNode>>& pending,
                                              std::vector<PendingRef>& inputs,
                                              std::vector<PendingRef>& outputs) {
  std::unordered_map<std::string, std::size_t> max_node;
  auto note = [&](const PendingRef& r) {
    auto& v = max_node[r.layer_name];
    v = std::max(v, r.node + 1);
  };
  for (auto& nodes : pending)
    for (auto& n : nodes) {
      for (auto& r : n.inputs)
        note(r);
      for (auto& [k, refs] : n.kwargs)
        for (auto& r : refs)
          note(r);
    }
  for (auto& r : outputs)
    note(r);
  std::unordered_map<std::string, std::size_t> shift;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const Layer& l = m.layers[i];
    if (!l.nested)
      continue;
    auto it = max_node.find(l.name);
    if (it != max_node.end() && it->second > pending[i].size())
      shift[l.name] = 1;
  }
  if (shift.empty())
    return;
  auto apply = [&](PendingRef& r) {
    if (shift.count(r.layer_name) && r.node > 0)
      --r.node;
  };
  for (auto& nodes : pending)
    for (auto& n : nodes) {
      for (auto& r : n.inputs)
        apply(r);
      for (auto& [k, refs] : n.kwargs)
        for (auto& r : refs)
          apply(r);
    }
  for (auto& r : inputs)
    apply(r);
  for (auto& r : outputs)
    apply(r);
}

std::optional<TensorRef> GraphBuilder::resolve(const NameIndex& index,
                                               const NodeCounts& calls,
                                               const PendingRef& ref) {
  auto it = index.find(ref.layer_name);
  if (it == index.end()) {
    error(rule::kDanglingReference,
          fmt::format("{} refers to a layer named '{}', which the model does not have",
                      ref.path,
                      ref.layer_name),
          ref.path,
          std::nullopt,
          "check the layer name in inbound_nodes");
    return std::nullopt;
  }
  if (ref.node >= calls[it->second]) {
    error(rule::kDanglingReference,
          fmt::format("{} refers to call {} of layer '{}', which is called only {} time(s)",
                      ref.path,
                      ref.node,
                      ref.layer_name,
                      calls[it->second]),
          ref.path,
          std::nullopt,
          "check the node index in inbound_nodes");
    return std::nullopt;
  }
  return TensorRef{it->second, ref.node, ref.tensor};
}

}  // namespace

namespace {

/// The layer calls propagating `m` makes, counted up to just past kMaxLayerCalls: a nested
/// model runs all its layers at each of its calls.
std::uint64_t layer_calls(const Model& m) {
  std::uint64_t total = 0;
  for (const auto& layer : m.layers) {
    std::uint64_t calls = std::max<std::uint64_t>(layer.nodes.size(), 1);
    std::uint64_t each = layer.nested ? std::max<std::uint64_t>(layer_calls(*layer.nested), 1) : 1;
    if (each > kMaxLayerCalls || calls > kMaxLayerCalls / each)
      return kMaxLayerCalls + 1;
    total += calls * each;
    if (total > kMaxLayerCalls)
      return kMaxLayerCalls + 1;
  }
  return total;
}

}  // namespace

LoadedModel load_model_document(std::unique_ptr<json> document) {
  LoadedModel out;
  out.document = std::move(document);
  const json& doc = *out.document;
  const json* root = &doc;
  std::string root_path;
  bool tfjs = false;
  if (const json* topo = find_key(doc, "modelTopology")) {
    tfjs = true;
    root = topo;
    root_path = "modelTopology";
    if (const json* mc = find_key(*topo, "model_config")) {
      root = mc;
      root_path += ".model_config";
    }
  }
  if (!root->is_object() || !find_key(*root, "class_name") || !find_key(*root, "config")) {
    out.not_a_model = true;
    out.format = "unknown";
    out.diagnostics.push_back(Diagnostic{
        .rule = std::string(rule::kNotAModel),
        .severity = Severity::error,
        .layer = std::nullopt,
        .message = root->is_object()
                       ? "not a Keras model config: no top-level \"class_name\" and \"config\""
                       : "not a Keras model config: the top level is not a JSON object",
        .hint = "pass the output of model.to_json(), a .keras archive's config.json, a legacy "
                ".h5 file or a TensorFlow.js model.json",
        .json_path = root_path,
    });
    return out;
  }
  if (const json* v = find_key(*root, "keras_version"); v && v->is_string())
    out.keras_version = v->get<std::string>();
  else if (const json* v2 = find_key(doc, "keras_version"); v2 && v2->is_string())
    out.keras_version = v2->get<std::string>();

  DialectScan scan;
  scan_layer(*root, scan, 0);
  bool keras1_version = out.keras_version && out.keras_version->rfind("1.", 0) == 0;
  bool later_version = out.keras_version && !keras1_version;
  if (scan.keras3_nodes)
    out.dialect = Dialect::keras3;
  else if (scan.keras1_names || keras1_version || (scan.keras1_arguments && !later_version))
    out.dialect = Dialect::keras1;
  else
    out.dialect = Dialect::keras2;
  out.semantics = out.dialect == Dialect::keras3 ? Semantics::keras3 : Semantics::keras2;
  out.format = tfjs ? "tfjs-layers" : format_name(out.dialect);

  GraphBuilder builder(out.dialect, out.diagnostics);
  std::string class_name = string_or(find_key(*root, "class_name"), "");
  out.model = builder.build_model(*root, root_path, 0);
  if (!out.model) {
    // The top-level layer list is unreadable; the finding says why, and nothing propagates.
    out.model = std::make_unique<Model>();
    out.model->class_name = class_name;
    return out;
  }
  if (layer_calls(*out.model) > kMaxLayerCalls)
    out.diagnostics.push_back(Diagnostic{
        .rule = std::string(rule::kBadConfigValue),
        .severity = Severity::error,
        .layer = std::nullopt,
        .message = fmt::format(
            "{}: its nested models, each run once per call, add up to more than {} layer calls, "
            "shapelint's limit (kMaxLayerCalls)",
            root_path.empty() ? "config" : root_path + ".config",
            kMaxLayerCalls),
        .hint = "no Keras model calls nested models this often: check that the file was written "
                "by Keras",
        .json_path = root_path.empty() ? "config" : root_path + ".config"});
  return out;
}

namespace {

/// Deepest nesting of arrays and objects in `text` (strings skipped); stops counting past
/// `limit`. A cheap byte scan run before parsing, so no recursive walk ever meets a hostile
/// depth.
std::size_t nesting_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit)
        return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

/// Why `text` cannot be a model config before any parsing: empty, or another encoding than
/// UTF-8 (a UTF-16 or UTF-32 byte-order mark). A UTF-8 byte-order mark is fine: Keras reads
/// config.json with json.loads on bytes, which skips it, and nlohmann does too.
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

LoadedModel load_model_json(std::string_view text) {
  if (auto problem = text_problem(text)) {
    LoadedModel out;
    out.format = "unknown";
    out.not_a_model = true;
    out.diagnostics.push_back(
        Diagnostic{.rule = std::string(rule::kInvalidJson),
                   .severity = Severity::error,
                   .layer = std::nullopt,
                   .message = *problem + ": a Keras model config is JSON in UTF-8",
                   .hint = "save the model config again as UTF-8 JSON (model.to_json())",
                   .json_path = ""});
    return out;
  }
  if (nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth) {
    LoadedModel out;
    out.format = "unknown";
    out.not_a_model = true;
    out.diagnostics.push_back(Diagnostic{
        .rule = std::string(rule::kInvalidJson),
        .severity = Severity::error,
        .layer = std::nullopt,
        .message =
            fmt::format("JSON nested more than {} levels deep; no Keras config is", kMaxJsonDepth),
        .hint = "check that this is a model config written by Keras",
        .json_path = ""});
    return out;
  }
  auto doc = std::make_unique<json>();
  try {
    *doc = json::parse(text);
  } catch (const json::exception& e) {
    // A syntax error, or a number beyond a double's range (out_of_range.406, "number overflow
    // parsing '1e999'").
    LoadedModel out;
    out.format = "unknown";
    out.not_a_model = true;
    std::string what = e.what();
    // nlohmann says "[json.exception.parse_error.101] parse error at line 3, column 5: ...".
    auto pos = what.find("parse error");
    if (pos == std::string::npos && what.find("] ") != std::string::npos)
      pos = what.find("] ") + 2;
    out.diagnostics.push_back(Diagnostic{
        .rule = std::string(rule::kInvalidJson),
        .severity = Severity::error,
        .layer = std::nullopt,
        .message = pos == std::string::npos ? what : what.substr(pos),
        .hint = "the file is not valid JSON; re-export it with model.to_json()",
        .json_path = "",
    });
    return out;
  }
  return load_model_document(std::move(doc));
}

}  // namespace shapelint
