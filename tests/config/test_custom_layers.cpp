// Declared shape rules for the user's own layer classes: propagation goes on through them.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "config/config_fixtures.hpp"
#include "shapelint/config/config.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/lint/lint.hpp"

namespace config = shapelint::config;
using shapelint::FileReport;
using shapelint::LintOptions;
namespace rule = shapelint::rule;

namespace {

config::CustomLayerRules rules_from(const std::string& toml) {
  config::ConfigError error;
  auto parsed = config::parse_config(toml, "pyproject.toml", true, error);
  INFO(error.describe());
  REQUIRE(parsed);
  return parsed->custom_layers;
}

FileReport lint(const std::string& model,
                const config::CustomLayerRules* rules,
                std::vector<std::string> input_shapes = {},
                std::optional<std::int64_t> batch = std::nullopt) {
  LintOptions options;
  options.custom_layers = rules;
  options.batch_size = batch;
  for (const auto& text : input_shapes) {
    std::string why;
    options.input_shapes.push_back(*shapelint::parse_input_shape_option(text, why));
  }
  return shapelint::lint_text(model, "model.json", options);
}

/// "name: output shape, params" per layer, for one readable comparison.
std::vector<std::string> rows(const FileReport& report) {
  std::vector<std::string> out;
  for (const auto& row : report.layers)
    out.push_back(fmt::format("{}: {}, {}",
                              row.name,
                              row.output_shapes.empty() || !row.output_shapes[0].has_rank()
                                  ? "?"
                                  : to_string(row.output_shapes[0]),
                              row.params ? std::to_string(*row.params) : "?"));
  return out;
}

bool has(const FileReport& report, std::string_view id) {
  for (const auto& d : report.diagnostics)
    if (d.rule == id)
      return true;
  return false;
}

std::string describe(const FileReport& report) {
  std::string s;
  for (const auto& d : report.diagnostics)
    s += fmt::format("{} {}: {} (hint: {})\n", d.rule, d.layer.value_or("-"), d.message, d.hint);
  return s;
}

/// A Sequential: InputLayer of `batch_shape`, then `layers` (JSON objects).
std::string sequential(const std::string& batch_shape, const std::vector<std::string>& layers) {
  return fmt::format(
      R"({{"class_name": "Sequential", "config": {{"name": "s", "layers": [
  {{"class_name": "InputLayer", "config": {{"batch_input_shape": {}, "name": "in"}}}},
  {}
]}}, "keras_version": "2.15.0", "backend": "tensorflow"}})",
      batch_shape,
      fmt::join(layers, ",\n  "));
}

const char* kRules = R"toml(
[tool.shapelint.custom_layers.MyProjection]
like = "Dense"
from-config = { units = "projection_dim" }

[tool.shapelint.custom_layers.MyNorm]
shape = "same"
params = 64
non-trainable-params = 32

[tool.shapelint.custom_layers.MyPool]
output_shape = "(None, 3, 3, 8)"

[tool.shapelint.custom_layers.MyConv]
like = "Conv2D"
set = { filters = 8, kernel_size = 3 }
)toml";

}  // namespace

TEST_CASE("without a declared rule a custom layer stops propagation") {
  FileReport report = lint(shapelint::test::kCustomModel, nullptr);
  INFO(describe(report));
  CHECK(has(report, rule::kUnknownLayerClass));
  CHECK(rows(report) ==
        std::vector<std::string>{"in: (None, 16), 0", "proj: ?, ?", "norm: ?, ?", "d: ?, ?"});
}

TEST_CASE("declared rules carry shapes and parameter counts through custom layers") {
  auto rules = rules_from(kRules);
  FileReport report = lint(shapelint::test::kCustomModel, &rules);
  INFO(describe(report));
  CHECK_FALSE(has(report, rule::kUnknownLayerClass));
  // Dense(32) on 16 features: 16 * 32 + 32 = 544; Dense(4) on 32: 132.
  CHECK(rows(report) == std::vector<std::string>{"in: (None, 16), 0",
                                                 "proj: (None, 32), 544",
                                                 "norm: (None, 32), 64",
                                                 "d: (None, 4), 132"});
  CHECK(report.params.total == 740);
  CHECK(report.params.non_trainable == 32);
  CHECK(report.params.unknown_layers == 0);
  CHECK(report.status == "ok");
}

TEST_CASE("like-rules take set values, and shape = same without params leaves the count open") {
  auto rules = rules_from(R"toml(
[tool.shapelint.custom_layers.MyProjection]
like = "Dense"
from-config = { units = "projection_dim" }
set = { use_bias = false }
[tool.shapelint.custom_layers.MyNorm]
shape = "same"
)toml");
  FileReport report = lint(shapelint::test::kCustomModel, &rules);
  INFO(describe(report));
  CHECK(rows(report) == std::vector<std::string>{"in: (None, 16), 0",
                                                 "proj: (None, 32), 512",
                                                 "norm: (None, 32), ?",
                                                 "d: (None, 4), 132"});
}

TEST_CASE("a fixed output shape takes the batch axis of its input (--batch-size flows on)") {
  auto rules = rules_from(kRules);
  std::string model = sequential("[null, 28, 28, 1]",
                                 {R"({"class_name": "MyPool", "config": {"name": "pool"}})",
                                  R"({"class_name": "Flatten", "config": {"name": "f"}})"});
  FileReport report = lint(model, &rules, {"28x28x1"}, 8);
  INFO(describe(report));
  CHECK(rows(report) == std::vector<std::string>{
                            "in: (8, 28, 28, 1), 0", "pool: (8, 3, 3, 8), ?", "f: (8, 72), 0"});
}

TEST_CASE("shape errors after a declared custom layer are reported, as after a built-in one") {
  auto rules = rules_from(kRules);
  std::string model = sequential(
      "[null, 28, 28, 1]",
      {R"({"class_name": "MyPool", "config": {"name": "pool"}})",
       R"({"class_name": "Conv2D", "config": {"name": "c", "filters": 4, "kernel_size": 5}})"});
  FileReport undeclared = lint(model, nullptr);
  CHECK_FALSE(has(undeclared, rule::kNonPositiveDim));
  FileReport declared = lint(model, &rules);
  INFO(describe(declared));
  CHECK(has(declared, rule::kNonPositiveDim));
  CHECK(declared.status == "error");
}

TEST_CASE("a like-rule raises the built-in layer's errors, and says which declaration ran") {
  auto rules = rules_from(kRules);
  std::string model =
      sequential("[null, 16]", {R"({"class_name": "MyConv", "config": {"name": "conv"}})"});
  FileReport report = lint(model, &rules);
  INFO(describe(report));
  REQUIRE(has(report, rule::kInputRank));
  const auto& d = report.diagnostics.front();
  CHECK(d.layer == std::optional<std::string>("conv"));
  CHECK(d.hint.find("'MyConv' is checked like Conv2D, as pyproject.toml:") != std::string::npos);
}

TEST_CASE("a like-rule reading a config key the layer lacks leaves the layer opaque") {
  auto rules = rules_from(kRules);
  std::string model =
      sequential("[null, 16]",
                 {R"({"class_name": "MyProjection", "config": {"name": "p", "dim": 3}})",
                  R"({"class_name": "Dense", "config": {"name": "d", "units": 2}})"});
  FileReport report = lint(model, &rules);
  INFO(describe(report));
  REQUIRE(has(report, rule::kUnknownLayerClass));
  CHECK(report.diagnostics.front().message.find("reads config key 'projection_dim'") !=
        std::string::npos);
  CHECK(rows(report) == std::vector<std::string>{"in: (None, 16), 0", "p: ?, ?", "d: ?, ?"});
  CHECK(report.status == "ok");
}

TEST_CASE("after something shapelint cannot see into, a like-rule reports no shape error") {
  auto rules = rules_from(kRules);
  std::string model =
      sequential("[null, 28, 28, 1]",
                 {R"({"class_name": "Lambda", "config": {"name": "l", "function": "x"}})",
                  R"({"class_name": "MyConv", "config": {"name": "conv"}})"});
  FileReport report = lint(model, &rules);
  INFO(describe(report));
  CHECK_FALSE(has(report, rule::kInputRank));
  CHECK(report.status == "ok");
}

TEST_CASE("a registered class name Package>Name finds the rule declared for Name") {
  auto rules = rules_from(kRules);
  std::string model =
      sequential("[null, 16]", {R"({"class_name": "Custom>MyNorm", "config": {"name": "n"}})"});
  FileReport report = lint(model, &rules);
  INFO(describe(report));
  CHECK(rows(report) == std::vector<std::string>{"in: (None, 16), 0", "n: (None, 16), 64"});
}

TEST_CASE("a rule declared for a built-in class does not replace shapelint's own") {
  auto rules = rules_from("[tool.shapelint.custom_layers.Dense]\noutput_shape = \"(None, 7)\"\n");
  std::string model =
      sequential("[null, 16]", {R"({"class_name": "Dense", "config": {"name": "d", "units": 3}})"});
  FileReport report = lint(model, &rules);
  CHECK(rows(report) == std::vector<std::string>{"in: (None, 16), 0", "d: (None, 3), 51"});
}

TEST_CASE("declared rules apply inside nested models and on a what-if replay") {
  auto rules = rules_from(kRules);
  std::string model =
      sequential("[null, 16]",
                 {R"({"class_name": "Sequential", "config": {"name": "inner", "layers": [
         {"class_name": "MyProjection", "config": {"name": "proj", "projection_dim": 8}}]}})",
                  R"({"class_name": "Dense", "config": {"name": "d", "units": 2}})"});
  FileReport report = lint(model, &rules);
  INFO(describe(report));
  CHECK(rows(report) ==
        std::vector<std::string>{"in: (None, 16), 0", "inner: (None, 8), 136", "d: (None, 2), 18"});
  // The what-if replay runs through the declared rules too, to the last layer.
  FileReport replay = lint(shapelint::test::kCustomModel, &rules, {"16"});
  INFO(describe(replay));
  CHECK(replay.what_if.has_value());
  CHECK(rows(replay) == std::vector<std::string>{"in: (None, 16), 0",
                                                 "proj: (None, 32), 544",
                                                 "norm: (None, 32), 64",
                                                 "d: (None, 4), 132"});
}

TEST_CASE("on a what-if replay a like-rule's built weights must fit the data, as Keras's do") {
  auto rules = rules_from(kRules);
  FileReport replay = lint(shapelint::test::kCustomModel, &rules, {"20"});
  INFO(describe(replay));
  REQUIRE(has(replay, rule::kInputAxis));
  CHECK(replay.diagnostics.front().layer == std::optional<std::string>("proj"));
  CHECK(replay.diagnostics.front().message.find(
            "expected axis -1 of input shape to have value 16") != std::string::npos);
}
