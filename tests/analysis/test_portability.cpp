// --target (SL401..SL404): what tf.keras 2, Keras 3 or TensorFlow.js cannot load. Every
// expectation comes from the target: Keras 3.16 (the Keras 3 oracle, or keras/src), TensorFlow.js
// 4.22 (tf.models.modelFromJSON and predict), tf.keras 2 from its source (tf_keras/layers).
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/config_fixtures.hpp"
#include "shapelint/analysis/portability.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"
#include <sys/wait.h>

using namespace shapelint;
using analysis::Target;
using json = nlohmann::json;

namespace {

json k2_layer(std::string cls, json config) {
  return {{"class_name", std::move(cls)}, {"config", std::move(config)}};
}

/// A tf.keras 2 Sequential whose InputLayer has `batch_input_shape`.
json k2_sequential(json input_shape, std::vector<json> layers) {
  json all = json::array(
      {k2_layer("InputLayer", {{"name", "in"}, {"batch_input_shape", std::move(input_shape)}})});
  for (auto& l : layers)
    all.push_back(std::move(l));
  return {{"class_name", "Sequential"},
          {"config", {{"name", "seq"}, {"layers", std::move(all)}}},
          {"keras_version", "2.15.0"},
          {"backend", "tensorflow"}};
}

json k3_layer(std::string cls, json config) {
  return {{"module", "keras.layers"},
          {"class_name", std::move(cls)},
          {"registered_name", nullptr},
          {"config", std::move(config)}};
}

json k3_sequential(json batch_shape, std::vector<json> layers) {
  json all = json::array(
      {k3_layer("InputLayer", {{"name", "in"}, {"batch_shape", std::move(batch_shape)}})});
  for (auto& l : layers)
    all.push_back(std::move(l));
  return {{"module", "keras"},
          {"class_name", "Sequential"},
          {"registered_name", nullptr},
          {"config", {{"name", "seq"}, {"layers", std::move(all)}}}};
}

json k3_functional_dense() {
  json in = k3_layer("InputLayer", {{"name", "in"}, {"batch_shape", {nullptr, 8}}});
  in["name"] = "in";
  in["inbound_nodes"] = json::array();
  json d = k3_layer("Dense", {{"name", "d"}, {"units", 2}});
  d["name"] = "d";
  d["inbound_nodes"] = json::array({{{"args",
                                      json::array({{{"class_name", "__keras_tensor__"},
                                                    {"config",
                                                     {{"shape", {nullptr, 8}},
                                                      {"dtype", "float32"},
                                                      {"keras_history", {"in", 0, 0}}}}}})},
                                     {"kwargs", json::object()}}});
  return {{"module", "keras.src.models.functional"},
          {"class_name", "Functional"},
          {"registered_name", "Functional"},
          {"config",
           {{"name", "m"},
            {"layers", {in, d}},
            {"input_layers", {{"in", 0, 0}}},
            {"output_layers", {{"d", 0, 0}}}}}};
}

json conv(std::string cls, std::string padding, json kernel) {
  return k2_layer(std::move(cls),
                  {{"name", "c"},
                   {"filters", 4},
                   {"kernel_size", std::move(kernel)},
                   {"padding", std::move(padding)}});
}

// A Python 3 lambda marshalled by tf.keras 2 (`lambda x: x * 2`).
const char* kLambdaCode =
    "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA+h48aXB5"
    "dGhvbi1pbnB1dC0xLTRkNmFmYTg0MmQ4ZT7aCDxsYW1iZGE+AQAAAHMAAAAA";

json lambda_layer() {
  return k2_layer("Lambda",
                  {{"name", "lam"},
                   {"function", {kLambdaCode, nullptr, nullptr}},
                   {"function_type", "lambda"},
                   {"output_shape", nullptr},
                   {"output_shape_type", "raw"},
                   {"arguments", json::object()}});
}

json keras1_conv_model() {
  return {{"class_name", "Sequential"},
          {"config",
           {{"name", "k1"},
            {"layers",
             {k2_layer("Convolution2D",
                       {{"name", "c"},
                        {"nb_filter", 4},
                        {"nb_row", 3},
                        {"nb_col", 3},
                        {"border_mode", "valid"},
                        {"subsample", {1, 1}},
                        {"dim_ordering", "tf"},
                        {"batch_input_shape", {nullptr, 20, 20, 3}}})}}}},
          {"keras_version", "1.2.1"}};
}

struct Row {
  const char* name;
  json doc;
  Target target;
  std::vector<std::string> rules;  ///< the SL4xx findings, in order
  std::string message_part;        ///< in the first one
  std::string json_path;           ///< of the first one
};

std::vector<const Diagnostic*> portability_findings(const FileReport& r) {
  std::vector<const Diagnostic*> out;
  for (const auto& d : r.diagnostics)
    if (d.rule.rfind("SL4", 0) == 0)
      out.push_back(&d);
  return out;
}

std::string describe(const FileReport& r) {
  std::string out = fmt::format("status {}", r.status);
  for (const auto& d : r.diagnostics)
    out += fmt::format("\n  [{}] {} ({})", d.rule, d.message, d.json_path);
  return out;
}

FileReport lint_for(const json& doc, std::optional<Target> target) {
  LintOptions options;
  options.target = target;
  return lint_text(doc.dump(), "model.json", options);
}

void check_rows(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name << " --target " << analysis::to_string(row.target)) {
      FileReport r = lint_for(row.doc, row.target);
      INFO(describe(r));
      auto found = portability_findings(r);
      std::vector<std::string> ids;
      for (const auto* d : found)
        ids.push_back(d->rule);
      CHECK(ids == row.rules);
      if (!found.empty()) {
        CHECK(found[0]->message.find(row.message_part) != std::string::npos);
        CHECK(found[0]->json_path == row.json_path);
        CHECK(found[0]->line > 0);
        REQUIRE(found[0]->layer);
      }
      // Without --target, none of these is reported.
      CHECK(portability_findings(lint_for(row.doc, std::nullopt)).empty());
    }
  }
}

}  // namespace

TEST_CASE("the target option: keras3: what Keras 3 (oracle, 3.16) refuses") {
  std::vector<Row> rows = {
      {"tf.keras 2 LSTM with time_major (Unrecognized keyword arguments passed to LSTM)",
       k2_sequential({nullptr, 20, 3},
                     {k2_layer("LSTM", {{"name", "l"}, {"units", 4}, {"time_major", false}})}),
       Target::keras3,
       {"SL402"},
       "Unrecognized keyword arguments passed to LSTM: {'time_major': False}",
       "config.layers[1].config.time_major"},
      {"time_major inside Bidirectional",
       k2_sequential(
           {nullptr, 20, 3},
           {k2_layer("Bidirectional",
                     {{"name", "bi"},
                      {"merge_mode", "concat"},
                      {"layer",
                       {{"class_name", "GRU"},
                        {"config", {{"name", "g"}, {"units", 4}, {"time_major", false}}}}}})}),
       Target::keras3,
       {"SL402"},
       "GRU 'g' has the tf.keras 2 argument time_major",
       "config.layers[1].config.layer.config.time_major"},
      {"Conv2D with causal padding (The `padding` argument must be ... {'valid', 'same'})",
       k2_sequential({nullptr, 20, 20, 3}, {conv("Conv2D", "causal", {3, 3})}),
       Target::keras3,
       {"SL402"},
       "Received: causal",
       "config.layers[1].config.padding"},
      {"SeparableConv1D with causal padding (refused too)",
       k2_sequential({nullptr, 20, 3}, {conv("SeparableConv1D", "causal", {3})}),
       Target::keras3,
       {"SL402"},
       "only in Conv1D",
       "config.layers[1].config.padding"},
      {"Conv1D with causal padding loads",
       k2_sequential({nullptr, 20, 3}, {conv("Conv1D", "causal", {3})}),
       Target::keras3,
       {},
       "",
       ""},
      {"LocallyConnected2D (Unknown layer: 'LocallyConnected2D')",
       k2_sequential({nullptr, 8, 8, 3},
                     {k2_layer("LocallyConnected2D",
                               {{"name", "x"}, {"filters", 2}, {"kernel_size", {3, 3}}})}),
       Target::keras3,
       {"SL401"},
       "Unknown layer: 'LocallyConnected2D'",
       "config.layers[1].class_name"},
      {"CuDNNLSTM",
       k2_sequential({nullptr, 8, 3}, {k2_layer("CuDNNLSTM", {{"name", "x"}, {"units", 2}})}),
       Target::keras3,
       {"SL401"},
       "CuDNNLSTM",
       "config.layers[1].class_name"},
      {"ThresholdedReLU (only in keras._legacy.layers, which the loader does not read)",
       k2_sequential({nullptr, 8}, {k2_layer("ThresholdedReLU", {{"name", "x"}, {"theta", 1.0}})}),
       Target::keras3,
       {"SL401"},
       "ThresholdedReLU",
       "config.layers[1].class_name"},
      {"RandomHeight",
       k2_sequential({nullptr, 8, 8, 3},
                     {k2_layer("RandomHeight", {{"name", "x"}, {"factor", 0.1}})}),
       Target::keras3,
       {"SL401"},
       "RandomHeight",
       "config.layers[1].class_name"},
      {"UnitNormalization loads",
       k2_sequential({nullptr, 8}, {k2_layer("UnitNormalization", {{"name", "x"}})}),
       Target::keras3,
       {},
       "",
       ""},
      {"batch_input_shape on a Sequential's first Conv2D (Kernel shape must have the same "
       "length as input ... (None, None, 20, 20, 3))",
       json{{"class_name", "Sequential"},
            {"config",
             {{"name", "s"},
              {"layers",
               {k2_layer("Conv2D",
                         {{"name", "c"},
                          {"filters", 4},
                          {"kernel_size", {3, 3}},
                          {"batch_input_shape", {nullptr, 20, 20, 3}}}),
                k2_layer("Flatten", {{"name", "f"}})}}}},
            {"keras_version", "2.4.0"}},
       Target::keras3,
       {"SL402"},
       "input becomes (None, None, 20, 20, 3) and the layer fails",
       "config.layers[0].config.batch_input_shape"},
      {"batch_input_shape on a Sequential's first Dense (oracle: output (None, None, 2))",
       json{{"class_name", "Sequential"},
            {"config",
             {{"name", "s"},
              {"layers",
               {k2_layer("Dense",
                         {{"name", "d"}, {"units", 4}, {"batch_input_shape", {nullptr, 8}}}),
                k2_layer("Dense", {{"name", "e"}, {"units", 2}})}}}},
            {"keras_version", "2.4.0"}},
       Target::keras3,
       {"SL402"},
       "(None, None, 8), and every shape after it has an extra axis",
       "config.layers[0].config.batch_input_shape"},
      {"a Keras 1 Convolution2D (Unknown layer: 'Convolution2D')",
       keras1_conv_model(),
       Target::keras3,
       {"SL403"},
       "Keras 1 Convolution2D",
       "config.layers[0].class_name"},
      {"a Lambda of bytecode (refused in safe mode)",
       k2_sequential({nullptr, 8}, {lambda_layer()}),
       Target::keras3,
       {"SL404"},
       "safe_mode=False",
       "config.layers[1].config.function"},
      {"a custom class is SL010's, not the target's",
       k2_sequential({nullptr, 8}, {k2_layer("MyLayer", {{"name", "x"}})}),
       Target::keras3,
       {},
       "",
       ""},
      {"a Keras 3 file", k3_functional_dense(), Target::keras3, {}, "", ""},
  };
  check_rows(rows);
}

TEST_CASE("the target option: tfjs: what TensorFlow.js 4.22 refuses") {
  std::vector<Row> rows = {
      {"a Keras 3 Functional model: batch_shape, then args/kwargs nodes",
       k3_functional_dense(),
       Target::tfjs,
       {"SL403", "SL403"},
       "An InputLayer should be passed either a `batchInputShape` or an `inputShape`.",
       "config.layers[0].config.batch_shape"},
      {"a Keras 3 Sequential model: batch_shape",
       k3_sequential({nullptr, 8}, {k3_layer("Dense", {{"name", "d"}, {"units", 2}})}),
       Target::tfjs,
       {"SL403"},
       "batch_shape",
       "config.layers[0].config.batch_shape"},
      {"Conv1D with causal padding: loads, fails in predict",
       k2_sequential({nullptr, 20, 3}, {conv("Conv1D", "causal", {3})}),
       Target::tfjs,
       {"SL402"},
       "CAUSAL padding mode",
       "config.layers[1].config.padding"},
      {"GRU with reset_after=True",
       k2_sequential({nullptr, 20, 3},
                     {k2_layer("GRU", {{"name", "g"}, {"units", 4}, {"reset_after", true}})}),
       Target::tfjs,
       {"SL402"},
       "GRUCell does not support reset_after parameter set to true.",
       "config.layers[1].config.reset_after"},
      {"GRU with reset_after=False loads",
       k2_sequential({nullptr, 20, 3},
                     {k2_layer("GRU", {{"name", "g"}, {"units", 4}, {"reset_after", false}})}),
       Target::tfjs,
       {},
       "",
       ""},
      {"LSTM with time_major loads (ignored)",
       k2_sequential({nullptr, 20, 3},
                     {k2_layer("LSTM", {{"name", "l"}, {"units", 4}, {"time_major", false}})}),
       Target::tfjs,
       {},
       "",
       ""},
      {"Lambda (Unknown layer: Lambda)",
       k2_sequential({nullptr, 8}, {lambda_layer()}),
       Target::tfjs,
       {"SL401"},
       "Unknown layer: Lambda",
       "config.layers[1].class_name"},
      {"SeparableConv1D with causal padding: the class alone is reported",
       k2_sequential({nullptr, 20, 3}, {conv("SeparableConv1D", "causal", {3})}),
       Target::tfjs,
       {"SL401"},
       "SeparableConv1D",
       "config.layers[1].class_name"},
      {"Subtract",
       json{{"class_name", "Functional"},
            {"config",
             {{"name", "m"},
              {"layers",
               {{{"class_name", "InputLayer"},
                 {"name", "a"},
                 {"config", {{"name", "a"}, {"batch_input_shape", {nullptr, 4}}}},
                 {"inbound_nodes", json::array()}},
                {{"class_name", "Subtract"},
                 {"name", "s"},
                 {"config", {{"name", "s"}}},
                 {"inbound_nodes", {{{"a", 0, 0, json::object()}, {"a", 0, 0, json::object()}}}}}}},
              {"input_layers", {{"a", 0, 0}}},
              {"output_layers", {{"s", 0, 0}}}}},
            {"keras_version", "2.15.0"}},
       Target::tfjs,
       {"SL401"},
       "Subtract",
       "config.layers[1].class_name"},
      {"Identity (an initializer in tfjs)",
       k2_sequential({nullptr, 8}, {k2_layer("Identity", {{"name", "x"}})}),
       Target::tfjs,
       {"SL401"},
       "initializer",
       "config.layers[1].class_name"},
      {"a Keras 1 model",
       keras1_conv_model(),
       Target::tfjs,
       {"SL403"},
       "Keras 1",
       "config.layers[0].class_name"},
      {"a plain tf.keras 2 CNN loads",
       k2_sequential({nullptr, 20, 20, 3},
                     {conv("Conv2D", "same", {3, 3}),
                      k2_layer("GlobalAveragePooling2D", {{"name", "gap"}}),
                      k2_layer("Dense", {{"name", "d"}, {"units", 2}})}),
       Target::tfjs,
       {},
       "",
       ""},
  };
  check_rows(rows);
}

TEST_CASE("the target option: keras2: what tf.keras 2 refuses (tf_keras source)") {
  std::vector<Row> rows = {
      {"a Keras 3 Sequential model: batch_shape",
       k3_sequential({nullptr, 8}, {k3_layer("Dense", {{"name", "d"}, {"units", 2}})}),
       Target::keras2,
       {"SL403"},
       "tf.keras 2 reads only batch_input_shape",
       "config.layers[0].config.batch_shape"},
      {"a Keras 3 Functional model: batch_shape, then args/kwargs nodes",
       k3_functional_dense(),
       Target::keras2,
       {"SL403", "SL403"},
       "batch_shape",
       "config.layers[0].config.batch_shape"},
      {"a Keras 3-only layer",
       k3_sequential({nullptr, 8}, {k3_layer("RMSNormalization", {{"name", "n"}})}),
       Target::keras2,
       {"SL403", "SL401"},
       "batch_shape",
       "config.layers[0].config.batch_shape"},
      {"Conv2D with causal padding (only Conv1D and SeparableConv1D)",
       k2_sequential({nullptr, 20, 20, 3}, {conv("Conv2D", "causal", {3, 3})}),
       Target::keras2,
       {"SL402"},
       "Causal padding is only supported for",
       "config.layers[1].config.padding"},
      {"SeparableConv1D with causal padding loads",
       k2_sequential({nullptr, 20, 3}, {conv("SeparableConv1D", "causal", {3})}),
       Target::keras2,
       {},
       "",
       ""},
      {"a Keras 1 model (Keras 2 converted Keras 1 configs)",
       keras1_conv_model(),
       Target::keras2,
       {},
       "",
       ""},
      {"a Lambda of bytecode",
       k2_sequential({nullptr, 8}, {lambda_layer()}),
       Target::keras2,
       {"SL404"},
       "Python version",
       "config.layers[1].config.function"},
      {"a Lambda naming a function is not bytecode",
       k2_sequential({nullptr, 8},
                     {k2_layer("Lambda",
                               {{"name", "lam"},
                                {"function", "my_module.double"},
                                {"function_type", "function"},
                                {"output_shape", {8}}})}),
       Target::keras2,
       {},
       "",
       ""},
      {"LSTM with time_major loads",
       k2_sequential({nullptr, 20, 3},
                     {k2_layer("LSTM", {{"name", "l"}, {"units", 4}, {"time_major", false}})}),
       Target::keras2,
       {},
       "",
       ""},
  };
  check_rows(rows);
}

TEST_CASE(
    "the target option: inside a nested model names the outer layer and points at the inner one") {
  json inner = k2_sequential(
      {nullptr, 20, 3}, {k2_layer("LSTM", {{"name", "l"}, {"units", 4}, {"time_major", false}})});
  inner["config"]["name"] = "encoder";
  json doc = k2_sequential({nullptr, 20, 3}, {inner});
  FileReport r = lint_for(doc, Target::keras3);
  INFO(describe(r));
  auto found = portability_findings(r);
  REQUIRE(found.size() == 1);
  CHECK(found[0]->rule == "SL402");
  CHECK(found[0]->layer == std::optional<std::string>("encoder"));
  CHECK(found[0]->json_path == "config.layers[1].config.layers[1].config.time_major");
  CHECK(found[0]->message.rfind("in 'encoder', ", 0) == 0);
}

TEST_CASE("targets parse, print and know their layer classes") {
  CHECK(analysis::parse_target("keras2") == Target::keras2);
  CHECK(analysis::parse_target("keras3") == Target::keras3);
  CHECK(analysis::parse_target("tfjs") == Target::tfjs);
  CHECK_FALSE(analysis::parse_target("keras"));
  CHECK_FALSE(analysis::parse_target("TFJS"));
  CHECK(std::string(analysis::to_string(Target::tfjs)) == "tfjs");
  // tf.serialization's class map of @tensorflow/tfjs 4.22.
  for (const char* cls : {"Conv1D",
                          "LSTM",
                          "GRU",
                          "Bidirectional",
                          "TimeDistributed",
                          "LayerNormalization",
                          "Rescaling",
                          "ThresholdedReLU",
                          "RandomWidth"})
    CHECK(analysis::target_has_layer(Target::tfjs, cls));
  for (const char* cls : {"Lambda",
                          "Subtract",
                          "MultiHeadAttention",
                          "Attention",
                          "Conv1DTranspose",
                          "SeparableConv1D",
                          "Cropping1D",
                          "UpSampling1D",
                          "ZeroPadding1D",
                          "GlobalAveragePooling3D",
                          "SpatialDropout2D",
                          "GroupNormalization",
                          "Normalization",
                          "RandomFlip",
                          "RandomHeight",
                          "EinsumDense"})
    CHECK_FALSE(analysis::target_has_layer(Target::tfjs, cls));
  CHECK_FALSE(analysis::target_has_layer(Target::keras2, "GroupQueryAttention"));
  CHECK(analysis::target_has_layer(Target::keras2, "MultiHeadAttention"));
  CHECK_FALSE(analysis::target_has_layer(Target::keras3, "LocallyConnected1D"));
  CHECK(analysis::target_has_layer(Target::keras3, "Conv1D"));
}

// The real TensorFlow.js files of the shared corpus, each loaded with
// tf.models.modelFromJSON (@tensorflow/tfjs 4.22): the six it refuses, and only those, get a
// --target tfjs error. Skipped when ../shared is absent.
TEST_CASE("the target option: tfjs agrees with TensorFlow.js on the corpus's tfjs files") {
  auto dir = std::filesystem::path(SHAPELINT_SOURCE_DIR) / ".." / "shared" / "corpus" / "tfjs";
  if (!std::filesystem::exists(dir)) {
    WARN("../shared/corpus is absent: skipped");
    return;
  }
  const std::vector<std::string> refused = {
      "ANPULI__Anime4K-ML__srgan-generator-tfoplayer.json",
      "AadiLASA__ULeagueWinner__dense-keras392.json",
      "Azerif__fruits-image-classification__mobilenetv2-keras3.json",
      "Bangkit-KakiLima__KakiLima-ML__dense-keras35.json",
      "DanJiNet__hcr.tf__cnn-keras341.json",
      "FadliAhmadYazid__German-Traffic-Sign-Recognition__cnn-keras3.json",
  };
  LintOptions options;
  options.target = Target::tfjs;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json")
      continue;
    ++files;
    FileReport r = lint_file(entry.path().string(), options);
    bool reported = !portability_findings(r).empty();
    bool expected = std::find(refused.begin(), refused.end(), name) != refused.end();
    INFO(name << "\n" << describe(r));
    CHECK(reported == expected);
  }
  CHECK(files >= refused.size());
}
