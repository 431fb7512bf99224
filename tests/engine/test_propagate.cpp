// The engine: one mistake gives one diagnostic, independent mistakes are all reported,
// and --input-shape replays data through the weights the declared shapes built.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/engine/propagate.hpp"
#include "shapelint/lint/lint.hpp"

using namespace shapelint;

namespace {

std::size_t count_errors(const FileReport& r) {
  std::size_t n = 0;
  for (const auto& d : r.diagnostics)
    n += d.severity == Severity::error ? 1 : 0;
  return n;
}

const LayerRow& row(const FileReport& r, std::string_view name) {
  for (const auto& l : r.layers)
    if (l.name == name)
      return l;
  FAIL("no layer " << name);
  return r.layers.front();
}

LintOptions what_if(std::initializer_list<const char*> shapes) {
  LintOptions o;
  for (const char* s : shapes) {
    std::string error;
    auto parsed = parse_input_shape_option(s, error);
    REQUIRE(parsed);
    o.input_shapes.push_back(*parsed);
  }
  return o;
}

// Conv2D(32, 3) → MaxPooling2D(2) → Flatten → Dense(128), built for 28x28x1.
const std::string kMnist = R"({"class_name": "Sequential", "config": {"name": "mnist", "layers": [
  {"class_name": "InputLayer", "config": {"name": "image", "batch_input_shape": [null, 28, 28, 1]}},
  {"class_name": "Conv2D", "config": {"name": "conv2d", "filters": 32, "kernel_size": [3, 3]}},
  {"class_name": "MaxPooling2D", "config": {"name": "pool", "pool_size": [2, 2]}},
  {"class_name": "Flatten", "config": {"name": "flatten"}},
  {"class_name": "Dense", "config": {"name": "dense", "units": 128}},
  {"class_name": "Dense", "config": {"name": "dense_1", "units": 10}}]}})";

// Two branches from one input; both fail independently.
const std::string kTwoBranches = R"({"class_name": "Model", "config": {"name": "m", "layers": [
  {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 4, 4, 3]}, "inbound_nodes": []},
  {"class_name": "Conv2D", "name": "big_a", "config": {"name": "big_a", "filters": 2, "kernel_size": 5}, "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"class_name": "Dense", "name": "after_a", "config": {"name": "after_a", "units": 2}, "inbound_nodes": [[["big_a", 0, 0, {}]]]},
  {"class_name": "Conv2D", "name": "big_b", "config": {"name": "big_b", "filters": 2, "kernel_size": 7}, "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"class_name": "Conv2D", "name": "fine", "config": {"name": "fine", "filters": 2, "kernel_size": 3}, "inbound_nodes": [[["in", 0, 0, {}]]]}],
  "input_layers": [["in", 0, 0]], "output_layers": [["after_a", 0, 0], ["big_b", 0, 0], ["fine", 0, 0]]}})";

}  // namespace

TEST_CASE("declared shapes propagate and params match model.summary()") {
  auto r = lint_text(kMnist, "m.json", {});
  CHECK(r.status == "ok");
  CHECK(row(r, "flatten").output_shapes == Shapes{make_shape({-1, 5408})});
  CHECK(row(r, "dense").params == 692352);
  CHECK(r.params.total == 320 + 692352 + 1290);
  CHECK(r.params.unknown_layers == 0);
}

TEST_CASE("a model built for 28x28 and fed 25x25 images fails at the Dense after Flatten") {
  auto r = lint_text(kMnist, "m.json", what_if({"25x25x1"}));
  CHECK(r.status == "error");
  CHECK(row(r, "flatten").output_shapes == Shapes{make_shape({-1, 3872})});
  CHECK(row(r, "dense").status == "error");
  CHECK(row(r, "dense_1").status == "unknown");
  REQUIRE(count_errors(r) == 1);
  const Diagnostic& d = r.diagnostics.front();
  CHECK(d.rule == rule::kInputAxis);
  CHECK(d.message ==
        "Input 0 of layer \"dense\" is incompatible with the layer: expected axis -1 of input "
        "shape to have value 5408, but received input with shape (None, 3872)");
  // Params stay those of the built model.
  CHECK(row(r, "dense").params == 692352);
}

TEST_CASE("data with 3 channels fails at the first convolution") {
  auto r = lint_text(kMnist, "m.json", what_if({"28x28x3"}));
  REQUIRE(count_errors(r) == 1);
  CHECK(r.diagnostics.front().layer == "conv2d");
  CHECK(row(r, "conv2d").status == "error");
}

TEST_CASE(
    "an error makes downstream unknown without new diagnostics; independent errors all show") {
  auto r = lint_text(kTwoBranches, "m.json", {});
  CHECK(r.status == "error");
  CHECK(row(r, "big_a").status == "error");
  CHECK(row(r, "after_a").status == "unknown");
  CHECK(row(r, "big_b").status == "error");
  CHECK(row(r, "fine").status == "ok");
  CHECK(count_errors(r) == 2);
}

TEST_CASE("the what-if shape names inputs and rejects names the model lacks") {
  auto ok = lint_text(kMnist, "m.json", what_if({"image=28x28x1"}));
  CHECK(ok.status == "ok");
  auto bad = lint_text(kMnist, "m.json", what_if({"pixels=28x28x1"}));
  CHECK(bad.status == "invalid");
  REQUIRE_FALSE(bad.diagnostics.empty());
  CHECK(bad.diagnostics.front().rule == rule::kBadInputShapeOption);
}

TEST_CASE("a batch size fixes the batch axis in every shape") {
  LintOptions o;
  o.batch_size = 32;
  auto r = lint_text(kMnist, "m.json", o);
  // The batch only applies to replayed data; declared shapes keep their own batch axis.
  CHECK(row(r, "dense").output_shapes == Shapes{make_shape({-1, 128})});
  o.input_shapes = what_if({"28x28x1"}).input_shapes;
  auto replayed = lint_text(kMnist, "m.json", o);
  CHECK(row(replayed, "dense").output_shapes == Shapes{make_shape({32, 128})});
}

TEST_CASE("a shared layer called on another size fails at its second call") {
  auto r = lint_text(R"({"class_name": "Model", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "name": "a", "config": {"name": "a", "batch_input_shape": [null, 8]}, "inbound_nodes": []},
    {"class_name": "InputLayer", "name": "b", "config": {"name": "b", "batch_input_shape": [null, 6]}, "inbound_nodes": []},
    {"class_name": "Dense", "name": "shared", "config": {"name": "shared", "units": 4},
     "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]}],
    "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["shared", 0, 0], ["shared", 1, 0]]}})",
                     "m.json",
                     {});
  CHECK(r.status == "error");
  REQUIRE(count_errors(r) == 1);
  CHECK(r.diagnostics.front().layer == "shared");
  CHECK(row(r, "shared").params == 36);
}

TEST_CASE("a nested model is one row whose params count all its weights") {
  auto r = lint_text(R"({"class_name": "Model", "config": {"name": "outer", "layers": [
    {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [null, 10]}, "inbound_nodes": []},
    {"class_name": "Sequential", "name": "inner", "config": {"name": "inner", "layers": [
        {"class_name": "Dense", "config": {"name": "d1", "units": 5, "batch_input_shape": [null, 10]}},
        {"class_name": "Dense", "config": {"name": "d2", "units": 3}}]},
     "inbound_nodes": [[["x", 0, 0, {}]]]},
    {"class_name": "Dense", "name": "head", "config": {"name": "head", "units": 1}, "inbound_nodes": [[["inner", 1, 0, {}]]]}],
    "input_layers": [["x", 0, 0]], "output_layers": [["head", 0, 0]]}})",
                     "m.json",
                     {});
  CHECK(r.status == "ok");
  CHECK(row(r, "inner").params == 55 + 18);
  CHECK(row(r, "inner").output_shapes == Shapes{make_shape({-1, 3})});
  CHECK(row(r, "head").params == 4);
  CHECK(row(r, "inner").layers.size() == 2);
}

TEST_CASE("a built layer called again on unknown dims raises no weight-creation error") {
  auto r = lint_text(R"({"class_name": "Model", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "name": "a", "config": {"name": "a", "batch_input_shape": [null, 8]}, "inbound_nodes": []},
    {"class_name": "InputLayer", "name": "b", "config": {"name": "b", "batch_input_shape": [null, null]}, "inbound_nodes": []},
    {"class_name": "Dense", "name": "shared", "config": {"name": "shared", "units": 4},
     "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]}],
    "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["shared", 0, 0], ["shared", 1, 0]]}})",
                     "m.json",
                     {});
  CHECK(r.status == "ok");
  CHECK(count_errors(r) == 0);
  auto replay = lint_text(kMnist, "m.json", what_if({"?x?x1"}));
  CHECK(count_errors(replay) == 0);
}

TEST_CASE("a mask passed as mask= neither hides errors nor makes shapes unknown") {
  // Keras 3 writes Masking's mask as NotEqual → Any and passes it to the next layer as mask=.
  auto r = lint_text(
      R"({"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_shape": [null, 7, 3]}, "inbound_nodes": []},
    {"module": "keras.layers", "class_name": "Masking", "name": "masking", "config": {"name": "masking", "mask_value": 0.0},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 7, 3], "keras_history": ["x", 0, 0]}}], "kwargs": {}}]},
    {"module": "keras.src.ops.numpy", "class_name": "NotEqual", "name": "not_equal", "config": {"name": "not_equal"},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 7, 3], "keras_history": ["x", 0, 0]}}, 0.0], "kwargs": {}}]},
    {"module": "keras.src.ops.numpy", "class_name": "Any", "name": "any", "config": {"name": "any", "axis": -1, "keepdims": false},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 7, 3], "keras_history": ["not_equal", 0, 0]}}], "kwargs": {}}]},
    {"module": "keras.layers", "class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 4},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 7, 3], "keras_history": ["masking", 0, 0]}}],
                        "kwargs": {"mask": {"class_name": "__keras_tensor__", "config": {"shape": [null, 7], "keras_history": ["any", 0, 0]}}}}]},
    {"module": "keras.layers", "class_name": "Reshape", "name": "reshape", "config": {"name": "reshape", "target_shape": [5, 5]},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 7, 4], "keras_history": ["dense", 0, 0]}}], "kwargs": {}}]}],
    "input_layers": ["x", 0, 0], "output_layers": ["reshape", 0, 0]}})",
      "m.json",
      {});
  CHECK(row(r, "any").output_shapes == Shapes{make_shape({-1, 7})});
  CHECK(row(r, "dense").output_shapes == Shapes{make_shape({-1, 7, 4})});
  // (7 * 4) elements cannot become (5, 5): the error after the mask is still found.
  CHECK(row(r, "reshape").status == "error");
  for (const auto& d : r.diagnostics)
    CHECK(d.rule != rule::kUnknownLayerClass);
}

TEST_CASE("return_attention_scores passed in the call gives the scores output") {
  auto r = lint_text(
      R"({"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "name": "q", "config": {"name": "q", "batch_shape": [null, 5, 16]}, "inbound_nodes": []},
    {"module": "keras.layers", "class_name": "MultiHeadAttention", "name": "mha", "config": {"name": "mha", "num_heads": 2, "key_dim": 8},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 5, 16], "keras_history": ["q", 0, 0]}},
                                 {"class_name": "__keras_tensor__", "config": {"shape": [null, 5, 16], "keras_history": ["q", 0, 0]}}],
                        "kwargs": {"return_attention_scores": true}}]}],
    "input_layers": ["q", 0, 0], "output_layers": [["mha", 0, 0], ["mha", 0, 1]]}})",
      "m.json",
      {});
  CHECK(r.status == "ok");
  CHECK(row(r, "mha").output_shapes == Shapes{make_shape({-1, 5, 16}), make_shape({-1, 2, 5, 5})});
}

TEST_CASE("a nested model shared by two calls, three levels deep, counts its weights once") {
  // outer Functional → shared Functional 'tower' (called on two inputs) → inner Sequential.
  auto r = lint_text(R"({"class_name": "Functional", "config": {"name": "outer", "layers": [
    {"class_name": "InputLayer", "name": "left", "config": {"name": "left", "batch_input_shape": [null, 6]}, "inbound_nodes": []},
    {"class_name": "InputLayer", "name": "right", "config": {"name": "right", "batch_input_shape": [null, 6]}, "inbound_nodes": []},
    {"class_name": "Functional", "name": "tower", "config": {"name": "tower", "layers": [
        {"class_name": "InputLayer", "name": "t_in", "config": {"name": "t_in", "batch_input_shape": [null, 6]}, "inbound_nodes": []},
        {"class_name": "Sequential", "name": "mlp", "config": {"name": "mlp", "layers": [
            {"class_name": "InputLayer", "config": {"name": "mlp_in", "batch_input_shape": [null, 6]}},
            {"class_name": "Dense", "config": {"name": "h", "units": 4}},
            {"class_name": "Dense", "config": {"name": "o", "units": 3}}]},
         "inbound_nodes": [[["t_in", 0, 0, {}]]]}],
        "input_layers": [["t_in", 0, 0]], "output_layers": [["mlp", 1, 0]]},
     "inbound_nodes": [[["left", 0, 0, {}]], [["right", 0, 0, {}]]]},
    {"class_name": "Subtract", "name": "diff", "config": {"name": "diff"},
     "inbound_nodes": [[["tower", 1, 0, {}], ["tower", 2, 0, {}]]]}],
    "input_layers": [["left", 0, 0], ["right", 0, 0]], "output_layers": [["diff", 0, 0]]},
    "keras_version": "2.11.0"})",
                     "m.json",
                     {});
  CHECK(r.status == "ok");
  CHECK(row(r, "tower").params == 28 + 15);
  CHECK(row(r, "diff").output_shapes == Shapes{make_shape({-1, 3})});
  CHECK(r.params.total == 43);
  REQUIRE(row(r, "tower").layers.size() == 2);
  CHECK(row(r, "tower").layers[1].layers.size() == 3);
}

TEST_CASE("a Keras 3 Functional model refuses data unlike its declared input, on the input layer") {
  auto r = lint_text(
      R"({"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "functional", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "name": "image", "config": {"name": "image", "batch_shape": [null, 28, 28, 1]}, "inbound_nodes": []},
    {"module": "keras.layers", "class_name": "Flatten", "name": "flatten", "config": {"name": "flatten"},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 28, 28, 1], "keras_history": ["image", 0, 0]}}], "kwargs": {}}]},
    {"module": "keras.layers", "class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 10},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 784], "keras_history": ["flatten", 0, 0]}}], "kwargs": {}}]}],
    "input_layers": [["image", 0, 0]], "output_layers": [["dense", 0, 0]]}})",
      "m.json",
      what_if({"25x25x1"}));
  CHECK(r.status == "error");
  std::vector<std::string> where;
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::error)
      where.push_back(d.rule + "@" + d.layer.value_or(""));
  CHECK(where == std::vector<std::string>{"SL109@image", "SL102@dense"});
}

TEST_CASE("rows name and shape the inputs of layers listed before the layers that feed them") {
  // Keras writes producers first; a file may list them in any order. The rows are made last
  // layer first, dropping each layer's result: a layer fed by one listed after it still gets
  // its inputs, and a layer listed before its consumer still names it.
  const std::string listed_backwards =
      R"({"class_name": "Model", "config": {"name": "m", "layers": [
    {"class_name": "Dense", "name": "head", "config": {"name": "head", "units": 3}, "inbound_nodes": [[["mid", 0, 0, {}]]]},
    {"class_name": "Concatenate", "name": "mid", "config": {"name": "mid", "axis": -1}, "inbound_nodes": [[["in", 0, 0, {}], ["wide", 0, 0, {}]]]},
    {"class_name": "Dense", "name": "wide", "config": {"name": "wide", "units": 5}, "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 4]}, "inbound_nodes": []}],
    "input_layers": [["in", 0, 0]], "output_layers": [["head", 0, 0]]}})";
  for (bool cost : {false, true}) {
    LintOptions options;
    options.cost = cost;
    auto r = lint_text(listed_backwards, "m.json", options);
    CHECK(count_errors(r) == 0);
    REQUIRE(r.layers.size() == 4);
    CHECK(r.layers[0].name == "head");  // in the file's order
    CHECK(r.layers[3].name == "in");
    CHECK(to_string(row(r, "head").input_shapes) == "(None, 9)");
    CHECK(to_string(row(r, "mid").input_shapes) == "[(None, 4), (None, 5)]");
    CHECK(row(r, "mid").inbound == NameList{"in", "wide"});
    CHECK(to_string(row(r, "mid").output_shapes) == "(None, 9)");
    CHECK(to_string(row(r, "wide").input_shapes) == "(None, 4)");
    CHECK(row(r, "head").inbound == NameList{"mid"});
  }
}

TEST_CASE("a result's built state and nested results read as absent until set, each kept") {
  LayerResult r;
  CHECK(r.nested() == nullptr);
  CHECK(r.weights().empty());
  r.set_nested(nullptr);  // setting nothing leaves both absent
  r.drop_built_state();
  CHECK(r.nested() == nullptr);

  r.set_built({WeightSpec{"kernel", make_shape({3, 2}), true}}, {});
  auto inner = std::make_unique<ModelResult>();
  inner->layers.resize(2);
  r.set_nested(std::move(inner));
  LayerResult moved = std::move(r);
  CHECK(moved.built);
  REQUIRE(moved.weights().size() == 1);
  CHECK(moved.weights()[0].name == "kernel");
  REQUIRE(moved.nested() != nullptr);
  CHECK(moved.nested()->layers.size() == 2);

  moved.drop_built_state();  // the weights go, the nested results stay
  CHECK(moved.weights().empty());
  CHECK(moved.built);
  REQUIRE(moved.nested() != nullptr);
  CHECK(moved.nested()->layers.size() == 2);
}

TEST_CASE("a large model listed backwards gets the same rows as listed forwards") {
  // Past a quarter megabyte of results the rows are made into a list that is reversed at the end
  // (small models' are made in place): both ways must name and shape every row alike.
  constexpr int kLayers = 12000;
  auto chain = [&](bool backwards) {
    std::vector<std::string> layers;
    layers.push_back(R"({"class_name": "InputLayer", "name": "a0", "config": {"name": "a0", )"
                     R"("batch_input_shape": [null, 8]}, "inbound_nodes": []})");
    for (int i = 1; i < kLayers; ++i)
      layers.push_back(
          fmt::format(R"({{"class_name": "{}", "name": "a{}", "config": {{"name": "a{}"{}}}, )"
                      R"("inbound_nodes": [[["a{}", 0, 0, {{}}]]]}})",
                      i % 2 ? "Activation" : "Dense",
                      i,
                      i,
                      i % 2 ? R"(, "activation": "relu")" : R"(, "units": 8)",
                      i - 1));
    if (backwards)
      std::reverse(layers.begin(), layers.end());
    std::string text = R"({"class_name": "Model", "config": {"name": "m", "layers": [)";
    for (std::size_t i = 0; i < layers.size(); ++i)
      text += (i ? ", " : "") + layers[i];
    return text + fmt::format(R"(], "input_layers": [["a0", 0, 0]], )"
                              R"("output_layers": [["a{}", 0, 0]]}}}})",
                              kLayers - 1);
  };
  LintOptions options;
  options.cost = true;
  auto forwards = lint_text(chain(false), "f.json", options);
  auto backwards = lint_text(chain(true), "b.json", options);
  REQUIRE(forwards.layers.size() == kLayers);
  REQUIRE(backwards.layers.size() == kLayers);
  CHECK(count_errors(backwards) == 0);
  CHECK(backwards.layers.front().name == fmt::format("a{}", kLayers - 1));  // the file's order
  for (std::size_t i = 0; i < kLayers; ++i) {
    const LayerRow& f = forwards.layers[i];
    const LayerRow& b = backwards.layers[kLayers - 1 - i];
    REQUIRE(f.name == b.name);
    CHECK(f.inbound == b.inbound);
    CHECK(to_string(f.input_shapes) == to_string(b.input_shapes));
    CHECK(to_string(f.output_shapes) == to_string(b.output_shapes));
    CHECK(f.params == b.params);
  }
  CHECK(to_string(row(backwards, "a5").input_shapes) == "(None, 8)");
  CHECK(row(backwards, "a5").inbound == NameList{"a4"});
}

TEST_CASE("layers written alike but for their names each get their own outcome and findings") {
  // Three BatchNormalization layers alike but for their names, after the same input; two
  // Conv2D layers alike, each with a kernel larger than its input; one Dense called with an
  // argument (never taken from another call's outcome).
  const std::string model = R"({"class_name": "Model", "config": {"name": "m", "layers": [
  {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 4, 4, 3]}, "inbound_nodes": []},
  {"class_name": "BatchNormalization", "name": "bn_a", "config": {"name": "bn_a", "axis": -1, "momentum": 0.99}, "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"class_name": "BatchNormalization", "name": "bn_b", "config": {"name": "bn_b", "axis": -1, "momentum": 0.99}, "inbound_nodes": [[["bn_a", 0, 0, {}]]]},
  {"class_name": "BatchNormalization", "name": "bn_c", "config": {"name": "bn_c", "axis": -1, "momentum": 0.99}, "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"class_name": "Conv2D", "name": "big_a", "config": {"name": "big_a", "filters": 2, "kernel_size": 5}, "inbound_nodes": [[["bn_b", 0, 0, {}]]]},
  {"class_name": "Conv2D", "name": "big_b", "config": {"name": "big_b", "filters": 2, "kernel_size": 5}, "inbound_nodes": [[["bn_c", 0, 0, {}]]]},
  {"class_name": "Flatten", "name": "flat", "config": {"name": "flat"}, "inbound_nodes": [[["bn_c", 0, 0, {}]]]},
  {"class_name": "Dense", "name": "d_a", "config": {"name": "d_a", "units": 5}, "inbound_nodes": [[["flat", 0, 0, {}]]]},
  {"class_name": "Dense", "name": "d_b", "config": {"name": "d_b", "units": 5}, "inbound_nodes": [[["flat", 0, 0, {"training": false}]]]},
  {"class_name": "BatchNormalization", "name": "odd_a", "config": {"name": "odd_a", "center": 2}, "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"class_name": "BatchNormalization", "name": "odd_b", "config": {"name": "odd_b", "center": 2}, "inbound_nodes": [[["in", 0, 0, {}]]]}],
  "input_layers": [["in", 0, 0]], "output_layers": [["big_a", 0, 0], ["big_b", 0, 0], ["d_a", 0, 0], ["d_b", 0, 0], ["odd_a", 0, 0], ["odd_b", 0, 0]]}})";
  FileReport r = lint_text(model, "m.json", {});
  for (const char* bn : {"bn_a", "bn_b", "bn_c"}) {
    CAPTURE(bn);
    CHECK(row(r, bn).status == "ok");
    CHECK(row(r, bn).params == 12);
    CHECK(to_string(row(r, bn).output_shapes) == "(None, 4, 4, 3)");
  }
  CHECK(row(r, "d_a").params == 245);
  CHECK(row(r, "d_b").params == 245);
  CHECK(to_string(row(r, "d_b").output_shapes) == "(None, 5)");
  // Each failing layer reports its own finding, under its own name; so does each layer
  // whose config holds a bad value, though its rule goes on.
  std::vector<std::string> failing, bad_values;
  for (const auto& d : r.diagnostics) {
    if (d.rule == rule::kBadConfigValue)
      bad_values.push_back(d.json_path);
    else if (d.severity == Severity::error && d.layer)
      failing.push_back(*d.layer);
  }
  std::sort(failing.begin(), failing.end());
  CHECK(failing == std::vector<std::string>{"big_a", "big_b"});
  std::sort(bad_values.begin(), bad_values.end());
  CHECK(bad_values == std::vector<std::string>{"config.layers[10].config.center",
                                               "config.layers[9].config.center"});
  CHECK(row(r, "big_a").status == "error");
  CHECK(row(r, "big_b").status == "error");
}
