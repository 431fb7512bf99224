// Hostile input: whatever a model file holds, shapelint answers with a finding that names the
// JSON path and an exit code (2: unreadable or not a model, 1: a shape error), never a crash,
// a hang or unbounded memory, and the other files of the run are still linted. CI runs these
// under ASan+UBSan. Crashes found by fuzzing (fuzz/) are kept here as regression cases.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/fixtures.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/model/loader.hpp"
#include "shapelint/render/render.hpp"
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace shapelint;

namespace {

namespace fs = std::filesystem;

// ---- model builders -------------------------------------------------------------------------

std::string sequential(const std::string& layers) {
  return R"({"class_name": "Sequential", "config": {"name": "s", "layers": [)" + layers + "]}}";
}

std::string input_layer(const std::string& batch_shape, const std::string& name = "in") {
  return fmt::format(
      R"({{"class_name": "InputLayer", "config": {{"batch_input_shape": {}, "name": "{}"}}}})",
      batch_shape,
      name);
}

std::string layer(const std::string& cls, const std::string& name, const std::string& config) {
  return fmt::format(R"({{"class_name": "{}", "config": {{"name": "{}"{}{}}}}})",
                     cls,
                     name,
                     config.empty() ? "" : ", ",
                     config);
}

/// A tf.keras 2 functional layer: `inbound` is the inbound_nodes JSON.
std::string node_layer(const std::string& cls,
                       const std::string& name,
                       const std::string& config,
                       const std::string& inbound) {
  return fmt::format(
      R"({{"class_name": "{}", "name": "{}", "config": {{"name": "{}"{}{}}}, "inbound_nodes": {}}})",
      cls,
      name,
      name,
      config.empty() ? "" : ", ",
      config,
      inbound);
}

std::string functional(const std::string& layers,
                       const std::string& inputs,
                       const std::string& outputs) {
  return fmt::format(
      R"({{"class_name": "Functional", "config": {{"name": "f", "layers": [{}], "input_layers": {}, "output_layers": {}}}}})",
      layers,
      inputs,
      outputs);
}

std::string functional_input(const std::string& batch_shape = "[null, 4]") {
  return fmt::format(
      R"({{"class_name": "InputLayer", "name": "in", "config": {{"batch_input_shape": {}, "name": "in"}}, "inbound_nodes": []}})",
      batch_shape);
}

/// `depth` Sequential models, each the only layer of the one around it.
std::string nested_models(int depth) {
  std::string inner = layer("Dense", "d", R"("units": 2, "batch_input_shape": [null, 4])");
  for (int i = 0; i < depth; ++i)
    inner = fmt::format(
        R"({{"class_name": "Sequential", "config": {{"name": "m{}", "layers": [{}]}}}})", i, inner);
  return inner;
}

/// `levels` Functional models, each calling the one inside it twice (m(m(x))): the innermost
/// Dense runs 2^levels times.
std::string doubling_models(int levels) {
  std::string model =
      functional(functional_input() + ", " +
                     node_layer("Dense", "d", R"("units": 4)", R"([[["in", 0, 0, {}]]])"),
                 R"([["in", 0, 0]])",
                 R"([["d", 0, 0]])");
  for (int k = 1; k <= levels; ++k) {
    // The inner model as a layer: its config, a name, and two calls.
    std::string inner = model;
    std::string name = fmt::format("m{}", k - 1);
    auto config_at = inner.find(R"("config": )");
    std::string as_layer = fmt::format(
        R"({{"class_name": "Functional", "name": "{}", "inbound_nodes": [[["in", 0, 0, {{}}]], [["{}", 0, 0, {{}}]]], {}}})",
        name,
        name,
        inner.substr(config_at, inner.size() - config_at - 1));
    model = functional(functional_input() + ", " + as_layer,
                       R"([["in", 0, 0]])",
                       fmt::format(R"([["{}", 1, 0]])", name));
  }
  return model;
}

/// A Keras 1 graph (its `Merge` makes it one): two inputs merged with `merge_args`, then
/// `more_layers`.
std::string keras1_merge(const std::string& merge_args, const std::string& more_layers = "") {
  return R"({"class_name": "Model", "config": {"name": "m",
    "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["merge", 0, 0]],
    "layers": [
      {"class_name": "InputLayer", "name": "a",
       "config": {"batch_input_shape": [null, 4], "name": "a"}, "inbound_nodes": []},
      {"class_name": "InputLayer", "name": "b",
       "config": {"batch_input_shape": [null, 4], "name": "b"}, "inbound_nodes": []},
      {"class_name": "Merge", "name": "merge", "config": {"name": "merge", )" +
         merge_args + R"(}, "inbound_nodes": [[["a", 0, 0], ["b", 0, 0]]]})" + more_layers + "]}}";
}

std::string dense_chain(std::size_t count) {
  std::string layers = input_layer("[null, 4]");
  for (std::size_t i = 0; i < count; ++i)
    layers += ", " + layer("Dense", fmt::format("d{}", i), R"("units": 4)");
  return sequential(layers);
}

// ---- checks ---------------------------------------------------------------------------------

std::string describe(const FileReport& r) {
  std::string out = fmt::format("{}: format {}, status {}", r.path, r.format, r.status);
  for (const auto& d : r.diagnostics)
    out += fmt::format("\n  [{}] at '{}': {}", d.rule, d.json_path, d.message.substr(0, 300));
  return out;
}

const Diagnostic* find(const FileReport& r, std::string_view rule) {
  for (const auto& d : r.diagnostics)
    if (d.rule == rule)
      return &d;
  return nullptr;
}

/// What every report must be, whatever the input: a known status, catalogued findings, and
/// every renderer able to print it (the JSON ones as valid JSON).
void check_well_formed(const FileReport& report) {
  CHECK((report.status == "ok" || report.status == "error" || report.status == "invalid"));
  for (const auto& d : report.diagnostics) {
    CHECK(find_rule_info(d.rule) != nullptr);
    CHECK(!d.message.empty());
  }
  RunReport run;
  run.files.push_back(report);
  tally(run);
  for (const auto& renderer : renderers()) {
    std::ostringstream out;
    renderer.render(run, RenderOptions{}, out);
    if (renderer.name == "json" || renderer.name == "sarif") {
      INFO(renderer.name);
      CHECK_FALSE(nlohmann::json::parse(out.str(), nullptr, false).is_discarded());
    }
  }
}

FileReport lint(std::string_view text, const LintOptions& options = {}) {
  FileReport r = lint_text(text, "hostile.json", options);
  check_well_formed(r);
  return r;
}

/// One malformed file: the finding it must give, where, and the exit code it makes
/// (2: status "invalid", 1: status "error").
struct HostileRow {
  std::string name;
  std::string text;
  std::string_view rule;
  std::string json_path;
  int exit_code;
};

std::string status_for(int exit_code) {
  return exit_code == 2 ? "invalid" : exit_code == 1 ? "error" : "ok";
}

void check_row(const HostileRow& row) {
  FileReport r = lint(row.text);
  INFO(describe(r));
  CHECK(r.status == status_for(row.exit_code));
  const Diagnostic* d = find(r, row.rule);
  REQUIRE(d != nullptr);
  CHECK(d->json_path == row.json_path);
}

void run_rows(const std::vector<HostileRow>& rows) {
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      check_row(row);
    }
  }
}

const std::string kSmallModel =
    sequential(input_layer("[null, 4]") + ", " + layer("Dense", "d", R"("units": 2)"));

}  // namespace

TEST_CASE("files that are not JSON text are findings at the document root, exit 2") {
  run_rows({
      {"an empty file", "", rule::kInvalidJson, "", 2},
      {"a file of white space", " \n\t\r\n ", rule::kInvalidJson, "", 2},
      {"a UTF-16 file (little-endian byte-order mark)",
       std::string("\xff\xfe{\0}\0", 6),
       rule::kInvalidJson,
       "",
       2},
      {"a UTF-16 file (big-endian byte-order mark)",
       std::string("\xfe\xff\0{\0}", 6),
       rule::kInvalidJson,
       "",
       2},
      {"bytes that are not UTF-8 inside a string",
       sequential(input_layer("[null, 4]") + ", " + layer("Dense", "d\xff\xfe", R"("units": 2)")),
       rule::kInvalidJson,
       "",
       2},
      {"bytes that are not UTF-8 between values",
       "{\"class_name\": \x80}",
       rule::kInvalidJson,
       "",
       2},
      {"an overlong UTF-8 encoding of '/'", "{\"a\": \"\xc0\xaf\"}", rule::kInvalidJson, "", 2},
      {"a lone UTF-16 surrogate escape", R"({"a": "\ud800"})", rule::kInvalidJson, "", 2},
      {"a NUL byte: binary data", std::string("{\"a\": \0}", 8), rule::kNotAModel, "", 2},
      {"JSON nested 100000 levels deep",
       std::string(100000, '[') + std::string(100000, ']'),
       rule::kInvalidJson,
       "",
       2},
      {"JSON nested past the limit inside a string-heavy object",
       R"({"a": "[[[[", "b": )" + std::string(600, '{'),
       rule::kInvalidJson,
       "",
       2},
      {"text after the document", kSmallModel + " garbage", rule::kInvalidJson, "", 2},
      {"two documents", kSmallModel + kSmallModel, rule::kInvalidJson, "", 2},
      {"a truncated document",
       kSmallModel.substr(0, kSmallModel.size() / 2),
       rule::kInvalidJson,
       "",
       2},
      // Regression (fuzz_lint_json): nlohmann throws out_of_range, not parse_error, for a number
      // beyond a double's range; it escaped the loader and ended the process.
      {"a number beyond a double's range",
       R"({"class_name": "Sequential", "x": 1e3082})",
       rule::kInvalidJson,
       "",
       2},
      {"a negative number beyond a double's range", R"([-1e99999])", rule::kInvalidJson, "", 2},
  });
}

TEST_CASE("a UTF-8 byte-order mark is accepted, as Keras's json.loads on bytes accepts it") {
  FileReport r = lint("\xef\xbb\xbf" + kSmallModel);
  INFO(describe(r));
  CHECK(r.status == "ok");
  REQUIRE(r.layers.size() == 2);
  CHECK(r.layers[1].name == "d");
}

TEST_CASE("JSON that is not a model config is a finding at the root, exit 2") {
  run_rows({
      {"a top-level list", "[1, 2]", rule::kNotAModel, "", 2},
      {"a top-level number", "42", rule::kNotAModel, "", 2},
      {"a top-level string", "\"Sequential\"", rule::kNotAModel, "", 2},
      {"null", "null", rule::kNotAModel, "", 2},
      {"an empty object", "{}", rule::kNotAModel, "", 2},
      {"a tfjs model.json whose topology is a list",
       R"({"modelTopology": [1], "weightsManifest": []})",
       rule::kNotAModel,
       "modelTopology",
       2},
  });
}

TEST_CASE("a value of the wrong JSON type is a finding at its path, exit 2") {
  const std::string in = input_layer("[null, 4]");
  run_rows({
      // Found by the lint_structured fuzzer: the Keras 1 translation threw (the run aborted).
      {"a Keras 1 Merge's mode is a number",
       keras1_merge(R"("mode": 3)"),
       rule::kBadConfigValue,
       "config.layers[2].config",
       2},
      {"a Keras 1 wrapped layer's class_name is a number",
       keras1_merge(R"("mode": "sum")", R"(, {"class_name": "TimeDistributed", "name": "td",
          "config": {"name": "td", "layer": {"class_name": 5, "config": {}}},
          "inbound_nodes": [[["merge", 0, 0]]]})"),
       rule::kBadConfigValue,
       "config.layers[3].config",
       2},
      {"config.layers is an object",
       R"({"class_name": "Sequential", "config": {"name": "s", "layers": {}}})",
       rule::kBadConfigValue,
       "config.layers",
       2},
      {"a layer is a number", sequential(in + ", 7"), rule::kBadConfigValue, "config.layers[1]", 2},
      {"a layer is null", sequential(in + ", null"), rule::kBadConfigValue, "config.layers[1]", 2},
      {"class_name is a number",
       sequential(in + R"(, {"class_name": 5, "config": {}})"),
       rule::kBadConfigValue,
       "config.layers[1].class_name",
       2},
      {"a layer's config is a string",
       sequential(in + R"(, {"class_name": "Dense", "config": "units=2"})"),
       rule::kBadConfigValue,
       "config.layers[1].config",
       2},
      {"units is a string",
       sequential(in + ", " + layer("Dense", "d", R"("units": "ten")")),
       rule::kBadConfigValue,
       "config.layers[1].config.units",
       2},
      {"units is an object",
       sequential(in + ", " + layer("Dense", "d", R"("units": {"value": 2})")),
       rule::kBadConfigValue,
       "config.layers[1].config.units",
       2},
      {"units is beyond int64",
       sequential(in + ", " + layer("Dense", "d", R"("units": 1e300)")),
       rule::kBadConfigValue,
       "config.layers[1].config.units",
       2},
      {"units is beyond int64 as an integer",
       sequential(in + ", " + layer("Dense", "d", R"("units": 18446744073709551615)")),
       rule::kBadConfigValue,
       "config.layers[1].config.units",
       2},
      {"units is a fraction",
       sequential(in + ", " + layer("Dense", "d", R"("units": 2.5)")),
       rule::kBadConfigValue,
       "config.layers[1].config.units",
       2},
      {"kernel_size is a list of lists",
       sequential(input_layer("[null, 8, 8, 1]") + ", " +
                  layer("Conv2D", "c", R"("filters": 2, "kernel_size": [[3], [3]])")),
       rule::kBadConfigValue,
       "config.layers[1].config.kernel_size",
       2},
      {"batch_input_shape is a string",
       sequential(input_layer("\"(None, 4)\"")),
       rule::kBadConfigValue,
       "config.layers[0].config",
       2},
      {"batch_input_shape holds a string",
       sequential(input_layer("[null, \"4\"]")),
       rule::kBadConfigValue,
       "config.layers[0].config",
       2},
      {"inbound_nodes is a string",
       functional(functional_input() + ", " + node_layer("Dense", "d", R"("units": 2)", "\"in\""),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kBadConfigValue,
       "config.layers[1].inbound_nodes",
       2},
      {"an inbound node is a number",
       functional(functional_input() + ", " + node_layer("Dense", "d", R"("units": 2)", "[5]"),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kBadConfigValue,
       "config.layers[1].inbound_nodes[0]",
       2},
      {"output_layers is a string",
       functional(functional_input(), R"([["in", 0, 0]])", R"("in")"),
       rule::kBadConfigValue,
       "config.output_layers",
       2},
      {"a node index is a fraction",
       functional(functional_input(), R"([["in", 0.5, 0]])", R"([["in", 0, 0]])"),
       rule::kBadConfigValue,
       "config.input_layers[0]",
       2},
  });
}

TEST_CASE("broken references between layers are findings at the reference, exit 2") {
  const std::string in = functional_input();
  auto dense_from = [](const std::string& name, const std::string& ref) {
    return node_layer("Dense", name, R"("units": 2)", "[[" + ref + "]]");
  };
  run_rows({
      {"a reference to a layer that does not exist",
       functional(in + ", " + dense_from("d", R"(["nowhere", 0, 0, {}])"),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kDanglingReference,
       "config.layers[1].inbound_nodes[0][0]",
       2},
      {"a reference to a call that never happens",
       functional(in + ", " + dense_from("d", R"(["in", 3, 0, {}])"),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kDanglingReference,
       "config.layers[1].inbound_nodes[0][0]",
       2},
      {"a negative node index",
       functional(in + ", " + dense_from("d", R"(["in", -1, 0, {}])"),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kDanglingReference,
       "config.layers[1].inbound_nodes[0][0]",
       2},
      {"a node index of 2^64 - 1",
       functional(in + ", " + dense_from("d", R"(["in", 18446744073709551615, 0, {}])"),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kDanglingReference,
       "config.layers[1].inbound_nodes[0][0]",
       2},
      {"a tensor index past the layer's outputs",
       functional(in + ", " + dense_from("d", R"(["in", 0, 7, {}])"),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kDanglingReference,
       "config.layers[1].inbound_nodes[0]",
       2},
      {"an output that names a missing layer",
       functional(in, R"([["in", 0, 0]])", R"([["gone", 0, 0]])"),
       rule::kDanglingReference,
       "config.output_layers[0]",
       2},
      {"an output tensor index past the layer's outputs",
       functional(in, R"([["in", 0, 0]])", R"([["in", 0, 9]])"),
       rule::kDanglingReference,
       "config.output_layers",
       2},
      {"a layer that takes its own output",
       functional(in + ", " + dense_from("d", R"(["d", 0, 0, {}])"),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kCycle,
       "config.layers[1].inbound_nodes[0]",
       2},
      {"two layers that take each other's output",
       functional(in + ", " + dense_from("a", R"(["b", 0, 0, {}])") + ", " +
                      dense_from("b", R"(["a", 0, 0, {}])"),
                  R"([["in", 0, 0]])",
                  R"([["b", 0, 0]])"),
       rule::kCycle,
       "config.layers[1].inbound_nodes[0]",
       2},
      {"two layers of one name (Functional)",
       functional(in + ", " + dense_from("d", R"(["in", 0, 0, {}])") + ", " +
                      dense_from("d", R"(["in", 0, 0, {}])"),
                  R"([["in", 0, 0]])",
                  R"([["d", 0, 0]])"),
       rule::kDuplicateLayerName,
       "config.layers[2]",
       2},
      {"two layers of one name (Sequential)",
       sequential(input_layer("[null, 4]") + ", " + layer("Dense", "d", R"("units": 2)") + ", " +
                  layer("Dense", "d", R"("units": 2)")),
       rule::kDuplicateLayerName,
       "config.layers[2]",
       2},
  });
}

/// `depth` Bidirectional layers around an LSTM, after an input of (None, 5, 4); the LSTM's
/// units are `units` (JSON).
std::string wrapped_lstm(int depth, const std::string& units = "2") {
  std::string wrapped =
      layer("LSTM", "l", fmt::format(R"("units": {}, "return_sequences": true)", units));
  for (int i = 0; i < depth; ++i)
    wrapped = fmt::format(
        R"({{"class_name": "Bidirectional", "config": {{"name": "b{}", "layer": {}}}}})",
        i,
        wrapped);
  return sequential(input_layer("[null, 5, 4]") + ", " + wrapped);
}

/// A JSON list nested `depth` levels deep.
std::string deep_list(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

/// `depth` Sequential models, each the only layer of the one around it, around `inner`.
std::string nested_around(int depth, std::string inner) {
  for (int i = 0; i < depth; ++i)
    inner = fmt::format(
        R"({{"class_name": "Sequential", "config": {{"name": "m{}", "layers": [{}]}}}})", i, inner);
  return inner;
}

const Diagnostic* find_message(const FileReport& r, std::string_view part) {
  for (const auto& d : r.diagnostics)
    if (d.message.find(part) != std::string::npos)
      return &d;
  return nullptr;
}

TEST_CASE("limits raised to their ceilings: every recursive walk stays within the stack") {
  // The ceilings are what keeps a user's `--limit` from trading a finding for a stack
  // overflow: files at them are read (or refused) and rendered in every format.
  LintOptions options;
  options.load_limits.max_json_depth = kJsonDepthCeiling;
  options.load_limits.max_model_depth = kModelDepthCeiling;
  options.max_wrapper_depth = kWrapperDepthCeiling;
  SECTION("models nested to the ceiling are read; deeper are refused") {
    CHECK(lint(nested_models(kModelDepthCeiling + 1), options).status == "ok");
    FileReport r = lint(nested_models(kModelDepthCeiling + 2), options);
    INFO(describe(r).substr(0, 2000));
    CHECK(r.status == "invalid");
    CHECK(find_message(r, "shapelint's limit (max-model-depth)") != nullptr);
  }
  SECTION("layers wrapped to the ceiling are read; deeper are refused") {
    CHECK(lint(wrapped_lstm(kWrapperDepthCeiling), options).status == "ok");
    FileReport r = lint(wrapped_lstm(kWrapperDepthCeiling + 1), options);
    INFO(describe(r).substr(0, 2000));
    CHECK(find_message(r, "shapelint's limit (max-wrapper-depth)") != nullptr);
  }
  SECTION("a value nested to the JSON ceiling, in a message and in Keras 3 call arguments") {
    FileReport r = lint(sequential(input_layer("[null, 4]") + ", " +
                                   layer("Dense", "d", "\"units\": " + deep_list(2040))),
                        options);
    INFO(describe(r).substr(0, 2000));
    CHECK(find(r, rule::kBadConfigValue) != nullptr);
    std::string keras3 = fmt::format(
        R"({{"class_name": "Functional", "config": {{"name": "f", "layers": [
          {{"class_name": "InputLayer", "name": "in", "config": {{"batch_shape": [null, 4], "name": "in"}}, "inbound_nodes": []}},
          {{"class_name": "Dense", "name": "d", "config": {{"name": "d", "units": 2}},
            "inbound_nodes": [{{"args": [{{"class_name": "__keras_tensor__", "config": {{"shape": [null, 4], "keras_history": ["in", 0, 0]}}}}], "kwargs": {{"x": {}}}}}]}}],
          "input_layers": ["in", 0, 0], "output_layers": ["d", 0, 0]}}}})",
        deep_list(2030));
    CHECK(lint(keras3, options).status != "");
  }
  SECTION("all three at once: a deep value in wrapped layers in nested models") {
    std::string inner = wrapped_lstm(kWrapperDepthCeiling, deep_list(1100));
    FileReport r = lint(nested_around(kModelDepthCeiling - 2, inner), options);
    INFO(describe(r).substr(0, 2000));
    CHECK(find(r, rule::kBadConfigValue) != nullptr);
  }
}

TEST_CASE("limits: models nested too deep and too many layers are findings at their path") {
  SECTION("models nested more than 32 levels deep") {
    FileReport r = lint(nested_models(40));
    INFO(describe(r));
    CHECK(r.status == "invalid");
    const Diagnostic* d = find(r, rule::kBadConfigValue);
    REQUIRE(d != nullptr);
    CHECK(d->json_path.rfind("config.layers[0].config.layers[0]", 0) == 0);
  }
  SECTION("models nested 30 levels deep are read") {
    FileReport r = lint(nested_models(30));
    INFO(describe(r));
    CHECK(r.status == "ok");
  }
  SECTION("more layers than the max-layers limit") {
    const std::size_t max_layers = LoadLimits{}.max_layers;
    FileReport r = lint(dense_chain(max_layers + 1));
    INFO(describe(r).substr(0, 2000));
    CHECK(r.status == "invalid");
    const Diagnostic* d = find(r, rule::kBadConfigValue);
    REQUIRE(d != nullptr);
    CHECK(d->json_path == fmt::format("config.layers[{}]", max_layers));
  }
  SECTION("nested models calling nested models, past the max-layer-calls limit") {
    FileReport r = lint(doubling_models(25));  // 2^25 calls of the innermost Dense
    INFO(describe(r));
    CHECK(r.status == "invalid");
    const Diagnostic* d = find(r, rule::kBadConfigValue);
    REQUIRE(d != nullptr);
    CHECK(d->json_path == "config");
  }
  SECTION("Bidirectional wrapped in Bidirectional 250 deep (each level runs the next twice)") {
    std::string wrapped = layer("LSTM", "l", R"("units": 2, "return_sequences": true)");
    for (int i = 0; i < 250; ++i)
      wrapped = fmt::format(
          R"({{"class_name": "Bidirectional", "config": {{"name": "b{}", "layer": {}}}}})",
          i,
          wrapped);
    // Without the depth limit this would run the LSTM 2^250 times: the test would not end.
    FileReport r = lint(sequential(input_layer("[null, 5, 4]") + ", " + wrapped));
    INFO(describe(r));
    CHECK(r.status == "invalid");
    const Diagnostic* d = find(r, rule::kBadConfigValue);
    REQUIRE(d != nullptr);
    CHECK(d->message.find("max-wrapper-depth") != std::string::npos);
    CHECK(d->json_path.rfind("config.layers[1].config.layer", 0) == 0);
  }
  SECTION("a file whose check needs more layer runs than its budget") {
    LintOptions options;
    options.max_rule_runs = 20'000;
    FileReport r = lint(doubling_models(18), options);  // 2^18 runs of the innermost Dense
    INFO(describe(r));
    CHECK(r.status == "invalid");
    const Diagnostic* d = find(r, rule::kBadConfigValue);
    REQUIRE(d != nullptr);
    CHECK(d->message.find("max-layer-runs") != std::string::npos);
    CHECK(d->hint.find("--limit max-layer-runs=N") != std::string::npos);
    // The next file gets a budget of its own.
    CHECK(lint(kSmallModel, options).status == "ok");
  }
  SECTION("nested models calling nested models a few times are propagated") {
    FileReport r = lint(doubling_models(4));
    INFO(describe(r));
    CHECK(r.status == "ok");
  }
}

TEST_CASE("dimension sizes and their products that overflow int64 are SL110, never UB") {
  const std::string huge = "9223372036854775807";
  run_rows({
      {"Flatten of two huge axes",
       sequential(input_layer("[null, " + huge + ", " + huge + "]") + ", " +
                  layer("Flatten", "f", "")),
       rule::kDimOverflow,
       "config.layers[1]",
       1},
      {"Dense on a huge feature axis: kernel size",
       sequential(input_layer("[null, " + huge + "]") + ", " +
                  layer("Dense", "d", R"("units": 4)")),
       rule::kDimOverflow,
       "config.layers[1]",
       1},
      {"Concatenate of two huge axes",
       functional(
           functional_input("[null, " + huge + "]") + ", " +
               node_layer("Concatenate", "c", "", R"([[["in", 0, 0, {}], ["in", 0, 0, {}]]])"),
           R"([["in", 0, 0]])",
           R"([["c", 0, 0]])"),
       rule::kDimOverflow,
       "config.layers[1]",
       1},
      {"Reshape to a huge shape",
       sequential(input_layer("[null, 4]") + ", " +
                  layer("Reshape", "r", R"("target_shape": [)" + huge + ", " + huge + "]")),
       rule::kReshapeCount,
       "config.layers[1]",
       1},
  });
}

TEST_CASE("huge sizes that do not overflow are linted like any other") {
  FileReport r = lint(sequential(input_layer("[null, 4611686018427387904]") + ", " +
                                 layer("Dense", "d", R"("units": 1)")));
  INFO(describe(r));
  CHECK(r.status != "invalid");
}

TEST_CASE("hostile names and strings are reported, never interpreted") {
  SECTION("a megabyte-long layer name") {
    std::string name(1 << 20, 'a');
    FileReport r =
        lint(sequential(input_layer("[null, 4]") + ", " + layer("Dense", name, R"("units": 2)")));
    CHECK(r.status == "ok");
  }
  SECTION("a megabyte-long unknown class name is a quick warning") {
    std::string cls(1 << 20, 'Q');
    // The did-you-mean search compares names by edit distance: bounded, or this would take
    // hours (a speed regression shows in bench/, not here).
    FileReport r = lint(sequential(input_layer("[null, 4]") + ", " + layer(cls, "x", "")));
    CHECK(find(r, rule::kUnknownLayerClass) != nullptr);
  }
  SECTION("control characters in names reach no terminal and add no lines") {
    FileReport r = lint(sequential(
        input_layer("[null, 4]") + ", " +
        layer("Dense", R"(d\u001b[2J\n::error file=x::pwned\r\u0007\u009b)", R"("units": -1)")));
    INFO(describe(r));
    CHECK(r.status == "error");
    RunReport run;
    run.files.push_back(r);
    tally(run);
    for (std::string_view format : {"table", "compact", "markdown", "github"}) {
      INFO(format);
      std::ostringstream out;
      find_renderer(format)->render(run, RenderOptions{}, out);
      std::string text = out.str();
      CHECK(text.find("\x1b") == std::string::npos);
      CHECK(text.find('\r') == std::string::npos);
      CHECK(text.find('\a') == std::string::npos);
      CHECK(text.find("\xc2\x9b") == std::string::npos);
      CHECK(text.find("\n::error") == std::string::npos);
      if (format == "compact")  // the table wraps names, markdown escapes brackets
        CHECK(text.find(R"(d\x1b[2J\n::error file=x::pwned\r\x07\u009b)") != std::string::npos);
      if (format == "github")  // and a workflow command's own escapes on top
        CHECK(text.find(R"(d\x1b[2J\n::error file=x::pwned\r\x07\u009b)") != std::string::npos);
    }
  }
}

TEST_CASE("a run over hostile files still lints the good ones and exits 2") {
  fs::path dir = fs::temp_directory_path() / fmt::format("shapelint-hostile-{}", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
  };
  write("a_empty.json", "");
  write("b_deep.json", std::string(5000, '[') + std::string(5000, ']'));
  write("c_utf16.json", std::string("\xff\xfe{\0}\0", 6));
  write("d_cycle.json",
        functional(functional_input() + ", " +
                       node_layer("Dense", "d", R"("units": 2)", R"([[["d", 0, 0, {}]]])"),
                   R"([["in", 0, 0]])",
                   R"([["d", 0, 0]])"));
  write("e_overflow.json", R"({"a": 1e3082})");
  write("f_zip.keras", std::string("PK\x03\x04garbage", 11));
  write("g_h5.h5", std::string("\x89HDF\r\n\x1a\ngarbage", 15));
  write("h_good.json", kSmallModel);
  // Named one by one: a directory walk passes over files that are not models at all.
  std::string cmd = fmt::format("'{}' --format json", SHAPELINT_BINARY);
  for (const char* name : {"a_empty.json",
                           "b_deep.json",
                           "c_utf16.json",
                           "d_cycle.json",
                           "e_overflow.json",
                           "f_zip.keras",
                           "g_h5.h5",
                           "h_good.json"})
    cmd += fmt::format(" '{}'", (dir / name).string());
  cmd += " 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    out.append(buffer, n);
  int status = pclose(pipe);
  fs::remove_all(dir);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  auto report = nlohmann::json::parse(out, nullptr, false);
  REQUIRE_FALSE(report.is_discarded());
  REQUIRE(report["files"].size() == 8);
  for (const auto& f : report["files"]) {
    INFO(f.dump().substr(0, 1000));
    std::string path = f["path"].get<std::string>();
    if (path.find("h_good") != std::string::npos) {
      CHECK(f["status"] == "ok");
    } else {
      CHECK(f["status"] == "invalid");
      CHECK_FALSE(f["diagnostics"].empty());
    }
  }
}

TEST_CASE("every input kept under tests/hostile/inputs is linted without a crash") {
  fs::path dir = fs::path(SHAPELINT_SOURCE_DIR) / "tests" / "hostile" / "inputs";
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md")
      continue;
    ++count;
    DYNAMIC_SECTION(entry.path().filename().string()) {
      LintOptions options;
      options.read_limits.hdf5_timeout = std::chrono::seconds(10);
      FileReport r = lint_file(entry.path().string(), options);
      INFO(describe(r));
      check_well_formed(r);
      // With a what-if shape too: the replay meets the same hostile config.
      options.input_shapes.push_back(InputShapeOption{std::nullopt, make_shape({28, 28, 1})});
      check_well_formed(lint_file(entry.path().string(), options));
    }
  }
  CHECK(count > 0);
}

TEST_CASE("archives and .h5 files carry the same text checks into their config") {
  test::FixtureDir dir;
  auto keras = [&](const std::string& name, const std::string& config) {
    std::string path = dir.path(name);
    test::write_zip(path,
                    {{"config.json", config}, {"metadata.json", R"({"keras_version": "3.5.0"})"}});
    return path;
  };
  auto h5 = [&](const std::string& name, const std::string& config) {
    std::string path = dir.path(name);
    test::H5Model m;
    m.model_config = config;
    m.kind = test::StringKind::fixed;  // bytes as they are, as h5py writes `bytes`
    test::write_h5(path, m);
    return path;
  };

  struct Row {
    std::string name;
    std::string path;
    std::string status;
    std::string_view rule;
  };

  const std::string not_utf8 =
      sequential(input_layer("[null, 4]") + ", " + layer("Dense", "d\xff", R"("units": 2)"));
  const std::vector<Row> rows{
      {"an empty config.json", keras("empty.keras", ""), "invalid", rule::kInvalidJson},
      {"a config.json with a UTF-8 byte-order mark",
       keras("bom.keras", "\xef\xbb\xbf" + kSmallModel),
       "ok",
       {}},
      {"a config.json that is not UTF-8",
       keras("latin1.keras", not_utf8),
       "invalid",
       rule::kInvalidJson},
      {"a config.json in UTF-16",
       keras("utf16.keras", std::string("\xff\xfe{\0}\0", 6)),
       "invalid",
       rule::kInvalidJson},
      // Regression: the HDF5 child sent its answer as JSON text with bytes that are not UTF-8
      // replaced, so such a model_config was linted as if it were valid.
      {"a model_config that is not UTF-8",
       h5("latin1.h5", not_utf8),
       "invalid",
       rule::kInvalidJson},
      {"a model_config of white space", h5("blank.h5", "   "), "invalid", rule::kInvalidJson},
  };
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      FileReport r = lint_file(row.path, {});
      INFO(describe(r));
      check_well_formed(r);
      CHECK(r.status == row.status);
      if (!row.rule.empty())
        CHECK(find(r, row.rule) != nullptr);
    }
  }
}

TEST_CASE("zip archives with more members than the limit, or two of one name, are refused") {
  test::FixtureDir dir;
  std::vector<test::ZipMember> members{{"config.json", kSmallModel}};
  for (int i = 0; i < 30; ++i)
    members.push_back({fmt::format("assets/{}", i), "x"});
  std::string crowded = dir.path("crowded.keras");
  test::write_zip(crowded, members);
  LintOptions options;
  options.read_limits.max_zip_members = 20;
  FileReport r = lint_file(crowded, options);
  INFO(describe(r));
  CHECK(r.status == "invalid");
  const Diagnostic* d = find(r, rule::kUnreadable);
  REQUIRE(d != nullptr);
  CHECK(d->message.find("max-zip-members") != std::string::npos);
  CHECK(lint_file(crowded, {}).status == "ok");

  // libzip cannot write two members of one name; rename the second config.json's copy.
  std::string twins = dir.path("twins.keras");
  test::write_zip(twins, {{"config.json", kSmallModel}, {"config.jsoX", "{}"}});
  std::string bytes = test::read_file(twins);
  for (std::size_t at = bytes.find("config.jsoX"); at != std::string::npos;
       at = bytes.find("config.jsoX", at + 1))
    bytes[at + 10] = 'n';
  test::write_file(twins, bytes);
  FileReport t = lint_file(twins, {});
  INFO(describe(t));
  CHECK(t.status == "invalid");
  CHECK(find(t, rule::kUnreadable) != nullptr);
}

TEST_CASE("a file larger than the config limit is refused before it is read whole") {
  test::FixtureDir dir;
  std::string path = dir.path("padded.json");
  test::write_file(path, kSmallModel + std::string(4000, ' '));
  LintOptions options;
  options.read_limits.max_config_bytes = 1000;
  FileReport r = lint_file(path, options);
  INFO(describe(r));
  CHECK(r.status == "invalid");
  const Diagnostic* d = find(r, rule::kUnreadable);
  REQUIRE(d != nullptr);
  CHECK(d->message.find("max-config-size") != std::string::npos);
  CHECK(lint_file(path, {}).status == "ok");
}

TEST_CASE("a model from a named pipe, written a few bytes at a time, is read whole") {
  // No size to read at once: the text comes in short reads, and the buffer grows past the
  // 64 KiB first step (the padding), up to the limit and no further.
  test::FixtureDir dir;
  std::string fifo = dir.path("model.json");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::string text = kSmallModel + std::string(200'000, ' ');
  auto write_slowly = [&] {
    std::FILE* out = std::fopen(fifo.c_str(), "w");
    if (!out)
      return;
    for (std::size_t at = 0; at < text.size(); at += 1000) {
      std::fwrite(text.data() + at, 1, std::min<std::size_t>(1000, text.size() - at), out);
      std::fflush(out);
    }
    std::fclose(out);
  };
  {
    std::thread writer(write_slowly);
    FileReport r = lint_file(fifo, {});
    writer.join();
    INFO(describe(r));
    CHECK(r.status == "ok");
  }
  {
    // The reader stops at the limit and closes the pipe: the writer's writes then fail
    // (EPIPE, with SIGPIPE ignored for the while) until it is done.
    auto old_handler = std::signal(SIGPIPE, SIG_IGN);
    std::thread writer(write_slowly);
    LintOptions options;
    options.read_limits.max_config_bytes = 100'000;
    FileReport r = lint_file(fifo, options);
    writer.join();
    std::signal(SIGPIPE, old_handler);
    INFO(describe(r));
    CHECK(r.status == "invalid");
    const Diagnostic* d = find(r, rule::kUnreadable);
    REQUIRE(d != nullptr);
    CHECK(d->message.find("max-config-size") != std::string::npos);
  }
}

TEST_CASE("endless input (standard input, /dev/zero) is refused at the limit, exit 2") {
  auto exit_code = [](const std::string& cmd) {
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  // 128 MiB and one byte of white space: never held whole.
  CHECK(exit_code(fmt::format(
            "head -c 134217729 /dev/zero | tr '\\0' ' ' | '{}' --quiet - >/dev/null 2>&1",
            SHAPELINT_BINARY)) == 2);
  CHECK(exit_code(fmt::format("'{}' --quiet /dev/zero >/dev/null 2>&1", SHAPELINT_BINARY)) == 2);
}

TEST_CASE("an integer argument out of 64-bit range is called that, not a wrong type") {
  const std::string in = input_layer("[null, 4]");

  struct Case {
    std::string units;
    std::string says;
  };

  for (const auto& c : std::vector<Case>{
           {"18446744073709551615", "must be an integer between -2^63 and 2^63 - 1"},
           {"1e300", "must be an integer between -2^63 and 2^63 - 1"},
           {"9223372036854775808.0", "must be an integer between -2^63 and 2^63 - 1"},
           {"4.5", "must be an integer, not a float"},
           {"\"8\"", "must be an integer, not a string"},
       }) {
    FileReport r = lint(sequential(in + ", " + layer("Dense", "d", "\"units\": " + c.units)));
    INFO(c.units << ": " << describe(r));
    const Diagnostic* d = find(r, rule::kBadConfigValue);
    REQUIRE(d != nullptr);
    CHECK(d->message.find(c.says) != std::string::npos);
  }
  // The largest whole double below 2^63 is an integer Keras takes.
  FileReport r =
      lint(sequential(in + ", " + layer("Dense", "d", R"("units": 9.2233720368547748e18)")));
  CHECK(find(r, rule::kBadConfigValue) == nullptr);
}
