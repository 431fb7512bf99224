// Shape rules for the Keras rnn layer family (keras/src/layers/rnn/).
//
// Every recurrent layer is "a cell run over the time axis": the cell sees one step
// `(batch, features...)`, creates the weights, and says what one step outputs and which states it
// carries. The layer then adds the time axis back (`return_sequences`) and appends the states
// (`return_state`). The cells are also registered on their own, so `RNN(cell=...)`,
// `StackedRNNCells` and `Bidirectional` reuse them through `call_sublayer`; a cell's outputs are
// `[output, state_1, state_2, ...]`, as its `call` returns them.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint {

namespace {

using nlohmann::json;

// Initial states arrive as extra positional inputs (tf.keras 2 recorded them so), hence the
// generous bound; the rules check the count themselves, with Keras's wording.
constexpr std::size_t kMaxRecurrentInputs = 64;

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// The flags every RNN layer has (keras/src/layers/rnn/rnn.py `RNN.__init__`).
struct RecurrentFlags {
  bool return_sequences = false;
  bool return_state = false;
  bool stateful = false;
  bool unroll = false;
  bool time_major = false;  ///< tf.keras 2 only: sequences are (time, batch, ...)
};

RecurrentFlags read_flags(const LayerConfig& cfg) {
  RecurrentFlags f;
  f.return_sequences = cfg.get_bool("return_sequences", false);
  f.return_state = cfg.get_bool("return_state", false);
  f.stateful = cfg.get_bool("stateful", false);
  f.unroll = cfg.get_bool("unroll", false);
  f.time_major = cfg.get_bool("time_major", false);
  return f;
}

/// What one step of a cell produces: the step output and the states, batch axis included.
struct CellShapes {
  Shape output;
  Shapes states;
};

/// A cell's `build` + output shapes for one step input; nullopt after an error.
using CellBuilder = std::optional<CellShapes> (*)(LayerCall&, const Shape& step);

Dim dim_or_unknown(const Shape& s, std::ptrdiff_t axis) {
  return s.has_axis(axis) ? s.at(axis) : Dim::unknown();
}

std::size_t batch_axis(const RecurrentFlags& f) {
  return f.time_major ? 1 : 0;
}

std::size_t time_axis(const RecurrentFlags& f) {
  return f.time_major ? 0 : 1;
}

/// The shape one step of the cell sees: the sequence without its time axis.
Shape step_shape(const Shape& seq, const RecurrentFlags& f) {
  if (!seq.has_rank() || seq.rank() < 2)
    return Shape::unknown_rank();
  DimVector dims{seq.dims()[batch_axis(f)]};
  dims.insert(dims.end(), seq.dims().begin() + 2, seq.dims().end());
  return Shape(std::move(dims));
}

/// The positional inputs after the first, then the `initial_state` keyword tensors.
Shapes initial_states(const LayerCall& c) {
  Shapes states(c.inputs().begin() + 1, c.inputs().end());
  if (const Shapes* kw = c.kwarg("initial_state"))
    states.insert(states.end(), kw->begin(), kw->end());
  return states;
}

Shapes with_leading(const Shape& first, const Shapes& rest) {
  Shapes out{first};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

void append_prefixed(std::vector<WeightSpec>& into,
                     const std::vector<WeightSpec>& from,
                     std::string_view prefix) {
  for (const auto& w : from)
    into.push_back(WeightSpec{std::string(prefix) + w.name, w.shape, w.trainable});
}

/// A required size argument (`units`, `filters`): unknown when malformed (the getter reports
/// it), an error when missing or below 1. nullopt after an error.
std::optional<Dim> read_size_argument(LayerCall& c, std::string_view key) {
  if (!c.config().has(key)) {
    c.error(rule::kInvalidArgument,
            fmt::format("missing 1 required positional argument: '{}'", key),
            fmt::format("add `{}` to the layer config", key));
    return std::nullopt;
  }
  auto value = c.config().get_optional_int(key);
  if (!value)
    return Dim::unknown();
  if (*value <= 0) {
    c.error(rule::kInvalidArgument,
            fmt::format("Received an invalid value for argument `{}`, expected a positive "
                        "integer, got {}.",
                        key,
                        *value),
            fmt::format("set `{}` to a positive integer", key));
    return std::nullopt;
  }
  return Dim::of(*value);
}

/// Python's `str(bool)`, for messages that quote Keras.
const char* py_bool(bool b) {
  return b ? "True" : "False";
}

// ---------------------------------------------------------------------------------------------
// Cells: keras/src/layers/rnn/{simple_rnn,lstm,gru}.py `*Cell.build`, and tf.keras 1.x
// cudnn_recurrent.py. Each adds the cell's weights and returns its step shapes.

/// Kernel `(input_dim, gates*units)` and recurrent kernel `(units, gates*units)`, which every
/// gated cell has.
/// `cell` names the cell in Keras's variable path ("lstm_cell" inside an LSTM layer). Keras 3
/// cannot create a kernel with a None in its shape (backend/common/variables.py) and tf.keras 2
/// fails the same way, so an unknown feature size is an error; false after reporting it.
bool add_gate_kernels(
    LayerCall& c, const Shape& step, Dim units, std::int64_t gates, std::string_view cell) {
  const Dim input_dim = dim_or_unknown(step, -1);
  const Shape kernel{input_dim, units * gates};
  if (c.building() && step.has_rank() && step.rank() > 0 && !input_dim.is_known()) {
    // A cell run by RNN/Bidirectional has its own name; a layer's own config names the layer.
    std::string cell_name = c.config().get_string("name", cell);
    if (cell_name == c.layer_name())
      cell_name = cell;
    c.error(rule::kInputAxis,
            fmt::format("Shapes used to initialize variables must be fully-defined (no `None` "
                        "dimensions). Received: shape={} for variable path='{}/{}/kernel'",
                        to_string(kernel),
                        c.layer_name(),
                        cell_name),
            "give the sequence a known feature size (its last axis)");
    return false;
  }
  c.add_weight("kernel", kernel);
  c.add_weight("recurrent_kernel", Shape{units, units * gates});
  return true;
}

CellShapes vector_cell(const Shape& step, Dim output, std::size_t state_count) {
  Dim batch = dim_or_unknown(step, 0);
  return CellShapes{Shape{batch, output}, Shapes(state_count, Shape{batch, output})};
}

// Mirrors keras/src/layers/rnn/simple_rnn.py SimpleRNNCell.build:
// params = units*(input_dim + units) + units.
std::optional<CellShapes> simple_rnn_cell(LayerCall& c, const Shape& step) {
  auto units = read_size_argument(c, "units");
  if (!units)
    return std::nullopt;
  if (!add_gate_kernels(c, step, *units, 1, "simple_rnn_cell"))
    return std::nullopt;
  if (c.config().get_bool("use_bias", true))
    c.add_weight("bias", Shape{*units});
  return vector_cell(step, *units, 1);
}

// Mirrors keras/src/layers/rnn/lstm.py LSTMCell.build:
// params = 4*(units*(input_dim + units) + units); states h and c.
std::optional<CellShapes> lstm_cell(LayerCall& c, const Shape& step) {
  auto units = read_size_argument(c, "units");
  if (!units)
    return std::nullopt;
  if (!add_gate_kernels(c, step, *units, 4, "lstm_cell"))
    return std::nullopt;
  if (c.config().get_bool("use_bias", true))
    c.add_weight("bias", Shape{*units * 4});
  return vector_cell(step, *units, 2);
}

// Mirrors keras/src/layers/rnn/gru.py GRUCell.build:
// params = 3*units*(input_dim + units) + (reset_after ? 6 : 3)*units.
std::optional<CellShapes> gru_cell(LayerCall& c, const Shape& step) {
  auto units = read_size_argument(c, "units");
  if (!units)
    return std::nullopt;
  if (!add_gate_kernels(c, step, *units, 3, "gru_cell"))
    return std::nullopt;
  // tf.keras 2 and Keras 3 default to reset_after=True (separate input and recurrent biases);
  // Keras <= 2.2 wrote reset_after=false explicitly, so a missing key means the new default.
  bool reset_after = c.config().get_bool("reset_after", true);
  if (c.config().get_bool("use_bias", true)) {
    c.add_weight("bias", reset_after ? Shape{Dim::of(2), *units * 3} : Shape{*units * 3});
  }
  return vector_cell(step, *units, 1);
}

// Mirrors tf.keras 1.x cudnn_recurrent.py CuDNNLSTM.build: cuDNN keeps separate input and
// recurrent biases, params = 4*units*(input_dim + units) + 8*units.
std::optional<CellShapes> cudnn_lstm_cell(LayerCall& c, const Shape& step) {
  auto units = read_size_argument(c, "units");
  if (!units)
    return std::nullopt;
  if (!add_gate_kernels(c, step, *units, 4, "cudnn_lstm"))
    return std::nullopt;
  c.add_weight("bias", Shape{*units * 8});
  return vector_cell(step, *units, 2);
}

// Mirrors tf.keras 1.x cudnn_recurrent.py CuDNNGRU.build:
// params = 3*units*(input_dim + units) + 6*units.
std::optional<CellShapes> cudnn_gru_cell(LayerCall& c, const Shape& step) {
  auto units = read_size_argument(c, "units");
  if (!units)
    return std::nullopt;
  if (!add_gate_kernels(c, step, *units, 3, "cudnn_gru"))
    return std::nullopt;
  c.add_weight("bias", Shape{*units * 6});
  return vector_cell(step, *units, 1);
}

// ---------------------------------------------------------------------------------------------
// ConvLSTM cells: keras/src/layers/rnn/conv_lstm.py ConvLSTMCell.

struct ConvWindow {
  std::vector<std::int64_t> kernel;
  std::vector<std::int64_t> strides;
  std::vector<std::int64_t> dilation;
  bool same_padding = false;
};

std::string py_tuple(const std::vector<std::int64_t>& v) {
  std::string out = "(";
  for (std::size_t i = 0; i < v.size(); ++i)
    out += (i ? ", " : "") + std::to_string(v[i]);
  return out + (v.size() == 1 ? ",)" : ")");
}

/// numpy's print of an int array, as Keras's conv message shows `dilation_rate`.
std::string numpy_array(const std::vector<std::int64_t>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i)
    out += (i ? " " : "") + std::to_string(v[i]);
  return out + "]";
}

std::optional<ConvWindow> read_conv_window(LayerCall& c, std::size_t rank) {
  const LayerConfig& cfg = c.config();
  if (!cfg.has("kernel_size")) {
    c.error(rule::kInvalidArgument,
            "missing 1 required positional argument: 'kernel_size'",
            "add `kernel_size` to the layer config");
    return std::nullopt;
  }
  ConvWindow w{cfg.get_int_tuple("kernel_size", rank, 1),
               cfg.get_int_tuple("strides", rank, 1),
               cfg.get_int_tuple("dilation_rate", rank, 1),
               false};
  std::string padding = cfg.get_string("padding", "valid");
  std::transform(padding.begin(), padding.end(), padding.begin(), [](unsigned char ch) {
    return static_cast<char>(std::tolower(ch));
  });
  if (padding != "valid" && padding != "same") {
    c.error(rule::kInvalidArgument,
            fmt::format("The `padding` argument must be one of \"valid\", \"same\". Received: {}",
                        padding),
            "use padding='valid' or padding='same'");
    return std::nullopt;
  }
  w.same_padding = padding == "same";
  auto below_one = [](const std::vector<std::int64_t>& v) {
    return std::any_of(v.begin(), v.end(), [](std::int64_t x) { return x < 1; });
  };
  if (below_one(w.kernel) || below_one(w.strides) || below_one(w.dilation)) {
    c.error(rule::kInvalidArgument,
            fmt::format("`kernel_size`, `strides` and `dilation_rate` must be positive. "
                        "Received: kernel_size={}, strides={}, dilation_rate={}",
                        py_tuple(w.kernel),
                        py_tuple(w.strides),
                        py_tuple(w.dilation)),
            "use sizes of at least 1");
    return std::nullopt;
  }
  auto above_one = [](const std::vector<std::int64_t>& v) {
    return std::any_of(v.begin(), v.end(), [](std::int64_t x) { return x > 1; });
  };
  if (above_one(w.strides) && above_one(w.dilation)) {
    c.error(rule::kInvalidArgument,
            fmt::format("Specifying `strides > 1` is not compatible with `dilation_rate > 1`. "
                        "Please provide `strides=1` or `dilation_rate=1`. Received: strides={} "
                        "and dilation_rate={}",
                        py_tuple(w.strides),
                        py_tuple(w.dilation)),
            "use strides=1 or dilation_rate=1");
    return std::nullopt;
  }
  return w;
}

/// One spatial size after the window: `floor((n - d*(k-1) - 1) / s) + 1` (valid) or
/// `floor((n - 1) / s) + 1` (same), as operation_utils.compute_conv_output_shape.
Dim conv_output_size(Dim n, std::int64_t k, std::int64_t s, std::int64_t d, bool same) {
  if (same)
    return floor_div(n - 1, s) + 1;
  return floor_div(n - Dim::of(d) * (k - 1) - 1, s) + 1;
}

/// ConvLSTMCell.build's checks of one step: Keras 3 builds its state variables from the
/// spatial sizes (tf.keras 2 convolves any size), and both need the channels.
bool check_conv_lstm_step(
    LayerCall& c, const Shape& step, std::size_t first_spatial, std::size_t rank, Dim channels) {
  for (std::size_t k = 0; c.keras3() && k < rank; ++k) {
    if (step.dims()[first_spatial + k].is_known())
      continue;
    c.error(rule::kInputAxis,
            fmt::format("ConvLSTM layers only support static input shapes for the spatial "
                        "dimension. Received invalid input shape: input_shape={}",
                        to_string(step)),
            "give the input fixed spatial sizes");
    return false;
  }
  if (channels.is_known())
    return true;
  c.error(rule::kInputAxis,
          fmt::format("The channel dimension of the inputs (last axis) should be defined. "
                      "Found None. Full input shape received: input_shape={}",
                      to_string(step)),
          "give the input a fixed number of channels");
  return false;
}

/// Kernel `(*kernel_size, channels, 4*filters)`, recurrent kernel `(*kernel_size, filters,
/// 4*filters)`, bias `(4*filters,)`.
void add_conv_lstm_weights(LayerCall& c, const ConvWindow& w, Dim channels, Dim filters) {
  DimVector window_dims;
  for (auto k : w.kernel)
    window_dims.push_back(Dim::of(k));
  Shape kernel(window_dims);
  kernel.dims().push_back(channels);
  kernel.dims().push_back(filters * 4);
  Shape recurrent(window_dims);
  recurrent.dims().push_back(filters);
  recurrent.dims().push_back(filters * 4);
  c.add_weight("kernel", kernel);
  c.add_weight("recurrent_kernel", recurrent);
  if (c.config().get_bool("use_bias", true))
    c.add_weight("bias", Shape{filters * 4});
}

/// The conv output of one step (the cell's output and both states); nullopt after reporting a
/// size below 1, in compute_conv_output_shape's words.
std::optional<Shape> conv_lstm_state(
    LayerCall& c, const Shape& step, const ConvWindow& w, std::size_t first_spatial, Dim filters) {
  const bool channels_first = first_spatial == 2;
  Shape out = step;
  out.at(channels_first ? 1 : -1) = filters;
  for (std::size_t k = 0; k < w.kernel.size(); ++k) {
    Dim& d = out.dims()[first_spatial + k];
    d = conv_output_size(d, w.kernel[k], w.strides[k], w.dilation[k], w.same_padding);
  }
  std::vector<std::int64_t> kernel_shape(w.kernel);
  kernel_shape.push_back(step.at(channels_first ? 1 : -1).value_or(-1));
  kernel_shape.push_back(filters.value_or(-1));
  if (!c.require_positive(out, [&] {
        return std::pair{
            fmt::format("Computed output size would be zero or negative. Received `inputs "
                        "shape={}`, `kernel shape={}`, `dilation_rate={}`, `strides={}`, "
                        "`padding={}`.",
                        to_string(step),
                        py_tuple(kernel_shape),
                        numpy_array(w.dilation),
                        py_tuple(w.strides),
                        w.same_padding ? "same" : "valid"),
            std::string("use padding='same', a smaller kernel_size, or a larger input")};
      })) {
    return std::nullopt;
  }
  return out;
}

// Mirrors keras/src/layers/rnn/conv_lstm.py ConvLSTMCell.build/compute_output_shape:
// params = 4*filters*(prod(kernel)*(channels + filters) + 1); state = conv output.
std::optional<CellShapes> conv_lstm_cell(LayerCall& c, const Shape& step, std::size_t rank) {
  auto filters = read_size_argument(c, "filters");
  if (!filters)
    return std::nullopt;
  auto window = read_conv_window(c, rank);
  if (!window)
    return std::nullopt;
  const bool channels_first = c.config().channels_first();
  const std::size_t first_spatial = channels_first ? 2 : 1;
  if (!step.has_rank() || step.rank() != rank + 2) {
    // Only an unknown-rank sequence gets here (the layer checks known ranks): the channels,
    // hence the params, stay unknown.
    add_conv_lstm_weights(c, *window, Dim::unknown(), *filters);
    Shape out = Shape::of_rank(rank + 2);
    out.at(channels_first ? 1 : -1) = *filters;
    return CellShapes{out, {out, out}};
  }
  const Dim channels = step.at(channels_first ? 1 : -1);
  if (!check_conv_lstm_step(c, step, first_spatial, rank, channels))
    return std::nullopt;
  add_conv_lstm_weights(c, *window, channels, *filters);
  auto state = conv_lstm_state(c, step, *window, first_spatial, *filters);
  if (!state)
    return std::nullopt;
  return CellShapes{*state, {*state, *state}};
}

template <std::size_t Rank>
std::optional<CellShapes> conv_lstm_cell_of_rank(LayerCall& c, const Shape& step) {
  return conv_lstm_cell(c, step, Rank);
}

// ---------------------------------------------------------------------------------------------
// The recurrent layer around a cell: keras/src/layers/rnn/rnn.py RNN.

/// Keras 3 builds state variables from the batch size; tf.keras 2 refuses the same way.
bool check_stateful_batch(LayerCall& c, const RecurrentFlags& f) {
  const Shape& seq = c.input(0);
  if (!f.stateful || !seq.has_rank() || seq.rank() < 2 || seq.at(batch_axis(f)).is_known()) {
    return true;
  }
  c.error(rule::kInputAxis,
          fmt::format("When using `stateful=True` in a RNN, the batch size must be static. "
                      "Found dynamic batch size: sequence.shape={}",
                      to_string(seq)),
          "give the Input a fixed batch size (batch_shape / batch_input_shape), or set "
          "stateful=False");
  return false;
}

/// tf.keras 2 runs `call()` while building the graph, and an unrolled loop needs a known
/// number of steps; Keras 3 only checks it when the model runs.
bool check_unroll(LayerCall& c, const RecurrentFlags& f) {
  const Shape& seq = c.input(0);
  if (c.keras3() || !f.unroll || !seq.has_rank() || seq.rank() < 2 ||
      seq.at(time_axis(f)).is_known()) {
    return true;
  }
  c.error(rule::kInvalidArgument,
          "Cannot unroll a RNN if the time dimension is undefined.",
          "give the input a fixed number of timesteps, or set unroll=False");
  return false;
}

std::string state_sizes_text(const Shapes& states) {
  auto one = [](const Shape& s) {
    if (s.has_rank() && s.rank() == 2)
      return to_string(s.dims()[1]);
    if (!s.has_rank())
      return std::string("None");
    return to_string(Shape(DimVector(s.dims().begin() + 1, s.dims().end())));
  };
  if (states.size() == 1)
    return one(states[0]);
  std::string out = "[";
  for (std::size_t i = 0; i < states.size(); ++i)
    out += (i ? ", " : "") + one(states[i]);
  return out + "]";
}

/// Whether a passed state fits the cell's state: same rank and no conflicting non-batch dim.
bool state_fits(const Shape& passed, const Shape& expected) {
  if (!passed.has_rank() || !expected.has_rank())
    return true;
  if (passed.rank() != expected.rank())
    return false;
  for (std::size_t k = 1; k < passed.rank(); ++k) {
    if (passed.dims()[k].conflicts_with(expected.dims()[k]))
      return false;
  }
  return true;
}

/// tf.keras 2 `RNN._validate_state_spec`: initial states must match the cell's states in number
/// and size. Keras 3 does not look at them until the model runs.
bool check_initial_states(LayerCall& c, const CellShapes& cell) {
  const Shapes passed = initial_states(c);
  if (c.keras3() || passed.empty())
    return true;
  bool fits = passed.size() == cell.states.size();
  for (std::size_t i = 0; fits && i < passed.size(); ++i)
    fits = state_fits(passed[i], cell.states[i]);
  if (fits)
    return true;
  std::string received = "[";
  for (std::size_t i = 0; i < passed.size(); ++i)
    received += (i ? ", " : "") + to_string(passed[i]);
  received += "]";
  c.error(passed.size() == cell.states.size() ? rule::kInputAxis : rule::kInputCount,
          fmt::format("An `initial_state` was passed that is not compatible with "
                      "`cell.state_size`. Received `state_spec`={}; however `cell.state_size` "
                      "is {}",
                      received,
                      state_sizes_text(cell.states)),
          fmt::format("pass {} initial state tensor(s) shaped like {}",
                      cell.states.size(),
                      to_string(cell.states)));
  return false;
}

/// `compute_output_shape`: the step output, with the time axis back when returning sequences,
/// then the states.
Shapes recurrent_outputs(const Shape& seq, const CellShapes& cell, const RecurrentFlags& f) {
  Shape y = cell.output;
  if (f.return_sequences && y.has_rank()) {
    Dim time = seq.has_rank() && seq.rank() >= 2 ? seq.at(time_axis(f)) : Dim::unknown();
    y.dims().insert(y.dims().begin() + (f.time_major ? 0 : 1), time);
  }
  return f.return_state ? with_leading(y, cell.states) : Shapes{y};
}

/// What a built RNN demands later. Keras 3 only fixes the rank (its symbolic call never
/// touches the kernel); tf.keras 2 pins every dim but batch and time (batch too if stateful).
InputSpec recurrent_input_spec(const LayerCall& c,
                               std::optional<std::size_t> ndim,
                               const RecurrentFlags& f) {
  InputSpec spec;
  spec.ndim = ndim;
  const Shape& seq = c.input(0);
  if (c.keras3() || !seq.has_rank())
    return spec;
  spec.ndim = seq.rank();
  for (std::size_t k = 0; k < seq.rank(); ++k) {
    bool pinned = k >= 2 || (k == batch_axis(f) && f.stateful);
    if (pinned && seq.dims()[k].is_known())
      spec.axes.emplace_back(static_cast<std::ptrdiff_t>(k), seq.dims()[k].value());
  }
  return spec;
}

void infer_recurrent(LayerCall& c, std::size_t ndim, CellBuilder build_cell) {
  const RecurrentFlags flags = read_flags(c.config());
  if (!c.require_rank(0, ndim))
    return;
  if (!check_stateful_batch(c, flags) || !check_unroll(c, flags))
    return;
  const Shape& seq = c.input(0);
  auto cell = build_cell(c, step_shape(seq, flags));
  if (!cell || !check_initial_states(c, *cell))
    return;
  c.outputs = recurrent_outputs(seq, *cell, flags);
  c.input_specs = {recurrent_input_spec(c, ndim, flags)};
}

// Mirrors keras/src/layers/rnn/simple_rnn.py SimpleRNN: (b, t, f) -> (b, units) or (b, t, units).
void infer_simple_rnn(LayerCall& c) {
  infer_recurrent(c, 3, simple_rnn_cell);
}

// Mirrors keras/src/layers/rnn/lstm.py LSTM: (b, t, f) -> (b, [t,] units) [, h, c].
void infer_lstm(LayerCall& c) {
  infer_recurrent(c, 3, lstm_cell);
}

// Mirrors keras/src/layers/rnn/gru.py GRU: (b, t, f) -> (b, [t,] units) [, h].
void infer_gru(LayerCall& c) {
  infer_recurrent(c, 3, gru_cell);
}

// Mirrors tf.keras 1.x cudnn_recurrent.py CuDNNLSTM: as LSTM, with doubled biases.
void infer_cudnn_lstm(LayerCall& c) {
  infer_recurrent(c, 3, cudnn_lstm_cell);
}

// Mirrors tf.keras 1.x cudnn_recurrent.py CuDNNGRU: as GRU(reset_after=False), doubled biases.
void infer_cudnn_gru(LayerCall& c) {
  infer_recurrent(c, 3, cudnn_gru_cell);
}

// Mirrors keras/src/layers/rnn/conv_lstm{1,2,3}d.py:
// (b, t, *spatial, c) -> (b, [t,] *conv_out(spatial), filters) [, h, c].
template <std::size_t Rank>
void infer_conv_lstm(LayerCall& c) {
  infer_recurrent(c, Rank + 3, conv_lstm_cell_of_rank<Rank>);
}

// ---------------------------------------------------------------------------------------------
// Cells as layers, StackedRNNCells and RNN(cell).

/// A cell called on its own: `[output, states...]`, as `cell.call` returns them.
void infer_cell(LayerCall& c, CellBuilder build_cell) {
  auto cell = build_cell(c, c.input(0));
  if (!cell)
    return;
  c.outputs = with_leading(cell->output, cell->states);
}

// Mirrors keras/src/layers/rnn/simple_rnn.py SimpleRNNCell: (b, f) -> (b, units), [h].
void infer_simple_rnn_cell(LayerCall& c) {
  infer_cell(c, simple_rnn_cell);
}

// Mirrors keras/src/layers/rnn/lstm.py LSTMCell: (b, f) -> (b, units), [h, c].
void infer_lstm_cell(LayerCall& c) {
  infer_cell(c, lstm_cell);
}

// Mirrors keras/src/layers/rnn/gru.py GRUCell: (b, f) -> (b, units), [h].
void infer_gru_cell(LayerCall& c) {
  infer_cell(c, gru_cell);
}

/// Runs a wrapped layer; on a class without a rule (already reported) the outputs stay unknown.
std::optional<LayerCall::SubResult> run_wrapped(LayerCall& c,
                                                JsonValue layer_object,
                                                std::string_view key,
                                                const Shapes& inputs) {
  auto sub = c.call_sublayer(layer_object, key, inputs);
  if (!sub) {
    c.outputs = {Shape::unknown_rank()};
    return std::nullopt;
  }
  if (sub->failed)
    return std::nullopt;
  if (sub->outputs.empty()) {
    // The wrapped layer's config was malformed (already reported): nothing more is known.
    c.outputs = {Shape::unknown_rank()};
    return std::nullopt;
  }
  return sub;
}

// Mirrors keras/src/layers/rnn/stacked_rnn_cells.py StackedRNNCells: each cell steps on the
// previous cell's output; output of the last cell, then every cell's states in order.
void infer_stacked_rnn_cells(LayerCall& c) {
  JsonValue cells = c.config().raw("cells");
  if (!cells || !cells->is_array() || cells->empty()) {
    c.error(rule::kInvalidArgument,
            "StackedRNNCells needs a non-empty list of cells in `cells`",
            "list the cells as {\"class_name\", \"config\"} objects");
    return;
  }
  Shape step = c.input(0);
  Shapes states;
  for (std::size_t i = 0; i < cells->size(); ++i) {
    auto sub = run_wrapped(c, (*cells)[i], fmt::format("cells[{}]", i), {step});
    if (!sub)
      return;
    append_prefixed(c.weights, sub->weights, fmt::format("cell_{}/", i));
    step = sub->outputs[0];
    states.insert(states.end(), sub->outputs.begin() + 1, sub->outputs.end());
  }
  c.outputs = with_leading(step, states);
}

// Mirrors keras/src/layers/rnn/rnn.py RNN(cell): the cell (a list means StackedRNNCells) steps
// on (b, *features); (b, t, *features) -> (b, [t,] *cell_output) [, states...].
void infer_rnn(LayerCall& c) {
  const RecurrentFlags flags = read_flags(c.config());
  if (!c.require_min_rank(0, 3))
    return;
  if (!check_stateful_batch(c, flags) || !check_unroll(c, flags))
    return;
  JsonValue cell = c.config().raw("cell");
  if (!cell || !(cell->is_object() || cell->is_array())) {
    c.error(rule::kInvalidArgument,
            "Argument `cell` should be an RNN cell or a list of cells",
            "give the RNN a `cell` as a {\"class_name\", \"config\"} object");
    return;
  }
  std::unique_ptr<JsonDocument> stacked;
  if (cell->is_array())
    stacked = JsonDocument::from_nlohmann(
        json{{"class_name", "StackedRNNCells"}, {"config", {{"cells", cell->to_nlohmann()}}}});
  const Shape& seq = c.input(0);
  auto sub = run_wrapped(c, stacked ? stacked->root() : cell, "cell", {step_shape(seq, flags)});
  if (!sub)
    return;
  c.weights = sub->weights;
  CellShapes shapes{sub->outputs[0], Shapes(sub->outputs.begin() + 1, sub->outputs.end())};
  if (!check_initial_states(c, shapes))
    return;
  c.outputs = recurrent_outputs(seq, shapes, flags);
  if (!c.keras3())
    c.input_specs = {recurrent_input_spec(c, std::nullopt, flags)};
}

// ---------------------------------------------------------------------------------------------
// Wrappers: Bidirectional and TimeDistributed.

enum class MergeMode { concat, sum, mul, ave, none };

/// `merge_mode`: absent means "concat", JSON null means None (two outputs).
std::optional<MergeMode> read_merge_mode(LayerCall& c) {
  if (c.config().object().find("merge_mode").is_null())
    return MergeMode::none;
  std::string mode = c.config().get_string("merge_mode", "concat");
  if (mode == "concat")
    return MergeMode::concat;
  if (mode == "sum")
    return MergeMode::sum;
  if (mode == "mul")
    return MergeMode::mul;
  if (mode == "ave")
    return MergeMode::ave;
  c.error(rule::kInvalidArgument,
          fmt::format("Invalid merge mode. Received: {}. Merge mode should be one of "
                      "{{\"sum\", \"mul\", \"ave\", \"concat\", None}}",
                      mode),
          "use merge_mode \"concat\", \"sum\", \"mul\", \"ave\" or null");
  return std::nullopt;
}

/// The wrapped layer object at `key`, or an error in Keras's words when it is not one.
JsonValue wrapped_layer(LayerCall& c, std::string_view key, std::string_view wrapper) {
  JsonValue layer = c.config().raw(key);
  if (layer && layer->is_object() && layer->contains("class_name"))
    return layer;
  c.error(rule::kInvalidArgument,
          fmt::format("Please initialize `{}` layer with a `keras.layers.Layer` instance. "
                      "Received: {}",
                      wrapper,
                      layer ? layer->dump() : "None"),
          fmt::format("give `{}` as a {{\"class_name\", \"config\"}} object", key));
  return {};
}

/// A read-only view of a wrapped layer's config (its values are reported by its own rule).
LayerConfig wrapped_config(const LayerCall& c, JsonValue layer, std::string_view key) {
  return LayerConfig(
      layer.find("config"), c.config().path_of(key) + ".config", nullptr, c.layer_name());
}

/// Bidirectional._verify_layer_config, for an explicit `backward_layer`.
bool check_directions(LayerCall& c, const LayerConfig& fwd, const LayerConfig& bwd) {
  bool fwd_back = fwd.get_bool("go_backwards", false);
  bool bwd_back = bwd.get_bool("go_backwards", false);
  if (fwd_back == bwd_back) {
    c.error(rule::kInvalidArgument,
            fmt::format("Forward layer and backward layer should have different `go_backwards` "
                        "value. Received: forward_layer.go_backwards {}, "
                        "backward_layer.go_backwards={}",
                        py_bool(fwd_back),
                        py_bool(bwd_back)),
            "set go_backwards=true on the backward layer only");
    return false;
  }
  for (std::string_view attr : {"stateful", "return_sequences", "return_state"}) {
    bool a = fwd.get_bool(attr, false);
    bool b = bwd.get_bool(attr, false);
    if (a == b)
      continue;
    c.error(rule::kInvalidArgument,
            fmt::format("Forward layer and backward layer are expected to have the same value "
                        "for attribute \"{}\", got \"{}\" for forward layer and \"{}\" for "
                        "backward layer",
                        attr,
                        py_bool(a),
                        py_bool(b)),
            fmt::format("give both layers the same `{}`", attr));
    return false;
  }
  return true;
}

/// Keras 3 copies the layer with go_backwards=True, so a forward layer that already goes
/// backwards collides with its copy; tf.keras 2 flipped the flag instead.
bool check_default_backward(LayerCall& c, const LayerConfig& fwd) {
  if (!c.keras3() || !fwd.get_bool("go_backwards", false))
    return true;
  c.error(rule::kInvalidArgument,
          "Forward layer and backward layer should have different `go_backwards` value. "
          "Received: forward_layer.go_backwards True, backward_layer.go_backwards=True",
          "remove go_backwards from the wrapped layer; Bidirectional adds the backward pass");
  return false;
}

/// Splits the initial states half and half; tf.keras 2 insists on an even number.
bool split_bidirectional_states(LayerCall& c, Shapes& forward, Shapes& backward) {
  const Shapes states = initial_states(c);
  if (!c.keras3() && states.size() % 2 != 0) {
    c.error(rule::kInputCount,
            fmt::format("When passing `initial_state` to a Bidirectional RNN, the state should "
                        "be a list containing the states of the underlying RNNs. Found: {}",
                        to_string(states)),
            "pass the forward states followed by the backward states");
    return false;
  }
  const std::size_t half = states.size() / 2;
  forward.assign(states.begin(), states.begin() + static_cast<std::ptrdiff_t>(half));
  backward.assign(states.begin() + static_cast<std::ptrdiff_t>(half), states.end());
  return true;
}

/// concat joins the last axes; sum, mul and ave keep the forward shape.
Shape merge_directions(Shape y, const Shape& y_rev, MergeMode mode) {
  if (mode != MergeMode::concat || !y.has_rank() || y.rank() == 0)
    return y;
  y.at(-1) = y.at(-1) + dim_or_unknown(y_rev, -1);
  return y;
}

/// Both directions of a Bidirectional, as run by its rule.
struct Directions {
  LayerCall::SubResult forward;
  LayerCall::SubResult backward;
};

/// Runs the forward layer and the backward one (an explicit `backward_layer`, else a copy of
/// the forward layer, which has the same weights: it is run again only to check its own
/// initial states in tf.keras 2). nullopt after an error.
std::optional<Directions> run_directions(LayerCall& c, JsonValue layer, JsonValue backward_layer) {
  Shapes fwd_states, bwd_states;
  if (!split_bidirectional_states(c, fwd_states, bwd_states))
    return std::nullopt;
  auto fwd = run_wrapped(c, layer, "layer", with_leading(c.input(0), fwd_states));
  if (!fwd)
    return std::nullopt;
  std::optional<LayerCall::SubResult> bwd = fwd;
  if (backward_layer) {
    bwd = run_wrapped(c, *backward_layer, "backward_layer", with_leading(c.input(0), bwd_states));
  } else if (!bwd_states.empty() && !c.keras3()) {
    bwd = run_wrapped(c, layer, "layer", with_leading(c.input(0), bwd_states));
  }
  if (!bwd)
    return std::nullopt;
  return Directions{std::move(*fwd), std::move(*bwd)};
}

/// The merged output(s), then the forward states, then the backward states. Keras 3 computes
/// every shape from the forward layer alone; tf.keras 2 ran both.
Shapes bidirectional_outputs(const Directions& d, MergeMode mode, bool keras3) {
  const Shapes& fwd = d.forward.outputs;
  const Shapes& bwd = keras3 ? d.forward.outputs : d.backward.outputs;
  Shape y = merge_directions(fwd[0], bwd[0], mode);
  Shapes out = mode == MergeMode::none ? Shapes{y, bwd[0]} : Shapes{y};
  out.insert(out.end(), fwd.begin() + 1, fwd.end());
  out.insert(out.end(), bwd.begin() + 1, bwd.end());
  return out;
}

// Mirrors keras/src/layers/rnn/bidirectional.py Bidirectional.compute_output_shape:
// concat doubles the last axis, sum/mul/ave keep it, None gives both; then the forward
// states and the backward states. Params = forward + backward layer.
void infer_bidirectional(LayerCall& c) {
  auto mode = read_merge_mode(c);
  if (!mode)
    return;
  JsonValue layer = wrapped_layer(c, "layer", "Bidirectional");
  if (!layer)
    return;
  JsonValue backward_layer;
  if (c.config().has("backward_layer")) {
    backward_layer = wrapped_layer(c, "backward_layer", "Bidirectional");
    if (!backward_layer)
      return;
  }
  const LayerConfig fwd_cfg = wrapped_config(c, *layer, "layer");
  bool consistent =
      backward_layer
          ? check_directions(c, fwd_cfg, wrapped_config(c, *backward_layer, "backward_layer"))
          : check_default_backward(c, fwd_cfg);
  if (!consistent)
    return;
  auto directions = run_directions(c, *layer, backward_layer);
  if (!directions)
    return;
  append_prefixed(c.weights, directions->forward.weights, "forward/");
  append_prefixed(c.weights, directions->backward.weights, "backward/");
  c.outputs = bidirectional_outputs(*directions, *mode, c.keras3());
}

/// tf.keras 2 pins the whole input shape but the batch at build; Keras 3 pins nothing.
InputSpec time_distributed_spec(const Shape& in) {
  InputSpec spec;
  spec.ndim = in.rank();
  for (std::size_t k = 1; k < in.rank(); ++k) {
    if (in.dims()[k].is_known())
      spec.axes.emplace_back(static_cast<std::ptrdiff_t>(k), in.dims()[k].value());
  }
  return spec;
}

// Mirrors keras/src/layers/rnn/time_distributed.py TimeDistributed.compute_output_shape:
// the layer sees (b, *rest) of (b, t, *rest); output (inner_b, t, *inner_rest).
void infer_time_distributed(LayerCall& c) {
  const Shape& in = c.input(0);
  if (in.has_rank() && in.rank() < 3) {
    c.error(rule::kInputRank,
            fmt::format("`TimeDistributed` Layer should be passed an `input_shape` with at "
                        "least 3 dimensions, received: {}",
                        to_string(in)),
            "TimeDistributed needs (batch, time, ...) inputs; apply the layer directly instead");
    return;
  }
  JsonValue layer = wrapped_layer(c, "layer", "TimeDistributed");
  if (!layer)
    return;
  Shape child = Shape::unknown_rank();
  if (in.has_rank()) {
    DimVector dims{in.dims()[0]};
    dims.insert(dims.end(), in.dims().begin() + 2, in.dims().end());
    child = Shape(std::move(dims));
  }
  auto sub = run_wrapped(c, *layer, "layer", {child});
  if (!sub)
    return;
  if (sub->outputs.size() != 1) {
    c.error(rule::kInvalidArgument,
            fmt::format("`TimeDistributed` can only wrap a layer with one output; the wrapped "
                        "layer returns {} tensors",
                        sub->outputs.size()),
            "wrap a layer with a single output (e.g. an RNN without return_state)");
    return;
  }
  c.weights = sub->weights;
  Shape y = sub->outputs[0];
  if (y.has_rank() && y.rank() >= 1) {
    y.dims().insert(y.dims().begin() + 1, in.has_rank() ? in.dims()[1] : Dim::unknown());
  } else {
    y = Shape::unknown_rank();
  }
  c.outputs = {y};
  if (!c.keras3() && in.has_rank())
    c.input_specs = {time_distributed_spec(in)};
}

constexpr std::size_t kAnyCount = std::numeric_limits<std::size_t>::max();

constexpr LayerRule kRules[] = {
    {"__placeholder_rnn__", nullptr},
    {"SimpleRNN", infer_simple_rnn, 1, kMaxRecurrentInputs},
    {"LSTM", infer_lstm, 1, kMaxRecurrentInputs},
    {"GRU", infer_gru, 1, kMaxRecurrentInputs},
    {"CuDNNLSTM", infer_cudnn_lstm, 1, kMaxRecurrentInputs},
    {"CuDNNGRU", infer_cudnn_gru, 1, kMaxRecurrentInputs},
    {"ConvLSTM1D", infer_conv_lstm<1>, 1, kMaxRecurrentInputs},
    {"ConvLSTM2D", infer_conv_lstm<2>, 1, kMaxRecurrentInputs},
    {"ConvLSTM3D", infer_conv_lstm<3>, 1, kMaxRecurrentInputs},
    {"RNN", infer_rnn, 1, kMaxRecurrentInputs},
    {"SimpleRNNCell", infer_simple_rnn_cell, 1, kAnyCount},
    {"LSTMCell", infer_lstm_cell, 1, kAnyCount},
    {"GRUCell", infer_gru_cell, 1, kAnyCount},
    {"StackedRNNCells", infer_stacked_rnn_cells, 1, kAnyCount},
    {"Bidirectional", infer_bidirectional, 1, kMaxRecurrentInputs},
    {"TimeDistributed", infer_time_distributed, 1, 1},
};

}  // namespace

std::span<const LayerRule> rnn_rules() {
  return std::span<const LayerRule>(kRules).subspan(1);
}

}  // namespace shapelint
