#pragma once
// What the linter adds beyond shapes once a model is propagated: its cost, the input sizes it
// accepts, and the budgets it must stay within. Called where the report's rows are made: the
// parts that read the passes' shapes before, the totals and budgets after.
#include <optional>
#include <vector>

#include "shapelint/engine/propagate.hpp"
#include "shapelint/lint/lint.hpp"
#include "shapelint/lint/report.hpp"
#include "shapelint/model/graph.hpp"

namespace shapelint::analysis {

/// The passes the linter ran over one model.
struct ModelPasses {
  const Model& model;
  const ModelResult& built;  ///< the declared shapes: the weights every layer holds
  const ModelResult& shown;  ///< what the table shows: the what-if replay, or `built`
  /// Semantics and custom layer rules, as the declared pass ran with them.
  const PropagateOptions& declared;
  /// The replayed input shapes (batch axis included) when `--input-shape` ran, else empty.
  const std::vector<std::optional<Shape>>& what_if;
};

/// What needs the passes' shapes, run before the report's rows take them: the model's
/// signature, its valid input sizes (`--valid-sizes`), the nearest working sizes in the hint
/// of a failing what-if.
void analyze_passes(const ModelPasses& passes, const LintOptions& options, FileReport& report);

/// Once the rows are made: the budget findings, against the parameter counts and the cost
/// totals (annotate_cost, which the linter ran before the rows).
void analyze_rows(const ModelPasses& passes, const LintOptions& options, FileReport& report);

}  // namespace shapelint::analysis
