#include "shapelint/lint/limits.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "shapelint/analysis/budget.hpp"

namespace shapelint {

namespace {

constexpr std::uint64_t kKiB = std::uint64_t{1} << 10;
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;
constexpr std::uint64_t kSecond = 1000;  // durations are held in milliseconds
constexpr std::uint64_t kHour = 3600 * kSecond;

/// The ceiling of a limit nothing else bounds: far past any use, and far enough from the
/// 64-bit range that `limit + 1` and the budgets' arithmetic cannot wrap.
constexpr std::uint64_t kUnbounded = std::uint64_t{1} << 62;

/// The JSON reader addresses the text with 32-bit offsets (it refuses a text of 2 GiB or
/// more with a finding of its own).
constexpr std::uint64_t kTextCeiling = 2 * kGiB;

const LimitInfo kLimits[] = {
    {"max-config-size",
     LimitUnit::bytes,
     "a JSON file, a .keras archive's config.json, an .h5 file's model_config",
     1,
     kTextCeiling,
     "the JSON reader addresses text with 32-bit offsets",
     [](const LintOptions& o) { return o.read_limits.max_config_bytes; },
     [](LintOptions& o, std::uint64_t v) { o.read_limits.max_config_bytes = v; }},
    {"max-stdin-size",
     LimitUnit::bytes,
     "standard input, read whole (it may carry an archive)",
     1,
     kUnbounded,
     {},
     [](const LintOptions& o) { return o.read_limits.max_stdin_bytes; },
     [](LintOptions& o, std::uint64_t v) { o.read_limits.max_stdin_bytes = v; }},
    {"max-metadata-size",
     LimitUnit::bytes,
     "metadata.json and small HDF5 attributes such as keras_version",
     1,
     kTextCeiling,
     "they are read whole into memory, as a config is",
     [](const LintOptions& o) { return o.read_limits.max_metadata_bytes; },
     [](LintOptions& o, std::uint64_t v) { o.read_limits.max_metadata_bytes = v; }},
    {"max-weights-size",
     LimitUnit::bytes,
     "model.weights.h5 unpacked from a .keras archive for the weights check (larger: not "
     "compared)",
     1,
     kUnbounded,
     {},
     [](const LintOptions& o) { return o.read_limits.max_weights_file_bytes; },
     [](LintOptions& o, std::uint64_t v) { o.read_limits.max_weights_file_bytes = v; }},
    {"max-zip-members",
     LimitUnit::count,
     "members of a zip archive",
     1,
     kUnbounded,
     {},
     [](const LintOptions& o) { return o.read_limits.max_zip_members; },
     [](LintOptions& o, std::uint64_t v) { o.read_limits.max_zip_members = v; }},
    {"max-compression-ratio",
     LimitUnit::count,
     "how many times its stored size a zip member (past 1 MiB) may inflate to",
     1,
     kUnbounded,
     {},
     [](const LintOptions& o) { return o.read_limits.max_expansion; },
     [](LintOptions& o, std::uint64_t v) { o.read_limits.max_expansion = v; }},
    {"max-weights",
     LimitUnit::count,
     "weights (and weight groups) read from one file",
     1,
     1'000'000'000,
     "the HDF5 reader's answer is sized from it",
     [](const LintOptions& o) { return std::uint64_t{o.read_limits.max_weights}; },
     [](LintOptions& o, std::uint64_t v) {
       o.read_limits.max_weights = static_cast<std::size_t>(v);
     }},
    {"hdf5-timeout",
     LimitUnit::duration,
     "wall-clock time of the HDF5 reader's child process (0 gives up on every HDF5 file)",
     0,
     24 * kHour,
     "a reader that has not finished in a day is stuck",
     [](const LintOptions& o) {
       return static_cast<std::uint64_t>(o.read_limits.hdf5_timeout.count());
     },
     [](LintOptions& o, std::uint64_t v) {
       o.read_limits.hdf5_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(v));
     }},
    {"hdf5-memory",
     LimitUnit::bytes,
     "address space of the HDF5 reader's child process (which starts with shapelint's own)",
     256 * kMiB,
     kUnbounded,
     {},
     [](const LintOptions& o) { return o.read_limits.hdf5_memory_bytes; },
     [](LintOptions& o, std::uint64_t v) { o.read_limits.hdf5_memory_bytes = v; }},
    {"max-json-depth",
     LimitUnit::count,
     "JSON nesting",
     1,
     kJsonDepthCeiling,
     "the walks into JSON values recurse once per level: deeper could overflow the stack",
     [](const LintOptions& o) { return std::uint64_t{o.load_limits.max_json_depth}; },
     [](LintOptions& o, std::uint64_t v) {
       o.load_limits.max_json_depth = static_cast<std::size_t>(v);
     }},
    {"max-model-depth",
     LimitUnit::count,
     "models nested in models",
     1,
     std::uint64_t{kModelDepthCeiling},
     "the walks into a model recurse once per nested model: deeper could overflow the stack",
     [](const LintOptions& o) { return static_cast<std::uint64_t>(o.load_limits.max_model_depth); },
     [](LintOptions& o, std::uint64_t v) { o.load_limits.max_model_depth = static_cast<int>(v); }},
    {"max-layers",
     LimitUnit::count,
     "layers in one file, nested models' included",
     1,
     1'000'000'000,
     "a model's layers are numbered with 32 bits",
     [](const LintOptions& o) { return std::uint64_t{o.load_limits.max_layers}; },
     [](LintOptions& o, std::uint64_t v) {
       o.load_limits.max_layers = static_cast<std::size_t>(v);
     }},
    {"max-layer-calls",
     LimitUnit::count,
     "layer calls of one propagation (a nested model runs its layers at each call)",
     1,
     kUnbounded,
     {},
     [](const LintOptions& o) { return o.load_limits.max_layer_calls; },
     [](LintOptions& o, std::uint64_t v) { o.load_limits.max_layer_calls = v; }},
    {"max-wrapper-depth",
     LimitUnit::count,
     "layers wrapped in layers (TimeDistributed(Bidirectional(LSTM)) is 2)",
     1,
     std::uint64_t{kWrapperDepthCeiling},
     "each Bidirectional level doubles the weights of the layer inside it: deeper could "
     "exhaust memory",
     [](const LintOptions& o) { return static_cast<std::uint64_t>(o.max_wrapper_depth); },
     [](LintOptions& o, std::uint64_t v) { o.max_wrapper_depth = static_cast<int>(v); }},
    {"max-layer-runs",
     LimitUnit::count,
     "layer runs for one file, wrapped layers and what-if probes included",
     1,
     kUnbounded,
     {},
     [](const LintOptions& o) { return o.max_rule_runs; },
     [](LintOptions& o, std::uint64_t v) { o.max_rule_runs = v; }},
};

std::string canonical(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

std::string_view unit_example(LimitUnit unit) {
  switch (unit) {
    case LimitUnit::count:
      return "a count (e.g. 2000000, 2M)";
    case LimitUnit::bytes:
      return "a size (e.g. 256MiB, 2GB, 1G)";
    case LimitUnit::duration:
      return "a duration (e.g. 30s, 500ms, 2min; a bare number is seconds)";
  }
  return "";
}

/// "30s", "500ms", "1.5min", "2h", or a bare number of seconds, as milliseconds.
std::optional<std::uint64_t> parse_duration(std::string_view text) {
  std::string s(text);
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  std::size_t digits = 0;
  while (digits < s.size() &&
         (std::isdigit(static_cast<unsigned char>(s[digits])) || s[digits] == '.'))
    ++digits;
  if (digits == 0 ||
      std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(digits), '.') > 1)
    return std::nullopt;
  std::string unit = s.substr(digits);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  double factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit.empty() || unit == "s")
    factor = kSecond;
  else if (unit == "m" || unit == "min")
    factor = 60 * kSecond;
  else if (unit == "h")
    factor = kHour;
  else
    return std::nullopt;
  double value = std::strtod(s.substr(0, digits).c_str(), nullptr) * factor;
  if (!std::isfinite(value) || value >= 9.2e18)
    return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(value));
}

std::optional<std::uint64_t> parse_value(LimitUnit unit, std::string_view text) {
  std::optional<std::int64_t> v;
  switch (unit) {
    case LimitUnit::count:
      v = analysis::parse_count(text);
      break;
    case LimitUnit::bytes:
      v = analysis::parse_bytes(text);
      break;
    case LimitUnit::duration:
      return parse_duration(text);
  }
  if (!v || *v < 0)
    return std::nullopt;
  return static_cast<std::uint64_t>(*v);
}

/// `value` if it is within the limit's range; else nullopt with `error` saying the range.
std::optional<LimitSetting> in_range(const LimitInfo& limit,
                                     std::uint64_t value,
                                     std::string& error) {
  if (value < limit.minimum) {
    error = fmt::format("must be at least {}", format_limit_value(limit, limit.minimum));
    return std::nullopt;
  }
  if (value > limit.ceiling) {
    error = limit.ceiling_reason.empty() ? fmt::format("{} is more than shapelint takes ({})",
                                                       format_limit_value(limit, value),
                                                       format_limit_value(limit, limit.ceiling))
                                         : fmt::format("{} is above its ceiling of {}: {}",
                                                       format_limit_value(limit, value),
                                                       format_limit_value(limit, limit.ceiling),
                                                       limit.ceiling_reason);
    return std::nullopt;
  }
  return LimitSetting{&limit, value};
}

const LimitInfo* known_limit(std::string_view name, std::string& error) {
  const LimitInfo* limit = find_limit(name);
  if (!limit)
    error = fmt::format("no limit named '{}'; the limits are {}", name, limit_names());
  return limit;
}

}  // namespace

std::span<const LimitInfo> all_limits() {
  return kLimits;
}

const LimitInfo* find_limit(std::string_view name) {
  std::string wanted = canonical(name);
  for (const auto& limit : kLimits)
    if (limit.name == wanted)
      return &limit;
  return nullptr;
}

std::string limit_names() {
  std::vector<std::string_view> names;
  for (const auto& limit : kLimits)
    names.push_back(limit.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string format_limit_value(const LimitInfo& limit, std::uint64_t value) {
  auto in_unit = [value](std::initializer_list<std::pair<std::uint64_t, std::string_view>> units) {
    for (const auto& [size, name] : units)
      if (value >= size && value % size == 0)
        return fmt::format("{}{}", value / size, name);
    return std::string{};
  };
  switch (limit.unit) {
    case LimitUnit::count:
      return fmt::format("{}", value);
    case LimitUnit::bytes: {
      std::string text = in_unit({{kGiB, "GiB"}, {kMiB, "MiB"}, {kKiB, "KiB"}});
      return text.empty() ? fmt::format("{}", value) : text;
    }
    case LimitUnit::duration: {
      std::string text = in_unit({{kHour, "h"}, {60 * kSecond, "min"}, {kSecond, "s"}});
      return text.empty() ? fmt::format("{}ms", value) : text;
    }
  }
  return fmt::format("{}", value);
}

std::optional<LimitSetting> parse_limit(std::string_view name,
                                        std::string_view value,
                                        std::string& error) {
  const LimitInfo* limit = known_limit(name, error);
  if (!limit)
    return std::nullopt;
  auto parsed = parse_value(limit->unit, value);
  if (!parsed) {
    error = fmt::format("'{}' is not {}", value, unit_example(limit->unit));
    return std::nullopt;
  }
  return in_range(*limit, *parsed, error);
}

std::optional<LimitSetting> parse_limit_assignment(std::string_view text, std::string& error) {
  std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    error = fmt::format("'{}' is not NAME=VALUE; the limits are {}", text, limit_names());
    return std::nullopt;
  }
  std::string_view name = text.substr(0, eq);
  if (!known_limit(name, error))
    return std::nullopt;
  auto setting = parse_limit(name, text.substr(eq + 1), error);
  if (!setting)
    error = fmt::format("{}: {}", find_limit(name)->name, error);
  return setting;
}

std::optional<LimitSetting> limit_from_integer(std::string_view name,
                                               std::int64_t value,
                                               std::string& error) {
  const LimitInfo* limit = known_limit(name, error);
  if (!limit)
    return std::nullopt;
  if (value < 0) {
    error = fmt::format("must be at least {}", format_limit_value(*limit, limit->minimum));
    return std::nullopt;
  }
  auto v = static_cast<std::uint64_t>(value);
  if (limit->unit == LimitUnit::duration)  // seconds
    v = v > kUnbounded / kSecond ? kUnbounded : v * kSecond;
  return in_range(*limit, v, error);
}

void apply_limits(std::span<const LimitSetting> settings, LintOptions& options) {
  for (const auto& s : settings)
    s.limit->set(options, s.value);
}

}  // namespace shapelint
