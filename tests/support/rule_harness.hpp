#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shapelint/diag/diagnostic.hpp"
#include "shapelint/rules/rule.hpp"
#include "shapelint/shape/shape.hpp"

namespace shapelint::test {

/// "(None, 28, 28, 3)" → Shape; "?" → unknown rank. Fails the test on malformed text.
Shape shape(std::string_view text);
Shapes shapes(std::initializer_list<std::string_view> texts);

/// What one rule produced for one call.
struct RuleRun {
  bool found = false;   ///< the class has a rule
  bool failed = false;  ///< the rule reported an error
  Shapes outputs;
  std::vector<WeightSpec> weights;
  std::optional<std::int64_t> params;  ///< total, nullopt when not computable
  std::optional<std::int64_t> trainable;
  std::optional<std::int64_t> non_trainable;
  Diagnostics diagnostics;
  bool has(std::string_view rule_id) const;
  std::string describe() const;  ///< for failure messages
};

/// A layer's config as the engine reads it; fails the test on malformed JSON.
std::unique_ptr<JsonDocument> parse_config(std::string_view config_json);

/// Runs the registered rule of `keras_class` on `config_json` (the layer's `config` object)
/// and the given input shapes, as the engine would for a layer's first call.
RuleRun run_rule(std::string_view keras_class,
                 std::string_view config_json,
                 const Shapes& inputs,
                 Semantics semantics = Semantics::keras3,
                 const std::vector<KwargTensors>& kwargs = {});

/// One row of a family's table-driven tests: a layer, its config and input shapes, and what
/// Keras gives (output shapes and parameters), or the error it raises.
struct RuleRow {
  std::string_view name;
  std::string_view cls;
  std::string_view config;
  std::vector<std::string_view> inputs;
  /// Tensors passed as keyword arguments: name -> shape.
  std::vector<std::pair<std::string_view, std::string_view>> kwargs = {};
  std::vector<std::string_view> outputs = {};  ///< empty when an error is expected
  std::string_view error = {};                 ///< rule id of the expected error
  std::optional<std::int64_t> params = 0;      ///< nullopt: not computable
  std::optional<std::int64_t> trainable = {};  ///< checked when set
  std::string_view message = {};               ///< exact error text, checked when set
  Semantics semantics = Semantics::keras3;
};

/// Runs `row`'s rule and checks what it gave against the row.
void check_rule_row(const RuleRow& row);

}  // namespace shapelint::test
