#include "shapelint/analysis/analyze.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "shapelint/analysis/budget.hpp"
#include "shapelint/analysis/valid_sizes.hpp"
#include "shapelint/cost/model_cost.hpp"
#include "shapelint/diag/catalog.hpp"
#include "shapelint/diff/diff.hpp"

namespace shapelint::analysis {

namespace {

/// A what-if replay that breaks: the finding where it breaks learns the nearest sizes that
/// would have worked.
void hint_nearest_sizes(const ModelPasses& passes, FileReport& report) {
  // Errors of the declared pass are the model's own: no size would fix them.
  if (passes.what_if.empty() || passes.built.failed)
    return;
  auto failing =
      std::find_if(report.diagnostics.begin(), report.diagnostics.end(), [](const Diagnostic& d) {
        // A shape finding (SL1xx), not one about the weights stored in the file.
        return d.severity == Severity::error && d.layer && d.rule.rfind("SL1", 0) == 0 &&
               d.rule != rule::kRecordedWeightsMismatch;
      });
  if (failing == report.diagnostics.end())
    return;
  std::string nearest = nearest_working_sizes(
      passes.model, passes.built, passes.declared, passes.what_if, *failing->layer);
  if (nearest.empty())
    return;
  failing->hint = failing->hint.empty() ? nearest : fmt::format("{} ({})", failing->hint, nearest);
}

}  // namespace

void analyze_passes(const ModelPasses& passes, const LintOptions& options, FileReport& report) {
  report.signature = diff::signature_of(passes.model, passes.built);
  hint_nearest_sizes(passes, report);
  if (options.valid_sizes)
    report.valid_sizes = find_valid_sizes(passes.model, passes.built, passes.declared);
}

void analyze_rows(const ModelPasses& passes, const LintOptions& options, FileReport& report) {
  check_budgets(options,
                ParamTotals{passes.built.known_params,
                            passes.built.known_trainable_params,
                            passes.built.known_non_trainable_params,
                            passes.built.unknown_param_layers},
                report);
}

}  // namespace shapelint::analysis
