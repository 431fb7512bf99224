#include "shapelint/analysis/budget.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/render/render.hpp"

namespace shapelint::analysis {

namespace {

struct Unit {
  std::string_view name;
  double factor;
};

std::string lowercase(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '_' && c != ',')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A number, optionally with a fractional part, followed by one of `units` ("" allowed).
template <std::size_t N>
std::optional<std::int64_t> parse_with_units(std::string_view text,
                                             const std::array<Unit, N>& units) {
  std::string s = lowercase(text);
  std::size_t digits = 0;
  bool dot = false;
  while (digits < s.size() &&
         (std::isdigit(static_cast<unsigned char>(s[digits])) || (s[digits] == '.' && !dot))) {
    dot = dot || s[digits] == '.';
    ++digits;
  }
  if (digits == 0 || (digits == 1 && dot))
    return std::nullopt;
  std::string_view suffix = std::string_view(s).substr(digits);
  for (const auto& u : units) {
    if (suffix != u.name)
      continue;
    double value = std::stod(s.substr(0, digits)) * u.factor;
    if (!std::isfinite(value) || value >= 9.2e18)
      return std::nullopt;
    return static_cast<std::int64_t>(std::llround(value));
  }
  return std::nullopt;
}

Diagnostic budget_finding(std::string_view id, std::string message, std::string hint) {
  return Diagnostic{.rule = std::string(id),
                    .severity = find_rule_info(id)->severity,
                    .layer = std::nullopt,
                    .message = std::move(message),
                    .hint = std::move(hint),
                    .json_path = ""};
}

/// "(+ 2 layers whose count is unknown)" when the total is only a lower bound.
std::string lower_bound_note(std::size_t unknown_layers) {
  return unknown_layers
             ? fmt::format(" (at least; {} layer(s) could not be counted)", unknown_layers)
             : std::string{};
}

/// The layer that contributes most to a per-layer number: where to look first.
template <typename Get>
std::string largest_layer(const FileReport& report, Get get) {
  const LayerRow* best = nullptr;
  for (const auto& row : report.layers) {
    auto v = get(row);
    if (v && (!best || *v > *get(*best)))
      best = &row;
  }
  return best ? best->name.str() : std::string{};
}

}  // namespace

std::optional<std::int64_t> parse_count(std::string_view text) {
  static constexpr std::array kUnits{Unit{"", 1.0},
                                     Unit{"k", 1e3},
                                     Unit{"m", 1e6},
                                     Unit{"g", 1e9},
                                     Unit{"b", 1e9},
                                     Unit{"t", 1e12}};
  return parse_with_units(text, kUnits);
}

std::optional<std::int64_t> parse_bytes(std::string_view text) {
  constexpr double kKi = 1024.0;
  static constexpr std::array kUnits{
      Unit{"", 1.0},
      Unit{"b", 1.0},
      Unit{"kb", 1e3},
      Unit{"mb", 1e6},
      Unit{"gb", 1e9},
      Unit{"tb", 1e12},
      Unit{"k", kKi},
      Unit{"m", kKi * kKi},
      Unit{"g", kKi * kKi * kKi},
      Unit{"t", kKi * kKi * kKi * kKi},
      Unit{"kib", kKi},
      Unit{"mib", kKi * kKi},
      Unit{"gib", kKi * kKi * kKi},
      Unit{"tib", kKi * kKi * kKi * kKi},
  };
  return parse_with_units(text, kUnits);
}

void check_budgets(const LintOptions& options, const ParamTotals& params, FileReport& report) {
  if (options.max_params && params.total > *options.max_params) {
    report.diagnostics.push_back(budget_finding(
        rule::kParamBudget,
        fmt::format("the model has {} parameters{}, over the budget of {} (--max-params)",
                    group_thousands(params.total),
                    lower_bound_note(params.unknown_layers),
                    group_thousands(*options.max_params)),
        fmt::format("shrink the largest layers ('{}' has the most parameters), or raise "
                    "--max-params if the growth is intended",
                    largest_layer(report, [](const LayerRow& r) { return r.params; }))));
  }
  if (!report.cost)
    return;
  const CostTotals& cost = *report.cost;
  if (options.max_macs && cost.macs > *options.max_macs) {
    report.diagnostics.push_back(budget_finding(
        rule::kMacBudget,
        fmt::format("the model costs {} multiply-accumulates ({}){} for a batch of {}, over the "
                    "budget of {} (--max-macs)",
                    group_thousands(cost.macs),
                    human_count(cost.macs),
                    lower_bound_note(cost.macs_unknown_layers),
                    cost.batch_size,
                    group_thousands(*options.max_macs)),
        fmt::format("reduce the most expensive layers ('{}' costs the most; see --cost), or "
                    "raise --max-macs if the growth is intended",
                    largest_layer(report, [](const LayerRow& r) { return r.cost.macs; }))));
  }
  if (options.max_activation_bytes && cost.activation_bytes > *options.max_activation_bytes) {
    report.diagnostics.push_back(budget_finding(
        rule::kActivationMemoryBudget,
        fmt::format("the model's activations take {}{} for a batch of {}, over the budget of {} "
                    "(--max-activation-memory)",
                    human_bytes(cost.activation_bytes),
                    lower_bound_note(cost.activation_unknown_layers),
                    cost.batch_size,
                    human_bytes(*options.max_activation_bytes)),
        fmt::format(
            "downsample earlier or use fewer channels where the feature maps are large "
            "('{}' has the largest output; see --cost), or raise "
            "--max-activation-memory",
            largest_layer(report, [](const LayerRow& r) { return r.cost.activation_bytes; }))));
  }
}

}  // namespace shapelint::analysis
