// One line per finding, as compilers print them, for editors and problem matchers.
#include <fmt/format.h>

#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

namespace shapelint {

void render_compact(const RunReport& raw, const RenderOptions&, std::ostream& out) {
  // One line per finding, whatever the names hold.
  std::optional<RunReport> escaped;
  const RunReport& run = render_util::printable_report(raw, escaped);
  for (const auto& f : run.files) {
    if (f.skipped)
      continue;
    for (const auto& d : f.diagnostics) {
      std::string where = d.layer ? fmt::format("layer '{}': ", *d.layer) : std::string{};
      out << fmt::format("{}:{}:{}: {}: {}{} [{}]\n",
                         location_path(f),
                         std::max(d.line, 1),
                         std::max(d.column, 1),
                         to_string(d.severity),
                         where,
                         d.message,
                         d.rule);
    }
  }
}

}  // namespace shapelint
