#pragma once

#include <ostream>
#include <span>
#include <string_view>

#include "shapelint/lint/report.hpp"

namespace shapelint {

struct RenderOptions {
  bool color = false;
  bool quiet = false;      ///< only diagnostics, no tables
  std::size_t width = 80;  ///< terminal columns the table must fit
  bool cost = false;       ///< the table format adds each layer's cost (--cost)
};

using RenderFn = void (*)(const RunReport&, const RenderOptions&, std::ostream&);

/// Which reports of a format show the layers' cost, so that a run works it out only then.
enum class ShowsCost { never, with_cost_option, always };

struct Renderer {
  std::string_view name;
  RenderFn render;
  std::string_view description;
  ShowsCost shows_cost = ShowsCost::never;
  /// Whether this format shows the rows of a nested model's layers (LayerRow::layers), so
  /// that a run makes them only then (LintOptions::nested_rows).
  bool shows_nested_rows = false;

  /// Whether this format, with `options`, prints any cost figure.
  bool needs_cost(const RenderOptions& options) const {
    return shows_cost == ShowsCost::always ||
           (shows_cost == ShowsCost::with_cost_option && options.cost);
  }
};

/// Every output format; the CLI validates --format against this table.
std::span<const Renderer> renderers();
const Renderer* find_renderer(std::string_view name);

void render_table(const RunReport& run, const RenderOptions& options, std::ostream& out);
void render_json(const RunReport& run, const RenderOptions& options, std::ostream& out);
void render_compact(const RunReport& run, const RenderOptions& options, std::ostream& out);
void render_sarif(const RunReport& run, const RenderOptions& options, std::ostream& out);
void render_github(const RunReport& run, const RenderOptions& options, std::ostream& out);
void render_junit(const RunReport& run, const RenderOptions& options, std::ostream& out);
void render_markdown(const RunReport& run, const RenderOptions& options, std::ostream& out);
void render_dot(const RunReport& run, const RenderOptions& options, std::ostream& out);
void render_mermaid(const RunReport& run, const RenderOptions& options, std::ostream& out);

/// The Markdown that `render_github` appends to the file named by GITHUB_STEP_SUMMARY.
void render_github_step_summary(const RunReport& run, std::ostream& out);

/// 300774272 → "301M", 1234 → "1.23K": three significant digits, SI suffixes.
std::string human_count(std::int64_t n);

/// 14155776 → "13.5 MiB": three significant digits, binary units.
std::string human_bytes(std::int64_t n);

/// 1234567 → "1,234,567", as model.summary() prints counts.
std::string group_thousands(std::int64_t n);

}  // namespace shapelint
