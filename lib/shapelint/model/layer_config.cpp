#include "shapelint/model/layer_config.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"

namespace shapelint {

namespace {

const char* json_type_name(JsonValue v) {
  if (v.is_object())
    return "an object";
  if (v.is_array())
    return "a list";
  if (v.is_string())
    return "a string";
  if (v.is_boolean())
    return "a boolean";
  if (v.is_number_float())
    return "a float";
  if (v.is_number_integer())
    return "an integer";
  return "null";
}

/// Integers, and floats that hold a whole number (Keras configs sometimes say 2.0).
std::optional<std::int64_t> as_int(JsonValue v) {
  // Unsigned first: is_number_integer() holds for unsigned values too, and 2^64 - 1 read as
  // int64 would be -1.
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX))
      return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer())
    return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    // -2^63 itself fits; 2^63, the first double above INT64_MAX, does not.
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
        d == static_cast<double>(static_cast<std::int64_t>(d)))
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

/// Why `v` (not read by as_int) is no integer argument: its type, or, for a whole number, that
/// it does not fit the 64-bit integer Keras's backends take.
std::string not_an_int64(JsonValue v) {
  bool whole = v.is_number_integer() || (v.is_number_float() && std::isfinite(v.as_double()) &&
                                         v.as_double() == std::trunc(v.as_double()));
  if (whole)
    return "must be an integer between -2^63 and 2^63 - 1";
  return fmt::format("must be an integer, not {}", json_type_name(v));
}

}  // namespace

std::optional<Shape> shape_from_json(JsonValue j) {
  if (!j.is_array())
    return std::nullopt;
  DimVector dims;
  dims.reserve(j.size());
  for (const auto& d : j) {
    if (d.is_null()) {
      dims.push_back(Dim::unknown());
      continue;
    }
    auto v = as_int(d);
    if (!v)
      return std::nullopt;
    dims.push_back(*v < 0 ? Dim::unknown() : Dim::of(*v));
  }
  return Shape(std::move(dims));
}

LayerConfig::LayerConfig(JsonValue config,
                         ConfigPath path,
                         Diagnostics* sink,
                         std::string layer_name)
    : config_(config.is_object() ? config : JsonValue()),
      path_(std::move(path)),
      sink_(sink),
      layer_name_(std::move(layer_name)) {}

bool LayerConfig::has(std::string_view key) const {
  return raw(key) != nullptr;
}

JsonValue LayerConfig::raw(std::string_view key) const {
  JsonValue v = config_.find(key);
  return v.is_null() ? JsonValue() : v;
}

std::string LayerConfig::path_of(std::string_view key) const {
  std::string path = path_.str();
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

void LayerConfig::report_bad_value(std::string_view key, std::string_view what) const {
  if (!sink_)
    return;
  JsonValue v = raw(key);
  std::string got = v ? fmt::format(", got {}", v->dump()) : std::string{};
  if (got.size() > 80)
    got = got.substr(0, 77) + "...";
  sink_->push_back(Diagnostic{
      .rule = std::string(rule::kBadConfigValue),
      .severity = Severity::error,
      .layer = layer_name_.empty() ? std::nullopt : std::optional<std::string>(layer_name_),
      .message = fmt::format("{} {}{}", path_of(key), what, got),
      .hint = "fix the value in the model config; Keras would refuse to deserialize this layer",
      .json_path = path_of(key),
  });
}

std::int64_t LayerConfig::get_int(std::string_view key, std::int64_t fallback) const {
  return get_optional_int(key).value_or(fallback);
}

std::optional<std::int64_t> LayerConfig::get_optional_int(std::string_view key) const {
  JsonValue v = raw(key);
  if (!v)
    return std::nullopt;
  if (auto i = as_int(*v))
    return i;
  // Keras writes a 1-tuple for some scalar arguments (e.g. Dense units in odd configs).
  if (v->is_array() && v->size() == 1)
    if (auto i = as_int((*v)[0]))
      return i;
  report_bad_value(key, not_an_int64(*v));
  return std::nullopt;
}

double LayerConfig::get_float(std::string_view key, double fallback) const {
  JsonValue v = raw(key);
  if (!v)
    return fallback;
  if (v->is_number())
    return v->get<double>();
  report_bad_value(key, fmt::format("must be a number, not {}", json_type_name(*v)));
  return fallback;
}

bool LayerConfig::get_bool(std::string_view key, bool fallback) const {
  JsonValue v = raw(key);
  if (!v)
    return fallback;
  if (v->is_boolean())
    return v->get<bool>();
  if (auto i = as_int(*v); i && (*i == 0 || *i == 1))
    return *i == 1;
  report_bad_value(key, fmt::format("must be true or false, not {}", json_type_name(*v)));
  return fallback;
}

std::optional<std::string> LayerConfig::get_optional_string(std::string_view key) const {
  JsonValue v = raw(key);
  if (!v)
    return std::nullopt;
  if (v->is_string())
    return v->get<std::string>();
  report_bad_value(key, fmt::format("must be a string, not {}", json_type_name(*v)));
  return std::nullopt;
}

std::string LayerConfig::get_string(std::string_view key, std::string_view fallback) const {
  return get_optional_string(key).value_or(std::string(fallback));
}

std::vector<std::int64_t> LayerConfig::get_int_tuple(std::string_view key,
                                                     std::size_t n,
                                                     std::int64_t fallback) const {
  std::vector<std::int64_t> out(n, fallback);
  JsonValue v = raw(key);
  if (!v)
    return out;
  if (auto i = as_int(*v))
    return std::vector<std::int64_t>(n, *i);
  if (v->is_array() && v->size() == 1 && as_int((*v)[0]))
    return std::vector<std::int64_t>(n, *as_int((*v)[0]));
  if (v->is_array() && v->size() == n) {
    for (std::size_t k = 0; k < n; ++k) {
      auto i = as_int((*v)[k]);
      if (!i) {
        report_bad_value(key, fmt::format("must be an integer or a list of {} integers", n));
        return std::vector<std::int64_t>(n, fallback);
      }
      out[k] = *i;
    }
    return out;
  }
  report_bad_value(key, fmt::format("must be an integer or a list of {} integers", n));
  return out;
}

std::optional<std::vector<std::int64_t>> LayerConfig::get_int_list(std::string_view key) const {
  JsonValue v = raw(key);
  if (!v)
    return std::nullopt;
  if (!v->is_array()) {
    report_bad_value(key, "must be a list of integers");
    return std::nullopt;
  }
  std::vector<std::int64_t> out;
  out.reserve(v->size());
  for (const auto& e : *v) {
    auto i = as_int(e);
    if (!i) {
      report_bad_value(key, "must be a list of integers");
      return std::nullopt;
    }
    out.push_back(*i);
  }
  return out;
}

std::optional<std::vector<std::int64_t>> LayerConfig::get_int_or_list(std::string_view key) const {
  JsonValue v = raw(key);
  if (!v)
    return std::nullopt;
  if (auto i = as_int(*v))
    return std::vector<std::int64_t>{*i};
  return get_int_list(key);
}

std::optional<Shape> LayerConfig::get_shape(std::string_view key) const {
  JsonValue v = raw(key);
  if (!v)
    return std::nullopt;
  if (auto i = as_int(*v))
    return Shape({Dim::of(*i)});
  auto s = shape_from_json(*v);
  if (!s)
    report_bad_value(key, "must be a list of integers or null");
  return s;
}

std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> LayerConfig::get_pairs(
    std::string_view key, std::size_t n) const {
  using Pairs = std::vector<std::pair<std::int64_t, std::int64_t>>;
  JsonValue v = raw(key);
  if (!v)
    return std::nullopt;
  if (auto i = as_int(*v))
    return Pairs(n, {*i, *i});
  auto bad = [&]() -> std::optional<Pairs> {
    report_bad_value(
        key, fmt::format("must be an integer, a list of {} integers or a list of {} pairs", n, n));
    return std::nullopt;
  };
  if (!v->is_array())
    return bad();
  // Cropping1D/ZeroPadding1D take one (before, after) pair.
  if (n == 1 && v->size() == 2 && as_int((*v)[0]) && as_int((*v)[1]))
    return Pairs{{*as_int((*v)[0]), *as_int((*v)[1])}};
  if (v->size() != n)
    return bad();
  Pairs out;
  for (const auto& e : *v) {
    if (auto i = as_int(e)) {
      out.emplace_back(*i, *i);
    } else if (e.is_array() && e.size() == 2 && as_int(e[0]) && as_int(e[1])) {
      out.emplace_back(*as_int(e[0]), *as_int(e[1]));
    } else {
      return bad();
    }
  }
  return out;
}

bool LayerConfig::channels_first() const {
  JsonValue v = raw("data_format");
  if (v && v->is_string())
    return v->get<std::string>() == "channels_first";
  JsonValue k1 = raw("dim_ordering");
  if (k1 && k1->is_string())
    return k1->get<std::string>() == "th";
  return false;
}

}  // namespace shapelint
