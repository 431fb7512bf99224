#pragma once
// The options of issue 8 (cost, valid input sizes, budgets), bound and applied apart from
// the other options so that each part of the command line stays small.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "shapelint/lint/lint.hpp"

namespace shapelint::cli {

struct AnalysisOptions {
  bool cost = false;
  bool valid_sizes = false;
  std::optional<std::string> max_params;
  std::optional<std::string> max_macs;
  std::optional<std::string> max_activation_memory;
};

void bind_analysis_options(CLI::App& app, AnalysisOptions& options);

/// Copies the parsed options into the lint options (the budgets were validated while
/// parsing); `--cost` is the renderer's `cost`.
void apply_analysis_options(const AnalysisOptions& options, LintOptions& lint);

}  // namespace shapelint::cli
