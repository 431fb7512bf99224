// Cost: multiply-accumulates per layer (the convention of docs/cost.md), weight and
// activation memory by dtype, receptive fields; checked against hand computations on small
// models and against published figures for well-known architectures.
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cost/architectures.hpp"
#include "cost/model_builder.hpp"
#include "shapelint/cost/macs.hpp"
#include "shapelint/lint/lint.hpp"

using namespace shapelint;
using nlohmann::json;
using shapelint::test::layer;
using shapelint::test::ModelBuilder;
using shapelint::test::sequential;

namespace {

std::string describe(const FileReport& r) {
  std::string out = fmt::format("status {}\n", r.status);
  for (const auto& d : r.diagnostics)
    out += fmt::format("  {} {}\n", d.rule, d.message);
  for (const auto& row : r.layers)
    out +=
        fmt::format("  {} {} macs={} weights={} activations={}\n",
                    row.name,
                    row.class_name,
                    row.cost.macs ? std::to_string(*row.cost.macs) : "?",
                    row.cost.weight_bytes ? std::to_string(*row.cost.weight_bytes) : "?",
                    row.cost.activation_bytes ? std::to_string(*row.cost.activation_bytes) : "?");
  return out;
}

const LayerRow& row_named(const FileReport& r, const std::string& name) {
  for (const auto& row : r.layers)
    if (row.name == name)
      return row;
  FAIL("no layer '" << name << "' in the report");
  return r.layers.front();
}

/// A row's receptive field size and stride; empty when it has none.
std::vector<std::int64_t> field_size(const LayerRow& row) {
  return row.cost.receptive_field ? row.cost.receptive_field->size : std::vector<std::int64_t>{};
}

std::vector<std::int64_t> field_stride(const LayerRow& row) {
  return row.cost.receptive_field ? row.cost.receptive_field->stride : std::vector<std::int64_t>{};
}

FileReport lint(const std::string& text, LintOptions options = {}) {
  return lint_text(text, "model.json", options);
}

/// The MACs of the one layer "layer" of a Sequential model on `batch_shape`.
struct MacRow {
  std::string name;
  json batch_shape;
  json layer;
  std::int64_t macs;  ///< computed by hand in the comment of each row
};

}  // namespace

TEST_CASE("each layer kind's MACs match a hand computation") {
  const std::vector<MacRow> rows{
      // 26·26 positions × 8 filters × 3·3·3 window
      {"Conv2D valid",
       {nullptr, 28, 28, 3},
       layer("Conv2D", {{"filters", 8}, {"kernel_size", 3}}),
       26 * 26 * 8 * 27},
      // 14·14 positions × 8 × 27
      {"Conv2D strided same",
       {nullptr, 28, 28, 3},
       layer("Conv2D", {{"filters", 8}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}}),
       14 * 14 * 8 * 27},
      // groups=2: each filter sees 4/2 channels: 26·26 × 8 × 3·3·2
      {"Conv2D grouped",
       {nullptr, 28, 28, 4},
       layer("Conv2D", {{"filters", 8}, {"kernel_size", 3}, {"groups", 2}}),
       26 * 26 * 8 * 18},
      // dilation widens the window, not the work: 24·24 × 8 × 27
      {"Conv2D dilated",
       {nullptr, 28, 28, 3},
       layer("Conv2D", {{"filters", 8}, {"kernel_size", 3}, {"dilation_rate", 2}}),
       24 * 24 * 8 * 27},
      // channels_first: (3, 28, 28) → (8, 26, 26)
      {"Conv2D channels_first",
       {nullptr, 3, 28, 28},
       layer("Conv2D", {{"filters", 8}, {"kernel_size", 3}, {"data_format", "channels_first"}}),
       26 * 26 * 8 * 27},
      // 96 positions × 16 filters × 5·8
      {"Conv1D",
       {nullptr, 100, 8},
       layer("Conv1D", {{"filters", 16}, {"kernel_size", 5}}),
       96 * 16 * 40},
      // 8·8·8 positions × 4 filters × 3·3·3·2
      {"Conv3D",
       {nullptr, 10, 10, 10, 2},
       layer("Conv3D", {{"filters", 4}, {"kernel_size", 3}}),
       512 * 4 * 54},
      // 26·26 positions × 6 output channels × 3·3
      {"DepthwiseConv2D",
       {nullptr, 28, 28, 3},
       layer("DepthwiseConv2D", {{"kernel_size", 3}, {"depth_multiplier", 2}}),
       26 * 26 * 6 * 9},
      // depthwise 26·26 × 3 × 9, pointwise 26·26 × 3 × 8
      {"SeparableConv2D",
       {nullptr, 28, 28, 3},
       layer("SeparableConv2D", {{"filters", 8}, {"kernel_size", 3}}),
       26 * 26 * 3 * 9 + 26 * 26 * 3 * 8},
      // every input position scatters a 3·3·8 kernel per input channel: 28·28 × 3·3·8·3
      {"Conv2DTranspose",
       {nullptr, 28, 28, 3},
       layer("Conv2DTranspose", {{"filters", 8}, {"kernel_size", 3}, {"strides", 2}}),
       28 * 28 * 216},
      {"Dense", {nullptr, 20}, layer("Dense", {{"units", 10}}), 20 * 10},
      // Dense on a sequence: each of the 5 positions
      {"Dense on rank 3", {nullptr, 5, 20}, layer("Dense", {{"units", 10}}), 5 * 20 * 10},
      // einsum abc,cd->abd: 10 positions × 8·16 kernel
      {"EinsumDense",
       {nullptr, 10, 8},
       layer("EinsumDense", {{"equation", "abc,cd->abd"}, {"output_shape", {nullptr, 16}}}),
       10 * 8 * 16},
      // 10 steps × (kernel 8·4·32 + recurrent 32·4·32)
      {"LSTM", {nullptr, 10, 8}, layer("LSTM", {{"units", 32}}), 10 * (8 * 128 + 32 * 128)},
      // 12 steps × (4·3·16 + 16·3·16)
      {"GRU", {nullptr, 12, 4}, layer("GRU", {{"units", 16}}), 12 * (4 * 48 + 16 * 48)},
      // 6 steps × (3·8 + 8·8)
      {"SimpleRNN", {nullptr, 6, 3}, layer("SimpleRNN", {{"units", 8}}), 6 * (24 + 64)},
      // both directions of the LSTM above
      {"Bidirectional LSTM",
       {nullptr, 10, 8},
       layer("Bidirectional",
             {{"layer", {{"class_name", "LSTM"}, {"config", {{"name", "lstm"}, {"units", 32}}}}}}),
       2 * 10 * (8 * 128 + 32 * 128)},
      // 7 steps × Dense 5·4
      {"TimeDistributed Dense",
       {nullptr, 7, 5},
       layer("TimeDistributed",
             {{"layer", {{"class_name", "Dense"}, {"config", {{"name", "d"}, {"units", 4}}}}}}),
       7 * 20},
      // 5 steps × 8·8 output positions × (3·3·2·16 + 3·3·4·16)
      {"ConvLSTM2D",
       {nullptr, 5, 10, 10, 2},
       layer("ConvLSTM2D", {{"filters", 4}, {"kernel_size", 3}}),
       5 * 64 * (288 + 576)},
      // 14·14·3 outputs × 2·2 window
      {"MaxPooling2D",
       {nullptr, 28, 28, 3},
       layer("MaxPooling2D", {{"pool_size", 2}}),
       14 * 14 * 3 * 4},
      // 26·26·3 outputs × 3·3 window
      {"AveragePooling2D",
       {nullptr, 28, 28, 3},
       layer("AveragePooling2D", {{"pool_size", 3}, {"strides", 1}}),
       26 * 26 * 3 * 9},
      {"GlobalAveragePooling2D",
       {nullptr, 28, 28, 3},
       layer("GlobalAveragePooling2D", json::object()),
       28 * 28 * 3},
      // one scale-and-shift per element
      {"BatchNormalization",
       {nullptr, 28, 28, 3},
       layer("BatchNormalization", json::object()),
       28 * 28 * 3},
      // mean, variance, normalize: three passes over 10·8 elements
      {"LayerNormalization", {nullptr, 10, 8}, layer("LayerNormalization", json::object()), 3 * 80},
      {"Embedding",
       {nullptr, 20},
       layer("Embedding", {{"input_dim", 1000}, {"output_dim", 16}}),
       0},
      {"ReLU", {nullptr, 28, 28, 3}, layer("ReLU", json::object()), 0},
      {"Flatten", {nullptr, 28, 28, 3}, layer("Flatten", json::object()), 0},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto report = lint(sequential(r.batch_shape, {r.layer}));
      INFO(describe(report));
      REQUIRE(report.status == "ok");
      const auto& row = row_named(report, "layer");
      REQUIRE(row.cost.macs);
      CHECK(*row.cost.macs == r.macs);
    }
  }
}

TEST_CASE("attention MACs count the projections, the scores and the weighted sum") {
  SECTION("MultiHeadAttention, self-attention with value passed by keyword") {
    ModelBuilder m("mha");
    auto x = m.input({6, 8});
    auto y = m.add("MultiHeadAttention",
                   {{"name", "mha"}, {"num_heads", 2}, {"key_dim", 4}},
                   {x},
                   {{"value", x}});
    m.output(y);
    auto report = lint(m.json_text());
    INFO(describe(report));
    REQUIRE(report.status == "ok");
    // query, key, value projections: 6 positions × 8·2·4 each; output: 6 × 2·4·8;
    // scores and weighted sum: 2 heads × 6·6 pairs × (4 + 4)
    CHECK(*row_named(report, "mha").cost.macs == 3 * 6 * 64 + 6 * 64 + 2 * 36 * 8);
  }
  SECTION("Attention, query and value of different lengths") {
    ModelBuilder m("att");
    auto q = m.input({4, 8}, "query");
    auto v = m.input({6, 8}, "value");
    auto y = m.add("Attention", {{"name", "attention"}}, {q, v});
    m.output(y);
    auto report = lint(m.json_text());
    INFO(describe(report));
    REQUIRE(report.status == "ok");
    // 4·6 scores over 8 features, then 4·6 weights over 8 value features
    CHECK(*row_named(report, "attention").cost.macs == 4 * 6 * 8 + 4 * 6 * 8);
  }
  SECTION("Dot of two sequences") {
    ModelBuilder m("dot");
    auto a = m.input({4, 8}, "a");
    auto b = m.input({6, 8}, "b");
    auto y = m.add("Dot", {{"name", "dot"}, {"axes", 2}}, {a, b});
    m.output(y);
    auto report = lint(m.json_text());
    INFO(describe(report));
    CHECK(*row_named(report, "dot").cost.macs == 4 * 6 * 8);
  }
}

TEST_CASE("a shared layer costs once per call, its weights once") {
  ModelBuilder m("shared");
  auto a = m.input({20}, "a");
  auto b = m.input({20}, "b");
  auto ya = m.add("Dense", {{"name", "shared"}, {"units", 10}}, a);
  // The second call of the same layer: a second inbound node.
  auto text = json::parse(m.json_text());
  auto& layers = text["config"]["layers"];
  for (auto& l : layers)
    if (l["name"] == "shared")
      l["inbound_nodes"].push_back(json::array({json::array({b, 0, 0, json::object()})}));
  text["config"]["output_layers"] = json::array({json::array({ya, 0, 0}), json::array({ya, 1, 0})});
  auto report = lint(text.dump());
  INFO(describe(report));
  REQUIRE(report.status == "ok");
  const auto& row = row_named(report, "shared");
  CHECK(*row.cost.macs == 2 * 200);
  CHECK(*row.cost.weight_bytes == 210 * 4);
  CHECK(*row.cost.activation_bytes == 2 * 10 * 4);
}

TEST_CASE("memory follows the batch size and each layer's dtype policy") {
  json mixed_conv =
      layer("Conv2D",
            {{"filters", 8},
             {"kernel_size", 3},
             {"dtype", {{"class_name", "Policy"}, {"config", {{"name", "mixed_float16"}}}}}});
  SECTION("mixed_float16: float16 activations, float32 weights") {
    auto report = lint(sequential({nullptr, 28, 28, 3}, {mixed_conv}));
    INFO(describe(report));
    const auto& row = row_named(report, "layer");
    CHECK(*row.cost.activation_bytes == 26 * 26 * 8 * 2);
    CHECK(*row.cost.weight_bytes == (3 * 3 * 3 * 8 + 8) * 4);
    REQUIRE(report.cost);
    CHECK(report.cost->weight_bytes_by_dtype.at("float32") == (216 + 8) * 4);
  }
  SECTION("a batch of 4 multiplies MACs and activations, not weights") {
    LintOptions options;
    options.batch_size = 4;
    auto report = lint(sequential({nullptr, 28, 28, 3}, {mixed_conv}), options);
    INFO(describe(report));
    const auto& row = row_named(report, "layer");
    CHECK(*row.cost.macs == 4 * 26 * 26 * 8 * 27);
    CHECK(*row.cost.activation_bytes == 4 * 26 * 26 * 8 * 2);
    CHECK(*row.cost.weight_bytes == 224 * 4);
    REQUIRE(report.cost);
    CHECK(report.cost->batch_size == 4);
    // the input (float32, 28·28·3 per sample) and the conv output
    CHECK(report.cost->activation_bytes == 4 * (28 * 28 * 3 * 4 + 26 * 26 * 8 * 2));
  }
  SECTION("Keras 3 DTypePolicy objects and plain dtype names") {
    json k3 = layer("Dense",
                    {{"units", 10},
                     {"dtype",
                      {{"module", "keras"},
                       {"class_name", "DTypePolicy"},
                       {"config", {{"name", "bfloat16"}}},
                       {"registered_name", nullptr}}}});
    auto report = lint(sequential({nullptr, 20}, {k3}));
    const auto& row = row_named(report, "layer");
    CHECK(*row.cost.weight_bytes == 210 * 2);
    CHECK(*row.cost.activation_bytes == 10 * 2);
    auto f64 =
        lint(sequential({nullptr, 20}, {layer("Dense", {{"units", 10}, {"dtype", "float64"}})}));
    CHECK(*row_named(f64, "layer").cost.weight_bytes == 210 * 8);
  }
  SECTION("weight bytes are summed by dtype; a dtype of unknown size gives none") {
    auto report =
        lint(sequential({nullptr, 20},
                        {layer("Dense", {{"units", 10}, {"dtype", "bfloat16"}, {"name", "a"}}),
                         layer("Dense", {{"units", 10}, {"dtype", "float64"}, {"name", "b"}}),
                         layer("Dense", {{"units", 10}, {"dtype", "bfloat16"}, {"name", "c"}}),
                         layer("Dense", {{"units", 10}, {"dtype", "qint4"}, {"name", "d"}}),
                         layer("Dense", {{"units", 10}, {"name", "e"}})}));
    INFO(describe(report));
    CHECK_FALSE(row_named(report, "d").cost.weight_bytes);
    REQUIRE(report.cost);
    const auto& by_dtype = report.cost->weight_bytes_by_dtype;
    CHECK(by_dtype.size() == 3);
    CHECK(by_dtype.at("bfloat16") == 210 * 2 + 110 * 2);
    CHECK(by_dtype.at("float64") == 110 * 8);
    CHECK(by_dtype.at("float32") == 110 * 4);
    // The names are the table's own, whatever text they were found in.
    std::string name = "float16";
    CHECK(std::string(cost::known_dtype_name(name)) == "float16");
    CHECK(cost::known_dtype_name(name) != name.c_str());
    CHECK(std::string(cost::known_dtype_name("qint4")).empty());
    CHECK(std::string(cost::known_dtype_name("")).empty());
  }
  SECTION("an int32 input costs 4 bytes an element") {
    auto report = lint(sequential(
        {nullptr, 20}, {layer("Embedding", {{"input_dim", 1000}, {"output_dim", 16}})}, "int32"));
    CHECK(*row_named(report, "input").cost.activation_bytes == 20 * 4);
    CHECK(*row_named(report, "layer").cost.weight_bytes == 1000 * 16 * 4);
  }
}

TEST_CASE("unknown sizes give unknown costs, never wrong ones") {
  auto report = lint(sequential({nullptr, nullptr, nullptr, 3},
                                {layer("Conv2D", {{"filters", 8}, {"kernel_size", 3}})}));
  const auto& row = row_named(report, "layer");
  CHECK_FALSE(row.cost.macs);
  CHECK_FALSE(row.cost.activation_bytes);
  CHECK(*row.cost.weight_bytes == 224 * 4);
  REQUIRE(report.cost);
  CHECK(report.cost->macs_unknown_layers == 1);
  SECTION("a what-if size makes them known") {
    LintOptions options;
    std::string error;
    options.input_shapes.push_back(*parse_input_shape_option("28x28x3", error));
    auto sized = lint(sequential({nullptr, nullptr, nullptr, 3},
                                 {layer("Conv2D", {{"filters", 8}, {"kernel_size", 3}})}),
                      options);
    CHECK(*row_named(sized, "layer").cost.macs == 26 * 26 * 8 * 27);
  }
}

TEST_CASE("receptive fields grow through convolution and pooling stacks") {
  auto report = lint(sequential(
      {nullptr, 64, 64, 1},
      {layer("Conv2D", {{"name", "c1"}, {"filters", 4}, {"kernel_size", 3}}),
       layer("Conv2D", {{"name", "c2"}, {"filters", 4}, {"kernel_size", 3}}),
       layer("MaxPooling2D", {{"name", "p"}, {"pool_size", 2}}),
       layer("BatchNormalization", {{"name", "bn"}}),
       layer("Conv2D",
             {{"name", "dilated"}, {"filters", 4}, {"kernel_size", 3}, {"dilation_rate", 2}}),
       layer("Conv2D", {{"name", "strided"}, {"filters", 4}, {"kernel_size", 3}, {"strides", 2}}),
       layer("Flatten", {{"name", "flat"}})}));
  INFO(describe(report));
  using V = std::vector<std::int64_t>;
  // 1 + 2 = 3; 3 + 2 = 5; 5 + 1 = 6, stride 2; 6 + 2·2·2 = 14; 14 + 2·2 = 18, stride 4
  CHECK(field_size(row_named(report, "c1")) == V{3, 3});
  CHECK(field_size(row_named(report, "c2")) == V{5, 5});
  CHECK(field_size(row_named(report, "p")) == V{6, 6});
  CHECK(field_stride(row_named(report, "p")) == V{2, 2});
  CHECK(field_size(row_named(report, "bn")) == V{6, 6});
  CHECK(field_size(row_named(report, "dilated")) == V{14, 14});
  CHECK(field_size(row_named(report, "strided")) == V{18, 18});
  CHECK(field_stride(row_named(report, "strided")) == V{4, 4});
  CHECK_FALSE(row_named(report, "flat").cost.receptive_field);

  SECTION("WaveNet's dilated causal convolutions: 1 + 1 + 2 + 4 + 8 = 16 steps") {
    std::vector<json> layers;
    for (int d : {1, 2, 4, 8})
      layers.push_back(layer("Conv1D",
                             {{"name", fmt::format("d{}", d)},
                              {"filters", 8},
                              {"kernel_size", 2},
                              {"dilation_rate", d},
                              {"padding", "causal"}}));
    auto wavenet = lint(sequential({nullptr, 100, 1}, layers));
    CHECK(field_size(row_named(wavenet, "d8")) == V{16});
  }
}

// ---- published architectures ---------------------------------------------------------------

namespace {

/// MACs of the convolution and Dense layers only: what the papers count.
std::int64_t conv_and_dense_macs(const FileReport& r) {
  std::int64_t sum = 0;
  for (const auto& row : r.layers)
    if (row.class_name.view().find("Conv") != std::string::npos || row.class_name == "Dense")
      sum += row.cost.macs.value_or(0);
  return sum;
}

void check_close(double value, double expected, double tolerance) {
  INFO(fmt::format("{} vs {} (within {:.1f}%)", value, expected, tolerance * 100));
  CHECK(std::abs(value - expected) <= tolerance * expected);
}

}  // namespace

TEST_CASE("MobileNetV2 at 224x224: Keras's parameter count and the paper's 300M MACs") {
  auto report = lint(shapelint::test::architectures::mobilenet_v2());
  INFO(describe(report));
  REQUIRE(report.status == "ok");
  // keras.applications.MobileNetV2().summary(): "Total params: 3,538,984"
  // (also the Keras applications table: 3.5M).
  CHECK(report.params.total == 3538984);
  CHECK(report.params.non_trainable == 34112);
  REQUIRE(report.cost);
  CHECK(report.cost->macs_unknown_layers == 0);
  // Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks", CVPR 2018,
  // Table 4: MobileNetV2 (1.0, 224) costs 300M multiply-adds. The paper counts
  // convolutions and the classifier; the exact count is 300,774,272.
  check_close(static_cast<double>(conv_and_dense_macs(report)), 300e6, 0.01);
  CHECK(conv_and_dense_macs(report) == 300774272);  // by hand, layer by layer
  // With batch normalization and pooling (docs/cost.md) the total stays within 3%.
  check_close(static_cast<double>(report.cost->macs), 300e6, 0.03);
  // 3,538,984 float32 weights
  CHECK(report.cost->weight_bytes == 3538984 * 4);
}

TEST_CASE("ResNet50 at 224x224: Keras's parameter count and the published MACs") {
  auto report = lint(shapelint::test::architectures::resnet50());
  INFO(describe(report));
  REQUIRE(report.status == "ok");
  // keras.applications.ResNet50().summary(): "Total params: 25,636,712".
  CHECK(report.params.total == 25636712);
  REQUIRE(report.cost);
  CHECK(report.cost->macs_unknown_layers == 0);
  // He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, Table 1: ResNet-50
  // costs 3.8 × 10^9 FLOPs, which the paper counts as multiply-adds. Keras's ResNet50 is
  // that network (the stride on the first 1x1 convolution of a stage).
  check_close(static_cast<double>(conv_and_dense_macs(report)), 3.8e9, 0.02);
  CHECK(conv_and_dense_macs(report) == 3857973248);  // by hand, stage by stage
  // conv5's outputs are 32 input pixels apart (224 / 7) and see 483 of them: 7 after
  // conv1, 11 after the pooling, then 2·stride for every 3x3 convolution
  // (3·8 + 4·16 + 6·32 + 3·64 = 472).
  const auto& last = row_named(report, "conv5_block3_out");
  CHECK(field_size(last) == std::vector<std::int64_t>{483, 483});
  CHECK(field_stride(last) == std::vector<std::int64_t>{32, 32});

  SECTION("torchvision's ResNet50 (v1.5, the stride on the 3x3): the quoted 4.1G") {
    auto v15 = lint(shapelint::test::architectures::resnet50(/*stride_on_3x3=*/true));
    REQUIRE(v15.status == "ok");
    // torchvision's model documentation (ResNet50_Weights.IMAGENET1K_V1) lists 4.09 GFLOPS,
    // counted by fvcore as multiply-adds of convolutions and the classifier; the figure
    // "~4.1G MACs" quoted by ptflops and torchinfo is the same network.
    check_close(static_cast<double>(conv_and_dense_macs(v15)), 4.09e9, 0.01);
    CHECK(conv_and_dense_macs(v15) == 4089184256);  // by hand
  }
}

TEST_CASE("VGG16 at 224x224: Keras's parameter count and the 15.5G MACs") {
  auto report = lint(shapelint::test::architectures::vgg16());
  INFO(describe(report));
  REQUIRE(report.status == "ok");
  // keras.applications.VGG16().summary(): "Total params: 138,357,544".
  CHECK(report.params.total == 138357544);
  REQUIRE(report.cost);
  // torchvision's model documentation (VGG16_Weights.IMAGENET1K_V1): 15.47 GFLOPS
  // (multiply-adds, as fvcore counts them); the network is the same layer for layer.
  check_close(static_cast<double>(conv_and_dense_macs(report)), 15.47e9, 0.01);
}

namespace {

/// A model whose 20 features go through a nested Sequential 'block': its InputLayer, then
/// `block_layers`.
std::string with_nested_block(std::vector<json> block_layers) {
  ModelBuilder m("outer");
  auto x = m.input({20}, "features");
  block_layers.insert(
      block_layers.begin(),
      layer("InputLayer", {{"name", "block_in"}, {"batch_input_shape", {nullptr, 20}}}));
  json inner{{"name", "block"}, {"layers", block_layers}};
  m.output(m.add("Sequential", inner, x));
  return m.json_text();
}

}  // namespace

TEST_CASE("a nested model costs what its layers cost") {
  auto report = lint(with_nested_block({layer("Dense", {{"name", "hidden"}, {"units", 16}}),
                                        layer("Dense", {{"name", "out"}, {"units", 4}})}));
  INFO(describe(report));
  REQUIRE(report.status == "ok");
  const auto& block = row_named(report, "block");
  REQUIRE(block.is_model);
  // 20·16 + 16·4 MACs; (20·16 + 16) + (16·4 + 4) float32 weights; 16 + 4 float32 outputs
  CHECK(*block.cost.macs == 20 * 16 + 16 * 4);
  CHECK(*block.cost.weight_bytes == (336 + 68) * 4);
  CHECK(*block.cost.activation_bytes == (16 + 4) * 4);
  REQUIRE(report.cost);
  CHECK(report.cost->macs == 20 * 16 + 16 * 4);
  CHECK(report.cost->weight_bytes == (336 + 68) * 4);
  // the outer input, then the inner layers' outputs (the inner input is the outer tensor)
  CHECK(report.cost->activation_bytes == (20 + 16 + 4) * 4);
}

TEST_CASE("a nested model's own rows are left out only when asked and costs do not need them") {
  std::string model = with_nested_block({layer("Dense", {{"name", "hidden"}, {"units", 16}})});

  struct Case {
    bool nested_rows;
    bool cost;
    std::size_t inner_rows;
  };

  for (Case c : {Case{true, false, 2}, Case{false, false, 0}, Case{false, true, 2}}) {
    INFO("nested_rows " << c.nested_rows << ", cost " << c.cost);
    LintOptions options;
    options.nested_rows = c.nested_rows;
    options.cost = c.cost;
    auto report = lint(model, options);
    REQUIRE(report.status == "ok");
    const auto& block = row_named(report, "block");
    CHECK(block.is_model);
    CHECK(block.layers.size() == c.inner_rows);
    CHECK(block.params == 20 * 16 + 16);  // the outer row is whole either way
    CHECK(report.params.total == 20 * 16 + 16);
  }
}

TEST_CASE("a Sequential without an InputLayer still counts its input's memory") {
  // tf.keras 2 style: the first layer carries batch_input_shape.
  json model{
      {"class_name", "Sequential"},
      {"config",
       {{"name", "model"},
        {"layers",
         {layer("Dense",
                {{"name", "dense"}, {"units", 10}, {"batch_input_shape", {nullptr, 20}}})}}}},
      {"keras_version", "2.15.0"}};
  auto report = lint(model.dump());
  INFO(describe(report));
  REQUIRE(report.cost);
  CHECK(report.cost->activation_bytes == (20 + 10) * 4);
  CHECK(report.cost->activation_unknown_layers == 0);
}
