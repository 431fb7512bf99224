#include "support/rule_harness.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "shapelint/rules/registry.hpp"

namespace shapelint::test {

Shape shape(std::string_view text) {
  if (text == "?")
    return Shape::unknown_rank();
  auto s = parse_shape(std::string(text));
  if (!s)
    FAIL("malformed shape literal: " << text);
  return *s;
}

Shapes shapes(std::initializer_list<std::string_view> texts) {
  Shapes out;
  for (auto t : texts)
    out.push_back(shape(t));
  return out;
}

bool RuleRun::has(std::string_view rule_id) const {
  for (const auto& d : diagnostics)
    if (d.rule == rule_id)
      return true;
  return false;
}

std::string RuleRun::describe() const {
  std::string out = fmt::format(
      "outputs={} params={}", to_string(outputs), params ? std::to_string(*params) : "?");
  for (const auto& d : diagnostics)
    out += fmt::format("\n  [{}] {}: {}", d.rule, to_string(d.severity), d.message);
  return out;
}

std::unique_ptr<JsonDocument> parse_config(std::string_view config_json) {
  JsonParseError error;
  auto doc = JsonDocument::parse(
      std::string(config_json.empty() ? std::string_view("{}") : config_json), 512, error);
  if (!doc)
    FAIL("malformed config JSON in the test: " << error.message << "\n" << config_json);
  return doc;
}

RuleRun run_rule(std::string_view keras_class,
                 std::string_view config_json,
                 const Shapes& inputs,
                 Semantics semantics,
                 const std::vector<KwargTensors>& kwargs) {
  RuleRun run;
  const LayerRule* rule = RuleRegistry::builtin().find(keras_class);
  if (!rule)
    return run;
  run.found = true;
  auto config = parse_config(config_json);
  std::string name = config->root().value("name", "layer");
  LayerConfig cfg(config->root(), "config", &run.diagnostics, name);
  LayerCall call(cfg, inputs, kwargs, semantics, &run.diagnostics);
  rule->infer(call);
  // The engine's net under every rule: an output or weight past int64 is SL110.
  if (!call.failed())
    call.report_overflow();
  run.failed = call.failed();
  run.outputs = std::move(call.outputs);
  run.weights = std::move(call.weights);
  run.params = count_params(run.weights, false);
  run.trainable = count_params(run.weights, true);
  run.non_trainable = count_params(run.weights, false, true);
  return run;
}

namespace {

Shapes to_shapes(const std::vector<std::string_view>& texts) {
  Shapes out;
  for (auto t : texts)
    out.push_back(shape(t));
  return out;
}

bool has_message(const RuleRun& run, std::string_view text) {
  for (const auto& d : run.diagnostics)
    if (d.message == text)
      return true;
  return false;
}

}  // namespace

void check_rule_row(const RuleRow& row) {
  std::vector<KwargTensors> kwargs;
  for (const auto& [name, text] : row.kwargs)
    kwargs.push_back(KwargTensors{std::string(name), {shape(text)}});
  RuleRun run = run_rule(row.cls, row.config, to_shapes(row.inputs), row.semantics, kwargs);
  INFO(run.describe());
  REQUIRE(run.found);
  if (!row.error.empty()) {
    CHECK(run.failed);
    CHECK(run.has(row.error));
    if (!row.message.empty())
      CHECK(has_message(run, row.message));
    return;
  }
  CHECK_FALSE(run.failed);
  CHECK(run.outputs == to_shapes(row.outputs));
  CHECK(run.params == row.params);
  if (row.trainable)
    CHECK(run.trainable == row.trainable);
}

}  // namespace shapelint::test
