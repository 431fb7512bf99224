// The loader: every JSON dialect becomes the same graph, and bad input is a finding with the
// JSON path, never a crash.
#include <string>

#include <catch2/catch.hpp>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/json/document.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/model/graph.hpp"
#include "shapelint/model/loader.hpp"

using namespace shapelint;

namespace {

FileReport lint(const std::string& text) {
  return lint_text(text, "model.json", {});
}

const Diagnostic* find(const FileReport& r, std::string_view rule) {
  for (const auto& d : r.diagnostics)
    if (d.rule == rule)
      return &d;
  return nullptr;
}

const std::string kKeras2Functional = R"({"class_name": "Model", "config": {"name": "m",
  "layers": [
    {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 8]}, "inbound_nodes": []},
    {"class_name": "Dense", "name": "d1", "config": {"name": "d1", "units": 4}, "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "Dense", "name": "d2", "config": {"name": "d2", "units": 2}, "inbound_nodes": [[["d1", 0, 0, {}]]]}],
  "input_layers": [["in", 0, 0]], "output_layers": [["d2", 0, 0]]}, "keras_version": "2.4.0"})";

const std::string kKeras3Functional =
    R"({"module": "keras.src.models.functional", "class_name": "Functional",
  "config": {"name": "m", "trainable": true, "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_shape": [null, 8], "dtype": "float32"}, "inbound_nodes": []},
    {"module": "keras.layers", "class_name": "Dense", "name": "d1", "config": {"name": "d1", "units": 4, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 8], "dtype": "float32", "keras_history": ["in", 0, 0]}}], "kwargs": {}}]},
    {"module": "keras.layers", "class_name": "Dense", "name": "d2", "config": {"name": "d2", "units": 2},
     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["d1", 0, 0]}}], "kwargs": {}}]}],
  "input_layers": ["in", 0, 0], "output_layers": ["d2", 0, 0]}, "registered_name": "Functional"})";

}  // namespace

TEST_CASE("the same model in Keras 2 and Keras 3 form gives the same layers") {
  auto k2 = lint(kKeras2Functional);
  auto k3 = lint(kKeras3Functional);
  CHECK(k2.format == "keras2-json");
  CHECK(k3.format == "keras3-json");
  REQUIRE(k2.layers.size() == 3);
  REQUIRE(k3.layers.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(k2.layers[i].name == k3.layers[i].name);
    CHECK(k2.layers[i].output_shapes == k3.layers[i].output_shapes);
    CHECK(k2.layers[i].params == k3.layers[i].params);
  }
  CHECK(k2.layers[2].output_shapes == Shapes{make_shape({-1, 2})});
  CHECK(k2.layers[1].params == 36);
  CHECK(k2.status == "ok");
}

TEST_CASE("a Keras <= 2.1 Sequential written as a bare list of layers is read") {
  auto r = lint(R"({"class_name": "Sequential", "keras_version": "2.0.6", "config": [
      {"class_name": "Dense", "config": {"name": "dense_1", "units": 3, "batch_input_shape": [null, 5]}},
      {"class_name": "Dense", "config": {"name": "dense_2", "units": 1}}]})");
  CHECK(r.format == "keras2-json");
  REQUIRE(r.layers.size() == 2);  // no InputLayer entry: the config has none
  CHECK(r.layers[0].output_shapes == Shapes{make_shape({-1, 3})});
  CHECK(r.layers[1].params == 4);
}

TEST_CASE("Keras 1 names are translated before the rules run") {
  auto r = lint(R"({"class_name": "Sequential", "keras_version": "1.2.1", "config": [
      {"class_name": "Convolution2D", "config": {"name": "c", "nb_filter": 8, "nb_row": 3, "nb_col": 3,
        "border_mode": "valid", "subsample": [2, 2], "dim_ordering": "tf", "bias": true,
        "batch_input_shape": [null, 32, 32, 3]}},
      {"class_name": "Flatten", "config": {"name": "f"}},
      {"class_name": "Dense", "config": {"name": "d", "output_dim": 10}}]})");
  CHECK(r.format == "keras1-json");
  REQUIRE(r.layers.size() == 3);
  CHECK(r.layers[0].class_name == "Convolution2D");
  CHECK(r.layers[0].output_shapes == Shapes{make_shape({-1, 15, 15, 8})});
  CHECK(r.layers[0].params == 224);
  CHECK(r.layers[2].params == 18010);
}

TEST_CASE("a TensorFlow.js model.json is unwrapped") {
  auto r =
      lint(R"({"format": "layers-model", "modelTopology": {"keras_version": "2.4.0", "model_config":
      {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "batch_input_shape": [null, 3]}}]}}},
      "weightsManifest": []})");
  CHECK(r.format == "tfjs-layers");
  REQUIRE(r.layers.size() == 1);
  CHECK(r.layers[0].params == 8);
}

TEST_CASE("bad input is a finding naming the JSON path, and the file is invalid") {
  struct Row {
    const char* name;
    std::string text;
    std::string_view rule;
    std::string path_fragment;
  };

  const Row rows[] = {
      {"invalid JSON", R"({"class_name": "Sequential", "config": )", rule::kInvalidJson, "line 1"},
      {"not a model",
       R"({"name": "my-package", "version": "1.0.0"})",
       rule::kNotAModel,
       "class_name"},
      {"a wrong type at a JSON path",
       R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
           {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 8, 8, 1]}},
           {"class_name": "Conv2D", "config": {"name": "c", "filters": 4, "kernel_size": "three"}}]}})",
       rule::kBadConfigValue,
       "config.layers[1].config.kernel_size"},
      {"a missing class_name",
       R"({"class_name": "Sequential", "config": {"name": "s", "layers": [{"config": {"name": "x"}}]}})",
       rule::kBadConfigValue,
       "config.layers[0].class_name"},
      {"a dangling inbound name",
       R"({"class_name": "Model", "config": {"name": "m", "layers": [
           {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 8]}, "inbound_nodes": []},
           {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2}, "inbound_nodes": [[["nope", 0, 0, {}]]]}],
           "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}})",
       rule::kDanglingReference,
       "config.layers[1].inbound_nodes[0][0]"},
      {"a tensor index past 32 bits (a reference keeps 32)",
       R"({"class_name": "Model", "config": {"name": "m", "layers": [
           {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 8]}, "inbound_nodes": []},
           {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2}, "inbound_nodes": [[["in", 0, 4294967296, {}]]]}],
           "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}})",
       rule::kDanglingReference,
       "output tensor 4294967296 of layer 'in'"},
      {"a cycle",
       R"({"class_name": "Model", "config": {"name": "m", "layers": [
           {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 8]}, "inbound_nodes": []},
           {"class_name": "Add", "name": "a", "config": {"name": "a"}, "inbound_nodes": [[["in", 0, 0, {}], ["b", 0, 0, {}]]]},
           {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 8}, "inbound_nodes": [[["a", 0, 0, {}]]]}],
           "input_layers": [["in", 0, 0]], "output_layers": [["b", 0, 0]]}})",
       rule::kCycle,
       "config.layers[1].inbound_nodes[0]"},
      {"a duplicate layer name",
       R"({"class_name": "Model", "config": {"name": "m", "layers": [
           {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [null, 8]}, "inbound_nodes": []},
           {"class_name": "Dense", "name": "in", "config": {"name": "in", "units": 2}, "inbound_nodes": [[["in", 0, 0, {}]]]}],
           "input_layers": [["in", 0, 0]], "output_layers": [["in", 0, 0]]}})",
       rule::kDuplicateLayerName,
       "config.layers[1]"},
      {"a Git LFS pointer",
       "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n",
       rule::kUnreadable,
       ""},
      {"an empty file", "", rule::kInvalidJson, ""},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      auto r = lint(row.text);
      CHECK(r.status == "invalid");
      const Diagnostic* d = find(r, row.rule);
      REQUIRE(d != nullptr);
      INFO(d->message << " @ " << d->json_path);
      CHECK((d->json_path.find(row.path_fragment) != std::string::npos ||
             d->message.find(row.path_fragment) != std::string::npos));
    }
  }
}

TEST_CASE("a subclassed model saved with an empty config is read without a crash") {
  auto r = lint(R"({"class_name": "VAE", "config": {}, "keras_version": "2.14.0"})");
  CHECK(r.status == "ok");
  CHECK(find(r, rule::kSubclassedModel) != nullptr);
}

TEST_CASE("a custom layer names its class and leaves the shapes after it unknown") {
  auto r = lint(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 8]}},
      {"class_name": "MyAttention", "config": {"name": "att"}},
      {"class_name": "Flatten", "config": {"name": "f"}},
      {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}})");
  // Flatten of an unknown shape gives (None, None), which Dense would reject; but that None
  // is shapelint's ignorance, not Keras's, so it is no error.
  CHECK(r.status == "ok");
  const Diagnostic* d = find(r, rule::kUnknownLayerClass);
  REQUIRE(d != nullptr);
  CHECK(d->message.find("MyAttention") != std::string::npos);
  REQUIRE(r.layers.size() == 4);
  CHECK(r.layers[3].status == "unknown");
}

TEST_CASE("a near-miss class name gets a did-you-mean suggestion") {
  auto r = lint(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 8, 8, 1]}},
      {"class_name": "Conv2d", "config": {"name": "c", "filters": 2, "kernel_size": 3}}]}})");
  const Diagnostic* d = find(r, rule::kUnknownLayerClass);
  REQUIRE(d != nullptr);
  CHECK(d->hint.find("Conv2D") != std::string::npos);
}

TEST_CASE("a Lambda with a declared output_shape list keeps propagating") {
  auto r = lint(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 8]}},
      {"class_name": "Lambda", "config": {"name": "l", "function": ["4wEAAAAA", null, null], "function_type": "lambda", "output_shape": [4, 2], "output_shape_type": "raw"}},
      {"class_name": "Dense", "config": {"name": "d", "units": 3}}]}})");
  REQUIRE(r.layers.size() == 3);
  CHECK(r.layers[1].output_shapes == Shapes{make_shape({-1, 4, 2})});
  CHECK(r.layers[2].output_shapes == Shapes{make_shape({-1, 4, 3})});
}

TEST_CASE("JSON nested deeper than any Keras config is refused without recursion") {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto r = lint(deep);
  CHECK(r.status == "invalid");
  REQUIRE(find(r, rule::kInvalidJson) != nullptr);
  CHECK(find(r, rule::kInvalidJson)->message.find("nested") != std::string::npos);
  std::string objects;
  for (int i = 0; i < 600; ++i)
    objects += "{\"a\": ";
  objects += "1" + std::string(600, '}');
  CHECK(lint(objects).status == "invalid");
}

TEST_CASE("two layers of one name in a Sequential are refused, as Keras refuses them") {
  auto r = lint(R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 8]}},
      {"class_name": "Dense", "config": {"name": "d", "units": 4}},
      {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}})");
  CHECK(r.status == "invalid");
  const Diagnostic* d = find(r, rule::kDuplicateLayerName);
  REQUIRE(d != nullptr);
  CHECK(d->json_path == "config.layers[2]");
}

TEST_CASE("a layer's rule class is its class name unless the loader mapped it") {
  Layer layer;
  layer.class_name = "NoSuchLayer";
  CHECK(layer.rule_class() == "NoSuchLayer");
  CHECK(layer.builtin_rule() == nullptr);
  layer.set_rule_class("Dense");  // as a Keras 1 class is mapped to its Keras 2 one
  CHECK(layer.rule_class() == "Dense");
  CHECK(layer.class_name == "NoSuchLayer");
  CHECK(layer.builtin_rule() != nullptr);  // looked up again, for the class now set
  Layer moved = std::move(layer);
  CHECK(moved.rule_class() == "Dense");
  moved.set_rule_class("NoSuchLayer");  // its own name again: nothing mapped is kept
  moved.class_name = "Flatten";
  CHECK(moved.rule_class() == "Flatten");  // and it follows the class name from then on
  CHECK(moved.builtin_rule() != nullptr);
}

TEST_CASE("a layer's rarely set members read as absent until set, and each keeps its own") {
  Layer layer;
  CHECK(layer.nested() == nullptr);
  CHECK_FALSE(layer.batch_shape());
  CHECK_FALSE(layer.build_input_shapes());
  CHECK(layer.owned_config() == nullptr);
  layer.set_batch_shape(std::nullopt);  // setting nothing leaves them all absent
  layer.set_nested(nullptr);
  CHECK_FALSE(layer.batch_shape());

  layer.set_batch_shape(Shape{Dim(), Dim::of(28)});
  layer.set_build_input_shapes(Shapes{Shape{Dim(), Dim::of(3)}});
  auto nested = std::make_unique<Model>();
  nested->name = "inner";
  layer.set_nested(std::move(nested));
  JsonParseError error;
  std::shared_ptr<const JsonDocument> doc = JsonDocument::parse(R"({"units": 4})", 64, error);
  layer.own_config(doc);
  layer.set_rule_class("Dense");

  Layer moved = std::move(layer);
  REQUIRE(moved.batch_shape());
  CHECK(*moved.batch_shape() == Shape{Dim(), Dim::of(28)});
  REQUIRE(moved.build_input_shapes());
  CHECK(moved.build_input_shapes()->front() == Shape{Dim(), Dim::of(3)});
  REQUIRE(moved.nested() != nullptr);
  CHECK(moved.nested()->name == "inner");
  CHECK(moved.owned_config() == doc);
  CHECK(moved.config()["units"] == 4);  // the config is the owned document's root
  CHECK(moved.rule_class() == "Dense");

  moved.set_batch_shape(std::nullopt);  // one cleared, the others kept
  CHECK_FALSE(moved.batch_shape());
  CHECK(moved.nested() != nullptr);
  CHECK(moved.rule_class() == "Dense");
}

TEST_CASE("layers borrow their names and classes from the document; made-up ones own theirs") {
  // A Sequential whose first layer carries the input shape: the loader makes its input.
  LoadedModel loaded = load_model_json(R"({"class_name": "Sequential", "config": {"name": "s",
      "layers": [{"class_name": "Dense", "config": {"name": "dense_with_a_long_name",
        "units": 2, "batch_input_shape": [null, 3]}}]}})");
  REQUIRE(loaded.model);
  REQUIRE(loaded.model->layers.size() == 2);
  const Layer& made = loaded.model->layers[0];
  const Layer& read = loaded.model->layers[1];
  CHECK(made.implicit_input);
  CHECK(made.name == "dense_with_a_long_name_input");
  CHECK_FALSE(made.name.borrowed());  // no document holds it: the layer does
  CHECK(read.name == "dense_with_a_long_name");
  CHECK(read.class_name == "Dense");
  // Views of the document's strings: they point into it, not to copies.
  CHECK(read.name.borrowed());
  CHECK(read.class_name.borrowed());
  CHECK(read.name.data() ==
        loaded.document->root()["config"]["layers"][0]["config"]["name"].as_string().data());
}

TEST_CASE("a layer finds its config and its calls' places by index in its object's document") {
  LoadedModel loaded = load_model_json(R"({"class_name": "Functional", "config": {"name": "f",
      "layers": [
        {"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
         "config": {"name": "in", "batch_input_shape": [null, 3]}},
        {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2},
         "inbound_nodes": [[["in", 0, 0, {}]], [["in", 0, 0, {}]]]}],
      "input_layers": [["in", 0, 0]], "output_layers": [["d", 1, 0]]}})");
  REQUIRE(loaded.model);
  const Layer& dense = loaded.model->layers[1];
  CHECK(dense.config()["units"] == 2);
  CHECK(dense.config().path() == "config.layers[1].config");
  REQUIRE(dense.nodes.size() == 2);
  CHECK(dense.call_path(dense.nodes[0]) == "config.layers[1].inbound_nodes[0]");
  CHECK(dense.call_path(dense.nodes[1]) == "config.layers[1].inbound_nodes[1]");

  Layer made;  // no object, no config, a call the loader made
  made.nodes.push_back(Node{});
  CHECK_FALSE(made.config());
  CHECK_FALSE(made.call_source(made.nodes[0]));
  CHECK(made.call_path(made.nodes[0]).empty());
  made.own_config(nullptr);  // none given: still none
  CHECK_FALSE(made.config());
}

TEST_CASE("a JSON value's index finds it again in its document") {
  JsonParseError error;
  auto doc = JsonDocument::parse(R"({"a": [1, {"b": "x"}], "c": null})", 64, error);
  REQUIRE(doc);
  JsonValue root = doc->root();
  JsonValue b = root["a"][1]["b"];
  CHECK(root.at_index(b.index()).as_string() == "x");
  CHECK(root.at_index(b.index()).path() == "a[1].b");
  CHECK(root.at_index(root.index()).is_object());
  CHECK(root["missing"].index() == JsonValue::kNoIndex);
  CHECK_FALSE(root.at_index(JsonValue::kNoIndex));
  CHECK_FALSE(JsonValue().at_index(0));  // no document to look in
}

TEST_CASE("a call keeps its keyword arguments unless they are an empty object") {
  JsonParseError error;
  auto doc =
      JsonDocument::parse(R"({"none": {}, "some": {"training": false}, "odd": [1]})", 64, error);
  REQUIRE(doc);
  Node node;
  CHECK_FALSE(node.call_kwargs());
  node.set_call_kwargs(doc->root()["none"]);  // tf.keras 2 writes {} for every call
  CHECK_FALSE(node.call_kwargs());
  node.set_call_kwargs(doc->root()["some"]);
  CHECK(node.call_kwargs()["training"] == false);
  node.set_call_kwargs(doc->root()["odd"]);  // not an object: nothing to find in it
  CHECK_FALSE(node.call_kwargs());
  node.set_call_kwargs(doc->root()["some"]);
  node.set_call_kwargs(doc->root()["none"]);  // set again: the earlier ones are gone
  CHECK_FALSE(node.call_kwargs());
}
