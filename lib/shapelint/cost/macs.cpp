// The cost table: one entry per Keras class that multiplies, grouped by family like the
// shape rules. Every count is for one sample and uses Dim's overflow-checked arithmetic, so
// a hostile config yields "unknown", never a wrapped number. The convention (docs/cost.md):
//   matrix and convolution products: one MAC per weight per position it is applied at
//     (Dense: positions × in × units; Conv: output positions × k × in/groups × filters;
//     transposed conv: input positions × k × filters × in; RNN: timesteps × kernels);
//   attention: its projections, plus heads × query positions × key positions × (key_dim +
//     value_dim) for the scores and the weighted sum;
//   pooling: one per window element per output element (global pooling: one per input
//     element); normalization: one per element for each pass it makes at inference;
//   biases, activations, merges, dropout, reshaping and preprocessing: none.
#include "shapelint/cost/macs.hpp"

#include <algorithm>
#include <array>

namespace shapelint::cost {

namespace {

using MacsFn = Dim (*)(const CallView&);

struct CostRule {
  std::string_view keras_class;
  MacsFn macs;
};

// ---- helpers -------------------------------------------------------------------------------

Dim sample_size(const Shape& s) {
  if (!s.has_rank() || s.rank() == 0)
    return Dim::unknown();
  return s.product(1);
}

/// Product of the axes between the batch axis and the last one: the positions a Dense kernel
/// or an attention projection is applied at.
Dim middle_positions(const Shape& s) {
  if (!s.has_rank() || s.rank() < 2)
    return Dim::unknown();
  Dim p = Dim::of(1);
  for (std::size_t i = 1; i + 1 < s.rank(); ++i)
    p = p * s.dims()[i];
  return p;
}

/// Product of every axis but the batch and channel axes (a feature map's positions).
Dim spatial_positions(const Shape& s, bool channels_first) {
  if (!s.has_rank() || s.rank() < 2)
    return Dim::unknown();
  std::size_t channel = channels_first ? 1 : s.rank() - 1;
  Dim p = Dim::of(1);
  for (std::size_t i = 1; i < s.rank(); ++i)
    if (i != channel)
      p = p * s.dims()[i];
  return p;
}

std::string_view leaf_name(std::string_view name) {
  auto slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

/// A weight that multiplies inputs: `kernel`, `recurrent_kernel`, `depthwise_kernel`,
/// `query/kernel`, LoRA factors, Keras 1's `W`; rank-1 vectors (biases, scales) are not.
bool is_kernel(const WeightSpec& w) {
  std::string_view leaf = leaf_name(w.name);
  bool named =
      leaf.find("kernel") != std::string_view::npos || leaf == "W" || leaf.rfind("W_", 0) == 0;
  return named && (!w.shape.has_rank() || w.shape.rank() >= 2);
}

/// Elements of the kernels whose name starts with `prefix` ("" for all).
Dim kernel_elements(std::span<const WeightSpec> weights, std::string_view prefix = {}) {
  Dim sum = Dim::of(0);
  for (const auto& w : weights)
    if (is_kernel(w) && std::string_view(w.name).rfind(prefix, 0) == 0)
      sum = sum + w.shape.product();
  return sum;
}

const Shape* first_output(const CallView& c) {
  return c.outputs.empty() ? nullptr : &c.outputs[0];
}

const Shape* first_input(const CallView& c) {
  return c.inputs.empty() ? nullptr : &c.inputs[0];
}

/// The tensor passed as `name`, positionally (`position`) or as a keyword.
const Shape* operand(const CallView& c, std::size_t position, std::string_view name) {
  if (position < c.inputs.size())
    return &c.inputs[position];
  for (const auto& k : c.kwargs)
    if (k.name == name && !k.shapes.empty())
      return &k.shapes.front();
  return nullptr;
}

// ---- core ------------------------------------------------------------------------------------

/// Dense and its relatives: the kernels applied at every position of the output.
Dim dense_like(const CallView& c) {
  const Shape* out = first_output(c);
  if (!out)
    return Dim::unknown();
  return middle_positions(*out) * kernel_elements(c.weights);
}

/// Axes of `spec` (an einsum operand such as "ab" or "...b") for a tensor of `rank`:
/// the letter of each axis, '.' for the axes an ellipsis stands for.
std::string axis_letters(std::string_view spec, std::size_t rank) {
  auto dots = spec.find("...");
  if (dots == std::string_view::npos)
    return spec.size() == rank ? std::string(spec) : std::string{};
  std::string_view left = spec.substr(0, dots), right = spec.substr(dots + 3);
  if (left.size() + right.size() > rank)
    return {};
  return std::string(left) + std::string(rank - left.size() - right.size(), '.') +
         std::string(right);
}

/// EinsumDense: every input axis the kernel does not contract is a position the kernel is
/// applied at (`abc,cd->abd`: b positions × c·d kernel).
Dim einsum_dense(const CallView& c) {
  const Shape* in = first_input(c);
  auto equation = c.config.get_optional_string("equation");
  if (!in || !in->has_rank() || !equation)
    return Dim::unknown();
  auto comma = equation->find(',');
  auto arrow = equation->find("->");
  if (comma == std::string::npos || arrow == std::string::npos || arrow < comma)
    return Dim::unknown();
  std::string input_spec = equation->substr(0, comma);
  std::string kernel_spec = equation->substr(comma + 1, arrow - comma - 1);
  std::string letters = axis_letters(input_spec, in->rank());
  if (letters.empty())
    return Dim::unknown();
  Dim positions = Dim::of(1);
  for (std::size_t i = 1; i < letters.size(); ++i)
    if (letters[i] == '.' || kernel_spec.find(letters[i]) == std::string::npos)
      positions = positions * in->dims()[i];
  return positions * kernel_elements(c.weights);
}

/// LocallyConnected: an unshared kernel per position, so every kernel element is used once.
Dim kernel_once(const CallView& c) {
  return kernel_elements(c.weights);
}

/// Dot: every output element sums the products along the contracted axis.
Dim dot(const CallView& c) {
  const Shape* out = first_output(c);
  if (!out || c.inputs.size() != 2 || !c.inputs[0].has_rank())
    return Dim::unknown();
  auto axes = c.config.get_int_or_list("axes");
  if (!axes || axes->empty())
    return Dim::unknown();
  const Shape& a = c.inputs[0];
  std::int64_t axis = axes->front();
  if (axis < 0)
    axis += static_cast<std::int64_t>(a.rank());
  if (axis < 1 || axis >= static_cast<std::int64_t>(a.rank()))
    return Dim::unknown();
  return sample_size(*out) * a.dims()[static_cast<std::size_t>(axis)];
}

// ---- convolutions ---------------------------------------------------------------------------

/// Conv, SeparableConv, DepthwiseConv: every kernel applied at every output position.
Dim convolution(const CallView& c) {
  const Shape* out = first_output(c);
  if (!out)
    return Dim::unknown();
  return spatial_positions(*out, c.config.channels_first()) * kernel_elements(c.weights);
}

/// Transposed convolutions scatter the kernel from every input position.
Dim transposed_convolution(const CallView& c) {
  const Shape* in = first_input(c);
  if (!in)
    return Dim::unknown();
  return spatial_positions(*in, c.config.channels_first()) * kernel_elements(c.weights);
}

// ---- recurrent -------------------------------------------------------------------------------

Dim timesteps(const Shape& in) {
  if (!in.has_rank() || in.rank() < 2)
    return Dim::unknown();
  return in.rank() >= 3 ? in.dims()[1] : Dim::of(1);  // a cell takes one step
}

/// SimpleRNN, LSTM, GRU (and their cells, RNN, Bidirectional): the input and recurrent
/// kernels once per timestep, every gate included.
Dim recurrent(const CallView& c) {
  const Shape* in = first_input(c);
  if (!in)
    return Dim::unknown();
  return timesteps(*in) * kernel_elements(c.weights);
}

/// ConvLSTM: both convolutions (input and recurrent, all four gates) at every output
/// position of every timestep.
Dim conv_lstm(const CallView& c, bool channels_first) {
  const Shape* in = first_input(c);
  const Shape* out = first_output(c);
  if (!in || !out || !in->has_rank() || !out->has_rank() || in->rank() < 4)
    return Dim::unknown();
  std::size_t spatial = in->rank() - 3;
  if (out->rank() < spatial + 2)
    return Dim::unknown();
  std::size_t first = channels_first ? out->rank() - spatial : out->rank() - 1 - spatial;
  Dim positions = Dim::of(1);
  for (std::size_t i = first; i < first + spatial; ++i)
    positions = positions * out->dims()[i];
  return in->dims()[1] * positions * kernel_elements(c.weights);
}

Dim conv_lstm_layer(const CallView& c) {
  return conv_lstm(c, c.config.channels_first());
}

/// The `{"class_name", "config"}` object a wrapper holds under `layer`.
struct Wrapped {
  std::string class_name;
  JsonValue object;  ///< the `{"class_name", "config"}` object
  JsonValue config;

  /// The wrapped layer's config, its path spelled out only if a finding needs it.
  LayerConfig layer_config() const {
    return LayerConfig(config, ConfigPath::of_layer(object), nullptr, "");
  }
};

std::optional<Wrapped> wrapped_layer(const CallView& c) {
  JsonValue inner = c.config.raw("layer");
  if (!inner.is_object())
    return std::nullopt;
  JsonValue cls = inner.find("class_name");
  JsonValue cfg = inner.find("config");
  if (!cls.is_string() || !cfg.is_object())
    return std::nullopt;
  return Wrapped{std::string(cls.as_string()), inner, cfg};
}

Dim bidirectional(const CallView& c) {
  auto inner = wrapped_layer(c);
  if (inner && inner->class_name.rfind("ConvLSTM", 0) == 0) {
    return conv_lstm(c, inner->layer_config().channels_first());
  }
  return recurrent(c);  // the weights of both directions
}

Dim to_dim(std::optional<std::int64_t> v) {
  return v ? Dim::of(*v) : Dim::unknown();
}

/// Shape `s` without axis 1: what TimeDistributed hands its layer for one timestep.
Shape without_time_axis(const Shape& s) {
  if (!s.has_rank() || s.rank() < 2)
    return Shape::unknown_rank();
  DimVector dims{s.dims()[0]};
  dims.insert(dims.end(), s.dims().begin() + 2, s.dims().end());
  return Shape(std::move(dims));
}

/// TimeDistributed: the wrapped layer's cost once per timestep.
Dim time_distributed(const CallView& c) {
  auto inner = wrapped_layer(c);
  const Shape* in = first_input(c);
  if (!inner || !in || !in->has_rank() || in->rank() < 2)
    return Dim::unknown();
  LayerConfig config = inner->layer_config();
  Shapes inputs{without_time_axis(*in)};
  Shapes outputs;
  for (const auto& o : c.outputs)
    outputs.push_back(without_time_axis(o));
  CallView step{inner->class_name, config, inputs, {}, outputs, c.weights};
  return in->dims()[1] * to_dim(layer_macs(step));
}

/// SpectralNormalization: the wrapped layer's cost (the power iteration runs in training).
Dim spectral_normalization(const CallView& c) {
  auto inner = wrapped_layer(c);
  if (!inner)
    return Dim::unknown();
  LayerConfig config = inner->layer_config();
  CallView same{inner->class_name, config, c.inputs, c.kwargs, c.outputs, c.weights};
  return to_dim(layer_macs(same));
}

// ---- attention -------------------------------------------------------------------------------

/// The projections: each kernel at every position of the tensor it projects.
Dim attention_projections(const CallView& c,
                          const Shape& query,
                          const Shape& key,
                          const Shape& value) {
  Dim tq = middle_positions(query), tk = middle_positions(key), tv = middle_positions(value);
  Dim sum = Dim::of(0);
  for (const auto& w : c.weights) {
    if (!is_kernel(w))
      continue;
    std::string_view name = w.name;
    Dim positions = name.rfind("key", 0) == 0 ? tk : name.rfind("value", 0) == 0 ? tv : tq;
    sum = sum + positions * w.shape.product();
  }
  return sum;
}

/// Query-key pairs the scores are computed for. With `attention_axes`, the other middle
/// axes act as batch axes: pairs are formed along the attention axes only.
Dim attention_pairs(const CallView& c, const Shape& query, const Shape& key) {
  if (!query.has_rank() || !key.has_rank() || query.rank() != key.rank() || query.rank() < 3)
    return Dim::unknown();
  auto axes = c.config.get_int_or_list("attention_axes");
  if (!axes || axes->empty())
    return middle_positions(query) * middle_positions(key);
  const auto rank = static_cast<std::int64_t>(query.rank());
  Dim pairs = Dim::of(1);
  for (std::int64_t i = 1; i + 1 < rank; ++i) {
    bool attended = std::any_of(
        axes->begin(), axes->end(), [&](std::int64_t a) { return (a < 0 ? a + rank : a) == i; });
    auto axis = static_cast<std::size_t>(i);
    pairs = pairs * (attended ? query.dims()[axis] * key.dims()[axis] : query.dims()[axis]);
  }
  return pairs;
}

/// An attention layer's query, value and key (the key defaults to the value, as in Keras);
/// false when the query or value shape is unknown.
bool attention_operands(const CallView& c,
                        const Shape*& query,
                        const Shape*& value,
                        const Shape*& key) {
  query = operand(c, 0, "query");
  value = operand(c, 1, "value");
  if (!query || !value)
    return false;
  key = operand(c, 2, "key");
  if (!key)
    key = value;
  return true;
}

Dim multi_head_attention(const CallView& c) {
  const Shape *query = nullptr, *value = nullptr, *key = nullptr;
  if (!attention_operands(c, query, value, key))
    return Dim::unknown();
  auto heads = c.config.get_optional_int("num_heads");
  auto key_dim = c.config.get_optional_int("key_dim");
  auto value_dim = c.config.get_optional_int("value_dim");
  if (!heads || !key_dim)
    return Dim::unknown();
  std::int64_t per_head = *key_dim + (value_dim && *value_dim > 0 ? *value_dim : *key_dim);
  Dim scores = attention_pairs(c, *query, *key) * Dim::of(*heads) * Dim::of(per_head);
  return attention_projections(c, *query, *key, *value) + scores;
}

Dim group_query_attention(const CallView& c) {
  const Shape *query = nullptr, *value = nullptr, *key = nullptr;
  if (!attention_operands(c, query, value, key))
    return Dim::unknown();
  auto heads = c.config.get_optional_int("num_query_heads");
  auto head_dim = c.config.get_optional_int("head_dim");
  if (!heads || !head_dim)
    return Dim::unknown();
  Dim pairs = middle_positions(*query) * middle_positions(*key);
  return attention_projections(c, *query, *key, *value) +
         pairs * Dim::of(*heads) * Dim::of(2 * *head_dim);
}

/// Attention / AdditiveAttention: a score per query-key pair over the query's features
/// (a dot product, or the summed tanh of the additive form), then the weighted sum.
Dim dot_product_attention(const CallView& c) {
  if (c.inputs.size() < 2)
    return Dim::unknown();
  const Shape& query = c.inputs[0];
  const Shape& value = c.inputs[1];
  const Shape& key = c.inputs.size() > 2 ? c.inputs[2] : value;
  if (!query.has_rank() || !value.has_rank() || query.rank() < 2 || value.rank() < 2)
    return Dim::unknown();
  Dim pairs = middle_positions(query) * middle_positions(key);
  return pairs * (query.at(-1) + value.at(-1));
}

// ---- pooling ---------------------------------------------------------------------------------

/// Max and average pooling: every window element of every output element.
Dim windowed_pooling(const CallView& c) {
  const Shape* out = first_output(c);
  if (!out || !out->has_rank() || out->rank() < 3)
    return Dim::unknown();
  Dim window = Dim::of(1);
  for (auto k : c.config.get_int_tuple("pool_size", out->rank() - 2, 2))
    window = window * Dim::of(k);
  return sample_size(*out) * window;
}

/// Global and adaptive pooling visit every input element once.
Dim every_input_element(const CallView& c) {
  const Shape* in = first_input(c);
  return in ? sample_size(*in) : Dim::unknown();
}

// ---- normalization ---------------------------------------------------------------------------

Dim passes_over_output(const CallView& c, std::int64_t passes) {
  const Shape* out = first_output(c);
  return out ? sample_size(*out) * passes : Dim::unknown();
}

/// BatchNormalization at inference is one scale-and-shift (its statistics are stored).
Dim one_pass(const CallView& c) {
  return passes_over_output(c, 1);
}

/// RMSNormalization, UnitNormalization: a sum of squares, then the scaling.
Dim two_passes(const CallView& c) {
  return passes_over_output(c, 2);
}

/// LayerNormalization, GroupNormalization: a mean, a variance, then normalize-and-scale.
Dim three_passes(const CallView& c) {
  return passes_over_output(c, 3);
}

/// Weighted layers that multiply nothing per sample: lookups, per-element scales.
Dim free_of_cost(const CallView&) {
  return Dim::of(0);
}

// clang-format off
constexpr std::array kCostTable{
    // core
    CostRule{"Dense", dense_like},
    CostRule{"TernaryDense", dense_like},
    CostRule{"TimeDistributedDense", dense_like},
    CostRule{"MaxoutDense", dense_like},
    CostRule{"Highway", dense_like},
    CostRule{"RandomFourierFeatures", dense_like},
    CostRule{"EinsumDense", einsum_dense},
    CostRule{"LocallyConnected1D", kernel_once},
    CostRule{"LocallyConnected2D", kernel_once},
    CostRule{"Dot", dot},
    CostRule{"Embedding", free_of_cost},
    CostRule{"ReversibleEmbedding", free_of_cost},
    CostRule{"DenseFeatures", free_of_cost},
    CostRule{"PReLU", free_of_cost},
    CostRule{"SReLU", free_of_cost},
    CostRule{"ParametricSoftplus", free_of_cost},
    // convolutions
    CostRule{"Conv1D", convolution},
    CostRule{"Conv2D", convolution},
    CostRule{"Conv3D", convolution},
    CostRule{"Convolution1D", convolution},
    CostRule{"Convolution2D", convolution},
    CostRule{"Convolution3D", convolution},
    CostRule{"SeparableConv1D", convolution},
    CostRule{"SeparableConv2D", convolution},
    CostRule{"SeparableConvolution1D", convolution},
    CostRule{"SeparableConvolution2D", convolution},
    CostRule{"DepthwiseConv1D", convolution},
    CostRule{"DepthwiseConv2D", convolution},
    CostRule{"Conv1DTranspose", transposed_convolution},
    CostRule{"Conv2DTranspose", transposed_convolution},
    CostRule{"Conv3DTranspose", transposed_convolution},
    CostRule{"Convolution1DTranspose", transposed_convolution},
    CostRule{"Convolution2DTranspose", transposed_convolution},
    CostRule{"Convolution3DTranspose", transposed_convolution},
    CostRule{"Deconvolution2D", transposed_convolution},
    CostRule{"Deconvolution3D", transposed_convolution},
    // recurrent
    CostRule{"SimpleRNN", recurrent},
    CostRule{"LSTM", recurrent},
    CostRule{"GRU", recurrent},
    CostRule{"CuDNNLSTM", recurrent},
    CostRule{"CuDNNGRU", recurrent},
    CostRule{"RNN", recurrent},
    CostRule{"SimpleRNNCell", recurrent},
    CostRule{"LSTMCell", recurrent},
    CostRule{"GRUCell", recurrent},
    CostRule{"StackedRNNCells", recurrent},
    CostRule{"Bidirectional", bidirectional},
    CostRule{"ConvLSTM1D", conv_lstm_layer},
    CostRule{"ConvLSTM2D", conv_lstm_layer},
    CostRule{"ConvLSTM3D", conv_lstm_layer},
    CostRule{"TimeDistributed", time_distributed},
    // attention
    CostRule{"MultiHeadAttention", multi_head_attention},
    CostRule{"GroupQueryAttention", group_query_attention},
    CostRule{"Attention", dot_product_attention},
    CostRule{"AdditiveAttention", dot_product_attention},
    // pooling
    CostRule{"MaxPooling1D", windowed_pooling},
    CostRule{"MaxPooling2D", windowed_pooling},
    CostRule{"MaxPooling3D", windowed_pooling},
    CostRule{"AveragePooling1D", windowed_pooling},
    CostRule{"AveragePooling2D", windowed_pooling},
    CostRule{"AveragePooling3D", windowed_pooling},
    CostRule{"MaxPool1D", windowed_pooling},
    CostRule{"MaxPool2D", windowed_pooling},
    CostRule{"MaxPool3D", windowed_pooling},
    CostRule{"AvgPool1D", windowed_pooling},
    CostRule{"AvgPool2D", windowed_pooling},
    CostRule{"AvgPool3D", windowed_pooling},
    CostRule{"GlobalMaxPooling1D", every_input_element},
    CostRule{"GlobalMaxPooling2D", every_input_element},
    CostRule{"GlobalMaxPooling3D", every_input_element},
    CostRule{"GlobalAveragePooling1D", every_input_element},
    CostRule{"GlobalAveragePooling2D", every_input_element},
    CostRule{"GlobalAveragePooling3D", every_input_element},
    CostRule{"GlobalMaxPool1D", every_input_element},
    CostRule{"GlobalMaxPool2D", every_input_element},
    CostRule{"GlobalMaxPool3D", every_input_element},
    CostRule{"GlobalAvgPool1D", every_input_element},
    CostRule{"GlobalAvgPool2D", every_input_element},
    CostRule{"GlobalAvgPool3D", every_input_element},
    CostRule{"AdaptiveAveragePooling1D", every_input_element},
    CostRule{"AdaptiveAveragePooling2D", every_input_element},
    CostRule{"AdaptiveAveragePooling3D", every_input_element},
    CostRule{"AdaptiveMaxPooling1D", every_input_element},
    CostRule{"AdaptiveMaxPooling2D", every_input_element},
    CostRule{"AdaptiveMaxPooling3D", every_input_element},
    // normalization
    CostRule{"BatchNormalization", one_pass},
    CostRule{"SyncBatchNormalization", one_pass},
    CostRule{"Normalization", one_pass},
    CostRule{"LayerNormalization", three_passes},
    CostRule{"GroupNormalization", three_passes},
    CostRule{"RMSNormalization", two_passes},
    CostRule{"UnitNormalization", two_passes},
    CostRule{"SpectralNormalization", spectral_normalization},
};

// clang-format on

const CostRule* find_cost_rule(std::string_view keras_class) {
  for (const auto& r : kCostTable)
    if (r.keras_class == keras_class)
      return &r;
  return nullptr;
}

/// A dtype policy name: "mixed_float16" computes in float16 with float32 variables;
/// quantized policies ("int8_from_float32") store int8 and compute in the source dtype.
DtypePolicy policy_from_name(const std::string& name) {
  DtypePolicy p;
  constexpr std::string_view kMixed = "mixed_";
  constexpr std::string_view kFrom = "_from_";
  if (name.rfind(kMixed, 0) == 0) {
    p.compute = name.substr(kMixed.size());
    p.variable = "float32";
  } else if (auto from = name.find(kFrom); from != std::string::npos) {
    p.variable = name.substr(0, from);
    p.compute = policy_from_name(name.substr(from + kFrom.size())).compute;
  } else {
    p.compute = p.variable = name;
  }
  return p;
}

}  // namespace

bool has_cost_rule(std::string_view keras_class) {
  return find_cost_rule(keras_class) != nullptr;
}

std::optional<std::int64_t> layer_macs(const CallView& call) {
  Dim macs = Dim::unknown();
  if (const CostRule* rule = find_cost_rule(call.keras_class)) {
    macs = rule->macs(call);
  } else {
    // Element-wise and reshaping layers multiply nothing; a weighted layer without a cost
    // rule is not guessed at.
    bool weighted = std::any_of(call.weights.begin(), call.weights.end(), is_kernel);
    macs = weighted ? Dim::unknown() : Dim::of(0);
  }
  if (!macs.is_known() || macs.value() < 0)
    return std::nullopt;
  return macs.value();
}

DtypePolicy dtype_policy(JsonValue layer_config) {
  JsonValue dtype = layer_config.find("dtype");
  if (dtype.is_string())
    return policy_from_name(std::string(dtype.as_string()));
  if (JsonValue name = dtype.find("config").find("name"); name.is_string())
    return policy_from_name(std::string(name.as_string()));
  return {};
}

namespace {

struct DtypeSize {
  const char* name;
  std::int64_t bytes;
};

constexpr std::array kDtypeSizes{
    DtypeSize{"float16", 2},       DtypeSize{"half", 2},        DtypeSize{"bfloat16", 2},
    DtypeSize{"float32", 4},       DtypeSize{"float", 4},       DtypeSize{"float64", 8},
    DtypeSize{"double", 8},        DtypeSize{"int8", 1},        DtypeSize{"uint8", 1},
    DtypeSize{"bool", 1},          DtypeSize{"int16", 2},       DtypeSize{"uint16", 2},
    DtypeSize{"int32", 4},         DtypeSize{"uint32", 4},      DtypeSize{"int64", 8},
    DtypeSize{"uint64", 8},        DtypeSize{"complex64", 8},   DtypeSize{"complex128", 16},
    DtypeSize{"float8_e4m3fn", 1}, DtypeSize{"float8_e5m2", 1},
};

const DtypeSize* find_dtype(std::string_view dtype) {
  for (const auto& s : kDtypeSizes)
    if (dtype == s.name)
      return &s;
  return nullptr;
}

}  // namespace

std::optional<std::int64_t> dtype_bytes(std::string_view dtype) {
  if (const DtypeSize* known = find_dtype(dtype))
    return known->bytes;
  return std::nullopt;
}

const char* known_dtype_name(std::string_view dtype) {
  const DtypeSize* known = find_dtype(dtype);
  return known ? known->name : "";
}

std::optional<std::int64_t> sample_elements(const Shape& shape) {
  Dim n = sample_size(shape);
  if (!n.is_known())
    return std::nullopt;
  return n.value();
}

}  // namespace shapelint::cost
