#include "shapelint/cost/receptive_field.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "shapelint/model/layer_config.hpp"

namespace shapelint::cost {

namespace {

/// How a layer moves positions around, as far as the receptive field is concerned.
enum class FieldEffect { window, pass_through, none };

/// Sliding a window: convolutions (kernel_size, strides, dilation_rate) and pooling
/// (pool_size, strides defaulting to pool_size).
struct Window {
  std::vector<std::int64_t> size;
  std::vector<std::int64_t> stride;
  std::vector<std::int64_t> dilation;
};

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(
      prefixes.begin(), prefixes.end(), [&](std::string_view p) { return s.rfind(p, 0) == 0; });
}

bool is_transposed(std::string_view cls) {
  return cls.find("Transpose") != std::string_view::npos || cls.rfind("Deconvolution", 0) == 0;
}

bool is_convolution(std::string_view cls) {
  return !is_transposed(cls) && starts_with_any(cls,
                                                {"Conv1D",
                                                 "Conv2D",
                                                 "Conv3D",
                                                 "Convolution1D",
                                                 "Convolution2D",
                                                 "Convolution3D",
                                                 "SeparableConv",
                                                 "DepthwiseConv",
                                                 "LocallyConnected"});
}

bool is_windowed_pooling(std::string_view cls) {
  return starts_with_any(
      cls, {"MaxPooling", "AveragePooling", "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool"});
}

/// Layers that keep every position where it is (element-wise, per-position, merges,
/// padding and cropping at the borders).
bool keeps_positions(std::string_view cls) {
  using namespace std::string_view_literals;
  static constexpr std::array kClasses = {"Activation"sv,
                                          "ReLU"sv,
                                          "LeakyReLU"sv,
                                          "PReLU"sv,
                                          "ELU"sv,
                                          "Softmax"sv,
                                          "ThresholdedReLU"sv,
                                          "BatchNormalization"sv,
                                          "SyncBatchNormalization"sv,
                                          "LayerNormalization"sv,
                                          "GroupNormalization"sv,
                                          "UnitNormalization"sv,
                                          "RMSNormalization"sv,
                                          "Normalization"sv,
                                          "Dropout"sv,
                                          "SpatialDropout1D"sv,
                                          "SpatialDropout2D"sv,
                                          "SpatialDropout3D"sv,
                                          "GaussianNoise"sv,
                                          "GaussianDropout"sv,
                                          "AlphaDropout"sv,
                                          "ActivityRegularization"sv,
                                          "Add"sv,
                                          "Subtract"sv,
                                          "Multiply"sv,
                                          "Average"sv,
                                          "Maximum"sv,
                                          "Minimum"sv,
                                          "Concatenate"sv,
                                          "ZeroPadding1D"sv,
                                          "ZeroPadding2D"sv,
                                          "ZeroPadding3D"sv,
                                          "Cropping1D"sv,
                                          "Cropping2D"sv,
                                          "Cropping3D"sv,
                                          "Masking"sv,
                                          "Identity"sv,
                                          "Rescaling"sv,
                                          "Dense"sv};
  return std::find(kClasses.begin(), kClasses.end(), cls) != kClasses.end();
}

FieldEffect effect_of(std::string_view cls) {
  if (is_convolution(cls) || is_windowed_pooling(cls))
    return FieldEffect::window;
  return keeps_positions(cls) ? FieldEffect::pass_through : FieldEffect::none;
}

std::optional<Window> read_window(const Layer& layer, std::size_t axes) {
  LayerConfig config(layer.config(), ConfigPath::of_layer(layer.object), nullptr, layer.name);
  Window w;
  if (is_windowed_pooling(layer.rule_class())) {
    w.size = config.get_int_tuple("pool_size", axes, 2);
    w.stride = config.raw("strides") ? config.get_int_tuple("strides", axes, 1) : w.size;
    w.dilation.assign(axes, 1);
  } else {
    w.size = config.get_int_tuple("kernel_size", axes, 1);
    w.stride = config.get_int_tuple("strides", axes, 1);
    w.dilation = config.get_int_tuple("dilation_rate", axes, 1);
  }
  if (w.size.size() != axes || w.stride.size() != axes || w.dilation.size() != axes)
    return std::nullopt;
  for (std::size_t i = 0; i < axes; ++i)
    if (w.size[i] < 1 || w.stride[i] < 1 || w.dilation[i] < 1)
      return std::nullopt;
  return w;
}

/// a·b + c without overflow, or nullopt.
std::optional<std::int64_t> mul_add(std::int64_t a, std::int64_t b, std::int64_t c) {
  std::int64_t product = 0, sum = 0;
  if (__builtin_mul_overflow(a, b, &product) || __builtin_add_overflow(product, c, &sum))
    return std::nullopt;
  return sum;
}

std::optional<ReceptiveField> apply_window(const ReceptiveField& in, const Window& w) {
  ReceptiveField out = in;
  for (std::size_t i = 0; i < in.size.size(); ++i) {
    auto span = mul_add(w.dilation[i], w.size[i] - 1, 0);
    auto size = span ? mul_add(*span, in.stride[i], in.size[i]) : std::nullopt;
    auto stride = mul_add(in.stride[i], w.stride[i], 0);
    if (!size || !stride)
      return std::nullopt;
    out.size[i] = *size;
    out.stride[i] = *stride;
  }
  return out;
}

class FieldPass {
 public:
  FieldPass(const Model& model, const ModelResult& result) : model_(model), result_(result) {}

  /// Each call's field, indexed by call (the calls of layer i start at base(i)).
  std::vector<std::optional<ReceptiveField>> run_calls() {
    base_.assign(model_.layers.size() + 1, 0);
    for (std::size_t i = 0; i < model_.layers.size(); ++i)
      base_[i + 1] = base_[i] + model_.layers[i].nodes.size();
    fields_.assign(base_.back(), std::nullopt);
    for (auto [layer, node] : topological_nodes())
      fields_[base_[layer] + node] = field_of(layer, node);
    return std::move(fields_);
  }

  std::size_t base(std::size_t layer) const { return base_[layer]; }

  /// Whether any field can start: only a model input of rank 3 or more has one of its own,
  /// and every other field comes from such an input. Without one (a model of vectors), the
  /// pass is skipped: for 100,000 layers its lists take several MB and a walk of the graph.
  bool has_source() const {
    for (std::size_t i = 0; i < model_.layers.size(); ++i)
      for (std::size_t k = 0; k < model_.layers[i].nodes.size(); ++k)
        if (starts_field(i, k))
          return true;
    return false;
  }

 private:
  /// Kahn's algorithm over calls. The consumers of each call are one flat list (offsets per
  /// call): a large model's calls are not each a small allocation.
  std::vector<std::pair<std::size_t, std::size_t>> topological_nodes() const {
    const std::size_t n = base_.back();
    std::vector<std::uint32_t> layer_of(n);
    std::vector<std::uint32_t> pending(n, 0);
    std::vector<std::size_t> consumers_start(n + 1, 0);
    auto for_each_input = [&](auto&& visit) {
      for (std::size_t i = 0; i < model_.layers.size(); ++i)
        for (std::size_t k = 0; k < model_.layers[i].nodes.size(); ++k)
          for (const auto& r : model_.layers[i].nodes[k].inputs)
            if (r.layer < model_.layers.size() && r.node < model_.layers[r.layer].nodes.size())
              visit(base_[i] + k, base_[r.layer] + r.node);
    };
    for_each_input([&](std::size_t id, std::size_t producer) {
      ++consumers_start[producer + 1];
      ++pending[id];
    });
    for (std::size_t id = 0; id < n; ++id)
      consumers_start[id + 1] += consumers_start[id];
    std::vector<std::uint32_t> consumers(consumers_start[n]);
    {
      std::vector<std::size_t> next(consumers_start.begin(), consumers_start.end() - 1);
      for_each_input([&](std::size_t id, std::size_t producer) {
        consumers[next[producer]++] = static_cast<std::uint32_t>(id);
      });
    }
    for (std::size_t i = 0; i < model_.layers.size(); ++i)
      for (std::size_t id = base_[i]; id < base_[i + 1]; ++id)
        layer_of[id] = static_cast<std::uint32_t>(i);
    std::vector<std::uint32_t> ready;
    for (std::size_t id = 0; id < n; ++id)
      if (pending[id] == 0)
        ready.push_back(static_cast<std::uint32_t>(id));
    std::vector<std::pair<std::size_t, std::size_t>> order;
    order.reserve(n);
    // Any topological order gives the same fields: a field depends on its producers' only.
    while (!ready.empty()) {
      std::size_t id = ready.back();
      ready.pop_back();
      order.emplace_back(layer_of[id], id - base_[layer_of[id]]);
      for (std::size_t c = consumers_start[id]; c < consumers_start[id + 1]; ++c)
        if (--pending[consumers[c]] == 0)
          ready.push_back(consumers[c]);
    }
    return order;
  }

  const Shape* output_shape(std::size_t layer, std::size_t node) const {
    if (layer >= result_.layers.size() || node >= result_.layers[layer].calls.size())
      return nullptr;
    const CallResult& call = result_.layers[layer].calls[node];
    if (call.failed || call.poisoned || call.outputs.empty() || !call.outputs[0].has_rank())
      return nullptr;
    return &call.outputs[0];
  }

  /// The output of a call no other call feeds, of rank 3 or more (a batch, positions and
  /// channels) when the layer is `InputLayer`: a model input. A field starts there, where
  /// one position sees itself; every other field grows from one.
  bool starts_field(std::size_t layer_index, std::size_t node_index) const {
    const Layer& layer = model_.layers[layer_index];
    if (!layer.nodes[node_index].inputs.empty() || layer.rule_class() != "InputLayer")
      return false;
    const Shape* out = output_shape(layer_index, node_index);
    return out && out->rank() >= 3;
  }

  std::optional<ReceptiveField> field_of(std::size_t layer_index, std::size_t node_index) const {
    const Layer& layer = model_.layers[layer_index];
    const Node& node = layer.nodes[node_index];
    if (starts_field(layer_index, node_index)) {
      std::size_t axes = output_shape(layer_index, node_index)->rank() - 2;
      return ReceptiveField{std::vector<std::int64_t>(axes, 1), std::vector<std::int64_t>(axes, 1)};
    }
    const Shape* out = output_shape(layer_index, node_index);
    if (node.inputs.empty() || !out || out->rank() < 3)
      return std::nullopt;
    std::size_t axes = out->rank() - 2;
    if (layer.nested())
      return std::nullopt;
    FieldEffect effect = effect_of(layer.rule_class());
    if (effect == FieldEffect::none)
      return std::nullopt;
    std::optional<ReceptiveField> merged;
    for (const auto& r : node.inputs) {
      if (r.layer >= model_.layers.size() || r.node >= model_.layers[r.layer].nodes.size())
        return std::nullopt;
      const auto& in = fields_[base_[r.layer] + r.node];
      if (!in || in->size.size() != axes)
        return std::nullopt;
      if (!merged) {
        merged = in;
        continue;
      }
      // Merged branches: an output position sees what the widest branch sees.
      for (std::size_t i = 0; i < axes; ++i) {
        merged->size[i] = std::max(merged->size[i], in->size[i]);
        merged->stride[i] = std::max(merged->stride[i], in->stride[i]);
      }
    }
    if (!merged || effect == FieldEffect::pass_through)
      return merged;
    auto window = read_window(layer, axes);
    return window ? apply_window(*merged, *window) : std::nullopt;
  }

  const Model& model_;
  const ModelResult& result_;
  std::vector<std::size_t> base_;
  std::vector<std::optional<ReceptiveField>> fields_;
};

}  // namespace

std::vector<std::optional<ReceptiveField>> receptive_fields(const Model& model,
                                                            const ModelResult& result) {
  FieldPass pass(model, result);
  std::vector<std::optional<ReceptiveField>> out(model.layers.size());
  if (!pass.has_source())
    return out;
  auto fields = pass.run_calls();
  for (std::size_t i = 0; i < model.layers.size(); ++i)
    if (!model.layers[i].nodes.empty())
      out[i] = std::move(fields[pass.base(i)]);
  return out;
}

void attach_receptive_fields(const Model& model, ModelResult& result) {
  FieldPass pass(model, result);
  std::vector<std::optional<ReceptiveField>> fields;
  if (pass.has_source())
    fields = pass.run_calls();
  for (std::size_t i = 0; i < model.layers.size() && i < result.layers.size(); ++i) {
    LayerResult& layer = result.layers[i];
    if (!fields.empty() && i < result.costs.size() && !model.layers[i].nested())
      if (auto& first_call = fields[pass.base(i)]) {
        if (result.receptive_fields.empty())
          result.receptive_fields.resize(result.layers.size());
        result.receptive_fields[i] = std::make_unique<ReceptiveField>(std::move(*first_call));
      }
    if (model.layers[i].nested() && layer.nested())
      attach_receptive_fields(*model.layers[i].nested(), *layer.nested());
  }
}

}  // namespace shapelint::cost
