// Generators of realistic Keras configs for the benchmarks: the JSON that Keras itself
// writes, with the same keys and nesting, so parsing costs are those of real files.
#include "model_gen.hpp"

#include <iterator>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace shapelint::bench {

namespace {

constexpr const char* kInitializers =
    R"("kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, )"
    R"("bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, )"
    R"("bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, )"
    R"("bias_constraint": null)";

/// A layer's `dtype` as the generation writes it: a policy object in Keras 3, a name before.
std::string float32_dtype(Generation g) {
  return g == Generation::keras3
             ? R"({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null})"
             : R"("float32")";
}

/// Writes one Functional model's layers, node references in the generation's own format.
class FunctionalWriter {
 public:
  explicit FunctionalWriter(Generation g) : g_(g) {}

  void input(const std::string& name, const std::string& batch_shape) {
    std::string key = g_ == Generation::keras3 ? "batch_shape" : "batch_input_shape";
    add(name,
        "InputLayer",
        fmt::format(R"("{}": {}, "dtype": "float32", "sparse": false)", key, batch_shape),
        {},
        "");
    inputs_.push_back(name);
  }

  /// `shape` is the output shape of each inbound layer as Keras 3 records it.
  void layer(const std::string& name,
             const std::string& cls,
             const std::string& config,
             const std::vector<std::string>& inbound,
             const std::string& inbound_shape) {
    add(name, cls, config, inbound, inbound_shape);
  }

  std::string finish(const std::string& output) const {
    std::string inputs, head;
    for (const auto& i : inputs_)
      inputs += fmt::format(R"({}["{}", 0, 0])", inputs.empty() ? "" : ", ", i);
    if (g_ == Generation::keras3)
      head =
          R"("module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional", )";
    else
      head = R"("class_name": "Functional", "keras_version": "2.15.0", "backend": "tensorflow", )";
    return fmt::format(
        R"({{{}"config": {{"name": "model", "trainable": true, "layers": [{}], "input_layers": [{}], "output_layers": [["{}", 0, 0]]}}}})",
        head,
        body_,
        inputs,
        output);
  }

 private:
  void add(const std::string& name,
           const std::string& cls,
           const std::string& config,
           const std::vector<std::string>& inbound,
           const std::string& inbound_shape) {
    std::string nodes;
    if (!inbound.empty()) {
      std::string refs;
      for (const auto& src : inbound) {
        if (!refs.empty())
          refs += ", ";
        if (g_ == Generation::keras3)
          refs += fmt::format(
              R"({{"class_name": "__keras_tensor__", "config": {{"shape": {}, "dtype": "float32", "keras_history": ["{}", 0, 0]}}}})",
              inbound_shape,
              src);
        else
          refs += fmt::format(R"(["{}", 0, 0, {{}}])", src);
      }
      if (g_ == Generation::keras3)
        nodes = inbound.size() == 1 ? fmt::format(R"({{"args": [{}], "kwargs": {{}}}})", refs)
                                    : fmt::format(R"({{"args": [[{}]], "kwargs": {{}}}})", refs);
      else
        nodes = fmt::format("[{}]", refs);
    }
    std::string dtype = float32_dtype(g_);
    std::string module =
        g_ == Generation::keras3 ? R"("module": "keras.layers", "registered_name": null, )" : "";
    if (!body_.empty())
      body_ += ", ";
    body_ += fmt::format(
        R"({{{}"class_name": "{}", "config": {{"name": "{}", "trainable": true, "dtype": {}{}{}}}, "name": "{}", "inbound_nodes": [{}]}})",
        module,
        cls,
        name,
        dtype,
        config.empty() ? "" : ", ",
        config,
        name,
        nodes);
  }

  Generation g_;
  std::string body_;
  std::vector<std::string> inputs_;
};

std::string dense_config(int units) {
  return fmt::format(
      R"("units": {}, "activation": "relu", "use_bias": true, {})", units, kInitializers);
}

std::string conv_config(int filters, int kernel, int stride) {
  return fmt::format(
      R"("filters": {}, "kernel_size": [{}, {}], "strides": [{}, {}], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": false, {})",
      filters,
      kernel,
      kernel,
      stride,
      stride,
      kInitializers);
}

constexpr const char* kBatchNorm =
    R"("axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": {"class_name": "Zeros", "config": {}}, "gamma_initializer": {"class_name": "Ones", "config": {}}, "moving_mean_initializer": {"class_name": "Zeros", "config": {}}, "moving_variance_initializer": {"class_name": "Ones", "config": {}}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null)";

}  // namespace

std::string long_functional(std::size_t layers, Generation generation) {
  FunctionalWriter w(generation);
  w.input("input", "[null, 64]");
  std::string prev = "input", residual = "input";
  for (std::size_t i = 0; i < layers; ++i) {
    std::string name = fmt::format("layer_{}", i);
    if (i % 5 == 4) {
      w.layer(name, "Add", "", {prev, residual}, "[null, 64]");
      residual = name;
    } else if (i % 5 == 2) {
      w.layer(name,
              "Dropout",
              R"("rate": 0.1, "noise_shape": null, "seed": null)",
              {prev},
              "[null, 64]");
    } else {
      w.layer(name, "Dense", dense_config(64), {prev}, "[null, 64]");
    }
    prev = name;
  }
  return w.finish(prev);
}

std::string activation_chain(std::size_t layers, Generation generation) {
  FunctionalWriter w(generation);
  w.input("input", "[null, 64]");
  std::string prev = "input";
  for (std::size_t i = 0; i < layers; ++i) {
    std::string name = fmt::format("activation_{}", i);
    w.layer(name, "Activation", R"("activation": "relu")", {prev}, "[null, 64]");
    prev = name;
  }
  return w.finish(prev);
}

std::string sequential_activation_chain(std::size_t layers, Generation generation) {
  bool keras3 = generation == Generation::keras3;
  std::string dtype = float32_dtype(generation);
  std::string body =
      keras3
          ? R"({"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 64], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null})"
          : R"({"class_name": "InputLayer", "config": {"batch_input_shape": [null, 64], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}})";
  for (std::size_t i = 0; i < layers; ++i) {
    std::string config = fmt::format(
        R"({{"name": "activation_{}", "trainable": true, "dtype": {}, "activation": "relu"}})",
        i,
        dtype);
    if (keras3)
      body += fmt::format(
          R"(, {{"module": "keras.layers", "class_name": "Activation", "config": {}, "registered_name": null, "build_config": {{"input_shape": [null, 64]}}}})",
          config);
    else
      body += fmt::format(R"(, {{"class_name": "Activation", "config": {}}})", config);
  }
  if (keras3)
    return fmt::format(
        R"({{"module": "keras", "class_name": "Sequential", "config": {{"name": "sequential", "trainable": true, "dtype": {}, "layers": [{}], "build_input_shape": [null, 64]}}, "registered_name": null, "build_config": {{"input_shape": [null, 64]}}}})",
        dtype,
        body);
  return fmt::format(
      R"({{"class_name": "Sequential", "config": {{"name": "sequential", "layers": [{}]}}, "keras_version": "2.15.0", "backend": "tensorflow"}})",
      body);
}

std::string inception_like(std::size_t blocks, Generation generation) {
  FunctionalWriter w(generation);
  w.input("input", "[null, 299, 299, 3]");
  w.layer("stem", "Conv2D", conv_config(64, 3, 2), {"input"}, "[null, 299, 299, 3]");
  std::string prev = "stem";
  for (std::size_t b = 0; b < blocks; ++b) {
    std::vector<std::string> joins;
    // The stem has 64 channels, each block's concatenation 4 x 32.
    std::string block_input = b == 0 ? "[null, 150, 150, 64]" : "[null, 150, 150, 128]";
    for (int branch = 0; branch < 4; ++branch) {
      std::string conv = fmt::format("b{}_conv{}", b, branch);
      std::string bn = fmt::format("b{}_bn{}", b, branch);
      std::string act = fmt::format("b{}_relu{}", b, branch);
      w.layer(conv, "Conv2D", conv_config(32, 1 + 2 * branch, 1), {prev}, block_input);
      w.layer(bn, "BatchNormalization", kBatchNorm, {conv}, "[null, 150, 150, 32]");
      w.layer(act, "Activation", R"("activation": "relu")", {bn}, "[null, 150, 150, 32]");
      joins.push_back(act);
    }
    std::string cat = fmt::format("b{}_concat", b);
    w.layer(cat, "Concatenate", R"("axis": -1)", joins, "[null, 150, 150, 32]");
    prev = cat;
  }
  w.layer("pool",
          "GlobalAveragePooling2D",
          R"("data_format": "channels_last", "keepdims": false)",
          {prev},
          "[null, 150, 150, 128]");
  w.layer("logits", "Dense", dense_config(1000), {"pool"}, "[null, 128]");
  return w.finish("logits");
}

std::string small_cnn(std::size_t seed, Generation generation) {
  FunctionalWriter w(generation);
  int filters = 8 + static_cast<int>(seed % 8) * 4;
  w.input("image", "[null, 28, 28, 1]");
  w.layer("conv", "Conv2D", conv_config(filters, 3, 1), {"image"}, "[null, 28, 28, 1]");
  w.layer(
      "pool",
      "MaxPooling2D",
      R"("pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last")",
      {"conv"},
      "[null, 28, 28, 8]");
  w.layer("flatten", "Flatten", R"("data_format": "channels_last")", {"pool"}, "[null, 14, 14, 8]");
  w.layer("hidden", "Dense", dense_config(64), {"flatten"}, "[null, 1568]");
  w.layer("logits", "Dense", dense_config(10), {"hidden"}, "[null, 64]");
  return w.finish("logits");
}

std::string embedding_with_weights(std::size_t vocabulary, std::size_t dimensions) {
  // As json.dumps writes a float32 matrix: each value the shortest text of its double,
  // mostly 17 to 20 digits (-0.04567891359329224).
  std::mt19937 random(20261127);
  std::normal_distribution<float> weight(0.0f, 0.05f);
  std::string matrix = "[";
  for (std::size_t row = 0; row < vocabulary; ++row) {
    matrix += row ? ", [" : "[";
    for (std::size_t column = 0; column < dimensions; ++column)
      fmt::format_to(std::back_inserter(matrix),
                     "{}{}",
                     column ? ", " : "",
                     static_cast<double>(weight(random)));
    matrix += "]";
  }
  matrix += "]";
  FunctionalWriter w(Generation::keras2);
  w.input("tokens", "[null, 50]");
  w.layer(
      "embedding",
      "Embedding",
      fmt::format(
          R"("input_dim": {}, "output_dim": {}, "embeddings_initializer": {{"class_name": "Constant", "config": {{"value": {}}}}}, "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": false, "input_length": 50)",
          vocabulary,
          dimensions,
          matrix),
      {"tokens"},
      "[null, 50]");
  w.layer("pool",
          "GlobalAveragePooling1D",
          R"("data_format": "channels_last", "keepdims": false)",
          {"embedding"},
          fmt::format("[null, 50, {}]", dimensions));
  w.layer("logits", "Dense", dense_config(10), {"pool"}, fmt::format("[null, {}]", dimensions));
  return w.finish("logits");
}

}  // namespace shapelint::bench
