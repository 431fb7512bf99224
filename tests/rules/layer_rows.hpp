#pragma once
// One table row = one call of one rule and what Keras does with it; shared by the rule tests
// of the attention, einsum, legacy, categorical preprocessing and adaptive pooling families.
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/diag/catalog.hpp"
#include "support/rule_harness.hpp"

namespace shapelint::test {

struct Row {
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

inline Shapes to_shapes(const std::vector<std::string_view>& texts) {
  Shapes out;
  for (auto t : texts)
    out.push_back(shape(t));
  return out;
}

inline bool has_message(const RuleRun& run, std::string_view text) {
  for (const auto& d : run.diagnostics)
    if (d.message == text)
      return true;
  return false;
}

inline void check_row(const Row& row) {
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

inline void check_rows(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      check_row(row);
    }
  }
}

}  // namespace shapelint::test
