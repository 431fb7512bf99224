// Tests of the rnn family (SimpleRNN, LSTM, GRU, CuDNNLSTM/GRU, ConvLSTM1D/2D/3D, RNN with
// cells, StackedRNNCells, Bidirectional, TimeDistributed). Expected shapes, params and messages
// come from the Keras 3 oracle (Keras 3.16) and the tfjs oracle (tf.keras 2 semantics), run on
// one-layer functional models; CuDNN and time_major rows (no oracle has them) from the weight
// shapes in tf.keras's cudnn_recurrent.py and recurrent.py.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"
#include "support/rule_harness.hpp"

namespace {

using shapelint::KwargTensors;
using shapelint::Semantics;
using shapelint::Shapes;
namespace rule = shapelint::rule;

constexpr std::int64_t kUnknownParams = -1;
constexpr std::int64_t kUnchecked = -2;

struct Row {
  std::string name;
  std::string cls;
  std::string config;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;  ///< expected shapes; empty when an error is expected
  std::int64_t params = kUnchecked;  ///< kUnknownParams: not computable
  std::string_view error = {};       ///< expected rule id of the error
  std::string message = {};          ///< expected message (exact), when given
  Semantics semantics = Semantics::keras3;
  std::vector<std::string> initial_state = {};  ///< passed as the `initial_state` keyword
};

Shapes parse_all(const std::vector<std::string>& texts) {
  Shapes out;
  for (const auto& t : texts)
    out.push_back(shapelint::test::shape(t));
  return out;
}

void check(const Row& row) {
  std::vector<KwargTensors> kwargs;
  if (!row.initial_state.empty())
    kwargs.push_back(KwargTensors{"initial_state", parse_all(row.initial_state)});
  auto run =
      shapelint::test::run_rule(row.cls, row.config, parse_all(row.inputs), row.semantics, kwargs);
  INFO(run.describe());
  REQUIRE(run.found);
  if (row.error.empty()) {
    CHECK_FALSE(run.failed);
    CHECK(run.outputs == parse_all(row.outputs));
  } else {
    CHECK(run.failed);
    CHECK(run.has(row.error));
    if (!row.message.empty()) {
      REQUIRE_FALSE(run.diagnostics.empty());
      CHECK(run.diagnostics.front().message == row.message);
    }
  }
  if (row.params == kUnknownParams)
    CHECK_FALSE(run.params.has_value());
  if (row.params >= 0) {
    CHECK(run.params == std::optional<std::int64_t>(row.params));
    CHECK(run.trainable == std::optional<std::int64_t>(row.params));
  }
}

void check_all(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
  }
}

const std::vector<Row> kRecurrentRows = {
    {"LSTM returns the last output",
     "LSTM",
     R"({"units": 4})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     128},
    {"LSTM returns sequences and both states",
     "LSTM",
     R"({"units": 4, "return_sequences": true, "return_state": true})",
     {"(None, 7, 3)"},
     {"(None, 7, 4)", "(None, 4)", "(None, 4)"},
     128},
    {"LSTM without bias has no bias weight",
     "LSTM",
     R"({"units": 4, "use_bias": false})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     112},
    {"LSTM keeps a known batch size",
     "LSTM",
     R"({"units": 4})",
     {"(32, None, 3)"},
     {"(32, 4)"},
     128},
    {"GRU has two biases by default (reset_after=True)",
     "GRU",
     R"({"units": 4})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     108},
    {"GRU without reset_after has one bias",
     "GRU",
     R"({"units": 4, "reset_after": false})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     96},
    {"GRU of a tf.keras 2 file without reset_after follows the tf.keras 2 default",
     "GRU",
     R"({"units": 4})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     108,
     {},
     {},
     Semantics::keras2},
    {"GRU returns one state",
     "GRU",
     R"({"units": 4, "return_state": true, "use_bias": false})",
     {"(None, 7, 3)"},
     {"(None, 4)", "(None, 4)"},
     84},
    {"SimpleRNN returns the last output",
     "SimpleRNN",
     R"({"units": 4})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     32},
    {"SimpleRNN returns sequences of unknown length",
     "SimpleRNN",
     R"({"units": 4, "return_sequences": true})",
     {"(2, None, 3)"},
     {"(2, None, 4)"},
     32},
    {"SimpleRNN without bias returns its state",
     "SimpleRNN",
     R"({"units": 4, "use_bias": false, "return_state": true})",
     {"(None, None, 3)"},
     {"(None, 4)", "(None, 4)"},
     28},
    {"CuDNNLSTM has doubled biases",
     "CuDNNLSTM",
     R"({"units": 4})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     144,
     {},
     {},
     Semantics::keras2},
    {"CuDNNLSTM returns sequences and both states",
     "CuDNNLSTM",
     R"({"units": 4, "return_sequences": true, "return_state": true})",
     {"(None, 7, 3)"},
     {"(None, 7, 4)", "(None, 4)", "(None, 4)"},
     144,
     {},
     {},
     Semantics::keras2},
    {"CuDNNGRU has doubled biases",
     "CuDNNGRU",
     R"({"units": 4})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     108,
     {},
     {},
     Semantics::keras2},
    {"A time-major tf.keras 2 LSTM keeps time first",
     "LSTM",
     R"({"units": 4, "time_major": true, "return_sequences": true, "return_state": true})",
     {"(7, None, 3)"},
     {"(7, None, 4)", "(None, 4)", "(None, 4)"},
     128,
     {},
     {},
     Semantics::keras2},
    {"An unknown feature size cannot build the kernel",
     "LSTM",
     R"({"units": 4})",
     {"(None, 7, None)"},
     {},
     kUnchecked,
     rule::kInputAxis,
     "Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
     "Received: shape=(None, 16) for variable path='layer/lstm_cell/kernel'"},
    {"A cell run by RNN is named by its own config when it cannot build",
     "RNN",
     R"({"cell": {"class_name": "GRUCell", "config": {"name": "c", "units": 4}}})",
     {"(None, 7, None)"},
     {},
     kUnchecked,
     rule::kInputAxis,
     "Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
     "Received: shape=(None, 12) for variable path='layer/c/kernel'"},
    {"An input of unknown rank still gives the output width",
     "LSTM",
     R"({"units": 4, "return_sequences": true})",
     {"?"},
     {"(None, None, 4)"},
     kUnknownParams},
    {"A stateful LSTM with a fixed batch size builds",
     "LSTM",
     R"({"units": 4, "stateful": true})",
     {"(2, 7, 3)"},
     {"(2, 4)"},
     128},
    {"Keras 3 unrolls a loop of unknown length when the model runs",
     "LSTM",
     R"({"units": 4, "unroll": true})",
     {"(None, None, 3)"},
     {"(None, 4)"},
     128},
    {"LSTM refuses a rank-2 input",
     "LSTM",
     R"({"units": 4})",
     {"(None, 3)"},
     {},
     kUnchecked,
     rule::kInputRank,
     "Input 0 of layer \"layer\" is incompatible with the layer: expected ndim=3, found ndim=2. "
     "Full shape received: (None, 3)"},
    {"GRU refuses a rank-4 input",
     "GRU",
     R"({"units": 4})",
     {"(None, 7, 3, 2)"},
     {},
     kUnchecked,
     rule::kInputRank},
    {"LSTM refuses zero units",
     "LSTM",
     R"({"units": 0})",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument,
     "Received an invalid value for argument `units`, expected a positive integer, got 0."},
    {"SimpleRNN without units is refused",
     "SimpleRNN",
     "{}",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument},
    {"A stateful LSTM needs a fixed batch size",
     "LSTM",
     R"({"units": 4, "stateful": true})",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInputAxis,
     "When using `stateful=True` in a RNN, the batch size must be static. Found dynamic batch "
     "size: sequence.shape=(None, 7, 3)"},
    {"tf.keras 2 cannot unroll a loop of unknown length",
     "LSTM",
     R"({"units": 4, "unroll": true})",
     {"(None, None, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument,
     {},
     Semantics::keras2},
};

const std::vector<Row> kInitialStateRows = {
    {"tf.keras 2 initial states as extra inputs",
     "LSTM",
     R"({"units": 4})",
     {"(None, 7, 3)", "(None, 4)", "(None, 4)"},
     {"(None, 4)"},
     128,
     {},
     {},
     Semantics::keras2},
    {"Initial states passed by keyword",
     "GRU",
     R"({"units": 4})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     108,
     {},
     {},
     Semantics::keras2,
     {"(None, 4)"}},
    {"Keras 3 does not check initial states when building",
     "LSTM",
     R"({"units": 4})",
     {"(None, 7, 3)", "(None, 5)", "(None, 4)"},
     {"(None, 4)"},
     128},
    {"tf.keras 2 refuses an initial state of the wrong size",
     "LSTM",
     R"({"units": 4})",
     {"(None, 7, 3)", "(None, 5)", "(None, 4)"},
     {},
     kUnchecked,
     rule::kInputAxis,
     "An `initial_state` was passed that is not compatible with `cell.state_size`. Received "
     "`state_spec`=[(None, 5), (None, 4)]; however `cell.state_size` is [4, 4]",
     Semantics::keras2},
    {"tf.keras 2 refuses too few initial states",
     "LSTM",
     R"({"units": 4})",
     {"(None, 7, 3)", "(None, 4)"},
     {},
     kUnchecked,
     rule::kInputCount,
     {},
     Semantics::keras2},
    {"tf.keras 2 refuses an initial state of the wrong rank",
     "GRU",
     R"({"units": 4})",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInputAxis,
     {},
     Semantics::keras2,
     {"(None, 4, 2)"}},
};

const std::vector<Row> kConvLstmRows = {
    {"ConvLSTM2D with valid padding shrinks the frames",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3})",
     {"(None, 5, 10, 10, 2)"},
     {"(None, 8, 8, 4)"},
     880},
    {"ConvLSTM2D with same padding returns sequences and states",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3, "padding": "same", "return_sequences": true, "return_state": true})",
     {"(None, 5, 10, 10, 2)"},
     {"(None, 5, 10, 10, 4)", "(None, 10, 10, 4)", "(None, 10, 10, 4)"},
     880},
    {"ConvLSTM2D channels_first with strides",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3, "strides": 2, "data_format": "channels_first"})",
     {"(None, 5, 2, 11, 10)"},
     {"(None, 4, 5, 4)"},
     880},
    {"ConvLSTM1D with dilation",
     "ConvLSTM1D",
     R"({"filters": 4, "kernel_size": 3, "dilation_rate": 2})",
     {"(None, 5, 10, 2)"},
     {"(None, 6, 4)"},
     304},
    {"ConvLSTM3D on volumes",
     "ConvLSTM3D",
     R"({"filters": 4, "kernel_size": 3})",
     {"(None, 5, 6, 6, 6, 2)"},
     {"(None, 4, 4, 4, 4)"},
     2608},
    {"tf.keras 2 ConvLSTM2D accepts unknown spatial sizes",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3})",
     {"(None, 5, None, 10, 2)"},
     {"(None, None, 8, 4)"},
     880,
     {},
     {},
     Semantics::keras2},
    {"ConvLSTM2D of unknown rank knows only the filters",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3})",
     {"?"},
     {"(None, None, None, 4)"},
     kUnknownParams},
    {"Keras 3 ConvLSTM2D refuses unknown spatial sizes",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3})",
     {"(None, 5, None, 10, 2)"},
     {},
     kUnchecked,
     rule::kInputAxis,
     "ConvLSTM layers only support static input shapes for the spatial dimension. Received "
     "invalid input shape: input_shape=(None, None, 10, 2)"},
    {"ConvLSTM2D refuses unknown channels",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3})",
     {"(None, 5, 10, 10, None)"},
     {},
     kUnchecked,
     rule::kInputAxis,
     "The channel dimension of the inputs (last axis) should be defined. Found None. Full input "
     "shape received: input_shape=(None, 10, 10, None)"},
    {"ConvLSTM2D refuses frames smaller than the kernel",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3})",
     {"(None, 5, 2, 2, 2)"},
     {},
     kUnchecked,
     rule::kNonPositiveDim,
     "Computed output size would be zero or negative. Received `inputs shape=(None, 2, 2, 2)`, "
     "`kernel shape=(3, 3, 2, 4)`, `dilation_rate=[1 1]`, `strides=(1, 1)`, `padding=valid`."},
    {"ConvLSTM2D refuses a rank-4 input",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3})",
     {"(None, 5, 10, 10)"},
     {},
     kUnchecked,
     rule::kInputRank},
    {"ConvLSTM2D refuses strides and dilation together",
     "ConvLSTM2D",
     R"({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2})",
     {"(None, 5, 10, 10, 2)"},
     {},
     kUnchecked,
     rule::kInvalidArgument},
};

const std::vector<Row> kCellRows = {
    {"RNN runs an LSTMCell",
     "RNN",
     R"({"cell": {"class_name": "LSTMCell", "config": {"units": 4}}})",
     {"(None, 7, 3)"},
     {"(None, 4)"},
     128},
    {"RNN with a GRUCell returns sequences",
     "RNN",
     R"({"cell": {"class_name": "GRUCell", "config": {"units": 4}}, "return_sequences": true})",
     {"(None, 7, 3)"},
     {"(None, 7, 4)"},
     108},
    {"RNN of StackedRNNCells returns every cell's states in order",
     "RNN",
     R"({"return_state": true, "cell": {"class_name": "StackedRNNCells", "config": {"cells": [
         {"class_name": "LSTMCell", "config": {"units": 4}},
         {"class_name": "GRUCell", "config": {"units": 5}}]}}})",
     {"(None, 7, 3)"},
     {"(None, 5)", "(None, 4)", "(None, 4)", "(None, 5)"},
     293},
    {"RNN with a list of cells stacks them",
     "RNN",
     R"({"return_state": true, "return_sequences": true, "cell": [
         {"class_name": "SimpleRNNCell", "config": {"units": 4}},
         {"class_name": "GRUCell", "config": {"units": 5, "reset_after": false}}]})",
     {"(None, 7, 3)"},
     {"(None, 7, 5)", "(None, 4)", "(None, 5)"},
     182},
    {"Keras 3 RNN steps on the trailing axes of a rank-4 input",
     "RNN",
     R"({"cell": {"class_name": "LSTMCell", "config": {"units": 4}}})",
     {"(None, 7, 3, 2)"},
     {"(None, 4)"},
     112},
    {"RNN refuses a rank-2 input",
     "RNN",
     R"({"cell": {"class_name": "LSTMCell", "config": {"units": 4}}})",
     {"(None, 7)"},
     {},
     kUnchecked,
     rule::kInputRank},
    {"RNN without a cell is refused",
     "RNN",
     "{}",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument},
    {"RNN reports a bad cell argument as its own error",
     "RNN",
     R"({"cell": {"class_name": "LSTMCell", "config": {"units": -1}}})",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument},
    {"An LSTMCell called alone returns its output and states",
     "LSTMCell",
     R"({"units": 4})",
     {"(None, 3)"},
     {"(None, 4)", "(None, 4)", "(None, 4)"},
     128},
    {"A SimpleRNNCell called alone returns its output and state",
     "SimpleRNNCell",
     R"({"units": 4})",
     {"(None, 3)"},
     {"(None, 4)", "(None, 4)"},
     32},
};

constexpr std::string_view kGru4 = R"("layer": {"class_name": "GRU", "config": {"units": 4}})";

std::string bidirectional(std::string_view layer, std::string_view extra = {}) {
  std::string out = "{" + std::string(layer);
  if (!extra.empty())
    out += ", " + std::string(extra);
  return out + "}";
}

const std::vector<Row> kBidirectionalRows = {
    {"Bidirectional concatenates both directions",
     "Bidirectional",
     bidirectional(kGru4),
     {"(None, 7, 3)"},
     {"(None, 8)"},
     216},
    {"Bidirectional without merge mode returns both directions",
     "Bidirectional",
     bidirectional(kGru4, R"("merge_mode": null)"),
     {"(None, 7, 3)"},
     {"(None, 4)", "(None, 4)"},
     216},
    {"Bidirectional summing keeps the width",
     "Bidirectional",
     bidirectional(kGru4, R"("merge_mode": "sum")"),
     {"(None, 7, 3)"},
     {"(None, 4)"},
     216},
    {"Bidirectional averaging sequences keeps the width",
     "Bidirectional",
     R"({"merge_mode": "ave", "layer": {"class_name": "SimpleRNN", "config": {"units": 4, "return_sequences": true}}})",
     {"(None, None, 3)"},
     {"(None, None, 4)"},
     64},
    {"Bidirectional returns forward then backward states",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4, "return_state": true, "return_sequences": true}}})",
     {"(None, 7, 3)"},
     {"(None, 7, 8)", "(None, 4)", "(None, 4)", "(None, 4)", "(None, 4)"},
     256},
    {"Bidirectional without merge mode returns both outputs, then the states",
     "Bidirectional",
     R"({"merge_mode": null, "layer": {"class_name": "LSTM", "config": {"units": 4, "return_state": true}}})",
     {"(None, 7, 3)"},
     {"(None, 4)", "(None, 4)", "(None, 4)", "(None, 4)", "(None, 4)", "(None, 4)"},
     256},
    {"Bidirectional multiplying a GRU with states",
     "Bidirectional",
     R"({"merge_mode": "mul", "layer": {"class_name": "GRU", "config": {"units": 4, "return_state": true}}})",
     {"(None, 7, 3)"},
     {"(None, 4)", "(None, 4)", "(None, 4)"},
     216},
    {"Keras 3 Bidirectional sizes the output from the forward layer alone",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}},
         "backward_layer": {"class_name": "GRU", "config": {"units": 6, "go_backwards": true}}})",
     {"(None, 7, 3)"},
     {"(None, 8)"},
     326},
    {"tf.keras 2 Bidirectional concatenates the real backward width",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}},
         "backward_layer": {"class_name": "GRU", "config": {"units": 6, "go_backwards": true}}})",
     {"(None, 7, 3)"},
     {"(None, 10)"},
     326,
     {},
     {},
     Semantics::keras2},
    {"Bidirectional splits four initial states between the directions",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(None, 7, 3)", "(None, 4)", "(None, 4)", "(None, 4)", "(None, 4)"},
     {"(None, 8)"},
     256,
     {},
     {},
     Semantics::keras2},
    {"tf.keras 2 Bidirectional of a backwards layer flips it",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4, "go_backwards": true}}})",
     {"(None, 7, 3)"},
     {"(None, 8)"},
     256,
     {},
     {},
     Semantics::keras2},
    {"Keras 3 Bidirectional accepts an odd number of initial states",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(None, 7, 3)", "(None, 4)", "(None, 4)", "(None, 5)"},
     {"(None, 8)"},
     256},
    {"tf.keras 2 Bidirectional refuses an odd number of initial states",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(None, 7, 3)", "(None, 4)", "(None, 4)", "(None, 4)"},
     {},
     kUnchecked,
     rule::kInputCount,
     {},
     Semantics::keras2},
    {"tf.keras 2 Bidirectional checks the backward states",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(None, 7, 3)", "(None, 4)", "(None, 4)", "(None, 4)", "(None, 5)"},
     {},
     kUnchecked,
     rule::kInputAxis,
     {},
     Semantics::keras2},
    {"Bidirectional refuses an unknown merge mode",
     "Bidirectional",
     bidirectional(kGru4, R"("merge_mode": "foo")"),
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument,
     "Invalid merge mode. Received: foo. Merge mode should be one of {\"sum\", \"mul\", \"ave\", "
     "\"concat\", None}"},
    {"Bidirectional passes the rank check of the wrapped layer",
     "Bidirectional",
     bidirectional(kGru4),
     {"(None, 3)"},
     {},
     kUnchecked,
     rule::kInputRank},
    {"Keras 3 Bidirectional refuses a wrapped layer that already goes backwards",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4, "go_backwards": true}}})",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument,
     "Forward layer and backward layer should have different `go_backwards` value. Received: "
     "forward_layer.go_backwards True, backward_layer.go_backwards=True"},
    {"Bidirectional refuses a backward layer that goes forwards",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}},
         "backward_layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument,
     "Forward layer and backward layer should have different `go_backwards` value. Received: "
     "forward_layer.go_backwards False, backward_layer.go_backwards=False"},
    {"Bidirectional refuses directions that disagree on return_sequences",
     "Bidirectional",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}},
         "backward_layer": {"class_name": "LSTM", "config": {"units": 4, "go_backwards": true, "return_sequences": true}}})",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument,
     "Forward layer and backward layer are expected to have the same value for attribute "
     "\"return_sequences\", got \"False\" for forward layer and \"True\" for backward layer"},
    {"Bidirectional without a layer is refused",
     "Bidirectional",
     "{}",
     {"(None, 7, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument},
    {"Bidirectional of unknown rank still knows the width",
     "Bidirectional",
     bidirectional(kGru4),
     {"?"},
     {"(None, 8)"},
     kUnknownParams},
};

const std::vector<Row> kTimeDistributedRows = {
    {"TimeDistributed runs an LSTM over an extra time axis",
     "TimeDistributed",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(None, 6, 5, 3)"},
     {"(None, 6, 4)"},
     128},
    {"TimeDistributed keeps the inner sequence axis",
     "TimeDistributed",
     R"({"layer": {"class_name": "GRU", "config": {"units": 4, "return_sequences": true}}})",
     {"(None, 6, 5, 3)"},
     {"(None, 6, 5, 4)"},
     108},
    {"TimeDistributed keeps an unknown time axis",
     "TimeDistributed",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(3, None, 5, 3)"},
     {"(3, None, 4)"},
     128},
    {"TimeDistributed of unknown rank still knows the inner width",
     "TimeDistributed",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"?"},
     {"(None, None, 4)"},
     kUnknownParams},
    {"TimeDistributed refuses a rank-2 input",
     "TimeDistributed",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(None, 7)"},
     {},
     kUnchecked,
     rule::kInputRank,
     "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
     "received: (None, 7)"},
    {"TimeDistributed refuses a layer with several outputs",
     "TimeDistributed",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4, "return_state": true}}})",
     {"(None, 6, 5, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument},
    {"TimeDistributed reports the wrapped layer's errors",
     "TimeDistributed",
     R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
     {"(None, 6, 3)"},
     {},
     kUnchecked,
     rule::kInputRank},
    {"TimeDistributed without a layer is refused",
     "TimeDistributed",
     "{}",
     {"(None, 6, 5, 3)"},
     {},
     kUnchecked,
     rule::kInvalidArgument},
};

/// Rows that wrap layers of other families: run only once those rules exist.
const std::vector<Row> kTimeDistributedCrossFamilyRows = {
    {"TimeDistributed applies a Dense to every step",
     "TimeDistributed",
     R"({"layer": {"class_name": "Dense", "config": {"units": 4}}})",
     {"(None, 7, 3)"},
     {"(None, 7, 4)"},
     16},
    {"TimeDistributed applies a Dense over two inner axes",
     "TimeDistributed",
     R"({"layer": {"class_name": "Dense", "config": {"units": 4}}})",
     {"(3, 7, 5, 3)"},
     {"(3, 7, 5, 4)"},
     16},
    {"TimeDistributed applies a Conv2D to every frame",
     "TimeDistributed",
     R"({"layer": {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": 3}}})",
     {"(None, None, 8, 8, 3)"},
     {"(None, None, 6, 6, 4)"},
     112},
    {"TimeDistributed flattens every step",
     "TimeDistributed",
     R"({"layer": {"class_name": "Flatten", "config": {}}})",
     {"(None, 7, 5, 3)"},
     {"(None, 7, 15)"},
     0},
};

/// Runs a rule directly, to see the input specs it leaves for later calls.
std::vector<shapelint::InputSpec> input_specs_of(std::string_view cls,
                                                 std::string_view config,
                                                 const Shapes& inputs,
                                                 Semantics semantics) {
  const auto* rule = shapelint::RuleRegistry::builtin().find(cls);
  REQUIRE(rule);
  auto json = shapelint::test::parse_config(config);
  shapelint::Diagnostics diagnostics;
  shapelint::LayerConfig cfg(json->root(), "config", &diagnostics, "layer");
  shapelint::LayerCall call(cfg, inputs, {}, semantics, &diagnostics);
  rule->infer(call);
  REQUIRE_FALSE(call.failed());
  return call.input_specs;
}

using Axes = std::vector<std::pair<std::ptrdiff_t, std::int64_t>>;

}  // namespace

TEST_CASE("Recurrent layers give Keras's outputs, states and params") {
  check_all(kRecurrentRows);
}

TEST_CASE("Recurrent layers take initial states as extra inputs or by keyword") {
  check_all(kInitialStateRows);
}

TEST_CASE("ConvLSTM layers convolve each step and carry conv states") {
  check_all(kConvLstmRows);
}

TEST_CASE("RNN runs its cells, stacked cells step on each other") {
  check_all(kCellRows);
}

TEST_CASE("Bidirectional runs the layer both ways and merges the directions") {
  check_all(kBidirectionalRows);
}

TEST_CASE("TimeDistributed applies the layer to every step") {
  check_all(kTimeDistributedRows);
}

TEST_CASE("TimeDistributed wraps layers of the other families") {
  for (const auto& row : kTimeDistributedCrossFamilyRows) {
    auto inner = nlohmann::json::parse(row.config)["layer"]["class_name"].get<std::string>();
    if (!shapelint::RuleRegistry::builtin().find(inner)) {
      WARN("skipped until " << inner << " has a rule: " << row.name);
      continue;
    }
    DYNAMIC_SECTION(row.name) {
      check(row);
    }
  }
}

TEST_CASE("A built Keras 3 LSTM only pins the rank of later inputs") {
  auto specs = input_specs_of(
      "LSTM", R"({"units": 4})", shapelint::test::shapes({"(None, 7, 3)"}), Semantics::keras3);
  REQUIRE(specs.size() == 1);
  CHECK(specs[0].ndim == std::optional<std::size_t>(3));
  CHECK(specs[0].axes.empty());
}

TEST_CASE("A built tf.keras 2 LSTM pins the features, and the batch when stateful") {
  auto specs = input_specs_of(
      "LSTM", R"({"units": 4})", shapelint::test::shapes({"(None, 7, 3)"}), Semantics::keras2);
  REQUIRE(specs.size() == 1);
  CHECK(specs[0].ndim == std::optional<std::size_t>(3));
  CHECK(specs[0].axes == Axes{{2, 3}});
  specs = input_specs_of("LSTM",
                         R"({"units": 4, "stateful": true})",
                         shapelint::test::shapes({"(2, 7, 3)"}),
                         Semantics::keras2);
  REQUIRE(specs.size() == 1);
  CHECK(specs[0].axes == Axes{{0, 2}, {2, 3}});
}

TEST_CASE("A built tf.keras 2 TimeDistributed pins every axis but the batch") {
  auto specs = input_specs_of("TimeDistributed",
                              R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
                              shapelint::test::shapes({"(None, 6, 5, 3)"}),
                              Semantics::keras2);
  REQUIRE(specs.size() == 1);
  CHECK(specs[0].ndim == std::optional<std::size_t>(4));
  CHECK(specs[0].axes == Axes{{1, 6}, {2, 5}, {3, 3}});
  specs = input_specs_of("TimeDistributed",
                         R"({"layer": {"class_name": "LSTM", "config": {"units": 4}}})",
                         shapelint::test::shapes({"(None, 6, 5, 3)"}),
                         Semantics::keras3);
  CHECK(specs.empty());
}

TEST_CASE("Bidirectional weights hold both directions in order") {
  auto run = shapelint::test::run_rule(
      "Bidirectional", bidirectional(kGru4), shapelint::test::shapes({"(None, 7, 3)"}));
  INFO(run.describe());
  REQUIRE(run.weights.size() == 6);
  CHECK(run.weights[0].name == "forward/kernel");
  CHECK(run.weights[2].shape == shapelint::test::shape("(2, 12)"));
  CHECK(run.weights[3].name == "backward/kernel");
}
