#include "shapelint/rules/layer_checks.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/shape/conv_arith.hpp"

namespace shapelint {

namespace {

/// The argument as the config wrote it, spelled as Python prints it: "0" or "[0, 3]".
std::string written_value(const LayerConfig& config,
                          std::string_view key,
                          const std::vector<std::int64_t>& values) {
  JsonValue raw = config.raw(key);
  if (raw && !raw->is_array() && !values.empty())
    return std::to_string(values.front());
  return python_list(values);
}

}  // namespace

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

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char ch) {
    return static_cast<char>(std::tolower(ch));
  });
  return text;
}

std::optional<std::vector<std::int64_t>> read_tuple_argument(
    LayerCall& c, std::string_view key, std::size_t n, std::int64_t fallback, bool allow_zero) {
  std::vector<std::int64_t> values = c.config().get_int_tuple(key, n, fallback);
  if (tuple_argument_valid(values, allow_zero))
    return values;
  c.error(rule::kInvalidArgument,
          *tuple_argument_error(key, values, written_value(c.config(), key, values), allow_zero),
          fmt::format("set every value of {} to at least {}", key, allow_zero ? 0 : 1));
  return std::nullopt;
}

bool equals_lowercased(std::string_view text, std::string_view lower) {
  return text.size() == lower.size() &&
         std::equal(text.begin(), text.end(), lower.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

std::optional<bool> read_channels_first(LayerCall& c) {
  // Either value, read in place: the common case, without copying the text twice.
  if (JsonValue v = c.config().raw("data_format"); v && v->is_string()) {
    if (equals_lowercased(v->as_string(), "channels_first"))
      return true;
    if (equals_lowercased(v->as_string(), "channels_last"))
      return false;
  }
  auto text = c.config().get_optional_string("data_format");
  // Absent: the default, or what a Keras 1 `dim_ordering` said.
  if (!text)
    return c.config().channels_first();
  std::string lowered = lowercase(*text);
  if (lowered == "channels_first")
    return true;
  if (lowered == "channels_last")
    return false;
  c.error(rule::kInvalidArgument,
          fmt::format("The `data_format` argument must be one of {{'channels_first', "
                      "'channels_last'}}. Received: data_format={}",
                      lowered),
          "use data_format='channels_last' or 'channels_first'");
  return std::nullopt;
}

}  // namespace shapelint
