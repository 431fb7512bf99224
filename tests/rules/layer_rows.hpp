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

using Row = RuleRow;

inline void check_row(const Row& row) {
  check_rule_row(row);
}

inline void check_rows(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    DYNAMIC_SECTION(row.name) {
      check_row(row);
    }
  }
}

}  // namespace shapelint::test
