#include "shapelint/rules/layer_checks.hpp"

#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"

namespace shapelint {

bool require_defined_variable(LayerCall& c,
                              std::string_view variable,
                              const Shape& shape,
                              std::string hint) {
  if (!c.building() || !shape.has_rank() || shape.fully_known())
    return true;
  c.error(rule::kInputAxis,
          fmt::format("Shapes used to initialize variables must be fully-defined (no `None` "
                      "dimensions). Received: shape={} for variable path='{}/{}'",
                      to_string(shape),
                      c.layer_name(),
                      variable),
          std::move(hint));
  return false;
}

namespace {

/// "'a'", "'a' and 'b'", "'a', 'b', and 'c'": how Python lists missing arguments.
std::string quoted_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0)
      out += names.size() == 2 ? " and " : (i + 1 == names.size() ? ", and " : ", ");
    out += fmt::format("'{}'", names[i]);
  }
  return out;
}

}  // namespace

bool require_arguments(LayerCall& c,
                       std::string_view cls,
                       std::initializer_list<std::string_view> keys) {
  std::vector<std::string_view> missing;
  for (auto key : keys)
    if (!c.config().has(key))
      missing.push_back(key);
  if (missing.empty())
    return true;
  c.error(rule::kInvalidArgument,
          fmt::format("{}.__init__() missing {} required positional argument{}: {}",
                      cls,
                      missing.size(),
                      missing.size() == 1 ? "" : "s",
                      quoted_names(missing)),
          fmt::format("set {} in the config of '{}'", quoted_names(missing), c.layer_name()));
  return false;
}

}  // namespace shapelint
