#include "shapelint/render/render.hpp"

#include <array>

#include "shapelint/render/render_util.hpp"

namespace shapelint {

namespace {

constexpr std::array kRenderers{
    Renderer{"table",
             render_table,
             "layer table with shapes and parameters, then findings",
             ShowsCost::with_cost_option},
    Renderer{"compact", render_compact, "one line per finding: path:line:col: severity: message"},
    Renderer{"json",
             render_json,
             "one JSON report for the whole run (schemas/report.schema.json)",
             ShowsCost::always,
             true},
    Renderer{"sarif", render_sarif, "SARIF 2.1.0 for code scanning (GitHub and others)"},
    Renderer{"github", render_github, "GitHub Actions annotations, plus the step summary"},
    Renderer{"junit",
             render_junit,
             "JUnit XML: a test suite per file, a test case per layer",
             ShowsCost::never,
             true},
    Renderer{"markdown", render_markdown, "findings and layer tables for a pull-request comment"},
    Renderer{"dot", render_dot, "Graphviz graph of the model, shapes on the edges"},
    Renderer{"mermaid", render_mermaid, "Mermaid flowchart of the model (renders on GitHub)"},
};

}  // namespace

std::span<const Renderer> renderers() {
  return kRenderers;
}

const Renderer* find_renderer(std::string_view name) {
  for (const auto& r : kRenderers)
    if (r.name == name)
      return &r;
  return nullptr;
}

std::string group_thousands(std::int64_t n) {
  std::string out;
  render_util::append_grouped(out, n);
  return out;
}

}  // namespace shapelint
