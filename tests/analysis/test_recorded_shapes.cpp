// SL203: the shapes a Keras 3 file records for a layer's inputs (build_config.input_shape, the
// shape of each __keras_tensor__) against the shapes propagated from the declared inputs.
// Keras 3's behaviour on these files was checked with the Keras 3 oracle: it builds each
// layer from build_config when loading (an edited Dense input fails there, an edited conv
// input size loads and runs silently with other shapes).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shapelint/analysis/recorded_shapes.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"

using namespace shapelint;
using json = nlohmann::json;

namespace {

json layer(std::string cls, json config, std::optional<json> build_shape = std::nullopt) {
  json l = {{"module", "keras.layers"},
            {"class_name", cls},
            {"registered_name", nullptr},
            {"config", std::move(config)}};
  if (build_shape)
    l["build_config"] = {{"input_shape", *build_shape}};
  return l;
}

json input(std::string name, json batch_shape) {
  return layer("InputLayer", {{"name", std::move(name)}, {"batch_shape", std::move(batch_shape)}});
}

json sequential(json layers) {
  return {{"module", "keras"},
          {"class_name", "Sequential"},
          {"registered_name", nullptr},
          {"config", {{"name", "seq"}, {"layers", std::move(layers)}}}};
}

json tensor(std::string from, json shape) {
  return {{"class_name", "__keras_tensor__"},
          {"config",
           {{"shape", std::move(shape)}, {"dtype", "float32"}, {"keras_history", {from, 0, 0}}}}};
}

json functional_layer(json l, std::string name, json args) {
  l["name"] = name;
  l["inbound_nodes"] = json::array({{{"args", std::move(args)}, {"kwargs", json::object()}}});
  return l;
}

json functional(json layers, std::string in, std::string out) {
  return {{"module", "keras.src.models.functional"},
          {"class_name", "Functional"},
          {"registered_name", "Functional"},
          {"config",
           {{"name", "model"},
            {"layers", std::move(layers)},
            {"input_layers", {{in, 0, 0}}},
            {"output_layers", {{out, 0, 0}}}}}};
}

json dense(std::string name, int units) {
  return {{"name", std::move(name)}, {"units", units}};
}

json conv(std::string name) {
  return {{"name", std::move(name)}, {"filters", 8}, {"kernel_size", {3, 3}}};
}

std::vector<const Diagnostic*> sl203(const FileReport& r) {
  std::vector<const Diagnostic*> out;
  for (const auto& d : r.diagnostics)
    if (d.rule == rule::kRecordedShapeMismatch)
      out.push_back(&d);
  return out;
}

std::string describe(const FileReport& r) {
  std::string out = fmt::format("status {}", r.status);
  for (const auto& d : r.diagnostics)
    out += fmt::format("\n  [{}] {} ({})", d.rule, d.message, d.json_path);
  return out;
}

bool has(const FileReport& r, std::string_view id) {
  for (const auto& d : r.diagnostics)
    if (d.rule == id)
      return true;
  return false;
}

FileReport lint(const json& doc, std::vector<std::string> input_shapes = {}) {
  LintOptions options;
  for (const auto& s : input_shapes) {
    std::string error;
    auto parsed = parse_input_shape_option(s, error);
    REQUIRE(parsed);
    options.input_shapes.push_back(*parsed);
  }
  return lint_text(doc.dump(), "model.json", options);
}

}  // namespace

TEST_CASE("recorded_shape_disagrees compares only dims known on both sides") {
  struct Row {
    const char* recorded;
    const char* computed;
    bool disagrees;
  };

  const Row rows[] = {
      {"(None, 784)", "(None, 900)", true},
      {"(None, 784)", "(None, 784)", false},
      {"(None, 784)", "(None, None)", false},
      {"(None, None)", "(None, 900)", false},
      {"(8, 784)", "(None, 784)", false},
      {"(None, 28, 28)", "(None, 28, 28, 1)", true},
      {"(None, 28, 28, 1)", "(None, 28)", true},
      {"(None, 28, 28, 1)", "(None, 28, 29, 1)", true},
  };
  for (const auto& row : rows) {
    INFO(row.recorded << " vs " << row.computed);
    auto recorded = parse_shape(row.recorded);
    auto computed = parse_shape(row.computed);
    REQUIRE(recorded);
    REQUIRE(computed);
    CHECK(analysis::recorded_shape_disagrees(*recorded, *computed) == row.disagrees);
  }
  CHECK_FALSE(analysis::recorded_shape_disagrees(Shape::unknown_rank(), *parse_shape("(None, 3)")));
  CHECK_FALSE(analysis::recorded_shape_disagrees(*parse_shape("(None, 3)"), Shape::unknown_rank()));
}

TEST_CASE("SL203 fires where the file records another input shape") {
  struct Case {
    const char* name;
    json doc;
    const char* layer;
    const char* json_path;
    std::vector<std::string> message_parts;
    bool also_error;  ///< Keras 3 (oracle) fails to load it too (SL102)
  };

  std::vector<Case> cases = {
      {"a Dense edited from 784 to 900 inputs (Keras 3 fails: expected axis -1 ... 784)",
       sequential({input("in", {nullptr, 900}),
                   layer("Dense", dense("dense", 64), json{nullptr, 784}),
                   layer("Dense", dense("logits", 10), json{nullptr, 64})}),
       "dense",
       "config.layers[1]",
       {"layer \"dense\" was saved with input shape (None, 784), but its inputs here are "
        "(None, 900): the config was edited by hand or saved by another Keras version"},
       true},
      {"an input resized from 28x28 to 32x32 (Keras 3 loads it silently); gap not reported",
       sequential({input("image", {nullptr, 32, 32, 3}),
                   layer("Conv2D", conv("conv2d"), json{nullptr, 28, 28, 3}),
                   layer("GlobalAveragePooling2D", {{"name", "gap"}}, json{nullptr, 26, 26, 8})}),
       "conv2d",
       "config.layers[1]",
       {"(None, 28, 28, 3)", "(None, 32, 32, 3)"},
       false},
      {"a recorded rank that differs",
       sequential({input("seq", {nullptr, 10, 4}),
                   layer("Flatten", {{"name", "flatten"}}, json{nullptr, 10, 4, 1}),
                   layer("Dense", dense("out", 2), json{nullptr, 40})}),
       "flatten",
       "config.layers[1]",
       {"(None, 10, 4, 1)", "(None, 10, 4)"},
       false},
      {"a __keras_tensor__ shape in an inbound node, without build_config",
       functional(
           {functional_layer(input("in", {nullptr, 16}), "in", json::array()),
            functional_layer(
                layer("Dense", dense("d1", 8)), "d1", json::array({tensor("in", {nullptr, 20})})),
            functional_layer(
                layer("Dense", dense("d2", 4)), "d2", json::array({tensor("d1", {nullptr, 8})}))},
           "in",
           "d2"),
       "d1",
       "config.layers[1]",
       {"(None, 20)", "input 0 of call 0, from 'in'", "(None, 16)"},
       false},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      FileReport r = lint(c.doc);
      INFO(describe(r));
      auto found = sl203(r);
      REQUIRE(found.size() == 1);
      CHECK(found[0]->severity == Severity::warning);
      CHECK(found[0]->layer == std::optional<std::string>(c.layer));
      CHECK(found[0]->json_path == c.json_path);
      CHECK(found[0]->line > 0);
      for (const auto& part : c.message_parts)
        CHECK(found[0]->message.find(part) != std::string::npos);
      CHECK(has(r, rule::kInputAxis) == c.also_error);
    }
  }
}

TEST_CASE("SL203 stays silent where the shapes cannot disagree or are not the file's") {
  struct Case {
    const char* name;
    json doc;
    std::vector<std::string> input_shapes;
  };

  std::vector<Case> cases = {
      {"recorded shapes that follow from the declared input",
       sequential({input("image", {nullptr, 28, 28, 3}),
                   layer("Conv2D", conv("conv2d"), json{nullptr, 28, 28, 3}),
                   layer("GlobalAveragePooling2D", {{"name", "gap"}}, json{nullptr, 26, 26, 8})}),
       {}},
      {"a recorded unknown dim",
       sequential({input("seq", {nullptr, 32, 3}),
                   layer("Conv1D",
                         {{"name", "conv1d"}, {"filters", 4}, {"kernel_size", 3}},
                         json{nullptr, nullptr, 3})}),
       {}},
      {"an unknown dim propagated",
       sequential({input("seq", {nullptr, nullptr, 3}),
                   layer("Conv1D",
                         {{"name", "conv1d"}, {"filters", 4}, {"kernel_size", 3}},
                         json{nullptr, 32, 3})}),
       {}},
      {"a what-if replay on another size (the recorded shape is the built one)",
       sequential({input("image", {nullptr, 28, 28, 3}),
                   layer("Conv2D", conv("conv2d"), json{nullptr, 28, 28, 3}),
                   layer("GlobalAveragePooling2D", {{"name", "gap"}}, json{nullptr, 26, 26, 8})}),
       {"40x40x3"}},
      {"downstream of a Lambda shapelint cannot see into (uncertain)",
       sequential(
           {input("in", {nullptr, 10}),
            layer("Lambda",
                  {{"name", "lambda"},
                   {"function", {{"class_name", "__lambda__"}, {"config", {{"code", "AAAA"}}}}},
                   {"output_shape", {20}}},
                  json{nullptr, 10}),
            layer("Dense", dense("dense", 4), json{nullptr, 30})}),
       {}},
      {"downstream of an error",
       sequential({input("in", {nullptr, 4, 4, 3}),
                   layer("Conv2D", {{"name", "big"}, {"filters", 2}, {"kernel_size", {5, 5}}}),
                   layer("Dense", dense("dense", 4), json{nullptr, 9, 9, 30})}),
       {}},
      {"Embedding, whose build ignores its input shape (a real Keras 3 file records [null])",
       sequential({input("tokens", {nullptr, 50}),
                   layer("Embedding",
                         {{"name", "embedding"}, {"input_dim", 100}, {"output_dim", 8}},
                         json{nullptr}),
                   layer("Flatten", {{"name", "flatten"}}, json{nullptr, 50, 8})}),
       {}},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      FileReport r = lint(c.doc, c.input_shapes);
      INFO(describe(r));
      CHECK(sl203(r).empty());
    }
  }
}

TEST_CASE("SL203 in a what-if run still reports the file's own disagreement, once") {
  json doc =
      sequential({input("image", {nullptr, 32, 32, 3}),
                  layer("Conv2D", conv("conv2d"), json{nullptr, 28, 28, 3}),
                  layer("GlobalAveragePooling2D", {{"name", "gap"}}, json{nullptr, 26, 26, 8})});
  FileReport r = lint(doc, {"64x64x3"});
  INFO(describe(r));
  auto found = sl203(r);
  REQUIRE(found.size() == 1);
  CHECK(found[0]->message.find("(None, 32, 32, 3)") != std::string::npos);
  CHECK(found[0]->message.find("64") == std::string::npos);
}

TEST_CASE("SL203 inside a nested model names the outer layer and points at the inner one") {
  json inner = sequential(
      {input("inner_in", {nullptr, 6}), layer("Dense", dense("inner_dense", 3), json{nullptr, 5})});
  inner["config"]["name"] = "block";
  inner["name"] = "block";
  inner["inbound_nodes"] = json::array(
      {{{"args", json::array({tensor("in", {nullptr, 6})})}, {"kwargs", json::object()}}});
  json doc = functional(
      {functional_layer(input("in", {nullptr, 6}), "in", json::array()), inner}, "in", "block");
  FileReport r = lint(doc);
  INFO(describe(r));
  auto found = sl203(r);
  REQUIRE(found.size() == 1);
  CHECK(found[0]->layer == std::optional<std::string>("block"));
  CHECK(found[0]->json_path == "config.layers[1].config.layers[1]");
  CHECK(found[0]->message.find("in 'block', layer \"inner_dense\"") != std::string::npos);
}

TEST_CASE("SL203 is in the catalogue as a warning") {
  const RuleInfo* info = find_rule_info("SL203");
  REQUIRE(info);
  CHECK(info->severity == Severity::warning);
  CHECK_FALSE(info->makes_invalid);
}

// The real Keras 3 files of the shared corpus (to_json outputs and .keras archives, 195 layers
// with build_config) were saved by Keras and never edited: none may get SL203. Skipped when
// ../shared is absent.
TEST_CASE("SL203 stays silent on the corpus's real Keras 3 files") {
  auto corpus = std::filesystem::path(SHAPELINT_SOURCE_DIR) / ".." / "shared" / "corpus";
  if (!std::filesystem::exists(corpus)) {
    WARN("../shared/corpus is absent: skipped");
    return;
  }
  std::size_t files = 0, keras3 = 0;
  for (const char* dir : {"keras3", "archives", "tfjs"}) {
    for (const auto& entry : std::filesystem::directory_iterator(corpus / dir)) {
      FileReport r = lint_file(entry.path().string(), {});
      ++files;
      keras3 += r.format == "keras3-json" || r.format == "keras-archive" ? 1 : 0;
      INFO(entry.path().filename().string() << "\n" << describe(r));
      CHECK(sl203(r).empty());
    }
  }
  CHECK(keras3 >= 20);
  CHECK(files > keras3);
}
