#include "shapelint/render/render.hpp"

#include <array>

namespace shapelint {

namespace {

constexpr std::array kRenderers{
    Renderer{"table", render_table, "layer table with shapes and parameters, then findings"},
    Renderer{"compact", render_compact, "one line per finding: path:line:col: severity: message"},
    Renderer{"json", render_json, "one JSON report for the whole run (schemas/report.schema.json)"},
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
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace shapelint
